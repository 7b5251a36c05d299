//! What Tickmark writes to disk, through the real binary: outputs never follow a link, and
//! the engagement file alone is the whole engagement.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use common::{NOW, Sandbox, assert_unchanged, bytes};
use rusqlite::Connection;
use tickmark::Engagement;
use tickmark::engagement::{Actor, ControlInput, Frequency, Nature};

const VICTIM: &[u8] = b"the client's only copy of something that matters\n";

/// An engagement with control C1 and one stored evidence file (id 1).
fn with_evidence() -> (Sandbox, PathBuf) {
    let s = Sandbox::new();
    let eng = s.engagement();
    let f = s.write("approval.txt", "approved by J. Ortiz\n");
    s.ok(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", f.to_str().unwrap()]);
    (s, eng)
}

/// A file an attacker would like overwritten, outside the export's folder.
fn victim(s: &Sandbox) -> PathBuf {
    fs::create_dir(s.path("elsewhere")).unwrap();
    s.write("elsewhere/victim.txt", VICTIM)
}

/// Plants links to `target` at the temporary name older builds used and at names a
/// guesser would try, beside `out`.
fn plant_links(dir: &Path, out: &str, target: &Path) {
    symlink(target, dir.join(format!(".{out}.tickmark-partial"))).unwrap();
    for guess in ["000000", "aaaaaa", "AAAAAA", "tmp"] {
        symlink(target, dir.join(format!(".{out}.{guess}.tickmark-partial"))).unwrap();
    }
}

/// The commands that write a file at `out`: the workpaper export and the evidence export.
fn writers(out: &str) -> [Vec<String>; 2] {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    [
        args(&["export", "eng.tickmark", "--format", "html", "--out", out]),
        args(&["evidence", "export", "eng.tickmark", "--id", "1", "--out", out]),
    ]
}

fn run_ok(s: &Sandbox, args: &[String]) {
    s.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

fn run_fails(s: &Sandbox, args: &[String]) -> String {
    s.fails(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn exports_never_write_through_a_link_planted_at_a_temporary_name() {
    let (s, _) = with_evidence();
    let victim = victim(&s);
    for i in 0..2 {
        let out = format!("out{i}.html");
        plant_links(s.dir.path(), &out, &victim);
        let args = &writers(&out)[i];
        run_ok(&s, args);
        assert_eq!(bytes(&victim), VICTIM, "{args:?} wrote through a planted link");
        let placed = fs::symlink_metadata(s.path(&out)).unwrap();
        assert!(placed.file_type().is_file(), "{out} is an ordinary file");
        assert!(fs::symlink_metadata(s.path(&format!(".{out}.tickmark-partial"))).unwrap().file_type().is_symlink());
    }
}

#[test]
fn force_onto_a_link_is_refused_and_the_link_and_its_target_are_unchanged() {
    let (s, eng) = with_evidence();
    let victim = victim(&s);
    symlink(&victim, s.path("out.html")).unwrap();
    let before = bytes(&eng);
    for mut args in writers("out.html") {
        args.push("--force".into());
        let err = run_fails(&s, &args);
        assert!(err.contains("out.html: not replaced, because it is a symbolic link"), "{err}");
        assert_eq!(bytes(&victim), VICTIM);
        assert!(fs::symlink_metadata(s.path("out.html")).unwrap().file_type().is_symlink());
        assert_unchanged(&eng, &before);
        // Without --force it is refused as any existing destination is.
        args.pop();
        let err = run_fails(&s, &args);
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(bytes(&victim), VICTIM);
    }
}

#[test]
fn a_link_to_a_missing_file_is_refused_too_and_nothing_is_created_at_its_target() {
    let (s, _) = with_evidence();
    symlink(s.path("created-by-tickmark.txt"), s.path("out.html")).unwrap();
    for mut args in writers("out.html") {
        args.push("--force".into());
        let err = run_fails(&s, &args);
        assert!(err.contains("symbolic link"), "{err}");
        assert!(!s.path("created-by-tickmark.txt").exists());
    }
}

#[test]
fn exports_onto_a_folder_or_a_pipe_are_refused_with_or_without_force() {
    let (s, eng) = with_evidence();
    fs::create_dir(s.path("out.html")).unwrap();
    let fifo = s.path("pipe.html");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let before = bytes(&eng);
    for (out, why) in [("out.html", "is a folder"), ("pipe.html", "is a device, a pipe or a socket")] {
        for mut args in writers(out) {
            let err = run_fails(&s, &args);
            assert!(err.contains("already exists"), "{err}");
            args.push("--force".into());
            let err = run_fails(&s, &args);
            assert!(err.contains(&format!("{out}: not replaced, because it {why}")), "{err}");
        }
    }
    assert!(s.path("out.html").is_dir());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_unchanged(&eng, &before);
}

#[test]
fn a_pipe_attached_as_evidence_is_refused_before_it_is_opened() {
    let (s, eng) = with_evidence();
    let fifo = s.path("evidence-pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let before = bytes(&eng);
    // Opening a pipe with no writer would wait for ever while holding the engagement.
    let err = s.fails(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", fifo.to_str().unwrap()]);
    assert!(err.contains("is not a regular file (a pipe, device or socket)"), "{err}");
    assert_unchanged(&eng, &before);
}

#[test]
fn force_replaces_an_earlier_export_that_is_an_ordinary_file() {
    let (s, _) = with_evidence();
    for mut args in writers("out.html") {
        s.write("out.html", "an earlier export");
        args.push("--force".into());
        run_ok(&s, &args);
        assert_ne!(bytes(&s.path("out.html")), b"an earlier export");
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

/// Runs `tickmark args` with umask 0, so any mode wider than 0600 would show.
fn ok_with_open_umask(s: &Sandbox, args: &[&str]) {
    let mut cmd = s.command(args);
    // SAFETY: umask is async-signal-safe and only changes the child's own mask.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn new_engagements_the_demo_and_their_wal_are_owner_only_whatever_the_umask() {
    let s = Sandbox::new();
    ok_with_open_umask(&s, &["new", "eng.tickmark", "--client", "Acme", "--period", "2026-01-01..2026-12-31"]);
    assert_eq!(mode(&s.path("eng.tickmark")), 0o600);
    ok_with_open_umask(&s, &["demo", "--out", "demo.tickmark"]);
    assert_eq!(mode(&s.path("demo.tickmark")), 0o600);
    // While open, the WAL beside it is as private as the file.
    let eng = Engagement::open(&s.path("eng.tickmark")).unwrap();
    assert_eq!(mode(&wal(&s.path("eng.tickmark"))), 0o600);
    drop(eng);
    assert!(!wal(&s.path("eng.tickmark")).exists(), "the WAL is emptied and removed when the engagement closes");
}

#[test]
fn a_wal_left_by_a_crash_is_in_the_main_file_after_the_next_command() {
    let s = Sandbox::new();
    let eng = s.engagement();
    // What a crash between a commit and its checkpoint leaves on disk: the commit only in the WAL.
    let writer = Connection::open(&eng).unwrap();
    writer.pragma_update(None, "locking_mode", "EXCLUSIVE").unwrap();
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    writer.execute_batch("CREATE TABLE crash_probe (x TEXT); INSERT INTO crash_probe VALUES ('saved');").unwrap();
    fs::copy(&eng, s.path("crashed.tickmark")).unwrap();
    fs::copy(wal(&eng), wal(&s.path("crashed.tickmark"))).unwrap();
    drop(writer);
    assert_eq!(probe(&s, "crashed.tickmark"), None, "before: the main file alone lacks the commit");

    s.ok(&["trail", "crashed.tickmark"]);
    assert!(!wal(&s.path("crashed.tickmark")).exists());
    assert_eq!(probe(&s, "crashed.tickmark").as_deref(), Some("saved"));
}

/// The probe row in a copy of `name`'s main file alone, without its WAL.
fn probe(s: &Sandbox, name: &str) -> Option<String> {
    let alone = s.path("alone.tickmark");
    let _ = fs::remove_file(wal(&alone));
    fs::copy(s.path(name), &alone).unwrap();
    let conn = Connection::open_with_flags(&alone, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT x FROM crash_probe", [], |r| r.get(0)).ok()
}

#[test]
fn results_reported_saved_before_a_sigkill_are_in_the_main_file_alone() {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = String::from("Key,Created\n");
    for i in 1..=400 {
        csv += &format!("K{i:05},2026-03-01\n");
    }
    let p = s.write("tickets.csv", csv);
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key", "--date", "Created"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "300", "--seed", "1", "--judgemental", "test"]);
    let mut batch = String::from("item,attribute,outcome,comment\n");
    for i in 1..=300 {
        batch += &format!("{i},A,pass,\n{i},B,pass,\n");
    }
    let batch = s.write("results.csv", batch);
    let mut child = s
        .command(&["result", "eng.tickmark", "--control", "C1", "--batch", batch.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..40 {
        lines.next().expect("the batch ends before 40 results").unwrap();
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no close
    child.wait().unwrap();
    let saved = 40 + lines.map_while(Result::ok).count();
    // The main file alone, copied before anything opens it again.
    let alone = s.path("alone.tickmark");
    fs::copy(s.path("eng.tickmark"), &alone).unwrap();
    let conn = Connection::open_with_flags(&alone, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let stored: i64 = conn.query_row("SELECT COUNT(*) FROM result", [], |r| r.get(0)).unwrap();
    assert!(stored as usize >= saved, "{stored} in the main file, {saved} reported saved");
    assert!(stored < 600, "the kill landed mid-batch");
}

#[test]
fn backup_makes_a_private_copy_that_verifies_and_leaves_the_engagement_unchanged() {
    let (s, eng) = with_evidence();
    let before = bytes(&eng);
    let out = s.ok(&["backup", "eng.tickmark", "copy.tickmark"]);
    assert!(out.contains("copy.tickmark"), "{out}");
    assert_unchanged(&eng, &before);
    assert_eq!(mode(&s.path("copy.tickmark")), 0o600);
    assert_eq!(s.json(&["verify", "copy.tickmark"])["ok"], true);
    assert_eq!(s.json(&["trail", "copy.tickmark"]), s.json(&["trail", "eng.tickmark"]));

    let err = s.fails(&["backup", "eng.tickmark", "copy.tickmark"]);
    assert!(err.contains("copy.tickmark: a file already exists there"), "{err}");
    s.ok(&["backup", "eng.tickmark", "copy.tickmark", "--force"]);
    let err = s.fails(&["backup", "eng.tickmark", "eng.tickmark", "--force"]);
    assert!(err.contains("this is the engagement itself"), "{err}");
    assert_unchanged(&eng, &before);
}

#[test]
fn backup_never_replaces_a_link_or_writes_through_one() {
    let (s, eng) = with_evidence();
    let victim = victim(&s);
    plant_links(s.dir.path(), "copy.tickmark", &victim);
    symlink(&victim, s.path("linked.tickmark")).unwrap();
    let before = bytes(&eng);
    let err = s.fails(&["backup", "eng.tickmark", "linked.tickmark", "--force"]);
    assert!(err.contains("linked.tickmark: not replaced, because it is a symbolic link"), "{err}");
    s.ok(&["backup", "eng.tickmark", "copy.tickmark"]);
    assert_eq!(bytes(&victim), VICTIM);
    assert_unchanged(&eng, &before);
}

#[test]
fn backup_copies_an_engagement_another_tickmark_holds_open_with_its_latest_commit() {
    let s = Sandbox::new();
    let path = s.engagement();
    let mut held = Engagement::open(&path).unwrap();
    let at: DateTime<Utc> = NOW.parse().unwrap();
    let c2 = ControlInput {
        code: "C2".into(),
        description: "Access is reviewed".into(),
        criteria: vec![],
        frequency: Frequency::Quarterly,
        nature: Nature::Manual,
        owner: String::new(),
        attributes: vec![],
        procedures: vec![],
    };
    // The holder acts with the sandbox's own identity for Dana (the one the CLI created).
    let dir = s.dir.path().join("config").join("identity");
    let (dana, _, _) = tickmark::identity::load_or_create(&dir, "Dana Whitfield", || Ok([7; 32])).unwrap();
    held.add_control(&c2, &Actor::signed(dana, at)).unwrap();
    let err = s.fails(&["controls", "list", "eng.tickmark"]);
    assert!(err.contains("open in another Tickmark"), "the app holds the lock: {err}");

    s.ok(&["backup", "eng.tickmark", "copy.tickmark"]);
    assert_eq!(mode(&s.path("copy.tickmark")), 0o600);
    assert_eq!(s.json(&["verify", "copy.tickmark"])["ok"], true);
    let listed = s.ok(&["controls", "list", "copy.tickmark"]);
    assert!(listed.contains("C2"), "the copy has the holder's latest commit: {listed}");
    drop(held);
}
