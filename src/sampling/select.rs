//! The selection methods of SAMPLING-SPEC §3–5 (`random` with extension, `systematic`,
//! `stratified`) and the strata a stratified selection runs on.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::iter::FusedIterator;
use std::num::NonZeroU64;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{SamplingError, Seed, Stream};

/// How the items are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Random,
    Systematic,
    Stratified,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Systematic => "systematic",
            Method::Stratified => "stratified",
        }
    }

    /// Only a `random` sample can be extended (SAMPLING-SPEC §3). A larger systematic sample
    /// has another interval and so other items (§4); for stratified samples v1 defines no
    /// extension, because re-allocating a larger size can move items between strata.
    pub fn check_extensible(self) -> Result<(), SamplingError> {
        match self {
            Method::Random => Ok(()),
            method => Err(SamplingError::ExtensionNotDefined { method }),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = SamplingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "random" => Ok(Method::Random),
            "systematic" => Ok(Method::Systematic),
            "stratified" => Ok(Method::Stratified),
            _ => Err(SamplingError::UnknownMethod(s.to_string())),
        }
    }
}

fn check_size(population: u64, size: u64) -> Result<(), SamplingError> {
    if population == 0 {
        Err(SamplingError::EmptyPopulation)
    } else if size == 0 {
        Err(SamplingError::ZeroSampleSize)
    } else if size > population {
        Err(SamplingError::SampleLargerThanPopulation { size, population })
    } else {
        Ok(())
    }
}

/// `take` wants a `usize`; a size that does not fit could not be collected anyway.
fn as_count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Method `random` as an endless-until-exhausted draw: the partial Fisher–Yates shuffle of
/// SAMPLING-SPEC §3 over positions `1..=N`, yielding positions in selection order.
///
/// Taking `n` items and later `n2 - n` more from the same draw is exactly the spec's extension:
/// the loop continues from `i = n` on the same stream. Memory is O(items drawn), not O(N): the
/// array `a` is kept as the few slots that differ from `a[i] = i + 1`.
#[derive(Debug, Clone)]
pub struct RandomDraw {
    population: u64,
    drawn: u64,
    stream: Stream,
    /// 0-based slot → position, for slots at or beyond `drawn` that a swap has changed.
    moved: BTreeMap<u64, u64>,
}

impl RandomDraw {
    pub fn new(population: u64, seed: &Seed) -> Result<RandomDraw, SamplingError> {
        if population == 0 {
            return Err(SamplingError::EmptyPopulation);
        }
        Ok(Self::on_stream(population, Stream::new(seed)))
    }

    fn on_stream(population: u64, stream: Stream) -> RandomDraw {
        RandomDraw { population, drawn: 0, stream, moved: BTreeMap::new() }
    }

    pub fn population(&self) -> u64 {
        self.population
    }

    /// How many items have been drawn so far (the next one has ordinal `drawn() + 1`).
    pub fn drawn(&self) -> u64 {
        self.drawn
    }
}

impl Iterator for RandomDraw {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let i = self.drawn;
        let remaining = NonZeroU64::new(self.population - i)?;
        let j = i + self.stream.below(remaining);
        // Slot i is emitted now and never read again, so its entry can go.
        let at_i = self.moved.remove(&i).unwrap_or(i + 1);
        let selected = if j == i {
            at_i
        } else {
            // Swap: slot j takes a[i]; the item emitted is the old a[j].
            self.moved.insert(j, at_i).unwrap_or(j + 1)
        };
        self.drawn += 1;
        Some(selected)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.population - self.drawn;
        match usize::try_from(left) {
            Ok(left) => (left, Some(left)),
            Err(_) => (usize::MAX, None),
        }
    }
}

impl FusedIterator for RandomDraw {}

/// Method `random`: `size` positions of `1..=population`, in selection order.
pub fn select_random(population: u64, size: u64, seed: &Seed) -> Result<Vec<u64>, SamplingError> {
    check_size(population, size)?;
    Ok(RandomDraw::new(population, seed)?.take(as_count(size)).collect())
}

/// Extends a `random` sample of `already` items to `new_size`: returns only the positions added,
/// ordinals `already + 1 ..= new_size`. The first `already` items are those `select_random`
/// gave and are not repeated here.
pub fn extend_random(population: u64, seed: &Seed, already: u64, new_size: u64) -> Result<Vec<u64>, SamplingError> {
    check_size(population, new_size)?;
    if new_size <= already {
        return Err(SamplingError::ExtensionNotLarger { already, requested: new_size });
    }
    let mut draw = RandomDraw::new(population, seed)?;
    // Re-running the first draws is what puts the stream and the swaps where they were.
    draw.by_ref().take(as_count(already)).for_each(drop);
    Ok(draw.take(as_count(new_size - already)).collect())
}

