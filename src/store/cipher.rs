//! Encryption at rest (SQLCipher), opt-in per engagement: the passphrase, telling an encrypted
//! file from a plain one, unlocking a connection, and converting a file either way.

use std::fmt;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, ErrorCode};

use super::{APPLICATION_ID, Engagement};
use crate::error::KeyProblem;
use crate::{Error, Result};

/// The first bytes of every unencrypted SQLite file; SQLCipher encrypts them too.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// An engagement's passphrase, as the CLI or the app read it. Never shown, not even by `Debug`.
#[derive(Clone)]
pub struct Passphrase(String);

impl Passphrase {
    /// Refuses an empty passphrase: SQLCipher would take it to mean "no encryption".
    pub fn new(text: impl Into<String>) -> Result<Passphrase> {
        let text = text.into();
        if text.is_empty() {
            return Err(Error::invalid("the passphrase is empty; choose one"));
        }
        Ok(Passphrase(text))
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// Whether the file at `path` looks encrypted: whole pages (an encrypted file has no plain
/// header to say so, but is always a run of pages of a power-of-two size of at least 512
/// bytes) that do not start with the plain SQLite header. Anything else that is not SQLite
/// (a text file saved as `.tickmark`) is then refused as not an engagement, not as locked.
pub fn is_encrypted(path: &Path) -> Result<bool> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut head = Vec::with_capacity(16);
    file.take(16).read_to_end(&mut head).map_err(io)?;
    Ok(len > 0 && len % 512 == 0 && head != PLAIN_HEADER)
}

/// Keys `conn` (the first statement it runs) when the file is encrypted, and checks the key
/// before anything else reads the file, so a wrong one is named as such and never taken for
/// "not a database". A plain file is left unkeyed whatever `key` is.
pub(super) fn unlock(conn: &Connection, path: &Path, key: Option<&Passphrase>) -> Result<()> {
    if !is_encrypted(path)? {
        return Ok(());
    }
    let Some(key) = key else {
        return Err(Error::Encrypted { path: path.to_path_buf(), problem: KeyProblem::Missing });
    };
    set_key(conn, key)?;
    // Before the first read, as `setup` would: no `-shm` beside the file.
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(Error::Encrypted { path: path.to_path_buf(), problem: KeyProblem::Wrong })
        }
        Err(e) => Err(super::classify(e, path)),
    }
}

/// `PRAGMA key`, and temporary tables and sorts kept in memory so nothing decrypted reaches a
/// temporary file.
pub(super) fn set_key(conn: &Connection, key: &Passphrase) -> rusqlite::Result<()> {
    // A wrong key is reported as one sentence by the caller; SQLCipher would also log it to stderr.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", &key.0)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
}

/// Encrypts the plain engagement at `path` with `key`, in place.
pub fn encrypt(path: &Path, key: &Passphrase) -> Result<()> {
    if path.is_file() && is_encrypted(path)? {
        return Err(Error::invalid(format!("{}: the engagement file is already encrypted", path.display())));
    }
    let eng = Engagement::open_keyed(path, None)?;
    convert(&eng, path, Some(key))
}

/// Decrypts the engagement at `path` (encrypted with `key`), in place.
pub fn decrypt(path: &Path, key: &Passphrase) -> Result<()> {
    if path.is_file() && !is_encrypted(path)? {
        return Err(Error::invalid(format!("{}: the engagement file is not encrypted", path.display())));
    }
    let eng = Engagement::open_keyed(path, Some(key))?;
    convert(&eng, path, None)
}

/// Writes `eng` re-encoded (`to`: encrypted with that key, or plain) into a fresh private file
/// beside it with `sqlcipher_export`, then renames it over the engagement. `eng` holds the
/// lock throughout, so no other Tickmark writes in between.
fn convert(eng: &Engagement, path: &Path, to: Option<&Passphrase>) -> Result<()> {
    let conn = eng.conn();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    crate::export::place_private(path, true, |tmp| {
        let target = tmp.to_str().ok_or_else(|| Error::invalid(format!("{}: not a UTF-8 path", tmp.display())))?;
        let key = to.map_or("", |k| k.0.as_str());
        conn.execute("ATTACH DATABASE ?1 AS converted KEY ?2", [target, key])?;
        let exported = conn.query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(())).and_then(|()| {
            conn.execute_batch(&format!(
                "PRAGMA converted.user_version = {version}; PRAGMA converted.application_id = {APPLICATION_ID};"
            ))
        });
        let detached = conn.execute_batch("DETACH DATABASE converted");
        exported?;
        detached?;
        Ok(())
    })
}
