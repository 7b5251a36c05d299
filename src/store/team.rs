//! Team fieldwork: the in-charge hands controls to a colleague in a working copy, the
//! colleague works on them apart (offline, on a plane), and the copy is merged back.
//!
//! How the pieces fit:
//! - **Row ids never collide.** A working copy's new rows take ids from its own range
//!   (`id_floor`, a multiple of a million above every id the engagement had when it was handed out),
//!   so a row created in a working copy keeps its id in the engagement and nothing that refers
//!   to it (foreign keys, the id lists in a walkthrough) has to be renumbered. `next_id` is the
//!   one place ids are chosen.
//! - **What changed is read from the trail.** Every event records the state of each row it
//!   wrote (`store::coverage`), so the rows a working copy changed since the hand-off, and the
//!   rows the engagement changed meanwhile, are replays of their events after the base. A row
//!   changed on both sides to different states, or a new row whose unique key (item 4,
//!   attribute B) the engagement also filled, is a conflict: it is listed and nothing is
//!   merged until each is resolved.
//! - **The working copy's events are kept as signed.** They are stored whole in
//!   `branch_event`, chained from the hand-off event; the merge event in the engagement's own
//!   chain cites their head, and `verify` re-checks their chain and signatures.
//! - **A working copy can change only its controls.** Every event written in one is checked
//!   as it is written (`admit`), and the merge checks every event again against the
//!   engagement's own record of the hand-off, so a copy widened with `sqlite3` gains nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::coverage::COVERED;
use super::{Engagement, Passphrase};
use crate::engagement::Actor;
use crate::identity::{PublicKey, grouped};
use crate::trail::{self, event_hash};
use crate::{Error, Result};

/// The width of each working copy's id range: far more rows than a team records by hand in a
/// control's fieldwork (bulk population items and sample items are not counted: they are
/// keyed by their population or sample), and ids an auditor can still read ("interview
/// 2000001").
const RANGE: i64 = 1_000_000;

/// The id the next row of `table` takes: one above the table's largest, and in a working copy
/// at least the copy's own floor.
pub(crate) fn next_id(conn: &Connection, table: &str) -> Result<i64> {
    debug_assert!(COVERED.contains(&table));
    let sql = format!(
        "SELECT MAX(IFNULL((SELECT MAX(id) FROM {table}), 0) + 1,
                    IFNULL((SELECT h.id_floor FROM working_copy w JOIN handoff h ON h.branch = w.branch), 1))"
    );
    Ok(conn.prepare_cached(&sql)?.query_row([], |r| r.get(0))?)
}

/// One working copy handed out, as the engagement records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handoff {
    pub branch: String,
    pub assignee: String,
    /// The fingerprint of the key the assignee signs with.
    pub fingerprint: String,
    pub controls: Vec<String>,
    /// The event the copy was handed out at (the hand-off event itself).
    pub base_seq: i64,
    pub out_by: String,
    pub out_at: String,
    pub merged_by: Option<String>,
    pub merged_at: Option<String>,
    pub merged_events: Option<i64>,
    /// The engagement's event that merged the copy back.
    pub merge_event: Option<i64>,
    pub recalled_by: Option<String>,
    pub recalled_at: Option<String>,
    pub recall_reason: Option<String>,
}

impl Handoff {
    /// Still out: neither merged back nor recalled.
    pub fn is_out(&self) -> bool {
        self.merged_at.is_none() && self.recalled_at.is_none()
    }
}

/// The hand-off row with what only the engine needs.
#[derive(Debug, Clone)]
struct Record {
    id: i64,
    public: Handoff,
    public_key: String,
    id_floor: i64,
    merged_head: Option<String>,
}

const HANDOFF_COLUMNS: &str =
    "id, branch, assignee, public_key, controls, id_floor, base_seq, out_by, out_at, merged_by, merged_at,
     merged_head, merged_events, recalled_by, recalled_at, recall_reason,
     (SELECT seq FROM event WHERE action = 'team.merged' AND json_extract(payload, '$.branch') = handoff.branch)";

fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let key: String = r.get(3)?;
    let controls: String = r.get(4)?;
    Ok(Record {
        id: r.get(0)?,
        public: Handoff {
            branch: r.get(1)?,
            assignee: r.get(2)?,
            fingerprint: PublicKey::from_hex(&key).map(|k| k.fingerprint()).unwrap_or_default(),
            controls: serde_json::from_str(&controls).unwrap_or_default(),
            base_seq: r.get(6)?,
            out_by: r.get(7)?,
            out_at: r.get(8)?,
            merged_by: r.get(9)?,
            merged_at: r.get(10)?,
            merged_events: r.get(12)?,
            merge_event: r.get(16)?,
            recalled_by: r.get(13)?,
            recalled_at: r.get(14)?,
            recall_reason: r.get(15)?,
        },
        public_key: key,
        id_floor: r.get(5)?,
        merged_head: r.get(11)?,
    })
}

fn records(conn: &Connection) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare(&format!("SELECT {HANDOFF_COLUMNS} FROM handoff ORDER BY id"))?;
    let rows = stmt.query_map([], read_record)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn record_of(conn: &Connection, branch: &str) -> Result<Option<Record>> {
    Ok(conn
        .query_row(&format!("SELECT {HANDOFF_COLUMNS} FROM handoff WHERE branch = ?1"), [branch], read_record)
        .optional()?)
}

/// The hand-off this file is a working copy of, if it is one.
fn this_copy(conn: &Connection) -> Result<Option<Record>> {
    let branch: Option<String> =
        conn.query_row("SELECT branch FROM working_copy WHERE id = 1", [], |r| r.get(0)).optional()?;
    match branch {
        None => Ok(None),
        Some(b) => record_of(conn, &b)?.map(Some).ok_or_else(|| {
            Error::invalid(format!("this working copy names branch {b}, which its engagement never handed out"))
        }),
    }
}

/// Who holds `code` as the working copy (or engagement) at `conn` sees it: the assignee of a
/// copy it is out in, else the in-charge who handed this copy out.
fn holder(conn: &Connection, code: &str, in_charge: &str) -> Result<String> {
    Ok(records(conn)?
        .into_iter()
        .find(|r| r.public.is_out() && r.public.controls.iter().any(|c| c == code))
        .map_or_else(|| in_charge.to_string(), |r| r.public.assignee))
}

/// Where a covered row belongs: to a control, to the engagement as a whole, or (an interview)
/// to whoever recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Control(i64),
    Engagement,
    Interview,
}

