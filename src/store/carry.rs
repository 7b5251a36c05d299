//! Next year's engagement from this year's: the client, firm, team, criteria in scope, control
//! objectives, controls with their attributes and procedures, the sampling policy and each
//! walkthrough as a draft to re-perform. What carries is marked "carried forward, not yet
//! confirmed" until someone confirms or edits it; the prior year's exceptions and deficiencies
//! are listed on their controls to follow up. Populations, samples, results and sign-offs do
//! not carry.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::controls::{control_id, control_rows, insert_control, no_control};
use super::team::next_id;
use super::{Engagement, Passphrase};
use crate::engagement::design::ProcedureInput;
use crate::engagement::{Actor, ControlInput, NewEngagement, Period};
use crate::{Error, Result, trail};

/// What a roll-forward made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolledForward {
    pub path: PathBuf,
    /// The prior engagement's ID (the hash of its first event) and trail head, as the new
    /// trail's first event cites them.
    pub prior_id: String,
    pub prior_head: String,
    pub prior_events: i64,
    pub controls: usize,
    pub walkthroughs: usize,
    pub follow_ups: usize,
}

/// A prior-year exception or deficiency to follow up on a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub control: String,
    /// `exception` or `deficiency`.
    pub kind: String,
    pub text: String,
}

/// What is carried: the control (its description, attributes and procedure) and its walkthrough.
const SUBJECTS: [&str; 2] = ["control", "walkthrough"];

impl Engagement {
    /// Creates the engagement at `path` for `period` from `prior`. A period that does not
    /// start the day after the prior one ends (a Type 1 date: that is not after it) is refused
    /// unless `force`; an existing file is
    /// never replaced. All or nothing: on any error no file is left.
    pub fn rollforward(
        prior: &Engagement,
        path: &Path,
        period: Period,
        force: bool,
        actor: &Actor,
        key: Option<&Passphrase>,
    ) -> Result<RolledForward> {
        if path.exists() {
            return Err(Error::AlreadyExists { path: path.to_path_buf() });
        }
        let info = prior.info()?;
        if !force && !period.follows(&info.period) && period.is_date() {
            return Err(Error::invalid(format!(
                "the new report date {} is not after the prior period ({}..{}); give --force to roll forward anyway",
                period.start, info.period.start, info.period.end
            )));
        }
        if !force && !period.follows(&info.period) {
            return Err(Error::invalid(format!(
                "the new period {}..{} does not follow the prior one ({}..{}), which would make it start on {}; give --force to roll forward anyway",
                period.start,
                period.end,
                info.period.start,
                info.period.end,
                info.period.next_start().map_or("—".to_string(), |d| d.to_string())
            )));
        }
        let (prior_events, prior_head) = prior.trail_head()?.unwrap_or((0, trail::GENESIS.to_string()));
        let prior_id = prior.id()?;
        let new = NewEngagement {
            client: info.client.clone(),
            report: info.report,
            period,
            criteria: info.criteria.clone(),
            firm: info.firm.clone(),
            preparer: info.preparer.clone(),
            reviewer: info.reviewer.clone(),
        };
        let cited = serde_json::json!({
            "engagement_id": prior_id, "trail_head": prior_head, "trail_events": prior_events,
            "period_start": info.period.start.to_string(), "period_end": info.period.end.to_string(),
        });
        let mut eng = Engagement::create_from(path, &new, actor, key, Some(cited))?;
        let carried = (|| {
            let gathered = Gathered::from(prior)?;
            let counts = eng.write(|tx| gathered.write(tx, actor))?;
            Ok(counts)
        })();
        match carried {
            Ok((controls, walkthroughs, follow_ups)) => Ok(RolledForward {
                path: path.to_path_buf(),
                prior_id,
                prior_head,
                prior_events,
                controls,
                walkthroughs,
                follow_ups,
            }),
            Err(e) => {
                drop(eng);
                let _ = std::fs::remove_file(super::wal_path(path));
                let _ = std::fs::remove_file(path);
                Err(e)
            }
        }
    }

