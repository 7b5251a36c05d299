//! What Tickmark writes to disk, through the real binary: outputs never follow a link, and
//! the engagement file alone is the whole engagement.

mod common;

use std::fs;
use std::os::unix::fs::{FileTypeExt, symlink};
use std::path::{Path, PathBuf};

use common::{Sandbox, assert_unchanged, bytes};

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
fn force_replaces_an_earlier_export_that_is_an_ordinary_file() {
    let (s, _) = with_evidence();
    for mut args in writers("out.html") {
        s.write("out.html", "an earlier export");
        args.push("--force".into());
        run_ok(&s, &args);
        assert_ne!(bytes(&s.path("out.html")), b"an earlier export");
    }
}
