//! Client requests (PBC, "provided by client"): one per sample item and one per control,
//! generated from the samples, sent as a workbook that carries only what the auditor asks, and
//! answered by a folder of files named after the request IDs.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Engagement;
use super::controls::{control_id, no_control};
use super::fieldwork::{EvidencePlace, insert_evidence, read_evidence_file};
use super::team::next_id;
use crate::engagement::Actor;
use crate::engagement::fieldwork::EvidenceKind;
use crate::{Error, Result, trail};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Open,
    Received,
    Accepted,
    Rejected,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 4] =
        [RequestStatus::Open, RequestStatus::Received, RequestStatus::Accepted, RequestStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Received => "received",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Rejected => "rejected",
        }
    }

    /// How the app names the status.
    pub fn words(self) -> &'static str {
        match self {
            RequestStatus::Open => "Open",
            RequestStatus::Received => "Received",
            RequestStatus::Accepted => "Accepted",
            RequestStatus::Rejected => "Rejected",
        }
    }
}

/// One thing asked of the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// `CC8.1-01-07` for item 7 of CC8.1-01's sample; `CC8.1-01-C` for the control itself.
    pub code: String,
    pub control: String,
    /// The sample item asked about; None for control-level evidence.
    pub ordinal: Option<u64>,
    pub key: Option<String>,
    pub date: Option<NaiveDate>,
    /// The item's fields as `Column: value` lines, so the client can find it.
    pub details: String,
    /// What evidence is needed, in the auditor's words.
    pub asked: String,
    pub due: NaiveDate,
    pub status: RequestStatus,
    /// Why the evidence was rejected.
    pub reason: Option<String>,
    pub created_at: String,
    pub received_at: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// Days since the request was made, as of the time asked; and days past due while open.
    pub age_days: i64,
    pub overdue_days: i64,
}

/// What a folder of returned files did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    /// `(request, file, sha256)` of each file stored as evidence.
    pub stored: Vec<(String, String, String)>,
    /// Files whose content was already stored for the same request.
    pub duplicates: Vec<String>,
    /// Files whose names start with no request ID.
    pub unmatched: Vec<String>,
    /// Requests still open after this folder.
    pub still_open: Vec<String>,
}

/// Reads a due date typed as `YYYY-MM-DD`.
pub fn parse_due(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid(format!("the due date {text:?} is not a date: write it as YYYY-MM-DD")))
}

/// A request to make: its ID, control row, sample row and item, and what is asked.
type NewRequest = (String, i64, Option<i64>, Option<u64>, String);

/// The verdict on received evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Reject(String),
}

impl Engagement {
    /// Creates the requests not made yet for `control` (or every control): one per item of its
    /// current sample (voided items aside) and one for the control's own evidence. Returns
    /// every request of those controls, new and old, ordered by ID.
    pub fn generate_requests(&mut self, control: Option<&str>, due: NaiveDate, actor: &Actor) -> Result<Vec<Request>> {
        let controls = match control {
            Some(c) => vec![self.control(c)?],
            None => self.controls()?,
        };
        let mut new: Vec<NewRequest> = Vec::new();
        for c in &controls {
            let walkthrough = self.walkthrough(&c.code)?;
            let traced = walkthrough.map(|w| format!(" (the item traced: {})", w.traced)).unwrap_or_default();
            new.push((
                format!("{}-C", c.code),
                c.id,
                None,
                None,
                format!(
                    "The policy or procedure document for this control in effect during the period, and the documents behind the walkthrough{traced}."
                ),
            ));
            if let Some(sample) = self.sample(&c.code)? {
                let asked: Vec<String> = c.attributes.iter().map(|a| format!("{}: {}", a.label, a.condition)).collect();
                let asked = format!("Evidence showing, for this item:\n{}", asked.join("\n"));
                for item in sample.items.iter().filter(|i| i.void.is_none()) {
                    let code = format!("{}-{:02}", c.code, item.ordinal);
                    new.push((code, c.id, Some(sample.id), Some(item.ordinal), asked.clone()));
                }
            }
        }
        self.write(|tx| {
            let mut ids = Vec::new();
            for (code, cid, sample_id, ordinal, asked) in &new {
                let exists: Option<i64> =
                    tx.query_row("SELECT id FROM request WHERE code = ?1", [code], |r| r.get(0)).optional()?;
                if exists.is_some() {
                    continue;
                }
                tx.execute(
                    "INSERT INTO request (code, control_id, sample_id, ordinal, asked, due, status, created_by, created_at, id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9)",
                    params![code, cid, sample_id, ordinal.map(|o| o as i64), asked, due.to_string(), actor.name, actor.at_text(), next_id(tx, "request")?],
                )?;
                ids.push(tx.last_insert_rowid());
            }
            if !ids.is_empty() {
                let rows: Vec<(&str, i64)> = ids.iter().map(|id| ("request", *id)).collect();
                trail::record_rows(
                    tx,
                    actor,
                    "requests.generated",
                    serde_json::json!({ "count": ids.len(), "due": due.to_string() }),
                    &rows,
                )?;
            }
            Ok(())
        })?;
        let codes: Vec<String> = controls.iter().map(|c| c.code.clone()).collect();
        Ok(self.requests(None, actor)?.into_iter().filter(|r| codes.contains(&r.control)).collect())
    }

