//! Populations in the engagement file: imported from a client's export or generated from a
//! control's frequency, numbered 1..N, with the validation report the auditor accepts.

use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Engagement;
use super::controls::{control_id, no_control};
use super::items::{self, ChunkEncoder, ChunkStore, ChunkWriter, EncodedChunk, ItemRef};
use super::team::next_id;
use crate::engagement::{Actor, Frequency, Period};
use crate::import::{self, Mapping, Progress, ValidationReport, table};
use crate::{Error, Result, trail};

/// A population as the engagement holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationSummary {
    pub id: i64,
    pub control: String,
    pub origin: String,
    pub source_name: String,
    pub source_sha256: Option<String>,
    pub item_count: u64,
    pub imported_at: String,
    pub imported_by: String,
    pub accepted_at: Option<String>,
    pub accepted_by: Option<String>,
    pub report: ValidationReport,
    /// The exclusion rules scoping the sampling frame, in the order recorded.
    pub exclusions: Vec<super::Exclusion>,
    /// Items in the frame: the accepted rows less the excluded ones (N for sampling).
    pub frame_size: u64,
}

/// One item of a population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationItem {
    pub position: u64,
    pub source_row: u64,
    pub key: String,
    pub date: Option<NaiveDate>,
    pub amount: Option<String>,
    pub fields: Vec<String>,
}

