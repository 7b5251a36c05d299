//! The bulk content the trail covers by digest rather than row by row. A population's items:
//! SHA-256 over each item's position, source row, key, date, amount and fields in one fixed
//! encoding, recorded in the population row (and so in the trail's row state) when the items
//! are written and recomputed by `verify`, so an item rewritten or two items swapped behind
//! Tickmark's back are seen. Evidence files: re-hashed against the SHA-256 they are stored under.
//!
//! An item's fields are hashed as they are stored: JSON text (populations written before issue
//! 14's schema) or JSONB bytes (see `population::StoredFields`), each
//! marked apart, so a digest recorded before the change still holds and rewriting an item's
//! fields in the other form changes it.

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::items::{self, ItemRef};
use super::population::StoredFields;
use crate::Result;

/// Incremental: items are added in position order as they are written.
pub(crate) struct ItemsDigest(Sha256);

impl ItemsDigest {
    pub(crate) fn new() -> ItemsDigest {
        let mut h = Sha256::new();
        h.update(b"tickmark-items-v1");
        ItemsDigest(h)
    }

    /// Every part is length-prefixed and an absent date or amount is marked apart from an
    /// empty one, so no two different item lists encode to the same bytes.
    pub(crate) fn add(&mut self, item: ItemRef<'_>) {
        let ItemRef { position, source_row, key, date, amount, fields } = item;
        self.0.update(position.to_le_bytes());
        self.0.update(source_row.to_le_bytes());
        let fields = match fields {
            StoredFields::Json(text) => (1u8, text.as_bytes()),
            StoredFields::Cells(cells) => (2u8, cells),
        };
        let parts = [Some(key), date, amount].map(|p| p.map(|p| (1u8, p.as_bytes())));
        for part in parts.into_iter().chain([Some(fields)]) {
            match part {
                None => self.0.update([0u8]),
                Some((mark, p)) => {
                    self.0.update([mark]);
                    self.0.update((p.len() as u64).to_le_bytes());
                    self.0.update(p);
                }
            }
        }
    }

    pub(crate) fn finish(self) -> String {
        crate::trail::hex(&self.0.finalize())
    }
}

/// The digest of the items the file holds now for `population_id`, and how many there are.
pub(crate) fn items_digest(conn: &Connection, population_id: i64) -> Result<(String, u64)> {
    let mut digest = ItemsDigest::new();
    let mut count = 0;
    items::for_each_item(conn, population_id, 1, |item| {
        digest.add(item);
        count += 1;
        Ok(true)
    })?;
    Ok((digest.finish(), count))
}

/// Records the digest of populations written before it existed; returns their ids for the
/// upgrade's baseline event.
pub(crate) fn fill_missing(conn: &Connection) -> Result<Vec<i64>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM population WHERE items_sha256 IS NULL ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        let (digest, _) = items_digest(conn, *id)?;
        conn.execute("UPDATE population SET items_sha256 = ?2 WHERE id = ?1", rusqlite::params![id, digest])?;
    }
    Ok(ids)
}

