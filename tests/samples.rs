//! Samples stored in an engagement, through the real binary: the SAMPLING-SPEC vectors on real
//! files, extension, replacement with the draw counted, stateless re-performance, `verify`.

mod common;

use common::{Sandbox, assert_unchanged, bytes};
use serde_json::Value;

/// A population of `n` change tickets K0001..Kn, dated through 2026 in file order.
fn tickets(s: &Sandbox, name: &str, n: usize) -> String {
    let mut csv = String::from("Key,Created,Summary\n");
    for i in 1..=n {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i * 364 / n) as u64);
        csv += &format!("K{i:04},{day},Change {i}\n");
    }
    s.write(name, csv).to_string_lossy().into_owned()
}

/// Strata 2026-Q1:300, Q2:250, Q3:410, Q4:40 of the spec's vector, in date order.
fn quarterly_tickets(s: &Sandbox) -> String {
    let mut csv = String::from("Key,Created\n");
    let mut i = 0;
    for (month, count) in [(2, 300), (5, 250), (8, 410), (11, 40)] {
        for _ in 0..count {
            i += 1;
            csv += &format!("K{i:04},2026-{month:02}-15\n");
        }
    }
    s.write("quarterly.csv", csv).to_string_lossy().into_owned()
}

fn accepted(s: &Sandbox, source: &str) {
    s.engagement();
    s.ok(&["import", "eng.tickmark", "--control", "C1", source, "--key", "Key", "--date", "Created"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
}

fn positions(v: &Value) -> Vec<u64> {
    v["items"].as_array().unwrap().iter().map(|i| i["position"].as_u64().unwrap()).collect()
}

const RANDOM_1000_10: [u64; 10] = [227, 56, 663, 54, 850, 814, 25, 394, 792, 662];

#[test]
fn a_random_sample_of_a_1000_row_file_is_the_spec_vector() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 1000);
    accepted(&s, &src);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "12345",
    ]);
    assert_eq!(positions(&v), RANDOM_1000_10);
    assert_eq!(v["items"][0]["key"], "K0227");
    assert_eq!(v["items"][0]["source_row"], 228, "the header is line 1");
    assert_eq!(v["spec"], "tickmark-sample-v1");
    assert_eq!(v["seed"], "12345");
    assert_eq!(v["draws"], 1);
    assert_eq!(v["population_size"], 1000);
}

#[test]
fn a_systematic_sample_is_the_spec_vector() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 1000);
    accepted(&s, &src);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "12345",
        "--method",
        "systematic",
    ]);
    assert_eq!(positions(&v), [27, 127, 227, 327, 427, 527, 627, 727, 827, 927]);
}

#[test]
fn a_sample_stratified_by_quarter_is_the_spec_vector() {
    let s = Sandbox::new();
    let src = quarterly_tickets(&s);
    accepted(&s, &src);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "12345",
        "--method",
        "stratified",
        "--strata",
        "quarter",
    ]);
    // Within-stratum positions of the spec, shifted by the strata before them (300, 550, 960).
    assert_eq!(positions(&v), [181, 110, 87, 300 + 3, 300 + 40, 300 + 53, 550 + 403, 550 + 194, 550 + 333, 960 + 4]);
    let strata: Vec<&str> = v["items"].as_array().unwrap().iter().map(|i| i["stratum"].as_str().unwrap()).collect();
    assert_eq!(
        strata,
        ["2026-Q1", "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q2", "2026-Q2", "2026-Q3", "2026-Q3", "2026-Q3", "2026-Q4"]
    );
    assert_eq!(v["strata"][3], serde_json::json!({"label": "2026-Q4", "size": 40, "selected": 1}));
}

#[test]
fn select_re_performs_from_the_file_alone_and_matches_the_stored_sample() {
    let s = Sandbox::new();
    let src = quarterly_tickets(&s);
    accepted(&s, &src);
    let stored = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "3",
        "--seed",
        "12345",
        "--method",
        "stratified",
        "--strata",
        "quarter",
    ]);
    let sel = s.json(&[
        "select",
        &src,
        "--size",
        "3",
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
    ]);
    assert_eq!(positions(&sel), [181, 303, 953], "spec: Q1 181, Q2 3, Q3 403, Q4 none");
    assert_eq!(positions(&sel), positions(&stored));
    assert_eq!(sel["spec"], "tickmark-sample-v1");
    assert_eq!(sel["population"]["items"], 1000);
    assert_eq!(sel["population"]["sha256"], stored["population_sha256"]);
    assert_eq!(sel["items"][1]["key"], "K0303");
    assert_eq!(sel["items"][1]["row"], 304);
    assert_eq!(sel["items"][1]["stratum"], "2026-Q2");
    let err = s.fails(&[
        "select",
        &src,
        "--size",
        "3",
        "--seed",
        "1",
        "--method",
        "stratified",
        "--strata",
        "quarter",
        "--date",
        "Created",
    ]);
    assert!(err.contains("need the review period: --period"), "{err}");
}

