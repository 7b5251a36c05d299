//! The hash-chained audit trail: every change to an engagement writes one event in the same
//! transaction, and each event's hash covers the previous one, so an edit made behind
//! Tickmark's back breaks the chain at a place `verify` can name.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engagement::Actor;
use crate::identity::Identity;
use crate::{Error, Result};

/// The hash before the first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
    /// The public key (hex) that signed the event; `None` before signing began.
    pub signer_key: Option<String>,
    /// The signer's Ed25519 signature (hex) over `hash`.
    pub signature: Option<String>,
}

/// The hash of one event: SHA-256 over the fields, each length-prefixed so that no two
/// different events can serialise to the same bytes.
pub fn event_hash(seq: i64, at: &str, actor: &str, action: &str, payload: &str, prev: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tickmark-event-v1");
    for part in [seq.to_string().as_str(), at, actor, action, payload, prev] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Appends one event inside the caller's transaction, signed by the actor: a change nobody
/// can be proven to have made is not recorded.
pub(crate) fn record(tx: &Transaction<'_>, actor: &Actor, action: &str, payload: serde_json::Value) -> Result<Event> {
    let identity = actor.identity.as_ref().ok_or_else(|| {
        Error::invalid(format!(
            "{} has no signing identity: every change to an engagement is signed by the auditor who makes it",
            actor.name
        ))
    })?;
    if identity.name() != actor.name {
        return Err(Error::invalid(format!("{} cannot sign with {}'s signing identity", actor.name, identity.name())));
    }
    append(tx, actor, action, payload, Some(identity))
}

/// Appends one unsigned event: only Tickmark's own upgrade of an older file, before signing
/// begins (see `Engagement::migrate`).
pub(crate) fn record_unsigned(
    tx: &Transaction<'_>,
    actor: &Actor,
    action: &str,
    payload: serde_json::Value,
) -> Result<Event> {
    append(tx, actor, action, payload, None)
}

fn append(
    tx: &Transaction<'_>,
    actor: &Actor,
    action: &str,
    payload: serde_json::Value,
    identity: Option<&Identity>,
) -> Result<Event> {
    let (prev_seq, prev_hash): (i64, String) = tx
        .query_row("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let seq = prev_seq + 1;
    let key = identity.map(Identity::public_key);
    if let Some(key) = &key {
        // A working copy takes only its assignee's changes to its own controls.
        crate::store::team::admit(tx, actor, key, action, &payload)?;
        // The first event a key signs records it in the engagement's signer list.
        crate::store::signers::note(tx, &actor.name, key, seq)?;
    }
    let at = actor.at_text();
    let payload_text = payload.to_string();
    let hash = event_hash(seq, &at, &actor.name, action, &payload_text, &prev_hash);
    let signature = identity.map(|i| i.sign_event(&hash));
    let signer_key = key.map(|k| k.hex());
    tx.execute(
        "INSERT INTO event (seq, at, actor, action, payload, prev_hash, hash, signer_key, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![seq, at, actor.name, action, payload_text, prev_hash, hash, signer_key, signature],
    )?;
    Ok(Event {
        seq,
        at,
        actor: actor.name.clone(),
        action: action.to_string(),
        payload,
        prev_hash,
        hash,
        signer_key,
        signature,
    })
}

/// Appends one event that also records the state of the rows the change wrote, as
/// `payload.rows` (see `store::coverage`).
pub(crate) fn record_rows(
    tx: &Transaction<'_>,
    actor: &Actor,
    action: &str,
    payload: serde_json::Value,
    rows: &[(&str, i64)],
) -> Result<Event> {
    record(tx, actor, action, with_rows(tx, payload, rows)?)
}

/// `record_rows` for Tickmark's own upgrade of an older file (see `record_unsigned`).
pub(crate) fn record_rows_unsigned(
    tx: &Transaction<'_>,
    actor: &Actor,
    action: &str,
    payload: serde_json::Value,
    rows: &[(&str, i64)],
) -> Result<Event> {
    record_unsigned(tx, actor, action, with_rows(tx, payload, rows)?)
}

fn with_rows(tx: &Transaction<'_>, mut payload: serde_json::Value, rows: &[(&str, i64)]) -> Result<serde_json::Value> {
    let entries =
        rows.iter().map(|(t, id)| crate::store::coverage::row_entry(tx, t, *id)).collect::<Result<Vec<_>>>()?;
    if let serde_json::Value::Object(m) = &mut payload {
        m.insert("rows".into(), serde_json::Value::Array(entries));
    }
    Ok(payload)
}

pub(crate) fn list(conn: &rusqlite::Connection) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, payload, prev_hash, hash, signer_key, signature FROM event ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        let payload: String = r.get(4)?;
        Ok(Event {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
            signer_key: r.get(7)?,
            signature: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first event whose chain does not hold, with the reason; `None` when the trail is intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

pub(crate) fn check_chain(conn: &rusqlite::Connection) -> Result<Option<ChainBreak>> {
    let mut stmt = conn.prepare("SELECT seq, at, actor, action, payload, prev_hash, hash FROM event ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let (at, actor, action, payload, prev_hash, hash): (String, String, String, String, String, String) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        if seq != expected_seq {
            return Ok(Some(ChainBreak { seq: expected_seq, reason: format!("event {expected_seq} is missing") }));
        }
        if prev_hash != prev {
            return Ok(Some(ChainBreak { seq, reason: "its previous-hash does not match the event before it".into() }));
        }
        if event_hash(seq, &at, &actor, &action, &payload, &prev_hash) != hash {
            return Ok(Some(ChainBreak {
                seq,
                reason: "its content does not match its hash (edited outside Tickmark)".into(),
            }));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(None)
}

pub(crate) fn head(conn: &rusqlite::Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
