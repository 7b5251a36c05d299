//! Scoping the frame, voiding and replacing items, and evaluating a sample the way it was
//! planned, through the real binary: figures checked against the spec's vectors and against
//! limits computed by hand.

mod common;

use common::{Sandbox, assert_unchanged, bytes, items_back_to_schema_11};
use serde_json::Value;

const RANDOM_1000_10: [u64; 10] = [227, 56, 663, 54, 850, 814, 25, 394, 792, 662];

/// 1,000 in-scope tickets K0001..K1000 with 7 rows to scope out mixed in: one dated 2025, one
/// with a blank key, a second copy of K0005, two cancelled, and two the auditor names by line.
/// Returns the file and, for each frame position 1..1000, its key.
fn scoped_file(s: &Sandbox) -> (String, Vec<String>) {
    let mut csv = String::from("Key,Created,Status\n");
    let mut keys = Vec::new();
    for i in 1..=1000 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i * 364 / 1000) as u64);
        csv += &format!("K{i:04},{day},Done\n");
        keys.push(format!("K{i:04}"));
        match i {
            // K0001 is on line 2, so the row after K00ij0 is on line ij0 + 2 + (rows added before).
            10 => csv += "K9001,2025-12-31,Done\n", // line 12: outside the period
            20 => csv += ",2026-01-09,Done\n",      // line 23: blank key
            30 => csv += "K0005,2026-01-12,Done\n", // line 34: duplicate of K0005
            40 => csv += "K9002,2026-01-15,Cancelled\n", // line 45
            50 => csv += "K9003,2026-01-18,Rejected\n", // line 56
            60 => csv += "K9004,2026-01-21,Done\n", // line 67: named by line
            61 => csv += "K9005,2026-01-21,Done\n", // line 69: named by line
            _ => {}
        }
    }
    (s.write("changes.csv", csv).to_string_lossy().into_owned(), keys)
}

fn imported(s: &Sandbox, src: &str) {
    s.engagement();
    s.ok(&["import", "eng.tickmark", "--control", "C1", src, "--key", "Key", "--date", "Created"]);
}

const RULES: [(&str, &str); 5] = [
    ("lines:67,69", "test tickets created by the client's QA team (walkthrough, W-3)"),
    ("column:Status=Cancelled|Rejected", "cancelled before deployment: no change reached production"),
    ("duplicate-key", "the export repeats a ticket when it is re-opened"),
    ("blank-key", "a blank row of the ticketing export"),
    ("outside-period", "created before the review period"),
];

fn exclude_all(s: &Sandbox) {
    for (rule, reason) in RULES {
        s.ok(&["population", "exclude", "eng.tickmark", "--control", "C1", "--rule", rule, "--reason", reason]);
    }
}

/// `select` on the scoped file with every rule of [`RULES`], seed 12345, and `extra` arguments.
fn select_scoped(s: &Sandbox, src: &str, size: &str, extra: &[&str]) -> Value {
    let mut args = vec!["select", src, "--size", size, "--seed", "12345", "--key", "Key", "--date", "Created"];
    args.extend(["--period", "2026-01-01..2026-12-31"]);
    for (rule, _) in RULES {
        args.extend(["--exclude", rule]);
    }
    args.extend_from_slice(extra);
    s.json(&args)
}

