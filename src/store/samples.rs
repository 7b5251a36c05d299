//! Samples in the engagement file: drawn from an accepted population per SAMPLING-SPEC v1,
//! extended after exceptions, replaced only with a recorded reason, re-performed by `verify`.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::Engagement;
use super::controls::{control_id, no_control};
use super::scope::{self, RecordedExclusion};
use super::team::next_id;
use crate::draw::{self, Later, Selected, StrataBy, StrataValues};
use crate::engagement::evaluation::{Approach, Planning, SamplingPolicy, draw_warning, infer_approach, plan_sample};
use crate::engagement::scope::Frame;
use crate::engagement::{Actor, Period};
use crate::sampling::{Method, SPEC_VERSION, Seed};
use crate::{Error, Result, trail};

/// What the auditor asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRequest {
    pub method: Method,
    /// None takes the plan's size.
    pub size: Option<u64>,
    pub seed: Seed,
    /// True when Tickmark proposed the seed (from the OS's random source, at the caller).
    pub seed_proposed: bool,
    pub strata: Option<StrataBy>,
    /// Why this size in the auditor's words; None records the plan's sentence.
    pub basis: Option<String>,
    /// Required to draw again when the control already has a sample: the earlier draw is
    /// kept and marked replaced with this reason.
    pub replace_reason: Option<String>,
    /// How the size was planned: recorded with the sample, it drives the evaluation.
    pub planning: Planning,
}

/// A draw request as a person typed it: blank strata, basis and reason count as not given.
#[derive(Debug, Clone, Copy)]
pub struct TypedRequest<'a> {
    pub method: Method,
    pub size: Option<u64>,
    pub strata: Option<&'a str>,
    pub basis: Option<&'a str>,
    pub replace_reason: Option<&'a str>,
}

impl SampleRequest {
    /// The request the CLI's flags and the app's draw form both make.
    pub fn typed(
        input: TypedRequest<'_>,
        seed: Seed,
        seed_proposed: bool,
        planning: Planning,
    ) -> Result<SampleRequest> {
        let TypedRequest { method, size, strata, basis, replace_reason } = input;
        let given = |s: Option<&str>| s.filter(|s| !s.trim().is_empty()).map(String::from);
        Ok(SampleRequest {
            method,
            size,
            seed,
            seed_proposed,
            strata: given(strata).as_deref().map(str::parse::<StrataBy>).transpose()?,
            basis: given(basis),
            replace_reason: given(replace_reason),
            planning,
        })
    }
}

/// The rows that were not sampling items, so the canonical order can be rebuilt from the
/// source file (SAMPLING-SPEC §1): blank rows the import skipped and the exclusion rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub blank_rows_skipped: u64,
    pub blank_row_lines: Vec<u64>,
    /// The exclusion rules in force when the sample was drawn, with what each removed.
    #[serde(default)]
    pub exclusions: Vec<RecordedExclusion>,
}

/// Why a sample item was set aside, and the item that replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Void {
    pub reason: String,
    pub voided_by: String,
    pub voided_at: String,
    /// The ordinal of its replacement.
    pub replacement: u64,
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
    /// Position in the sampling frame (1..N after exclusions), as the spec counts.
    pub position: u64,
    /// Position among the population's accepted rows (what the grid shows).
    pub row_position: u64,
    pub source_row: u64,
    pub key: String,
    pub date: Option<NaiveDate>,
    pub stratum: Option<String>,
    pub added_at: String,
    pub fields: Vec<String>,
    /// The voided item this one replaces.
    pub replaces: Option<u64>,
    pub void: Option<Void>,
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
    /// How the size was planned; drives the evaluation.
    pub approach: Approach,
    /// Set when the size falls short of the plan (said at draw time, kept in the workpaper).
    pub warning: Option<String>,
    /// The population's column names, for the items' fields.
    pub columns: Vec<String>,
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

impl Sample {
    /// The items drawn after the first draw, in order: extensions and replacements.
    pub fn later_steps(&self) -> Vec<Later> {
        self.items
            .iter()
            .filter(|i| i.ordinal > self.initial_size)
            .map(|i| match i.replaces {
                Some(_) => Later::Replacement { stratum: i.stratum.clone() },
                None => Later::Extension,
            })
            .collect()
    }
}

#[derive(Serialize, Deserialize)]
struct StoredStrata {
    by: StrataBy,
    strata: Vec<StratumSize>,
}

