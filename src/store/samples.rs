//! Samples in the engagement file: drawn from an accepted population per SAMPLING-SPEC v1,
//! extended after exceptions, replaced only with a recorded reason, re-performed by `verify`.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::Engagement;
use super::controls::{control_id, no_control};
use crate::draw::{self, Selected, StrataBy, StrataValues};
use crate::engagement::{Actor, Period};
use crate::sampling::{Method, SPEC_VERSION, Seed};
use crate::{Error, Result, trail};

/// What the auditor asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRequest {
    pub method: Method,
    pub size: u64,
    pub seed: Seed,
    /// True when Tickmark proposed the seed (from the OS's random source, at the caller).
    pub seed_proposed: bool,
    pub strata: Option<StrataBy>,
    /// Why this size: the plan's sentence, or the auditor's words.
    pub basis: String,
    /// Required to draw again when the control already has a sample: the earlier draw is
    /// kept and marked replaced with this reason.
    pub replace_reason: Option<String>,
    /// The planned confidence (e.g. "0.95") the deviations are evaluated at.
    pub confidence: crate::sampling::Rate,
    pub tolerable_rate: Option<crate::sampling::Rate>,
}

/// The rows that were not population items, so the canonical order can be rebuilt from the
/// source file (SAMPLING-SPEC §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub blank_rows_skipped: u64,
    pub blank_row_lines: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumSize {
    pub label: String,
    pub size: u64,
    pub selected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleItem {
    pub ordinal: u64,
    pub position: u64,
    pub source_row: u64,
    pub key: String,
    pub date: Option<NaiveDate>,
    pub stratum: Option<String>,
    pub added_at: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    pub id: i64,
    pub control: String,
    pub draw_number: u64,
    /// Every draw for this control so far, replaced ones included.
    pub draws: u64,
    pub spec: String,
    pub method: Method,
    pub seed: String,
    pub seed_proposed: bool,
    pub population_id: i64,
    pub population_size: u64,
    pub population_name: String,
    pub population_sha256: Option<String>,
    pub filters: Filters,
    pub strata_by: Option<StrataBy>,
    pub strata: Vec<StratumSize>,
    pub initial_size: u64,
    pub size: u64,
    pub basis: String,
    pub drawn_at: String,
    pub drawn_by: String,
    pub replaced_at: Option<String>,
    pub replaced_by: Option<String>,
    pub replaced_reason: Option<String>,
    pub confidence: Option<String>,
    pub tolerable_rate: Option<String>,
    pub items: Vec<SampleItem>,
}

/// The outcome of re-performing one stored sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleCheck {
    pub control: String,
    pub draw_number: u64,
    pub method: Method,
    pub size: u64,
    pub matches: bool,
    pub differences: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredStrata {
    by: StrataBy,
    strata: Vec<StratumSize>,
}

impl Engagement {
    /// Draws a sample of the control's accepted population.
    pub fn draw_sample(&mut self, control: &str, req: &SampleRequest, actor: &Actor) -> Result<Sample> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let pop = self.current_population(control)?.ok_or_else(|| {
            Error::invalid(format!("control {control} has no population: import or generate one first"))
        })?;
        if pop.accepted_at.is_none() {
            return Err(Error::invalid(format!(
                "the population of {control} has not been accepted: review its validation report, then `tickmark population accept`"
            )));
        }
        if req.method != Method::Stratified && req.strata.is_some() {
            return Err(Error::invalid(format!("--strata goes with --method stratified, not {}", req.method)));
        }
        let period = self.info()?.period;
        let strata_values = match (&req.method, &req.strata) {
            (Method::Stratified, Some(by)) => Some(strata_values(self.conn(), pop.id, by, period)?),
            _ => None,
        };
        let selected = draw::select(req.method, pop.item_count, req.size, &req.seed, strata_values)?;
        let strata = match &req.strata {
            Some(by) if req.method == Method::Stratified => {
                Some(StoredStrata { by: by.clone(), strata: strata_sizes(self.conn(), pop.id, by, period, &selected)? })
            }
            _ => None,
        };
        let filters = Filters {
            blank_rows_skipped: pop.report.blank_rows_skipped,
            blank_row_lines: pop.report.blank_rows_lines.clone(),
        };
        let current = current_sample_id(self.conn(), cid)?;
        if current.is_some() && req.replace_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::invalid(format!(
                "control {control} already has a sample; to draw again give the reason with --replace \"...\" (the earlier draw stays on record and is counted)"
            )));
        }
        self.write(|tx| {
            if let (Some(old), Some(reason)) = (current, &req.replace_reason) {
                tx.execute(
                    "UPDATE sample SET replaced_at = ?2, replaced_by = ?3, replaced_reason = ?4 WHERE id = ?1",
                    params![old, actor.at_text(), actor.name, reason.trim()],
                )?;
            }
            let draw_number: i64 =
                tx.query_row("SELECT COALESCE(MAX(draw_number), 0) + 1 FROM sample WHERE control_id = ?1", [cid], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO sample (control_id, population_id, draw_number, spec, method, seed, seed_proposed, population_size, population_name,
                    population_sha256, filters, strata, initial_size, size, basis, drawn_at, drawn_by, confidence, tolerable_rate)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    cid,
                    pop.id,
                    draw_number,
                    SPEC_VERSION,
                    req.method.as_str(),
                    req.seed.as_str(),
                    req.seed_proposed,
                    pop.item_count as i64,
                    pop.source_name,
                    pop.source_sha256,
                    serde_json::to_string(&filters).expect("plain data"),
                    strata.as_ref().map(|s| serde_json::to_string(s).expect("plain data")),
                    req.size as i64,
                    req.basis.trim(),
                    actor.at_text(),
                    actor.name,
                    req.confidence.decimal().normalize().to_string(),
                    req.tolerable_rate.map(|r| r.decimal().normalize().to_string())
                ],
            )?;
            let sample_id = tx.last_insert_rowid();
            insert_items(tx, sample_id, &selected, actor)?;
            let mut rows = vec![("sample", sample_id)];
            rows.extend(current.map(|old| ("sample", old)));
            super::fieldwork::clear_signoffs(tx, cid, actor, "a new sample was drawn")?;
            trail::record_rows(
                tx,
                actor,
                "sample.drawn",
                serde_json::json!({
                    "control": control, "draw": draw_number, "spec": SPEC_VERSION, "method": req.method.as_str(),
                    "seed": req.seed.as_str(), "population_size": pop.item_count, "population_sha256": pop.source_sha256,
                    "size": req.size, "strata": req.strata.as_ref().map(|s| s.to_string()),
                    "replaced_reason": req.replace_reason,
                    "positions": selected.iter().map(|s| s.position).collect::<Vec<_>>(),
                }),
                &rows,
            )?;
            Ok(())
        })?;
        self.sample(control)?.ok_or_else(|| Error::invalid("the sample was not saved"))
    }

    /// Extends the control's current `random` sample to `new_size` items; the earlier items
    /// keep their ordinals (SAMPLING-SPEC §3).
    pub fn extend_sample(&mut self, control: &str, new_size: u64, actor: &Actor) -> Result<Sample> {
        let current = self
            .sample(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no sample to extend")))?;
        let seed = Seed::new(current.seed.clone())?;
        let added = draw::extend(current.method, current.population_size, &seed, current.size, new_size)?;
        self.write(|tx| {
            insert_items(tx, current.id, &added, actor)?;
            tx.execute("UPDATE sample SET size = ?2 WHERE id = ?1", params![current.id, new_size as i64])?;
            let cid = control_id(tx, control)?.ok_or_else(|| no_control(control))?;
            super::fieldwork::clear_signoffs(tx, cid, actor, "the sample was extended")?;
            trail::record_rows(
                tx,
                actor,
                "sample.extended",
                serde_json::json!({
                    "control": control, "draw": current.draw_number, "from": current.size, "to": new_size,
                    "positions": added.iter().map(|s| s.position).collect::<Vec<_>>(),
                }),
                &[("sample", current.id)],
            )?;
            Ok(())
        })?;
        self.sample(control)?.ok_or_else(|| Error::invalid("the sample vanished"))
    }

    /// The control's current sample (the latest draw that was not replaced).
    pub fn sample(&self, control: &str) -> Result<Option<Sample>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        match current_sample_id(self.conn(), cid)? {
            Some(id) => Ok(Some(load_sample(self.conn(), id, control)?)),
            None => Ok(None),
        }
    }

    /// Every draw ever made for the control, oldest first, replaced ones included.
    pub fn sample_history(&self, control: &str) -> Result<Vec<Sample>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let ids: Vec<i64> = {
            let mut stmt = self.conn().prepare("SELECT id FROM sample WHERE control_id = ?1 ORDER BY draw_number")?;
            stmt.query_map([cid], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.into_iter().map(|id| load_sample(self.conn(), id, control)).collect()
    }

    /// Re-performs every stored draw from its stored population and compares the selection.
    pub fn verify_samples(&self) -> Result<Vec<SampleCheck>> {
        let period = self.info()?.period;
        let rows: Vec<(i64, String)> = {
            let mut stmt = self.conn().prepare(
                "SELECT s.id, c.code FROM sample s JOIN control c ON c.id = s.control_id ORDER BY c.code, s.draw_number",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let mut checks = Vec::new();
        for (id, control) in rows {
            let s = load_sample(self.conn(), id, &control)?;
            let mut differences = Vec::new();
            let items_now: i64 = self.conn().query_row(
                "SELECT COUNT(*) FROM population_item WHERE population_id = ?1",
                [s.population_id],
                |r| r.get(0),
            )?;
            if items_now as u64 != s.population_size {
                differences.push(format!(
                    "the population held {} items when drawn and holds {} now",
                    s.population_size, items_now
                ));
            }
            let recomputed = Seed::new(s.seed.clone()).map_err(Error::from).and_then(|seed| {
                let values = match &s.strata_by {
                    Some(by) => Some(strata_values(self.conn(), s.population_id, by, period)?),
                    None => None,
                };
                draw::select(s.method, s.population_size, s.size.max(s.initial_size), &seed, values)
            });
            match recomputed {
                Err(e) => differences.push(format!("the selection cannot be re-performed: {e}")),
                Ok(expected) => {
                    if expected.len() != s.items.len() {
                        differences.push(format!("{} items recorded, {} re-performed", s.items.len(), expected.len()));
                    }
                    for (e, got) in expected.iter().zip(&s.items) {
                        if e.position != got.position || e.stratum != got.stratum {
                            differences.push(format!(
                                "item {}: recorded position {}, re-performed position {}",
                                got.ordinal, got.position, e.position
                            ));
                        }
                    }
                }
            }
            checks.push(SampleCheck {
                control,
                draw_number: s.draw_number,
                method: s.method,
                size: s.size,
                matches: differences.is_empty(),
                differences,
            });
        }
        Ok(checks)
    }
}

fn current_sample_id(conn: &Connection, control_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM sample WHERE control_id = ?1 AND replaced_at IS NULL ORDER BY draw_number DESC LIMIT 1",
            [control_id],
            |r| r.get(0),
        )
        .optional()?)
}

