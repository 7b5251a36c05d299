//! Procedures, walkthroughs, deficiency evaluations and SOC 1 control objectives in the
//! engagement file, and the criteria coverage read from them. Every write is one transaction
//! with its event; a change to what a sign-off covers clears it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Engagement;
use super::controls::{control_id, no_control};
use super::fieldwork::clear_signoffs;
use super::team::next_id;
use crate::engagement::criteria;
use crate::engagement::design::{
    CompensatingControl, Deficiency, DeficiencyInput, DesignConclusion, Objective, ProcedureInput, ProcedureStep,
    Walkthrough, WalkthroughInput,
};
use crate::engagement::fieldwork::{NoteStatus, SignOff, SignOffRole};
use crate::engagement::rollup::{self, ControlFacts, ControlState, Coverage, DashboardRow};
use crate::engagement::{Actor, ReportType};
use crate::{Error, Result, trail};

/// A control's criteria references as read against the engagement: each normalised to the
/// catalogue's ID (SOC 2) or to a defined control objective (SOC 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCriteria {
    pub ids: Vec<String>,
    /// `"cc61" read as CC6.1`, one per reference that was typed differently.
    pub notes: Vec<String>,
}

/// Checks references against the catalogue or the engagement's objectives: an unknown one is
/// refused naming the nearest valid ID.
pub(crate) fn check_criteria(conn: &Connection, report: ReportType, typed: &[String]) -> Result<CheckedCriteria> {
    let mut ids: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let objectives = if report.is_soc1() { load_objectives(conn)? } else { Vec::new() };
    for t in typed {
        let id = if report.is_soc1() {
            let folded = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
            match objectives.iter().find(|o| folded(&o.code) == folded(t)) {
                Some(o) => o.code.clone(),
                None if objectives.is_empty() => {
                    return Err(Error::invalid(format!(
                        "control objective {t:?} is not defined: a SOC 1 engagement defines its control objectives first (`tickmark objective add ENG --id CO1 --title ...`)"
                    )));
                }
                None => {
                    let list: Vec<&str> = objectives.iter().map(|o| o.code.as_str()).collect();
                    return Err(Error::invalid(format!(
                        "control objective {t:?} is not defined in this engagement; its objectives are {}",
                        list.join(", ")
                    )));
                }
            }
        } else {
            criteria::reference(t)?.criterion.id.to_string()
        };
        if id != *t {
            notes.push(format!("{t:?} read as {id}"));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(CheckedCriteria { ids, notes })
}

impl Engagement {
    /// Defines a SOC 1 control objective.
    pub fn add_objective(&mut self, objective: &Objective, actor: &Actor) -> Result<Objective> {
        let objective = Objective::new(&objective.code, &objective.title)?;
        if !self.info()?.report.is_soc1() {
            return Err(Error::invalid(
                "control objectives belong to SOC 1 engagements; a SOC 2 engagement's controls reference the Trust Services Criteria",
            ));
        }
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM objective WHERE upper(code) = upper(?1)", [&objective.code], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Err(Error::invalid(format!("control objective {} is already defined", objective.code)));
            }
            tx.execute(
                "INSERT INTO objective (code, title, id) VALUES (?1, ?2, ?3)",
                params![objective.code, objective.title, next_id(tx, "objective")?],
            )?;
            let id = tx.last_insert_rowid();
            trail::record_rows(
                tx,
                actor,
                "objective.added",
                serde_json::json!({ "objective": objective.code }),
                &[("objective", id)],
            )?;
            Ok(objective.clone())
        })
    }

    pub fn objectives(&self) -> Result<Vec<Objective>> {
        load_objectives(self.conn())
    }

    /// The control's procedure steps in order.
    pub fn procedures(&self, control: &str) -> Result<Vec<ProcedureStep>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        load_procedures(self.conn(), cid)
    }

    /// Appends a step to the control's procedure.
    pub fn add_procedure(&mut self, control: &str, step: &ProcedureInput, actor: &Actor) -> Result<Vec<ProcedureStep>> {
        let step = ProcedureInput::new(step.nature, &step.text)?;
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        self.write(|tx| {
            let id = insert_procedures(tx, cid, std::slice::from_ref(&step))?[0];
            clear_signoffs(tx, cid, actor, "the test procedure changed")?;
            super::carry::confirm(tx, cid, "control", actor)?;
            trail::record_rows(
                tx,
                actor,
                "procedure.added",
                serde_json::json!({ "control": control, "nature": step.nature.as_str() }),
                &[("procedure_step", id)],
            )?;
            load_procedures(tx, cid)
        })
    }

    /// Rewrites step `position` (1-based) of the control's procedure.
    pub fn edit_procedure(
        &mut self,
        control: &str,
        position: u32,
        step: &ProcedureInput,
        actor: &Actor,
    ) -> Result<Vec<ProcedureStep>> {
        let step = ProcedureInput::new(step.nature, &step.text)?;
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let count = load_procedures(self.conn(), cid)?.len();
        let id: i64 = self
            .conn()
            .query_row(
                "SELECT id FROM procedure_step WHERE control_id = ?1 AND position = ?2",
                params![cid, position],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{control} has no procedure step {position}; it has {count} step(s) (`tickmark procedure list` shows them)"
                ))
            })?;
        self.write(|tx| {
            tx.execute(
                "UPDATE procedure_step SET nature = ?2, text = ?3 WHERE id = ?1",
                params![id, step.nature.as_str(), step.text],
            )?;
            clear_signoffs(tx, cid, actor, "the test procedure changed")?;
            super::carry::confirm(tx, cid, "control", actor)?;
            trail::record_rows(
                tx,
                actor,
                "procedure.edited",
                serde_json::json!({ "control": control, "position": position, "nature": step.nature.as_str() }),
                &[("procedure_step", id)],
            )?;
            load_procedures(tx, cid)
        })
    }

    pub fn walkthrough(&self, control: &str) -> Result<Option<Walkthrough>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        load_walkthrough(self.conn(), cid, control)
    }

    /// Records (or rewrites) the control's walkthrough; with a design conclusion, who
    /// concluded and when. Linked evidence must be this control's; linked interviews must exist.
    pub fn record_walkthrough(
        &mut self,
        control: &str,
        input: &WalkthroughInput,
        actor: &Actor,
    ) -> Result<Walkthrough> {
        input.validate(control)?;
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        for id in &input.evidence {
            let owner: Option<i64> = self
                .conn()
                .query_row("SELECT control_id FROM evidence WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            if owner != Some(cid) {
                return Err(Error::invalid(format!(
                    "evidence {id} is not evidence of {control}; `tickmark evidence list ENG --control {control}` shows its evidence"
                )));
            }
        }
        for id in &input.interviews {
            let found: Option<i64> =
                self.conn().query_row("SELECT id FROM interview WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if found.is_none() {
                return Err(Error::invalid(format!(
                    "there is no interview {id}; `tickmark interview list ENG` shows them"
                )));
            }
        }
        let before = load_walkthrough(self.conn(), cid, control)?;
        // The conclusion keeps its author and time unless the design conclusion changes.
        let (concluded_by, concluded_at) = match (&before, input.design) {
            (_, None) => (None, None),
            (Some(b), Some(d)) if b.design == Some(d) => (b.concluded_by.clone(), b.concluded_at.clone()),
            (_, Some(_)) => (Some(actor.name.clone()), Some(actor.at_text())),
        };
        let json = |ids: &[i64]| serde_json::to_string(ids).expect("plain data");
        self.write(|tx| {
            tx.execute(
                "INSERT INTO walkthrough (control_id, narrative, traced, evidence, interviews, design, concluded_by, concluded_at, recorded_by, recorded_at, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (control_id) DO UPDATE SET narrative = excluded.narrative, traced = excluded.traced,
                    evidence = excluded.evidence, interviews = excluded.interviews, design = excluded.design,
                    concluded_by = excluded.concluded_by, concluded_at = excluded.concluded_at,
                    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                params![
                    cid,
                    input.narrative.trim(),
                    input.traced.trim(),
                    json(&input.evidence),
                    json(&input.interviews),
                    input.design.map(DesignConclusion::as_str),
                    concluded_by,
                    concluded_at,
                    actor.name,
                    actor.at_text(),
                    next_id(tx, "walkthrough")?
                ],
            )?;
            let id: i64 = tx.query_row("SELECT id FROM walkthrough WHERE control_id = ?1", [cid], |r| r.get(0))?;
            if before.is_some() {
                clear_signoffs(tx, cid, actor, "the walkthrough changed")?;
            }
            super::carry::confirm(tx, cid, "walkthrough", actor)?;
            trail::record_rows(
                tx,
                actor,
                "walkthrough.recorded",
                serde_json::json!({ "control": control, "design": input.design.map(DesignConclusion::as_str) }),
                &[("walkthrough", id)],
            )?;
            Ok(())
        })?;
        self.walkthrough(control)?.ok_or_else(|| Error::invalid("the walkthrough was not saved"))
    }

    pub fn deficiency(&self, control: &str) -> Result<Option<Deficiency>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        self.load_deficiency(cid, control)
    }

    /// Records (or rewrites) the deficiency evaluation of a control with exceptions: each
    /// assessed criterion must be one the control addresses; compensating controls must exist.
    pub fn record_deficiency(&mut self, control: &str, input: &DeficiencyInput, actor: &Actor) -> Result<Deficiency> {
        input.validate(control)?;
        let target = self.control(control)?;
        let report = self.info()?.report;
        let with_exceptions = if report.is_type1() {
            self.walkthrough(control)?.and_then(|w| w.design) == Some(DesignConclusion::NotEffective)
        } else {
            self.evaluation(control)?.is_some_and(|e| e.deviations > 0)
        };
        if !with_exceptions {
            return Err(Error::invalid(if report.is_type1() {
                format!("{control} is not concluded as not suitably designed, so it has no deficiency to evaluate")
            } else {
                format!("{control} has no exceptions recorded, so it has no deficiency to evaluate")
            }));
        }
        let mut assessed = Vec::new();
        for a in &input.criteria {
            let checked = check_criteria(self.conn(), report, std::slice::from_ref(&a.criterion))?;
            let id = checked.ids[0].clone();
            if !target.criteria.contains(&id) {
                return Err(Error::invalid(format!(
                    "{control} does not address {id}; the criteria it addresses are {}",
                    target.criteria.join(", ")
                )));
            }
            if assessed.iter().any(|x: &crate::engagement::design::CriterionAssessment| x.criterion == id) {
                return Err(Error::invalid(format!("{id} is assessed twice")));
            }
            assessed.push(crate::engagement::design::CriterionAssessment { criterion: id, met: a.met });
        }
        let mut compensating = Vec::new();
        for c in &input.compensating {
            compensating.push(self.control(c)?.code);
        }
        let cid = target.id;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO deficiency (control_id, deviation, items_noun, cause, isolated, criteria, compensating, management_response, evaluated_by, evaluated_at, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (control_id) DO UPDATE SET deviation = excluded.deviation, items_noun = excluded.items_noun,
                    cause = excluded.cause, isolated = excluded.isolated, criteria = excluded.criteria,
                    compensating = excluded.compensating, management_response = excluded.management_response,
                    evaluated_by = excluded.evaluated_by, evaluated_at = excluded.evaluated_at",
                params![
                    cid,
                    input.deviation.trim().trim_end_matches('.'),
                    if input.items_noun.trim().is_empty() { "items" } else { input.items_noun.trim() },
                    input.cause.trim(),
                    input.isolated,
                    serde_json::to_string(&assessed).expect("plain data"),
                    serde_json::to_string(&compensating).expect("plain data"),
                    input.management_response.trim(),
                    actor.name,
                    actor.at_text(),
                    next_id(tx, "deficiency")?
                ],
            )?;
            let id: i64 = tx.query_row("SELECT id FROM deficiency WHERE control_id = ?1", [cid], |r| r.get(0))?;
            clear_signoffs(tx, cid, actor, "the deficiency evaluation changed")?;
            trail::record_rows(
                tx,
                actor,
                "deficiency.evaluated",
                serde_json::json!({ "control": control, "criteria": assessed }),
                &[("deficiency", id)],
            )?;
            Ok(())
        })?;
        self.deficiency(control)?.ok_or_else(|| Error::invalid("the deficiency evaluation was not saved"))
    }

    /// Where a control stands, for coverage and the dashboard.
    pub fn control_state(&self, control: &str) -> Result<ControlState> {
        self.state_of(control, self.info()?.report.is_type1(), self.evaluation(control)?.as_ref())
    }

    /// `control_state` with the report type and the control's evaluation already read, for
    /// callers that go through every control.
    pub(crate) fn state_of(
        &self,
        control: &str,
        type1: bool,
        evaluation: Option<&crate::engagement::evaluation::ControlEvaluation>,
    ) -> Result<ControlState> {
        if type1 {
            let w = self.walkthrough(control)?;
            return Ok(ControlState::design(w.as_ref().and_then(|w| w.design), w.is_some()));
        }
        let sampled = self.sample(control)?.is_some();
        let recorded = evaluation.is_some_and(|e| e.recorded_cells > 0);
        Ok(ControlState::operating(sampled, recorded, self.conclusion(control)?.map(|c| c.concluded)))
    }

    /// A Type 1 report has design conclusions only: `what` (sampling, an operating
    /// conclusion) belongs to a Type 2.
    pub(crate) fn refuse_in_type1(&self, what: &str) -> Result<()> {
        let report = self.info()?.report;
        if report.is_type1() {
            return Err(Error::invalid(format!(
                "this is a {} engagement (design as of one date): {what} belongs to a Type 2; record the walkthrough and design conclusion instead (`tickmark walkthrough`)",
                report.words()
            )));
        }
        Ok(())
    }

    /// One line per control: population, sample, tested, exceptions, design and operating
    /// conclusions, standing sign-offs and review notes not cleared.
    pub fn dashboard(&self) -> Result<Vec<DashboardRow>> {
        let type1 = self.info()?.report.is_type1();
        let mut out = Vec::new();
        for c in self.controls()? {
            let evaluation = self.evaluation(&c.code)?;
            let standing: Vec<SignOff> =
                self.signoffs(&c.code)?.into_iter().filter(|s| s.cleared_at.is_none()).collect();
            let signer = |role: SignOffRole| standing.iter().find(|s| s.role == role).map(|s| s.signer.clone());
            out.push(DashboardRow {
                state: self.state_of(&c.code, type1, evaluation.as_ref())?,
                population: self.current_population(&c.code)?.map(|p| p.frame_size),
                sample: evaluation.as_ref().map(|e| e.listed_items - e.voided_items),
                tested: evaluation.as_ref().map_or(0, |e| e.tested_items),
                exceptions: evaluation.as_ref().map_or(0, |e| e.deviations),
                design: self.walkthrough(&c.code)?.and_then(|w| w.design),
                operating: self.conclusion(&c.code)?.map(|k| k.concluded),
                procedure_steps: self.procedures(&c.code)?.len() as u64,
                deficiency_evaluated: self.deficiency(&c.code)?.is_some(),
                unconfirmed: self.unconfirmed(&c.code)?.len() as u64,
                follow_ups: self.follow_ups(Some(&c.code))?.len() as u64,
                preparer: signer(SignOffRole::Preparer),
                reviewer: signer(SignOffRole::Reviewer),
                open_notes: self.review_notes(Some(&c.code))?.iter().filter(|n| n.status != NoteStatus::Cleared).count()
                    as u64,
                control: c.code,
                description: c.description,
                criteria: c.criteria,
            });
        }
        Ok(out)
    }

    /// Every in-scope criterion (SOC 2) or control objective (SOC 1) with its controls and
    /// their state, rolled up to whether it is met.
    pub fn coverage(&self) -> Result<Coverage> {
        let info = self.info()?;
        let type1 = info.report.is_type1();
        let mut facts = Vec::new();
        for c in self.controls()? {
            facts.push(ControlFacts {
                state: self.state_of(&c.code, type1, self.evaluation(&c.code)?.as_ref())?,
                assessed: self.deficiency(&c.code)?.map(|d| d.criteria),
                code: c.code,
                criteria: c.criteria,
            });
        }
        Ok(rollup::coverage(info.report, &info.criteria, &self.objectives()?, &facts))
    }

    fn load_deficiency(&self, cid: i64, control: &str) -> Result<Option<Deficiency>> {
        let row = self
            .conn()
            .query_row(
                "SELECT deviation, items_noun, cause, isolated, criteria, compensating, management_response, evaluated_by, evaluated_at, id
                 FROM deficiency WHERE control_id = ?1",
                [cid],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, i64>(9)?,
                    ))
                },
            )
            .optional()?;
        let Some(r) = row else { return Ok(None) };
        let damaged = |column: &str, e: serde_json::Error| {
            Error::invalid(format!("deficiency row {}, column {column}: the stored value is damaged ({e})", r.9))
        };
        let codes: Vec<String> = serde_json::from_str(&r.5).map_err(|e| damaged("compensating", e))?;
        let mut compensating = Vec::new();
        for code in codes {
            let conclusion = match control_id(self.conn(), &code)? {
                Some(_) => self.conclusion(&code)?.map(|c| c.concluded),
                None => None,
            };
            compensating.push(CompensatingControl { control: code, conclusion });
        }
        Ok(Some(Deficiency {
            control: control.to_string(),
            deviation: r.0,
            items_noun: r.1,
            cause: r.2,
            isolated: r.3,
            criteria: serde_json::from_str(&r.4).map_err(|e| damaged("criteria", e))?,
            compensating,
            management_response: r.6,
            evaluated_by: r.7,
            evaluated_at: r.8,
        }))
    }
}

