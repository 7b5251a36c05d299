//! Fieldwork records in the engagement file: results, exceptions, evidence, interviews, the
//! conclusion, sign-offs and review notes. Each change is one transaction and one event that
//! records the rows it wrote; a change to what a sign-off covers clears that sign-off.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::Engagement;
use super::controls::{control_id, no_control};
use super::team::next_id;
use crate::engagement::evaluation::{ControlEvaluation, ItemResults, evaluate_sample};
use crate::engagement::fieldwork::*;
use crate::engagement::workpaper::{ControlWorkpaper, Workpaper};
use crate::engagement::{Actor, Control};
use crate::store::Sample;
use crate::{Error, Result, trail};

/// Evidence files above this size are refused: an engagement file is copied and mailed, and
/// evidence this large belongs in the firm's document store with a reference here.
pub const MAX_EVIDENCE_BYTES: u64 = 256 << 20;

impl Engagement {
    /// Records (or re-records) the outcome of one attribute on one item of the current sample.
    pub fn record_result(
        &mut self,
        control: &str,
        ordinal: u64,
        attribute: &str,
        outcome: Outcome,
        comment: &str,
        actor: &Actor,
    ) -> Result<TestResult> {
        let (cid, sample) = self.current_sample_of(control)?;
        let item = sample.items.iter().find(|i| i.ordinal == ordinal).ok_or_else(|| {
            Error::invalid(format!("the sample of {control} has no item {ordinal}; its items are 1 to {}", sample.size))
        })?;
        if let Some(v) = &item.void {
            return Err(Error::invalid(format!(
                "item {ordinal} of {control} was voided ({}); test its replacement, item {}",
                v.reason, v.replacement
            )));
        }
        let key = item.key.clone();
        let attribute_id = attribute_id(self.conn(), cid, attribute)?.ok_or_else(|| {
            let labels: Vec<String> =
                self.control(control).map(|c| c.attributes.into_iter().map(|a| a.label).collect()).unwrap_or_default();
            Error::invalid(format!(
                "control {control} has no attribute {attribute:?}; its attributes are {}",
                labels.join(", ")
            ))
        })?;
        let comment = comment.trim();
        if outcome != Outcome::Pass && comment.is_empty() {
            return Err(Error::invalid(match outcome {
                Outcome::Exception => "an exception needs a description of what was found",
                _ => "not applicable needs the reason",
            }));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO result (sample_id, ordinal, attribute_id, outcome, comment, tested_by, tested_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (sample_id, ordinal, attribute_id) DO UPDATE SET outcome = excluded.outcome, comment = excluded.comment,
                    tested_by = excluded.tested_by, tested_at = excluded.tested_at",
                params![sample.id, ordinal as i64, attribute_id, outcome.as_str(), comment, actor.name, actor.at_text(), next_id(tx, "result")?],
            )?;
            let id: i64 = tx.query_row(
                "SELECT id FROM result WHERE sample_id = ?1 AND ordinal = ?2 AND attribute_id = ?3",
                params![sample.id, ordinal as i64, attribute_id],
                |r| r.get(0),
            )?;
            clear_signoffs(tx, cid, actor, &format!("the result of item {ordinal} attribute {attribute} changed"))?;
            trail::record_rows(
                tx,
                actor,
                "result.recorded",
                serde_json::json!({ "control": control, "item": ordinal, "key": key, "attribute": attribute, "outcome": outcome.as_str() }),
                &[("result", id)],
            )?;
            Ok(())
        })?;
        self.results(control)?
            .into_iter()
            .find(|r| r.ordinal == ordinal && r.attribute.eq_ignore_ascii_case(attribute))
            .ok_or_else(|| Error::invalid("the result was not saved"))
    }

    /// Every result of the control's current sample, by item then attribute.
    pub fn results(&self, control: &str) -> Result<Vec<TestResult>> {
        match self.sample(control)? {
            Some(sample) => self.sample_results(&sample),
            None => Ok(vec![]),
        }
    }

    fn sample_results(&self, sample: &Sample) -> Result<Vec<TestResult>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.ordinal, a.label, r.outcome, r.comment, r.tested_by, r.tested_at FROM result r JOIN attribute a ON a.id = r.attribute_id
             WHERE r.sample_id = ?1 ORDER BY r.ordinal, a.label",
        )?;
        let rows = stmt.query_map([sample.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        rows.map(|r| {
            let (ordinal, attribute, outcome, comment, tested_by, tested_at) = r?;
            Ok(TestResult {
                ordinal: ordinal as u64,
                attribute,
                outcome: outcome.parse()?,
                comment,
                tested_by,
                tested_at,
            })
        })
        .collect()
    }

    /// Records the details of the exception found on an item (narrative, cause, isolated or
    /// not, management's response). The item must have an exception result.
    pub fn record_exception(
        &mut self,
        control: &str,
        ordinal: u64,
        input: &ExceptionInput,
        actor: &Actor,
    ) -> Result<ExceptionRecord> {
        let (cid, sample) = self.current_sample_of(control)?;
        if !self.results(control)?.iter().any(|r| r.ordinal == ordinal && r.outcome == Outcome::Exception) {
            return Err(Error::invalid(format!(
                "item {ordinal} of {control} has no exception recorded; record the attribute's result as an exception first"
            )));
        }
        if input.narrative.trim().is_empty() {
            return Err(Error::invalid("the exception needs a narrative: what was found"));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO exception (sample_id, ordinal, narrative, cause, isolated, management_response, recorded_by, recorded_at, id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (sample_id, ordinal) DO UPDATE SET narrative = excluded.narrative, cause = excluded.cause, isolated = excluded.isolated,
                    management_response = excluded.management_response, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                params![
                    sample.id,
                    ordinal as i64,
                    input.narrative.trim(),
                    input.cause.trim(),
                    input.isolated,
                    input.management_response.trim(),
                    actor.name,
                    actor.at_text(),
                    next_id(tx, "exception")?
                ],
            )?;
            let id: i64 =
                tx.query_row("SELECT id FROM exception WHERE sample_id = ?1 AND ordinal = ?2", params![sample.id, ordinal as i64], |r| r.get(0))?;
            clear_signoffs(tx, cid, actor, &format!("the exception on item {ordinal} changed"))?;
            trail::record_rows(tx, actor, "exception.recorded", serde_json::json!({ "control": control, "item": ordinal }), &[("exception", id)])?;
            Ok(())
        })?;
        self.exceptions(control)?
            .into_iter()
            .find(|e| e.ordinal == ordinal)
            .ok_or_else(|| Error::invalid("the exception was not saved"))
    }

    /// The exceptions of the control's current sample, by item.
    pub fn exceptions(&self, control: &str) -> Result<Vec<ExceptionRecord>> {
        let Some(sample) = self.sample(control)? else { return Ok(vec![]) };
        let mut stmt = self.conn().prepare_cached(
            "SELECT ordinal, narrative, cause, isolated, management_response, recorded_by, recorded_at FROM exception WHERE sample_id = ?1 ORDER BY ordinal",
        )?;
        let rows = stmt.query_map([sample.id], |r| {
            let ordinal = r.get::<_, i64>(0)? as u64;
            Ok(ExceptionRecord {
                ordinal,
                key: sample.items.iter().find(|i| i.ordinal == ordinal).map(|i| i.key.clone()).unwrap_or_default(),
                narrative: r.get(1)?,
                cause: r.get(2)?,
                isolated: r.get(3)?,
                management_response: r.get(4)?,
                recorded_by: r.get(5)?,
                recorded_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores a file as evidence, inside the engagement file, once per content.
    pub fn add_evidence_file(
        &mut self,
        control: &str,
        ordinal: Option<u64>,
        path: &Path,
        actor: &Actor,
    ) -> Result<Evidence> {
        let (name, sha256, content) = read_evidence_file(path)?;
        self.add_evidence(control, ordinal, EvidenceKind::File, &name, Some((&sha256, &content)), actor)
    }

    /// Records a reference (a PBC number, a screenshot's name, a URL) instead of a file.
    pub fn add_evidence_reference(
        &mut self,
        control: &str,
        ordinal: Option<u64>,
        reference: &str,
        actor: &Actor,
    ) -> Result<Evidence> {
        if reference.trim().is_empty() {
            return Err(Error::invalid("the evidence reference is empty"));
        }
        self.add_evidence(control, ordinal, EvidenceKind::Reference, reference.trim(), None, actor)
    }

    fn add_evidence(
        &mut self,
        control: &str,
        ordinal: Option<u64>,
        kind: EvidenceKind,
        name: &str,
        file: Option<(&str, &[u8])>,
        actor: &Actor,
    ) -> Result<Evidence> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let sample_id = match ordinal {
            None => None,
            Some(n) => {
                let (_, sample) = self.current_sample_of(control)?;
                if !sample.items.iter().any(|i| i.ordinal == n) {
                    return Err(Error::invalid(format!("the sample of {control} has no item {n}")));
                }
                Some(sample.id)
            }
        };
        let place = EvidencePlace { control_id: cid, control, sample_id, ordinal, request_id: None };
        let id = self.write(|tx| insert_evidence(tx, &place, kind, name, file, actor))?;
        self.evidence(Some(control))?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Error::invalid("the evidence was not saved"))
    }

    /// Evidence of one control, or of all, in the order it was added.
    pub fn evidence(&self, control: Option<&str>) -> Result<Vec<Evidence>> {
        let filter = match control {
            Some(c) => Some(control_id(self.conn(), c)?.ok_or_else(|| no_control(c))?),
            None => None,
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT e.id, c.code, e.ordinal, e.kind, e.name, e.size, e.sha256, e.added_by, e.added_at, q.code
             FROM evidence e JOIN control c ON c.id = e.control_id LEFT JOIN request q ON q.id = e.request_id
             WHERE ?1 IS NULL OR e.control_id = ?1 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([filter], |r| {
            let kind: String = r.get(3)?;
            Ok(Evidence {
                id: r.get(0)?,
                control: r.get(1)?,
                ordinal: r.get::<_, Option<i64>>(2)?.map(|o| o as u64),
                kind: if kind == "file" { EvidenceKind::File } else { EvidenceKind::Reference },
                name: r.get(4)?,
                size: r.get::<_, Option<i64>>(5)?.map(|s| s as u64),
                sha256: r.get(6)?,
                added_by: r.get(7)?,
                added_at: r.get(8)?,
                request: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes an evidence file back out, byte for byte, to `out` (a temporary file renamed
    /// into place). Refuses to overwrite unless `force`.
    pub fn export_evidence(&self, id: i64, out: &Path, force: bool) -> Result<PathBuf> {
        let (sha, content): (Option<String>, Option<Vec<u8>>) = self
            .conn()
            .query_row(
                "SELECT e.sha256, b.content FROM evidence e LEFT JOIN evidence_blob b ON b.sha256 = e.sha256 WHERE e.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::invalid(format!("no evidence {id} in this engagement")))?;
        let (Some(sha), Some(content)) = (sha, content) else {
            return Err(Error::invalid(format!("evidence {id} is a reference, not a stored file")));
        };
        if trail::hex(&Sha256::digest(&content)) != sha {
            return Err(Error::invalid(format!(
                "evidence {id} does not match its SHA-256 {sha}: the engagement file was altered"
            )));
        }
        // The export's writer: complete under a fresh temporary name, then renamed into place.
        crate::export::place_file(content, out, force)?;
        Ok(out.to_path_buf())
    }

    pub fn add_interview(&mut self, input: &InterviewInput, actor: &Actor) -> Result<Interview> {
        self.save_interview(None, input, actor)
    }

    pub fn edit_interview(&mut self, id: i64, input: &InterviewInput, actor: &Actor) -> Result<Interview> {
        self.interview(id)?;
        self.save_interview(Some(id), input, actor)
    }

    /// Inserts (no id) or replaces an interview: one statement, one event.
    fn save_interview(&mut self, id: Option<i64>, input: &InterviewInput, actor: &Actor) -> Result<Interview> {
        validate_interview(self.conn(), input)?;
        let id = self.write(|tx| {
            let new = id.is_none();
            let id = match id {
                Some(id) => id,
                None => next_id(tx, "interview")?,
            };
            tx.execute(
                "INSERT INTO interview (id, held_on, interviewee, role, attendees, topics, notes, controls, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET held_on = excluded.held_on, interviewee = excluded.interviewee, role = excluded.role,
                    attendees = excluded.attendees, topics = excluded.topics, notes = excluded.notes, controls = excluded.controls,
                    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                params![
                    id,
                    input.held_on.to_string(),
                    input.interviewee.trim(),
                    input.role.trim(),
                    serde_json::to_string(&input.attendees).expect("strings"),
                    input.topics.trim(),
                    input.notes.trim(),
                    serde_json::to_string(&input.controls).expect("strings"),
                    actor.name,
                    actor.at_text()
                ],
            )?;
            let action = if new { "interview.added" } else { "interview.edited" };
            trail::record_rows(tx, actor, action, serde_json::json!({ "interview": id }), &[("interview", id)])?;
            Ok(id)
        })?;
        self.interview(id)
    }

    pub fn interview(&self, id: i64) -> Result<Interview> {
        self.interviews()?
            .into_iter()
            .find(|i| i.id == id)
            .ok_or_else(|| Error::invalid(format!("no interview {id} in this engagement")))
    }

    /// Every interview, by date.
    pub fn interviews(&self) -> Result<Vec<Interview>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, held_on, interviewee, role, attendees, topics, notes, controls, recorded_by, recorded_at FROM interview ORDER BY held_on, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let held_on: String = r.get(1)?;
            let attendees: String = r.get(4)?;
            let controls: String = r.get(7)?;
            Ok(Interview {
                id: r.get(0)?,
                held_on: NaiveDate::parse_from_str(&held_on, "%Y-%m-%d").unwrap_or_default(),
                interviewee: r.get(2)?,
                role: r.get(3)?,
                attendees: serde_json::from_str(&attendees).unwrap_or_default(),
                topics: r.get(5)?,
                notes: r.get(6)?,
                controls: serde_json::from_str(&controls).unwrap_or_default(),
                recorded_by: r.get(8)?,
                recorded_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The control's evaluation under the approach its sample was planned with. None without
    /// a sample.
    pub fn evaluation(&self, control: &str) -> Result<Option<ControlEvaluation>> {
        let Some(sample) = self.sample(control)? else { return Ok(None) };
        let attributes = self.control(control)?.attributes.len();
        let results = self.sample_results(&sample)?;
        let items: Vec<ItemResults> = sample
            .items
            .iter()
            .map(|item| ItemResults {
                ordinal: item.ordinal,
                stratum: item.stratum.clone(),
                voided: item.void.is_some(),
                replaces: item.replaces,
                outcomes: results.iter().filter(|r| r.ordinal == item.ordinal).map(|r| r.outcome).collect(),
            })
            .collect();
        let policy = self.sampling_policy()?;
        Ok(Some(evaluate_sample(&sample.approach, &items, attributes, sample.initial_size, &policy.expansion)?))
    }

    /// Records the conclusion: the evaluation's proposal, or the auditor's conclusion with a
    /// reason where it differs (or where the evaluation proposes extending the sample). Every
    /// item must be tested, voided or replaced first.
    pub fn conclude(
        &mut self,
        control: &str,
        over: Option<(ConclusionKind, &str)>,
        actor: &Actor,
    ) -> Result<Conclusion> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        self.refuse_in_type1("an operating-effectiveness conclusion")?;
        let eval = self
            .evaluation(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no sample to conclude on")))?;
        if let Some(why) = eval.blocker(control) {
            return Err(Error::invalid(why));
        }
        let proposal = eval.proposal.as_ref().expect("a complete evaluation proposes");
        let (concluded, reason) = match (over, proposal.kind.conclusion()) {
            (None, Some(kind)) => (kind, None),
            (None, None) => {
                return Err(Error::invalid(format!(
                    "{}: {} To conclude on this sample anyway, give the conclusion and the reason",
                    proposal.kind, proposal.reason
                )));
            }
            (Some((kind, _)), Some(p)) if kind == p => (kind, None),
            (Some((kind, reason)), _) if reason.trim().is_empty() => {
                return Err(Error::invalid(format!(
                    "the evaluation proposes \"{}\"; concluding \"{}\" instead needs the reason",
                    proposal.kind, kind
                )));
            }
            (Some((kind, reason)), _) => (kind, Some(reason.trim().to_string())),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO conclusion (control_id, proposed, concluded, override_reason, concluded_by, concluded_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (control_id) DO UPDATE SET proposed = excluded.proposed, concluded = excluded.concluded,
                    override_reason = excluded.override_reason, concluded_by = excluded.concluded_by, concluded_at = excluded.concluded_at",
                params![cid, proposal.kind.as_str(), concluded.as_str(), reason, actor.name, actor.at_text(), next_id(tx, "conclusion")?],
            )?;
            let id: i64 = tx.query_row("SELECT id FROM conclusion WHERE control_id = ?1", [cid], |r| r.get(0))?;
            clear_signoffs(tx, cid, actor, "the conclusion changed")?;
            trail::record_rows(
                tx,
                actor,
                "conclusion.recorded",
                serde_json::json!({
                    "control": control, "proposed": proposal.kind.as_str(), "proposal_reason": proposal.reason,
                    "concluded": concluded.as_str(), "tested": eval.tested_items, "deviations": eval.deviations,
                }),
                &[("conclusion", id)],
            )?;
            Ok(())
        })?;
        self.conclusion(control)?.ok_or_else(|| Error::invalid("the conclusion was not saved"))
    }

    pub fn conclusion(&self, control: &str) -> Result<Option<Conclusion>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let row = self
            .conn()
            .query_row(
                "SELECT proposed, concluded, override_reason, concluded_by, concluded_at FROM conclusion WHERE control_id = ?1",
                [cid],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        row.map(|(p, c, override_reason, concluded_by, concluded_at)| {
            Ok(Conclusion { proposed: p.parse()?, concluded: c.parse()?, override_reason, concluded_by, concluded_at })
        })
        .transpose()
    }

    /// Signs the control off as preparer or reviewer. The reviewer is someone other than the
    /// preparer, signs after the preparer, and only with no open review note.
    pub fn sign_off(&mut self, control: &str, role: SignOffRole, actor: &Actor) -> Result<SignOff> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let standing = self.signoffs(control)?.into_iter().filter(|s| s.cleared_at.is_none()).collect::<Vec<_>>();
        let type1 = self.info()?.report.is_type1();
        let designed = self.walkthrough(control)?.is_some_and(|w| w.design.is_some());
        let unready = if !designed {
            Some(format!(
                "has no design conclusion yet (`tickmark walkthrough ENG --control {control} ... --design effective|not-effective`)"
            ))
        } else if !type1 && self.conclusion(control)?.is_none() {
            Some("has no conclusion yet".to_string())
        } else {
            None
        };
        let open = self.review_notes(Some(control))?.iter().filter(|n| n.status != NoteStatus::Cleared).count();
        may_sign_off(control, role, &actor.name, &standing, unready.as_deref(), open)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO signoff (control_id, role, signer, signed_at, id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![cid, role.as_str(), actor.name, actor.at_text(), next_id(tx, "signoff")?],
            )?;
            let id = tx.last_insert_rowid();
            trail::record_rows(
                tx,
                actor,
                "signoff.signed",
                serde_json::json!({ "control": control, "role": role.as_str() }),
                &[("signoff", id)],
            )?;
            Ok(())
        })?;
        self.signoffs(control)?
            .into_iter()
            .rev()
            .find(|s| s.role == role)
            .ok_or_else(|| Error::invalid("the sign-off was not saved"))
    }

    /// Every sign-off of the control, cleared ones included, oldest first.
    pub fn signoffs(&self, control: &str) -> Result<Vec<SignOff>> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        // The key is the one that signed the event recording the sign-off (its first row).
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.role, s.signer, s.signed_at, s.cleared_at, s.cleared_reason,
                    (SELECT e.signer_key FROM event e
                      WHERE e.action = 'signoff.signed'
                        AND json_extract(e.payload, '$.rows[0].table') = 'signoff'
                        AND json_extract(e.payload, '$.rows[0].id') = s.id
                      ORDER BY e.seq LIMIT 1)
             FROM signoff s WHERE s.control_id = ?1 ORDER BY s.id",
        )?;
        let rows = stmt.query_map([cid], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, Option<String>>(5)?))
        })?;
        rows.map(|r| {
            let (role, signer, signed_at, cleared_at, cleared_reason, key) = r?;
            let key_fingerprint =
                key.and_then(|k| crate::identity::PublicKey::from_hex(&k).ok()).map(|k| k.fingerprint());
            Ok(SignOff { role: role.parse()?, signer, signed_at, cleared_at, cleared_reason, key_fingerprint })
        })
        .collect()
    }

    pub fn add_review_note(&mut self, control: &str, text: &str, actor: &Actor) -> Result<ReviewNote> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        if text.trim().is_empty() {
            return Err(Error::invalid("the review note is empty"));
        }
        let id = self.write(|tx| {
            tx.execute(
                "INSERT INTO review_note (control_id, text, status, raised_by, raised_at, id) VALUES (?1, ?2, 'open', ?3, ?4, ?5)",
                params![cid, text.trim(), actor.name, actor.at_text(), next_id(tx, "review_note")?],
            )?;
            let id = tx.last_insert_rowid();
            trail::record_rows(tx, actor, "review_note.raised", serde_json::json!({ "control": control, "note": id }), &[("review_note", id)])?;
            Ok(id)
        })?;
        self.review_note(id)
    }

    pub fn answer_review_note(&mut self, id: i64, answer: &str, actor: &Actor) -> Result<ReviewNote> {
        let note = self.review_note(id)?;
        if note.status == NoteStatus::Cleared {
            return Err(Error::invalid(format!("review note {id} is already cleared")));
        }
        if answer.trim().is_empty() {
            return Err(Error::invalid("the answer is empty"));
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE review_note SET status = 'answered', answer = ?2, answered_by = ?3, answered_at = ?4 WHERE id = ?1",
                params![id, answer.trim(), actor.name, actor.at_text()],
            )?;
            trail::record_rows(tx, actor, "review_note.answered", serde_json::json!({ "note": id }), &[("review_note", id)])?;
            Ok(())
        })?;
        self.review_note(id)
    }

    pub fn clear_review_note(&mut self, id: i64, actor: &Actor) -> Result<ReviewNote> {
        let note = self.review_note(id)?;
        if note.status == NoteStatus::Cleared {
            return Err(Error::invalid(format!("review note {id} is already cleared")));
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE review_note SET status = 'cleared', cleared_by = ?2, cleared_at = ?3 WHERE id = ?1",
                params![id, actor.name, actor.at_text()],
            )?;
            trail::record_rows(
                tx,
                actor,
                "review_note.cleared",
                serde_json::json!({ "note": id }),
                &[("review_note", id)],
            )?;
            Ok(())
        })?;
        self.review_note(id)
    }

    pub fn review_note(&self, id: i64) -> Result<ReviewNote> {
        self.review_notes(None)?
            .into_iter()
            .find(|n| n.id == id)
            .ok_or_else(|| Error::invalid(format!("no review note {id} in this engagement")))
    }

    /// Review notes of one control, or of all, oldest first.
    pub fn review_notes(&self, control: Option<&str>) -> Result<Vec<ReviewNote>> {
        let filter = match control {
            Some(c) => Some(control_id(self.conn(), c)?.ok_or_else(|| no_control(c))?),
            None => None,
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT n.id, c.code, n.text, n.status, n.raised_by, n.raised_at, n.answer, n.answered_by, n.answered_at, n.cleared_by, n.cleared_at
             FROM review_note n JOIN control c ON c.id = n.control_id WHERE ?1 IS NULL OR n.control_id = ?1 ORDER BY n.id",
        )?;
        let rows = stmt.query_map([filter], |r| {
            let status: String = r.get(3)?;
            Ok(ReviewNote {
                id: r.get(0)?,
                control: r.get(1)?,
                text: r.get(2)?,
                status: match status.as_str() {
                    "open" => NoteStatus::Open,
                    "answered" => NoteStatus::Answered,
                    "cleared" => NoteStatus::Cleared,
                    other => {
                        return Err(rusqlite::Error::FromSqlConversionFailure(
                            3,
                            rusqlite::types::Type::Text,
                            format!("review_note row {}, column status: unknown status {other:?}", r.get::<_, i64>(0)?)
                                .into(),
                        ));
                    }
                },
                raised_by: r.get(4)?,
                raised_at: r.get(5)?,
                answer: r.get(6)?,
                answered_by: r.get(7)?,
                answered_at: r.get(8)?,
                cleared_by: r.get(9)?,
                cleared_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Everything a workpaper shows, for one control or all of them.
    pub fn workpaper(&self, control: Option<&str>, actor: &Actor) -> Result<Workpaper> {
        let controls: Vec<Control> = match control {
            Some(c) => vec![self.control(c)?],
            None => self.controls()?,
        };
        let type1 = self.info()?.report.is_type1();
        let mut out = Vec::with_capacity(controls.len());
        for c in controls {
            let code = c.code.clone();
            let history = self.sample_history(&code)?;
            let evaluation = self.evaluation(&code)?;
            out.push(ControlWorkpaper {
                state: self.state_of(&code, type1, evaluation.as_ref())?,
                procedures: self.procedures(&code)?,
                walkthrough: self.walkthrough(&code)?,
                deficiency: self.deficiency(&code)?,
                requests: self.requests(Some(&code), actor)?,
                population: self.current_population(&code)?,
                sample: self.sample(&code)?,
                replaced_draws: history
                    .into_iter()
                    .filter(|s| s.replaced_at.is_some())
                    .map(|s| Sample { items: vec![], ..s })
                    .collect(),
                results: self.results(&code)?,
                exceptions: self.exceptions(&code)?,
                evaluation,
                conclusion: self.conclusion(&code)?,
                evidence: self.evidence(Some(&code))?,
                signoffs: self.signoffs(&code)?,
                review_notes: self.review_notes(Some(&code))?,
                control: c,
            });
        }
        let codes: Vec<&str> = out.iter().map(|c| c.control.code.as_str()).collect();
        let interviews = self
            .interviews()?
            .into_iter()
            .filter(|i| control.is_none() || i.controls.iter().any(|c| codes.contains(&c.as_str())))
            .collect();
        let (trail_events, trail_head) = self.trail_head()?.unwrap_or((0, trail::GENESIS.to_string()));
        Ok(Workpaper {
            engagement: self.info()?,
            tickmark_version: crate::VERSION.to_string(),
            exported_at: actor.at_text(),
            exported_by: actor.name.clone(),
            trail_events,
            trail_head,
            signers: self.signers()?,
            controls: out,
            interviews,
            objectives: self.objectives()?,
            handoffs: self.handoffs()?,
            coverage: self.coverage()?,
        })
    }

    /// The control's id and current sample, or a message saying what comes first.
    fn current_sample_of(&self, control: &str) -> Result<(i64, Sample)> {
        let cid = control_id(self.conn(), control)?.ok_or_else(|| no_control(control))?;
        let sample = self
            .sample(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no sample yet; draw one first")))?;
        Ok((cid, sample))
    }
}

/// Where a piece of evidence belongs: its control, the sample item (if any) and the client
/// request it answered (if any).
pub(crate) struct EvidencePlace<'a> {
    pub control_id: i64,
    pub control: &'a str,
    pub sample_id: Option<i64>,
    pub ordinal: Option<u64>,
    pub request_id: Option<i64>,
}

/// Stores one piece of evidence (a file's bytes once per content) with its event; clears the
/// control's sign-offs.
pub(crate) fn insert_evidence(
    tx: &Transaction<'_>,
    at: &EvidencePlace<'_>,
    kind: EvidenceKind,
    name: &str,
    file: Option<(&str, &[u8])>,
    actor: &Actor,
) -> Result<i64> {
    if let Some((sha, content)) = file {
        tx.execute(
            "INSERT OR IGNORE INTO evidence_blob (sha256, size, content) VALUES (?1, ?2, ?3)",
            params![sha, content.len() as i64, content],
        )?;
    }
    tx.execute(
        "INSERT INTO evidence (control_id, sample_id, ordinal, kind, name, sha256, size, added_by, added_at, request_id, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            at.control_id,
            at.sample_id,
            at.ordinal.map(|o| o as i64),
            if kind == EvidenceKind::File { "file" } else { "reference" },
            name,
            file.map(|f| f.0),
            file.map(|f| f.1.len() as i64),
            actor.name,
            actor.at_text(),
            at.request_id,
            next_id(tx, "evidence")?
        ],
    )?;
    let id = tx.last_insert_rowid();
    clear_signoffs(tx, at.control_id, actor, "evidence was added")?;
    trail::record_rows(
        tx,
        actor,
        "evidence.added",
        serde_json::json!({ "control": at.control, "item": at.ordinal, "name": name, "sha256": file.map(|f| f.0) }),
        &[("evidence", id)],
    )?;
    Ok(id)
}

/// An evidence file read whole, with its display name and SHA-256: refused when it is a folder,
/// not a regular file, or above the size limit.
pub(crate) fn read_evidence_file(path: &Path) -> Result<(String, String, Vec<u8>)> {
    let name = crate::import::table::display_name(path);
    let io = |source: std::io::Error| Error::Io { path: path.to_path_buf(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(Error::invalid(format!("{}: is a folder; attach the files in it one by one", path.display())));
    }
    // A pipe, device or socket would make the read wait (or never end) while the engagement
    // is held: refused before it is opened.
    if !meta.is_file() {
        return Err(Error::invalid(format!(
            "{}: is not a regular file (a pipe, device or socket); save the evidence to a file and attach that",
            path.display()
        )));
    }
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(Error::invalid(format!(
            "{}: {} bytes is above the {} MiB limit for evidence kept in the engagement; store it in the firm's document system and add a reference instead",
            path.display(),
            meta.len(),
            MAX_EVIDENCE_BYTES >> 20
        )));
    }
    let mut content = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path).map_err(io)?.take(MAX_EVIDENCE_BYTES + 1).read_to_end(&mut content).map_err(io)?;
    if content.len() as u64 > MAX_EVIDENCE_BYTES {
        return Err(Error::invalid(format!("{}: grew above the evidence limit while being read", path.display())));
    }
    let sha256 = trail::hex(&Sha256::digest(&content));
    Ok((name, sha256, content))
}

fn attribute_id(conn: &Connection, control_id: i64, label: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM attribute WHERE control_id = ?1 AND upper(label) = upper(?2)",
            params![control_id, label.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

fn validate_interview(conn: &Connection, input: &InterviewInput) -> Result<()> {
    if input.interviewee.trim().is_empty() {
        return Err(Error::invalid("the interview needs the interviewee's name"));
    }
    if input.notes.trim().is_empty() {
        return Err(Error::invalid("the interview has no notes"));
    }
    for c in &input.controls {
        control_id(conn, c)?.ok_or_else(|| no_control(c))?;
    }
    Ok(())
}

/// Clears the control's active sign-offs because something they cover changed; the trail
/// records each cleared sign-off with the reason.
pub(crate) fn clear_signoffs(tx: &Transaction<'_>, control_id: i64, actor: &Actor, why: &str) -> Result<()> {
    let ids: Vec<i64> = {
        let mut stmt =
            tx.prepare_cached("SELECT id FROM signoff WHERE control_id = ?1 AND cleared_at IS NULL ORDER BY id")?;
        stmt.query_map([control_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    for id in ids {
        tx.execute(
            "UPDATE signoff SET cleared_at = ?2, cleared_reason = ?3 WHERE id = ?1",
            params![id, actor.at_text(), why],
        )?;
        trail::record_rows(
            tx,
            actor,
            "signoff.cleared",
            serde_json::json!({ "signoff": id, "reason": why }),
            &[("signoff", id)],
        )?;
    }
    Ok(())
}
