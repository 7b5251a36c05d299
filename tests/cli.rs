//! The `tickmark` command line, through the real binary in a temp dir: the contract scripts
//! and reviewers rely on (DESIGN.md "CLI contract").

mod common;

use common::{Sandbox, assert_unchanged, bytes, fixture};
use tickmark::Engagement;

#[test]
fn new_creates_an_engagement_and_refuses_to_overwrite_it() {
    let s = Sandbox::new();
    let info = s.json(&[
        "new",
        "eng.tickmark",
        "--client",
        "Acme Cloud, Inc.",
        "--period",
        "2026-01-01..2026-12-31",
        "--report",
        "soc2-type2",
        "--criteria",
        "CC,A",
    ]);
    assert_eq!(info["client"], "Acme Cloud, Inc.");
    assert_eq!(info["period"]["start"], "2026-01-01");
    assert_eq!(info["criteria"], serde_json::json!(["CC", "A"]));
    assert_eq!(info["created_by"], "Dana Whitfield");
    assert_eq!(info["created_at"], common::NOW);
    let before = bytes(&s.path("eng.tickmark"));
    let err = s.fails(&["new", "eng.tickmark", "--client", "Other", "--period", "2026-01-01..2026-12-31"]);
    assert!(err.contains("eng.tickmark: a file already exists there"), "{err}");
    assert_unchanged(&s.path("eng.tickmark"), &before);
}

#[test]
fn new_refuses_a_bad_period_report_or_criteria_and_writes_nothing() {
    let s = Sandbox::new();
    let cases = [
        (vec!["--period", "2026-12-31..2026-01-01"], "the period ends (2026-01-01) before it starts (2026-12-31)"),
        (vec!["--period", "2026"], "is not START..END"),
        (vec!["--period", "2026-01-01..2026-12-31", "--report", "soc3"], "unknown report type \"soc3\""),
        (vec!["--period", "2026-01-01..2026-12-31", "--criteria", "CC,XYZ"], "unknown criteria category \"XYZ\""),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["new", "bad.tickmark", "--client", "Acme"];
        args.extend(extra);
        let err = s.fails(&args);
        assert!(err.contains(expected), "{err}");
        assert!(!s.path("bad.tickmark").exists());
    }
}

#[test]
fn the_acme_control_matrix_imports_with_its_attributes() {
    let s = Sandbox::new();
    s.ok(&["new", "eng.tickmark", "--client", "Acme", "--period", "2026-01-01..2026-12-31"]);
    let added = s.json(&["controls", "import", "eng.tickmark", fixture("acme/controls.csv").to_str().unwrap()]);
    assert_eq!(added["controls"].as_array().unwrap().len(), 16);
    assert_eq!(added["notes"], serde_json::json!([]));
    let list = s.json(&["controls", "list", "eng.tickmark"]);
    let cc81 = list.as_array().unwrap().iter().find(|c| c["code"] == "CC8.1-01").unwrap();
    assert_eq!(cc81["frequency"], "event-driven");
    assert_eq!(cc81["criteria"], serde_json::json!(["CC8.1"]));
    assert_eq!(cc81["attributes"][0]["label"], "A");
    assert!(cc81["attributes"].as_array().unwrap().len() >= 2);
    // Importing the same matrix again would duplicate every control: refused whole.
    let before = bytes(&s.path("eng.tickmark"));
    let err = s.fails(&["controls", "import", "eng.tickmark", fixture("acme/controls.csv").to_str().unwrap()]);
    assert!(
        err.contains("controls.csv, line 2: control A1.2-01 is already in the engagement")
            || err.contains("is already in the engagement"),
        "{err}"
    );
    assert_unchanged(&s.path("eng.tickmark"), &before);
}

#[test]
fn a_control_matrix_with_a_bad_frequency_is_refused_at_its_line_and_column() {
    let s = Sandbox::new();
    s.ok(&["new", "eng.tickmark", "--client", "Acme", "--period", "2026-01-01..2026-12-31"]);
    let m = s.write("matrix.csv", "ID,Description,Frequency\nC1,Approvals,daily\nC2,Reviews,fortnightly\n");
    let before = bytes(&s.path("eng.tickmark"));
    let err = s.fails(&["controls", "import", "eng.tickmark", m.to_str().unwrap()]);
    assert!(err.contains("matrix.csv, line 3, column 3 (Frequency): unknown frequency \"fortnightly\""), "{err}");
    assert_unchanged(&s.path("eng.tickmark"), &before);
    assert_eq!(s.json(&["controls", "list", "eng.tickmark"]).as_array().unwrap().len(), 0);
}

#[test]
fn controls_add_validates_frequency_and_nature() {
    let s = Sandbox::new();
    s.engagement();
    let err =
        s.fails(&["controls", "add", "eng.tickmark", "--id", "C2", "--description", "x", "--frequency", "hourly"]);
    assert!(err.contains("unknown frequency \"hourly\""), "{err}");
    let err = s.fails(&[
        "controls",
        "add",
        "eng.tickmark",
        "--id",
        "C2",
        "--description",
        "x",
        "--frequency",
        "daily",
        "--nature",
        "robotic",
    ]);
    assert!(err.contains("unknown nature \"robotic\""), "{err}");
    let err =
        s.fails(&["controls", "add", "eng.tickmark", "--id", "C1", "--description", "again", "--frequency", "daily"]);
    assert!(err.contains("control C1 already exists"), "{err}");
}

