//! Sample-size planning: statistical attribute sampling as the AICPA Audit Sampling Guide
//! tabulates it, the firm's frequency table for non-statistical samples, and a test of one for
//! automated controls.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use super::cdf::{below, binomial_cdf, hypergeometric_cdf, poisson_cdf};
use super::{Rate, RateKind, SamplingError};
use crate::engagement::Frequency;

/// Sizes searched at most before a plan reports that no practical size exists.
pub const MAX_PLANNED_SIZE: u64 = 10_000;

/// Above this size a plan is flagged `impractical`: the AICPA guide prints `*` ("sample size is
/// too large to be cost-effective for most audit applications") instead of such sizes. The cut-off
/// is read from the guide's Tables A-1 and A-2 (`tests/data/`): the largest size printed is 1,936
/// and the smallest size behind a `*` (computed by this module's rule) is 2,057 in A-1 and 2,079
/// in A-2, so any cut-off in 1,936..2,057 reproduces the tables; the round 2,000 is taken.
pub const IMPRACTICAL_ABOVE: u64 = 2_000;

/// The probability model of the number of deviations in a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distribution {
    /// Sampling with replacement, or from a population large enough for it not to matter: the
    /// model of the AICPA tables.
    Binomial,
    /// The Poisson approximation to the binomial (λ = n × rate); slightly larger sizes.
    Poisson,
    /// Sampling without replacement from a population of known size: smaller sizes for small
    /// populations, the binomial ones as the population grows.
    Hypergeometric { population: u64 },
}