#[test]
fn extension_keeps_the_first_items_and_continues_the_stream() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 1000);
    accepted(&s, &src);
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "12345",
    ]);
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "15"]);
    let p = positions(&v);
    assert_eq!(p.len(), 15);
    assert_eq!(p[..10], RANDOM_1000_10);
    let fresh = s.json(&["select", &src, "--size", "15", "--seed", "12345"]);
    assert_eq!(positions(&fresh), p, "extending 10 to 15 equals drawing 15");
    assert_eq!(v["initial_size"], 10);
    assert_eq!(v["draws"], 1, "an extension is not a new draw");
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "12"]);
    assert!(err.contains("already has 15 items"), "{err}");
}

#[test]
fn systematic_and_stratified_samples_cannot_be_extended() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 100);
    accepted(&s, &src);
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "x",
        "--method",
        "systematic",
    ]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--extend-to", "12"]);
    assert!(err.contains("cannot be extended"), "{err}");
}

#[test]
fn drawing_again_needs_a_reason_and_every_draw_is_counted_and_re_performed() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 200);
    accepted(&s, &src);
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "5",
        "--seed",
        "first",
    ]);
    let before = bytes(&s.path("eng.tickmark"));
    let err = s.fails(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "5",
        "--seed",
        "second",
    ]);
    assert!(err.contains("already has a sample; to draw again give the reason with --replace"), "{err}");
    assert_unchanged(&s.path("eng.tickmark"), &before);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "5",
        "--seed",
        "second",
        "--replace",
        "population re-exported with missing tickets",
    ]);
    assert_eq!(v["draw_number"], 2);
    assert_eq!(v["draws"], 2);
    let verify = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["samples"].as_array().unwrap().len(), 2, "the replaced draw is re-performed too");
    assert_eq!(verify["trail"]["intact"], true);
}

#[test]
fn verify_names_a_sample_item_changed_behind_tickmarks_back() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 1000);
    accepted(&s, &src);
    s.ok(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "10",
        "--seed",
        "12345",
    ]);
    s.ok(&["verify", "eng.tickmark"]);
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    conn.execute("UPDATE sample_item SET position = 1 WHERE ordinal = 4", []).unwrap();
    drop(conn);
    let out = s.run(&["verify", "eng.tickmark"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("item 4: recorded position 1, re-performed position 54"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("verification failed: 1 sample(s) differ"));
}

#[test]
fn a_sample_needs_an_accepted_population_and_a_sensible_size_and_seed() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 50);
    s.engagement();
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--judgemental", "spec vector", "--size", "5"]);
    assert!(err.contains("control C1 has no population"), "{err}");
    s.ok(&["import", "eng.tickmark", "--control", "C1", &src, "--key", "Key", "--date", "Created"]);
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--judgemental", "spec vector", "--size", "5"]);
    assert!(err.contains("has not been accepted"), "{err}");
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    let before = bytes(&s.path("eng.tickmark"));
    let cases: [(&[&str], &str); 5] = [
        (&["--size", "51"], "sample size 51 is larger than the population (50 items)"),
        (&["--size", "0"], "the sample size must be at least 1, not 0"),
        (&["--size", "5", "--seed", &"x".repeat(129)], "the seed is 129 characters; at most 128 are allowed"),
        (&["--size", "5", "--seed", ""], "the seed is empty"),
        (&["--size", "5", "--method", "haphazard"], "unknown sampling method \"haphazard\""),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["sample", "eng.tickmark", "--control", "C1", "--judgemental", "spec vector"];
        args.extend_from_slice(extra);
        let err = s.fails(&args);
        assert!(err.contains(expected), "{err}");
    }
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--judgemental", "spec vector", "--size", "-3"]);
    assert!(err.contains("the sample size must be at least 1, not -3"), "{err}");
    assert_unchanged(&s.path("eng.tickmark"), &before);
}

