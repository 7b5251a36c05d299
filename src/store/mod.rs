//! The engagement file: one SQLite database per engagement. This module owns the single
//! connection-setup function, the schema migrations and the lock against a second writer.

mod backup;
mod carry;
pub mod cipher;
mod controls;
pub(crate) mod coverage;
mod design;
mod digest;
mod fieldwork;
pub(crate) mod items;
pub(crate) mod migrations;
mod population;
mod requests;
mod samples;
mod schema;
mod scope;
pub(crate) mod signers;
pub(crate) mod team;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::engagement::{Actor, EngagementInfo, NewEngagement};
use crate::trail::{self, ChainBreak, Event};
use crate::{Error, Result};

pub use backup::backup;
pub use carry::{FollowUp, RolledForward};
pub use cipher::{Passphrase, decrypt, encrypt, is_encrypted};
pub use controls::ImportedControls;
pub use coverage::RowMismatch;
pub use design::CheckedCriteria;
pub use population::{PopulationItem, PopulationSummary};
pub use requests::{Received, Request, RequestStatus, Verdict, parse_due};
pub use samples::{Filters, Sample, SampleCheck, SampleItem, SampleRequest, StratumSize, TypedRequest, Void};
pub use scope::{Exclusion, RecordedExclusion};
pub use signers::{SignatureCheck, SignatureProblem, Signer};
pub use team::{
    Conflict, ConflictSide, Handoff, HandoffInput, MergePlan, Merged, Prefer, Resolution, default_copy_path,
};

/// `PRAGMA application_id` of an engagement file ("TIKM"), so another SQLite file is refused.
const APPLICATION_ID: i64 = 0x5449_4B4D;

/// The schema version from which every covered row is in the audit trail.
const COVERAGE_SINCE: i64 = 3;

/// The schema version from which every sample records its approach.
const APPROACH_SINCE: i64 = 4;

/// Page size of new engagement files.
const PAGE_SIZE: i64 = 16384;

/// The schema version this build writes; files above it are refused.
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

/// An open engagement file. Holding it holds the file's exclusive lock.
pub struct Engagement {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Engagement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engagement").field("path", &self.path).finish()
    }
}

impl Engagement {
    /// Creates a new engagement file, readable by its owner only; refuses to overwrite
    /// anything at `path`.
    pub fn create(path: &Path, new: &NewEngagement, actor: &Actor) -> Result<Engagement> {
        Engagement::create_keyed(path, new, actor, None)
    }

    /// Creates a new engagement file, encrypted with `key` when one is given: the key is set
    /// before the first byte is written, so no part of it is ever on disk unencrypted.
    pub fn create_keyed(
        path: &Path,
        new: &NewEngagement,
        actor: &Actor,
        key: Option<&Passphrase>,
    ) -> Result<Engagement> {
        Engagement::create_from(path, new, actor, key, None)
    }