    /// Every request (of one control, or all), ordered by ID, aged as of the actor's time.
    pub fn requests(&self, control: Option<&str>, actor: &Actor) -> Result<Vec<Request>> {
        let filter = match control {
            Some(c) => Some(control_id(self.conn(), c)?.ok_or_else(|| no_control(c))?),
            None => None,
        };
        let mut out = load_requests(self.conn(), filter, actor.at.date_naive())?;
        // The item's key, date and fields, from the control's current sample.
        let mut samples: std::collections::BTreeMap<String, Option<super::Sample>> = Default::default();
        for r in &mut out {
            let Some(ordinal) = r.ordinal else { continue };
            if !samples.contains_key(&r.control) {
                samples.insert(r.control.clone(), self.sample(&r.control)?);
            }
            let Some(sample) = &samples[&r.control] else { continue };
            if let Some(item) = sample.items.iter().find(|i| i.ordinal == ordinal) {
                r.key = Some(item.key.clone());
                r.date = item.date;
                r.details = sample
                    .columns
                    .iter()
                    .zip(&item.fields)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(c, v)| format!("{c}: {v}"))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
        Ok(out)
    }

    /// Accepts or rejects (with the reason) the evidence received for a request.
    pub fn close_request(&mut self, code: &str, verdict: &Verdict, actor: &Actor) -> Result<Request> {
        let (id, status) = self.request_row(code)?;
        if status == RequestStatus::Open.as_str() {
            return Err(Error::invalid(format!(
                "request {code} has received nothing yet; receive its evidence before accepting or rejecting it"
            )));
        }
        let (status, reason) = match verdict {
            Verdict::Accept => (RequestStatus::Accepted, None),
            Verdict::Reject(r) if r.trim().is_empty() => {
                return Err(Error::invalid(format!("rejecting {code} needs the reason the client will read")));
            }
            Verdict::Reject(r) => (RequestStatus::Rejected, Some(r.trim().to_string())),
        };
        self.write(|tx| {
            tx.execute(
                "UPDATE request SET status = ?2, reason = ?3, closed_by = ?4, closed_at = ?5 WHERE id = ?1",
                params![id, status.as_str(), reason, actor.name, actor.at_text()],
            )?;
            trail::record_rows(
                tx,
                actor,
                "request.closed",
                serde_json::json!({ "request": code, "status": status.as_str() }),
                &[("request", id)],
            )?;
            Ok(())
        })?;
        self.requests(None, actor)?.into_iter().find(|r| r.code == code).ok_or_else(|| Error::invalid("not saved"))
    }

    /// Receives a folder of files returned by the client: each file whose name starts with a
    /// request ID (`CC8.1-01-07 approval.png`) is stored as evidence on that request's item
    /// with its SHA-256, and the request marked received. A folder holding a folder or a
    /// symbolic link, or a file over the evidence limit, is refused whole; nothing is stored.
    pub fn receive_requests(&mut self, folder: &Path, actor: &Actor) -> Result<Received> {
        let files = folder_files(folder)?;
        let known = load_requests(self.conn(), None, actor.at.date_naive())?;
        let mut matched = Vec::new();
        let mut unmatched = Vec::new();
        for path in files {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match request_for(&name, &known) {
                Some(r) => matched.push((r.clone(), path, name)),
                None => unmatched.push(name),
            }
        }
        // Read every file first: a refusal stores nothing.
        let mut read = Vec::new();
        for (request, path, name) in matched {
            let (_, sha, content) = read_evidence_file(&path)?;
            read.push((request, name, sha, content));
        }
        let mut stored = Vec::new();
        let mut duplicates = Vec::new();
        self.write(|tx| {
            for (request, name, sha, content) in &read {
                let (rid, cid, sample_id): (i64, i64, Option<i64>) = tx.query_row(
                    "SELECT id, control_id, sample_id FROM request WHERE code = ?1",
                    [&request.code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let seen: bool = tx.query_row(
                    "SELECT COUNT(*) > 0 FROM evidence WHERE request_id = ?1 AND sha256 = ?2",
                    params![rid, sha],
                    |r| r.get(0),
                )?;
                if seen {
                    duplicates.push(name.clone());
                    continue;
                }
                let place = EvidencePlace {
                    control_id: cid,
                    control: &request.control,
                    sample_id,
                    ordinal: request.ordinal,
                    request_id: Some(rid),
                };
                insert_evidence(tx, &place, EvidenceKind::File, name, Some((sha, content)), actor)?;
                tx.execute(
                    "UPDATE request SET status = 'received', received_at = ?2, reason = NULL, closed_by = NULL, closed_at = NULL WHERE id = ?1",
                    params![rid, actor.at_text()],
                )?;
                trail::record_rows(
                    tx,
                    actor,
                    "request.received",
                    serde_json::json!({ "request": request.code, "file": name, "sha256": sha }),
                    &[("request", rid)],
                )?;
                stored.push((request.code.clone(), name.clone(), sha.clone()));
            }
            Ok(())
        })?;
        let still_open = load_requests(self.conn(), None, actor.at.date_naive())?
            .into_iter()
            .filter(|r| r.status == RequestStatus::Open)
            .map(|r| r.code)
            .collect();
        Ok(Received { stored, duplicates, unmatched, still_open })
    }

    fn request_row(&self, code: &str) -> Result<(i64, String)> {
        self.conn()
            .query_row("SELECT id, status FROM request WHERE code = ?1", [code.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| {
                Error::invalid(format!("no request {code:?} in this engagement; `tickmark requests list` shows them"))
            })
    }
}

/// The request whose ID the file name starts with, followed by anything but a digit (so
/// `CC8.1-01-07 approval.png` is item 7, never item 70); the longest such ID wins.
fn request_for<'a>(name: &str, known: &'a [Request]) -> Option<&'a Request> {
    known
        .iter()
        .filter(|r| {
            name.len() >= r.code.len()
                && name[..r.code.len()].eq_ignore_ascii_case(&r.code)
                && !name[r.code.len()..].starts_with(|c: char| c.is_ascii_digit())
        })
        .max_by_key(|r| r.code.len())
}

/// The folder's files, sorted by name; a folder or symbolic link inside refuses the folder.
fn folder_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let io = |source: std::io::Error| Error::Io { path: folder.to_path_buf(), source };
    let meta = std::fs::symlink_metadata(folder).map_err(io)?;
    if !meta.is_dir() {
        return Err(Error::invalid(format!("{}: is not a folder of returned files", folder.display())));
    }
    let mut files = Vec::new();
    let mut refused = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let entry = entry.map_err(io)?;
        let kind = entry.file_type().map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_symlink() {
            refused.push(format!("{name} (a symbolic link)"));
        } else if kind.is_dir() {
            refused.push(format!("{name} (a folder)"));
        } else if !kind.is_file() {
            refused.push(format!("{name} (not a regular file)"));
        } else {
            files.push(entry.path());
        }
    }
    if !refused.is_empty() {
        refused.sort();
        return Err(Error::invalid(format!(
            "{}: holds {}; receive a flat folder of the client's files (links and sub-folders are not followed), nothing was stored",
            folder.display(),
            refused.join(", ")
        )));
    }
    files.sort();
    Ok(files)
}