/// Method `systematic` (SAMPLING-SPEC §4): interval `k = floor(N / n)`, a random start in
/// `1..=k`, then every k-th position.
pub fn select_systematic(population: u64, size: u64, seed: &Seed) -> Result<Vec<u64>, SamplingError> {
    check_size(population, size)?;
    let interval = population / size;
    // size ≤ population, so the interval is at least 1.
    let interval_nz = NonZeroU64::new(interval).ok_or(SamplingError::ZeroSampleSize)?;
    let start = 1 + Stream::new(seed).below(interval_nz);
    // The last position, start + (size-1)·k ≤ size·k ≤ N, cannot overflow.
    Ok((0..size).map(|i| start + i * interval).collect())
}

/// One stratum: its label (which also keys its stream) and how many items it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stratum {
    pub label: String,
    pub size: u64,
}

impl Stratum {
    pub fn new(label: impl Into<String>, size: u64) -> Stratum {
        Stratum { label: label.into(), size }
    }
}

/// One item of a stratified sample.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StratifiedItem {
    /// 1-based over the whole sample: strata in their order, each in its draw order.
    pub ordinal: u64,
    pub stratum: String,
    /// Index of the stratum in the list the selection was given.
    pub stratum_index: usize,
    /// 1-based position among the stratum's items, in canonical order.
    pub position_in_stratum: u64,
}

/// Shares `n` items among strata of the given sizes (SAMPLING-SPEC §5): one item to each
/// non-empty stratum first when `n` allows, the rest in proportion, leftovers by largest
/// remainder with ties to the earlier stratum. Integer arithmetic only.
///
/// The result never exceeds a stratum's size and is 0 for every empty stratum.
pub fn allocate(sizes: &[u64], n: u64) -> Result<Vec<u64>, SamplingError> {
    let total: u128 = sizes.iter().map(|&s| u128::from(s)).sum();
    if u128::from(n) > total {
        return Err(if total == 0 {
            SamplingError::EmptyPopulation
        } else {
            SamplingError::SampleLargerThanPopulation { size: n, population: u64::try_from(total).unwrap_or(u64::MAX) }
        });
    }
    let non_empty = sizes.iter().filter(|&&s| s > 0).count() as u64;
    let (mut shares, to_share, weights): (Vec<u64>, u64, Vec<u64>) = if n >= non_empty {
        (
            sizes.iter().map(|&s| u64::from(s > 0)).collect(),
            n - non_empty,
            sizes.iter().map(|&s| s.saturating_sub(1)).collect(),
        )
    } else {
        (vec![0; sizes.len()], n, sizes.to_vec())
    };
    let weight_total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if weight_total == 0 {
        // Only when every non-empty stratum holds one item and all got theirs: to_share is 0.
        return Ok(shares);
    }
    let m = u128::from(to_share);
    let mut remainders = Vec::with_capacity(sizes.len());
    let mut given: u128 = 0;
    for (h, &w) in weights.iter().enumerate() {
        let product = m * u128::from(w);
        let quota = product / weight_total;
        given += quota;
        // quota ≤ m ≤ u64::MAX because w ≤ weight_total.
        shares[h] += quota as u64;
        remainders.push((product % weight_total, h));
    }
    // Largest remainder first; for equal remainders the earlier stratum (stable sort).
    remainders.sort_by_key(|&(remainder, _)| std::cmp::Reverse(remainder));
    // Each stratum's remainder is under one item, so fewer items are left than there are strata.
    let left = as_count((m - given) as u64);
    for &(_, h) in remainders.iter().take(left) {
        shares[h] += 1;
    }
    Ok(shares)
}

/// Method `stratified` (SAMPLING-SPEC §5): allocates `size` items among `strata` and runs
/// `random` within each stratum on its own stream. Items come stratum by stratum, each in draw
/// order, with positions within the stratum.
pub fn select_stratified(strata: &[Stratum], size: u64, seed: &Seed) -> Result<Vec<StratifiedItem>, SamplingError> {
    let mut seen = BTreeSet::new();
    for stratum in strata {
        // Two strata with one label would share a stream and so draw the same positions.
        if !seen.insert(stratum.label.as_str()) {
            return Err(SamplingError::DuplicateStratum { label: stratum.label.clone() });
        }
    }
    let sizes: Vec<u64> = strata.iter().map(|s| s.size).collect();
    let total: u128 = sizes.iter().map(|&s| u128::from(s)).sum();
    check_size(u64::try_from(total).unwrap_or(u64::MAX), size)?;
    let shares = allocate(&sizes, size)?;
    let mut items = Vec::new();
    let mut ordinal = 0;
    for (index, (stratum, &share)) in strata.iter().zip(&shares).enumerate() {
        if share == 0 {
            continue;
        }
        let draw = RandomDraw::on_stream(stratum.size, Stream::for_stratum(seed, &stratum.label));
        for position_in_stratum in draw.take(as_count(share)) {
            ordinal += 1;
            items.push(StratifiedItem {
                ordinal,
                stratum: stratum.label.clone(),
                stratum_index: index,
                position_in_stratum,
            });
        }
    }
    Ok(items)
}

