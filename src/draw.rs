//! Applying SAMPLING-SPEC v1 to a population: the one place that turns a request (method,
//! size, seed, strata) and a population's size, dates or column values into the selected
//! positions. `sample`, the stateless `select` and `verify` all come through here, so a
//! stored sample and its re-performance cannot drift apart.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::engagement::Period;
use crate::sampling::{Method, Seed, Stratification, extend_random, select_random, select_systematic};
use crate::{Error, Result};

/// How a stratified sample's strata are formed (SAMPLING-SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "column", rename_all = "lowercase")]
pub enum StrataBy {
    Quarter,
    Month,
    Column(String),
}

impl fmt::Display for StrataBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StrataBy::Quarter => f.write_str("quarter"),
            StrataBy::Month => f.write_str("month"),
            StrataBy::Column(c) => write!(f, "column:{c}"),
        }
    }
}

impl FromStr for StrataBy {
    type Err = Error;

    fn from_str(s: &str) -> Result<StrataBy> {
        match s.trim() {
            "quarter" => Ok(StrataBy::Quarter),
            "month" => Ok(StrataBy::Month),
            other => match other.strip_prefix("column:") {
                Some(c) if !c.trim().is_empty() => Ok(StrataBy::Column(c.to_string())),
                _ => Err(Error::invalid(format!("unknown strata {s:?}: expected quarter, month or column:NAME"))),
            },
        }
    }
}

/// What a stratification needs to know of each item, in position order.
#[derive(Debug, Clone)]
pub enum StrataValues {
    /// Quarters (or months, with `monthly`) of the review period, by each item's date.
    Dates {
        monthly: bool,
        period: Period,
        dates: Vec<Option<NaiveDate>>,
    },
    Column(Vec<String>),
}

/// One selected item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selected {
    pub ordinal: u64,
    pub position: u64,
    pub stratum: Option<String>,
}

/// Selects `size` items of a population of `population` items.
pub fn select(
    method: Method,
    population: u64,
    size: u64,
    seed: &Seed,
    strata: Option<StrataValues>,
) -> Result<Vec<Selected>> {
    let plain = |positions: Vec<u64>| {
        positions
            .into_iter()
            .zip(1..)
            .map(|(position, ordinal)| Selected { ordinal, position, stratum: None })
            .collect()
    };
    match method {
        Method::Random => Ok(plain(select_random(population, size, seed)?)),
        Method::Systematic => Ok(plain(select_systematic(population, size, seed)?)),
        Method::Stratified => {
            let values = strata
                .ok_or_else(|| Error::invalid("a stratified sample needs --strata quarter, month or column:NAME"))?;
            let stratification = stratify(values)?;
            let items = stratification.select(size, seed)?;
            items
                .iter()
                .map(|item| {
                    let position = stratification
                        .population_position(item)
                        .ok_or_else(|| Error::invalid("a stratified item fell outside its stratum"))?;
                    Ok(Selected { ordinal: item.ordinal, position, stratum: Some(item.stratum.clone()) })
                })
                .collect()
        }
    }
}

/// The items that extend a `random` sample of `already` items to `new_size` (ordinals
/// `already + 1 ..= new_size`; the first `already` never change).
pub fn extend(method: Method, population: u64, seed: &Seed, already: u64, new_size: u64) -> Result<Vec<Selected>> {
    method.check_extensible()?;
    let added = extend_random(population, seed, already, new_size)?;
    Ok(added
        .into_iter()
        .zip(already + 1..)
        .map(|(position, ordinal)| Selected { ordinal, position, stratum: None })
        .collect())
}

/// The replacement of a voided item (SAMPLING-SPEC §3): the next item of the same stream.
/// `listed` is the number of items the sample lists (the replacement takes ordinal
/// `listed + 1`); for a stratified sample, `stratum` is the voided item's stratum and
/// `already_in_stratum` the items that stratum has given so far.
pub fn replacement(
    method: Method,
    population: u64,
    seed: &Seed,
    listed: u64,
    stratum: Option<(&str, u64, StrataValues)>,
) -> Result<Selected> {
    let ordinal = listed + 1;
    match (method, stratum) {
        (Method::Random, _) => {
            let position = extend_random(population, seed, listed, ordinal)?[0];
            Ok(Selected { ordinal, position, stratum: None })
        }
        (Method::Stratified, Some((label, already, values))) => {
            let position = stratify(values)?.extend_stratum(label, seed, already, 1)?[0];
            Ok(Selected { ordinal, position, stratum: Some(label.to_string()) })
        }
        (Method::Stratified, None) => Err(Error::invalid("a stratified item's replacement needs its stratum")),
        (Method::Systematic, _) => Err(Error::invalid(
            "a systematic sample has no replacement rule (SAMPLING-SPEC §3): to set an item aside, draw the sample again with --replace REASON",
        )),
    }
}

/// What followed the first draw of a sample, in ordinal order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Later {
    /// An extension item (random samples).
    Extension,
    /// The replacement of a voided item, in that item's stratum for a stratified sample.
    Replacement { stratum: Option<String> },
}

/// Re-performs a sample: the first `initial` items, then each later item as an extension or a
/// replacement, exactly as they were drawn.
pub fn reperform(
    method: Method,
    population: u64,
    seed: &Seed,
    initial: u64,
    strata: Option<StrataValues>,
    later: &[Later],
) -> Result<Vec<Selected>> {
    if method != Method::Stratified {
        if method == Method::Systematic && !later.is_empty() {
            return Err(Error::invalid(
                "a systematic sample records items after its first draw, which the spec does not define",
            ));
        }
        // Extensions and replacements of a random sample both continue its one stream.
        return select(method, population, initial + later.len() as u64, seed, None);
    }
    let values = strata.ok_or_else(|| Error::invalid("a stratified sample needs its strata to be re-performed"))?;
    let stratification = stratify(values)?;
    let items = stratification.select(initial, seed)?;
    let mut out = Vec::with_capacity(items.len() + later.len());
    let mut per_stratum: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for item in &items {
        let position = stratification
            .population_position(item)
            .ok_or_else(|| Error::invalid("a stratified item fell outside its stratum"))?;
        *per_stratum.entry(item.stratum.clone()).or_default() += 1;
        out.push(Selected { ordinal: item.ordinal, position, stratum: Some(item.stratum.clone()) });
    }
    for step in later {
        let Later::Replacement { stratum: Some(label) } = step else {
            return Err(Error::invalid("a stratified sample is only ever added to by replacements within a stratum"));
        };
        let already = per_stratum.entry(label.clone()).or_default();
        let position = stratification.extend_stratum(label, seed, *already, 1)?[0];
        *already += 1;
        out.push(Selected { ordinal: out.len() as u64 + 1, position, stratum: Some(label.clone()) });
    }
    Ok(out)
}

fn stratify(values: StrataValues) -> Result<Stratification> {
    match values {
        StrataValues::Column(values) => Ok(Stratification::by_column(&values)),
        StrataValues::Dates { monthly, period, dates } => {
            let mut known = Vec::with_capacity(dates.len());
            for (i, d) in dates.into_iter().enumerate() {
                known.push(d.ok_or_else(|| {
                    Error::invalid(format!(
                        "item {} has no readable date, so it belongs to no quarter or month; stratify by a column instead, or fix the date column",
                        i + 1
                    ))
                })?);
            }
            let by = if monthly { Stratification::by_month } else { Stratification::by_quarter };
            Ok(by(period.start, period.end, &known)?)
        }
    }
}
