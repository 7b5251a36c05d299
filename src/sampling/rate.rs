//! Exact rates (confidence, tolerable and expected deviation rates), parsed from what the
//! auditor typed without passing through `f64`, so that `ceil(n × rate)` is exact.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::SamplingError;

/// What a rate stands for: decides the allowed range and names it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateKind {
    /// Confidence level, 1 − risk of overreliance: above 0 and below 1.
    Confidence,
    /// Tolerable deviation rate: above 0 and below 1.
    Tolerable,
    /// Expected deviation rate: 0 or more, below 1.
    Expected,
}

impl RateKind {
    fn allows_zero(self) -> bool {
        matches!(self, RateKind::Expected)
    }

    /// The allowed range in words, for messages.
    pub(crate) fn range_in_words(self) -> &'static str {
        if self.allows_zero() { "at least 0% and below 100%" } else { "above 0% and below 100%" }
    }
}

impl fmt::Display for RateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RateKind::Confidence => "confidence level",
            RateKind::Tolerable => "tolerable deviation rate",
            RateKind::Expected => "expected deviation rate",
        })
    }
}

/// A rate in `[0, 1)`, held as an exact decimal with at most [`Rate::MAX_DECIMALS`] places.
///
/// Built only by [`Rate::parse`] (or its shortcuts) and [`Rate::from_decimal`], which check the
/// range for the rate's kind; the planning and evaluation functions check again that a
/// confidence or tolerable rate is not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rate(Decimal);

impl Rate {
    /// Decimal places kept at most. Bounds `10^scale` by 10^18 so that `n × rate` for any
    /// `n: u64` is an exact `u128` product.
    pub const MAX_DECIMALS: u32 = 18;

    /// Parses `"0.05"`, `".05"`, `"5%"` or `"5 %"`: plain decimal digits, no exponent, no
    /// thousands separators. Surrounding spaces are ignored.
    pub fn parse(text: &str, kind: RateKind) -> Result<Rate, SamplingError> {
        let not_a_rate = || SamplingError::NotARate { kind, text: text.to_string() };
        let trimmed = text.trim();
        let (body, percent) = match trimmed.strip_suffix('%') {
            Some(body) => (body.trim_end(), true),
            None => (trimmed, false),
        };
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_a_rate());
        }
        if negative && (whole.bytes().any(|b| b != b'0') || fraction.bytes().any(|b| b != b'0')) {
            return Err(SamplingError::RateOutOfRange { kind, text: trimmed.to_string() });
        }
        let whole = whole.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        let scale = fraction.len() + if percent { 2 } else { 0 };
        let too_precise = || SamplingError::RateTooPrecise { kind, text: trimmed.to_string() };
        if scale > Self::MAX_DECIMALS as usize {
            return Err(too_precise());
        }
        // Anything with more than two whole digits is at least 100 (or 100%): out of range.
        // Checking before building the mantissa keeps it far below i128's limit.
        if whole.len() > 3 {
            return Err(SamplingError::RateOutOfRange { kind, text: trimmed.to_string() });
        }
        let digits = format!("{whole}{fraction}");
        let mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| not_a_rate())? };
        let value = Decimal::from_i128_with_scale(mantissa, scale as u32);
        Self::checked(value, kind).map_err(|error| match error {
            SamplingError::RateOutOfRange { kind, .. } => {
                SamplingError::RateOutOfRange { kind, text: trimmed.to_string() }
            }
            other => other,
        })
    }

    /// Shortcut for [`Rate::parse`] with [`RateKind::Confidence`].
    pub fn confidence(text: &str) -> Result<Rate, SamplingError> {
        Self::parse(text, RateKind::Confidence)
    }

    /// Shortcut for [`Rate::parse`] with [`RateKind::Tolerable`].
    pub fn tolerable(text: &str) -> Result<Rate, SamplingError> {
        Self::parse(text, RateKind::Tolerable)
    }

    /// Shortcut for [`Rate::parse`] with [`RateKind::Expected`].
    pub fn expected(text: &str) -> Result<Rate, SamplingError> {
        Self::parse(text, RateKind::Expected)
    }

    /// A rate from a decimal already in hand (a stored engagement setting, for instance).
    pub fn from_decimal(value: Decimal, kind: RateKind) -> Result<Rate, SamplingError> {
        Self::checked(value, kind)
    }

    fn checked(value: Decimal, kind: RateKind) -> Result<Rate, SamplingError> {
        let value = value.normalize();
        let in_range =
            if kind.allows_zero() { value >= Decimal::ZERO } else { value > Decimal::ZERO } && value < Decimal::ONE;
        if !in_range {
            return Err(SamplingError::RateOutOfRange { kind, text: value.to_string() });
        }
        if value.scale() > Self::MAX_DECIMALS {
            return Err(SamplingError::RateTooPrecise { kind, text: value.to_string() });
        }
        Ok(Rate(value))
    }

    /// Checks that a rate given for `kind` is allowed there (a zero rate is only an expected rate).
    pub(crate) fn require(self, kind: RateKind) -> Result<Rate, SamplingError> {
        Self::checked(self.0, kind)
    }

    /// The exact value.
    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The nearest `f64`: for probability arithmetic only, never for `ceil(n × rate)`.
    pub fn to_f64(self) -> f64 {
        let (numerator, denominator) = self.fraction();
        numerator as f64 / denominator as f64
    }

    /// `1 − rate` as the nearest `f64`, from the exact complement (not `1.0 - self.to_f64()`).
    pub(crate) fn complement_f64(self) -> f64 {
        let (numerator, denominator) = self.fraction();
        (denominator - numerator) as f64 / denominator as f64
    }

    /// `numerator / denominator` with `denominator = 10^scale ≤ 10^18` and
    /// `numerator < denominator`.
    pub(crate) fn fraction(self) -> (u128, u128) {
        // The invariant (0 ≤ value < 1, scale ≤ 18) makes the mantissa non-negative and the
        // power of ten fit.
        let numerator = self.0.mantissa().unsigned_abs();
        let denominator = 10u128.pow(self.0.scale());
        (numerator, denominator)
    }

    /// `ceil(n × rate)`, exactly.
    pub fn ceil_mul(self, n: u64) -> u64 {
        let (numerator, denominator) = self.fraction();
        // n < 2^64 and numerator < 10^18 < 2^60, so the product is below 2^124.
        let product = u128::from(n) * numerator;
        // The quotient is at most n, so it fits back into u64.
        product.div_ceil(denominator) as u64
    }

    /// The rate as a percentage in words an auditor writes: `5%`, `3.25%`, `0.5%`.
    pub fn percent(self) -> String {
        format!("{}%", (self.0 * Decimal::ONE_HUNDRED).normalize())
    }
}