#[test]
fn import_prints_the_validation_report_with_the_contract_fields() {
    let s = Sandbox::new();
    s.engagement();
    let r = s.json(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        fixture("awkward/amounts.csv").to_str().unwrap(),
        "--key",
        "Entry",
        "--date",
        "Date",
        "--amount",
        "Amount",
    ]);
    for field in [
        "rows_read",
        "rows_accepted",
        "blank_keys",
        "duplicate_keys",
        "unparseable_dates",
        "outside_period",
        "amount_total",
        "min_date",
        "max_date",
    ] {
        assert!(r.get(field).is_some(), "missing {field}");
    }
    for field in ["name", "bytes", "sha256"] {
        assert!(r["source"].get(field).is_some(), "missing source.{field}");
    }
    assert_eq!(r["source"]["name"], "amounts.csv", "the file name, not the full path");
}

#[test]
fn a_population_is_accepted_once_and_acceptance_is_recorded() {
    let s = Sandbox::new();
    s.engagement();
    let err = s.fails(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    assert!(err.contains("control C1 has no population yet"), "{err}");
    s.ok(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        fixture("awkward/amounts.csv").to_str().unwrap(),
        "--key",
        "Entry",
    ]);
    let p = s.json(&["population", "accept", "eng.tickmark", "--control", "C1", "--by", "Marcus Oyelaran"]);
    assert_eq!(p["accepted_by"], "Marcus Oyelaran");
    assert_eq!(p["accepted_at"], common::NOW);
    let err = s.fails(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    assert!(err.contains("already accepted by Marcus Oyelaran"), "{err}");
    let shown = s.json(&["population", "show", "eng.tickmark", "--control", "C1"]);
    assert_eq!(shown["item_count"], 26);
}

#[test]
fn a_daily_business_day_population_for_2026_has_261_occurrences() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.json(&[
        "population",
        "generate",
        "eng.tickmark",
        "--control",
        "C1",
        "--frequency",
        "daily",
        "--business-days",
    ]);
    assert_eq!(p["item_count"], 261);
    let p = s.json(&["population", "generate", "eng.tickmark", "--control", "C1", "--frequency", "quarterly"]);
    assert_eq!(p["item_count"], 4);
    let err = s.fails(&["population", "generate", "eng.tickmark", "--control", "C1", "--frequency", "event-driven"]);
    assert!(err.contains("cannot be generated from the calendar"), "{err}");
}

#[test]
fn the_trail_lists_every_change_in_order_with_a_hash_chain() {
    let s = Sandbox::new();
    s.engagement();
    s.ok(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        fixture("awkward/amounts.csv").to_str().unwrap(),
        "--key",
        "Entry",
    ]);
    let trail = s.json(&["trail", "eng.tickmark"]);
    let events = trail.as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["engagement.created", "control.added", "population.imported"]);
    assert_eq!(events[0]["prev_hash"], tickmark::trail::GENESIS);
    assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
    assert_eq!(events[2]["actor"], "Dana Whitfield");
}

#[test]
fn a_second_tickmark_on_the_same_engagement_is_refused_and_changes_nothing() {
    let s = Sandbox::new();
    let eng = s.engagement();
    let before = bytes(&eng);
    let held = Engagement::open(&eng).unwrap();
    let err = s.fails(&["controls", "add", "eng.tickmark", "--id", "C2", "--description", "x", "--frequency", "daily"]);
    assert!(err.contains("eng.tickmark: engagement is open in another Tickmark"), "{err}");
    let err = s.fails(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        fixture("awkward/amounts.csv").to_str().unwrap(),
        "--key",
        "Entry",
    ]);
    assert!(err.contains("open in another Tickmark"), "{err}");
    drop(held);
    assert_unchanged(&eng, &before);
    s.ok(&["controls", "add", "eng.tickmark", "--id", "C2", "--description", "x", "--frequency", "daily"]);
}