impl Engagement {
    /// Imports a population for `control` from a CSV or xlsx export: every row or none.
    /// The engagement's period drives the "outside the period" check.
    pub fn import_population(
        &mut self,
        control: &str,
        source: &Path,
        mapping: &Mapping,
        actor: &Actor,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<ValidationReport> {
        let period = self.info()?.period;
        // WAL, like every other write: a rollback journal would write the rows once instead
        // of twice, but switching journal modes rewrites the file header, and a refused
        // import must leave the engagement file byte for byte as it was.
        self.write(|tx| {
            let control_id = control_id(tx, control)?.ok_or_else(|| no_control(control))?;
            // A retry as Windows-1252 starts again from this savepoint.
            tx.execute_batch("SAVEPOINT import_attempt")?;
            let (population_id, report) = pipelined_import(tx, control_id, source, mapping, period, actor, progress)?;
            tx.execute_batch("RELEASE import_attempt")?;
            trail::record_rows(
                tx,
                actor,
                "population.imported",
                serde_json::json!({
                    "control": control,
                    "source": report.source,
                    "mapping": mapping,
                    "rows_read": report.rows_read,
                    "rows_accepted": report.rows_accepted,
                }),
                &[("population", population_id)],
            )?;
            Ok(report)
        })
    }

    /// Builds the occurrences of a periodic control over the review period, in date order.
    pub fn generate_population(
        &mut self,
        control: &str,
        frequency: Frequency,
        business_days: bool,
        actor: &Actor,
    ) -> Result<PopulationSummary> {
        let period = self.info()?.period;
        let occurrences = occurrences(period, frequency, business_days)?;
        let description = format!(
            "generated: {} occurrences{} over {}..{}",
            frequency,
            if business_days { " on business days (Monday to Friday; holidays not excluded)" } else { "" },
            period.start,
            period.end
        );
        self.write(|tx| {
            let control_id = control_id(tx, control)?.ok_or_else(|| no_control(control))?;
            let report = generated_report(&description, &occurrences, period);
            tx.execute(
                "INSERT INTO population (control_id, origin, source_name, format, columns, key_column, date_column, report, item_count, imported_at, imported_by, id)
                 VALUES (?1, 'generated', ?2, 'generated', '[\"Occurrence\",\"Date\"]', 'Occurrence', 'Date', ?3, ?4, ?5, ?6, ?7)",
                params![control_id, description, serde_json::to_string(&report).expect("plain data"), occurrences.len() as i64, actor.at_text(), actor.name, next_id(tx, "population")?],
            )?;
            let population_id = tx.last_insert_rowid();
            let mut writer = ChunkWriter::new(population_id)?;
            let mut digest = super::digest::ItemsDigest::new();
            let mut fields = Vec::new();
            for (i, (key, date)) in occurrences.iter().enumerate() {
                let (position, date) = ((i + 1) as i64, date.to_string());
                fields.clear();
                jsonb::encode(&[key.as_str(), &date], &mut fields);
                let item = ItemRef {
                    position,
                    source_row: position,
                    key,
                    date: Some(&date),
                    amount: None,
                    fields: StoredFields::Cells(&fields),
                };
                writer.push(tx, item)?;
                digest.add(item);
            }
            writer.finish(tx)?;
            tx.execute(
                "UPDATE population SET items_sha256 = ?2 WHERE id = ?1",
                params![population_id, digest.finish()],
            )?;
            trail::record_rows(
                tx,
                actor,
                "population.generated",
                serde_json::json!({ "control": control, "frequency": frequency, "business_days": business_days, "items": occurrences.len() }),
                &[("population", population_id)],
            )?;
            Ok(())
        })?;
        self.current_population(control)?.ok_or_else(|| Error::invalid("the generated population was not saved"))
    }

    /// The control's latest population, if any.
    pub fn current_population(&self, control: &str) -> Result<Option<PopulationSummary>> {
        let control_id = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        load_current(self.conn(), control, control_id)
    }

    /// Records the auditor's acceptance of the current population's validation report.
    pub fn accept_population(&mut self, control: &str, actor: &Actor) -> Result<PopulationSummary> {
        let current = self
            .current_population(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no population yet; import one first")))?;
        if let (Some(at), Some(by)) = (&current.accepted_at, &current.accepted_by) {
            return Err(Error::invalid(format!("the population of {control} was already accepted by {by} at {at}")));
        }
        self.write(|tx| {
            // What the auditor accepts is the items as they are now: they must still be the
            // ones written at import.
            let (digest, _) = super::digest::items_digest(tx, current.id)?;
            let recorded: Option<String> =
                tx.query_row("SELECT items_sha256 FROM population WHERE id = ?1", [current.id], |r| r.get(0))?;
            if recorded.as_deref() != Some(digest.as_str()) {
                return Err(Error::invalid(format!(
                    "the items of {control}'s population were changed outside Tickmark since they were imported; import the population again"
                )));
            }
            tx.execute(
                "UPDATE population SET accepted_at = ?2, accepted_by = ?3 WHERE id = ?1",
                params![current.id, actor.at_text(), actor.name],
            )?;
            trail::record_rows(
                tx,
                actor,
                "population.accepted",
                serde_json::json!({ "control": control, "population": current.id, "sha256": current.source_sha256, "items": current.item_count, "items_sha256": digest }),
                &[("population", current.id)],
            )?;
            Ok(())
        })?;
        self.current_population(control)?.ok_or_else(|| Error::invalid("population vanished"))
    }

    /// Items `offset+1 ..= offset+limit` of a population, by position.
    pub fn population_items(&self, population_id: i64, offset: u64, limit: u64) -> Result<Vec<PopulationItem>> {
        let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(wanted.min(10_000));
        if wanted == 0 {
            return Ok(out);
        }
        let from = i64::try_from(offset).unwrap_or(i64::MAX - 1).saturating_add(1);
        items::for_each_item(self.conn(), population_id, from, |item| {
            out.push(item.to_item()?);
            Ok(out.len() < wanted)
        })?;
        Ok(out)
    }

    /// Items whose key starts with `query` (ASCII case ignored), in position order, at most
    /// `limit`: the population grid's search box.
    ///
    /// The first `PROBE` matches of the key index (in key order) are read, keeping the `limit`
    /// smallest positions: when that was every match, those are the answer. Otherwise the
    /// matches are counted, up to `BROAD`: fewer, and SQLite walks them all keeping the
    /// `limit` smallest positions; more (a broad prefix), and the chunks' keys (their first
    /// frame only, a few bytes an item) are read in position order until `limit` match, no
    /// further than the largest position the probe kept (at least `limit` items match at or
    /// before it).
    pub fn find_population_items(&self, population_id: i64, query: &str, limit: u64) -> Result<Vec<PopulationItem>> {
        const PROBE: i64 = 4096;
        const BROAD: i64 = 200_000;
        let query = query.trim();
        let escaped: String =
            query.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
        let pattern = format!("{escaped}%");
        let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
        if wanted == 0 {
            return Ok(vec![]);
        }
        let mut kept = std::collections::BinaryHeap::with_capacity(wanted.min(PROBE as usize) + 1);
        let mut stmt = self.conn().prepare_cached(
            "SELECT position FROM population_key WHERE population_id = ?1 AND key LIKE ?2 ESCAPE '\\' LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![population_id, pattern, PROBE + 1])?;
        let mut walked = 0;
        while let Some(r) = rows.next()? {
            let position: i64 = r.get(0)?;
            walked += 1;
            if kept.len() < wanted {
                kept.push(position);
            } else if kept.peek().is_some_and(|&largest| position < largest) {
                kept.pop();
                kept.push(position);
            }
        }
        drop(rows);
        if walked <= PROBE {
            let positions: Vec<u64> = kept.into_sorted_vec().into_iter().map(|p| p as u64).collect();
            return self.population_items_at(population_id, &positions);
        }
        let matches: i64 = self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM population_key
                 WHERE population_id = ?1 AND key LIKE ?2 ESCAPE '\\' LIMIT ?3)",
            )?
            .query_row(params![population_id, pattern, BROAD], |r| r.get(0))?;
        if matches < BROAD {
            let mut stmt = self.conn().prepare_cached(
                "SELECT position FROM population_key
                 WHERE population_id = ?1 AND key LIKE ?2 ESCAPE '\\' ORDER BY position LIMIT ?3",
            )?;
            let positions: Vec<u64> = stmt
                .query_map(params![population_id, pattern, limit as i64], |r| r.get::<_, i64>(0))?
                .map(|p| p.map(|p| p as u64))
                .collect::<rusqlite::Result<_>>()?;
            return self.population_items_at(population_id, &positions);
        }
        let bound = match kept.peek() {
            Some(&largest) if kept.len() == wanted => largest,
            _ => i64::MAX,
        };
        // LIKE's case folding: ASCII letters only.
        let prefix = query.as_bytes();
        let mut positions = Vec::with_capacity(wanted.min(10_000));
        items::for_each_chunk(self.conn(), population_id, 1, false, |chunk| {
            for position in chunk.first()..=chunk.last().min(bound) {
                let key = chunk.key_bytes_at(position);
                if key.len() >= prefix.len() && key[..prefix.len()].eq_ignore_ascii_case(prefix) {
                    positions.push(position as u64);
                    if positions.len() == wanted {
                        return Ok(false);
                    }
                }
            }
            Ok(chunk.last() < bound)
        })?;
        self.population_items_at(population_id, &positions)
    }

    /// The items at the given positions, in the order asked.
    pub fn population_items_at(&self, population_id: i64, positions: &[u64]) -> Result<Vec<PopulationItem>> {
        let mut lookup = items::ItemLookup::new(self.conn(), population_id);
        positions
            .iter()
            .map(|&p| {
                lookup
                    .get(p as i64)?
                    .ok_or_else(|| Error::invalid(format!("population has no item at position {p}")))?
                    .to_item()
            })
            .collect()
    }
}

/// A date as the engagement file stores it (`YYYY-MM-DD`).
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::invalid(format!("a stored date {s:?} is damaged: expected YYYY-MM-DD")))
}

