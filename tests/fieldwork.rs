//! Fieldwork records through the real binary: results, exceptions, evidence, interviews,
//! conclusion, sign-offs, review notes, the tamper-evident trail and durability under SIGKILL.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Sandbox, assert_unchanged, bytes};
use serde_json::Value;

/// An engagement whose control C1 (attributes A and B) has an accepted population of `n`
/// tickets and a random sample of `size` drawn with seed 12345, planned statistically (95%,
/// tolerable 5%).
fn sampled(n: usize, size: usize) -> Sandbox {
    sampled_as(n, size, &["--tolerable-rate", "0.05"])
}

/// The same with a size the auditor judged (non-statistical: no upper limit to reach).
fn judged(n: usize, size: usize) -> Sandbox {
    sampled_as(n, size, &["--judgemental", "small population, walkthrough done"])
}

fn sampled_as(n: usize, size: usize, approach: &[&str]) -> Sandbox {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = String::from("Key,Created\n");
    for i in 1..=n {
        csv += &format!("K{i:05},2026-03-01\n");
    }
    let p = s.write("tickets.csv", csv);
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key", "--date", "Created"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", &size.to_string(), "--seed", "12345"]
        .iter()
        .chain(approach)
        .copied()
        .collect::<Vec<_>>());
    s
}

fn pass_all(s: &Sandbox, items: std::ops::RangeInclusive<u64>) {
    for i in items {
        for a in ["A", "B"] {
            s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", &i.to_string(), "--attribute", a, "--pass"]);
        }
    }
}