#[test]
fn exclusions_scope_the_frame_and_the_sample_is_the_spec_vector_over_it() {
    let s = Sandbox::new();
    let (src, keys) = scoped_file(&s);
    imported(&s, &src);
    exclude_all(&s);
    let p = s.json(&["population", "show", "eng.tickmark", "--control", "C1"]);
    assert_eq!(p["item_count"], 1007);
    assert_eq!(p["frame_size"], 1000);
    // In the order recorded; each removed what it would applied in the spec's order.
    let effects: Vec<(String, u64, Vec<u64>)> = p["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["rows_removed"].as_u64().unwrap(),
                e["lines"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(
        effects,
        vec![
            ("lines:67,69".to_string(), 2, vec![67, 69]),
            ("column:Status=Cancelled|Rejected".to_string(), 2, vec![45, 56]),
            ("duplicate-key".to_string(), 1, vec![34]),
            ("blank-key".to_string(), 1, vec![23]),
            ("outside-period".to_string(), 1, vec![12]),
        ]
    );
    assert_eq!(p["exclusions"][1]["reason"], RULES[1].1);
    assert_eq!(p["exclusions"][1]["excluded_by"], "Dana Whitfield");
    let text = s.ok(&["population", "show", "eng.tickmark", "--control", "C1"]);
    assert!(text.contains("Rows accepted 1007, excluded 7, items in the frame 1000"), "{text}");

    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "10",
        "--seed",
        "12345",
        "--judgemental",
        "spec vector",
    ]);
    assert_eq!(v["population_size"], 1000);
    let got: Vec<String> =
        v["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_string()).collect();
    let want: Vec<String> = RANDOM_1000_10.iter().map(|&p| keys[(p - 1) as usize].clone()).collect();
    assert_eq!(got, want, "positions 227 56 663 … of the scoped frame");
    assert_eq!(v["filters"]["exclusions"].as_array().unwrap().len(), 5, "the rules are recorded with the sample");
    s.ok(&["verify", "eng.tickmark"]);

    // A reviewer with the client's file and the rules gets the same items.
    let sel = select_scoped(&s, &src, "10", &[]);
    assert_eq!(sel["population"]["items"], 1000);
    let sel_keys: Vec<&str> = sel["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(sel_keys, want.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn bad_exclusions_are_refused_in_one_line_and_leave_the_file_unchanged() {
    let s = Sandbox::new();
    let (src, _) = scoped_file(&s);
    imported(&s, &src);
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let cases: [(&[&str], &str); 6] = [
        (&["--rule", "column:State=Closed", "--reason", "r"], "no column \"State\""),
        (&["--rule", "lines:5000", "--reason", "r"], "line 5000 is not a row of the population"),
        (&["--rule", "lines:1", "--reason", "r"], "line 1 is not a row"),
        (&["--rule", "cancelled", "--reason", "r"], "unknown exclusion rule"),
        (&["--rule", "blank-key", "--reason", "  "], "needs the reason"),
        (&["--rule", "column:Status=Archived", "--reason", "r"], "removes no row"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["population", "exclude", "eng.tickmark", "--control", "C1"];
        all.extend_from_slice(args);
        let err = s.fails(&all);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_unchanged(&eng, &before);
    }
    // Once a sample is drawn, the frame is fixed unless the sample is set aside with a reason.
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "a", "--judgemental", "r"]);
    let before = bytes(&eng);
    let err =
        s.fails(&["population", "exclude", "eng.tickmark", "--control", "C1", "--rule", "blank-key", "--reason", "r"]);
    assert!(err.contains("already has a sample (draw 1)") && err.contains("--replace-sample"), "{err}");
    assert_unchanged(&eng, &before);
    s.ok(&[
        "population",
        "exclude",
        "eng.tickmark",
        "--control",
        "C1",
        "--rule",
        "blank-key",
        "--reason",
        "blank rows",
        "--replace-sample",
        "frame scoped after the walkthrough",
    ]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--show"]);
    assert!(err.contains("no sample yet"), "{err}");
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "b", "--judgemental", "r"]);
    assert_eq!(v["draws"], 2, "the set-aside draw is counted");
    assert_eq!(v["population_size"], 1006);
    s.ok(&["verify", "eng.tickmark"]);
}

