//! A first look at a source before importing it: its columns, its first rows and a guess at
//! which columns are the key, the date and the amount, for the mapping screen.

use std::path::Path;

use serde::Serialize;

use super::table::{Row, SourceFormat};
use super::values::{DateReader, parse_amount};
use super::with_table;
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub file: String,
    pub format: SourceFormat,
    /// The workbook's sheets (xlsx only), in workbook order.
    pub sheets: Vec<String>,
    pub columns: Vec<String>,
    /// The first rows, with the line each starts on.
    pub rows: Vec<(u64, Vec<String>)>,
    pub guessed_key: Option<String>,
    pub guessed_date: Option<String>,
    pub guessed_amount: Option<String>,
}

/// Reads the header and the first `limit` non-blank rows of `path`.
pub fn preview(path: &Path, sheet: Option<&str>, limit: usize) -> Result<Preview> {
    with_table(path, sheet, |table| {
        let mut rows = Vec::new();
        let mut row = Row::default();
        while rows.len() < limit && table.next_row(&mut row)? {
            if !row.is_blank() {
                rows.push((row.line, row.fields.clone()));
            }
        }
        let columns = table.headers().to_vec();
        let sheets = table.sheets().to_vec();
        let guessed_key = guess_key(&columns, &rows);
        let guessed_date = guess(
            &columns,
            &rows,
            &["date", "created", "opened", "submitted", "deployed", "completed", "hire", "termination", "at", "datum"],
            |v| DateReader::new(None).read(v, None).is_some(),
        );
        let guessed_amount =
            guess(&columns, &rows, &["amount", "total", "cost", "value", "betrag", "price", "sum"], |v| {
                parse_amount(v).is_some()
            });
        Ok(Preview {
            file: table.file().to_string(),
            format: table.format().clone(),
            sheets,
            columns,
            rows,
            guessed_key,
            guessed_date,
            guessed_amount,
        })
    })
}

/// The first column whose name suggests an identifier and whose previewed values are
/// non-blank and distinct; else the first column with distinct values.
fn guess_key(columns: &[String], rows: &[(u64, Vec<String>)]) -> Option<String> {
    let distinct = |i: usize| {
        let mut seen: Vec<&str> = rows.iter().filter_map(|(_, r)| r.get(i).map(|s| s.trim())).collect();
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        n > 0 && seen.len() == n && !seen.contains(&"")
    };
    let named = |h: &str| {
        let h = h.to_ascii_lowercase();
        ["key", "id", "number", "no", "nummer", "ref", "ticket", "voucher", "request", "entry"]
            .iter()
            .any(|w| h.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part == *w))
    };
    (0..columns.len())
        .find(|&i| named(&columns[i]) && distinct(i))
        .or_else(|| (0..columns.len()).find(|&i| distinct(i)))
        .map(|i| columns[i].clone())
}

/// The first column whose name contains one of `words` and whose previewed values mostly read.
fn guess(
    columns: &[String],
    rows: &[(u64, Vec<String>)],
    words: &[&str],
    reads: impl Fn(&str) -> bool,
) -> Option<String> {
    let reads_well = |i: usize| {
        let values: Vec<&str> =
            rows.iter().filter_map(|(_, r)| r.get(i).map(|s| s.as_str())).filter(|s| !s.trim().is_empty()).collect();
        !values.is_empty() && values.iter().filter(|v| reads(v)).count() * 10 >= values.len() * 8
    };
    let named = |h: &str| {
        let h = h.to_ascii_lowercase();
        words.iter().any(|w| h.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part == *w))
    };
    (0..columns.len()).find(|&i| named(&columns[i]) && reads_well(i)).map(|i| columns[i].clone())
}