fn actions(s: &Sandbox) -> Vec<String> {
    s.json(&["trail", "eng.tickmark"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn results_are_recorded_per_item_and_attribute_with_tester_and_time() {
    let s = sampled(100, 5);
    let r = s.json(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--pass"]);
    assert_eq!(r["outcome"], "pass");
    assert_eq!(r["tested_by"], "Dana Whitfield");
    assert_eq!(r["tested_at"], common::NOW);
    let r = s.json(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "1",
        "--attribute",
        "b",
        "--na",
        "no deployment: change cancelled",
    ]);
    assert_eq!(r["attribute"], "B");
    assert_eq!(r["outcome"], "na");
    // Re-recording replaces the result and is one more event.
    let r = s.json(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "1",
        "--attribute",
        "A",
        "--exception",
        "approved after deployment",
    ]);
    assert_eq!(r["outcome"], "exception");
    assert_eq!(actions(&s).iter().filter(|a| *a == "result.recorded").count(), 3);
}

#[test]
fn a_result_for_a_missing_item_or_attribute_or_without_its_text_is_refused_unchanged() {
    let s = sampled(100, 5);
    let before = bytes(&s.path("eng.tickmark"));
    let cases: [(&[&str], &str); 4] = [
        (&["--item", "6", "--attribute", "A", "--pass"], "the sample of C1 has no item 6; its items are 1 to 5"),
        (&["--item", "1", "--attribute", "Z", "--pass"], "control C1 has no attribute \"Z\"; its attributes are A, B"),
        (&["--item", "1", "--attribute", "A", "--exception", " "], "an exception needs a description"),
        (&["--item", "1", "--attribute", "A", "--na", ""], "not applicable needs the reason"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["result", "eng.tickmark", "--control", "C1"];
        args.extend_from_slice(extra);
        let err = s.fails(&args);
        assert!(err.contains(expected), "{err}");
    }
    assert_unchanged(&s.path("eng.tickmark"), &before);
    let s = Sandbox::new();
    s.engagement();
    let err = s.fails(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--pass"]);
    assert!(err.contains("control C1 has no sample yet"), "{err}");
}

#[test]
fn deviations_count_items_with_an_exception_and_the_extension_updates_the_evaluation() {
    let s = sampled(1000, 10);
    pass_all(&s, 1..=10);
    // Two exceptions on one item are one deviation.
    s.ok(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "3",
        "--attribute",
        "A",
        "--exception",
        "no approval",
    ]);
    s.ok(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "3",
        "--attribute",
        "B",
        "--exception",
        "no test evidence",
    ]);
    let wp = s.json(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert_eq!(wp["proposed"], "not-effective", "1 of 10 at 95%: upper limit 39.4% exceeds 5%");
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "15"]);
    let err = s.fails(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert!(err.contains("5 of 15 items of C1 are not fully tested"), "{err}");
    pass_all(&s, 11..=15);
    let ev = s.json(&[
        "evaluate",
        "--sample-size",
        "15",
        "--deviations",
        "1",
        "--confidence",
        "0.95",
        "--tolerable-rate",
        "0.05",
    ]);
    let c = s.json(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert_eq!(c["proposed"], if ev["exceeds_tolerable"] == true { "not-effective" } else { "exceptions-noted" });
}

#[test]
fn exception_details_need_an_exception_result_first() {
    let s = sampled(100, 5);
    let err = s.fails(&["exception", "eng.tickmark", "--control", "C1", "--item", "2", "--narrative", "late"]);
    assert!(err.contains("item 2 of C1 has no exception recorded"), "{err}");
    s.ok(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "2",
        "--attribute",
        "A",
        "--exception",
        "approved late",
    ]);
    let e = s.json(&[
        "exception",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "2",
        "--narrative",
        "Approval given 3 days after deployment",
        "--cause",
        "Approver on leave",
        "--isolated",
        "yes",
        "--response",
        "Delegate approver added",
    ]);
    assert_eq!(e["isolated"], true);
    assert_eq!(e["key"].as_str().unwrap().len(), 6);
    assert_eq!(e["management_response"], "Delegate approver added");
}

#[test]
fn evidence_is_stored_once_per_content_listed_with_its_hash_and_exported_byte_identical() {
    use sha2::Digest;
    let s = sampled(100, 5);
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let f = s.write("approval.png", &content);
    let g = s.write("same-bytes.png", &content);
    let e1 =
        s.json(&["evidence", "add", "eng.tickmark", "--control", "C1", "--item", "1", "--file", f.to_str().unwrap()]);
    s.ok(&["evidence", "add", "eng.tickmark", "--control", "C1", "--item", "2", "--file", g.to_str().unwrap()]);
    s.ok(&["evidence", "add", "eng.tickmark", "--control", "C1", "--reference", "PBC-031 change log screenshot"]);
    let expected: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(e1["sha256"], expected);
    assert_eq!(e1["size"], 70_000);
    assert_eq!(e1["added_by"], "Dana Whitfield");
    let list = s.json(&["evidence", "list", "eng.tickmark", "--control", "C1"]);
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[2]["kind"], "reference");
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let blobs: i64 = conn.query_row("SELECT COUNT(*) FROM evidence_blob", [], |r| r.get(0)).unwrap();
    assert_eq!(blobs, 1, "the same content is stored once");
    drop(conn);
    let out = s.path("back.png");
    s.ok(&["evidence", "export", "eng.tickmark", "--id", "1", "--out", out.to_str().unwrap()]);
    assert_eq!(bytes(&out), content);
    let err = s.fails(&["evidence", "export", "eng.tickmark", "--id", "1", "--out", out.to_str().unwrap()]);
    assert!(err.contains("a file already exists there"), "{err}");
    let err = s.fails(&["evidence", "export", "eng.tickmark", "--id", "3", "--out", "ref.txt"]);
    assert!(err.contains("evidence 3 is a reference, not a stored file"), "{err}");
}

#[test]
fn evidence_that_is_a_folder_missing_or_over_the_limit_is_refused_with_nothing_written() {
    let s = sampled(100, 5);
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    std::fs::create_dir(s.path("screenshots")).unwrap();
    let err = s.fails(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", "screenshots"]);
    assert!(err.contains("screenshots: is a folder"), "{err}");
    let err = s.fails(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", "gone.pdf"]);
    assert!(err.contains("gone.pdf"), "{err}");
    // A 2 GB file (sparse: no disk used) is refused from its size, before reading.
    let big = std::fs::File::create(s.path("export.zip")).unwrap();
    big.set_len(2 << 30).unwrap();
    let err = s.fails(&["evidence", "add", "eng.tickmark", "--control", "C1", "--file", "export.zip"]);
    assert!(err.contains("2147483648 bytes is above the 256 MiB limit"), "{err}");
    assert_unchanged(&eng, &before);
}

#[test]
fn interviews_are_added_edited_and_listed_with_their_controls() {
    let s = sampled(100, 5);
    let i = s.json(&[
        "interview",
        "add",
        "eng.tickmark",
        "--date",
        "2026-10-14",
        "--interviewee",
        "Priya Raman",
        "--role",
        "Director of Engineering",
        "--attendees",
        "Dana Whitfield; Marcus Oyelaran",
        "--topics",
        "change approval",
        "--notes",
        "Emergency changes are approved after the fact by the on-call lead.",
        "--controls",
        "C1",
    ]);
    assert_eq!(i["attendees"], serde_json::json!(["Dana Whitfield", "Marcus Oyelaran"]));
    let id = i["id"].as_i64().unwrap().to_string();
    s.ok(&[
        "interview",
        "edit",
        "eng.tickmark",
        "--id",
        &id,
        "--date",
        "2026-10-15",
        "--interviewee",
        "Priya Raman",
        "--notes",
        "Corrected date.",
        "--controls",
        "C1",
    ]);
    let list = s.json(&["interview", "list", "eng.tickmark"]);
    assert_eq!(list[0]["held_on"], "2026-10-15");
    assert_eq!(list[0]["notes"], "Corrected date.");
    let acts = actions(&s);
    assert_eq!(
        acts.iter().filter(|a| a.starts_with("interview.")).collect::<Vec<_>>(),
        ["interview.added", "interview.edited"]
    );
    let err = s.fails(&[
        "interview",
        "edit",
        "eng.tickmark",
        "--id",
        "99",
        "--date",
        "2026-10-15",
        "--interviewee",
        "X",
        "--notes",
        "n",
    ]);
    assert!(err.contains("no interview 99"), "{err}");
    let err = s.fails(&[
        "interview",
        "add",
        "eng.tickmark",
        "--date",
        "2026-10-14",
        "--interviewee",
        "X",
        "--notes",
        "n",
        "--controls",
        "C9",
    ]);
    assert!(err.contains("no control \"C9\""), "{err}");
    let err =
        s.fails(&["interview", "add", "eng.tickmark", "--date", "14/10/2026", "--interviewee", "X", "--notes", "n"]);
    assert!(err.contains("write the date as YYYY-MM-DD"), "{err}");
}

#[test]
fn the_conclusion_is_proposed_from_the_evaluation_and_an_override_needs_a_reason() {
    let s = judged(100, 5);
    pass_all(&s, 1..=5);
    let c = s.json(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert_eq!(c["proposed"], "no-exceptions-noted");
    assert_eq!(c["concluded"], "no-exceptions-noted");
    let err = s.fails(&["conclude", "eng.tickmark", "--control", "C1", "--as", "not-effective"]);
    assert!(err.contains("concluding \"Control not operating effectively\" instead needs the reason"), "{err}");
    let c = s.json(&[
        "conclude",
        "eng.tickmark",
        "--control",
        "C1",
        "--as",
        "not-effective",
        "--reason",
        "Inquiry showed the approver role was shared",
    ]);
    assert_eq!(c["concluded"], "not-effective");
    assert_eq!(c["override_reason"], "Inquiry showed the approver role was shared");
}

#[test]
fn sign_offs_need_two_people_in_order_and_a_later_change_clears_them_on_the_trail() {
    let s = judged(100, 3);
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "preparer"]);
    assert!(err.contains("C1 has no design conclusion yet"), "{err}");
    s.ok(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--narrative",
        "Traced a change",
        "--traced",
        "CHG-1",
        "--design",
        "effective",
    ]);
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "preparer"]);
    assert!(err.contains("C1 has no conclusion yet"), "{err}");
    pass_all(&s, 1..=3);
    s.ok(&["conclude", "eng.tickmark", "--control", "C1"]);
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "reviewer", "--by", "Marcus Oyelaran"]);
    assert!(err.contains("no preparer sign-off"), "{err}");
    s.ok(&["signoff", "eng.tickmark", "--control", "C1", "--as", "preparer", "--by", "Dana Whitfield"]);
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "reviewer", "--by", "dana whitfield"]);
    assert!(err.contains("Dana Whitfield signed C1 off as preparer; the reviewer must be someone else"), "{err}");
    let note = s.json(&[
        "note",
        "add",
        "eng.tickmark",
        "--control",
        "C1",
        "--text",
        "Attach the approval screenshot for item 2",
        "--by",
        "Marcus Oyelaran",
    ]);
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "reviewer", "--by", "Marcus Oyelaran"]);
    assert!(err.contains("1 review note(s) not cleared"), "{err}");
    let id = note["id"].as_i64().unwrap().to_string();
    assert_eq!(
        s.json(&["note", "answer", "eng.tickmark", "--id", &id, "--text", "Attached as evidence 1"])["status"],
        "answered"
    );
    assert_eq!(s.json(&["note", "clear", "eng.tickmark", "--id", &id, "--by", "Marcus Oyelaran"])["status"], "cleared");
    s.ok(&["signoff", "eng.tickmark", "--control", "C1", "--as", "reviewer", "--by", "Marcus Oyelaran"]);
    // A result changed after sign-off clears both sign-offs, and the trail says why.
    s.ok(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "2",
        "--attribute",
        "A",
        "--exception",
        "approval missing after all",
    ]);
    let trail = s.json(&["trail", "eng.tickmark"]);
    let cleared: Vec<&Value> = trail.as_array().unwrap().iter().filter(|e| e["action"] == "signoff.cleared").collect();
    assert_eq!(cleared.len(), 2);
    assert_eq!(cleared[0]["payload"]["reason"], "the result of item 2 attribute A changed");
    let err = s.fails(&["signoff", "eng.tickmark", "--control", "C1", "--as", "reviewer", "--by", "Marcus Oyelaran"]);
    assert!(err.contains("no preparer sign-off"), "{err}");
}