#[test]
fn a_voided_item_stays_listed_and_the_next_item_of_the_stream_replaces_it() {
    let s = Sandbox::new();
    let (src, keys) = scoped_file(&s);
    imported(&s, &src);
    exclude_all(&s);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "10", "--seed", "12345", "--judgemental", "r"]);
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    for (args, expected) in [
        (vec!["--void", "11", "--reason", "r"], "has no item 11"),
        (vec!["--void", "3", "--reason", " "], "needs the reason"),
    ] {
        let mut all = vec!["sample", "eng.tickmark", "--control", "C1"];
        all.extend(args);
        let err = s.fails(&all);
        assert!(err.contains(expected), "{err}");
        assert_unchanged(&eng, &before);
    }
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--void", "3"]);
    assert!(err.contains("voiding item 3 of C1 needs the reason it cannot be tested"), "{err}");
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--void",
        "3",
        "--reason",
        "change cancelled before deployment",
    ]);
    assert_eq!(v["size"], 11);
    assert_eq!(v["items"][2]["void"]["reason"], "change cancelled before deployment");
    assert_eq!(v["items"][2]["void"]["replacement"], 11);
    assert_eq!(v["items"][10]["replaces"], 3);
    // The replacement is the 11th item of the same stream: what a selection of 11 gives.
    let eleven = select_scoped(&s, &src, "11", &[]);
    let eleventh = eleven["items"][10]["position"].as_u64().unwrap();
    assert_eq!(v["items"][10]["position"], eleventh);
    assert_eq!(v["items"][10]["key"], keys[(eleventh - 1) as usize]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--void", "3", "--reason", "again"]);
    assert!(err.contains("already void"), "{err}");
    let err = s.fails(&["result", "eng.tickmark", "--control", "C1", "--item", "3", "--attribute", "A", "--pass"]);
    assert!(err.contains("was voided") && err.contains("item 11"), "{err}");
    s.ok(&["verify", "eng.tickmark"]);
    // select replays the void from the file alone.
    let sel = select_scoped(&s, &src, "10", &["--void", "3"]);
    assert_eq!(sel["items"][10]["position"], eleventh);
    assert_eq!(sel["items"][10]["replaces"], 3);
    assert_eq!(sel["items"][2]["void"], true);

    // Edited behind Tickmark's back: the void, then an exclusion.
    let conn = rusqlite::Connection::open(&eng).unwrap();
    conn.execute("UPDATE sample_void SET reason = 'duplicate' WHERE ordinal = 3", []).unwrap();
    drop(conn);
    let err = s.fails(&["verify", "eng.tickmark"]);
    assert!(err.contains("sample_void"), "{err}");
    let conn = rusqlite::Connection::open(&eng).unwrap();
    conn.execute("UPDATE sample_void SET reason = 'change cancelled before deployment' WHERE ordinal = 3", []).unwrap();
    conn.execute("UPDATE exclusion SET reason = 'no reason' WHERE rule = 'duplicate-key'", []).unwrap();
    drop(conn);
    let err = s.fails(&["verify", "eng.tickmark"]);
    assert!(err.contains("exclusion"), "{err}");
}

#[test]
fn a_recorded_sample_re_performs_from_a_copy_of_the_client_file_and_a_changed_copy_is_named() {
    let s = Sandbox::new();
    let (src, keys) = scoped_file(&s);
    imported(&s, &src);
    exclude_all(&s);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "10", "--seed", "12345", "--judgemental", "r"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--void", "3", "--reason", "cancelled"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "13"]);
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let check = s.json(&["reperform", "eng.tickmark", "--control", "C1", &src]);
    assert_eq!(check["matches"], true, "{check}");
    assert_eq!(check["same_file"], true);
    assert_eq!((check["frame_size"].as_u64(), check["items_checked"].as_u64()), (Some(1000), Some(13)));
    // The spec's vector over the 1,000-item frame: item 1 is position 227 (K0227).
    assert_eq!(keys[RANDOM_1000_10[0] as usize - 1], "K0227");

    // The client sends the file again with item 1's ticket renamed: the item is named.
    let csv = std::fs::read_to_string(&src).unwrap().replace("K0227,", "K0227X,");
    let changed = s.write("changes-again.csv", csv).to_string_lossy().into_owned();
    let err = s.fails(&["reperform", "eng.tickmark", "--control", "C1", &changed]);
    assert!(err.contains("does not re-perform") && err.contains("1 difference"), "{err}");
    let out = s.run(&["reperform", "eng.tickmark", "--control", "C1", &changed, "--format", "json"]);
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check["same_file"], false);
    assert_eq!(check["differences"][0], "item 1: recorded key \"K0227\"; the file has \"K0227X\" at line 235");
    assert_unchanged(&eng, &before);
}

