//! Row coverage: every event records the full state of each row its change wrote, so
//! `verify` can replay the trail and find a row that was added, changed or deleted behind
//! Tickmark's back, and name the last event that wrote it.

use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Result;

/// The tables whose every row the trail covers. Bulk tables are covered otherwise: population
/// items by the digest their population row records (`store::digest`), sample items by
/// re-performing the selection, evidence blobs by re-hashing them against their SHA-256.
pub(crate) const COVERED: &[&str] = &[
    "engagement",
    "control",
    "attribute",
    "population",
    "exclusion",
    "sample",
    "sample_void",
    "result",
    "exception",
    "evidence",
    "interview",
    "conclusion",
    "signoff",
    "review_note",
    "objective",
    "procedure_step",
    "walkthrough",
    "deficiency",
    "carried",
    "follow_up",
    "request",
    "handoff",
];

/// The state of one row as events record it: column name → value.
pub(crate) fn row_state(conn: &Connection, table: &str, id: i64) -> Result<Option<Value>> {
    debug_assert!(COVERED.contains(&table));
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let names: Vec<String> = stmt.column_names().map(String::from).collect();
    let mut rows = stmt.query(params![id])?;
    Ok(match rows.next()? {
        Some(r) => Some(to_json(&names, r)?),
        None => None,
    })
}

fn to_json(names: &[String], r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let mut m = Map::new();
    for (i, n) in names.iter().enumerate() {
        let v = match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(x) => Value::from(x),
            ValueRef::Real(x) => Value::from(x),
            ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::from(crate::trail::hex(b)),
        };
        m.insert(n.clone(), v);
    }
    Ok(Value::Object(m))
}

/// `{"table": .., "id": .., "state": {..} | null}` for an event's `rows` list.
pub(crate) fn row_entry(conn: &Connection, table: &str, id: i64) -> Result<Value> {
    Ok(serde_json::json!({ "table": table, "id": id, "state": row_state(conn, table, id)? }))
}

/// Every covered row as it is in the file now.
fn current_rows(conn: &Connection) -> Result<BTreeMap<(String, i64), Value>> {
    let mut out = BTreeMap::new();
    for table in COVERED {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY id"))?;
        let names: Vec<String> = stmt.column_names().map(String::from).collect();
        let id_at = names.iter().position(|n| n == "id").expect("covered tables have an id");
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(id_at)?;
            out.insert((table.to_string(), id), to_json(&names, r)?);
        }
    }
    Ok(out)
}

/// A covered row that is not as the trail says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowMismatch {
    pub table: String,
    pub id: i64,
    /// The last event that wrote the row (0 when none did).
    pub event: i64,
    pub problem: String,
}

/// What an event's payload says about a row it wrote, which the row state it recorded must
/// agree with: `(action, payload key, table, column)`. A disagreement means the row was
/// changed as it was written (a planted trigger) or the event was rewritten.
const PAYLOAD_CLAIMS: &[(&str, &str, &str, &str)] = &[
    ("result.recorded", "outcome", "result", "outcome"),
    ("result.recorded", "item", "result", "ordinal"),
    ("exception.recorded", "item", "exception", "ordinal"),
    ("evidence.added", "item", "evidence", "ordinal"),
    ("evidence.added", "name", "evidence", "name"),
    ("evidence.added", "sha256", "evidence", "sha256"),
    ("conclusion.recorded", "concluded", "conclusion", "concluded"),
    ("signoff.signed", "role", "signoff", "role"),
    ("population.accepted", "items", "population", "item_count"),
    ("population.accepted", "sha256", "population", "source_sha256"),
    ("population.accepted", "items_sha256", "population", "items_sha256"),
    ("sample.drawn", "method", "sample", "method"),
    ("sample.drawn", "seed", "sample", "seed"),
];

/// Which of an event's rows of a table its payload is about, when it wrote several (a new
/// draw also writes the draw it replaces): `(action, payload key, column)`.
const PAYLOAD_SUBJECT: &[(&str, &str, &str)] = &[("sample.drawn", "draw", "draw_number")];

/// The last event that wrote each covered row and the state it recorded (null: deleted).
type Replay = BTreeMap<(String, i64), (i64, Value)>;