/// An item's fields as `population_item.fields` holds them: JSON text (populations written
/// before issue 14's schema) or JSONB, SQLite's binary JSON, as a BLOB (from it on: no
/// quoting or escaping to write or parse, and SQLite's JSON functions read both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredFields<'a> {
    Json(&'a str),
    Cells(&'a [u8]),
}

impl<'a> StoredFields<'a> {
    /// Column `i` of `r`, borrowed; an integer or a real (never written by Tickmark) is
    /// read as the text SQLite would give, so it is damage to report, not a failure.
    pub(crate) fn of(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<StoredFields<'a>> {
        use rusqlite::types::ValueRef;
        Ok(match r.get_ref(i)? {
            ValueRef::Blob(b) => StoredFields::Cells(b),
            ValueRef::Text(t) => StoredFields::Json(std::str::from_utf8(t).unwrap_or("")),
            _ => StoredFields::Json(""),
        })
    }

    /// The fields, or None when the stored value is damaged.
    pub(crate) fn decode(self) -> Option<Vec<String>> {
        match self {
            StoredFields::Json(text) => serde_json::from_str(text).ok(),
            StoredFields::Cells(cells) => jsonb::decode(cells),
        }
    }
}

/// The subset of SQLite's JSONB (sqlite.org/jsonb.html) an item's fields need: one ARRAY of
/// TEXTRAW elements. Each element is a header (its type in the low four bits, its payload size
/// in the high four, or in the 1, 2, 4 or 8 big-endian bytes that follow) and its UTF-8 bytes.
pub(crate) mod jsonb {
    const TEXT: u8 = 7;
    const TEXTRAW: u8 = 10;
    const ARRAY: u8 = 11;

    fn header(out: &mut Vec<u8>, kind: u8, size: usize) {
        match size {
            0..=11 => out.push((size as u8) << 4 | kind),
            12..=0xff => out.extend_from_slice(&[0xc0 | kind, size as u8]),
            0x100..=0xffff => {
                out.push(0xd0 | kind);
                out.extend_from_slice(&(size as u16).to_be_bytes());
            }
            _ if size <= u32::MAX as usize => {
                out.push(0xe0 | kind);
                out.extend_from_slice(&(size as u32).to_be_bytes());
            }
            _ => {
                out.push(0xf0 | kind);
                out.extend_from_slice(&(size as u64).to_be_bytes());
            }
        }
    }

    fn header_len(size: usize) -> usize {
        match size {
            0..=11 => 1,
            12..=0xff => 2,
            0x100..=0xffff => 3,
            _ if size <= u32::MAX as usize => 5,
            _ => 9,
        }
    }

    /// Appends the JSONB array of `fields` to `out`.
    pub(crate) fn encode<S: AsRef<str>>(fields: &[S], out: &mut Vec<u8>) {
        let payload: usize = fields.iter().map(|f| header_len(f.as_ref().len()) + f.as_ref().len()).sum();
        out.reserve(header_len(payload) + payload);
        header(out, ARRAY, payload);
        for f in fields {
            header(out, TEXTRAW, f.as_ref().len());
            out.extend_from_slice(f.as_ref().as_bytes());
        }
    }

    /// A header at the start of `b`: (type, payload size, header length).
    fn read_header(b: &[u8]) -> Option<(u8, usize, usize)> {
        let first = *b.first()?;
        let (kind, code) = (first & 0x0f, first >> 4);
        let extra = match code {
            0..=11 => return Some((kind, code as usize, 1)),
            12 => 1,
            13 => 2,
            14 => 4,
            _ => 8,
        };
        let bytes = b.get(1..1 + extra)?;
        let size = bytes.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
        Some((kind, usize::try_from(size).ok()?, 1 + extra))
    }

    /// The strings of a JSONB array of TEXT or TEXTRAW elements (what `encode` writes); None
    /// for anything else.
    pub(crate) fn decode(b: &[u8]) -> Option<Vec<String>> {
        let (kind, size, at) = read_header(b)?;
        if kind != ARRAY || at.checked_add(size)? != b.len() {
            return None;
        }
        let mut rest = &b[at..];
        let mut fields = Vec::new();
        while !rest.is_empty() {
            let (kind, size, at) = read_header(rest)?;
            if kind != TEXTRAW && kind != TEXT {
                return None;
            }
            let text = rest.get(at..at.checked_add(size)?)?;
            fields.push(std::str::from_utf8(text).ok()?.to_string());
            rest = &rest[at + size..];
        }
        Some(fields)
    }
}

fn load_current(conn: &Connection, control: &str, control_id: i64) -> Result<Option<PopulationSummary>> {
    let row = conn
        .query_row(
            "SELECT id, origin, source_name, source_sha256, item_count, imported_at, imported_by, accepted_at, accepted_by, report
             FROM population WHERE control_id = ?1 ORDER BY id DESC LIMIT 1",
            [control_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                ))
            },
        )
        .optional()?;
    let Some(r) = row else { return Ok(None) };
    let report: ValidationReport = serde_json::from_str(&r.9).map_err(|e| {
        Error::invalid(format!("population row {}, column report: the stored validation report is damaged ({e})", r.0))
    })?;
    let exclusions = super::scope::exclusions(conn, r.0)?;
    let removed: u64 = exclusions.iter().map(|e| e.rows_removed).sum();
    Ok(Some(PopulationSummary {
        frame_size: (r.4 as u64).saturating_sub(removed),
        exclusions,
        id: r.0,
        control: control.to_string(),
        origin: r.1,
        source_name: r.2,
        source_sha256: r.3,
        item_count: r.4 as u64,
        imported_at: r.5,
        imported_by: r.6,
        accepted_at: r.7,
        accepted_by: r.8,
        report,
    }))
}

