//! What carries from one engagement to the next: the workpaper's Controls sheet imports back
//! as a control matrix without editing.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Sandbox, bytes};

fn controls_sheet(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range("Controls").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_exported_controls_sheet_imports_as_a_control_matrix_and_exports_identically() {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "demo.tickmark"]);
    s.ok(&["export", "demo.tickmark", "--format", "csv", "--out", "first"]);
    s.ok(&["export", "demo.tickmark", "--format", "xlsx", "--out", "first.xlsx"]);

    // CSV: export → import → export gives the same file, byte for byte.
    let new = [
        "new",
        "next.tickmark",
        "--client",
        "Acme Cloud, Inc.",
        "--period",
        "2027-01-01..2027-12-31",
        "--criteria",
        "CC,A",
    ];
    s.ok(&new);
    let added = s.json(&["controls", "import", "next.tickmark", s.path("first/controls.csv").to_str().unwrap()]);
    assert_eq!(added["controls"].as_array().unwrap().len(), 16);
    assert_eq!(added["notes"], serde_json::json!([]));
    let steps = s.json(&["procedure", "list", "next.tickmark", "--control", "CC8.1-01"]);
    assert_eq!(steps.as_array().unwrap().len(), 4);
    assert_eq!(steps[3]["nature"], "re-performance");
    s.ok(&["export", "next.tickmark", "--format", "csv", "--out", "second"]);
    assert!(
        bytes(&s.path("first/controls.csv")) == bytes(&s.path("second/controls.csv")),
        "controls.csv differs after the round trip"
    );

    // xlsx: the Controls sheet, read with --sheet, gives the same sheet.
    let new = [
        "new",
        "next2.tickmark",
        "--client",
        "Acme Cloud, Inc.",
        "--period",
        "2027-01-01..2027-12-31",
        "--criteria",
        "CC,A",
    ];
    s.ok(&new);
    s.ok(&["controls", "import", "next2.tickmark", s.path("first.xlsx").to_str().unwrap(), "--sheet", "Controls"]);
    s.ok(&["export", "next2.tickmark", "--format", "xlsx", "--out", "second.xlsx"]);
    let first = controls_sheet(&s.path("first.xlsx"));
    assert_eq!(first.len(), 17, "a header and 16 controls");
    assert_eq!(
        first[0],
        ["Control", "Description", "Criteria", "Frequency", "Nature", "Owner", "Attributes", "Test procedure"]
    );
    assert_eq!(first, controls_sheet(&s.path("second.xlsx")));
}

fn trail(s: &Sandbox, eng: &str) -> Vec<serde_json::Value> {
    s.json(&["trail", eng]).as_array().unwrap().clone()
}

