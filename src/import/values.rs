//! Reading dates and amounts as clients' exports write them. Amounts are exact decimals
//! (never f64): a control total must foot to the cent.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The date layouts tried, in order, when no `--date-format` is given. The first layout that
/// reads a column's first date is then used for the whole column, so `01/02/2026` can never
/// mean January in one row and February in the next.
pub const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d", // ISO 8601, also the date part of 2026-01-05T13:00:00Z
    "%Y/%m/%d",
    "%m/%d/%Y",  // US exports (Jira, Workday, ServiceNow in en-US)
    "%d.%m.%Y",  // European exports
    "%d-%b-%Y",  // 05-Jan-2026
    "%d %b %Y",  // 05 Jan 2026
    "%b %d, %Y", // Jan 05, 2026
    "%d/%b/%y",  // Jira: 05/Jan/26 3:27 PM
    "%m/%d/%y",  // 1/5/26
];

/// Excel's day zero in the 1900 date system (serial 1 = 1900-01-01; the phantom 1900-02-29
/// is why the epoch is the 30th, valid for serials from 61 on).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date")
}

/// Parses the date at the start of `s` with `fmt`; a time after it (` 15:27`, `T13:00:00Z`,
/// ` 3:27 PM`) is allowed and ignored: the date is taken as written, in the export's own zone.
pub fn parse_date_with(s: &str, fmt: &str) -> Option<NaiveDate> {
    parse_date_items(s, &Layout::new(fmt))
}

/// A date layout, compiled once per column (parsing the layout string per value is most of
/// the cost of reading a million dates).
#[derive(Debug, Clone)]
struct Layout {
    text: String,
    iso: bool,
    items: Vec<chrono::format::Item<'static>>,
}

impl Layout {
    fn new(fmt: &str) -> Layout {
        let items = chrono::format::StrftimeItems::new(fmt).parse_to_owned().unwrap_or_default();
        Layout { text: fmt.to_string(), iso: fmt == "%Y-%m-%d", items }
    }
}

fn parse_date_items(s: &str, layout: &Layout) -> Option<NaiveDate> {
    let s = s.trim();
    let (date, rest) = if layout.iso { parse_iso_prefix(s)? } else { parse_with_items(s, &layout.items)? };
    let time_follows = rest.is_empty()
        || ((rest.starts_with(' ') || rest.starts_with('T'))
            && rest[1..].trim_start().starts_with(|c: char| c.is_ascii_digit()));
    time_follows.then_some(date)
}

fn parse_with_items<'a>(s: &'a str, items: &[chrono::format::Item<'static>]) -> Option<(NaiveDate, &'a str)> {
    let mut parsed = chrono::format::Parsed::new();
    let rest = chrono::format::parse_and_remainder(&mut parsed, s, items.iter()).ok()?;
    Some((parsed.to_naive_date().ok()?, rest))
}

/// `YYYY-MM-DD` at the start of `s`, the layout of most exports, without the general parser.
fn parse_iso_prefix(s: &str) -> Option<(NaiveDate, &str)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    Some((date, &s[10..]))
}

/// A date from an Excel serial number (xlsx cells stored as plain numbers).
pub fn date_from_serial(serial: f64) -> Option<NaiveDate> {
    // 61 = 1900-03-01; 2958465 = 9999-12-31.
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    excel_epoch().checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// Chooses and remembers the layout of one date column.
#[derive(Debug, Clone)]
pub struct DateReader {
    formats: Vec<String>,
    layouts: Vec<Layout>,
    chosen: Option<usize>,
}

impl DateReader {
    pub fn new(explicit: Option<&str>) -> DateReader {
        let formats = match explicit {
            Some(f) => vec![f.to_string()],
            None => DATE_FORMATS.iter().map(|s| s.to_string()).collect(),
        };
        let layouts = formats.iter().map(|f| Layout::new(f)).collect();
        DateReader { formats, layouts, chosen: None }
    }

    pub fn formats(&self) -> &[String] {
        &self.formats
    }

    pub fn chosen(&self) -> Option<&str> {
        self.chosen.map(|i| self.layouts[i].text.as_str())
    }

    pub fn read(&mut self, text: &str, serial: Option<f64>) -> Option<NaiveDate> {
        if let Some(i) = self.chosen {
            return parse_date_items(text, &self.layouts[i]).or_else(|| serial.and_then(date_from_serial));
        }
        for (i, layout) in self.layouts.iter().enumerate() {
            if let Some(d) = parse_date_items(text, layout) {
                self.chosen = Some(i);
                return Some(d);
            }
        }
        serial.and_then(date_from_serial)
    }
}

/// Parses an amount as written in exports: `1234.5`, `-125.00`, `$1,234.56`, `(250.00)`,
/// `€ 12`, and the European `1.234,56` / `12,5` (a comma followed by one or two digits at the
/// end is a decimal comma).
/// `-?digits(.digits)?` with at most 18 digits, as `Decimal::from_str` reads it (the same
/// value and scale) without its general parser: a population's amount column is a million of
/// these. None for anything else, negative zero included.
fn plain_decimal(t: &str) -> Option<Decimal> {
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() + fraction.len() > 18 || (digits.contains('.') && fraction.is_empty()) {
        return None;
    }
    let mut mantissa: i64 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + (b - b'0') as i64;
    }
    if negative && mantissa == 0 {
        return None;
    }
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, fraction.len() as u32))
}