fn generated_report(description: &str, occurrences: &[(String, NaiveDate)], period: Period) -> ValidationReport {
    let n = occurrences.len() as u64;
    let source = import::SourceInfo {
        name: description.to_string(),
        bytes: 0,
        sha256: String::new(),
        format: "generated".into(),
        encoding: None,
        delimiter: None,
        sheet: None,
    };
    let columns = vec!["Occurrence".to_string(), "Date".to_string()];
    let iso = "%Y-%m-%d".to_string();
    let mut report = ValidationReport::empty(
        source,
        columns,
        "Occurrence".into(),
        Some("Date".into()),
        None,
        vec![iso.clone()],
        period,
    );
    report.rows_read = n;
    report.rows_accepted = n;
    report.date_format_used = Some(iso);
    report.min_date = occurrences.first().map(|o| o.1);
    report.max_date = occurrences.last().map(|o| o.1);
    report
}

fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The last business day on or before `d`, not before `floor`.
fn back_to_business_day(mut d: NaiveDate, floor: NaiveDate) -> NaiveDate {
    while !is_business_day(d) && d > floor {
        d = d - Days::new(1);
    }
    d
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid date") - Days::new(1)
}

/// The occurrences of a periodic control: (key, date) in ascending date order. Weekly,
/// monthly and quarterly occurrences fall on the period's last day (or the last business day,
/// with `business_days`), clipped to the review period.
pub(crate) fn occurrences(
    period: Period,
    frequency: Frequency,
    business_days: bool,
) -> Result<Vec<(String, NaiveDate)>> {
    let mut out = Vec::new();
    let settle = |d: NaiveDate, floor: NaiveDate| {
        if business_days { back_to_business_day(d, floor) } else { d }
    };
    match frequency {
        Frequency::Daily => {
            let mut d = period.start;
            while d <= period.end {
                if !business_days || is_business_day(d) {
                    out.push((d.to_string(), d));
                }
                d = d + Days::new(1);
            }
        }
        Frequency::Weekly => {
            // ISO weeks, each dated on its Friday (business days) or Sunday, within the period.
            let mut d = period.start;
            while d <= period.end {
                let iso = d.iso_week();
                let week_end = NaiveDate::from_isoywd_opt(iso.year(), iso.week(), Weekday::Sun).expect("valid week");
                let last = week_end.min(period.end);
                let day = if business_days {
                    let fri = NaiveDate::from_isoywd_opt(iso.year(), iso.week(), Weekday::Fri).expect("valid week");
                    back_to_business_day(fri.min(last), d)
                } else {
                    last
                };
                out.push((format!("{}-W{:02}", iso.year(), iso.week()), day));
                d = week_end + Days::new(1);
            }
        }
        Frequency::Monthly | Frequency::Quarterly => {
            let step = if frequency == Frequency::Monthly { 1 } else { 3 };
            let mut year = period.start.year();
            let mut month = if step == 1 { period.start.month() } else { (period.start.month0() / 3) * 3 + 1 };
            loop {
                let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid date");
                if first > period.end {
                    break;
                }
                let end_month = month + step - 1;
                let last = month_end(year, end_month).min(period.end);
                let floor = first.max(period.start);
                let key =
                    if step == 1 { format!("{year}-{month:02}") } else { format!("{year}-Q{}", (month - 1) / 3 + 1) };
                out.push((key, settle(last, floor)));
                month += step;
                if month > 12 {
                    month -= 12;
                    year += 1;
                }
            }
        }
        other => {
            return Err(Error::invalid(format!(
                "a {other} control's occurrences cannot be generated from the calendar; import its population instead (generate takes daily, weekly, monthly or quarterly)"
            )));
        }
    }
    Ok(out)
}