#[test]
fn the_demo_rolls_forward_with_what_carries_and_nothing_else() {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "demo.tickmark"]);
    let prior_trail = trail(&s, "demo.tickmark");
    let done = s.json(&["rollforward", "demo.tickmark", "next.tickmark", "--period", "2027-01-01..2027-12-31"]);
    assert_eq!(
        (done["controls"].as_u64(), done["walkthroughs"].as_u64(), done["follow_ups"].as_u64()),
        (Some(16), Some(16), Some(2))
    );

    // The new trail starts by citing the prior engagement's ID (its first event) and head.
    let t = trail(&s, "next.tickmark");
    assert_eq!(t[0]["action"], "engagement.rolled_forward");
    let prior = &t[0]["payload"]["prior"];
    assert_eq!(prior["engagement_id"], prior_trail[0]["hash"]);
    assert_eq!(prior["trail_head"], prior_trail.last().unwrap()["hash"]);
    assert_eq!(prior["trail_events"], prior_trail.len());
    assert_eq!(t[0]["payload"]["period"]["start"], "2027-01-01");

    // Carried: the controls with attributes and procedures, walkthroughs as drafts, the team.
    // The same controls (their row IDs in the file aside).
    let without_ids = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.as_object_mut().unwrap().remove("id");
                c
            })
            .collect::<Vec<_>>()
    };
    let controls = without_ids(s.json(&["controls", "list", "next.tickmark"]));
    assert_eq!(controls.len(), 16);
    assert_eq!(controls, without_ids(s.json(&["controls", "list", "demo.tickmark"])));
    assert_eq!(
        s.json(&["procedure", "list", "next.tickmark", "--control", "CC8.1-01"]),
        s.json(&["procedure", "list", "demo.tickmark", "--control", "CC8.1-01"])
    );
    let w = s.json(&["walkthrough", "next.tickmark", "--control", "CC8.1-01"]);
    let prior_w = s.json(&["walkthrough", "demo.tickmark", "--control", "CC8.1-01"]);
    assert_eq!(w["narrative"], prior_w["narrative"]);
    assert_eq!(w["design"], serde_json::Value::Null, "a draft to re-perform, not a conclusion");
    // Not carried: populations, samples, results, conclusions, sign-offs.
    for row in s.json(&["dashboard", "next.tickmark"]).as_array().unwrap() {
        assert_eq!(row["population"], serde_json::Value::Null);
        assert_eq!(row["sample"], serde_json::Value::Null);
        assert_eq!(
            (row["operating"].clone(), row["preparer"].clone()),
            (serde_json::Value::Null, serde_json::Value::Null)
        );
        assert_eq!(row["unconfirmed"], 2, "{row}");
    }
    let follow = s.json(&["follow-ups", "next.tickmark"]);
    assert_eq!(follow.as_array().unwrap().len(), 2);
    assert_eq!(follow[0]["control"], "CC6.1-01");
    assert_eq!(follow[0]["kind"], "exception");
    assert!(follow[1]["text"].as_str().unwrap().starts_with(
        "Prior year: deficiency evaluated (the access review was completed after the end of the quarter it covers)."
    ));
    let info_new = s.json(&["controls", "list", "next.tickmark"]);
    assert_eq!(info_new.as_array().unwrap().len(), 16);

    // Confirming, or editing, clears the mark.
    let confirmed = s.json(&["confirm", "next.tickmark", "--control", "CC8.1-01"]);
    assert_eq!(confirmed, serde_json::json!(["control", "walkthrough"]));
    let err = s.fails(&["confirm", "next.tickmark", "--control", "CC8.1-01"]);
    assert!(err.contains("CC8.1-01 has nothing carried forward left to confirm"), "{err}");
    s.ok(&[
        "procedure",
        "edit",
        "next.tickmark",
        "--control",
        "CC6.1-01",
        "--step",
        "1",
        "--nature",
        "inquiry",
        "--text",
        "Inquired of the IT Manager",
    ]);
    let row = s
        .json(&["dashboard", "next.tickmark"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control"] == "CC6.1-01")
        .unwrap()
        .clone();
    assert_eq!(row["unconfirmed"], 1, "the walkthrough is still to confirm");
    assert_eq!(row["follow_ups"], 2);
    s.ok(&["verify", "next.tickmark"]);
}

#[test]
fn a_roll_forward_onto_a_file_or_with_a_period_that_does_not_follow_is_refused() {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "demo.tickmark"]);
    let prior = bytes(&s.path("demo.tickmark"));
    let err = s.fails(&["rollforward", "demo.tickmark", "next.tickmark", "--period", "2027-02-01..2028-01-31"]);
    assert!(err.contains("the new period 2027-02-01..2028-01-31 does not follow the prior one (2026-01-01..2026-12-31), which would make it start on 2027-01-01; give --force"), "{err}");
    assert!(!s.path("next.tickmark").exists(), "nothing half-made");
    s.write("taken.tickmark", b"someone else's file");
    let err = s.fails(&["rollforward", "demo.tickmark", "taken.tickmark", "--period", "2027-01-01..2027-12-31"]);
    assert!(err.contains("taken.tickmark"), "{err}");
    assert_eq!(bytes(&s.path("taken.tickmark")), b"someone else's file");
    s.ok(&["rollforward", "demo.tickmark", "next.tickmark", "--period", "2027-02-01..2028-01-31", "--force"]);
    assert!(bytes(&s.path("demo.tickmark")) == prior, "the prior engagement is read, never written");
}

#[test]
fn next_years_period_is_proposed_from_the_day_after_the_prior_one_ends() {
    use tickmark::engagement::Period;
    let p = |s: &str| Period::parse(s).unwrap();
    assert_eq!(p("2026-01-01..2026-12-31").year_after(), Some(p("2027-01-01..2027-12-31")));
    assert_eq!(p("2025-07-01..2026-06-30").year_after(), Some(p("2026-07-01..2027-06-30")));
    assert_eq!(p("2023-03-01..2024-02-29").year_after(), Some(p("2024-03-01..2025-02-28")), "a leap day");
    assert_eq!(p("2026-06-30").year_after(), Some(p("2027-06-30")), "a Type 1 report's date, a year later");
    for prior in ["2026-01-01..2026-12-31", "2025-07-01..2026-06-30", "2023-03-01..2024-02-29"] {
        assert!(p(prior).year_after().unwrap().follows(&p(prior)), "{prior}: the proposal follows it");
    }
    assert!(p("2026-06-30").year_after().unwrap().follows(&p("2026-06-30")), "a Type 1 date a year later");
    assert!(p("2026-07-01").follows(&p("2026-06-30")) && p("2027-03-31").follows(&p("2026-01-01..2026-12-31")));
    assert!(!p("2026-06-30").follows(&p("2026-06-30")) && !p("2026-05-31").follows(&p("2026-06-30")));
    assert!(!p("2026-12-31").follows(&p("2026-01-01..2026-12-31")), "a date inside the prior period");
    assert!(!p("2027-02-01..2028-01-31").follows(&p("2026-01-01..2026-12-31")));
    assert!(!p("2026-01-01..2026-12-31").follows(&p("2026-01-01..2026-12-31")));
}