    /// The prior year's exceptions and deficiencies to follow up, of one control or all.
    pub fn follow_ups(&self, control: Option<&str>) -> Result<Vec<FollowUp>> {
        let filter = match control {
            Some(c) => Some(control_id(self.conn(), c)?.ok_or_else(|| no_control(c))?),
            None => None,
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.code, f.kind, f.text FROM follow_up f JOIN control c ON c.id = f.control_id
             WHERE ?1 IS NULL OR f.control_id = ?1 ORDER BY c.code, f.id",
        )?;
        let rows =
            stmt.query_map([filter], |r| Ok(FollowUp { control: r.get(0)?, kind: r.get(1)?, text: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What of the control was carried forward and is not yet confirmed: `control`, `walkthrough`.
    pub fn unconfirmed(&self, control: &str) -> Result<Vec<String>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT subject FROM carried WHERE control_id = ?1 AND confirmed_at IS NULL ORDER BY id")?;
        let rows = stmt.query_map([cid], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Confirms what was carried forward on the control (as it stands); returns what was
    /// confirmed. Editing a procedure or recording the walkthrough confirms them too.
    pub fn confirm_carried(&mut self, control: &str, actor: &Actor) -> Result<Vec<String>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let open = self.unconfirmed(control)?;
        if open.is_empty() {
            return Err(Error::invalid(format!("{control} has nothing carried forward left to confirm")));
        }
        self.write(|tx| {
            for subject in &open {
                confirm(tx, cid, subject, actor)?;
            }
            Ok(())
        })?;
        Ok(open)
    }
}

/// Marks what was carried on the control as confirmed, recording it; nothing if it was not
/// carried or is already confirmed.
pub(crate) fn confirm(tx: &Transaction<'_>, cid: i64, subject: &str, actor: &Actor) -> Result<()> {
    let id: Option<i64> = tx
        .query_row(
            "SELECT id FROM carried WHERE control_id = ?1 AND subject = ?2 AND confirmed_at IS NULL",
            params![cid, subject],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        tx.execute(
            "UPDATE carried SET confirmed_by = ?2, confirmed_at = ?3 WHERE id = ?1",
            params![id, actor.name, actor.at_text()],
        )?;
        trail::record_rows(
            tx,
            actor,
            "carried.confirmed",
            serde_json::json!({ "subject": subject }),
            &[("carried", id)],
        )?;
    }
    Ok(())
}

/// Everything read from the prior engagement before the new one is written.
struct Gathered {
    objectives: Vec<crate::engagement::design::Objective>,
    controls: Vec<ControlInput>,
    walkthroughs: Vec<(String, String, String)>,
    follow_ups: Vec<(String, &'static str, String)>,
    sampling_policy: Option<String>,
    frequency_table: Option<String>,
}

impl Gathered {
    fn from(prior: &Engagement) -> Result<Gathered> {
        let mut g = Gathered {
            objectives: prior.objectives()?,
            controls: Vec::new(),
            walkthroughs: Vec::new(),
            follow_ups: Vec::new(),
            sampling_policy: column(prior.conn(), "sampling_policy")?,
            frequency_table: column(prior.conn(), "frequency_table")?,
        };
        for c in prior.controls()? {
            let procedures = prior
                .procedures(&c.code)?
                .into_iter()
                .map(|p| ProcedureInput { nature: p.nature, text: p.text })
                .collect();
            if let Some(w) = prior.walkthrough(&c.code)? {
                g.walkthroughs.push((c.code.clone(), w.narrative, w.traced));
            }
            for x in prior.exceptions(&c.code)? {
                let text = format!("Prior year: exception on item {} ({}): {}", x.ordinal, x.key, x.narrative);
                g.follow_ups.push((c.code.clone(), "exception", text));
            }
            if let Some(d) = prior.deficiency(&c.code)? {
                let response =
                    if d.management_response.is_empty() { "not recorded".to_string() } else { d.management_response };
                let text = format!(
                    "Prior year: deficiency evaluated ({}). Cause: {}. Management's response: {response}",
                    d.deviation,
                    d.cause.trim_end_matches('.')
                );
                g.follow_ups.push((c.code.clone(), "deficiency", text));
            }
            g.controls.push(ControlInput {
                code: c.code,
                description: c.description,
                criteria: c.criteria,
                frequency: c.frequency,
                nature: c.nature,
                owner: c.owner,
                attributes: c.attributes,
                procedures,
            });
        }
        Ok(g)
    }

    /// Writes what was gathered in the new engagement's transaction; returns the counts of
    /// controls, walkthroughs and follow-ups.
    fn write(&self, tx: &Transaction<'_>, actor: &Actor) -> Result<(usize, usize, usize)> {
        tx.execute(
            "UPDATE engagement SET sampling_policy = ?1, frequency_table = ?2 WHERE id = 1",
            params![self.sampling_policy, self.frequency_table],
        )?;
        let mut rows: Vec<(&str, i64)> = vec![("engagement", 1)];
        for o in &self.objectives {
            tx.execute(
                "INSERT INTO objective (code, title, id) VALUES (?1, ?2, ?3)",
                params![o.code, o.title, next_id(tx, "objective")?],
            )?;
            rows.push(("objective", tx.last_insert_rowid()));
        }
        let mut ids = Vec::new();
        for c in &self.controls {
            ids.push(insert_control(tx, c)?);
        }
        rows.extend(control_rows(tx, &ids)?);
        for (code, narrative, traced) in &self.walkthroughs {
            let cid = control_id(tx, code)?.expect("just inserted");
            tx.execute(
                "INSERT INTO walkthrough (control_id, narrative, traced, recorded_by, recorded_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![cid, narrative, traced, actor.name, actor.at_text(), next_id(tx, "walkthrough")?],
            )?;
            rows.push(("walkthrough", tx.last_insert_rowid()));
        }
        for &cid in &ids {
            let walked: bool =
                tx.query_row("SELECT COUNT(*) > 0 FROM walkthrough WHERE control_id = ?1", [cid], |r| r.get(0))?;
            for subject in SUBJECTS.iter().filter(|s| **s == "control" || walked) {
                tx.execute(
                    "INSERT INTO carried (control_id, subject, id) VALUES (?1, ?2, ?3)",
                    params![cid, subject, next_id(tx, "carried")?],
                )?;
                rows.push(("carried", tx.last_insert_rowid()));
            }
        }
        for (code, kind, text) in &self.follow_ups {
            let cid = control_id(tx, code)?.expect("just inserted");
            tx.execute(
                "INSERT INTO follow_up (control_id, kind, text, id) VALUES (?1, ?2, ?3, ?4)",
                params![cid, kind, text, next_id(tx, "follow_up")?],
            )?;
            rows.push(("follow_up", tx.last_insert_rowid()));
        }
        trail::record_rows(
            tx,
            actor,
            "engagement.carried_forward",
            serde_json::json!({
                "controls": self.controls.iter().map(|c| &c.code).collect::<Vec<_>>(),
                "walkthroughs": self.walkthroughs.len(), "follow_ups": self.follow_ups.len(),
            }),
            &rows,
        )?;
        Ok((self.controls.len(), self.walkthroughs.len(), self.follow_ups.len()))
    }
}

fn column(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn.query_row(&format!("SELECT {name} FROM engagement WHERE id = 1"), [], |r| r.get(0))?)
}