/// Finds the duplicate keys of the population just written and records them in `report` as
/// `import::scan` lists them: every repeat counted; the first `LISTING_LIMIT` keys to repeat,
/// in the order they first repeat, each with every line it is on. The key index is walked in
/// order, where keys equal but for ASCII case are neighbours: exact repeats are found within
/// each such run, so memory holds one run, not every key.
fn find_duplicate_keys(conn: &Connection, population_id: i64, report: &mut ValidationReport) -> Result<()> {
    let mut repeats = Repeats::default();
    let mut stmt = conn.prepare_cached(
        "SELECT key, position FROM population_key WHERE population_id = ?1 ORDER BY key COLLATE NOCASE, position",
    )?;
    let mut rows = stmt.query([population_id])?;
    while let Some(r) = rows.next()? {
        let key = match r.get_ref(0)? {
            rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
            _ => "",
        };
        repeats.add(key, r.get(1)?);
    }
    repeats.end_run();
    let mut listed = repeats.first.into_vec();
    listed.sort_unstable();
    let mut line = items::ItemLookup::new(conn, population_id);
    report.duplicate_key_count = repeats.count;
    report.duplicate_keys = listed
        .into_iter()
        .map(|(_, key, positions)| {
            let lines = positions
                .iter()
                .map(|&p| {
                    let item = line.get(p)?.ok_or_else(|| Error::invalid(format!("item {p} was not written")))?;
                    Ok(item.source_row as u64)
                })
                .collect::<Result<_>>()?;
            Ok(import::DuplicateKey { key, lines })
        })
        .collect::<Result<_>>()?;
    Ok(())
}