/// The owner of a row of `table` in `state`; `parent` looks up the last known state of a
/// population or sample row (for exclusions, results, exceptions and voids).
fn owner_of(table: &str, state: &Value, parent: &mut dyn FnMut(&str, i64) -> Result<Option<Value>>) -> Result<Owner> {
    let via = |parent: &mut dyn FnMut(&str, i64) -> Result<Option<Value>>, t: &str, column: &str| -> Result<Owner> {
        let Some(id) = state[column].as_i64() else { return Ok(Owner::Engagement) };
        Ok(parent(t, id)?.and_then(|p| p["control_id"].as_i64()).map_or(Owner::Engagement, Owner::Control))
    };
    match table {
        "engagement" | "objective" | "handoff" => Ok(Owner::Engagement),
        "interview" => Ok(Owner::Interview),
        "control" => Ok(state["id"].as_i64().map_or(Owner::Engagement, Owner::Control)),
        "exclusion" => via(parent, "population", "population_id"),
        "sample_void" | "result" | "exception" => via(parent, "sample", "sample_id"),
        _ => Ok(state["control_id"].as_i64().map_or(Owner::Engagement, Owner::Control)),
    }
}

/// The last state the trail recorded for a row that is not deleted.
fn last_state(conn: &Connection, table: &str, id: i64) -> Result<Option<Value>> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT json_extract(r.value, '$.state') FROM event e, json_each(e.payload, '$.rows') r
             WHERE json_extract(r.value, '$.table') = ?1 AND json_extract(r.value, '$.id') = ?2
               AND json_type(r.value, '$.state') = 'object'
             ORDER BY e.seq DESC LIMIT 1",
        )?
        .query_row(params![table, id], |r| r.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn control_code(conn: &Connection, id: i64) -> Result<String> {
    Ok(conn
        .query_row("SELECT code FROM control WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| format!("control {id}")))
}

/// Refuses, in a working copy, an event its assignee may not write: one signed by anyone else,
/// one about the engagement as a whole, one touching a control the copy does not hold or an
/// interview recorded before the hand-off. Called for every signed event as it is appended.
pub(crate) fn admit(tx: &Transaction<'_>, actor: &Actor, key: &PublicKey, action: &str, payload: &Value) -> Result<()> {
    let Some(copy) = this_copy(tx)? else { return Ok(()) };
    let h = &copy.public;
    let held = h.controls.join(", ");
    if actor.name != h.assignee || key.hex() != copy.public_key {
        return Err(Error::invalid(format!(
            "this is {}'s working copy of {held}, handed out by {}: {} cannot change it",
            h.assignee, h.out_by, actor.name
        )));
    }
    if action.starts_with("team.") || action == "signer.pinned" {
        return Err(Error::invalid(format!(
            "hand-offs and signing keys are managed in the engagement itself, which stays with {}; this working copy holds {held}",
            h.out_by
        )));
    }
    let allowed: BTreeSet<i64> = control_ids(tx, &h.controls)?;
    for entry in payload.get("rows").and_then(Value::as_array).into_iter().flatten() {
        let (Some(table), Some(id)) = (entry["table"].as_str(), entry["id"].as_i64()) else { continue };
        let state = match &entry["state"] {
            Value::Null => last_state(tx, table, id)?.unwrap_or(Value::Null),
            s => s.clone(),
        };
        let mut parent = |t: &str, pid: i64| -> Result<Option<Value>> {
            match super::coverage::row_state(tx, t, pid)? {
                Some(s) => Ok(Some(s)),
                None => last_state(tx, t, pid),
            }
        };
        match owner_of(table, &state, &mut parent)? {
            Owner::Control(c) if allowed.contains(&c) => {}
            Owner::Control(c) => {
                let code = control_code(tx, c)?;
                return Err(Error::invalid(format!(
                    "{code} is not in this working copy: it stays with {}; this copy holds {held}",
                    holder(tx, &code, &h.out_by)?
                )));
            }
            Owner::Interview if id >= copy.id_floor => {}
            Owner::Interview => {
                return Err(Error::invalid(format!(
                    "interview {id} was recorded before the hand-off and stays with {}; record a new interview here instead",
                    h.out_by
                )));
            }
            Owner::Engagement => {
                return Err(Error::invalid(format!(
                    "the engagement's own settings ({table}) stay with {}, who handed out this working copy of {held}",
                    h.out_by
                )));
            }
        }
    }
    Ok(())
}

fn control_ids(conn: &Connection, codes: &[String]) -> Result<BTreeSet<i64>> {
    let mut ids = BTreeSet::new();
    for code in codes {
        if let Some(id) = super::controls::control_id(conn, code)? {
            ids.insert(id);
        }
    }
    Ok(ids)
}

/// What to hand off, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HandoffInput {
    pub assignee: String,
    pub controls: Vec<String>,
}

/// Which side a conflict keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prefer {
    /// The engagement's version.
    Main,
    /// The working copy's version.
    Returned,
}

impl Prefer {
    pub fn parse(s: &str) -> Result<Prefer> {
        match s.trim().to_ascii_lowercase().as_str() {
            "main" | "engagement" => Ok(Prefer::Main),
            "returned" | "working-copy" => Ok(Prefer::Returned),
            other => Err(Error::invalid(format!("--prefer {other:?}: give main or returned"))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Prefer::Main => "main",
            Prefer::Returned => "returned",
        }
    }
}

/// How the auditor resolved the conflicts: one side for all, or one per conflict (by its id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Resolution {
    pub all: Option<Prefer>,
    #[serde(default)]
    pub each: BTreeMap<String, Prefer>,
}

impl Resolution {
    fn of(&self, id: &str) -> Option<Prefer> {
        self.each.get(id).copied().or(self.all)
    }
}

/// One side of a conflict: the row's state, who last wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictSide {
    /// The differing fields in words, e.g. `outcome: exception; comment: "no ticket"`, or
    /// `deleted`.
    pub value: String,
    pub by: String,
    pub at: String,
}

/// A row changed on both sides since the hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Stable within one merge: what a per-conflict resolution names.
    pub id: String,
    pub control: String,
    /// What the row is, in words: `item 4, attribute B`.
    pub subject: String,
    pub main: ConflictSide,
    pub returned: ConflictSide,
}

/// What merging a working copy would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergePlan {
    pub branch: String,
    pub assignee: String,
    pub controls: Vec<String>,
    pub base_seq: i64,
    /// Events written in the working copy since the hand-off.
    pub events: usize,
    /// The working copy's trail head.
    pub head: String,
    /// Rows the working copy changed.
    pub rows: usize,
    pub conflicts: Vec<Conflict>,
    /// Set when this working copy was merged already: by whom and when.
    pub already_merged: Option<String>,
}

