//! Team fieldwork: the in-charge hands controls to two colleagues in working copies, all three
//! work apart, the copies come back in either order, the conflict is resolved explicitly and
//! the merged engagement verifies.

mod common;

use std::path::Path;
use std::time::Instant;

use common::{Sandbox, assert_unchanged, bytes};
use rusqlite::Connection;

const RAVI: &str = "Ravi Patel";
const SAM: &str = "Sam Ortiz";

/// The demo engagement with Ravi's and Sam's signing keys pinned by Dana, the in-charge.
fn team() -> Sandbox {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "eng.tickmark"]);
    for (who, file) in [(RAVI, "ravi.pub"), (SAM, "sam.pub")] {
        s.ok(&["--by", who, "identity", "export", "--out", file]);
        s.ok(&["identity", "import", "eng.tickmark", file]);
    }
    s
}

fn by(s: &Sandbox, who: &str, args: &[&str]) -> String {
    let mut all = vec!["--by", who];
    all.extend(args);
    s.ok(&all)
}

fn fails_by(s: &Sandbox, who: &str, args: &[&str]) -> String {
    let mut all = vec!["--by", who];
    all.extend(args);
    s.fails(&all)
}

/// Every table but the trail's, each sorted: the engagement's content apart from the order
/// events were written in.
fn content(path: &Path) -> Vec<(String, Vec<String>)> {
    let conn = Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('event', 'branch_event') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// `(outcome, tested_by)` of a result, read from the file.
fn result_of(path: &Path, control: &str, item: i64, attribute: &str) -> (String, String) {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT r.outcome, r.tested_by FROM result r JOIN sample s ON s.id = r.sample_id JOIN control c ON c.id = s.control_id
             JOIN attribute a ON a.id = r.attribute_id
             WHERE c.code = ?1 AND r.ordinal = ?2 AND a.label = ?3 AND s.replaced_at IS NULL",
            rusqlite::params![control, item, attribute],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn a_team_works_apart_and_merges_back_in_either_order_with_the_conflict_resolved_explicitly() {
    let s = team();
    s.ok(&["handoff", "eng.tickmark", "--to", SAM, "--controls", "CC8.1-01", "--out", "sam.tickmark"]);
    s.ok(&["handoff", "eng.tickmark", "--to", RAVI, "--controls", "CC6.1-01", "--out", "ravi.tickmark"]);
    let out = s.json(&["handoff", "list", "eng.tickmark"]);
    let held: Vec<(String, String)> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["assignee"].as_str().unwrap().to_string(), h["controls"][0].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(held, [(SAM.into(), "CC8.1-01".into()), (RAVI.into(), "CC6.1-01".into())]);

    // Ravi works on CC6.1-01 only (his copy knows Sam holds CC8.1-01), and only Ravi works in it.
    s.write("q3-review.png", b"the Q3 review, signed by the CISO");
    by(
        &s,
        RAVI,
        &["evidence", "add", "ravi.tickmark", "--control", "CC6.1-01", "--item", "2", "--file", "q3-review.png"],
    );
    by(
        &s,
        RAVI,
        &[
            "interview",
            "add",
            "ravi.tickmark",
            "--date",
            "2026-11-18",
            "--interviewee",
            "Lee Chen",
            "--role",
            "IT manager",
            "--notes",
            "Reviews are run by IT and approved by the CISO.",
            "--controls",
            "CC6.1-01",
        ],
    );
    let err = fails_by(
        &s,
        RAVI,
        &["result", "ravi.tickmark", "--control", "CC8.1-01", "--item", "1", "--attribute", "A", "--pass"],
    );
    assert!(err.contains("CC8.1-01 is not in this working copy: it stays with Sam Ortiz"), "{err}");
    let err = s.fails(&["note", "add", "ravi.tickmark", "--control", "CC6.1-01", "--text", "Why late?"]);
    assert!(err.contains("this is Ravi Patel's working copy of CC6.1-01, handed out by Dana Whitfield"), "{err}");

    // Sam tests CC8.1-01; Dana, in the engagement, records item 4 attribute B too: a conflict.
    by(
        &s,
        SAM,
        &[
            "result",
            "sam.tickmark",
            "--control",
            "CC8.1-01",
            "--item",
            "4",
            "--attribute",
            "B",
            "--exception",
            "no approval ticket",
        ],
    );
    by(&s, SAM, &["result", "sam.tickmark", "--control", "CC8.1-01", "--item", "1", "--attribute", "A", "--pass"]);
    s.ok(&["result", "eng.tickmark", "--control", "CC8.1-01", "--item", "4", "--attribute", "B", "--pass"]);
    s.ok(&["note", "add", "eng.tickmark", "--control", "CC6.1-01", "--text", "Was the late review escalated?"]);
    std::fs::copy(s.path("eng.tickmark"), s.path("other-order.tickmark")).unwrap();

    // Order 1: Ravi's copy, then Sam's.
    let merged = s.json(&["merge", "eng.tickmark", "ravi.tickmark"]);
    assert_eq!(merged["plan"]["events"], 3, "evidence added (and the preparer's sign-off it cleared), interview");
    assert_eq!(merged["plan"]["conflicts"], serde_json::json!([]));
    let before = bytes(&s.path("eng.tickmark"));
    let plan = s.json(&["merge", "eng.tickmark", "sam.tickmark", "--dry-run"]);
    let conflicts = plan["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{plan}");
    let c = &conflicts[0];
    assert_eq!((c["control"].as_str(), c["subject"].as_str()), (Some("CC8.1-01"), Some("item 4, attribute B")));
    assert_eq!(c["main"]["value"], "comment: \"\"; outcome: \"pass\"");
    assert_eq!(c["main"]["by"], "Dana Whitfield");
    assert_eq!(c["returned"]["value"], "comment: \"no approval ticket\"; outcome: \"exception\"");
    assert_eq!(c["returned"]["by"], SAM);
    let err = s.fails(&["merge", "eng.tickmark", "sam.tickmark"]);
    assert!(err.contains("1 conflict(s) above; nothing was merged"), "{err}");
    assert_unchanged(&s.path("eng.tickmark"), &before);
    s.ok(&["merge", "eng.tickmark", "sam.tickmark", "--prefer", "returned"]);
    let again = s.ok(&["merge", "eng.tickmark", "sam.tickmark"]);
    assert!(again.contains("already merged by Dana Whitfield"), "{again}");

    // Order 2: Sam's copy, then Ravi's.
    s.ok(&["merge", "other-order.tickmark", "sam.tickmark", "--prefer", "returned"]);
    s.ok(&["merge", "other-order.tickmark", "ravi.tickmark"]);
    assert_eq!(content(&s.path("eng.tickmark")), content(&s.path("other-order.tickmark")));

    for eng in ["eng.tickmark", "other-order.tickmark"] {
        let report = s.ok(&["verify", eng]);
        assert!(report.contains("chain intact"), "{report}");
        assert_eq!(result_of(&s.path(eng), "CC8.1-01", 4, "B"), ("exception".into(), SAM.into()));
        assert_eq!(result_of(&s.path(eng), "CC8.1-01", 1, "A"), ("pass".into(), SAM.into()));
    }
    // Ravi's evidence came back byte for byte, his interview under his name, and Dana's note stayed.
    let evidence = s.json(&["evidence", "list", "eng.tickmark", "--control", "CC6.1-01"]);
    let added = evidence.as_array().unwrap().iter().find(|e| e["name"] == "q3-review.png").expect("merged evidence");
    assert_eq!(added["added_by"], RAVI);
    s.ok(&["evidence", "export", "eng.tickmark", "--id", &added["id"].to_string(), "--out", "back.png"]);
    assert_eq!(bytes(&s.path("back.png")), b"the Q3 review, signed by the CISO");
    let interviews = s.json(&["interview", "list", "eng.tickmark"]);
    assert!(interviews.as_array().unwrap().iter().any(|i| i["interviewee"] == "Lee Chen" && i["recorded_by"] == RAVI));
    let notes = s.json(&["note", "list", "eng.tickmark", "--control", "CC6.1-01"]);
    assert!(notes.as_array().unwrap().iter().any(|n| n["text"] == "Was the late review escalated?"));

    // The trail: one merge event per copy citing the copy's head; the copy's events kept as signed.
    let trail = s.json(&["trail", "eng.tickmark"]);
    let merges: Vec<&serde_json::Value> =
        trail.as_array().unwrap().iter().filter(|e| e["action"] == "team.merged").collect();
    assert_eq!(merges.len(), 2);
    assert_eq!(merges[1]["payload"]["assignee"], SAM);
    assert_eq!(merges[1]["payload"]["conflicts"], serde_json::json!([{ "conflict": c["id"], "kept": "returned" }]));
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    let (n, actor): (i64, String) = conn
        .query_row("SELECT COUNT(*), MIN(actor) FROM branch_event WHERE actor = ?1", [SAM], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((n, actor.as_str()), (2, SAM));
    drop(conn);

    // The workpaper shows each result's tester and the hand-offs with their merge events.
    s.ok(&["export", "eng.tickmark", "--format", "csv", "--out", "wp"]);
    let results = std::fs::read_to_string(s.path("wp/results.csv")).unwrap();
    let row4 = results.lines().find(|l| l.starts_with("CC8.1-01,4,")).unwrap();
    assert!(row4.contains("B: no approval ticket") && row4.contains(SAM), "{row4}");
    let team_sheet = std::fs::read_to_string(s.path("wp/team.csv")).unwrap();
    let lines: Vec<&str> = team_sheet.lines().collect();
    assert_eq!(lines.len(), 3, "{team_sheet}");
    assert!(lines[2].contains("Ravi Patel") && lines[2].contains(",merged,"), "{}", lines[2]);
    let merge_seq = merges[0]["seq"].as_i64().unwrap();
    assert!(lines[2].ends_with(&format!(",{merge_seq} (3)")), "{}", lines[2]);
}

#[test]
fn verify_rechecks_the_merged_events_and_the_hand_off() {
    let s = team();
    s.ok(&["handoff", "eng.tickmark", "--to", SAM, "--controls", "CC8.1-01", "--out", "sam.tickmark"]);
    by(&s, SAM, &["result", "sam.tickmark", "--control", "CC8.1-01", "--item", "1", "--attribute", "A", "--pass"]);
    s.ok(&["merge", "eng.tickmark", "sam.tickmark"]);
    s.ok(&["verify", "eng.tickmark"]);

    std::fs::copy(s.path("eng.tickmark"), s.path("edited.tickmark")).unwrap();
    let conn = Connection::open(s.path("edited.tickmark")).unwrap();
    conn.execute("UPDATE branch_event SET payload = replace(payload, '\"pass\"', '\"na\"')", []).unwrap();
    drop(conn);
    let out = s.run(&["verify", "edited.tickmark"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stdout);
    assert!(err.contains("working copy") && err.contains("does not match its hash"), "{err}");

    std::fs::copy(s.path("eng.tickmark"), s.path("dropped.tickmark")).unwrap();
    let conn = Connection::open(s.path("dropped.tickmark")).unwrap();
    conn.execute("DELETE FROM branch_event", []).unwrap();
    drop(conn);
    let out = s.run(&["verify", "dropped.tickmark"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("not at the head its merge cites"));
}

#[test]
fn bad_hand_offs_and_returns_are_refused_in_one_line_leaving_the_engagement_as_it_was() {
    let s = team();
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let err =
        s.fails(&["handoff", "eng.tickmark", "--to", "Lee Chen", "--controls", "CC6.1-01", "--out", "lee.tickmark"]);
    assert!(err.contains("Lee Chen has no signing key pinned in this engagement"), "{err}");
    let err = s.fails(&["handoff", "eng.tickmark", "--to", SAM, "--controls", "CC9.9-99", "--out", "sam.tickmark"]);
    assert!(err.contains("CC9.9-99"), "{err}");
    assert_unchanged(&eng, &before);
    assert!(!s.path("lee.tickmark").exists() && !s.path("sam.tickmark").exists());

    s.ok(&["handoff", "eng.tickmark", "--to", SAM, "--controls", "CC8.1-01", "--out", "sam.tickmark"]);
    let before = bytes(&eng);
    let err = s.fails(&[
        "handoff",
        "eng.tickmark",
        "--to",
        RAVI,
        "--controls",
        "CC6.1-01,CC8.1-01",
        "--out",
        "ravi.tickmark",
    ]);
    assert!(err.contains("CC8.1-01 is already handed off to Sam Ortiz"), "{err}");
    let err = s.fails(&["handoff", "eng.tickmark", "--to", RAVI, "--controls", "CC6.1-01", "--out", "sam.tickmark"]);
    assert!(err.contains("a file already exists there"), "{err}");
    assert_unchanged(&eng, &before);
    by(&s, SAM, &["result", "sam.tickmark", "--control", "CC8.1-01", "--item", "1", "--attribute", "A", "--pass"]);
    let err =
        fails_by(&s, SAM, &["handoff", "sam.tickmark", "--to", RAVI, "--controls", "CC8.1-01", "--out", "x.tickmark"]);
    assert!(err.contains("hand controls off from the engagement itself"), "{err}");
    let err = fails_by(
        &s,
        SAM,
        &[
            "controls",
            "add",
            "sam.tickmark",
            "--id",
            "X1",
            "--description",
            "d",
            "--frequency",
            "annual",
            "--attributes",
            "A: a",
        ],
    );
    assert!(err.contains("not in this working copy") || err.contains("stay with Dana Whitfield"), "{err}");

    // A working copy edited behind Tickmark's back.
    std::fs::copy(s.path("sam.tickmark"), s.path("edited.tickmark")).unwrap();
    let conn = Connection::open(s.path("edited.tickmark")).unwrap();
    conn.execute("UPDATE result SET comment = 'looked fine'", []).unwrap();
    drop(conn);
    let err = s.fails(&["merge", "eng.tickmark", "edited.tickmark"]);
    assert!(err.contains("the working copy does not verify, so it is not merged"), "{err}");
    // A working copy from a newer Tickmark.
    std::fs::copy(s.path("sam.tickmark"), s.path("newer.tickmark")).unwrap();
    Connection::open(s.path("newer.tickmark")).unwrap().pragma_update(None, "user_version", 999).unwrap();
    let err = s.fails(&["merge", "eng.tickmark", "newer.tickmark"]);
    assert!(err.contains("written by a newer Tickmark"), "{err}");
    // The engagement itself, or a copy of it, is not a working copy.
    std::fs::copy(&eng, s.path("plain-copy.tickmark")).unwrap();
    let err = s.fails(&["merge", "eng.tickmark", "plain-copy.tickmark"]);
    assert!(err.contains("is not a working copy"), "{err}");
    // A working copy of another engagement.
    s.ok(&["new", "foreign.tickmark", "--client", "Globex LLC", "--period", "2026-01-01..2026-12-31"]);
    s.ok(&[
        "controls",
        "add",
        "foreign.tickmark",
        "--id",
        "G1",
        "--description",
        "d",
        "--frequency",
        "annual",
        "--attributes",
        "A: a",
    ]);
    s.ok(&["identity", "import", "foreign.tickmark", "sam.pub"]);
    s.ok(&["handoff", "foreign.tickmark", "--to", SAM, "--controls", "G1", "--out", "foreign-sam.tickmark"]);
    let err = s.fails(&["merge", "eng.tickmark", "foreign-sam.tickmark"]);
    assert!(err.contains("a working copy of another engagement (Globex LLC)"), "{err}");
    // A merge while the engagement is open in another Tickmark.
    {
        let _held = tickmark::Engagement::open(&eng).unwrap();
        let err = s.fails(&["merge", "eng.tickmark", "sam.tickmark"]);
        assert!(err.contains("engagement is open in another Tickmark"), "{err}");
    }
    assert_unchanged(&eng, &before);

    // A recalled copy can no longer come back; its controls can go out again.
    let err = s.fails(&["handoff", "recall", "eng.tickmark", "--copy", SAM, "--reason", " "]);
    assert!(err.contains("say why"), "{err}");
    s.ok(&["handoff", "recall", "eng.tickmark", "--copy", SAM, "--reason", "laptop lost at the airport"]);
    let err = s.fails(&["merge", "eng.tickmark", "sam.tickmark"]);
    assert!(err.contains("was recalled by Dana Whitfield") && err.contains("laptop lost"), "{err}");
    s.ok(&["handoff", "eng.tickmark", "--to", RAVI, "--controls", "CC8.1-01", "--out", "ravi.tickmark"]);
    s.ok(&["verify", "eng.tickmark"]);
}

/// A merge killed with SIGKILL at any moment leaves the engagement as it was (or, past its
/// commit, merged whole): never half-merged.
#[cfg(unix)]
#[test]
fn a_merge_killed_midway_leaves_the_engagement_exactly_as_it_was() {
    let s = team();
    s.ok(&["handoff", "eng.tickmark", "--to", SAM, "--controls", "CC2.2-01", "--out", "sam.tickmark"]);
    let mut csv = String::from("employee_id,name,completed_on\n");
    for i in 0..100_000 {
        csv += &format!("E{i:07},Employee {i},2026-{:02}-{:02}\n", i % 12 + 1, i % 28 + 1);
    }
    s.write("staff.csv", csv);
    by(
        &s,
        SAM,
        &[
            "import",
            "sam.tickmark",
            "staff.csv",
            "--control",
            "CC2.2-01",
            "--key",
            "employee_id",
            "--date",
            "completed_on",
        ],
    );
    let eng = s.path("eng.tickmark");
    let original = bytes(&eng);
    let events = |path: &Path| -> i64 {
        Connection::open(path).unwrap().query_row("SELECT COUNT(*) FROM event", [], |r| r.get(0)).unwrap()
    };
    let original_events = events(&eng);

    // How long an uninterrupted merge takes here, on a copy.
    std::fs::copy(&eng, s.path("timing.tickmark")).unwrap();
    let start = Instant::now();
    s.ok(&["merge", "timing.tickmark", "sam.tickmark"]);
    let whole = start.elapsed();

    let wal = std::path::PathBuf::from(format!("{}-wal", eng.display()));
    let wal_len = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    // Kills as soon as the write-ahead log has grown past a threshold land inside the
    // transaction's writing, however short it is next to the process's start; then kills at
    // tenths of the merge's time land anywhere (reading the copy, checking it, writing).
    let tenths = (1..=9u32).map(|tenth| Kill::After(whole * tenth / 10));
    let thresholds = [16u64 << 10, 64 << 10, 256 << 10].map(Kill::WalPast);
    let mut killed_inside = 0;
    for kill in thresholds.into_iter().chain(tenths) {
        let mut child = s.command(&["merge", "eng.tickmark", "sam.tickmark"]).spawn().unwrap();
        match kill {
            Kill::After(t) => std::thread::sleep(t),
            Kill::WalPast(bytes) => {
                while wal_len() < bytes && child.try_wait().unwrap().is_none() {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
            }
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let main_file = bytes(&eng);
        let wal_at_kill = wal_len();
        // Opening recovers whatever the kill left; the engagement must then verify.
        s.ok(&["verify", "eng.tickmark"]);
        if events(&eng) == original_events {
            assert!(main_file == original, "a merge killed ({kill:?}) changed the engagement file");
            assert!(!status.success());
            killed_inside += usize::from(wal_at_kill > 0);
        } else {
            // The kill came after the commit: the merge is there whole, and once.
            let again = s.ok(&["merge", "eng.tickmark", "sam.tickmark"]);
            assert!(again.contains("already merged"), "{again}");
            break;
        }
    }
    assert!(killed_inside > 0, "no kill landed inside the merge's transaction (whole merge took {whole:?})");
}

/// When the merge test kills the merge.
#[derive(Debug, Clone, Copy)]
enum Kill {
    After(std::time::Duration),
    WalPast(u64),
}

/// A sign-off made in the engagement after the hand-off does not cover what the colleague did
/// meanwhile: the merge clears it, saying why; a sign-off the copy cleared stays cleared.
#[test]
fn sign_offs_that_did_not_see_the_other_sides_work_are_cleared_by_the_merge() {
    let s = team();
    s.ok(&["handoff", "eng.tickmark", "--to", RAVI, "--controls", "CC6.1-01", "--out", "ravi.tickmark"]);
    s.write("ticket.pdf", b"ticket");
    // In the copy, Ravi's evidence clears Dana's preparer sign-off made before the hand-off.
    by(&s, RAVI, &["evidence", "add", "ravi.tickmark", "--control", "CC6.1-01", "--item", "1", "--file", "ticket.pdf"]);
    // In the engagement, Marcus reviews CC6.1-01 as it stood: his sign-off never saw Ravi's evidence.
    by(&s, "Marcus Lee", &["signoff", "eng.tickmark", "--control", "CC6.1-01", "--as", "reviewer"]);
    s.ok(&["merge", "eng.tickmark", "ravi.tickmark"]);
    s.ok(&["verify", "eng.tickmark"]);
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    let signoffs: Vec<(String, String, Option<String>)> = conn
        .prepare(
            "SELECT s.role, s.signer, s.cleared_reason FROM signoff s JOIN control c ON c.id = s.control_id
             WHERE c.code = 'CC6.1-01' ORDER BY s.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(signoffs.len(), 2, "{signoffs:?}");
    assert_eq!((signoffs[0].0.as_str(), signoffs[0].1.as_str()), ("preparer", "Dana Whitfield"));
    assert_eq!(signoffs[0].2.as_deref(), Some("evidence was added"));
    assert_eq!((signoffs[1].0.as_str(), signoffs[1].1.as_str()), ("reviewer", "Marcus Lee"));
    assert_eq!(signoffs[1].2.as_deref(), Some("Ravi Patel's returned work changed this control after the sign-off"));
}