pub fn parse_amount(s: &str) -> Option<Decimal> {
    let mut t = s.trim();
    if t.is_empty() {
        return None;
    }
    // Most exports write plain `-1234.50`: read those without the general rules below.
    let plain = t.strip_prefix('-').unwrap_or(t);
    if !plain.is_empty()
        && plain.as_bytes()[0].is_ascii_digit()
        && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return plain_decimal(t).or_else(|| Decimal::from_str(t).ok());
    }
    // Parentheses, then signs and currency symbols in any order around the digits:
    // `(12.00)`, `-$12`, `$-12`, `12-`, `€ 12`.
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    loop {
        let before = t;
        t = t.trim_matches(['$', '€', '£', '¥']).trim();
        if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_suffix('-')) {
            negative = !negative;
            t = rest.trim();
        }
        if t == before {
            break;
        }
    }
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let decimal_comma = match t.rfind(',') {
        Some(i) => {
            let tail = &t[i + 1..];
            (1..=2).contains(&tail.len())
                && tail.bytes().all(|b| b.is_ascii_digit())
                && !t[..i].contains(',')
                && (!t.contains('.') || t.rfind('.') < Some(i))
        }
        None => false,
    };
    let normalized: String = if decimal_comma {
        t.chars().filter(|&c| c != '.' && c != ' ' && c != '\u{a0}').map(|c| if c == ',' { '.' } else { c }).collect()
    } else {
        t.chars().filter(|&c| c != ',' && c != ' ' && c != '\u{a0}' && c != '\'').collect()
    };
    if !normalized.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let d = Decimal::from_str(&normalized).ok()?;
    Some(if negative { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn reads_amounts_as_exports_write_them() {
        assert_eq!(parse_amount("1234.5"), Some(d("1234.5")));
        assert_eq!(parse_amount("-125.00"), Some(d("-125.00")));
        assert_eq!(parse_amount("$1,234.56"), Some(d("1234.56")));
        assert_eq!(parse_amount("(250.00)"), Some(d("-250.00")));
        assert_eq!(parse_amount("-$12.00"), Some(d("-12.00")));
        assert_eq!(parse_amount("$-12.00"), Some(d("-12.00")));
        assert_eq!(parse_amount("12.00-"), Some(d("-12.00")));
        assert_eq!(parse_amount("(-5)"), Some(d("5")));
        assert_eq!(parse_amount("1.234,56"), Some(d("1234.56")));
        assert_eq!(parse_amount("12,5"), Some(d("12.5")));
        assert_eq!(parse_amount("1,234"), Some(d("1234")));
        assert_eq!(parse_amount("€ 99"), Some(d("99")));
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("n/a"), None);
        assert_eq!(parse_amount("=1+1"), None);
    }

    #[test]
    fn reads_dates_with_a_trailing_time_and_locks_the_column_layout() {
        let mut r = DateReader::new(None);
        assert_eq!(r.read("2026-01-05T13:00:00Z", None), NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(r.read("2026-02-07 09:15", None), NaiveDate::from_ymd_opt(2026, 2, 7));
        assert_eq!(r.chosen(), Some("%Y-%m-%d"));
        assert_eq!(r.read("02/07/2026", None), None, "a column does not switch layouts");

        let mut us = DateReader::new(None);
        assert_eq!(us.read("01/02/2026", None), NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(us.read("13/01/2026", None), None);

        let mut jira = DateReader::new(None);
        assert_eq!(jira.read("14/Jan/26 3:27 PM", None), NaiveDate::from_ymd_opt(2026, 1, 14));
        assert_eq!(parse_date_with("2026-01-05x", "%Y-%m-%d"), None);
        assert_eq!(parse_date_with("2026-02-30", "%Y-%m-%d"), None);
        assert_eq!(parse_date_with("2026-1-05", "%Y-%m-%d"), None);
        assert_eq!(parse_date_with("2026-01-05T00:00:00Z", "%Y-%m-%d"), NaiveDate::from_ymd_opt(2026, 1, 5));
    }

    #[test]
    fn reads_excel_serials_in_the_1900_system() {
        assert_eq!(date_from_serial(46023.0), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(date_from_serial(46022.75), NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(date_from_serial(12.0), None);
    }

    #[test]
    fn plain_amounts_read_as_the_general_parser_reads_them() {
        for t in ["0", "12", "12.50", "-12.50", "007.5", "0.000", "123456789012345678", "-1.0", "999999999.99"] {
            let fast = plain_decimal(t).unwrap_or_else(|| panic!("{t} takes the fast path"));
            let general = Decimal::from_str(t).unwrap();
            assert_eq!((fast, fast.to_string()), (general, general.to_string()), "{t}");
        }
        for t in ["-0", "-0.00", "1.", ".5", "1.2.3", "1234567890123456789", "1e5", ""] {
            assert_eq!(plain_decimal(t), None, "{t}");
        }
    }
}
