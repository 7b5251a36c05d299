//! Exclusions in the engagement file: the rules that scope a population's sampling frame, each
//! with its reason, who, when and the rows it removed. Recorded before a sample is drawn; every
//! sample records the rules it was drawn under, and `verify` re-applies them.

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use super::Engagement;
use super::controls::{control_id, no_control};
use super::team::next_id;
use crate::engagement::scope::{ExclusionRule, Row, RuleEffect, Scoper};
use crate::engagement::{Actor, Period};
use crate::store::population::parse_date;
use crate::{Error, Result, trail};

/// One recorded exclusion rule and what it removed from the frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub id: i64,
    pub rule: ExclusionRule,
    pub reason: String,
    /// Rows this rule removed, applied in the spec's order after the rules before it.
    pub rows_removed: u64,
    /// Their source lines.
    pub lines: Vec<u64>,
    pub excluded_by: String,
    pub excluded_at: String,
}

/// An exclusion as a sample records it: the rule, its reason and exactly what it removed
/// (import positions and source lines), so the frame can be rebuilt and re-checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedExclusion {
    pub id: i64,
    pub rule: ExclusionRule,
    pub reason: String,
    pub rows_removed: u64,
    pub lines: Vec<u64>,
    pub positions: Vec<u64>,
}

impl RecordedExclusion {
    /// As the workpaper lists it: `column:Status=Canceled (39 rows): reason`. The export test
    /// reads the rule back up to " (".
    pub fn summary(&self) -> String {
        let rows = if self.rows_removed == 1 { "row" } else { "rows" };
        format!("{} ({} {rows}): {}", self.rule, self.rows_removed, self.reason)
    }
}

impl Engagement {
    /// Records an exclusion rule on the control's current population: the frame is every
    /// accepted row the rules do not remove. Refused while the control has a sample, unless
    /// `replace_sample` gives the reason to set that sample aside (it stays on record and is
    /// counted, like any draw replaced) so a new one is drawn from the scoped frame.
    pub fn exclude_rows(
        &mut self,
        control: &str,
        rule: &ExclusionRule,
        reason: &str,
        replace_sample: Option<&str>,
        actor: &Actor,
    ) -> Result<Vec<Exclusion>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let pop = self
            .current_population(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no population to scope; import one first")))?;
        if reason.trim().is_empty() {
            return Err(Error::invalid(format!("excluding rows ({rule}) needs the reason")));
        }
        let current = self.sample(control)?;
        let set_aside = match (&current, replace_sample.map(str::trim)) {
            (None, _) => None,
            (Some(s), None | Some("")) => {
                return Err(Error::invalid(format!(
                    "control {control} already has a sample (draw {}) from this frame: exclusions come before sampling; to scope the frame now, give --replace-sample REASON (the sample stays on record, is counted, and you draw again)",
                    s.draw_number
                )));
            }
            (Some(s), Some(why)) => Some((s.id, why.to_string())),
        };
        let mut existing = exclusions(self.conn(), pop.id)?;
        if existing.iter().any(|e| &e.rule == rule) {
            return Err(Error::invalid(format!("the rule {rule} is already recorded on the population of {control}")));
        }
        let period = self.info()?.period;
        let mut rules: Vec<ExclusionRule> = existing.iter().map(|e| e.rule.clone()).collect();
        rules.push(rule.clone());
        let effects = apply_rules(self.conn(), pop.id, &rules, period)?;
        let added = effects.last().expect("one rule added");
        if added.positions.is_empty() {
            return Err(Error::invalid(format!(
                "the rule {rule} removes no row of the population of {control}: nothing was recorded"
            )));
        }
        let removed = added.positions.len();
        self.write(|tx| {
            if let Some((sample_id, why)) = &set_aside {
                tx.execute(
                    "UPDATE sample SET replaced_at = ?2, replaced_by = ?3, replaced_reason = ?4 WHERE id = ?1",
                    params![sample_id, actor.at_text(), actor.name, why],
                )?;
            }
            tx.execute(
                "INSERT INTO exclusion (population_id, rule, reason, rows_removed, lines, positions, excluded_by, excluded_at, id)
                 VALUES (?1, ?2, ?3, 0, '[]', '[]', ?4, ?5, ?6)",
                params![pop.id, rule.to_string(), reason.trim(), actor.name, actor.at_text(), next_id(tx, "exclusion")?],
            )?;
            let id = tx.last_insert_rowid();
            existing.push(Exclusion {
                id,
                rule: rule.clone(),
                reason: reason.trim().to_string(),
                rows_removed: 0,
                lines: vec![],
                excluded_by: actor.name.clone(),
                excluded_at: actor.at_text(),
            });
            // A rule applied earlier in the spec's order can change what the rules after it
            // removed (a duplicate's first copy may now be out of the period): restate them all.
            let mut rows: Vec<(&str, i64)> = set_aside.iter().map(|(id, _)| ("sample", *id)).collect();
            for (e, effect) in existing.iter().zip(&effects) {
                store_effect(tx, e.id, effect)?;
                rows.push(("exclusion", e.id));
            }
            super::fieldwork::clear_signoffs(tx, cid, actor, "the population's frame was scoped")?;
            trail::record_rows(
                tx,
                actor,
                "population.excluded",
                serde_json::json!({
                    "control": control, "population": pop.id, "rule": rule.to_string(), "reason": reason.trim(),
                    "rows_removed": removed, "lines": added.lines,
                }),
                &rows,
            )?;
            Ok(())
        })?;
        exclusions(self.conn(), pop.id)
    }