fn insert_items(tx: &Transaction<'_>, sample_id: i64, items: &[Selected], actor: &Actor) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sample_item (sample_id, ordinal, position, stratum, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for s in items {
        stmt.execute(params![sample_id, s.ordinal as i64, s.position as i64, s.stratum, actor.at_text(), actor.name])?;
    }
    Ok(())
}

/// Each item's date or column value, in position order, for a stratification.
fn strata_values(conn: &Connection, population_id: i64, by: &StrataBy, period: Period) -> Result<StrataValues> {
    match by {
        StrataBy::Quarter | StrataBy::Month => {
            let mut stmt =
                conn.prepare("SELECT date FROM population_item WHERE population_id = ?1 ORDER BY position")?;
            let dates = stmt
                .query_map([population_id], |r| r.get::<_, Option<String>>(0))?
                .map(|d| Ok(d?.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())))
                .collect::<rusqlite::Result<_>>()?;
            Ok(StrataValues::Dates { monthly: *by == StrataBy::Month, period, dates })
        }
        StrataBy::Column(name) => {
            let columns: String =
                conn.query_row("SELECT columns FROM population WHERE id = ?1", [population_id], |r| r.get(0))?;
            let columns: Vec<String> = serde_json::from_str(&columns).unwrap_or_default();
            let index = crate::import::find_column("the population", &columns, name, "strata").map_err(Error::from)?;
            let mut stmt = conn.prepare(
                "SELECT json_extract(fields, '$[' || ?2 || ']') FROM population_item WHERE population_id = ?1 ORDER BY position",
            )?;
            let values = stmt
                .query_map(params![population_id, index as i64], |r| r.get::<_, Option<String>>(0))?
                .map(|v| Ok(v?.unwrap_or_default()))
                .collect::<rusqlite::Result<_>>()?;
            Ok(StrataValues::Column(values))
        }
    }
}