#[test]
fn a_systematic_item_cannot_be_replaced_and_an_exception_is_not_voided() {
    let s = Sandbox::new();
    let (src, _) = scoped_file(&s);
    imported(&s, &src);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "10",
        "--seed",
        "s",
        "--method",
        "systematic",
        "--judgemental",
        "r",
    ]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--void", "2", "--reason", "duplicate"]);
    assert!(err.contains("systematic sample has no replacement rule") && err.contains("--replace"), "{err}");
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "10",
        "--seed",
        "r",
        "--judgemental",
        "r",
        "--replace",
        "void needed",
    ]);
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
        "no approval",
    ]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--void", "2", "--reason", "inconvenient"]);
    assert!(err.contains("has an exception recorded"), "{err}");
}

#[test]
fn a_stratified_void_is_replaced_within_its_stratum() {
    let s = Sandbox::new();
    let mut csv = String::from("Key,Created\n");
    let mut i = 0;
    for (month, count) in [(2, 300), (5, 250), (8, 410), (11, 40)] {
        for _ in 0..count {
            i += 1;
            csv += &format!("K{i:04},2026-{month:02}-15\n");
        }
    }
    let src = s.write("quarterly.csv", csv).to_string_lossy().into_owned();
    imported(&s, &src);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "10",
        "--seed",
        "12345",
        "--method",
        "stratified",
        "--strata",
        "quarter",
        "--judgemental",
        "spec vector",
    ]);
    // The spec's vector: Q1 181 110 87 · Q2 3 40 53 · Q3 403 194 333 · Q4 4; ordinal 10 is Q4's.
    assert_eq!(v["items"][9]["position"], 300 + 250 + 410 + 4);
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--void", "10", "--reason", "duplicate ticket"]);
    assert_eq!(v["items"][10]["stratum"], "2026-Q4");
    let position = v["items"][10]["position"].as_u64().unwrap();
    assert!((961..=1000).contains(&position), "replaced within Q4: {position}");
    assert_ne!(position, 964);
    s.ok(&["verify", "eng.tickmark"]);
    // select replays it from the file.
    let sel = s.json(&[
        "select",
        &src,
        "--size",
        "10",
        "--seed",
        "12345",
        "--method",
        "stratified",
        "--strata",
        "quarter",
        "--key",
        "Key",
        "--date",
        "Created",
        "--period",
        "2026-01-01..2026-12-31",
        "--void",
        "10",
    ]);
    assert_eq!(sel["items"][10]["position"], position);
    assert_eq!(sel["items"][10]["stratum"], "2026-Q4");
}

fn tickets(s: &Sandbox, n: usize) -> String {
    let mut csv = String::from("Key,Created,Summary\n");
    for i in 1..=n {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i * 364 / n) as u64);
        csv += &format!("K{i:04},{day},Change {i}\n");
    }
    s.write("tickets.csv", csv).to_string_lossy().into_owned()
}

fn accepted(s: &Sandbox, n: usize) {
    let src = tickets(s, n);
    imported(s, &src);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
}

fn record_all(s: &Sandbox, items: std::ops::RangeInclusive<u64>, outcome: &[&str]) {
    for i in items {
        let item = i.to_string();
        for a in ["A", "B"] {
            let mut args = vec!["result", "eng.tickmark", "--control", "C1", "--item", &item, "--attribute", a];
            args.extend_from_slice(outcome);
            s.ok(&args);
        }
    }
}