/// The quarter label of a date, `YYYY-Qn` (`2026-Q1`).
pub fn quarter_label(date: NaiveDate) -> String {
    label_of_quarter(quarter_index(date))
}

/// The month label of a date, `YYYY-MM` (`2026-03`).
pub fn month_label(date: NaiveDate) -> String {
    label_of_month(month_index(date))
}

/// Every quarter the review period touches, in chronological order, empty ones included.
pub fn quarter_labels(start: NaiveDate, end: NaiveDate) -> Result<Vec<String>, SamplingError> {
    check_period(start, end)?;
    Ok((quarter_index(start)..=quarter_index(end)).map(label_of_quarter).collect())
}

/// Every month the review period touches, in chronological order, empty ones included.
pub fn month_labels(start: NaiveDate, end: NaiveDate) -> Result<Vec<String>, SamplingError> {
    check_period(start, end)?;
    Ok((month_index(start)..=month_index(end)).map(label_of_month).collect())
}

fn check_period(start: NaiveDate, end: NaiveDate) -> Result<(), SamplingError> {
    if end < start { Err(SamplingError::PeriodReversed { start, end }) } else { Ok(()) }
}

/// Quarters counted from year 0, so that consecutive quarters are consecutive integers.
fn quarter_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 4 + i64::from(date.month0() / 3)
}

