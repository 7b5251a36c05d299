//! The engagement's signers: every public key that signed an event, recorded by the first
//! event it signed, and the keys a team pinned for a name with `identity import`. `verify`
//! checks each event's signature against them.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::Engagement;
use crate::engagement::Actor;
use crate::identity::{NamedKey, PublicKey, grouped};
use crate::{Error, Result, trail};

/// A key the engagement knows, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    pub name: String,
    pub public_key: String,
    /// First 16 hex characters of the key's SHA-256.
    pub fingerprint: String,
    /// The first event the key signed; `None` for a pinned key that has not signed yet.
    pub first_seen: Option<i64>,
    /// Who pinned the key for `name` with `identity import`, and when.
    pub pinned_by: Option<String>,
    pub pinned_at: Option<String>,
}

/// One event whose signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureProblem {
    pub seq: i64,
    pub actor: String,
    pub problem: String,
}

/// Every event's signature checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureCheck {
    /// Events with a valid signature of a key recorded for their actor.
    pub signed: i64,
    /// Events written by a Tickmark that did not sign yet (before this file was upgraded):
    /// reported, not failed.
    pub unsigned_before_signing: i64,
    pub problems: Vec<SignatureProblem>,
    pub signers: Vec<Signer>,
}

/// Records `key` for `name` if this is the first event it signs. Refuses a key recorded for someone else, and a key other
/// than the one pinned for `name`, before anything is signed with it.
pub(crate) fn note(tx: &Transaction<'_>, name: &str, key: &PublicKey, seq: i64) -> Result<()> {
    let pinned = pinned_for(tx, name)?;
    let fingerprint = key.fingerprint();
    if !pinned.is_empty() && !pinned.contains(&key.hex()) {
        return Err(Error::invalid(format!(
            "{name}'s signing key {} is not the key pinned for {name} in this engagement; ask a colleague to import the new key first",
            grouped(&fingerprint)
        )));
    }
    let row: Option<(i64, String, Option<i64>)> = tx
        .query_row("SELECT id, name, first_seen FROM signer WHERE public_key = ?1", [key.hex()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match row {
        Some((_, owner, _)) if owner != name => Err(Error::invalid(format!(
            "the signing key {} is recorded in this engagement for {owner}; {name} cannot sign with it",
            grouped(&fingerprint)
        ))),
        Some((_, _, Some(_))) => Ok(()),
        Some((id, _, None)) => {
            tx.execute("UPDATE signer SET first_seen = ?1 WHERE id = ?2", params![seq, id])?;
            Ok(())
        }
        None => {
            tx.execute(
                "INSERT INTO signer (name, public_key, fingerprint, first_seen) VALUES (?1, ?2, ?3, ?4)",
                params![name, key.hex(), fingerprint, seq],
            )?;
            Ok(())
        }
    }
}

fn pinned_for(conn: &Connection, name: &str) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT public_key FROM signer WHERE name = ?1 AND pinned_at IS NOT NULL ORDER BY id")?;
    let keys = stmt.query_map([name], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Signer>> {
    let mut stmt = conn.prepare(
        "SELECT name, public_key, fingerprint, first_seen, pinned_by, pinned_at FROM signer ORDER BY first_seen IS NULL, first_seen, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Signer {
            name: r.get(0)?,
            public_key: r.get(1)?,
            fingerprint: r.get(2)?,
            first_seen: r.get(3)?,
            pinned_by: r.get(4)?,
            pinned_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Checks every event from the first that must be signed: signed over its hash, by a key
/// that no other name used first, and by a key pinned for its actor when the name has pins.
///
/// Owners and pins are read from the signed events themselves (the first event a key signs
/// names its owner; `signer.pinned` events name pinned keys), so the `signer` table, which
/// nothing signs, is only checked against them: editing it proves nothing.
///
/// A file rewritten as a whole to look older than signing (every signature, signer and the
/// start of signing removed) is not caught here; a workpaper's trail head or a colleague's
/// pinned key is what catches that.
pub(crate) fn check(conn: &Connection) -> Result<SignatureCheck> {
    // Missing (removed behind Tickmark's back): every event must be signed.
    let since: i64 =
        conn.query_row("SELECT since FROM signing WHERE id = 1", [], |r| r.get(0)).optional()?.unwrap_or(1);
    let events = signed_events(conn)?;
    let mut pins: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for e in events.iter().filter(|e| e.action == "signer.pinned") {
        let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
        if let (Some(name), Some(key)) = (p["name"].as_str(), p["public_key"].as_str()) {
            pins.entry(name.to_string()).or_default().push((key.to_string(), e.seq));
        }
    }
    let mut owners: HashMap<String, (String, i64)> = HashMap::new();
    let (mut signed, mut unsigned_before_signing, mut problems) = (0, 0, Vec::new());
    for e in &events {
        let problem = match (&e.key, &e.signature) {
            (Some(key), Some(signature)) => {
                let owner = owners.entry(key.clone()).or_insert_with(|| (e.actor.clone(), e.seq));
                judge(e, key, signature, &owner.0, pins.get(&e.actor))
            }
            _ if e.seq < since => {
                unsigned_before_signing += 1;
                continue;
            }
            _ => Some("not signed".to_string()),
        };
        match problem {
            Some(problem) => problems.push(SignatureProblem { seq: e.seq, actor: e.actor.clone(), problem }),
            None => signed += 1,
        }
    }
    let signers = list(conn)?;
    problems.extend(check_table(&signers, &owners, &pins));
    problems.sort_by_key(|p| p.seq);
    Ok(SignatureCheck { signed, unsigned_before_signing, problems, signers })
}

struct SignedEvent {
    seq: i64,
    actor: String,
    action: String,
    payload: String,
    hash: String,
    key: Option<String>,
    signature: Option<String>,
}

fn signed_events(conn: &Connection) -> Result<Vec<SignedEvent>> {
    let mut stmt =
        conn.prepare("SELECT seq, actor, action, payload, hash, signer_key, signature FROM event ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(SignedEvent {
            seq: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            payload: r.get(3)?,
            hash: r.get(4)?,
            key: r.get(5)?,
            signature: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What is wrong with one signed event, if anything.
fn judge(
    e: &SignedEvent,
    key: &str,
    signature: &str,
    owner: &str,
    pinned: Option<&Vec<(String, i64)>>,
) -> Option<String> {
    let Ok(public) = PublicKey::from_hex(key) else { return Some("its signer's key is not a public key".into()) };
    let fp = grouped(&public.fingerprint());
    if !public.verifies(&e.hash, signature) {
        return Some(format!(
            "its signature does not verify against {}'s key {fp}: the event was changed after it was signed",
            e.actor
        ));
    }
    if owner != e.actor {
        return Some(format!("names {} but is signed with {owner}'s key {fp}", e.actor));
    }
    if let Some(keys) = pinned.filter(|ks| !ks.iter().any(|(k, _)| k == key)) {
        let want: Vec<String> =
            keys.iter().filter_map(|(k, _)| PublicKey::from_hex(k).ok()).map(|k| grouped(&k.fingerprint())).collect();
        return Some(format!("signed by key {fp}, not the key pinned for {} ({})", e.actor, want.join(", ")));
    }
    None
}

/// The `signer` table against what the signed events say: each key that signed, with its
/// owner and first event, and each pinned key, with its pin.
fn check_table(
    signers: &[Signer],
    owners: &HashMap<String, (String, i64)>,
    pins: &HashMap<String, Vec<(String, i64)>>,
) -> Vec<SignatureProblem> {
    let mut problems = Vec::new();
    let by_key: HashMap<&str, &Signer> = signers.iter().map(|s| (s.public_key.as_str(), s)).collect();
    for (key, (name, first)) in owners {
        let fp = PublicKey::from_hex(key).map(|k| grouped(&k.fingerprint())).unwrap_or_default();
        match by_key.get(key.as_str()) {
            Some(s) if s.name == *name && s.first_seen == Some(*first) => {}
            _ => problems.push(SignatureProblem {
                seq: *first,
                actor: name.clone(),
                problem: format!("the engagement's signer list does not record key {fp} as {name}'s from this event"),
            }),
        }
    }
    for s in signers {
        let pinned = pins.get(&s.name).is_some_and(|ks| ks.iter().any(|(k, _)| *k == s.public_key));
        let problem = if s.pinned_at.is_some() && !pinned {
            "is pinned in the signer list, but no signed event pinned it"
        } else if s.pinned_at.is_none() && !owners.contains_key(&s.public_key) {
            "is in the signer list, but no signed event used or pinned it"
        } else {
            continue;
        };
        problems.push(SignatureProblem {
            seq: s.first_seen.unwrap_or(0),
            actor: s.name.clone(),
            problem: format!("key {} {problem}", grouped(&s.fingerprint)),
        });
    }
    for (name, keys) in pins {
        for (key, seq) in keys {
            if !by_key.get(key.as_str()).is_some_and(|s| s.name == *name && s.pinned_at.is_some()) {
                problems.push(SignatureProblem {
                    seq: *seq,
                    actor: name.clone(),
                    problem: "the key this event pinned is missing from the signer list".into(),
                });
            }
        }
    }
    problems
}

impl Engagement {
    /// Every key that signed an event or was pinned, in the order they first signed.
    pub fn signers(&self) -> Result<Vec<Signer>> {
        list(self.conn())
    }

    /// Every event's signature checked against the recorded keys.
    pub fn check_signatures(&self) -> Result<SignatureCheck> {
        let mut check = check(self.conn())?;
        // Merged working copies' events are signed too, outside the engagement's own chain.
        check.problems.extend(self.check_branches()?);
        Ok(check)
    }

    /// Pins a colleague's public key for their name (`identity import`): any event in that
    /// name, earlier ones too, signed by another key then fails `verify`, and `note` refuses
    /// to let another key write in that name. A name may have several pinned keys (a new
    /// laptop): each is imported in turn.
    pub fn pin_signer(&mut self, named: &NamedKey, actor: &Actor) -> Result<Signer> {
        let name = named.name.trim();
        let hex = named.key.hex();
        self.write(|tx| {
            let row: Option<(i64, String)> = tx
                .query_row("SELECT id, name FROM signer WHERE public_key = ?1", [&hex], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match row {
                Some((_, owner)) if owner != name => {
                    return Err(Error::invalid(format!(
                        "the key {} is already recorded in this engagement for {owner}, not {name}",
                        grouped(&named.key.fingerprint())
                    )));
                }
                Some((id, _)) => {
                    tx.execute(
                        "UPDATE signer SET pinned_by = ?1, pinned_at = ?2 WHERE id = ?3",
                        params![actor.name, actor.at_text(), id],
                    )?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO signer (name, public_key, fingerprint, pinned_by, pinned_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![name, hex, named.key.fingerprint(), actor.name, actor.at_text()],
                    )?;
                }
            }
            // The pin is proven by this signed event, which `check` reads; the row is its index.
            trail::record(
                tx,
                actor,
                "signer.pinned",
                serde_json::json!({ "name": name, "public_key": hex, "fingerprint": named.key.fingerprint() }),
            )?;
            Ok(())
        })?;
        self.signers()?
            .into_iter()
            .find(|s| s.public_key == hex)
            .ok_or_else(|| Error::invalid("the pinned key was not saved"))
    }
}