#[test]
fn an_item_with_every_attribute_na_is_not_tested_and_blocks_the_conclusion() {
    let s = Sandbox::new();
    accepted(&s, 100);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "x", "--judgemental", "small"]);
    record_all(&s, 1..=5, &["--na", "no change"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    assert_eq!(ev["tested_items"], 0);
    assert_eq!(ev["all_na_items"], serde_json::json!([1, 2, 3, 4, 5]));
    assert_eq!(ev["proposal"], Value::Null);
    let err = s.fails(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert!(err.contains("every attribute N/A") && err.contains("void and replace"), "{err}");
    // N/A on one attribute with a reason, the other tested, is a tested item.
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--pass"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    assert_eq!(ev["tested_items"], 1);
    assert_eq!(ev["all_na_items"], serde_json::json!([2, 3, 4, 5]));
}

#[test]
fn zero_of_25_against_a_5_percent_plan_proposes_extending_to_59_not_no_exceptions() {
    let s = Sandbox::new();
    accepted(&s, 1000);
    let out = s.run(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "25",
        "--seed",
        "x",
        "--tolerable-rate",
        "0.05",
    ]);
    assert!(out.status.success());
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(warning.contains("warning: 25 items is fewer than the 59 the statistical plan needs"), "{warning}");
    record_all(&s, 1..=25, &["--pass"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    // By hand: 1 − 0.05^(1/25) = 0.1129 → 11.3%.
    assert_eq!(ev["statistical"]["upper_deviation_limit_display"], "11.3%");
    assert_eq!(ev["statistical"]["exceeds_tolerable"], true);
    assert_eq!(ev["proposal"]["kind"], "sample-too-small");
    assert_eq!(ev["proposal"]["extend_to"], 59);
    let err = s.fails(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert!(err.contains("extend the sample to 59"), "{err}");
    // Extended to the plan and still clean: 0 of 59 → 4.95%, within 5%.
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "59"]);
    record_all(&s, 26..=59, &["--pass"]);
    let c = s.json(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert_eq!(c["proposed"], "no-exceptions-noted");
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    assert_eq!(ev["statistical"]["upper_deviation_limit_display"], "5.0%");
}

#[test]
fn a_hypergeometric_plan_is_evaluated_with_the_hypergeometric_bound() {
    let s = Sandbox::new();
    accepted(&s, 100);
    // No --size: the plan's. N = 100, tolerable 6%: the engine plans the size for the frame.
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--seed",
        "x",
        "--tolerable-rate",
        "0.06",
        "--distribution",
        "hypergeometric",
    ]);
    let n = v["size"].as_u64().unwrap();
    assert_eq!(v["approach"]["population_size"], 100);
    assert_eq!(v["approach"]["planned_size"], n);
    record_all(&s, 1..=n, &["--pass"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    let e = s.json(&[
        "evaluate",
        "--sample-size",
        &n.to_string(),
        "--deviations",
        "0",
        "--confidence",
        "0.95",
        "--tolerable-rate",
        "0.06",
        "--distribution",
        "hypergeometric",
        "--population-size",
        "100",
    ]);
    let b = s.json(&["evaluate", "--sample-size", &n.to_string(), "--deviations", "0", "--confidence", "0.95"]);
    assert_eq!(ev["statistical"]["upper_deviation_limit"], e["upper_deviation_limit"]);
    assert_ne!(ev["statistical"]["upper_deviation_limit"], b["upper_deviation_limit"], "not the binomial bound");
    assert_eq!(ev["proposal"]["kind"], "no-exceptions-noted");
}

#[test]
fn a_non_statistical_sample_shows_no_limit_and_follows_the_expansion_rule() {
    let s = Sandbox::new();
    accepted(&s, 240);
    // C1 is event-driven: 240 occurrences fall in the daily row (53–365); higher risk → 40.
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--seed", "x", "--risk", "higher"]);
    assert_eq!(v["size"], 40);
    assert_eq!(v["approach"]["row"], "daily");
    assert_eq!(v["approach"]["occurrences"], 240);
    assert!(v["basis"].as_str().unwrap().contains("53–365 → daily"), "{}", v["basis"]);
    record_all(&s, 1..=40, &["--pass"]);
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "7", "--attribute", "B", "--exception", "no test"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    assert_eq!(ev["statistical"], Value::Null, "no upper limit for a non-statistical sample");
    assert_eq!(ev["proposal"]["kind"], "sample-too-small");
    assert_eq!(ev["proposal"]["extend_to"], 80, "one deviation: extend by the table's 40");
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "80"]);
    record_all(&s, 41..=80, &["--pass"]);
    let c = s.json(&["conclude", "eng.tickmark", "--control", "C1"]);
    assert_eq!(c["proposed"], "exceptions-noted");
    s.ok(&["export", "eng.tickmark", "--format", "csv", "--out", "wp"]);
    let mut csv = csv::Reader::from_path(s.path("wp/evaluation.csv")).unwrap();
    let header: Vec<String> =
        csv.headers().unwrap().iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let row = csv.records().next().unwrap().unwrap();
    let at = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(at("Upper deviation limit"), "");
    assert_eq!(at("Tolerable rate"), "");
    assert_eq!(at("Sample size (n)"), "80");
    assert_eq!(at("Deviations (k)"), "1");
    assert_eq!(at("Deviation rate"), "1.3%");
    // The expansion rule is the engagement's to edit.
    s.ok(&["plan", "--frequency-table", "--set", "expansion=0:planned", "eng.tickmark"]);
    let t = s.ok(&["plan", "--frequency-table", "eng.tickmark"]);
    assert!(t.contains("up to 0 deviation(s)"), "{t}");
}

#[test]
fn a_test_of_one_is_pass_or_fail_with_no_rate() {
    let s = Sandbox::new();
    accepted(&s, 12);
    let err = s.fails(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--size",
        "2",
        "--seed",
        "x",
        "--test-of-one",
        "config",
    ]);
    assert!(err.contains("a test of one draws 1 item, not 2"), "{err}");
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--seed",
        "x",
        "--test-of-one",
        "password policy enforced by IdP",
    ]);
    record_all(&s, 1..=1, &["--pass"]);
    let ev = s.json(&["evaluate", "eng.tickmark", "--control", "C1"]);
    assert_eq!(ev["deviation_rate"], Value::Null);
    assert_eq!(ev["statistical"], Value::Null);
    assert_eq!(ev["proposal"]["kind"], "no-exceptions-noted");
}