/// The strata of a stratified draw with their sizes and how many items each gave.
fn strata_sizes(
    conn: &Connection,
    population_id: i64,
    by: &StrataBy,
    period: Period,
    selected: &[Selected],
) -> Result<Vec<StratumSize>> {
    let labels: Vec<String> = match strata_values(conn, population_id, by, period)? {
        StrataValues::Dates { monthly, period, dates } => {
            let label = if monthly { crate::sampling::month_label } else { crate::sampling::quarter_label };
            let all = if monthly {
                crate::sampling::month_labels(period.start, period.end)?
            } else {
                crate::sampling::quarter_labels(period.start, period.end)?
            };
            let mut sizes: Vec<StratumSize> =
                all.into_iter().map(|l| StratumSize { label: l, size: 0, selected: 0 }).collect();
            for d in dates.into_iter().flatten() {
                if let Some(s) = sizes.iter_mut().find(|s| s.label == label(d)) {
                    s.size += 1;
                }
            }
            return Ok(count_selected(sizes, selected));
        }
        StrataValues::Column(values) => values,
    };
    let mut sizes: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for l in labels {
        *sizes.entry(l).or_default() += 1;
    }
    Ok(count_selected(
        sizes.into_iter().map(|(label, size)| StratumSize { label, size, selected: 0 }).collect(),
        selected,
    ))
}