#[test]
fn a_proposed_seed_is_twenty_digits_and_recorded_as_proposed() {
    let s = Sandbox::new();
    let src = tickets(&s, "tickets.csv", 100);
    accepted(&s, &src);
    let v = s.json(&["sample", "eng.tickmark", "--control", "C1", "--judgemental", "spec vector", "--size", "5"]);
    let seed = v["seed"].as_str().unwrap();
    assert_eq!(seed.len(), 20);
    assert!(seed.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(v["seed_proposed"], true);
    s.ok(&["verify", "eng.tickmark"]);
}

#[test]
fn quarter_strata_refuse_items_dated_outside_the_period() {
    let s = Sandbox::new();
    let p = s.write("late.csv", "Key,Created\nA,2026-03-01\nB,2027-01-05\nC,2026-06-01\n");
    accepted(&s, p.to_str().unwrap());
    let err = s.fails(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "2",
        "--method",
        "stratified",
        "--strata",
        "quarter",
    ]);
    assert!(err.contains("item 2 is dated 2027-01-05, outside the review period"), "{err}");
}

#[test]
fn column_strata_are_ordered_by_the_bytes_of_their_values() {
    let s = Sandbox::new();
    let p = s.write(
        "teams.csv",
        "Key,Created,Team\nA,2026-01-01,ops\nB,2026-01-02,Ops\nC,2026-01-03,ops\nD,2026-01-04,Éq\nE,2026-01-05,Ops\n",
    );
    s.engagement();
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    let v = s.json(&[
        "sample",
        "eng.tickmark",
        "--control",
        "C1",
        "--judgemental",
        "spec vector",
        "--size",
        "3",
        "--seed",
        "s",
        "--method",
        "stratified",
        "--strata",
        "column:Team",
    ]);
    let labels: Vec<&str> = v["strata"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Ops", "ops", "Éq"], "uppercase ASCII before lowercase before non-ASCII");
    s.ok(&["verify", "eng.tickmark"]);
}

#[test]
fn plan_reproduces_the_guide_and_says_when_no_size_exists() {
    let s = Sandbox::new();
    let v = s.json(&["plan", "--confidence", "0.95", "--tolerable-rate", "0.05", "--expected-rate", "0.01"]);
    assert_eq!(v["sample_size"], 93);
    assert_eq!(v["allowed_deviations"], 1);
    assert_eq!(v["distribution"], "binomial");
    let v = s.json(&["plan", "--confidence", "90%", "--tolerable-rate", "5%", "--expected-rate", "0%"]);
    assert_eq!(v["sample_size"], 45);
    let v = s.json(&["plan", "--confidence", "0.95", "--tolerable-rate", "0.05", "--expected-rate", "0.05"]);
    assert_eq!(v["sample_size"], Value::Null);
    let err = s.fails(&["plan", "--confidence", "1.2", "--tolerable-rate", "0.05", "--expected-rate", "0"]);
    assert!(err.contains("confidence"), "{err}");
    let v = s.json(&["plan", "--frequency", "weekly", "--risk", "higher"]);
    assert_eq!(v["sample_size"], 15);
}

#[test]
fn an_engagement_frequency_table_can_be_edited_and_is_used() {
    let s = Sandbox::new();
    s.engagement();
    s.ok(&["plan", "--frequency-table", "--set", "weekly=10-20", "eng.tickmark"]);
    let v = s.json(&["plan", "--frequency", "weekly", "--risk", "lower", "eng.tickmark"]);
    assert_eq!(v["sample_size"], 10);
    let err = s.fails(&["plan", "--frequency-table", "--set", "weekly=20-10", "eng.tickmark"]);
    assert!(err.contains("must start at 1 or more and not run backwards"), "{err}");
    let trail = s.json(&["trail", "eng.tickmark"]);
    assert_eq!(trail.as_array().unwrap().last().unwrap()["action"], "frequency_table.changed");
}

#[test]
fn evaluate_gives_the_upper_limit_rounded_up_as_the_guide_prints_it() {
    let s = Sandbox::new();
    let v = s.json(&[
        "evaluate",
        "--sample-size",
        "60",
        "--deviations",
        "1",
        "--confidence",
        "0.95",
        "--tolerable-rate",
        "0.05",
    ]);
    assert_eq!(v["upper_deviation_limit_display"], "7.7%");
    assert_eq!(v["exceeds_tolerable"], true);
    let ul = v["upper_deviation_limit"].as_f64().unwrap();
    assert!((0.076..0.077).contains(&ul), "{ul}");
    let err = s.fails(&["evaluate", "--sample-size", "10", "--deviations", "11", "--confidence", "0.95"]);
    assert!(err.contains("11 deviations cannot be found in a sample of 10 items"), "{err}");
}