/// A merge done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    pub plan: MergePlan,
    /// `(conflict id, side kept)`.
    pub resolved: Vec<(String, Prefer)>,
    pub rows_applied: usize,
    pub signoffs_cleared: usize,
    /// The merge event.
    pub event: i64,
}

/// The last write of a row on one side: event, actor, time and state (null: deleted).
#[derive(Debug, Clone)]
struct Write {
    actor: String,
    at: String,
    state: Value,
}

type Key = (String, i64);

/// Replays the rows of every event after `after` in `conn`'s trail: the last write of each row.
fn writes_after(conn: &Connection, after: i64) -> Result<BTreeMap<Key, Write>> {
    let mut out = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT actor, at, payload FROM event WHERE seq > ?1 ORDER BY seq")?;
    let mut rows = stmt.query([after])?;
    while let Some(r) = rows.next()? {
        let (actor, at, payload): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let Ok(payload) = serde_json::from_str::<Value>(&payload) else { continue };
        for entry in payload.get("rows").and_then(Value::as_array).into_iter().flatten() {
            let (Some(table), Some(id)) = (entry["table"].as_str(), entry["id"].as_i64()) else { continue };
            out.insert(
                (table.to_string(), id),
                Write { actor: actor.clone(), at: at.clone(), state: entry["state"].clone() },
            );
        }
    }
    Ok(out)
}

/// A working copy's event as stored.
#[derive(Debug, Clone)]
struct BranchEvent {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    payload: String,
    prev_hash: String,
    hash: String,
    signer_key: Option<String>,
    signature: Option<String>,
}

fn events_after(conn: &Connection, after: i64) -> Result<Vec<BranchEvent>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, payload, prev_hash, hash, signer_key, signature FROM event WHERE seq > ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([after], read_branch_event)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read_branch_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<BranchEvent> {
    Ok(BranchEvent {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        payload: r.get(4)?,
        prev_hash: r.get(5)?,
        hash: r.get(6)?,
        signer_key: r.get(7)?,
        signature: r.get(8)?,
    })
}

fn event_hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT hash FROM event WHERE seq = ?1", [seq], |r| r.get(0)).optional()?)
}

