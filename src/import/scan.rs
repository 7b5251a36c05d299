//! One pass over a mapped source: numbers the items 1..N in file order (SAMPLING-SPEC §1),
//! reads keys, dates and amounts, and builds the validation report as it goes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::error::{ImportError, ImportErrorKind as K};
use super::report::{DuplicateKey, LISTING_LIMIT, LineValue, OutsidePeriod, SourceInfo, ValidationReport};
use super::table::{ReadError, Row, Table};
use super::values::{DateReader, parse_amount};
use super::{Mapping, Progress, find_column};
use crate::engagement::Period;

/// One accepted row, as the caller stores or samples it.
pub struct Item<'a> {
    pub position: u64,
    pub line: u64,
    pub key: &'a str,
    pub date: Option<NaiveDate>,
    pub amount: Option<Decimal>,
    pub row: &'a Row,
}

/// Keys seen so far, compactly (a 1,000,000-row population costs tens of MB, not hundreds):
/// a hash of each key points at its first occurrence, and the key text is kept once in an
/// arena so a hash match is confirmed exactly.
#[derive(Default)]
struct KeySet {
    hasher: BuildHasherDefault<DefaultHasher>,
    /// Keyed by the key's hash, which is not hashed again.
    first: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
    arena: String,
    spans: Vec<(u32, u32, u64)>,
    collided: HashMap<String, u32>,
}

impl KeySet {
    /// Records `key` at `line`; returns the line of its first occurrence if seen before.
    fn insert(&mut self, key: &str, line: u64) -> Option<u64> {
        let h = self.hasher.hash_one(key);
        if let Some(&i) = self.collided.get(key) {
            return Some(self.spans[i as usize].2);
        }
        let next = self.spans.len() as u32;
        match self.first.entry(h) {
            Entry::Occupied(first) => {
                let (start, len, first_line) = self.spans[*first.get() as usize];
                if &self.arena[start as usize..(start + len) as usize] == key {
                    Some(first_line)
                } else {
                    let idx = self.push(key, line);
                    self.collided.insert(key.to_string(), idx);
                    None
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(next);
                self.push(key, line);
                None
            }
        }
    }

    fn push(&mut self, key: &str, line: u64) -> u32 {
        let start = self.arena.len() as u32;
        self.arena.push_str(key);
        self.spans.push((start, key.len() as u32, line));
        (self.spans.len() - 1) as u32
    }
}

/// The hasher of a map keyed by hashes: the key is its own hash.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; anything else still hashes, byte by byte.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn push_capped<T>(list: &mut Vec<T>, value: T) {
    if list.len() < LISTING_LIMIT {
        list.push(value);
    }
}

/// Who finds the duplicate keys of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// The scan, holding every key in memory (tens of bytes a row): a preview, a re-performance.
    Found,
    /// The caller, afterwards: an import finds them in the engagement file's key index, so its
    /// memory does not grow with the population. The report's duplicate counts stay zero.
    Left,
}