impl Distribution {
    pub fn name(self) -> &'static str {
        match self {
            Distribution::Binomial => "binomial",
            Distribution::Poisson => "poisson",
            Distribution::Hypergeometric { .. } => "hypergeometric",
        }
    }

    /// From the CLI's `--distribution NAME [--population-size N]`. The population size is
    /// needed by the hypergeometric model only and ignored by the others.
    pub fn from_name(name: &str, population: Option<u64>) -> Result<Distribution, SamplingError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "binomial" => Ok(Distribution::Binomial),
            "poisson" => Ok(Distribution::Poisson),
            "hypergeometric" => population
                .map(|population| Distribution::Hypergeometric { population })
                .ok_or(SamplingError::PopulationSizeRequired),
            _ => Err(SamplingError::UnknownDistribution(name.to_string())),
        }
    }

    /// The probability of at most `k` deviations in a sample of `n`, when the population's
    /// deviation rate is `rate`.
    fn lower_tail(self, rate: Rate) -> impl Fn(u64, u64) -> f64 {
        let (p, q) = (rate.to_f64(), rate.complement_f64());
        // K = ceil(rate × N): the fewest deviations a population at the rate can hold.
        let deviations = match self {
            Distribution::Hypergeometric { population } => rate.ceil_mul(population),
            _ => 0,
        };
        move |k, n| match self {
            Distribution::Binomial => binomial_cdf(k, n, p, q),
            Distribution::Poisson => poisson_cdf(k, n as f64 * p),
            Distribution::Hypergeometric { population } => hypergeometric_cdf(k, population, deviations, n),
        }
    }

    fn in_words(self) -> String {
        match self {
            Distribution::Binomial => "Binomial attribute sampling".to_string(),
            Distribution::Poisson => "Poisson attribute sampling".to_string(),
            Distribution::Hypergeometric { population } => {
                format!("Hypergeometric attribute sampling (population of {population} items)")
            }
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Distribution {
    /// As its name, as the CLI's JSON shows it.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A planned sample size and the words that justify it in the workpaper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// `None` when no size reaches the planned confidence: the expected rate is not below the
    /// tolerable rate, or no size up to [`MAX_PLANNED_SIZE`] (or the population) does.
    pub sample_size: Option<u64>,
    /// Deviations the sample may contain and still support the planned reliance:
    /// `ceil(sample_size × expected rate)`; 0 for non-statistical plans and when there is no size.
    pub allowed_deviations: u64,
    /// The model of a statistical plan; `None` for the frequency table and a test of one.
    pub distribution: Option<Distribution>,
    /// Larger than [`IMPRACTICAL_ABOVE`], or no size at all: the guide's `*`.
    pub impractical: bool,
    /// One sentence for the workpaper.
    pub basis: String,
    /// Why there is no size; set exactly when `sample_size` is `None`.
    #[serde(skip)]
    shortfall: Option<SamplingError>,
}

impl Plan {
    /// The planned size, or why there is none, for a caller that cannot go on without one
    /// (planning itself reports a missing size as `sample_size: None`, not as an error).
    pub fn required_size(&self) -> Result<u64, SamplingError> {
        match (&self.shortfall, self.sample_size) {
            (Some(reason), _) => Err(reason.clone()),
            (None, Some(size)) => Ok(size),
            // Unreachable: every constructor sets one or the other.
            (None, None) => Err(SamplingError::NoPracticalSize { limit: MAX_PLANNED_SIZE }),
        }
    }

    /// A test of one item, for an automated control whose configuration has been tested and
    /// whose change management is effective. The rationale is recorded in the basis.
    pub fn test_of_one(rationale: &str) -> Result<Plan, SamplingError> {
        let rationale = rationale.trim();
        if rationale.is_empty() {
            return Err(SamplingError::MissingRationale);
        }
        Ok(Plan {
            sample_size: Some(1),
            allowed_deviations: 0,
            distribution: None,
            impractical: false,
            basis: format!("Test of one for an automated control: {rationale}"),
            shortfall: None,
        })
    }
}

/// Statistical attribute sample size: the smallest `n` for which finding `k = ceil(n × expected)`
/// deviations would still leave the risk that the population's rate reaches the tolerable rate
/// below the risk of overreliance:
///
/// `P(X ≤ k | n, tolerable) < 1 − confidence`
///
/// with X binomial, Poisson (λ = n × tolerable) or hypergeometric (K = ceil(tolerable × N)
/// deviations among N). This is the rule behind the AICPA Audit Sampling Guide's Tables A-1 and
/// 5% tolerable at 95% confidence gives 59 with no deviation expected and 93 allowing one;
/// `tests/sampling.rs` checks every published cell (two cells of Table A-2 are errata of the
/// guide, see there). The inequality is strict, so an exact tie — real for small populations
/// under the hypergeometric model — needs one more item; with `≤` no table cell would change.
///
/// Expected ≥ tolerable is not an error: the plan has no size (`sample_size: None`).
pub fn plan_attribute(
    confidence: Rate,
    tolerable: Rate,
    expected: Rate,
    distribution: Distribution,
) -> Result<Plan, SamplingError> {
    let confidence = confidence.require(RateKind::Confidence)?;
    let tolerable = tolerable.require(RateKind::Tolerable)?;
    let limit = match distribution {
        Distribution::Hypergeometric { population: 0 } => {
            return Err(SamplingError::EmptyPopulation);
        }
        Distribution::Hypergeometric { population } => population.min(MAX_PLANNED_SIZE),
        _ => MAX_PLANNED_SIZE,
    };
    let terms = format!(
        "{}: {} confidence, {} tolerable deviation rate, {} expected deviation rate",
        distribution.in_words(),
        confidence.percent(),
        tolerable.percent(),
        expected.percent()
    );
    let no_size = |why: String, shortfall: SamplingError| Plan {
        sample_size: None,
        allowed_deviations: 0,
        distribution: Some(distribution),
        impractical: true,
        basis: format!("{terms}; {why}."),
        shortfall: Some(shortfall),
    };
    if expected >= tolerable {
        return Ok(no_size(
            "no sample size exists because the expected deviation rate is not below the tolerable rate".to_string(),
            SamplingError::ExpectedNotBelowTolerable { expected: expected.percent(), tolerable: tolerable.percent() },
        ));
    }
    let risk = confidence.complement_f64();
    let lower_tail = distribution.lower_tail(tolerable);
    let Some((size, allowed)) = smallest_size(expected, limit, |k, n| below(lower_tail(k, n), risk)) else {
        let within = match distribution {
            Distribution::Hypergeometric { population } if population <= MAX_PLANNED_SIZE => {
                format!("not even testing all {population} items")
            }
            _ => format!("no sample of up to {limit} items"),
        };
        return Ok(no_size(
            format!("{within} reaches {} confidence", confidence.percent()),
            SamplingError::NoPracticalSize { limit },
        ));
    };
    let allowance = match allowed {
        0 => "no deviation allowed".to_string(),
        1 => "up to 1 deviation allowed".to_string(),
        k => format!("up to {k} deviations allowed"),
    };
    let impractical = size > IMPRACTICAL_ABOVE;
    let caution = if impractical {
        " A sample this large is seldom cost-effective: the AICPA guide prints no size above 2,000."
    } else {
        ""
    };
    Ok(Plan {
        sample_size: Some(size),
        allowed_deviations: allowed,
        distribution: Some(distribution),
        impractical,
        basis: format!("{terms}; {allowance}.{caution}"),
        shortfall: None,
    })
}

/// The smallest `n ≤ limit` with `accepts(k, n)`, where `k = ceil(n × expected)`, and its `k`.
///
/// Sizes come in runs that share one `k`: `(k-1)/e < n ≤ k/e`. Within a run the lower tail
/// falls as `n` grows, so a run succeeds iff its last size does, and then its first success is
/// found by bisection. Runs are visited in order of `k`, so the first success is the smallest
/// size overall; each visit costs one tail evaluation.
fn smallest_size(expected: Rate, limit: u64, accepts: impl Fn(u64, u64) -> bool) -> Option<(u64, u64)> {
    // A sample cannot allow as many deviations as it has items.
    let passes = |k: u64, n: u64| k < n && accepts(k, n);
    let (numerator, denominator) = expected.fraction();
    if numerator == 0 {
        // k = 0 for every size: a single run.
        return passes(0, limit).then(|| (first_true(1, limit, |n| passes(0, n)), 0));
    }
    for k in 1u64.. {
        let first = u64::try_from(u128::from(k - 1) * denominator / numerator).ok()? + 1;
        if first > limit {
            return None;
        }
        let last = u64::try_from(u128::from(k) * denominator / numerator).unwrap_or(u64::MAX).min(limit);
        if first <= last && passes(k, last) {
            return Some((first_true(first, last, |n| passes(k, n)), k));
        }
    }
    None
}

/// The first `n` in `lo..=hi` with `holds(n)`, given `holds(hi)` and that `holds` never turns
/// false again once true.
fn first_true(mut lo: u64, mut hi: u64, holds: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

/// The assessed risk that a control fails, which picks an end of the frequency table's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Lower,
    Higher,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Lower => "lower",
            Risk::Higher => "higher",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Risk {
    type Err = SamplingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lower" => Ok(Risk::Lower),
            "higher" => Ok(Risk::Higher),
            _ => Err(SamplingError::UnknownRisk(s.to_string())),
        }
    }
}

/// A row of the frequency table: sample sizes for a lower and a higher risk of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SizeRange {
    pub lower: u64,
    pub higher: u64,
}