/// A rate recorded as a decimal string, as a workpaper prints it: `0.05` → `5.0%`, `0.0125` →
/// `1.25%`, exactly (no `f64`). None when the text is not a decimal.
pub fn percent_of_decimal(text: &str) -> Option<String> {
    let d: Decimal = text.parse().ok()?;
    let percent = (d * Decimal::ONE_HUNDRED).normalize();
    Some(if percent.scale() == 0 { format!("{percent}.0%") } else { format!("{percent}%") })
}

impl fmt::Display for Rate {
    /// The exact decimal, e.g. `0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Rate {
    /// As the exact decimal string (`"0.05"`), never as a JSON float.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_percent_spellings_give_the_same_rate() {
        let forms = ["0.05", ".05", "5%", "5 %", " 0.050 ", "5.00%"];
        for form in forms {
            assert_eq!(Rate::tolerable(form).unwrap().to_string(), "0.05", "{form}");
        }
        assert_eq!(Rate::expected("3.25%").unwrap().to_string(), "0.0325");
        assert_eq!(Rate::expected("0").unwrap().to_string(), "0");
    }

    #[test]
    fn ceil_mul_is_exact_where_f64_is_not() {
        // 400 × 0.035 is 14.000000000000002 in f64 and 1300 × 0.07 is 91.00000000000001.
        assert_eq!(Rate::expected("0.035").unwrap().ceil_mul(400), 14);
        assert_eq!(Rate::expected("0.07").unwrap().ceil_mul(1300), 91);
        assert_eq!(Rate::expected("0.07").unwrap().ceil_mul(1301), 92);
        assert_eq!(Rate::expected("0").unwrap().ceil_mul(u64::MAX), 0);
        // u64::MAX × (1 − 1e-18) = 18446744073709551596.55…: no overflow at the extremes.
        let almost_one = Rate::expected("0.999999999999999999").unwrap();
        assert_eq!(almost_one.ceil_mul(u64::MAX), 18_446_744_073_709_551_597);
    }

    #[test]
    fn percent_is_written_as_an_auditor_would() {
        assert_eq!(Rate::confidence("0.95").unwrap().percent(), "95%");
        assert_eq!(Rate::expected("0.0025").unwrap().percent(), "0.25%");
        assert_eq!(Rate::expected("0").unwrap().percent(), "0%");
    }

    #[test]
    fn malformed_rates_are_refused_with_their_text() {
        for text in ["", "%", ".", "five", "5e-2", "0,05", "1/20", "0.05.1", "--5", "+0.05"] {
            let error = Rate::tolerable(text).unwrap_err();
            assert!(matches!(error, SamplingError::NotARate { .. }), "{text:?} gave {error}");
        }
    }

    #[test]
    fn rates_outside_their_range_are_refused() {
        for text in ["0", "0%", "1", "100%", "1.5", "-0.05", "12345"] {
            let error = Rate::tolerable(text).unwrap_err();
            assert!(matches!(error, SamplingError::RateOutOfRange { .. }), "{text:?} gave {error}");
        }
        assert!(Rate::expected("-0").is_ok());
        assert_eq!(
            Rate::confidence("100%").unwrap_err().to_string(),
            "the confidence level (100%) must be above 0% and below 100%"
        );
    }

    #[test]
    fn more_than_eighteen_decimal_places_are_refused() {
        assert!(Rate::expected("0.123456789012345678").is_ok());
        assert!(matches!(Rate::expected("0.1234567890123456789"), Err(SamplingError::RateTooPrecise { .. })));
        assert!(matches!(Rate::expected("0.1234567890123456789%"), Err(SamplingError::RateTooPrecise { .. })));
    }
}