/// The unique keys of a table other than its id: each a list of columns.
fn unique_keys(conn: &Connection, table: &str) -> Result<Vec<Vec<String>>> {
    let mut keys = Vec::new();
    let indexes: Vec<(String, bool, String)> = {
        let mut stmt = conn.prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")?;
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (name, unique, origin) in indexes {
        if !unique || origin == "pk" {
            continue;
        }
        let mut stmt = conn.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
        let columns: Vec<String> = stmt.query_map([&name], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        keys.push(columns);
    }
    Ok(keys)
}

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// The differing fields of two states, in words; who-and-when columns are left to the sides.
fn describe_difference(mine: &Value, theirs: &Value) -> String {
    let Value::Object(m) = mine else { return "deleted".into() };
    let bookkeeping = |c: &str| c == "id" || c.ends_with("_by") || c.ends_with("_at");
    let mut parts = Vec::new();
    for (column, value) in m {
        if bookkeeping(column) || theirs.get(column) == Some(value) {
            continue;
        }
        let shown = match value {
            Value::String(s) => format!("{s:?}"),
            Value::Null => "none".into(),
            v => v.to_string(),
        };
        parts.push(format!("{column}: {shown}"));
    }
    if parts.is_empty() { "the same fields, written separately".into() } else { parts.join("; ") }
}

/// The subject of a row in words, for a conflict.
fn subject(conn: &Connection, table: &str, state: &Value) -> String {
    let n = |c: &str| state[c].as_i64().map(|v| v.to_string()).unwrap_or_default();
    let s = |c: &str| state[c].as_str().unwrap_or_default().to_string();
    match table {
        "result" => {
            let label: String = state["attribute_id"]
                .as_i64()
                .and_then(|a| conn.query_row("SELECT label FROM attribute WHERE id = ?1", [a], |r| r.get(0)).ok())
                .unwrap_or_default();
            format!("item {}, attribute {label}", n("ordinal"))
        }
        "exception" => format!("item {}: exception", n("ordinal")),
        "sample_void" => format!("item {}: void", n("ordinal")),
        "sample" => format!("sample, draw {}", n("draw_number")),
        "conclusion" => "conclusion".into(),
        "walkthrough" => "walkthrough and design conclusion".into(),
        "deficiency" => "deficiency evaluation".into(),
        "signoff" => format!("{} sign-off", s("role")),
        "review_note" => format!("review note \"{}\"", s("text")),
        "evidence" => format!("evidence \"{}\"", s("name")),
        "procedure_step" => format!("procedure step {}", n("position")),
        "population" => format!("population \"{}\"", s("source_name")),
        "exclusion" => format!("exclusion \"{}\"", s("rule")),
        "interview" => format!("interview with {}", s("interviewee")),
        "request" => format!("request {}", s("code")),
        "attribute" => format!("attribute {}", s("label")),
        "control" => "control description".into(),
        other => format!("{other} {}", n("id")),
    }
}

/// Everything the merge works from, read once.
struct Analysis {
    record: Record,
    events: Vec<BranchEvent>,
    head: String,
    /// The working copy's last write of each row it changed.
    theirs: BTreeMap<Key, Write>,
    /// The engagement's last write of each row it changed since the hand-off.
    ours: BTreeMap<Key, Write>,
    conflicts: Vec<Conflict>,
    /// Rows of ours the working copy's new rows collide with on a unique key: conflict id →
    /// (ours, theirs).
    key_clashes: HashMap<String, (Key, Key)>,
    /// Sign-off rows both sides changed where one cleared it: kept cleared, no question asked.
    kept_cleared: BTreeMap<Key, Value>,
}

impl Engagement {
    /// Every working copy handed out, oldest first: the in-charge sees who holds what.
    pub fn handoffs(&self) -> Result<Vec<Handoff>> {
        Ok(records(self.conn())?.into_iter().map(|r| r.public).collect())
    }

    /// The hand-off this file is a working copy of; `None` for the engagement itself.
    pub fn working_copy(&self) -> Result<Option<Handoff>> {
        Ok(this_copy(self.conn())?.map(|r| r.public))
    }

    /// Hands `input.controls` to `input.assignee` in a working copy written to `dest`
    /// (encrypted with `key` when the engagement is). The assignee must have a signing key
    /// pinned in the engagement; a control already out is refused, naming who holds it.
    pub fn handoff(
        &mut self,
        input: &HandoffInput,
        dest: &Path,
        key: Option<&Passphrase>,
        actor: &Actor,
    ) -> Result<Handoff> {
        if let Some(copy) = this_copy(self.conn())? {
            return Err(Error::invalid(format!(
                "this is {}'s working copy; hand controls off from the engagement itself, which {} holds",
                copy.public.assignee, copy.public.out_by
            )));
        }
        let assignee = input.assignee.trim();
        if assignee.is_empty() {
            return Err(Error::invalid("name the colleague the controls are handed to"));
        }
        if input.controls.is_empty() {
            return Err(Error::invalid("name at least one control to hand off"));
        }
        if dest.exists() {
            return Err(Error::AlreadyExists { path: dest.to_path_buf() });
        }
        if key.is_none() && super::is_encrypted(self.path())? {
            return Err(Error::invalid(
                "the engagement is encrypted: give its passphrase, so the working copy is encrypted with it too",
            ));
        }
        let public_key: String = self
            .conn()
            .query_row(
                "SELECT public_key FROM signer WHERE name = ?1 AND pinned_at IS NOT NULL ORDER BY pinned_at DESC, id DESC LIMIT 1",
                [assignee],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{assignee} has no signing key pinned in this engagement: import theirs first (tickmark identity import), so their work can be checked when it comes back"
                ))
            })?;
        let out = records(self.conn())?;
        let mut codes = Vec::new();
        for code in &input.controls {
            let code = code.trim();
            let cid =
                super::controls::control_id(self.conn(), code)?.ok_or_else(|| super::controls::no_control(code))?;
            let code = control_code(self.conn(), cid)?;
            if let Some(r) = out.iter().find(|r| r.public.is_out() && r.public.controls.contains(&code)) {
                return Err(Error::invalid(format!(
                    "{code} is already handed off to {} (since {}); merge or recall that working copy first",
                    r.public.assignee, r.public.out_at
                )));
            }
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let (head_seq, _) = self.trail_head()?.unwrap_or((0, trail::GENESIS.to_string()));
        let base_seq = head_seq + 1;
        let id_floor = floor_above(self.conn(), &out)?;
        let branch = {
            let mut h = Sha256::new();
            h.update(self.id()?.as_bytes());
            h.update(base_seq.to_le_bytes());
            h.update(assignee.as_bytes());
            h.update(codes.join(",").as_bytes());
            trail::hex(&h.finalize())[..16].to_string()
        };
        let controls_json = serde_json::to_string(&codes).expect("strings");
        self.write(|tx| {
            let id = next_id(tx, "handoff")?;
            tx.execute(
                "INSERT INTO handoff (id, branch, assignee, public_key, controls, id_floor, base_seq, out_by, out_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    branch,
                    assignee,
                    public_key,
                    controls_json,
                    id_floor,
                    base_seq,
                    actor.name,
                    actor.at_text()
                ],
            )?;
            let event = trail::record_rows(
                tx,
                actor,
                "team.handed_off",
                serde_json::json!({
                    "branch": branch, "assignee": assignee, "controls": codes,
                    "fingerprint": PublicKey::from_hex(&public_key)?.fingerprint(), "file": file_name(dest),
                }),
                &[("handoff", id)],
            )?;
            debug_assert_eq!(event.seq, base_seq);
            Ok(())
        })?;
        if let Err(e) = super::backup::working_copy(self.conn(), dest, key, &branch) {
            // The copy was not written: the hand-off is withdrawn in the trail, so the controls
            // are not shown as out to someone who never received them.
            self.recall(&branch, &format!("the working copy could not be written: {e}"), actor)?;
            return Err(e);
        }
        Ok(record_of(self.conn(), &branch)?.expect("just written").public)
    }

    /// Withdraws a hand-off (a lost laptop, a copy never used): its controls can be handed out
    /// again and its working copy can no longer be merged.
    pub fn recall(&mut self, branch_or_assignee: &str, reason: &str, actor: &Actor) -> Result<Handoff> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid("say why the working copy is recalled"));
        }
        let wanted = branch_or_assignee.trim();
        let out: Vec<Record> = records(self.conn())?
            .into_iter()
            .filter(|r| r.public.is_out() && (r.public.branch == wanted || r.public.assignee == wanted))
            .collect();
        let record = match out.as_slice() {
            [one] => one.clone(),
            [] => return Err(Error::invalid(format!("no working copy out under {wanted:?}"))),
            many => {
                return Err(Error::invalid(format!(
                    "{wanted} holds {} working copies; name one by its branch: {}",
                    many.len(),
                    many.iter().map(|r| r.public.branch.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
        };
        self.write(|tx| {
            tx.execute(
                "UPDATE handoff SET recalled_by = ?2, recalled_at = ?3, recall_reason = ?4 WHERE id = ?1",
                params![record.id, actor.name, actor.at_text(), reason],
            )?;
            trail::record_rows(
                tx,
                actor,
                "team.recalled",
                serde_json::json!({ "branch": record.public.branch, "assignee": record.public.assignee, "reason": reason }),
                &[("handoff", record.id)],
            )?;
            Ok(())
        })?;
        Ok(record_of(self.conn(), &record.public.branch)?.expect("exists").public)
    }

    /// What merging `copy` would do: its events since the hand-off and every conflict, with
    /// nothing written. Refuses a copy that does not verify, one of another engagement, one
    /// this engagement never handed out or recalled, and one whose base is not in its chain.
    pub fn merge_plan(&self, copy: &Engagement) -> Result<MergePlan> {
        Ok(self.analyse(copy)?.plan())
    }

    /// Merges `copy` back: every row it changed since the hand-off, the conflicts resolved as
    /// `resolution` says (nothing is written while one is unresolved), its events kept as
    /// signed, and one merge event citing its head. Merging a copy twice changes nothing.
    pub fn merge(&mut self, copy: &Engagement, resolution: &Resolution, actor: &Actor) -> Result<Merged> {
        if let Some(own) = this_copy(self.conn())? {
            return Err(Error::invalid(format!(
                "this is {}'s working copy; merge returned copies into the engagement itself, which {} holds",
                own.public.assignee, own.public.out_by
            )));
        }
        let analysis = self.analyse(copy)?;
        let plan = analysis.plan();
        if plan.already_merged.is_some() {
            return Ok(Merged { plan, resolved: vec![], rows_applied: 0, signoffs_cleared: 0, event: 0 });
        }
        let unresolved: Vec<&Conflict> = analysis.conflicts.iter().filter(|c| resolution.of(&c.id).is_none()).collect();
        if !unresolved.is_empty() {
            let listed: Vec<String> =
                unresolved.iter().map(|c| format!("{} {} ({})", c.control, c.subject, c.id)).collect();
            return Err(Error::invalid(format!(
                "{} conflict(s) need a resolution before anything is merged: {}; choose the engagement's or the returned version (--prefer main|returned)",
                unresolved.len(),
                listed.join("; ")
            )));
        }
        let resolved: Vec<(String, Prefer)> =
            analysis.conflicts.iter().map(|c| (c.id.clone(), resolution.of(&c.id).expect("checked"))).collect();
        let (applied, cleared, event) = self.write(|tx| apply(tx, copy.conn(), &analysis, &resolved, actor))?;
        Ok(Merged { plan, resolved, rows_applied: applied, signoffs_cleared: cleared, event })
    }

    fn analyse(&self, copy: &Engagement) -> Result<Analysis> {
        let name = copy.path().display().to_string();
        if copy.id()? != self.id()? {
            return Err(Error::invalid(format!(
                "{name} is a working copy of another engagement ({}), not of this one",
                copy.info()?.client
            )));
        }
        let branch: String = copy
            .conn()
            .query_row("SELECT branch FROM working_copy WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::invalid(format!("{name} is not a working copy: it was never handed out")))?;
        let record = record_of(self.conn(), &branch)?.ok_or_else(|| {
            Error::invalid(format!("{name}: this engagement never handed out a working copy with branch {branch}"))
        })?;
        if let Some(at) = &record.public.recalled_at {
            return Err(Error::invalid(format!(
                "{name}: this working copy was recalled by {} on {at} ({}); it can no longer be merged",
                record.public.recalled_by.as_deref().unwrap_or_default(),
                record.public.recall_reason.as_deref().unwrap_or_default()
            )));
        }
        if record.public.merged_at.is_some() {
            // Merged before: nothing to compare, nothing to do.
            let head = record.merged_head.clone().unwrap_or_default();
            return Ok(Analysis {
                record,
                events: vec![],
                head,
                theirs: BTreeMap::new(),
                ours: BTreeMap::new(),
                conflicts: vec![],
                key_clashes: HashMap::new(),
                kept_cleared: BTreeMap::new(),
            });
        }
        let base = record.public.base_seq;
        let base_hash = event_hash_at(self.conn(), base)?;
        if base_hash.is_none() || base_hash != event_hash_at(copy.conn(), base)? {
            return Err(Error::invalid(format!(
                "{name}: its base (event {base}) is not in this engagement's chain: the copy or the engagement was rolled back or replaced since the hand-off"
            )));
        }
        let verification = copy.verify()?;
        if let Some(why) = verification.failure() {
            return Err(Error::invalid(format!(
                "{name}: the working copy does not verify, so it is not merged: {why}"
            )));
        }
        let events = events_after(copy.conn(), base)?;
        let head = events.last().map_or_else(|| base_hash.clone().unwrap_or_default(), |e| e.hash.clone());
        let allowed = control_ids(self.conn(), &record.public.controls)?;
        // The last state the working copy knew of each row, as its events are read in order:
        // a deleted row and the parent of a result are judged by it.
        let mut known: HashMap<Key, Value> = HashMap::new();
        for e in &events {
            if e.actor != record.public.assignee || e.signer_key.as_deref() != Some(record.public_key.as_str()) {
                return Err(Error::invalid(format!(
                    "{name}: event {} ({}) was written by {}, not {} to whom the working copy was handed, so it is not merged",
                    e.seq, e.action, e.actor, record.public.assignee
                )));
            }
            let payload: Value = serde_json::from_str(&e.payload).unwrap_or_default();
            for entry in payload.get("rows").and_then(Value::as_array).into_iter().flatten() {
                let (Some(table), Some(id)) = (entry["table"].as_str(), entry["id"].as_i64()) else { continue };
                if !COVERED.contains(&table) {
                    return Err(Error::invalid(format!("{name}: event {} writes {table}, which no event may", e.seq)));
                }
                let key = (table.to_string(), id);
                let state = match &entry["state"] {
                    Value::Null => match known.get(&key) {
                        Some(s) => s.clone(),
                        None => super::coverage::row_state(self.conn(), table, id)?.unwrap_or(Value::Null),
                    },
                    s => s.clone(),
                };
                let mut parent = |t: &str, pid: i64| -> Result<Option<Value>> {
                    match known.get(&(t.to_string(), pid)) {
                        Some(s) => Ok(Some(s.clone())),
                        None => super::coverage::row_state(self.conn(), t, pid),
                    }
                };
                let fits = match owner_of(table, &state, &mut parent)? {
                    Owner::Control(c) => allowed.contains(&c),
                    Owner::Interview => id >= record.id_floor,
                    Owner::Engagement => false,
                };
                if !fits {
                    return Err(Error::invalid(format!(
                        "{name}: event {} ({}) changes {table} {id}, which is outside the controls handed to {} ({}), so nothing is merged",
                        e.seq,
                        e.action,
                        record.public.assignee,
                        record.public.controls.join(", ")
                    )));
                }
                if !entry["state"].is_null() {
                    known.insert(key, entry["state"].clone());
                }
            }
        }
        let theirs = writes_after(copy.conn(), base)?;
        let ours = writes_after(self.conn(), base)?;
        let mut conflicts = Vec::new();
        let mut key_clashes = HashMap::new();
        let mut kept_cleared = BTreeMap::new();
        let mut uniques: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for ((table, id), w) in &theirs {
            let code_of = |state: &Value| -> String {
                let mut parent = |t: &str, pid: i64| -> Result<Option<Value>> {
                    match super::coverage::row_state(copy.conn(), t, pid)? {
                        Some(s) => Ok(Some(s)),
                        None => super::coverage::row_state(self.conn(), t, pid),
                    }
                };
                match owner_of(table, state, &mut parent) {
                    Ok(Owner::Control(c)) => control_code(self.conn(), c).unwrap_or_default(),
                    _ => String::new(),
                }
            };
            if let Some(o) = ours.get(&(table.clone(), *id)) {
                if *id >= record.id_floor {
                    return Err(Error::invalid(format!(
                        "{name}: {table} {id} was created both in the working copy and in the engagement (the engagement made over {RANGE} rows since the hand-off); nothing is merged"
                    )));
                }
                if o.state == w.state {
                    continue;
                }
                if table == "signoff" {
                    // A sign-off cleared on either side stays cleared.
                    let cleared = |s: &Value| s.get("cleared_at").is_some_and(|c| !c.is_null());
                    if cleared(&o.state) || cleared(&w.state) {
                        let keep = if cleared(&o.state) { o.state.clone() } else { w.state.clone() };
                        kept_cleared.insert((table.clone(), *id), keep);
                        continue;
                    }
                }
                let shown = if w.state.is_null() { &o.state } else { &w.state };
                conflicts.push(Conflict {
                    id: format!("{table}:{id}"),
                    control: code_of(shown),
                    subject: subject(copy.conn(), table, shown),
                    main: ConflictSide {
                        value: describe_difference(&o.state, &w.state),
                        by: o.actor.clone(),
                        at: o.at.clone(),
                    },
                    returned: ConflictSide {
                        value: describe_difference(&w.state, &o.state),
                        by: w.actor.clone(),
                        at: w.at.clone(),
                    },
                });
                continue;
            }
            if w.state.is_null() || *id < record.id_floor {
                continue;
            }
            // A new row: does the engagement hold another row with the same unique key?
            if !uniques.contains_key(table) {
                uniques.insert(table.clone(), unique_keys(self.conn(), table)?);
            }
            for columns in &uniques[table] {
                let values: Vec<SqlValue> = columns.iter().map(|c| sql_value(&w.state[c.as_str()])).collect();
                let condition: Vec<String> =
                    columns.iter().enumerate().map(|(i, c)| format!("{c} IS ?{}", i + 1)).collect();
                let clash: Option<i64> = self
                    .conn()
                    .query_row(
                        &format!("SELECT id FROM {table} WHERE {} AND id <> {id}", condition.join(" AND ")),
                        params_from_iter(values),
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(other) = clash else { continue };
                // The working copy deleted the engagement's row and made this one in its place
                // (a procedure rewritten): not a conflict unless the engagement changed it too.
                let replaced = theirs.get(&(table.clone(), other)).is_some_and(|t| t.state.is_null());
                let ours_changed = ours.get(&(table.clone(), other));
                if replaced && ours_changed.is_none() {
                    continue;
                }
                let main_state = super::coverage::row_state(self.conn(), table, other)?.unwrap_or(Value::Null);
                let (by, at) = ours_changed.map_or_else(
                    || (record.public.out_by.clone(), record.public.out_at.clone()),
                    |o| (o.actor.clone(), o.at.clone()),
                );
                let cid = format!("{table}:{other}:{id}");
                conflicts.push(Conflict {
                    id: cid.clone(),
                    control: code_of(&w.state),
                    subject: subject(copy.conn(), table, &w.state),
                    main: ConflictSide { value: describe_difference(&main_state, &w.state), by, at },
                    returned: ConflictSide {
                        value: describe_difference(&w.state, &main_state),
                        by: w.actor.clone(),
                        at: w.at.clone(),
                    },
                });
                key_clashes.insert(cid, ((table.clone(), other), (table.clone(), *id)));
                break;
            }
        }
        Ok(Analysis { record, events, head, theirs, ours, conflicts, key_clashes, kept_cleared })
    }

    /// Problems in merged working copies' events, for `verify`: each copy's events must chain
    /// from its hand-off event to the head its merge event cites, each signed by the
    /// assignee's key over its hash.
    pub(crate) fn check_branches(&self) -> Result<Vec<super::SignatureProblem>> {
        check_branches(self.conn())
    }
}

impl Analysis {
    fn plan(&self) -> MergePlan {
        let h = &self.record.public;
        MergePlan {
            branch: h.branch.clone(),
            assignee: h.assignee.clone(),
            controls: h.controls.clone(),
            base_seq: h.base_seq,
            events: h.merged_events.map_or(self.events.len(), |n| n as usize),
            head: self.head.clone(),
            rows: self.theirs.len(),
            conflicts: self.conflicts.clone(),
            already_merged: h.merged_at.as_ref().map(|at| {
                format!(
                    "merged by {} on {at} ({} events); nothing to do",
                    h.merged_by.as_deref().unwrap_or_default(),
                    h.merged_events.unwrap_or_default()
                )
            }),
        }
    }
}

/// A floor for a new working copy's row ids: a multiple of `RANGE` above every id in the
/// engagement and every floor handed out before.
fn floor_above(conn: &Connection, out: &[Record]) -> Result<i64> {
    let mut top = out.iter().map(|r| r.id_floor).max().unwrap_or(0);
    for table in COVERED {
        let max: Option<i64> = conn.query_row(&format!("SELECT MAX(id) FROM {table}"), [], |r| r.get(0))?;
        top = top.max(max.unwrap_or(0));
    }
    Ok((top / RANGE + 1) * RANGE)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Writes the merge inside the engagement's transaction: `(rows applied, sign-offs cleared,
/// merge event)`.
fn apply(
    tx: &Transaction<'_>,
    copy: &Connection,
    a: &Analysis,
    resolved: &[(String, Prefer)],
    actor: &Actor,
) -> Result<(usize, usize, i64)> {
    // Rows are written parent-first; references are checked once, at commit.
    tx.pragma_update(None, "defer_foreign_keys", true)?;
    let choice: HashMap<&str, Prefer> = resolved.iter().map(|(id, p)| (id.as_str(), *p)).collect();
    let mut writes: BTreeMap<Key, Value> = BTreeMap::new();
    for (key, w) in &a.theirs {
        let row_conflict = format!("{}:{}", key.0, key.1);
        if let Some(keep) = a.kept_cleared.get(key) {
            writes.insert(key.clone(), keep.clone());
            continue;
        }
        match choice.get(row_conflict.as_str()) {
            Some(Prefer::Main) => continue,
            Some(Prefer::Returned) | None => {}
        }
        if let Some((cid, (ours, _))) = a.key_clashes.iter().find(|(_, (_, t))| t == key) {
            match choice.get(cid.as_str()) {
                Some(Prefer::Main) => continue,
                _ => {
                    // The returned row takes the place of the engagement's.
                    writes.insert(ours.clone(), Value::Null);
                }
            }
        }
        writes.insert(key.clone(), w.state.clone());
    }
    let order = |t: &str| COVERED.iter().position(|c| *c == t).unwrap_or(usize::MAX);
    let mut keys: Vec<&Key> = writes.keys().collect();
    keys.sort_by_key(|(t, id)| (order(t), *id));
    for key in &keys {
        let (table, id) = (key.0.as_str(), key.1);
        let state = &writes[*key];
        match state {
            Value::Object(m) => {
                let columns: Vec<&String> = m.keys().collect();
                let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let updates: Vec<String> =
                    names.iter().filter(|c| **c != "id").map(|c| format!("{c} = excluded.{c}")).collect();
                tx.execute(
                    &format!(
                        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
                        names.join(", "),
                        marks.join(", "),
                        updates.join(", ")
                    ),
                    params_from_iter(columns.iter().map(|c| sql_value(&m[c.as_str()]))),
                )?;
            }
            _ => {
                tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
            }
        }
        // The bulk rows a population or a sample carries come whole from the working copy.
        match table {
            "population" => {
                copy_children(tx, copy, "population_chunk", "population_id", id, !state.is_null())?;
                copy_children(tx, copy, "population_key", "population_id", id, !state.is_null())?;
            }
            "sample" => copy_children(tx, copy, "sample_item", "sample_id", id, !state.is_null())?,
            "evidence" => {
                if let Some(sha) = state["sha256"].as_str() {
                    copy_blob(tx, copy, sha)?;
                }
            }
            _ => {}
        }
    }
    let cleared = clear_stale_signoffs(tx, copy, a, &writes, actor)?;
    // The working copy's events, exactly as signed.
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO branch_event (branch, seq, at, actor, action, payload, prev_hash, hash, signer_key, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for e in &a.events {
            insert.execute(params![
                a.record.public.branch,
                e.seq,
                e.at,
                e.actor,
                e.action,
                e.payload,
                e.prev_hash,
                e.hash,
                e.signer_key,
                e.signature
            ])?;
        }
    }
    tx.execute(
        "UPDATE handoff SET merged_by = ?2, merged_at = ?3, merged_head = ?4, merged_events = ?5 WHERE id = ?1",
        params![a.record.id, actor.name, actor.at_text(), a.head, a.events.len() as i64],
    )?;
    let violations: i64 = tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if violations > 0 {
        return Err(Error::invalid(format!(
            "merging as resolved would leave {violations} row(s) referring to rows the resolution dropped (a sample kept from one side and its results from the other); resolve the sample and its rows the same way"
        )));
    }
    let mut rows: Vec<(&str, i64)> = keys.iter().map(|(t, id)| (t.as_str(), *id)).collect();
    rows.extend(
        cleared.iter().filter(|id| !writes.contains_key(&("signoff".to_string(), **id))).map(|id| ("signoff", *id)),
    );
    rows.push(("handoff", a.record.id));
    let h = &a.record.public;
    let event = trail::record_rows(
        tx,
        actor,
        "team.merged",
        serde_json::json!({
            "branch": h.branch, "assignee": h.assignee, "controls": h.controls,
            "base": h.base_seq, "head": a.head, "events": a.events.len(),
            "conflicts": resolved.iter().map(|(id, p)| serde_json::json!({ "conflict": id, "kept": p.as_str() })).collect::<Vec<_>>(),
            "signoffs_cleared": cleared.len(),
        }),
        &rows,
    )?;
    Ok((keys.len(), cleared.len(), event.seq))
}

/// Replaces the engagement's rows of `table` under `parent` with the working copy's.
fn copy_children(
    tx: &Transaction<'_>,
    copy: &Connection,
    table: &str,
    column: &str,
    parent: i64,
    keep: bool,
) -> Result<()> {
    tx.execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [parent])?;
    if !keep {
        return Ok(());
    }
    let mut read = copy.prepare(&format!("SELECT * FROM {table} WHERE {column} = ?1"))?;
    let names: Vec<String> = read.column_names().map(String::from).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut write = tx.prepare(&format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", ")))?;
    let mut rows = read.query([parent])?;
    while let Some(r) = rows.next()? {
        let values: Vec<SqlValue> =
            (0..names.len()).map(|i| r.get::<_, SqlValue>(i)).collect::<rusqlite::Result<_>>()?;
        write.execute(params_from_iter(values))?;
    }
    Ok(())
}

fn copy_blob(tx: &Transaction<'_>, copy: &Connection, sha: &str) -> Result<()> {
    let blob: Option<(i64, Vec<u8>)> = copy
        .query_row("SELECT size, content FROM evidence_blob WHERE sha256 = ?1", [sha], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((size, content)) = blob {
        tx.execute(
            "INSERT OR IGNORE INTO evidence_blob (sha256, size, content) VALUES (?1, ?2, ?3)",
            params![sha, size, content],
        )?;
    }
    Ok(())
}

/// A sign-off made on one side after the hand-off does not cover work the other side did on
/// the same control meanwhile: it is cleared, with the reason, as the merge lands.
fn clear_stale_signoffs(
    tx: &Transaction<'_>,
    copy: &Connection,
    a: &Analysis,
    writes: &BTreeMap<Key, Value>,
    actor: &Actor,
) -> Result<Vec<i64>> {
    let work = |t: &str| t != "signoff" && t != "review_note";
    let theirs_changed = controls_of(copy, writes.iter().filter(|((t, _), _)| work(t)))?;
    let ours_changed = controls_of(tx, a.ours.iter().filter(|((t, _), _)| work(t)).map(|(k, w)| (k, &w.state)))?;
    let mut cleared = Vec::new();
    let uncleared: Vec<(i64, i64)> = {
        let mut stmt = tx.prepare("SELECT id, control_id FROM signoff WHERE cleared_at IS NULL ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let assignee = &a.record.public.assignee;
    for (id, control) in uncleared {
        let key = ("signoff".to_string(), id);
        let why = if a.ours.contains_key(&key) && theirs_changed.contains(&control) {
            format!("{assignee}'s returned work changed this control after the sign-off")
        } else if writes.contains_key(&key) && ours_changed.contains(&control) {
            format!("the engagement changed this control while it was out to {assignee}")
        } else {
            continue;
        };
        tx.execute(
            "UPDATE signoff SET cleared_at = ?2, cleared_reason = ?3 WHERE id = ?1",
            params![id, actor.at_text(), why],
        )?;
        cleared.push(id);
    }
    Ok(cleared)
}

/// The controls the rows belong to (deleted rows left out), their parents read from `conn`.
fn controls_of<'a>(conn: &Connection, rows: impl Iterator<Item = (&'a Key, &'a Value)>) -> Result<BTreeSet<i64>> {
    let mut out = BTreeSet::new();
    for ((t, _), state) in rows.filter(|(_, s)| !s.is_null()) {
        let mut parent = |pt: &str, pid: i64| super::coverage::row_state(conn, pt, pid);
        if let Owner::Control(c) = owner_of(t, state, &mut parent)? {
            out.insert(c);
        }
    }
    Ok(out)
}

fn check_branches(conn: &Connection) -> Result<Vec<super::SignatureProblem>> {
    let mut problems = Vec::new();
    let merge_events: HashMap<String, i64> = {
        let mut stmt = conn.prepare(
            "SELECT json_extract(payload, '$.branch'), seq FROM event WHERE action = 'team.merged' ORDER BY seq",
        )?;
        stmt.query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let records = records(conn)?;
    for r in &records {
        let h = &r.public;
        let at = merge_events.get(&h.branch).copied().unwrap_or(0);
        let mut problem = |what: String| {
            problems.push(super::SignatureProblem {
                seq: at,
                actor: h.assignee.clone(),
                problem: format!("working copy {} ({}): {what}", h.branch, h.controls.join(", ")),
            })
        };
        let base_ok = conn
            .query_row(
                "SELECT action, json_extract(payload, '$.branch') FROM event WHERE seq = ?1",
                [h.base_seq],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()?
            .is_some_and(|(action, branch)| {
                action == "team.handed_off" && branch.as_deref() == Some(h.branch.as_str())
            });
        if !base_ok {
            problem(format!("event {} is not its hand-off", h.base_seq));
        }
        let events: Vec<BranchEvent> = {
            let mut stmt = conn.prepare(
                "SELECT seq, at, actor, action, payload, prev_hash, hash, signer_key, signature FROM branch_event WHERE branch = ?1 ORDER BY seq",
            )?;
            stmt.query_map([&h.branch], read_branch_event)?.collect::<rusqlite::Result<_>>()?
        };
        let Some(head) = &r.merged_head else {
            if !events.is_empty() {
                problem("has merged events but was never merged".into());
            }
            continue;
        };
        let key = PublicKey::from_hex(&r.public_key).ok();
        let mut prev = event_hash_at(conn, h.base_seq)?.unwrap_or_default();
        for (expected, e) in (h.base_seq + 1..).zip(&events) {
            let what = if e.seq != expected {
                Some(format!("event {expected} is missing"))
            } else if e.prev_hash != prev {
                Some(format!("event {}: its previous-hash does not match the event before it", e.seq))
            } else if event_hash(e.seq, &e.at, &e.actor, &e.action, &e.payload, &e.prev_hash) != e.hash {
                Some(format!("event {}: its content does not match its hash (edited outside Tickmark)", e.seq))
            } else if e.actor != h.assignee || e.signer_key.as_deref() != Some(r.public_key.as_str()) {
                Some(format!("event {} is not {}'s", e.seq, h.assignee))
            } else if !key.as_ref().is_some_and(|k| e.signature.as_deref().is_some_and(|s| k.verifies(&e.hash, s))) {
                Some(format!(
                    "event {}: its signature does not verify against {}'s key {}",
                    e.seq,
                    h.assignee,
                    grouped(&h.fingerprint)
                ))
            } else {
                None
            };
            if let Some(what) = what {
                problem(what);
                break;
            }
            prev = e.hash.clone();
        }
        let ends = events
            .last()
            .map_or_else(|| event_hash_at(conn, h.base_seq).ok().flatten().unwrap_or_default(), |e| e.hash.clone());
        if &ends != head || events.len() as i64 != h.merged_events.unwrap_or(-1) {
            problem(format!(
                "its merged events end at {} ({} events), not at the head its merge cites ({head}, {} events)",
                &ends[..ends.len().min(12)],
                events.len(),
                h.merged_events.unwrap_or_default()
            ));
        }
    }
    let strays: Vec<String> = {
        let mut stmt = conn.prepare("SELECT DISTINCT branch FROM branch_event ORDER BY branch")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    for b in strays.iter().filter(|b| !records.iter().any(|r| &r.public.branch == *b)) {
        problems.push(super::SignatureProblem {
            seq: 0,
            actor: String::new(),
            problem: format!(
                "merged events of working copy {b}, which this engagement never handed out (added outside Tickmark)"
            ),
        });
    }
    Ok(problems)
}

/// Where a working copy's file goes by default: beside the engagement, named for the assignee.
pub fn default_copy_path(engagement: &Path, assignee: &str) -> PathBuf {
    let stem = engagement.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "engagement".into());
    let who: String =
        assignee.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    engagement.with_file_name(format!("{stem}.{}.tickmark", who.trim_matches('-')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_changed_on_both_sides_is_described_by_its_differing_fields() {
        let main =
            serde_json::json!({"id": 4, "outcome": "pass", "comment": "", "tested_by": "Dana", "tested_at": "x"});
        let back = serde_json::json!({"id": 4, "outcome": "exception", "comment": "no ticket", "tested_by": "Ravi", "tested_at": "y"});
        assert_eq!(describe_difference(&main, &back), "comment: \"\"; outcome: \"pass\"");
        assert_eq!(describe_difference(&back, &main), "comment: \"no ticket\"; outcome: \"exception\"");
        assert_eq!(describe_difference(&Value::Null, &main), "deleted");
    }

    #[test]
    fn rows_belong_to_their_control_through_their_sample_or_population() {
        let mut parent = |t: &str, id: i64| -> Result<Option<Value>> {
            Ok(match (t, id) {
                ("sample", 9) => Some(serde_json::json!({"id": 9, "control_id": 3})),
                ("population", 5) => Some(serde_json::json!({"id": 5, "control_id": 2})),
                _ => None,
            })
        };
        let result = serde_json::json!({"id": 1, "sample_id": 9});
        assert_eq!(owner_of("result", &result, &mut parent).unwrap(), Owner::Control(3));
        let exclusion = serde_json::json!({"id": 1, "population_id": 5});
        assert_eq!(owner_of("exclusion", &exclusion, &mut parent).unwrap(), Owner::Control(2));
        let orphan = serde_json::json!({"id": 1, "sample_id": 77});
        assert_eq!(owner_of("result", &orphan, &mut parent).unwrap(), Owner::Engagement);
        assert_eq!(owner_of("control", &serde_json::json!({"id": 7}), &mut parent).unwrap(), Owner::Control(7));
        assert_eq!(owner_of("objective", &serde_json::json!({"id": 7}), &mut parent).unwrap(), Owner::Engagement);
        assert_eq!(owner_of("interview", &serde_json::json!({"id": 7}), &mut parent).unwrap(), Owner::Interview);
    }

    #[test]
    fn a_copy_is_named_for_its_assignee_beside_the_engagement() {
        assert_eq!(
            default_copy_path(Path::new("/w/acme-2026.tickmark"), "Ravi Patel"),
            PathBuf::from("/w/acme-2026.ravi-patel.tickmark")
        );
    }
}