/// Reads every row of `table` under `mapping`, calling `on_item` for each accepted one, and
/// returns the validation report. `progress` is called every few thousand rows; returning
/// false cancels.
pub fn scan(
    table: &mut Table,
    mapping: &Mapping,
    period: Period,
    progress: &mut dyn FnMut(Progress) -> bool,
    on_item: &mut dyn FnMut(&Item<'_>) -> Result<(), ReadError>,
) -> Result<ValidationReport, ReadError> {
    scan_with(table, mapping, period, DuplicateKeys::Found, progress, on_item)
}

/// `scan`, with the duplicate keys found by the scan or left to the caller.
pub fn scan_with(
    table: &mut Table,
    mapping: &Mapping,
    period: Period,
    duplicate_keys: DuplicateKeys,
    progress: &mut dyn FnMut(Progress) -> bool,
    on_item: &mut dyn FnMut(&Item<'_>) -> Result<(), ReadError>,
) -> Result<ValidationReport, ReadError> {
    let file = table.file().to_string();
    let headers = table.headers().to_vec();
    let key_i = find_column(&file, &headers, &mapping.key, "item key")?;
    let date_i = mapping.date.as_deref().map(|c| find_column(&file, &headers, c, "date")).transpose()?;
    let amount_i = mapping.amount.as_deref().map(|c| find_column(&file, &headers, c, "amount")).transpose()?;

    let mut dates = DateReader::new(mapping.date_format.as_deref());
    let mut keys = KeySet::default();
    let mut duplicates: HashMap<String, usize> = HashMap::new();
    let mut report = ValidationReport::empty(
        SourceInfo {
            name: file.clone(),
            bytes: 0,
            sha256: String::new(),
            format: table.format().format.to_string(),
            encoding: table.format().encoding.clone(),
            delimiter: table.format().delimiter.clone(),
            sheet: table.format().sheet.clone(),
        },
        headers.clone(),
        headers[key_i].clone(),
        date_i.map(|i| headers[i].clone()),
        amount_i.map(|i| headers[i].clone()),
        dates.formats().to_vec(),
        period,
    );
    let mut total: Option<Decimal> = None;
    let mut non_blank_amounts = 0u64;
    let mut row = Row::default();
    let mut position = 0u64;
    while table.next_row(&mut row)? {
        report.rows_read += 1;
        if row.is_blank() {
            report.blank_rows_skipped += 1;
            push_capped(&mut report.blank_rows_lines, row.line);
            continue;
        }
        position += 1;
        let line = row.line;
        let key = row.fields[key_i].trim();
        if key.is_empty() {
            report.blank_keys += 1;
            push_capped(&mut report.blank_key_lines, line);
        } else if duplicate_keys == DuplicateKeys::Found
            && let Some(first_line) = keys.insert(key, line)
        {
            match duplicates.get(key) {
                Some(&i) => report.duplicate_keys[i].lines.push(line),
                None if report.duplicate_keys.len() < LISTING_LIMIT => {
                    duplicates.insert(key.to_string(), report.duplicate_keys.len());
                    report.duplicate_keys.push(DuplicateKey { key: key.to_string(), lines: vec![first_line, line] });
                }
                None => {}
            }
            report.duplicate_key_count += 1;
        }
        let date = match date_i {
            None => None,
            Some(i) => {
                let d = dates.read(&row.fields[i], row.numbers[i]);
                match d {
                    None => {
                        report.unparseable_date_count += 1;
                        push_capped(&mut report.unparseable_dates, LineValue { line, value: row.fields[i].clone() });
                    }
                    Some(d) => {
                        report.min_date = Some(report.min_date.map_or(d, |m| m.min(d)));
                        report.max_date = Some(report.max_date.map_or(d, |m| m.max(d)));
                        if !period.contains(d) {
                            report.outside_period_count += 1;
                            push_capped(
                                &mut report.outside_period,
                                OutsidePeriod { line, key: key.to_string(), date: d },
                            );
                        }
                    }
                }
                d
            }
        };
        let amount = match amount_i {
            None => None,
            Some(i) => {
                let text = &row.fields[i];
                if text.trim().is_empty() {
                    None
                } else {
                    non_blank_amounts += 1;
                    let a = parse_amount(text);
                    match a {
                        Some(a) => total = Some(total.unwrap_or_default() + a),
                        None => {
                            report.unparseable_amount_count += 1;
                            push_capped(&mut report.unparseable_amounts, LineValue { line, value: text.clone() });
                        }
                    }
                    a
                }
            }
        };
        on_item(&Item { position, line, key, date, amount, row: &row })?;
        if position.is_multiple_of(8192) {
            let p = Progress { bytes_read: table.bytes_read(), total_bytes: table.total_bytes(), rows: position };
            if !progress(p) {
                return Err(ImportError::new(K::Cancelled, &file, "import cancelled; nothing was imported").into());
            }
        }
    }
    if report.rows_read == 0 {
        return Err(ImportError::new(K::HeaderOnly, &file, "the file has a header but no data rows").at_line(1).into());
    }
    if position == 0 {
        return Err(
            ImportError::new(K::HeaderOnly, &file, "every data row is blank; there is nothing to import").into()
        );
    }
    if let Some(i) = date_i
        && report.min_date.is_none()
    {
        let examples: Vec<String> =
            report.unparseable_dates.iter().take(3).map(|u| format!("{:?} (line {})", u.value, u.line)).collect();
        return Err(ImportError::new(
                K::NoDates,
                &file,
                format!(
                    "no value in the date column parses as a date, e.g. {}; formats tried: {}; give the layout with --date-format",
                    examples.join(", "),
                    dates.formats().join(", ")
                ),
            )
            .at_column(i, &headers[i])
            .into());
    }
    if let Some(i) = amount_i
        && non_blank_amounts > 0
        && total.is_none()
    {
        return Err(ImportError::new(K::NoAmounts, &file, "no value in the amount column parses as an amount")
            .at_column(i, &headers[i])
            .into());
    }
    let (sha256, bytes) = table.finish()?;
    report.source.sha256 = sha256;
    report.source.bytes = bytes;
    report.rows_accepted = position;
    report.date_format_used = dates.chosen().map(String::from);
    report.amount_total = ValidationReport::amount_total_decimal(total);
    progress(Progress { bytes_read: bytes, total_bytes: table.total_bytes(), rows: position });
    Ok(report)
}