#[test]
fn a_sample_needs_an_approach_and_an_override_needs_a_reason() {
    let s = Sandbox::new();
    accepted(&s, 100);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--size", "5"]);
    assert!(err.contains("say how the size was planned"), "{err}");
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "x", "--tolerable-rate", "0.05"]);
    record_all(&s, 1..=5, &["--pass"]);
    let err = s.fails(&["conclude", "eng.tickmark", "--control", "C1", "--as", "no-exceptions-noted"]);
    assert!(err.contains("needs the reason"), "{err}");
    let c = s.json(&[
        "conclude",
        "eng.tickmark",
        "--control",
        "C1",
        "--as",
        "no-exceptions-noted",
        "--reason",
        "reliance reduced: tests of the compensating control CC8.1-02",
    ]);
    assert_eq!(c["proposed"], "sample-too-small");
    assert_eq!(c["concluded"], "no-exceptions-noted");
}

#[test]
fn a_schema_3_sample_gets_its_approach_inferred_and_recorded_in_the_trail() {
    let s = Sandbox::new();
    accepted(&s, 100);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "25", "--seed", "x", "--tolerable-rate", "0.05"]);
    // Take the file back to schema 3, as the previous release wrote it.
    items_back_to_schema_11(&s.path("eng.tickmark"));
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    conn.execute_batch(
        "ALTER TABLE sample DROP COLUMN approach; ALTER TABLE sample_item DROP COLUMN replaces;
         ALTER TABLE engagement DROP COLUMN sampling_policy; DROP TABLE exclusion; DROP TABLE sample_void;
         ALTER TABLE event DROP COLUMN signer_key; ALTER TABLE event DROP COLUMN signature;
         DROP TABLE signer; DROP TABLE signing;
         ALTER TABLE population DROP COLUMN items_sha256;
         DROP TABLE objective; DROP TABLE procedure_step; DROP TABLE walkthrough; DROP TABLE deficiency;
         DROP TABLE carried; DROP TABLE follow_up; DROP TABLE request;
         DROP TABLE handoff; DROP TABLE working_copy; DROP TABLE branch_event;
         ALTER TABLE evidence DROP COLUMN request_id;
         PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(conn);
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--show"]);
    assert_eq!(v["approach"]["kind"], "statistical");
    assert_eq!(v["approach"]["planned_size"], 59);
    let trail = s.json(&["trail", "eng.tickmark"]);
    assert_eq!(trail.as_array().unwrap().last().unwrap()["action"], "sample.approach_inferred");
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
}