pub(crate) fn insert_procedures(tx: &Transaction<'_>, cid: i64, steps: &[ProcedureInput]) -> Result<Vec<i64>> {
    let last: u32 =
        tx.query_row("SELECT COALESCE(MAX(position), 0) FROM procedure_step WHERE control_id = ?1", [cid], |r| {
            r.get(0)
        })?;
    let mut ids = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        tx.execute(
            "INSERT INTO procedure_step (control_id, position, nature, text, id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cid, last + 1 + i as u32, s.nature.as_str(), s.text, next_id(tx, "procedure_step")?],
        )?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

pub(crate) fn load_procedures(conn: &Connection, cid: i64) -> Result<Vec<ProcedureStep>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, position, nature, text FROM procedure_step WHERE control_id = ?1 ORDER BY position",
    )?;
    let rows =
        stmt.query_map([cid], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?, r.get(3)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, position, nature, text) = row?;
        let nature = nature.parse().map_err(|e| {
            Error::invalid(format!("procedure_step row {id}, column nature: the stored value is damaged ({e})"))
        })?;
        out.push(ProcedureStep { position, nature, text });
    }
    Ok(out)
}

fn load_objectives(conn: &Connection) -> Result<Vec<Objective>> {
    let mut stmt = conn.prepare_cached("SELECT code, title FROM objective ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok(Objective { code: r.get(0)?, title: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn load_walkthrough(conn: &Connection, cid: i64, control: &str) -> Result<Option<Walkthrough>> {
    let row = conn
        .query_row(
            "SELECT id, narrative, traced, evidence, interviews, design, concluded_by, concluded_at, recorded_by, recorded_at
             FROM walkthrough WHERE control_id = ?1",
            [cid],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                ))
            },
        )
        .optional()?;
    let Some(r) = row else { return Ok(None) };
    let damaged = |column: &str, e: &dyn std::fmt::Display| {
        Error::invalid(format!("walkthrough row {}, column {column}: the stored value is damaged ({e})", r.0))
    };
    Ok(Some(Walkthrough {
        control: control.to_string(),
        narrative: r.1,
        traced: r.2,
        evidence: serde_json::from_str(&r.3).map_err(|e| damaged("evidence", &e))?,
        interviews: serde_json::from_str(&r.4).map_err(|e| damaged("interviews", &e))?,
        design: r.5.as_deref().map(str::parse).transpose().map_err(|e: Error| damaged("design", &e))?,
        concluded_by: r.6,
        concluded_at: r.7,
        recorded_by: r.8,
        recorded_at: r.9,
    }))
}