/// A population whose items are not what its row recorded: `(population id, problem)`.
pub(crate) fn check_all(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let pops: Vec<(i64, Option<String>, i64)> = conn
        .prepare("SELECT id, items_sha256, item_count FROM population ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut problems = Vec::new();
    for (id, recorded, item_count) in pops {
        // A damaged chunk is this population's problem, not the end of the check.
        let (digest, count) = match items_digest(conn, id) {
            Ok(found) => found,
            Err(e) => {
                // The row is named as population {id} already.
                let text = e.to_string();
                let prefix = format!("population {id}: ");
                problems.push((id, text.strip_prefix(&prefix).map(str::to_string).unwrap_or(text)));
                continue;
            }
        };
        match recorded {
            None => problems.push((id, "its items have no recorded digest".to_string())),
            Some(want) if want != digest => problems.push((
                id,
                format!(
                    "its {count} items (population_chunk rows) no longer match the digest recorded when they were written: an item's position, row, key, date, amount or fields was changed, swapped, added or deleted outside Tickmark"
                ),
            )),
            Some(_) if count != item_count as u64 => {
                problems.push((id, format!("it records {item_count} items but holds {count}")))
            }
            Some(_) => {
                if let Some(problem) = items::check_keys(conn, id)? {
                    problems.push((id, problem));
                }
            }
        }
    }
    Ok(problems)
}

/// Every stored evidence file re-hashed against the SHA-256 it is stored under, and every file
/// evidence row against its stored file: `(evidence id or 0 for a file no row names, problem)`.
pub(crate) fn check_evidence(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("SELECT sha256, size, content FROM evidence_blob ORDER BY sha256")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (sha, size): (String, i64) = (r.get(0)?, r.get(1)?);
        // Whatever type sqlite3 left there: text or a number is damage to name, not to stop on.
        let content: &[u8] = match r.get_ref(2)? {
            rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
            _ => &[],
        };
        let actual = crate::trail::hex(&Sha256::digest(content));
        if actual == sha && size == content.len() as i64 {
            continue;
        }
        let what = format!(
            "its stored bytes ({} bytes, SHA-256 {actual}) no longer match the recorded {size} bytes, SHA-256 {sha}: the file was changed outside Tickmark",
            content.len()
        );
        let mut named = conn.prepare_cached("SELECT id, name FROM evidence WHERE sha256 = ?1 ORDER BY id")?;
        let users: Vec<(i64, String)> =
            named.query_map([&sha], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        if users.is_empty() {
            problems.push((0, format!("evidence_blob {sha}: {what}")));
        }
        for (id, name) in users {
            problems.push((id, format!("evidence file {name:?}: {what}")));
        }
    }
    let mut stmt = conn.prepare(
        "SELECT e.id, e.name FROM evidence e LEFT JOIN evidence_blob b ON b.sha256 = e.sha256
         WHERE e.kind = 'file' AND b.sha256 IS NULL ORDER BY e.id",
    )?;
    let missing: Vec<(i64, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (id, name) in missing {
        problems.push((id, format!("evidence file {name:?}: its stored bytes are missing (deleted outside Tickmark)")));
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Position, source row, key, date, amount, fields.
    type Item<'a> = (i64, i64, &'a str, Option<&'a str>, Option<&'a str>, &'a str);

    fn digest(items: &[Item<'_>]) -> String {
        let mut d = ItemsDigest::new();
        for &(position, source_row, key, date, amount, f) in items {
            d.add(ItemRef { position, source_row, key, date, amount, fields: StoredFields::Json(f) });
        }
        d.finish()
    }

    #[test]
    fn the_same_bytes_as_json_text_or_as_cells_digest_differently() {
        let mut json = ItemsDigest::new();
        let item = |fields| ItemRef { position: 1, source_row: 2, key: "K", date: None, amount: None, fields };
        json.add(item(StoredFields::Json("ab")));
        let mut cells = ItemsDigest::new();
        cells.add(item(StoredFields::Cells(b"ab")));
        assert_ne!(json.finish(), cells.finish());
    }

    #[test]
    fn a_swap_an_absent_value_or_a_shifted_boundary_changes_the_digest() {
        let a = digest(&[(1, 2, "CHG-1", Some("2026-01-05"), None, "[]"), (2, 3, "CHG-2", None, None, "[]")]);
        let swapped = digest(&[(1, 2, "CHG-2", Some("2026-01-05"), None, "[]"), (2, 3, "CHG-1", None, None, "[]")]);
        let empty_not_absent =
            digest(&[(1, 2, "CHG-1", Some("2026-01-05"), Some(""), "[]"), (2, 3, "CHG-2", None, None, "[]")]);
        let shifted = digest(&[(1, 2, "CHG-1", Some("2026-01-0"), Some("5"), "[]"), (2, 3, "CHG-2", None, None, "[]")]);
        assert_ne!(a, swapped);
        assert_ne!(a, empty_not_absent);
        assert_ne!(a, shifted);
        assert_eq!(a, digest(&[(1, 2, "CHG-1", Some("2026-01-05"), None, "[]"), (2, 3, "CHG-2", None, None, "[]")]));
    }
}