/// The repeated keys met while walking the key index (see `find_duplicate_keys`).
#[derive(Default)]
struct Repeats {
    /// The exact keys of the current run of keys equal but for ASCII case, with their
    /// positions; the first `used` are live (the rest are kept for their allocations).
    run: Vec<(String, Vec<i64>)>,
    used: usize,
    /// Repeats so far: occurrences after a key's first.
    count: u64,
    /// The repeated keys that repeat first, at most `LISTING_LIMIT`, as (position of the
    /// second occurrence, key, positions): a max-heap, so the one repeating last leaves first.
    first: std::collections::BinaryHeap<(i64, String, Vec<i64>)>,
}

impl Repeats {
    fn add(&mut self, key: &str, position: i64) {
        if self.used > 0 && !self.run[0].0.eq_ignore_ascii_case(key) {
            self.end_run();
        }
        if let Some((_, positions)) = self.run[..self.used].iter_mut().find(|(k, _)| k.as_str() == key) {
            positions.push(position);
            return;
        }
        if self.used == self.run.len() {
            self.run.push(Default::default());
        }
        let (k, positions) = &mut self.run[self.used];
        k.clear();
        k.push_str(key);
        positions.clear();
        positions.push(position);
        self.used += 1;
    }

    fn end_run(&mut self) {
        for (key, positions) in &mut self.run[..self.used] {
            // A blank key is reported as blank, not as repeated.
            if positions.len() < 2 || key.is_empty() {
                continue;
            }
            self.count += positions.len() as u64 - 1;
            let second = positions[1];
            if self.first.len() == import::LISTING_LIMIT {
                if self.first.peek().is_none_or(|last| last.0 <= second) {
                    continue;
                }
                self.first.pop();
            }
            self.first.push((second, key.clone(), std::mem::take(positions)));
        }
        self.used = 0;
    }
}

/// What the reading thread hands the writing one.
enum Batch {
    /// The source was opened (again, after a switch to Windows-1252): what came before is void.
    Start { file: String, format: String, headers: Vec<String> },
    /// Chunks of items, encoded and compressed on the reading thread.
    Chunks(Vec<EncodedChunk>, Option<Progress>),
    /// The report, and the digest of every item sent (`ItemsDigest`).
    Done(Box<ValidationReport>, String),
}

/// One item's parts as they will be stored (key, date `YYYY-MM-DD`, amount, fields as JSONB),
/// back to back in a buffer reused for every item: it stays in the core's cache, and the
/// chunk encoder copies the parts from it once.
#[derive(Default)]
struct Scratch {
    bytes: Vec<u8>,
}

impl Scratch {
    /// `item` as it will be written.
    fn fill<'a>(&'a mut self, item: &import::Item<'_>) -> ItemRef<'a> {
        use std::io::Write;
        self.bytes.clear();
        self.bytes.extend_from_slice(item.key.as_bytes());
        let key_end = self.bytes.len();
        let date_end = item.date.map(|d| {
            push_date(&mut self.bytes, d);
            self.bytes.len()
        });
        let amount_end = item.amount.map(|a| {
            write!(self.bytes, "{a}").expect("a Vec takes every write");
            self.bytes.len()
        });
        jsonb::encode(&item.row.fields, &mut self.bytes);
        let text = |from: usize, to: usize| std::str::from_utf8(&self.bytes[from..to]).expect("pushed as str");
        let mut at = key_end;
        let mut next = |end: Option<usize>| {
            end.map(|end| {
                let part = text(at, end);
                at = end;
                part
            })
        };
        let (date, amount) = (next(date_end), next(amount_end));
        ItemRef {
            position: item.position as i64,
            source_row: item.line as i64,
            key: text(0, key_end),
            date,
            amount,
            fields: StoredFields::Cells(&self.bytes[at..]),
        }
    }
}

/// Appends `d` as `YYYY-MM-DD`, as its `Display` writes it, without the formatter (a third
/// of the cost of storing a date) for the years 0..=9999 every export holds.
fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        let y = y as u32;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        out.extend_from_slice(&[
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ]);
    } else {
        use std::io::Write;
        write!(out, "{d}").expect("a Vec takes every write");
    }
}

/// Chunks sent to the writing thread at a time (2,048 items or fewer).
const BATCH_CHUNKS: usize = 2;