impl SizeRange {
    pub const fn new(lower: u64, higher: u64) -> SizeRange {
        SizeRange { lower, higher }
    }
}

/// The firm's non-statistical sample sizes by control frequency, editable per engagement.
/// Event-driven controls have no row: their size depends on the number of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<Frequency, SizeRange>", into = "BTreeMap<Frequency, SizeRange>")]
pub struct FrequencyTable {
    rows: BTreeMap<Frequency, SizeRange>,
}

impl FrequencyTable {
    /// The default firm table: annual 1; quarterly 2; monthly 2–5; weekly 5–15; daily 20–40;
    /// multiple times a day 25–60.
    pub fn firm_default() -> FrequencyTable {
        let rows = [
            (Frequency::Annual, SizeRange::new(1, 1)),
            (Frequency::Quarterly, SizeRange::new(2, 2)),
            (Frequency::Monthly, SizeRange::new(2, 5)),
            (Frequency::Weekly, SizeRange::new(5, 15)),
            (Frequency::Daily, SizeRange::new(20, 40)),
            (Frequency::MultipleDaily, SizeRange::new(25, 60)),
        ];
        FrequencyTable { rows: rows.into_iter().collect() }
    }

    /// A table from edited rows. Refuses a row for event-driven controls and ranges that start
    /// at 0 or run backwards. Frequencies left out have no size.
    pub fn new(rows: impl IntoIterator<Item = (Frequency, SizeRange)>) -> Result<FrequencyTable, SamplingError> {
        let mut table = BTreeMap::new();
        for (frequency, range) in rows {
            if frequency == Frequency::EventDriven {
                return Err(SamplingError::NoFrequencyRow { frequency });
            }
            if range.lower == 0 || range.lower > range.higher {
                return Err(SamplingError::InvalidSizeRange { frequency, lower: range.lower, higher: range.higher });
            }
            table.insert(frequency, range);
        }
        Ok(FrequencyTable { rows: table })
    }

