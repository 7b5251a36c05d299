//! The shared harness of the integration tests: a temp dir, the real `tickmark` binary run
//! in it with a fixed clock and user, and the fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NOW: &str = "2026-11-23T10:00:00Z";

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// The `tickmark` command in the sandbox, with the fixed clock and user, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tickmark"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("TICKMARK_NOW", NOW)
            .env("TICKMARK_USER", "Dana Whitfield")
            .env("HOME", self.dir.path())
            .env("TICKMARK_CONFIG_DIR", self.dir.path().join("config"))
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run tickmark")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "tickmark {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs a command with `--format json` that must succeed; returns the parsed document.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not one JSON document ({e}): {out}"))
    }

    /// Runs a command that must fail with a one-line reason; returns that line.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "tickmark {args:?} should have failed");
        let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
        assert_eq!(err.trim_end().lines().count(), 1, "one line on stderr: {err}");
        err.trim_end().to_string()
    }

    /// A fresh engagement for calendar 2026 with one event-driven control `C1`.
    pub fn engagement(&self) -> PathBuf {
        self.ok(&["new", "eng.tickmark", "--client", "Acme Cloud, Inc.", "--period", "2026-01-01..2026-12-31"]);
        self.ok(&[
            "controls",
            "add",
            "eng.tickmark",
            "--id",
            "C1",
            "--description",
            "Changes are approved",
            "--frequency",
            "event-driven",
            "--attributes",
            "A: approved | B: tested",
        ]);
        self.path("eng.tickmark")
    }
}

/// The bytes of a file, to show a refused command left it exactly as it was.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}

/// Asserts `path` holds `before` byte for byte and no journal was left beside it.
pub fn assert_unchanged(path: &Path, before: &[u8]) {
    let after = bytes(path);
    assert!(after == before, "{} changed ({} bytes before, {} after)", path.display(), before.len(), after.len());
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(!wal.exists(), "a WAL file was left beside {}", path.display());
}

/// Takes a file's populations back to the item table of schemas 1 to 11 (`population_item`,
/// fields as JSON text), as a release before schema 12 wrote them: the items are read through
/// the engine, then the chunk and key tables are dropped. For the tests that take a file back
/// to an older schema and open it again (the upgrade moves the items into chunks).
pub fn items_back_to_schema_11(path: &Path) {
    let ids: Vec<i64> = {
        let conn = rusqlite::Connection::open(path).expect("open");
        let mut stmt = conn.prepare("SELECT id FROM population ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let eng = tickmark::Engagement::open(path).expect("open the engagement");
    let items: Vec<(i64, Vec<tickmark::store::PopulationItem>)> =
        ids.iter().map(|&id| (id, eng.population_items(id, 0, u64::MAX).expect("items"))).collect();
    drop(eng);
    let mut conn = rusqlite::Connection::open(path).expect("open");
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "CREATE TABLE population_item (
            population_id  INTEGER NOT NULL REFERENCES population(id),
            position       INTEGER NOT NULL,
            source_row     INTEGER NOT NULL,
            key            TEXT NOT NULL,
            date           TEXT,
            amount         TEXT,
            fields         TEXT NOT NULL,
            PRIMARY KEY (population_id, position)
        ) WITHOUT ROWID;
        DROP TABLE population_chunk; DROP TABLE population_key;",
    )
    .unwrap();
    for (id, items) in items {
        for it in items {
            tx.execute(
                "INSERT INTO population_item VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    id,
                    it.position as i64,
                    it.source_row as i64,
                    it.key,
                    it.date.map(|d| d.to_string()),
                    it.amount,
                    serde_json::to_string(&it.fields).unwrap()
                ],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
}