/// Imports on two threads: one reads, hashes, decodes, parses and validates the source; this
/// one writes the rows into the engagement. The bounded channel keeps memory flat.
fn pipelined_import(
    tx: &rusqlite::Transaction<'_>,
    control_id: i64,
    source: &Path,
    mapping: &Mapping,
    period: Period,
    actor: &Actor,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<(i64, ValidationReport)> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(8);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_source(source, mapping, period, &sender));
        let written = write_batches(tx, control_id, mapping, actor, progress, receiver);
        // The reader's error is the cause when both failed (the writer only saw the channel close).
        let read = reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (read, written) {
            (Err(e), _) if !matches!(&e, Error::Import(i) if i.kind == import::ImportErrorKind::Cancelled) => Err(e),
            (_, written) => written,
        }
    })
}

fn read_source(
    source: &Path,
    mapping: &Mapping,
    period: Period,
    sender: &std::sync::mpsc::SyncSender<Batch>,
) -> Result<()> {
    let report = import::with_table(source, mapping.sheet.as_deref(), |table| {
        let gone = || {
            import::TableReadError::Import(import::ImportError::new(
                import::ImportErrorKind::Cancelled,
                table::display_name(source).as_str(),
                "import cancelled; nothing was imported",
            ))
        };
        let start = Batch::Start {
            file: table.file().to_string(),
            format: table.format().format.to_string(),
            headers: table.headers().to_vec(),
        };
        sender.send(start).map_err(|_| gone())?;
        let latest = std::cell::Cell::new(None);
        let mut scratch = Scratch::default();
        // The digest and the chunks' encoding and compression are here rather than on the
        // writing thread, which makes SQLite's inserts.
        let mut digest = super::digest::ItemsDigest::new();
        let mut encoder = ChunkEncoder::new()?;
        let mut chunks = Vec::with_capacity(BATCH_CHUNKS);
        let report = import::scan_with(
            table,
            mapping,
            period,
            import::DuplicateKeys::Left,
            &mut |p| {
                latest.set(Some(p));
                true
            },
            &mut |item| {
                let item = scratch.fill(item);
                digest.add(item);
                chunks.extend(encoder.push(item)?);
                if chunks.len() == BATCH_CHUNKS {
                    let full = std::mem::replace(&mut chunks, Vec::with_capacity(BATCH_CHUNKS));
                    sender.send(Batch::Chunks(full, latest.take())).map_err(|_| gone())?;
                }
                Ok(())
            },
        )?;
        chunks.extend(encoder.finish()?);
        sender.send(Batch::Chunks(chunks, latest.take())).map_err(|_| gone())?;
        Ok((report, digest.finish()))
    })?;
    sender.send(Batch::Done(Box::new(report.0), report.1)).map_err(|_| {
        import::ImportError::new(import::ImportErrorKind::Cancelled, &table::display_name(source), "import cancelled")
            .into()
    })
}

