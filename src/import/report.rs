//! The validation report: what the auditor reads and accepts before any sample is drawn.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How many rows a report lists for each finding; the counts are always complete.
pub const LISTING_LIMIT: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateKey {
    pub key: String,
    pub lines: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineValue {
    pub line: u64,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsidePeriod {
    pub line: u64,
    pub key: String,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub source: SourceInfo,
    pub columns: Vec<String>,
    pub key_column: String,
    pub date_column: Option<String>,
    pub amount_column: Option<String>,
    /// Data rows read (the header excluded).
    pub rows_read: u64,
    /// Rows that became population items, numbered 1..N in file order.
    pub rows_accepted: u64,
    /// Rows with every field empty (trailing lines of spreadsheet exports) are skipped.
    pub blank_rows_skipped: u64,
    pub blank_rows_lines: Vec<u64>,
    pub blank_keys: u64,
    pub blank_key_lines: Vec<u64>,
    pub duplicate_key_count: u64,
    pub duplicate_keys: Vec<DuplicateKey>,
    pub unparseable_date_count: u64,
    pub unparseable_dates: Vec<LineValue>,
    pub date_formats_tried: Vec<String>,
    pub date_format_used: Option<String>,
    pub outside_period_count: u64,
    pub outside_period: Vec<OutsidePeriod>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub unparseable_amount_count: u64,
    pub unparseable_amounts: Vec<LineValue>,
    /// Exact sum of the amount column, as a decimal string.
    pub amount_total: Option<String>,
    pub min_date: Option<NaiveDate>,
    pub max_date: Option<NaiveDate>,
}

impl ValidationReport {
    /// A report before any row is read: every count zero, every listing empty.
    pub(crate) fn empty(
        source: SourceInfo,
        columns: Vec<String>,
        key_column: String,
        date_column: Option<String>,
        amount_column: Option<String>,
        date_formats_tried: Vec<String>,
        period: crate::engagement::Period,
    ) -> ValidationReport {
        ValidationReport {
            source,
            columns,
            key_column,
            date_column,
            amount_column,
            rows_read: 0,
            rows_accepted: 0,
            blank_rows_skipped: 0,
            blank_rows_lines: vec![],
            blank_keys: 0,
            blank_key_lines: vec![],
            duplicate_key_count: 0,
            duplicate_keys: vec![],
            unparseable_date_count: 0,
            unparseable_dates: vec![],
            date_formats_tried,
            date_format_used: None,
            outside_period_count: 0,
            outside_period: vec![],
            period_start: period.start,
            period_end: period.end,
            unparseable_amount_count: 0,
            unparseable_amounts: vec![],
            amount_total: None,
            min_date: None,
            max_date: None,
        }
    }

    pub(crate) fn amount_total_decimal(total: Option<Decimal>) -> Option<String> {
        total.map(|d| d.normalize().to_string())
    }

    /// One line per finding, as the CLI prints it.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let src = &self.source;
        s += &format!("Source       {} ({} bytes, {}", src.name, src.bytes, src.format);
        if let Some(e) = &src.encoding {
            s += &format!(", {e}");
        }
        if let Some(d) = &src.delimiter {
            s += &format!(", delimiter {d}");
        }
        if let Some(sh) = &src.sheet {
            s += &format!(", sheet {sh:?}");
        }
        s += ")\n";
        s += &format!("SHA-256      {}\n", src.sha256);
        s += &format!("Rows         {} read, {} accepted", self.rows_read, self.rows_accepted);
        if self.blank_rows_skipped > 0 {
            s += &format!(", {} blank rows skipped", self.blank_rows_skipped);
        }
        s += "\n";
        s += &format!(
            "Key          {:?}: {} blank, {} duplicated\n",
            self.key_column, self.blank_keys, self.duplicate_key_count
        );
        for d in self.duplicate_keys.iter().take(10) {
            s += &format!("               duplicate {:?} on lines {}\n", d.key, join(&d.lines));
        }
        if !self.blank_key_lines.is_empty() {
            s += &format!(
                "               blank key on lines {}\n",
                join(&self.blank_key_lines[..self.blank_key_lines.len().min(20)])
            );
        }
        if let Some(dc) = &self.date_column {
            s += &format!(
                "Dates        {dc:?}: {} to {}, read as {}; {} unparseable, {} outside the period {}..{}\n",
                opt(self.min_date),
                opt(self.max_date),
                self.date_format_used.as_deref().unwrap_or("-"),
                self.unparseable_date_count,
                self.outside_period_count,
                self.period_start,
                self.period_end
            );
            for o in self.outside_period.iter().take(10) {
                s += &format!("               outside the period: {:?} dated {} (line {})\n", o.key, o.date, o.line);
            }
            for u in self.unparseable_dates.iter().take(10) {
                s += &format!("               unparseable date {:?} (line {})\n", u.value, u.line);
            }
        }
        if let Some(ac) = &self.amount_column {
            s += &format!(
                "Amounts      {ac:?}: control total {}; {} unparseable\n",
                self.amount_total.as_deref().unwrap_or("-"),
                self.unparseable_amount_count
            );
        }
        s
    }
}

fn opt(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
}

fn join(lines: &[u64]) -> String {
    lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
}