/// Replays the `rows` of every event; also returns the events that contradict themselves.
fn replay(conn: &Connection) -> Result<(Replay, Vec<RowMismatch>)> {
    let mut expected = Replay::new();
    let mut contradictions = Vec::new();
    let mut stmt = conn.prepare("SELECT seq, action, payload FROM event ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let action: String = r.get(1)?;
        let payload: String = r.get(2)?;
        let Ok(payload) = serde_json::from_str::<Value>(&payload) else { continue };
        for entry in payload.get("rows").and_then(Value::as_array).into_iter().flatten() {
            let (Some(table), Some(id)) = (entry["table"].as_str(), entry["id"].as_i64()) else { continue };
            let subject = PAYLOAD_SUBJECT.iter().filter(|s| s.0 == action).all(|(_, key, column)| {
                payload.get(*key).is_some() && payload.get(*key) == entry["state"].get(*column)
            });
            for (_, key, _, column) in PAYLOAD_CLAIMS.iter().filter(|c| subject && c.0 == action && c.2 == table) {
                let (Some(said), Some(state)) = (payload.get(*key), entry["state"].get(*column)) else { continue };
                if said != state {
                    contradictions.push(RowMismatch {
                        table: table.to_string(),
                        id,
                        event: seq,
                        problem: format!(
                            "event {seq} ({action}) says {key} {said} but the row state it recorded has {column} {state}"
                        ),
                    });
                }
            }
            expected.insert((table.to_string(), id), (seq, entry["state"].clone()));
        }
    }
    Ok((expected, contradictions))
}

/// The last event that wrote each covered row, for naming it beside a problem found otherwise.
pub(crate) fn last_writers(conn: &Connection) -> Result<BTreeMap<(String, i64), i64>> {
    Ok(replay(conn)?.0.into_iter().map(|(k, (seq, _))| (k, seq)).collect())
}

/// Replays the `rows` of every event and compares the result with the tables.
pub(crate) fn check_rows(conn: &Connection) -> Result<Vec<RowMismatch>> {
    let (expected, mut problems) = replay(conn)?;
    let actual = current_rows(conn)?;
    for ((table, id), state) in &actual {
        match expected.get(&(table.clone(), *id)) {
            None => problems.push(RowMismatch {
                table: table.clone(),
                id: *id,
                event: 0,
                problem: "added outside Tickmark: no event wrote it".into(),
            }),
            Some((seq, Value::Null)) => problems.push(RowMismatch {
                table: table.clone(),
                id: *id,
                event: *seq,
                problem: "deleted by this event but present again".into(),
            }),
            Some((seq, want)) if want != state => problems.push(RowMismatch {
                table: table.clone(),
                id: *id,
                event: *seq,
                problem: format!("changed outside Tickmark after this event: {}", diff(want, state)),
            }),
            Some(_) => {}
        }
    }
    for ((table, id), (seq, state)) in &expected {
        if !state.is_null() && !actual.contains_key(&(table.clone(), *id)) {
            problems.push(RowMismatch {
                table: table.clone(),
                id: *id,
                event: *seq,
                problem: "deleted outside Tickmark".into(),
            });
        }
    }
    problems.sort_by_key(|p| (p.event, p.table.clone(), p.id));
    Ok(problems)
}

/// The columns whose values differ, for the message.
fn diff(want: &Value, got: &Value) -> String {
    let (Some(w), Some(g)) = (want.as_object(), got.as_object()) else { return "the row differs".into() };
    let cols: Vec<&str> = g.iter().filter(|(k, v)| w.get(*k) != Some(v)).map(|(k, _)| k.as_str()).collect();
    format!("column {} differs", cols.join(", "))
}

/// Every covered row as an event's `rows` list: the baseline a migration records so rows
/// written before coverage existed are covered from then on.
pub(crate) fn baseline(conn: &Connection) -> Result<Vec<Value>> {
    Ok(current_rows(conn)?
        .into_iter()
        .map(|((table, id), state)| serde_json::json!({ "table": table, "id": id, "state": state }))
        .collect())
}

/// Records, in one baseline event, the rows an upgrade brought under the trail's coverage:
/// the engagement row when no event wrote it yet, and the populations whose items digest the
/// upgrade just filled in. Rows the trail already covers are not re-recorded, so a change made
/// to them behind Tickmark's back is not blessed by an upgrade.
pub(crate) fn record_newly_covered(
    tx: &rusqlite::Transaction<'_>,
    actor: &crate::engagement::Actor,
    from: i64,
    to: i64,
    digested: &[i64],
) -> Result<()> {
    let covered = last_writers(tx)?;
    let mut rows: Vec<(&str, i64)> = Vec::new();
    if !covered.contains_key(&("engagement".to_string(), 1)) {
        rows.push(("engagement", 1));
    }
    rows.extend(digested.iter().map(|id| ("population", *id)));
    if rows.is_empty() {
        return Ok(());
    }
    // Written by the upgrade itself, before signing begins (`Engagement::migrate` sets where
    // signing starts after every upgrade event): unsigned, as the other upgrade events are.
    crate::trail::record_rows_unsigned(
        tx,
        actor,
        "schema.upgraded",
        serde_json::json!({
            "from": from, "to": to,
            "why": "the engagement row and each population's items digest are covered by the trail from here on; recorded as they were at the upgrade",
        }),
        &rows,
    )?;
    Ok(())
}