impl Engagement {
    /// Draws a sample of the control's accepted, scoped population.
    pub fn draw_sample(&mut self, control: &str, req: &SampleRequest, actor: &Actor) -> Result<Sample> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        self.refuse_in_type1("sampling")?;
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
        let current = current_sample_id(self.conn(), cid)?;
        if current.is_some() && req.replace_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::invalid(format!(
                "control {control} already has a sample; to draw again give the reason with --replace \"...\" (the earlier draw stays on record and is counted)"
            )));
        }
        let period = self.info()?.period;
        let exclusions = scope::recorded(self.conn(), pop.id)?;
        let frame = frame_of(pop.item_count, &exclusions);
        let (approach, plan) =
            plan_sample(&req.planning, frame.size(), &self.frequency_table()?, &self.sampling_policy()?)?;
        let size = match req.size.or(plan.sample_size) {
            Some(n) => n,
            None => {
                return Err(Error::invalid(format!(
                    "the plan gives no sample size ({}); give the size",
                    plan.basis.trim_end_matches('.')
                )));
            }
        };
        let warning = draw_warning(&approach, size)?;
        let strata_values = match (&req.method, &req.strata) {
            (Method::Stratified, Some(by)) => Some(strata_values(self.conn(), pop.id, by, period, &frame)?),
            _ => None,
        };
        let selected = draw::select(req.method, frame.size(), size, &req.seed, strata_values)?;
        let strata = match &req.strata {
            Some(by) if req.method == Method::Stratified => Some(StoredStrata {
                by: by.clone(),
                strata: strata_sizes(self.conn(), pop.id, by, period, &frame, &selected)?,
            }),
            _ => None,
        };
        let filters = Filters {
            blank_rows_skipped: pop.report.blank_rows_skipped,
            blank_row_lines: pop.report.blank_rows_lines.clone(),
            exclusions,
        };
        let basis = req.basis.as_deref().map(str::trim).filter(|b| !b.is_empty()).unwrap_or(&plan.basis).to_string();
        let (confidence, tolerable) = match &approach {
            Approach::Statistical { confidence, tolerable_rate, .. } => {
                (Some(confidence.clone()), Some(tolerable_rate.clone()))
            }
            _ => (None, None),
        };
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
                    population_sha256, filters, strata, initial_size, size, basis, drawn_at, drawn_by, confidence, tolerable_rate, approach, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                params![
                    cid,
                    pop.id,
                    draw_number,
                    SPEC_VERSION,
                    req.method.as_str(),
                    req.seed.as_str(),
                    req.seed_proposed,
                    frame.size() as i64,
                    pop.source_name,
                    pop.source_sha256,
                    serde_json::to_string(&filters).expect("plain data"),
                    strata.as_ref().map(|s| serde_json::to_string(s).expect("plain data")),
                    size as i64,
                    basis,
                    actor.at_text(),
                    actor.name,
                    confidence,
                    tolerable,
                    serde_json::to_string(&approach).expect("plain data"),
                    next_id(tx, "sample")?,
                ],
            )?;
            let sample_id = tx.last_insert_rowid();
            insert_items(tx, sample_id, &selected, None, actor)?;
            let mut rows = vec![("sample", sample_id)];
            rows.extend(current.map(|old| ("sample", old)));
            super::fieldwork::clear_signoffs(tx, cid, actor, "a new sample was drawn")?;
            trail::record_rows(
                tx,
                actor,
                "sample.drawn",
                serde_json::json!({
                    "control": control, "draw": draw_number, "spec": SPEC_VERSION, "method": req.method.as_str(),
                    "seed": req.seed.as_str(), "population_size": frame.size(), "population_sha256": pop.source_sha256,
                    "size": size, "strata": req.strata.as_ref().map(|s| s.to_string()),
                    "approach": approach, "warning": warning,
                    "exclusions": filters.exclusions.iter().map(|e| e.rule.to_string()).collect::<Vec<_>>(),
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
            insert_items(tx, current.id, &added, None, actor)?;
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

    /// Voids an item that cannot be tested (a change cancelled before deployment, a
    /// duplicate) and draws its replacement, the next item of the same stream (SAMPLING-SPEC
    /// §3). The voided item keeps its ordinal and stays listed with the reason.
    pub fn void_item(&mut self, control: &str, ordinal: u64, reason: &str, actor: &Actor) -> Result<Sample> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let current = self
            .sample(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no sample yet; draw one first")))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(format!(
                "voiding item {ordinal} of {control} needs the reason it cannot be tested"
            )));
        }
        let item = current.items.iter().find(|i| i.ordinal == ordinal).ok_or_else(|| {
            Error::invalid(format!(
                "the sample of {control} has no item {ordinal}; its items are 1 to {}",
                current.size
            ))
        })?;
        if let Some(v) = &item.void {
            return Err(Error::invalid(format!(
                "item {ordinal} of {control} is already void ({}); its replacement is item {}",
                v.reason, v.replacement
            )));
        }
        let has_exception: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM result WHERE sample_id = ?1 AND ordinal = ?2 AND outcome = 'exception')",
            params![current.id, ordinal as i64],
            |r| r.get(0),
        )?;
        if has_exception {
            return Err(Error::invalid(format!(
                "item {ordinal} of {control} has an exception recorded: a deviation is evaluated, not voided (change the result first if it was recorded in error)"
            )));
        }
        let seed = Seed::new(current.seed.clone())?;
        let stratum = match (&item.stratum, &current.strata_by) {
            (Some(label), Some(by)) => {
                let period = self.info()?.period;
                let frame = sample_frame(&current);
                let already = current.items.iter().filter(|i| i.stratum.as_ref() == Some(label)).count() as u64;
                Some((label.as_str(), already, strata_values(self.conn(), current.population_id, by, period, &frame)?))
            }
            _ => None,
        };
        let added = draw::replacement(current.method, current.population_size, &seed, current.size, stratum)
            .map_err(|e| Error::invalid(format!("item {ordinal} of {control} cannot be replaced: {e}")))?;
        self.write(|tx| {
            insert_items(tx, current.id, std::slice::from_ref(&added), Some(ordinal), actor)?;
            tx.execute("UPDATE sample SET size = ?2 WHERE id = ?1", params![current.id, added.ordinal as i64])?;
            tx.execute(
                "INSERT INTO sample_void (sample_id, ordinal, reason, replacement, voided_by, voided_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![current.id, ordinal as i64, reason, added.ordinal as i64, actor.name, actor.at_text(), next_id(tx, "sample_void")?],
            )?;
            let void_id = tx.last_insert_rowid();
            super::fieldwork::clear_signoffs(tx, cid, actor, &format!("item {ordinal} was voided and replaced"))?;
            trail::record_rows(
                tx,
                actor,
                "sample.item_voided",
                serde_json::json!({
                    "control": control, "draw": current.draw_number, "item": ordinal, "key": item.key, "reason": reason,
                    "replacement": added.ordinal, "position": added.position, "stratum": added.stratum,
                }),
                &[("sample", current.id), ("sample_void", void_id)],
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

    /// Re-performs every stored draw from its stored population: re-applies the exclusion
    /// rules it recorded, re-draws its first items, then its extensions and replacements.
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
            // Items whose stored rows cannot be read are listed without them here: the damage
            // is `check_rows`'s finding, and the re-performance needs only positions.
            let s = load_sample_reading(self.conn(), id, &control, false)?;
            let mut differences = Vec::new();
            let items_now = super::items::count(self.conn(), s.population_id)? as i64;
            let rules: Vec<_> = s.filters.exclusions.iter().map(|e| e.rule.clone()).collect();
            let mut excluded = Vec::new();
            // Without rules the frame is every row: no need to read them all again.
            let effects = if rules.is_empty() {
                Ok(vec![])
            } else {
                scope::apply_rules(self.conn(), s.population_id, &rules, period)
            };
            match effects {
                Err(e) => differences.push(format!("the exclusion rules cannot be re-applied: {e}")),
                Ok(effects) => {
                    for (recorded, effect) in s.filters.exclusions.iter().zip(effects) {
                        if recorded.positions != effect.positions {
                            differences.push(format!(
                                "exclusion {} recorded {} rows removed; re-applied, it removes {}",
                                recorded.rule,
                                recorded.positions.len(),
                                effect.positions.len()
                            ));
                        }
                        excluded.extend(effect.positions);
                    }
                }
            }
            let frame = Frame::new(items_now as u64, excluded);
            if frame.size() != s.population_size {
                differences.push(format!(
                    "the frame held {} items when drawn and holds {} now",
                    s.population_size,
                    frame.size()
                ));
            }
            if let Err(e) = check_voids(self.conn(), &s) {
                differences.push(e.to_string());
            }
            let later = s.later_steps();
            let recomputed = Seed::new(s.seed.clone()).map_err(Error::from).and_then(|seed| {
                let values = match &s.strata_by {
                    Some(by) => Some(strata_values(self.conn(), s.population_id, by, period, &sample_frame(&s))?),
                    None => None,
                };
                draw::reperform(s.method, s.population_size, &seed, s.initial_size, values, &later)
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

    /// The engagement's sampling policy: event-driven bands and the expansion rule.
    pub fn sampling_policy(&self) -> Result<SamplingPolicy> {
        let stored: Option<String> =
            self.conn().query_row("SELECT sampling_policy FROM engagement WHERE id = 1", [], |r| r.get(0))?;
        match stored {
            None => Ok(SamplingPolicy::default()),
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                Error::invalid(format!("engagement row 1, column sampling_policy: the stored value is damaged ({e})"))
            }),
        }
    }

    /// Replaces the engagement's sampling policy.
    pub fn set_sampling_policy(&mut self, policy: &SamplingPolicy, actor: &Actor) -> Result<()> {
        let json = serde_json::to_string(policy).expect("plain data");
        self.write(|tx| {
            tx.execute("UPDATE engagement SET sampling_policy = ?1 WHERE id = 1", [&json])?;
            trail::record_rows(
                tx,
                actor,
                "sampling_policy.changed",
                serde_json::from_str(&json).expect("just written"),
                &[("engagement", 1)],
            )?;
            Ok(())
        })
    }
}

/// Each void's replacement must be the item that records it replaces the void.
fn check_voids(conn: &Connection, s: &Sample) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT ordinal, replacement FROM sample_void WHERE sample_id = ?1 ORDER BY ordinal")?;
    let voids: Vec<(i64, i64)> =
        stmt.query_map([s.id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (ordinal, replacement) in &voids {
        let ok = s.items.iter().any(|i| i.ordinal == *replacement as u64 && i.replaces == Some(*ordinal as u64));
        if !ok {
            return Err(Error::invalid(format!(
                "void of item {ordinal}: its replacement, item {replacement}, does not record replacing it"
            )));
        }
    }
    for i in s.items.iter().filter(|i| i.replaces.is_some()) {
        let replaced = i.replaces.unwrap_or(0) as i64;
        if !voids.iter().any(|(o, r)| *o == replaced && *r == i.ordinal as i64) {
            return Err(Error::invalid(format!(
                "item {} records replacing item {replaced}, but no void of item {replaced} names it",
                i.ordinal
            )));
        }
    }
    Ok(())
}

/// The frame a stored sample was drawn from, from the exclusions it recorded.
fn sample_frame(s: &Sample) -> Frame {
    let excluded: u64 = s.filters.exclusions.iter().map(|e| e.positions.len() as u64).sum();
    frame_of(s.population_size + excluded, &s.filters.exclusions)
}

/// The frame of `rows` accepted rows less what the exclusions removed.
fn frame_of(rows: u64, exclusions: &[RecordedExclusion]) -> Frame {
    Frame::new(rows, exclusions.iter().flat_map(|e| e.positions.iter().copied()).collect())
}

/// Fills in the approach of samples drawn before it was recorded; returns each sample's id
/// and a note of what was inferred, for the upgrade's event.
pub(crate) fn infer_approaches(tx: &Transaction<'_>) -> Result<Vec<(i64, serde_json::Value)>> {
    let rows: Vec<(i64, Option<String>, Option<String>, String)> = {
        let mut stmt =
            tx.prepare("SELECT id, confidence, tolerable_rate, basis FROM sample WHERE approach IS NULL ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::with_capacity(rows.len());
    for (id, confidence, tolerable, basis) in rows {
        let approach = infer_approach(confidence.as_deref(), tolerable.as_deref(), &basis);
        let json = serde_json::to_string(&approach).expect("plain data");
        tx.execute("UPDATE sample SET approach = ?2 WHERE id = ?1", params![id, json])?;
        out.push((id, serde_json::json!({ "sample": id, "approach": approach })));
    }
    Ok(out)
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

fn insert_items(
    tx: &Transaction<'_>,
    sample_id: i64,
    items: &[Selected],
    replaces: Option<u64>,
    actor: &Actor,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sample_item (sample_id, ordinal, position, stratum, added_at, added_by, replaces) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for s in items {
        stmt.execute(params![
            sample_id,
            s.ordinal as i64,
            s.position as i64,
            s.stratum,
            actor.at_text(),
            actor.name,
            replaces.map(|r| r as i64)
        ])?;
    }
    Ok(())
}

/// Each frame item's date or column value, in frame order, for a stratification.
fn strata_values(
    conn: &Connection,
    population_id: i64,
    by: &StrataBy,
    period: Period,
    frame: &Frame,
) -> Result<StrataValues> {
    let in_frame = |position: i64| frame.frame_position(position as u64).is_some();
    match by {
        StrataBy::Quarter | StrataBy::Month => {
            let mut dates = Vec::with_capacity(frame.size() as usize);
            super::items::for_each_item(conn, population_id, 1, |item| {
                if in_frame(item.position) {
                    dates.push(item.date.map(super::population::parse_date).transpose()?);
                }
                Ok(true)
            })?;
            Ok(StrataValues::Dates { monthly: *by == StrataBy::Month, period, dates })
        }
        StrataBy::Column(name) => {
            let columns = population_columns(conn, population_id)?;
            let index = crate::import::find_column("the population", &columns, name, "strata").map_err(Error::from)?;
            let mut values = Vec::with_capacity(frame.size() as usize);
            super::items::for_each_item(conn, population_id, 1, |item| {
                if in_frame(item.position) {
                    let mut fields = item.to_item()?.fields;
                    values.push(if index < fields.len() { fields.swap_remove(index) } else { String::new() });
                }
                Ok(true)
            })?;
            Ok(StrataValues::Column(values))
        }
    }
}

fn population_columns(conn: &Connection, population_id: i64) -> Result<Vec<String>> {
    let columns: String =
        conn.query_row("SELECT columns FROM population WHERE id = ?1", [population_id], |r| r.get(0))?;
    serde_json::from_str(&columns).map_err(|e| {
        Error::invalid(format!("population row {population_id}, column columns: the stored value is damaged ({e})"))
    })
}

/// The strata of a stratified draw with their sizes and how many items each gave.
fn strata_sizes(
    conn: &Connection,
    population_id: i64,
    by: &StrataBy,
    period: Period,
    frame: &Frame,
    selected: &[Selected],
) -> Result<Vec<StratumSize>> {
    let labels: Vec<String> = match strata_values(conn, population_id, by, period, frame)? {
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
            return Ok(count_selected(sizes, selected.iter().map(|s| s.stratum.as_deref())));
        }
        StrataValues::Column(values) => values,
    };
    let mut sizes: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for l in labels {
        *sizes.entry(l).or_default() += 1;
    }
    Ok(count_selected(
        sizes.into_iter().map(|(label, size)| StratumSize { label, size, selected: 0 }).collect(),
        selected.iter().map(|s| s.stratum.as_deref()),
    ))
}

fn count_selected<'a>(mut sizes: Vec<StratumSize>, strata: impl Iterator<Item = Option<&'a str>>) -> Vec<StratumSize> {
    for st in &mut sizes {
        st.selected = 0;
    }
    for label in strata.flatten() {
        if let Some(st) = sizes.iter_mut().find(|x| x.label == label) {
            st.selected += 1;
        }
    }
    sizes
}

fn load_sample(conn: &Connection, id: i64, control: &str) -> Result<Sample> {
    load_sample_reading(conn, id, control, true)
}

/// `load_sample`; with `strict` false, an item whose population rows cannot be read (a damaged
/// chunk) is listed without its row instead of failing.
fn load_sample_reading(conn: &Connection, id: i64, control: &str, strict: bool) -> Result<Sample> {
    let damaged = |column: &str, e: &dyn std::fmt::Display| {
        Error::invalid(format!("sample row {id}, column {column}: the stored value is damaged ({e})"))
    };
    let row = conn.query_row(
        "SELECT id, control_id, draw_number, spec, method, seed, seed_proposed, population_id, population_size, population_name,
                population_sha256, filters, strata, initial_size, size, basis, drawn_at, drawn_by, replaced_at, replaced_by, replaced_reason,
                confidence, tolerable_rate, approach
         FROM sample WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, i64>(1)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(11)?,
                r.get::<_, Option<String>>(12)?,
                r.get::<_, Option<String>>(23)?,
                Sample {
                    id: r.get(0)?,
                    control: control.to_string(),
                    draw_number: r.get::<_, i64>(2)? as u64,
                    draws: 0,
                    spec: r.get(3)?,
                    method: Method::Random,
                    seed: r.get(5)?,
                    seed_proposed: r.get(6)?,
                    population_id: r.get(7)?,
                    population_size: r.get::<_, i64>(8)? as u64,
                    population_name: r.get(9)?,
                    population_sha256: r.get(10)?,
                    filters: Filters { blank_rows_skipped: 0, blank_row_lines: vec![], exclusions: vec![] },
                    strata_by: None,
                    strata: vec![],
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
                    approach: Approach::Judgemental { reason: String::new() },
                    warning: None,
                    columns: vec![],
                    items: vec![],
                },
            ))
        },
    )?;
    let (control_id, method, filters, strata, approach, mut s) = row;
    s.method = method.parse().map_err(|e| damaged("method", &e))?;
    s.filters = serde_json::from_str(&filters).map_err(|e| damaged("filters", &e))?;
    if let Some(strata) = strata {
        let stored: StoredStrata = serde_json::from_str(&strata).map_err(|e| damaged("strata", &e))?;
        s.strata_by = Some(stored.by);
        s.strata = stored.strata;
    }
    let approach = approach.ok_or_else(|| damaged("approach", &"missing"))?;
    s.approach = serde_json::from_str(&approach).map_err(|e| damaged("approach", &e))?;
    s.warning = draw_warning(&s.approach, s.initial_size).unwrap_or_else(|e| Some(e.to_string()));
    s.columns = population_columns(conn, s.population_id)?;
    let draws: i64 = conn.query_row("SELECT COUNT(*) FROM sample WHERE control_id = ?1", [control_id], |r| r.get(0))?;
    s.draws = draws as u64;
    let voids: std::collections::BTreeMap<u64, Void> = {
        let mut stmt = conn.prepare_cached(
            "SELECT ordinal, reason, voided_by, voided_at, replacement FROM sample_void WHERE sample_id = ?1",
        )?;
        stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                Void {
                    reason: r.get(1)?,
                    voided_by: r.get(2)?,
                    voided_at: r.get(3)?,
                    replacement: r.get::<_, i64>(4)? as u64,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let frame = sample_frame(&s);
    let mut stmt = conn.prepare_cached(
        "SELECT ordinal, position, stratum, added_at, replaces FROM sample_item WHERE sample_id = ?1 ORDER BY ordinal",
    )?;
    /// A sample_item row: ordinal, frame position, stratum, added at, the ordinal it replaces.
    type Listed = (u64, u64, Option<String>, String, Option<i64>);
    let listed: Vec<Listed> = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lookup = super::items::ItemLookup::new(conn, s.population_id);
    let mut voids = voids;
    for (ordinal, position, stratum, added_at, replaces) in listed {
        let row_position = frame.row_position(position);
        /// Source row, key, date, and the fields (None when damaged).
        type Found = (i64, String, Option<String>, Option<Vec<String>>);
        let found: Option<Found> = match lookup.get(row_position as i64) {
            Ok(item) => item.map(|item| {
                (item.source_row, item.key.to_string(), item.date.map(str::to_string), item.fields.decode())
            }),
            Err(_) if !strict => None,
            Err(e) => return Err(e),
        };
        // A row missing from the population is reported by `verify`; the listing shows the
        // item without its row rather than failing the whole workpaper.
        let (source_row, key, date, fields) = match found {
            Some((line, key, date, fields)) => (
                line as u64,
                key,
                date.as_deref().map(super::population::parse_date).transpose()?,
                fields.ok_or_else(|| {
                    Error::invalid(format!(
                        "item {row_position} of population {}: its stored fields are damaged (not a list of texts)",
                        s.population_id
                    ))
                })?,
            ),
            None => (0, String::new(), None, vec![]),
        };
        s.items.push(SampleItem {
            ordinal,
            position,
            row_position,
            source_row,
            key,
            date,
            stratum,
            added_at,
            fields,
            replaces: replaces.map(|r| r as u64),
            void: voids.remove(&ordinal),
        });
    }
    s.strata = count_selected(std::mem::take(&mut s.strata), s.items.iter().map(|i| i.stratum.as_deref()));
    Ok(s)
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
            trail::record_rows(
                tx,
                actor,
                "frequency_table.changed",
                serde_json::from_str(&json).expect("just written"),
                &[("engagement", 1)],
            )?;
            Ok(())
        })
    }
}
