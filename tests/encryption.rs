//! Encryption at rest through the real binary: an encrypted engagement is unreadable without
//! its passphrase, every command works with it, and `encrypt` / `decrypt` convert in place.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Output, Stdio};

use common::{Sandbox, assert_unchanged, bytes};

const PASSPHRASE: &str = "correct horse battery staple";
const PLAIN_HEADER: &[u8] = b"SQLite format 3\0";

fn run_with(s: &Sandbox, passphrase: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = s.command(args);
    // Never a terminal: the passphrase comes from the environment or not at all.
    cmd.stdin(Stdio::null());
    match passphrase {
        Some(p) => cmd.env("TICKMARK_PASSPHRASE", p),
        None => cmd.env_remove("TICKMARK_PASSPHRASE"),
    };
    cmd.output().unwrap()
}

/// Runs a command with the passphrase that must succeed; returns its stdout.
fn ok(s: &Sandbox, args: &[&str]) -> String {
    let out = run_with(s, Some(PASSPHRASE), args);
    assert!(out.status.success(), "tickmark {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail; returns its one line on stderr.
fn fails(s: &Sandbox, passphrase: Option<&str>, args: &[&str]) -> String {
    let out = run_with(s, passphrase, args);
    assert!(!out.status.success(), "tickmark {args:?} should have failed");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line on stderr: {err}");
    err.trim_end().to_string()
}

fn json(s: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(s, &all)).unwrap()
}

fn encrypted(path: &Path) -> bool {
    !bytes(path).starts_with(PLAIN_HEADER)
}

/// An encrypted engagement with control C1 and one stored evidence file (id 1).
fn encrypted_engagement() -> Sandbox {
    let s = Sandbox::new();
    ok(&s, &["new", "eng.tickmark", "--client", "Acme", "--period", "2026-01-01..2026-12-31", "--encrypt"]);
    let control = ["--id", "C1", "--description", "Changes are approved", "--frequency", "event-driven"];
    ok(&s, &[&["controls", "add", "eng.tickmark"][..], &control].concat());
    s.write("approval.txt", "approved by J. Ortiz\n");
    ok(&s, &["evidence", "add", "eng.tickmark", "--control", "C1", "--file", "approval.txt"]);
    s
}

#[test]
fn an_encrypted_engagement_is_unreadable_without_its_passphrase_and_refusals_leave_it_unchanged() {
    let s = encrypted_engagement();
    let eng = s.path("eng.tickmark");
    assert!(encrypted(&eng), "the first 16 bytes are not the SQLite header");
    assert_eq!(fs::metadata(&eng).unwrap().permissions().mode() & 0o777, 0o600);
    let plain = rusqlite::Connection::open(&eng).unwrap();
    assert!(plain.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).is_err());
    drop(plain);

    let before = bytes(&eng);
    let err = fails(&s, None, &["controls", "list", "eng.tickmark"]);
    assert_eq!(
        err,
        "tickmark: eng.tickmark: the engagement file is encrypted: give its passphrase (set TICKMARK_PASSPHRASE for the command line)"
    );
    let err = fails(&s, Some("wrong"), &["controls", "list", "eng.tickmark"]);
    assert_eq!(err, "tickmark: eng.tickmark: the engagement file is encrypted: wrong passphrase");
    let err = fails(&s, Some("wrong"), &["export", "eng.tickmark", "--format", "html", "--out", "wp.html"]);
    assert!(err.ends_with("wrong passphrase"), "{err}");
    assert!(!s.path("wp.html").exists());
    assert_unchanged(&eng, &before);

    assert!(ok(&s, &["controls", "list", "eng.tickmark"]).contains("C1"));
    assert_eq!(json(&s, &["verify", "eng.tickmark"])["ok"], true);
}

#[test]
fn export_evidence_export_and_backup_work_on_an_encrypted_engagement() {
    let s = encrypted_engagement();
    ok(&s, &["export", "eng.tickmark", "--format", "html", "--out", "wp.html"]);
    assert!(fs::read_to_string(s.path("wp.html")).unwrap().contains("Changes are approved"));
    ok(&s, &["evidence", "export", "eng.tickmark", "--id", "1", "--out", "back.txt"]);
    assert_eq!(bytes(&s.path("back.txt")), b"approved by J. Ortiz\n");

    ok(&s, &["backup", "eng.tickmark", "copy.tickmark"]);
    assert!(encrypted(&s.path("copy.tickmark")), "the backup is encrypted like its source");
    assert_eq!(json(&s, &["verify", "copy.tickmark"])["ok"], true);
    assert_eq!(json(&s, &["trail", "copy.tickmark"]), json(&s, &["trail", "eng.tickmark"]));
    let err = fails(&s, None, &["verify", "copy.tickmark"]);
    assert!(err.ends_with("(set TICKMARK_PASSPHRASE for the command line)"), "{err}");
}

