//! A consistent copy of an engagement file, made with SQLite's online backup API, also while
//! another Tickmark (the desktop app) holds the file open.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::cipher::{Passphrase, is_encrypted, set_key, unlock};
use super::{Engagement, classify, connect, identify};
use crate::{Error, Result};

/// How many times a copy is made again when the file changed while it was read.
const ATTEMPTS: usize = 3;

/// Copies the engagement at `path` to `dest` (owner-only, written under a temporary name and
/// renamed into place; an existing `dest` only with `force`, and never a link).
///
/// When no one has the file open, it is opened as every command opens it (a WAL left by a
/// crash is completed first) and copied under its lock. When another Tickmark holds the lock,
/// the main file is read without locking and without writing to it: the holder checkpoints
/// every commit, so the main file alone is complete between commits. A copy during which the
/// file changed (its size or modification time moved, or the copy fails SQLite's integrity
/// check) is discarded and made again.
///
/// An encrypted engagement is copied encrypted, with the same passphrase (`key`).
pub fn backup(path: &Path, dest: &Path, force: bool, key: Option<&Passphrase>) -> Result<()> {
    if !path.is_file() {
        return Err(Error::NoSuchFile { path: path.to_path_buf() });
    }
    // Known once, before the source is read: the copy is keyed the same way.
    let key = if is_encrypted(path)? { key } else { None };
    if same_file(path, dest) {
        return Err(Error::invalid(format!(
            "{}: this is the engagement itself; back it up to another file",
            dest.display()
        )));
    }
    // Either step meets the holder's lock first: an encrypted file is read to check its key.
    match connect(path, key).and_then(|conn| Engagement::setup(conn, path, true)) {
        Ok(eng) => copy(eng.conn(), dest, force, key),
        Err(Error::Locked { .. }) => copy_while_held(path, dest, force, key),
        Err(e) => Err(e),
    }
}

fn copy_while_held(path: &Path, dest: &Path, force: bool, key: Option<&Passphrase>) -> Result<()> {
    for _ in 0..ATTEMPTS {
        let before = stamp(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // `immutable`: no locks taken (the holder's would refuse them) and nothing written.
        let conn = Connection::open_with_flags(immutable_uri(path), flags).map_err(|e| classify(e, path))?;
        unlock(&conn, path, key)?;
        identify(&conn, path)?;
        if copy_checked(&conn, dest, force, key, || Ok(stamp(path)? == before))? {
            return Ok(());
        }
    }
    Err(Error::invalid(format!(
        "{}: the engagement kept changing while it was copied; try again when the app is idle",
        path.display()
    )))
}

fn copy(conn: &Connection, dest: &Path, force: bool, key: Option<&Passphrase>) -> Result<()> {
    if copy_checked(conn, dest, force, key, || Ok(true))? {
        return Ok(());
    }
    Err(Error::invalid(format!("{}: the copy failed SQLite's integrity check, so it was not kept", dest.display())))
}

/// Writes a working copy of `conn`'s engagement to `dest` (never over an existing file), marked
/// as the copy of `branch`: the file appears only once whole, checked and marked.
pub(crate) fn working_copy(conn: &Connection, dest: &Path, key: Option<&Passphrase>, branch: &str) -> Result<()> {
    crate::export::place_private(dest, false, |tmp| {
        if !write_copy(conn, tmp, key).map_err(|e| unwritten(dest, e))? {
            return Err(Error::invalid(format!("{}: the copy failed SQLite's integrity check", dest.display())));
        }
        let mark = || -> rusqlite::Result<()> {
            let copy =
                Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            if let Some(key) = key {
                set_key(&copy, key)?;
            }
            copy.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
            copy.execute("INSERT INTO working_copy (id, branch) VALUES (1, ?1)", [branch])?;
            copy.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            copy.close().map_err(|(_, e)| e)
        };
        mark().map_err(|e| unwritten(dest, e))
    })
}

/// Copies `conn`'s database to `dest`; `unchanged` says whether the source stayed as it was
/// while it was read. Whether the copy was placed: one that fails either check is discarded
/// before it is renamed into place.
fn copy_checked(
    conn: &Connection,
    dest: &Path,
    force: bool,
    key: Option<&Passphrase>,
    unchanged: impl FnOnce() -> Result<bool>,
) -> Result<bool> {
    let mut discarded = false;
    let placed = crate::export::place_private(dest, force, |tmp| {
        let consistent = write_copy(conn, tmp, key).map_err(|e| unwritten(dest, e))?;
        if !consistent || !unchanged()? {
            discarded = true;
            return Err(Error::invalid("discarded"));
        }
        Ok(())
    });
    match placed {
        Ok(()) => Ok(true),
        Err(_) if discarded => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes the whole database into the empty file at `tmp`; whether the copy passes
/// `quick_check`. With `key`, the copy is encrypted with it (SQLCipher copies pages only
/// between databases keyed alike).
fn write_copy(conn: &Connection, tmp: &Path, key: Option<&Passphrase>) -> rusqlite::Result<bool> {
    let mut dst =
        Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    if let Some(key) = key {
        set_key(&dst, key)?;
    }
    // The copy is a WAL-mode file like its source: no `-shm` beside the temporary file.
    dst.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    {
        let backup = Backup::new(conn, &mut dst)?;
        // -1: every page in one step, so the copy is of one moment of the source.
        while backup.step(-1)? != StepResult::Done {}
    }
    let check: String = dst.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    dst.close().map_err(|(_, e)| e)?;
    Ok(check == "ok")
}

fn unwritten(dest: &Path, e: rusqlite::Error) -> Error {
    Error::invalid(format!("{}: the backup could not be written ({e})", dest.display()))
}

/// What moves when anyone writes to the file.
fn stamp(path: &Path) -> Result<(u64, Option<SystemTime>)> {
    let m = fs::metadata(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    Ok((m.len(), m.modified().ok()))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `file:` URI for `path` with `immutable=1`; every byte but an unreserved one is
/// percent-encoded, so a `?` or `#` in a folder name stays part of the path.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path_bytes(path) {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_keeps_every_character_of_the_path() {
        assert_eq!(immutable_uri(Path::new("/a b/q?#%.tickmark")), "file:/a%20b/q%3F%23%25.tickmark?immutable=1");
    }
}
