//! Evaluation of a tested sample: the deviation rate and the one-sided upper deviation limit at
//! the planned confidence, compared with the tolerable rate.

use std::fmt;

use serde::{Serialize, Serializer};

use super::cdf::{above, binomial_cdf, hypergeometric_cdf, poisson_cdf};
use super::{Distribution, Rate, RateKind, SamplingError};

/// A rate rounded up to a tenth of a percent, as the guide's Tables print it:
/// `TenthsOfPercent(46)` is 4.6%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TenthsOfPercent(pub u32);

impl fmt::Display for TenthsOfPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}%", self.0 / 10, self.0 % 10)
    }
}

impl Serialize for TenthsOfPercent {
    /// As the printed percentage, `"4.6%"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a tested sample says about the population's deviation rate.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub sample_size: u64,
    pub deviations: u64,
    /// deviations / sample size.
    pub deviation_rate: f64,
    /// The exact one-sided upper limit, unrounded (see [`evaluate`] for each model's definition).
    pub upper_deviation_limit: f64,
    /// The upper limit rounded up to 0.1%, decided on the exact limit (not on the `f64` above).
    pub upper_deviation_limit_display: TenthsOfPercent,
    /// Whether a population rate at or above the tolerable rate is still plausible; `None`
    /// when no tolerable rate was given.
    pub exceeds_tolerable: Option<bool>,
}

/// Display values are tenths of a percent: 0..=1000.
const TENTHS_IN_ONE: u32 = 1000;

/// Evaluates `deviations` found in a sample of `sample_size` at `confidence`.
///
/// The upper deviation limit, with risk = 1 − confidence:
/// - binomial: the Clopper–Pearson bound, the rate `p` with `P(X ≤ k | n, p) = risk` (100% when
///   every item deviates). This is what the AICPA guide's Tables print, rounded up.
/// - Poisson: `λ / n` for the `λ` with `P(X ≤ k | λ) = risk`, capped at 100%.
/// - hypergeometric: `K / N` for the smallest number `K` of deviations in the population that
///   the sample rules out, `P(X ≤ k | N, K, n) ≤ risk` (100% if none is ruled out). Every count
///   below `K` remains plausible, so the population rate is below `K / N` at the confidence.
///
/// `exceeds_tolerable` asks whether a population rate at or above the tolerable rate is still
/// plausible: `P(X ≤ k | tolerable) > risk` (binomial, Poisson), or `K − 1 ≥ tolerable × N`
/// (hypergeometric). For the binomial and Poisson limits that is the same as
/// `upper_deviation_limit > tolerable`, decided without comparing floats.
pub fn evaluate(
    sample_size: u64,
    deviations: u64,
    confidence: Rate,
    tolerable: Option<Rate>,
    distribution: Distribution,
) -> Result<Evaluation, SamplingError> {
    let confidence = confidence.require(RateKind::Confidence)?;
    let tolerable = tolerable.map(|rate| rate.require(RateKind::Tolerable)).transpose()?;
    let (n, k) = (sample_size, deviations);
    if n == 0 {
        return Err(SamplingError::ZeroSampleSize);
    }
    if k > n {
        return Err(SamplingError::DeviationsExceedSample { deviations: k, sample_size: n });
    }
    let risk = confidence.complement_f64();
    let (upper, display, exceeds) = match distribution {
        Distribution::Binomial => binomial_limit(k, n, risk, tolerable),
        Distribution::Poisson => poisson_limit(k, n, risk, tolerable),
        Distribution::Hypergeometric { population } => {
            if population == 0 {
                return Err(SamplingError::EmptyPopulation);
            }
            if n > population {
                return Err(SamplingError::SampleLargerThanPopulation { size: n, population });
            }
            hypergeometric_limit(k, n, population, risk, tolerable)
        }
    };
    Ok(Evaluation {
        sample_size: n,
        deviations: k,
        deviation_rate: k as f64 / n as f64,
        upper_deviation_limit: upper,
        upper_deviation_limit_display: display,
        exceeds_tolerable: exceeds,
    })
}