    /// The exclusions recorded on the control's current population, in the order recorded.
    pub fn exclusions(&self, control: &str) -> Result<Vec<Exclusion>> {
        match self.current_population(control)? {
            Some(pop) => exclusions(self.conn(), pop.id),
            None => Ok(vec![]),
        }
    }
}

fn store_effect(tx: &Transaction<'_>, id: i64, effect: &RuleEffect) -> Result<()> {
    tx.execute(
        "UPDATE exclusion SET rows_removed = ?2, lines = ?3, positions = ?4 WHERE id = ?1",
        params![
            id,
            effect.positions.len() as i64,
            serde_json::to_string(&effect.lines).expect("numbers"),
            serde_json::to_string(&effect.positions).expect("numbers")
        ],
    )?;
    Ok(())
}

/// The population's exclusions as a sample records them.
pub(crate) fn recorded(conn: &Connection, population_id: i64) -> Result<Vec<RecordedExclusion>> {
    read(conn, population_id)?
        .into_iter()
        .map(|(e, positions)| {
            let positions = serde_json::from_str(&positions).map_err(|err| {
                Error::invalid(format!("exclusion row {}, column positions: the stored value is damaged ({err})", e.id))
            })?;
            let Exclusion { id, rule, reason, rows_removed, lines, excluded_by: _, excluded_at: _ } = e;
            Ok(RecordedExclusion { id, rule, reason, rows_removed, lines, positions })
        })
        .collect()
}

pub(crate) fn exclusions(conn: &Connection, population_id: i64) -> Result<Vec<Exclusion>> {
    Ok(read(conn, population_id)?.into_iter().map(|(e, _)| e).collect())
}

/// Each exclusion row of a population in the order recorded, with its positions as stored
/// (JSON, parsed only by the callers that need them).
fn read(conn: &Connection, population_id: i64) -> Result<Vec<(Exclusion, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, rule, reason, rows_removed, lines, excluded_by, excluded_at, positions FROM exclusion
         WHERE population_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([population_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    rows.map(|r| {
        let (id, rule, reason, rows_removed, lines, excluded_by, excluded_at, positions) = r?;
        let damaged = |what: &str, e: &dyn std::fmt::Display| {
            Error::invalid(format!("exclusion row {id}, column {what}: the stored value is damaged ({e})"))
        };
        let exclusion = Exclusion {
            id,
            rule: rule.parse().map_err(|e| damaged("rule", &e))?,
            reason,
            rows_removed: rows_removed as u64,
            lines: serde_json::from_str(&lines).map_err(|e| damaged("lines", &e))?,
            excluded_by,
            excluded_at,
        };
        Ok((exclusion, positions))
    })
    .collect()
}

/// Applies `rules` to the population's rows, in position order: each rule's effect.
pub(crate) fn apply_rules(
    conn: &Connection,
    population_id: i64,
    rules: &[ExclusionRule],
    period: Period,
) -> Result<Vec<RuleEffect>> {
    let (columns, has_dates, source): (String, bool, String) = conn.query_row(
        "SELECT columns, date_column IS NOT NULL OR origin = 'generated', source_name FROM population WHERE id = ?1",
        [population_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let columns: Vec<String> = serde_json::from_str(&columns)
        .map_err(|e| Error::invalid(format!("population row {population_id}, column columns: damaged ({e})")))?;
    let mut scoper = Scoper::new(rules, &columns, has_dates, period)?;
    super::items::for_each_item(conn, population_id, 1, |item| {
        let fields = item.fields.decode().ok_or_else(|| {
            Error::invalid(format!(
                "item {} of population {population_id}: its stored fields are damaged (not a list of texts)",
                item.position
            ))
        })?;
        scoper.check(Row {
            position: item.position as u64,
            line: item.source_row as u64,
            key: item.key,
            date: item.date.map(parse_date).transpose()?,
            fields: &fields,
        });
        Ok(true)
    })?;
    scoper.finish(&source)
}