fn label_of_quarter(index: i64) -> String {
    format!("{:04}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1)
}

/// Months counted from year 0.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

fn label_of_month(index: i64) -> String {
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

/// A population split into strata: for each stratum, the population positions of its members
/// in canonical order, so that stratum position `p` is its `p`-th member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratification {
    labels: Vec<String>,
    members: Vec<Vec<u64>>,
}

impl Stratification {
    /// Strata by the value of a column: `values[i]` belongs to population position `i + 1`.
    /// Strata are the distinct values exactly as imported, in ascending order of their UTF-8
    /// bytes (which is `str`'s order).
    pub fn by_column<S: AsRef<str>>(values: &[S]) -> Stratification {
        let mut groups: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for (position, value) in (1..).zip(values) {
            groups.entry(value.as_ref()).or_default().push(position);
        }
        let (labels, members) = groups.into_iter().map(|(label, members)| (label.to_string(), members)).unzip();
        Stratification { labels, members }
    }

    /// Strata by quarter of each item's date: every quarter of the review period, empty ones
    /// included. `dates[i]` is the date of population position `i + 1`.
    pub fn by_quarter(start: NaiveDate, end: NaiveDate, dates: &[NaiveDate]) -> Result<Stratification, SamplingError> {
        Self::by_period(quarter_labels(start, end)?, quarter_label, start, end, dates)
    }

    /// Strata by month of each item's date: every month of the review period, empty ones
    /// included.
    pub fn by_month(start: NaiveDate, end: NaiveDate, dates: &[NaiveDate]) -> Result<Stratification, SamplingError> {
        Self::by_period(month_labels(start, end)?, month_label, start, end, dates)
    }

    fn by_period(
        labels: Vec<String>,
        label_of: fn(NaiveDate) -> String,
        start: NaiveDate,
        end: NaiveDate,
        dates: &[NaiveDate],
    ) -> Result<Stratification, SamplingError> {
        let index: BTreeMap<String, usize> = labels.iter().enumerate().map(|(i, label)| (label.clone(), i)).collect();
        let mut members = vec![Vec::new(); labels.len()];
        for (position, &date) in (1..).zip(dates) {
            let stratum = (start..=end)
                .contains(&date)
                .then(|| index.get(&label_of(date)))
                .flatten()
                .ok_or(SamplingError::DateOutsidePeriod { position, date, start, end })?;
            members[*stratum].push(position);
        }
        Ok(Stratification { labels, members })
    }

    /// The strata with their sizes, in order, as `select_stratified` takes them.
    pub fn strata(&self) -> Vec<Stratum> {
        self.labels
            .iter()
            .zip(&self.members)
            .map(|(label, members)| Stratum::new(label.clone(), members.len() as u64))
            .collect()
    }

    /// Draws a stratified sample of this population.
    pub fn select(&self, size: u64, seed: &Seed) -> Result<Vec<StratifiedItem>, SamplingError> {
        select_stratified(&self.strata(), size, seed)
    }

    /// Continues stratum `label`'s random draw past the `already` items it gave (SAMPLING-SPEC
    /// §3 and §5: a replacement within the stratum is the extension of that stratum's stream):
    /// the population positions of the next `count` items.
    pub fn extend_stratum(
        &self,
        label: &str,
        seed: &Seed,
        already: u64,
        count: u64,
    ) -> Result<Vec<u64>, SamplingError> {
        let index = self
            .labels
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| SamplingError::UnknownStratum { label: label.to_string() })?;
        let members = &self.members[index];
        let size = members.len() as u64;
        check_size(size, already + count)?;
        let mut draw = RandomDraw::on_stream(size, Stream::for_stratum(seed, label));
        draw.by_ref().take(as_count(already)).for_each(drop);
        Ok(draw.take(as_count(count)).map(|p| members[(p - 1) as usize]).collect())
    }

    /// The population position of a stratified item drawn from these strata.
    pub fn population_position(&self, item: &StratifiedItem) -> Option<u64> {
        let members = self.members.get(item.stratum_index)?;
        let index = usize::try_from(item.position_in_stratum.checked_sub(1)?).ok()?;
        members.get(index).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn allocation_shares_the_rest_by_largest_remainder() {
        // The spec's example: H = 4, m = 6, c = 299, 249, 409, 39 (C = 996).
        assert_eq!(allocate(&[300, 250, 410, 40], 10).unwrap(), [3, 3, 3, 1]);
        assert_eq!(allocate(&[300, 250, 410, 40], 3).unwrap(), [1, 1, 1, 0]);
        // Ties go to the earlier stratum.
        assert_eq!(allocate(&[2, 2, 2], 4).unwrap(), [2, 1, 1]);
        assert_eq!(allocate(&[0, 5, 0, 5], 3).unwrap(), [0, 2, 0, 1]);
        assert_eq!(allocate(&[1, 1, 1], 3).unwrap(), [1, 1, 1]);
        assert_eq!(allocate(&[4, 0], 0).unwrap(), [0, 0]);
    }

    #[test]
    fn allocation_refuses_more_than_the_population() {
        assert_eq!(allocate(&[3, 4], 8), Err(SamplingError::SampleLargerThanPopulation { size: 8, population: 7 }));
        assert_eq!(allocate(&[0, 0], 1), Err(SamplingError::EmptyPopulation));
    }

    #[test]
    fn period_labels_cover_every_quarter_and_month_chronologically() {
        assert_eq!(quarter_labels(date(2025, 11, 15), date(2026, 4, 1)).unwrap(), ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(month_labels(date(2025, 12, 31), date(2026, 2, 1)).unwrap(), ["2025-12", "2026-01", "2026-02"]);
        assert_eq!(quarter_label(date(2026, 3, 31)), "2026-Q1");
        assert_eq!(quarter_label(date(2026, 4, 1)), "2026-Q2");
        assert_eq!(month_label(date(2026, 3, 9)), "2026-03");
        assert!(matches!(
            quarter_labels(date(2026, 2, 1), date(2026, 1, 1)),
            Err(SamplingError::PeriodReversed { .. })
        ));
    }

    #[test]
    fn stratification_by_quarter_keeps_empty_quarters_and_canonical_order() {
        let dates = [date(2026, 5, 1), date(2026, 1, 2), date(2026, 2, 3), date(2026, 11, 30)];
        let strata = Stratification::by_quarter(date(2026, 1, 1), date(2026, 12, 31), &dates).unwrap();
        assert_eq!(
            strata.strata(),
            [
                Stratum::new("2026-Q1", 2),
                Stratum::new("2026-Q2", 1),
                Stratum::new("2026-Q3", 0),
                Stratum::new("2026-Q4", 1)
            ]
        );
        assert_eq!(strata.members, [vec![2, 3], vec![1], vec![], vec![4]]);
        let outside = [date(2026, 1, 2), date(2027, 1, 1)];
        assert_eq!(
            Stratification::by_quarter(date(2026, 1, 1), date(2026, 12, 31), &outside),
            Err(SamplingError::DateOutsidePeriod {
                position: 2,
                date: date(2027, 1, 1),
                start: date(2026, 1, 1),
                end: date(2026, 12, 31)
            })
        );
    }

    #[test]
    fn column_strata_sort_by_utf8_bytes_and_keep_values_exactly() {
        let values = ["b", "B", "ä", "a", "B ", "a"];
        let strata = Stratification::by_column(&values);
        let labels: Vec<_> = strata.strata().into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["B", "B ", "a", "b", "ä"]);
        assert_eq!(strata.members[2], [4, 6]);
    }
}