    /// `create_keyed`, with the first event citing the engagement it was rolled forward from.
    pub(crate) fn create_from(
        path: &Path,
        new: &NewEngagement,
        actor: &Actor,
        key: Option<&Passphrase>,
        prior: Option<serde_json::Value>,
    ) -> Result<Engagement> {
        new.validate()?;
        create_private(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match Connection::open_with_flags(path, flags) {
            Ok(conn) => conn,
            Err(e) => {
                let _ = std::fs::remove_file(path);
                return Err(e.into());
            }
        };
        let keyed = match key {
            Some(key) => cipher::set_key(&conn, key).map_err(Error::from),
            None => Ok(()),
        };
        // Set before the first table exists; larger pages mean fewer B-tree splits on bulk imports.
        // (An encrypted file keeps SQLCipher's own page size.)
        let sized =
            if key.is_none() { conn.pragma_update(None, "page_size", PAGE_SIZE).map_err(Error::from) } else { Ok(()) };
        if let Err(e) = keyed.and(sized) {
            drop(conn);
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        let mut eng = Engagement::setup(conn, path, false)?;
        let result = (|| {
            eng.migrate()?;
            eng.write(|tx| {
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
                crate::engagement::insert_engagement(tx, new, actor)?;
                let mut payload = serde_json::to_value(new).expect("plain data");
                let action = match prior {
                    Some(prior) => {
                        payload["prior"] = prior;
                        "engagement.rolled_forward"
                    }
                    None => "engagement.created",
                };
                trail::record_rows(tx, actor, action, payload, &[("engagement", 1)])?;
                Ok(())
            })
        })();
        if let Err(e) = result {
            drop(eng);
            let _ = std::fs::remove_file(wal_path(path));
            // The file did not exist before: leave nothing half-made behind.
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(eng)
    }

    /// Opens an existing engagement file, migrating it forward if it is older than this build.
    pub fn open(path: &Path) -> Result<Engagement> {
        Engagement::open_keyed(path, None)
    }

    /// Opens an existing engagement file, with `key` if it is encrypted (a plain file ignores
    /// it). An encrypted file without a key, or with another, is refused untouched.
    pub fn open_keyed(path: &Path, key: Option<&Passphrase>) -> Result<Engagement> {
        let conn = connect(path, key)?;
        let mut eng = Engagement::setup(conn, path, true)?;
        eng.migrate()?;
        Ok(eng)
    }

    /// The one place a connection is configured.
    ///
    /// - `locking_mode=EXCLUSIVE`: the first write takes the file's lock and keeps it until the
    ///   connection closes, so a second Tickmark gets a clear refusal instead of interleaving
    ///   writes. A crashed process releases it with its file descriptors.
    /// - WAL: a crash mid-transaction leaves the main file untouched; with exclusive locking
    ///   the WAL index lives in memory (no `-shm` file) and the WAL is checkpointed and removed
    ///   on close, so the engagement stays a single file to copy.
    /// - The main file is kept complete: a WAL left by a crash is checkpointed as soon as the
    ///   file is opened, and every commit is checkpointed (`wal_autocheckpoint=1`), so the
    ///   file alone holds everything saved even while it is open (which `backup` relies on)
    ///   and after a crash. The WAL gets the main file's mode from SQLite (0600).
    /// - `synchronous=FULL`: fieldwork is typed by hand; a result reported saved survives a
    ///   power cut.
    ///
    /// With `existing`, the file is identified (application id, schema version) before
    /// anything is changed, so a refused file is left byte for byte as it was.
    fn setup(conn: Connection, path: &Path, existing: bool) -> Result<Engagement> {
        let map = |e: rusqlite::Error| classify(e, path);
        conn.busy_timeout(Duration::from_millis(250)).map_err(map)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE").map_err(map)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(map)?;
        // Take the lock now, before reading anything, with an empty write transaction.
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;").map_err(map)?;
        if existing {
            identify(&conn, path)?;
        }
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(map)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::invalid(format!(
                "{}: could not switch the engagement file to WAL mode",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(map)?;
        conn.pragma_update(None, "wal_autocheckpoint", 1).map_err(map)?;
        checkpoint(&conn).map_err(map)?;
        Ok(Engagement { conn, path: path.to_path_buf() })
    }

    fn migrate(&mut self) -> Result<()> {
        // `setup` refused versions above SCHEMA_VERSION.
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (applied, sql) in migrations::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            if applied + 1 == migrations::CHUNKS_SINCE {
                items::move_legacy_items(&tx)?;
            }
            // Chunks moved just above were written sliced already.
            if applied + 1 == migrations::SLICES_SINCE && version as usize >= migrations::CHUNKS_SINCE {
                items::slice_rests(&tx)?;
            }
        }
        // Changes the engine makes itself are dated like the last event (the engine has no clock).
        let upgrader = match trail::list(&tx)?.pop() {
            Some(last) => {
                let at = chrono::DateTime::parse_from_rfc3339(&last.at)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_default();
                Some(Actor::new(format!("Tickmark {}", crate::VERSION), at))
            }
            None => None,
        };
        let inferred = if version > 0 && version < APPROACH_SINCE { samples::infer_approaches(&tx)? } else { vec![] };
        let digested = if version > 0 { digest::fill_missing(&tx)? } else { vec![] };
        if let Some(actor) = &upgrader {
            if version >= COVERAGE_SINCE {
                coverage::record_newly_covered(&tx, actor, version, SCHEMA_VERSION, &digested)?;
            }
            if version > 0 && version < COVERAGE_SINCE {
                // Rows written before the trail covered them are covered from here on: one event
                // records them as they are.
                let rows = coverage::baseline(&tx)?;
                trail::record_unsigned(
                    &tx,
                    actor,
                    "schema.upgraded",
                    serde_json::json!({ "from": version, "to": SCHEMA_VERSION, "rows": rows }),
                )?;
            } else if !inferred.is_empty() {
                let rows: Vec<(&str, i64)> = inferred.iter().map(|(id, _)| ("sample", *id)).collect();
                let approaches: Vec<&serde_json::Value> = inferred.iter().map(|(_, a)| a).collect();
                trail::record_rows_unsigned(
                    &tx,
                    actor,
                    "sample.approach_inferred",
                    serde_json::json!({
                        "from": version, "to": SCHEMA_VERSION, "samples": approaches,
                        "why": "samples drawn before schema 4 did not record how their size was planned; inferred from what they recorded",
                    }),
                    &rows,
                )?;
            }
        }
        // Every event from here on is signed; the ones above were written before signing (set
        // once: a later upgrade never moves it).
        tx.execute("INSERT OR IGNORE INTO signing (id, since) SELECT 1, COALESCE(MAX(seq), 0) + 1 FROM event", [])?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate transaction: all of it is written, or none of it.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn info(&self) -> Result<EngagementInfo> {
        crate::engagement::load_engagement(&self.conn)
    }

    /// The audit trail, oldest first.
    pub fn trail(&self) -> Result<Vec<Event>> {
        trail::list(&self.conn)
    }

    /// Covered rows that differ from what the trail recorded, events whose payload contradicts
    /// the row state they recorded, population items that no longer match their digest and
    /// evidence files that no longer match their SHA-256; ordered by the event.
    pub fn check_rows(&self) -> Result<Vec<RowMismatch>> {
        let mut problems = coverage::check_rows(&self.conn)?;
        let writers = coverage::last_writers(&self.conn)?;
        let writer = |table: &str, id: i64| writers.get(&(table.to_string(), id)).copied().unwrap_or(0);
        for (id, problem) in digest::check_all(&self.conn)? {
            problems.push(RowMismatch { table: "population".into(), id, event: writer("population", id), problem });
        }
        for (id, problem) in digest::check_evidence(&self.conn)? {
            problems.push(RowMismatch { table: "evidence".into(), id, event: writer("evidence", id), problem });
        }
        problems.sort_by_key(|p| (p.event, p.table.clone(), p.id));
        Ok(problems)
    }

    /// The first break in the audit trail's hash chain, if any.
    pub fn check_trail(&self) -> Result<Option<ChainBreak>> {
        trail::check_chain(&self.conn)
    }

    /// Re-performs every sample, checks the trail's chain and its signatures and replays every
    /// covered row.
    pub fn verify(&self) -> Result<crate::verify::Verification> {
        self.verify_expecting(None)
    }

    /// `verify`, and also whether the file's chain still holds a head cited elsewhere (a
    /// workpaper's): a file rolled back, truncated or replaced by an older copy does not.
    pub fn verify_expecting(
        &self,
        expected: Option<crate::verify::ExpectedHead>,
    ) -> Result<crate::verify::Verification> {
        let head = self.trail_head()?;
        let expected_head = match expected {
            Some(e) => {
                let found = self
                    .conn
                    .query_row("SELECT seq FROM event WHERE hash = ?1", [e.hash.to_ascii_lowercase()], |r| r.get(0))
                    .optional()?;
                Some(crate::verify::HeadCheck::new(e, found, head.clone()))
            }
            None => None,
        };
        Ok(crate::verify::Verification::new(crate::verify::Findings {
            samples: self.verify_samples()?,
            chain: self.check_trail()?,
            rows: self.check_rows()?,
            schema: schema::check(&self.conn)?,
            head,
            expected_head,
        })
        .with_signatures(self.check_signatures()?))
    }

    /// The latest event's sequence number and hash: what a workpaper cites.
    pub fn trail_head(&self) -> Result<Option<(i64, String)>> {
        trail::head(&self.conn)
    }

    /// The engagement's identity: the hash of its first event (which records its creation,
    /// client, period and creator), the same in every copy of the file.
    pub fn id(&self) -> Result<String> {
        Ok(self.conn.query_row("SELECT hash FROM event WHERE seq = 1", [], |r| r.get(0))?)
    }
}

/// A connection to the existing file at `path`, keyed if the file is encrypted.
fn connect(path: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::NoSuchFile { path: path.to_path_buf() });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    cipher::unlock(&conn, path, key)?;
    Ok(conn)
}

/// Refuses a file that is not an engagement, or one written by a newer Tickmark.
fn identify(conn: &Connection, path: &Path) -> Result<()> {
    let map = |e: rusqlite::Error| classify(e, path);
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(map)?;
    if app_id != APPLICATION_ID {
        return Err(Error::NotEngagement { path: path.to_path_buf() });
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(map)?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION });
    }
    Ok(())
}

/// Every command ends here: whatever is in the WAL is copied into the main file and the WAL
/// emptied, so the main file is the whole engagement once no process holds it. (Closing the
/// connection would also checkpoint; doing it explicitly does not depend on that.)
impl Drop for Engagement {
    fn drop(&mut self) {
        // A failure leaves the WAL for the next open to complete; a destructor cannot report it.
        let _ = checkpoint(&self.conn);
    }
}

/// Copies the WAL into the main file and truncates it to zero bytes.
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
}

/// The WAL beside an engagement file.
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// Creates the empty file SQLite will open, owner-only whatever the umask (engagement files
/// hold client data), and refuses anything already at `path`, a link included.
fn create_private(path: &Path) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::AlreadyExists { path: path.to_path_buf() });
        }
        Err(e) => return Err(io(e)),
    };
    // The umask may have narrowed the mode above; set it exactly, before any data is written.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    #[cfg(not(unix))]
    drop(file);
    Ok(())
}

/// Turns SQLite's busy/locked and not-a-database answers into the errors an auditor can act on.
fn classify(e: rusqlite::Error, path: &Path) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Locked { path: path.to_path_buf() },
        Some(ErrorCode::NotADatabase) => Error::NotEngagement { path: path.to_path_buf() },
        _ => Error::Sqlite(e),
    }
}