fn count_selected(mut sizes: Vec<StratumSize>, selected: &[Selected]) -> Vec<StratumSize> {
    for s in selected {
        if let Some(st) = sizes.iter_mut().find(|x| Some(&x.label) == s.stratum.as_ref()) {
            st.selected += 1;
        }
    }
    sizes
}

fn load_sample(conn: &Connection, id: i64, control: &str) -> Result<Sample> {
    let mut s = conn.query_row(
        "SELECT id, control_id, draw_number, spec, method, seed, seed_proposed, population_id, population_size, population_name,
                population_sha256, filters, strata, initial_size, size, basis, drawn_at, drawn_by, replaced_at, replaced_by, replaced_reason,
                confidence, tolerable_rate
         FROM sample WHERE id = ?1",
        [id],
        |r| {
            let method: String = r.get(4)?;
            let filters: String = r.get(11)?;
            let strata: Option<String> = r.get(12)?;
            let stored: Option<StoredStrata> = strata.and_then(|s| serde_json::from_str(&s).ok());
            Ok((
                r.get::<_, i64>(1)?,
                Sample {
                    id: r.get(0)?,
                    control: control.to_string(),
                    draw_number: r.get::<_, i64>(2)? as u64,
                    draws: 0,
                    spec: r.get(3)?,
                    method: method.parse().unwrap_or(Method::Random),
                    seed: r.get(5)?,
                    seed_proposed: r.get(6)?,
                    population_id: r.get(7)?,
                    population_size: r.get::<_, i64>(8)? as u64,
                    population_name: r.get(9)?,
                    population_sha256: r.get(10)?,
                    filters: serde_json::from_str(&filters).unwrap_or(Filters { blank_rows_skipped: 0, blank_row_lines: vec![] }),
                    strata_by: stored.as_ref().map(|s| s.by.clone()),
                    strata: stored.map(|s| s.strata).unwrap_or_default(),
                    initial_size: r.get::<_, i64>(13)? as u64,
                    size: r.get::<_, i64>(14)? as u64,
                    basis: r.get(15)?,
                    drawn_at: r.get(16)?,
                    drawn_by: r.get(17)?,
                    replaced_at: r.get(18)?,
                    replaced_by: r.get(19)?,
                    replaced_reason: r.get(20)?,
                    confidence: r.get(21)?,
                    tolerable_rate: r.get(22)?,
                    items: vec![],
                },
            ))
        },
    )?;
    let draws: i64 = conn.query_row("SELECT COUNT(*) FROM sample WHERE control_id = ?1", [s.0], |r| r.get(0))?;
    s.1.draws = draws as u64;
    let mut stmt = conn.prepare_cached(
        "SELECT si.ordinal, si.position, pi.source_row, pi.key, pi.date, si.stratum, si.added_at, pi.fields
         FROM sample_item si LEFT JOIN population_item pi ON pi.population_id = ?2 AND pi.position = si.position
         WHERE si.sample_id = ?1 ORDER BY si.ordinal",
    )?;
    s.1.items = stmt
        .query_map(params![id, s.1.population_id], |r| {
            let date: Option<String> = r.get(4)?;
            let fields: Option<String> = r.get(7)?;
            Ok(SampleItem {
                ordinal: r.get::<_, i64>(0)? as u64,
                position: r.get::<_, i64>(1)? as u64,
                source_row: r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64,
                key: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                date: date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                stratum: r.get(5)?,
                added_at: r.get(6)?,
                fields: fields.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(s.1)
}

impl Engagement {
    /// The firm's frequency table as this engagement uses it (the default until edited).
    pub fn frequency_table(&self) -> Result<crate::sampling::FrequencyTable> {
        let stored: Option<String> =
            self.conn().query_row("SELECT frequency_table FROM engagement WHERE id = 1", [], |r| r.get(0))?;
        match stored {
            None => Ok(crate::sampling::FrequencyTable::firm_default()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::invalid(format!("the stored frequency table is damaged: {e}"))),
        }
    }

    /// Replaces this engagement's frequency table.
    pub fn set_frequency_table(&mut self, table: &crate::sampling::FrequencyTable, actor: &Actor) -> Result<()> {
        let json = serde_json::to_string(table).expect("plain data");
        self.write(|tx| {
            tx.execute("UPDATE engagement SET frequency_table = ?1 WHERE id = 1", [&json])?;
            trail::record(tx, actor, "frequency_table.changed", serde_json::from_str(&json).expect("just written"))?;
            Ok(())
        })
    }
}