    /// The rows in frequency order.
    pub fn rows(&self) -> impl Iterator<Item = (Frequency, SizeRange)> + '_ {
        self.rows.iter().map(|(&frequency, &range)| (frequency, range))
    }

    pub fn range(&self, frequency: Frequency) -> Result<SizeRange, SamplingError> {
        self.rows.get(&frequency).copied().ok_or(SamplingError::NoFrequencyRow { frequency })
    }

    /// The size for a frequency: the lower end of the range for a lower risk of failure, the
    /// higher end for a higher one.
    pub fn size(&self, frequency: Frequency, risk: Risk) -> Result<u64, SamplingError> {
        let range = self.range(frequency)?;
        Ok(match risk {
            Risk::Lower => range.lower,
            Risk::Higher => range.higher,
        })
    }

    /// A non-statistical plan from the table.
    pub fn plan(&self, frequency: Frequency, risk: Risk) -> Result<Plan, SamplingError> {
        let range = self.range(frequency)?;
        let size = self.size(frequency, risk)?;
        let range_words = if range.lower == range.higher {
            format!("{}", range.lower)
        } else {
            format!("{}–{}", range.lower, range.higher)
        };
        let items = if size == 1 { "item" } else { "items" };
        Ok(Plan {
            sample_size: Some(size),
            allowed_deviations: 0,
            distribution: None,
            impractical: false,
            basis: format!(
                "Firm frequency table: {frequency} control, {risk} risk of failure; {size} {items} (table range {range_words}); no deviation expected."
            ),
            shortfall: None,
        })
    }
}

/// Which row of the frequency table an event-driven control uses, by the number of
/// occurrences in its frame: the least occurrences for each row, most frequent row first.
/// Editable per engagement; printed in the basis of every sample that used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<(Frequency, u64)>", into = "Vec<(Frequency, u64)>")]
pub struct OccurrenceBands {
    bands: Vec<(Frequency, u64)>,
}

impl OccurrenceBands {
    /// ≥ 366 multiple times a day, 53–365 daily, 13–52 weekly, 5–12 monthly, 2–4 quarterly,
    /// 1 annual.
    pub fn firm_default() -> OccurrenceBands {
        OccurrenceBands {
            bands: vec![
                (Frequency::MultipleDaily, 366),
                (Frequency::Daily, 53),
                (Frequency::Weekly, 13),
                (Frequency::Monthly, 5),
                (Frequency::Quarterly, 2),
                (Frequency::Annual, 1),
            ],
        }
    }

    /// From the least occurrences of each row, most frequent first:
    /// multiple-daily, daily, weekly, monthly, quarterly (annual takes the rest from 1),
    /// e.g. `366,53,13,5,2`. Each must be below the one before and above 1.
    pub fn parse(text: &str) -> Result<OccurrenceBands, String> {
        let rows =
            [Frequency::MultipleDaily, Frequency::Daily, Frequency::Weekly, Frequency::Monthly, Frequency::Quarterly];
        let numbers: Vec<u64> = text
            .split(',')
            .map(|n| n.trim().parse::<u64>().map_err(|_| format!("{n:?} is not a number of occurrences")))
            .collect::<Result<_, _>>()?;
        if numbers.len() != rows.len() {
            return Err(format!(
                "give the least occurrences of the multiple-daily, daily, weekly, monthly and quarterly rows, e.g. 366,53,13,5,2 (got {} numbers)",
                numbers.len()
            ));
        }
        let mut bands: Vec<(Frequency, u64)> = rows.into_iter().zip(numbers).collect();
        bands.push((Frequency::Annual, 1));
        OccurrenceBands::try_from(bands)
    }

    /// The row for a control that occurred `occurrences` times in the period.
    pub fn row_for(&self, occurrences: u64) -> Result<Frequency, SamplingError> {
        if occurrences == 0 {
            return Err(SamplingError::EmptyPopulation);
        }
        Ok(self.bands.iter().find(|(_, least)| occurrences >= *least).map(|(f, _)| *f).unwrap_or(Frequency::Annual))
    }

