//! Sampling: the re-performable selection of SAMPLING-SPEC v1 (`random`, `systematic`,
//! `stratified`), sample-size planning (statistical attribute sampling, the firm's frequency
//! table, a test of one) and the evaluation of deviations found.
//!
//! Nothing here reads a clock or an unseeded random source: a selection is a function of the
//! population size, the seed and the method, so anyone holding those can re-perform it.
//!
//! Numerical notes:
//! - Rates are exact decimals ([`Rate`]); `ceil(n × rate)` is integer arithmetic. In `f64`,
//!   400 × 0.035 is 14.000000000000002 and would allow 15 deviations instead of 14.
//! - Probabilities are `f64`, computed to about 1e-13 relative (see `cdf.rs` for why not statrs'
//!   cdfs). A probability within 1e-11 relative of the risk it is compared with counts as an exact
//!   tie, which is real for small populations; the closest call in the AICPA tables is 2.9e-4
//!   relative away, so no published cell is near that tolerance.

mod cdf;
mod evaluate;
mod plan;
mod rate;
mod select;
mod stream;

use crate::engagement::Frequency;

pub use evaluate::{Evaluation, TenthsOfPercent, evaluate};
pub use plan::{
    Distribution, FrequencyTable, IMPRACTICAL_ABOVE, MAX_PLANNED_SIZE, OccurrenceBands, Plan, Risk, SizeRange,
    plan_attribute,
};
pub use rate::{Rate, RateKind, percent_of_decimal};
pub use select::{
    Method, RandomDraw, Stratification, StratifiedItem, Stratum, allocate, extend_random, month_label, month_labels,
    quarter_label, quarter_labels, select_random, select_stratified, select_systematic,
};
pub use stream::{Seed, Stream, derive_key};

/// The selection rules this module implements; recorded with every sample.
pub const SPEC_VERSION: &str = "tickmark-sample-v1";

/// Why a sampling request was refused. Messages are sentences an auditor can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamplingError {
    #[error("the seed is empty: give 1 to 128 characters")]
    EmptySeed,
    #[error("the seed is {chars} characters; at most 128 are allowed")]
    SeedTooLong { chars: usize },
    #[error("the population is empty: there is nothing to sample")]
    EmptyPopulation,
    #[error("the sample size must be at least 1")]
    ZeroSampleSize,
    #[error("sample size {size} is larger than the population ({population} items)")]
    SampleLargerThanPopulation { size: u64, population: u64 },
    #[error("the sample already has {already} items: extending it to {requested} would not add any")]
    ExtensionNotLarger { already: u64, requested: u64 },
    #[error(
        "a {method} sample cannot be extended: {spec} defines extension only for method random; draw a new {method} sample instead",
        spec = SPEC_VERSION
    )]
    ExtensionNotDefined { method: Method },
    #[error("there is no stratum {label:?} in this population")]
    UnknownStratum { label: String },
    #[error("stratum {label:?} appears more than once: each stratum needs its own label")]
    DuplicateStratum { label: String },
    #[error("the review period ends on {end} before it starts on {start}")]
    PeriodReversed { start: chrono::NaiveDate, end: chrono::NaiveDate },
    #[error("item {position} is dated {date}, outside the review period {start} to {end}: it belongs to no stratum")]
    DateOutsidePeriod { position: u64, date: chrono::NaiveDate, start: chrono::NaiveDate, end: chrono::NaiveDate },
    #[error("the {kind} {text:?} is not a rate: write a decimal such as 0.05 or a percentage such as 5%")]
    NotARate { kind: RateKind, text: String },
    #[error("the {kind} ({text}) must be {}", kind.range_in_words())]
    RateOutOfRange { kind: RateKind, text: String },
    #[error("the {kind} {text:?} has more than 18 decimal places")]
    RateTooPrecise { kind: RateKind, text: String },
    #[error(
        "the expected deviation rate ({expected}) must be below the tolerable rate ({tolerable}): no sample size exists"
    )]
    ExpectedNotBelowTolerable { expected: String, tolerable: String },
    #[error(
        "no sample size up to {limit} items reaches the planned confidence: lower the expected deviation rate or raise the tolerable rate"
    )]
    NoPracticalSize { limit: u64 },
    #[error("the hypergeometric distribution needs the population size")]
    PopulationSizeRequired,
    #[error("unknown distribution {0:?}: expected binomial, poisson or hypergeometric")]
    UnknownDistribution(String),
    #[error("unknown sampling method {0:?}: expected random, systematic or stratified")]
    UnknownMethod(String),
    #[error("unknown risk {0:?}: expected lower or higher")]
    UnknownRisk(String),
    #[error("{deviations} deviations cannot be found in a sample of {sample_size} items")]
    DeviationsExceedSample { deviations: u64, sample_size: u64 },
    #[error(
        "{frequency} controls have no row in the frequency table: their sample size comes from the population of events"
    )]
    NoFrequencyRow { frequency: Frequency },
    #[error(
        "the frequency table gives {frequency} controls {lower} to {higher} items: the range must start at 1 or more and not run backwards"
    )]
    InvalidSizeRange { frequency: Frequency, lower: u64, higher: u64 },
    #[error("a test of one needs a written rationale (why one item is enough for this automated control)")]
    MissingRationale,
}