#[test]
fn verify_finds_a_result_changed_deleted_or_added_behind_tickmarks_back() {
    let s = sampled(100, 3);
    pass_all(&s, 1..=3);
    s.ok(&["verify", "eng.tickmark"]);
    let eng = s.path("eng.tickmark");
    let sql = |q: &str| rusqlite::Connection::open(&eng).unwrap().execute_batch(q).unwrap();
    let result_event = |s: &Sandbox| {
        let trail = s.json(&["trail", "eng.tickmark"]);
        trail.as_array().unwrap().iter().filter(|e| e["action"] == "result.recorded").nth(1).unwrap()["seq"]
            .as_i64()
            .unwrap()
    };
    let second = result_event(&s);
    sql("UPDATE result SET outcome = 'exception' WHERE id = 2");
    let out = s.run(&["verify", "eng.tickmark", "--format", "json"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"][0]["table"], "result");
    assert_eq!(v["rows"][0]["event"], second, "the last event that wrote the row is named");
    assert!(v["rows"][0]["problem"].as_str().unwrap().contains("column outcome differs"));
    sql("UPDATE result SET outcome = 'pass' WHERE id = 2");
    s.ok(&["verify", "eng.tickmark"]);
    sql("DELETE FROM result WHERE id = 3");
    let err = s.fails(&["verify", "eng.tickmark"]);
    assert!(err.contains("1 row(s) altered outside Tickmark, first result 3"), "{err}");
    sql(
        "INSERT INTO result (id, sample_id, ordinal, attribute_id, outcome, comment, tested_by, tested_at) VALUES (3, 1, 2, 1, 'pass', '', 'Dana Whitfield', '2026-11-23T10:00:00Z')",
    );
    s.ok(&["verify", "eng.tickmark"]);
    sql(
        "INSERT INTO result (sample_id, ordinal, attribute_id, outcome, tested_by, tested_at) VALUES (1, 3, 1, 'na', 'Mallory', 'x') ON CONFLICT DO NOTHING; INSERT INTO exception (sample_id, ordinal, narrative, recorded_by, recorded_at) VALUES (1, 1, 'forged', 'Mallory', 'x')",
    );
    let out = s.run(&["verify", "eng.tickmark", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["table"] == "exception" && r["problem"].as_str().unwrap().contains("no event wrote it"))
    );
    sql(&format!("DELETE FROM exception; DELETE FROM event WHERE seq = {second}"));
    let err = s.fails(&["verify", "eng.tickmark"]);
    assert!(err.contains(&format!("audit trail broken at event {second}")), "{err}");
}

#[test]
fn a_file_from_schema_1_is_covered_from_its_upgrade_on() {
    let s = Sandbox::new();
    let path = s.path("old.tickmark");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/engagement-v1.tickmark"), &path)
        .unwrap();
    let v = s.json(&["verify", "old.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    let trail = s.json(&["trail", "old.tickmark"]);
    assert_eq!(trail.as_array().unwrap().last().unwrap()["action"], "schema.upgraded");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE control SET description = 'rewritten' WHERE code = 'C1'", []).unwrap();
    drop(conn);
    let err = s.fails(&["verify", "old.tickmark"]);
    assert!(err.contains("first control 1"), "{err}");
}

#[test]
fn results_reported_saved_survive_a_sigkill_and_none_is_half_written() {
    let s = sampled(5000, 1500);
    let mut batch = String::from("item,attribute,outcome,comment\n");
    for i in 1..=1500 {
        for a in ["A", "B"] {
            batch += &format!("{i},{a},pass,\n");
        }
    }
    let batch_path = s.write("results.csv", batch);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["result", "eng.tickmark", "--control", "C1", "--batch", batch_path.to_str().unwrap()])
        .current_dir(s.dir.path())
        .env("TICKMARK_USER", "Dana Whitfield")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut saved: Vec<(u64, String)> = Vec::new();
    while saved.len() < 150 {
        let line = lines.next().expect("the batch ends before 150 results").unwrap();
        let parts: Vec<&str> = line.split_whitespace().collect();
        saved.push((parts[2].parse().unwrap(), parts[4].to_string()));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no checkpoint
    child.wait().unwrap();
    // Lines already in the pipe were printed after their commit: they count as saved too.
    for line in lines.map_while(Result::ok) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        saved.push((parts[2].parse().unwrap(), parts[4].to_string()));
    }
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let stored: i64 = conn.query_row("SELECT COUNT(*) FROM result", [], |r| r.get(0)).unwrap();
    assert!(stored as usize >= saved.len(), "{stored} stored, {} reported saved", saved.len());
    assert!((stored as usize) < 3000, "the kill landed mid-batch");
    for (item, attribute) in &saved {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM result r JOIN attribute a ON a.id = r.attribute_id WHERE r.ordinal = ?1 AND a.label = ?2",
                rusqlite::params![*item as i64, attribute],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "item {item} attribute {attribute} was reported saved");
    }
    drop(conn);
    // Every stored result has its event and the chain holds: nothing half-written.
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
}