fn load_requests(conn: &Connection, control: Option<i64>, today: NaiveDate) -> Result<Vec<Request>> {
    let mut stmt = conn.prepare_cached(
        "SELECT q.id, q.code, c.code, q.ordinal, q.asked, q.due, q.status, q.reason, q.created_at, q.received_at,
                q.closed_by, q.closed_at, q.sample_id
         FROM request q JOIN control c ON c.id = q.control_id WHERE ?1 IS NULL OR q.control_id = ?1 ORDER BY q.code",
    )?;
    let rows = stmt.query_map([control], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<String>>(10)?,
            r.get::<_, Option<String>>(11)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, code, control, ordinal, asked, due, status, reason, created_at, received_at, closed_by, closed_at) =
            row?;
        let damaged = |column: &str, what: &str| {
            Error::invalid(format!("request row {id}, column {column}: the stored value is damaged ({what})"))
        };
        let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|_| damaged("due", &due))?;
        let status =
            crate::engagement::kind_by_name(&status, "request status", &RequestStatus::ALL, RequestStatus::as_str)
                .map_err(|e| damaged("status", &e.to_string()))?;
        let created = chrono::DateTime::parse_from_rfc3339(&created_at)
            .map_err(|_| damaged("created_at", &created_at))?
            .date_naive();
        let open = status == RequestStatus::Open;
        out.push(Request {
            code,
            control,
            ordinal: ordinal.map(|o| o as u64),
            key: None,
            date: None,
            details: String::new(),
            asked,
            due,
            status,
            reason,
            created_at,
            received_at,
            closed_by,
            closed_at,
            age_days: (today - created).num_days().max(0),
            overdue_days: if open { (today - due).num_days().max(0) } else { 0 },
        });
    }
    Ok(out)
}