#[test]
fn a_file_from_a_newer_tickmark_is_refused_with_the_versions() {
    let s = Sandbox::new();
    let eng = s.engagement();
    {
        let conn = rusqlite::Connection::open(&eng).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = bytes(&eng);
    let err = s.fails(&["controls", "list", "eng.tickmark"]);
    assert!(err.contains("written by a newer Tickmark (schema version 999"), "{err}");
    assert!(err.contains("update Tickmark to open it"), "{err}");
    assert_unchanged(&eng, &before);
}

#[test]
fn files_that_are_not_engagements_are_refused() {
    let s = Sandbox::new();
    let err = s.fails(&["controls", "list", "missing.tickmark"]);
    assert!(err.contains("missing.tickmark: no such engagement file"), "{err}");
    let text = s.write("notes.tickmark", "just some text, not a database at all, long enough to have a header");
    let before = bytes(&text);
    let err = s.fails(&["controls", "list", "notes.tickmark"]);
    assert!(err.contains("notes.tickmark: not a Tickmark engagement file"), "{err}");
    assert_unchanged(&text, &before);
    let other = s.path("other.sqlite");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let err = s.fails(&["controls", "list", other.to_str().unwrap()]);
    assert!(err.contains("not a Tickmark engagement file"), "{err}");
}

#[test]
fn the_demo_engagement_builds_in_the_data_directory() {
    let s = Sandbox::new();
    let demo = s.json(&["demo"]);
    let path = s.path(".local/share/tickmark/demo.tickmark");
    assert_eq!(demo["path"], path.to_str().unwrap());
    assert_eq!(demo["controls"], 16);
    assert!(demo["populations"].as_u64().unwrap() >= 10);
    let list = s.json(&["controls", "list", path.to_str().unwrap()]);
    assert_eq!(list.as_array().unwrap().len(), 16);
    let pop = s.json(&["population", "show", path.to_str().unwrap(), "--control", "CC8.1-01"]);
    assert_eq!(pop["item_count"], 1999);
    assert_eq!(pop["accepted_by"], "Dana Whitfield");
    // The demo shows scoping and a void: CC8.1-01's frame leaves out the rows raised before
    // the period and the cancelled or declined changes; one sample item is voided and replaced.
    let rules: Vec<&str> = pop["exclusions"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["outside-period", "blank-key", "duplicate-key", "column:Status=Canceled|Declined"]);
    assert_eq!(pop["exclusions"][2]["lines"], serde_json::json!([1032]), "ACME-2604's repeat");
    assert_eq!(pop["exclusions"][3]["rows_removed"], 39, "15 Canceled + 24 Declined in the fixture");
    let removed: u64 = pop["exclusions"].as_array().unwrap().iter().map(|e| e["rows_removed"].as_u64().unwrap()).sum();
    assert_eq!(pop["frame_size"].as_u64().unwrap(), 1999 - removed);
    let sample = s.json(&["sample", path.to_str().unwrap(), "--control", "CC8.1-01", "--show"]);
    assert_eq!(sample["items"][2]["void"]["replacement"], 26);
    assert_eq!(sample["items"][25]["replaces"], 3);
    assert_eq!(s.json(&["verify", path.to_str().unwrap()])["ok"], true);
    let err = s.fails(&["demo"]);
    assert!(err.contains("a file already exists there"), "{err}");
    s.ok(&["demo", "--force"]);
}

#[test]
fn json_output_is_one_document_and_errors_are_one_line_on_stderr() {
    let s = Sandbox::new();
    s.engagement();
    let out = s.run(&["controls", "list", "eng.tickmark", "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.is_array());
    let out = s.run(&["controls", "list", "nope.tickmark", "--format", "json"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("tickmark: "));
}

#[test]
fn population_items_lists_rows_by_position_or_key_prefix_as_the_grid_does() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write(
        "tickets.csv",
        "Key,Created,Amount,Note\nCHG-10,2026-02-01,10.00,first\nchg-11,2026-02-02,11.00,second\nINC-12,2026-02-03,,third\nCHG-13,2026-02-04,13.50,fourth\n",
    );
    s.ok(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        p.to_str().unwrap(),
        "--key",
        "Key",
        "--date",
        "Created",
        "--amount",
        "Amount",
    ]);
    let page = s.ok(&["population", "items", "eng.tickmark", "--control", "C1", "--from", "2", "--limit", "2"]);
    assert!(page.starts_with("Items 2-3 of 4 in C1's population (tickets.csv)\n"), "{page}");
    assert!(
        page.contains("        2        3  chg-11 | 2026-02-02 | 11.00 | chg-11 | 2026-02-02 | 11.00 | second\n"),
        "{page}"
    );
    assert!(page.ends_with("        3        4  INC-12 | 2026-02-03 |  | INC-12 | 2026-02-03 |  | third\n"), "{page}");
    // A key prefix, case ignored, in position order; the JSON is the items themselves.
    let found = s.json(&["population", "items", "eng.tickmark", "--control", "C1", "--find", "chg-1"]);
    let keys: Vec<&str> = found.as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["CHG-10", "chg-11", "CHG-13"]);
    assert_eq!(found[2]["source_row"], 5);
    assert_eq!(found[2]["amount"], "13.50");
    let none = s.ok(&["population", "items", "eng.tickmark", "--control", "C1", "--find", "PRB"]);
    assert_eq!(none, "No item of C1 (4 items) has a key starting with \"PRB\"\n");
    let past = s.ok(&["population", "items", "eng.tickmark", "--control", "C1", "--from", "9"]);
    assert_eq!(past, "C1 has 4 items: none from position 9\n");
    assert!(
        s.fails(&["population", "items", "eng.tickmark", "--control", "C1", "--from", "0"])
            .contains("--from counts from 1")
    );
    assert!(s.fails(&["population", "items", "eng.tickmark", "--control", "C2", "--limit", "3"]).contains("C2"));
}