#[test]
fn encrypt_and_decrypt_convert_in_place_and_keep_the_whole_record() {
    let s = Sandbox::new();
    let eng = s.engagement();
    s.write("approval.txt", "approved\n");
    s.ok(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", "approval.txt"]);
    let trail = s.json(&["trail", "eng.tickmark"]);

    ok(&s, &["encrypt", "eng.tickmark"]);
    assert!(encrypted(&eng));
    assert_eq!(fs::metadata(&eng).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(json(&s, &["trail", "eng.tickmark"]), trail);
    assert_eq!(json(&s, &["verify", "eng.tickmark"])["ok"], true);

    let before = bytes(&eng);
    let err = fails(&s, Some(PASSPHRASE), &["encrypt", "eng.tickmark"]);
    assert!(err.contains("already encrypted"), "{err}");
    let err = fails(&s, Some("wrong"), &["decrypt", "eng.tickmark"]);
    assert!(err.ends_with("wrong passphrase"), "{err}");
    let err = fails(&s, None, &["decrypt", "eng.tickmark"]);
    assert!(err.contains("set TICKMARK_PASSPHRASE"), "{err}");
    assert_unchanged(&eng, &before);

    ok(&s, &["decrypt", "eng.tickmark"]);
    assert!(!encrypted(&eng));
    assert_eq!(s.json(&["trail", "eng.tickmark"]), trail);
    assert_eq!(s.json(&["verify", "eng.tickmark"])["ok"], true);
    let err = fails(&s, Some(PASSPHRASE), &["decrypt", "eng.tickmark"]);
    assert!(err.contains("not encrypted"), "{err}");

    let mut left: Vec<String> =
        fs::read_dir(s.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    // `config` holds the sandbox's signing identity (TICKMARK_CONFIG_DIR).
    assert_eq!(left, ["approval.txt", "config", "eng.tickmark"], "no temporary file is left behind");
}

#[test]
fn new_encrypt_without_a_passphrase_or_a_terminal_is_refused_and_creates_nothing() {
    let s = Sandbox::new();
    let err = fails(
        &s,
        None,
        &["new", "eng.tickmark", "--client", "Acme", "--period", "2026-01-01..2026-12-31", "--encrypt"],
    );
    assert!(err.contains("set TICKMARK_PASSPHRASE"), "{err}");
    assert!(!s.path("eng.tickmark").exists());
}

#[test]
fn an_encrypted_engagement_another_tickmark_holds_is_backed_up_encrypted() {
    let s = encrypted_engagement();
    let key = tickmark::store::Passphrase::new(PASSPHRASE).unwrap();
    let held = tickmark::Engagement::open_keyed(&s.path("eng.tickmark"), Some(&key)).unwrap();
    let err = fails(&s, Some(PASSPHRASE), &["controls", "list", "eng.tickmark"]);
    assert!(err.contains("open in another Tickmark"), "{err}");
    ok(&s, &["backup", "eng.tickmark", "copy.tickmark"]);
    assert!(encrypted(&s.path("copy.tickmark")));
    assert_eq!(json(&s, &["verify", "copy.tickmark"])["ok"], true);
    drop(held);
}

/// A working copy of an encrypted engagement is encrypted with the same passphrase, and merges
/// back; without the passphrase the engine refuses to hand off (the app can be asked without it).
#[test]
fn a_working_copy_of_an_encrypted_engagement_is_encrypted_and_merges_back() {
    let s = Sandbox::new();
    ok(&s, &["demo", "--out", "eng.tickmark"]);
    ok(&s, &["encrypt", "eng.tickmark"]);
    ok(&s, &["--by", "Sam Ortiz", "identity", "export", "--out", "sam.pub"]);
    ok(&s, &["identity", "import", "eng.tickmark", "sam.pub"]);
    ok(&s, &["handoff", "eng.tickmark", "--to", "Sam Ortiz", "--controls", "CC8.1-01", "--out", "sam.tickmark"]);
    assert!(!bytes(&s.path("sam.tickmark")).starts_with(PLAIN_HEADER), "the working copy is encrypted");
    let err = fails(&s, None, &["verify", "sam.tickmark"]);
    assert!(err.contains("the engagement file is encrypted"), "{err}");
    ok(
        &s,
        &[
            "--by",
            "Sam Ortiz",
            "result",
            "sam.tickmark",
            "--control",
            "CC8.1-01",
            "--item",
            "1",
            "--attribute",
            "A",
            "--pass",
        ],
    );
    ok(&s, &["merge", "eng.tickmark", "sam.tickmark"]);
    ok(&s, &["verify", "eng.tickmark"]);

    let mut eng = tickmark::Engagement::open_keyed(
        &s.path("eng.tickmark"),
        Some(&tickmark::store::Passphrase::new(PASSPHRASE.to_string()).unwrap()),
    )
    .unwrap();
    let actor = tickmark::engagement::Actor::new("Dana Whitfield", chrono::Utc::now());
    let input = tickmark::store::HandoffInput { assignee: "Sam Ortiz".into(), controls: vec!["CC7.2-01".into()] };
    let err = eng.handoff(&input, &s.path("unkeyed.tickmark"), None, &actor).unwrap_err();
    assert!(err.to_string().contains("give its passphrase, so the working copy is encrypted with it too"), "{err}");
    assert!(!s.path("unkeyed.tickmark").exists());
}