    pub fn bands(&self) -> &[(Frequency, u64)] {
        &self.bands
    }
}

impl fmt::Display for OccurrenceBands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut above: Option<u64> = None;
        let parts: Vec<String> = self
            .bands
            .iter()
            .map(|&(row, least)| {
                let text = match above {
                    None => format!("≥ {least} → {row}"),
                    Some(next) if next - 1 == least => format!("{least} → {row}"),
                    Some(next) => format!("{least}–{} → {row}", next - 1),
                };
                above = Some(least);
                text
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

impl Default for OccurrenceBands {
    fn default() -> OccurrenceBands {
        OccurrenceBands::firm_default()
    }
}

impl TryFrom<Vec<(Frequency, u64)>> for OccurrenceBands {
    type Error = String;

    fn try_from(bands: Vec<(Frequency, u64)>) -> Result<Self, Self::Error> {
        let descending = bands.windows(2).all(|w| w[0].1 > w[1].1);
        if bands.is_empty() || !descending || bands.last().map(|b| b.1) != Some(1) {
            return Err("the occurrence bands must fall from the most frequent row to annual at 1".to_string());
        }
        Ok(OccurrenceBands { bands })
    }
}

impl From<OccurrenceBands> for Vec<(Frequency, u64)> {
    fn from(b: OccurrenceBands) -> Self {
        b.bands
    }
}

impl Plan {
    /// The same plan with another sentence for the workpaper.
    pub fn with_basis(self, basis: String) -> Plan {
        Plan { basis, ..self }
    }

    /// A size the auditor judged (non-statistical), with the sentence that says why.
    pub fn judgemental(basis: &str) -> Plan {
        Plan {
            sample_size: None,
            allowed_deviations: 0,
            distribution: None,
            impractical: false,
            basis: basis.to_string(),
            shortfall: None,
        }
    }
}

impl Default for FrequencyTable {
    fn default() -> FrequencyTable {
        FrequencyTable::firm_default()
    }
}

impl TryFrom<BTreeMap<Frequency, SizeRange>> for FrequencyTable {
    type Error = SamplingError;

    fn try_from(rows: BTreeMap<Frequency, SizeRange>) -> Result<Self, Self::Error> {
        FrequencyTable::new(rows)
    }
}

impl From<FrequencyTable> for BTreeMap<Frequency, SizeRange> {
    fn from(table: FrequencyTable) -> Self {
        table.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_true_finds_the_boundary() {
        assert_eq!(first_true(1, 100, |n| n >= 37), 37);
        assert_eq!(first_true(5, 5, |_| true), 5);
        assert_eq!(first_true(1, 100, |n| n >= 1), 1);
    }

    #[test]
    fn runs_share_one_allowed_count() {
        // e = 1%: sizes 1..=100 allow 1 deviation, 101..=200 allow 2.
        let e = Rate::expected("0.01").unwrap();
        assert_eq!(smallest_size(e, 10_000, |k, n| k == 2 && n >= 150), Some((150, 2)));
        assert_eq!(smallest_size(e, 10_000, |k, _| k == 1), Some((2, 1)));
        assert_eq!(smallest_size(e, 120, |k, _| k == 3), None);
    }

    #[test]
    fn event_driven_controls_take_the_row_their_occurrences_fall_in() {
        let b = OccurrenceBands::firm_default();
        for (n, row) in [
            (366, Frequency::MultipleDaily),
            (365, Frequency::Daily),
            (53, Frequency::Daily),
            (52, Frequency::Weekly),
            (13, Frequency::Weekly),
            (12, Frequency::Monthly),
            (5, Frequency::Monthly),
            (4, Frequency::Quarterly),
            (2, Frequency::Quarterly),
            (1, Frequency::Annual),
        ] {
            assert_eq!(b.row_for(n), Ok(row), "{n} occurrences");
        }
        assert!(b.row_for(0).is_err());
        assert_eq!(
            b.to_string(),
            "≥ 366 → multiple-daily, 53–365 → daily, 13–52 → weekly, 5–12 → monthly, 2–4 → quarterly, 1 → annual"
        );
        assert_eq!(OccurrenceBands::parse("366,53,13,5,2").unwrap(), b);
        assert!(OccurrenceBands::parse("366,53,60,5,2").is_err());
        assert!(OccurrenceBands::parse("366,53").is_err());
    }
}