fn write_batches(
    tx: &rusqlite::Transaction<'_>,
    control_id: i64,
    mapping: &Mapping,
    actor: &Actor,
    progress: &mut dyn FnMut(Progress) -> bool,
    receiver: std::sync::mpsc::Receiver<Batch>,
) -> Result<(i64, ValidationReport)> {
    let mut population_id = 0;
    let mut file = String::new();
    let mut writer = None;
    for batch in receiver {
        match batch {
            Batch::Start { file: name, format, headers } => {
                tx.execute_batch("ROLLBACK TO import_attempt")?;
                tx.execute(
                    "INSERT INTO population (control_id, origin, source_name, format, columns, key_column, date_column, amount_column, report, item_count, imported_at, imported_by, id)
                     VALUES (?1, 'file', ?2, ?3, ?4, ?5, ?6, ?7, '{}', 0, ?8, ?9, ?10)",
                    params![
                        control_id,
                        name,
                        format,
                        serde_json::to_string(&headers).expect("strings"),
                        mapping.key,
                        mapping.date,
                        mapping.amount,
                        actor.at_text(),
                        actor.name,
                        next_id(tx, "population")?
                    ],
                )?;
                population_id = tx.last_insert_rowid();
                writer = Some(ChunkStore::new(population_id));
                file = name;
            }
            Batch::Chunks(chunks, p) => {
                let writer = writer.as_mut().ok_or_else(|| Error::invalid("items came before their source"))?;
                for chunk in &chunks {
                    writer.write(tx, chunk, true)?;
                }
                if let Some(p) = p
                    && !progress(p)
                {
                    return Err(import::ImportError::new(
                        import::ImportErrorKind::Cancelled,
                        &file,
                        "import cancelled; nothing was imported",
                    )
                    .into());
                }
            }
            Batch::Done(mut report, items_sha256) => {
                if let Some(writer) = writer.take() {
                    writer.finish(tx)?;
                }
                find_duplicate_keys(tx, population_id, &mut report)?;
                tx.execute(
                    "UPDATE population SET source_bytes = ?2, source_sha256 = ?3, report = ?4, item_count = ?5, key_column = ?6, date_column = ?7, amount_column = ?8, items_sha256 = ?9 WHERE id = ?1",
                    params![
                        population_id,
                        report.source.bytes as i64,
                        report.source.sha256,
                        serde_json::to_string(&report).expect("plain data"),
                        report.rows_accepted as i64,
                        report.key_column,
                        report.date_column,
                        report.amount_column,
                        items_sha256
                    ],
                )?;
                progress(Progress {
                    bytes_read: report.source.bytes,
                    total_bytes: report.source.bytes,
                    rows: report.rows_accepted,
                });
                return Ok((population_id, *report));
            }
        }
    }
    // The reader stopped without finishing: its error is the one to report.
    Err(import::ImportError::new(import::ImportErrorKind::Cancelled, &file, "import cancelled; nothing was imported")
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year_2026() -> Period {
        Period::parse("2026-01-01..2026-12-31").unwrap()
    }

    #[test]
    fn jsonb_fields_read_back_and_read_by_sqlite_as_the_same_json() {
        let long = "x".repeat(300);
        let longer = "é\"\\\n\t".repeat(20_000);
        let fields = ["", "CHG-1", "a \"quoted\", text", "日本語", "twelve bytes", long.as_str(), longer.as_str()];
        let mut cells = Vec::new();
        jsonb::encode(&fields, &mut cells);
        assert_eq!(jsonb::decode(&cells).unwrap(), fields);
        let conn = Connection::open_in_memory().unwrap();
        let text: String = conn.query_row("SELECT json(?1)", [&cells], |r| r.get(0)).unwrap();
        assert_eq!(serde_json::from_str::<Vec<String>>(&text).unwrap(), fields);
        let third: String = conn.query_row("SELECT json_extract(?1, '$[2]')", [&cells], |r| r.get(0)).unwrap();
        assert_eq!(third, fields[2]);
        // A truncated or foreign value is damage, not a panic.
        assert_eq!(jsonb::decode(&cells[..cells.len() - 1]), None);
        assert_eq!(jsonb::decode(b"[1]"), None);
        assert_eq!(jsonb::decode(&[]), None);
    }

    #[test]
    fn dates_are_stored_as_their_display_writes_them() {
        for (y, m, d) in [(2026, 1, 5), (1, 12, 31), (999, 2, 28), (9999, 12, 31), (10000, 1, 1), (-44, 3, 15)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut out = Vec::new();
            push_date(&mut out, date);
            assert_eq!(String::from_utf8(out).unwrap(), date.to_string());
        }
    }

    #[test]
    fn exactly_the_generatable_frequencies_are_generated() {
        for f in Frequency::ALL {
            assert_eq!(occurrences(year_2026(), f, false).is_ok(), f.generatable(), "{f}");
        }
    }

    #[test]
    fn counts_the_occurrences_of_calendar_2026() {
        // 2026 has 365 days, 261 weekdays, 53 ISO weeks touching it (2026-W01 starts on 29 Dec 2025).
        assert_eq!(occurrences(year_2026(), Frequency::Daily, false).unwrap().len(), 365);
        assert_eq!(occurrences(year_2026(), Frequency::Daily, true).unwrap().len(), 261);
        assert_eq!(occurrences(year_2026(), Frequency::Monthly, false).unwrap().len(), 12);
        let q = occurrences(year_2026(), Frequency::Quarterly, true).unwrap();
        assert_eq!(q.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(), ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
        // 2026-03-31 is a Tuesday, 2026-06-30 a Tuesday, 2026-09-30 a Wednesday, 2026-12-31 a Thursday.
        assert_eq!(q[0].1, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        let m = occurrences(year_2026(), Frequency::Monthly, true).unwrap();
        // 2026-01-31 is a Saturday: the last business day of January is Friday the 30th.
        assert_eq!(m[0], ("2026-01".to_string(), NaiveDate::from_ymd_opt(2026, 1, 30).unwrap()));
        let w = occurrences(year_2026(), Frequency::Weekly, true).unwrap();
        assert_eq!(w.len(), 53);
        assert_eq!(w[0], ("2026-W01".to_string(), NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()));
        assert!(w.windows(2).all(|p| p[0].1 < p[1].1));
    }
}