/// The root of a decreasing `tail` on `[lo, hi]` where `tail(lo) > risk ≥ tail(hi)`, to the
/// resolution of `f64`.
fn solve_decreasing(mut lo: f64, mut hi: f64, risk: f64, tail: impl Fn(f64) -> f64) -> f64 {
    // 2000 halvings are far more than the ~1100 needed to exhaust f64 from any bracket in [0, 1e6].
    for _ in 0..2000 {
        let mid = lo + (hi - lo) / 2.0;
        // Stop once the midpoint is one of the ends: no float lies strictly between them.
        if mid <= lo || mid >= hi {
            break;
        }
        if tail(mid) > risk {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo + (hi - lo) / 2.0
}

/// The display value: the smallest `m` tenths of a percent whose edge `m / 1000` is at or above
/// the exact limit, as `limit_at_most(m)` tells from the tail probability at that edge. Deciding
/// at the edge keeps f64 noise in the solved limit (0.0450000001 for an exact 4.5%) from moving a
/// value across it: the tail is computed to ~1e-13, while the nearest a table cell's limit comes
/// to an edge is 9.4e-7 in rate (Table A-4, n = 55, no deviation: 4.100094%), which moves the tail
/// by about 5e-6. `guess` is the solved limit; the answer is within a step of `ceil(guess × 1000)`.
fn round_up_at_edges(guess: f64, limit_at_most: impl Fn(u32) -> bool) -> TenthsOfPercent {
    let mut m = ((guess * 1000.0).ceil().clamp(0.0, 1000.0)) as u32;
    while m > 0 && limit_at_most(m - 1) {
        m -= 1;
    }
    while m < TENTHS_IN_ONE && !limit_at_most(m) {
        m += 1;
    }
    TenthsOfPercent(m)
}

type Limit = (f64, TenthsOfPercent, Option<bool>);

fn binomial_limit(k: u64, n: u64, risk: f64, tolerable: Option<Rate>) -> Limit {
    let exceeds = tolerable.map(|t| above(binomial_cdf(k, n, t.to_f64(), t.complement_f64()), risk));
    if k == n {
        return (1.0, TenthsOfPercent(TENTHS_IN_ONE), exceeds);
    }
    let tail = |p: f64| binomial_cdf(k, n, p, 1.0 - p);
    let upper = solve_decreasing(0.0, 1.0, risk, tail);
    // The edge m/1000 and its complement are each one correctly rounded division.
    let display = round_up_at_edges(upper, |m| {
        let (p, q) = (f64::from(m) / 1000.0, f64::from(TENTHS_IN_ONE - m) / 1000.0);
        !above(binomial_cdf(k, n, p, q), risk)
    });
    (upper, display, exceeds)
}

fn poisson_limit(k: u64, n: u64, risk: f64, tolerable: Option<Rate>) -> Limit {
    let exceeds = tolerable.map(|t| above(poisson_cdf(k, n as f64 * t.to_f64()), risk));
    let mut hi = (k + 1) as f64;
    while poisson_cdf(k, hi) > risk {
        hi *= 2.0;
    }
    let lambda = solve_decreasing(0.0, hi, risk, |lambda| poisson_cdf(k, lambda));
    // λ/n is a rate only up to 1: the Poisson approximation can exceed it for tiny samples.
    let upper = (lambda / n as f64).min(1.0);
    let display = round_up_at_edges(upper, |m| !above(poisson_cdf(k, n as f64 * f64::from(m) / 1000.0), risk));
    (upper, display, exceeds)
}

fn hypergeometric_limit(k: u64, n: u64, population: u64, risk: f64, tolerable: Option<Rate>) -> Limit {
    let tail = |deviations: u64| hypergeometric_cdf(k, population, deviations, n);
    let exceeds = tolerable.map(|t| above(tail(t.ceil_mul(population)), risk));
    if k == n {
        // Every item deviated: no count of deviations up to N is ruled out.
        return (1.0, TenthsOfPercent(TENTHS_IN_ONE), exceeds);
    }
    // tail(k) = 1 (a population with k deviations cannot show more), and with
    // N − n + k + 1 deviations the sample must show more than k, so tail there is 0.
    let (mut lo, mut hi) = (k, population - n + k + 1);
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if above(tail(mid), risk) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let ruled_out = hi;
    // K/N is rational: round it up to tenths of a percent exactly. K ≤ N keeps it ≤ 1000.
    let tenths = (u128::from(ruled_out) * u128::from(TENTHS_IN_ONE)).div_ceil(u128::from(population));
    (ruled_out as f64 / population as f64, TenthsOfPercent(tenths as u32), exceeds)
}
