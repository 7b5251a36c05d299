//! Procedures, walkthroughs and design conclusions, deficiency evaluations, criteria coverage,
//! SOC 1 objectives and Type 1 engagements, through the CLI, with refusals that leave the
//! engagement file as it was.

mod common;

use common::{Sandbox, assert_unchanged, bytes, fixture};

fn demo(s: &Sandbox) -> String {
    s.ok(&["demo", "--out", "demo.tickmark"]);
    "demo.tickmark".to_string()
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
fn the_demos_coverage_lists_every_in_scope_criterion_and_flags_the_ones_without_a_control() {
    let s = Sandbox::new();
    let eng = demo(&s);
    let c = s.json(&["criteria", &eng]);
    // The demo has the common criteria and availability in scope: 33 + 3.
    assert_eq!(c["criteria"].as_array().unwrap().len(), 36);
    // Its 16 controls cite 22 criteria (counted by hand from fixtures/acme/controls.csv).
    assert_eq!(
        ids(&c["without_control"]),
        [
            "CC1.1", "CC1.2", "CC1.3", "CC1.5", "CC2.1", "CC3.1", "CC5.1", "CC5.3", "CC6.4", "CC6.5", "CC6.7", "CC6.8",
            "CC9.1", "A1.1"
        ]
    );
    assert_eq!(c["not_met"], serde_json::json!([]));
    let criterion = |id: &str| c["criteria"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
    // CC5.2 is addressed by CC6.1-01 alone: concluded with exceptions, evaluated as still met.
    let cc52 = criterion("CC5.2");
    assert_eq!(cc52["state"], "met-with-exceptions");
    assert_eq!(cc52["controls"], serde_json::json!([{ "code": "CC6.1-01", "state": "exceptions" }]));
    // CC6.1 also has CC6.6-01, not started: in progress.
    assert_eq!(criterion("CC6.1")["state"], "in-progress");
    assert_eq!(criterion("CC1.1")["state"], "no-control");
    assert_eq!(criterion("A1.2")["title"], "Environmental protections, backups and recovery infrastructure");

    let text = s.ok(&["criteria", &eng]);
    assert!(text.contains("! CC1.1   No control addresses it"), "{text}");
    assert!(text.contains("36 criteria in scope; 14 without a control; 0 not met"), "{text}");
}

#[test]
fn a_criterion_judged_not_met_rolls_up_and_is_listed() {
    let s = Sandbox::new();
    let eng = demo(&s);
    s.ok(&[
        "deficiency",
        &eng,
        "--control",
        "CC6.1-01",
        "--deviation",
        "the access review was completed after the end of the quarter it covers",
        "--items",
        "quarterly access reviews",
        "--cause",
        "No delegate reviewer",
        "--isolated",
        "no",
        "--criterion",
        "cc5.2=not-met",
        "--criterion",
        "CC6.1=met",
        "--compensating",
        "CC6.3-01",
        "--response",
        "Delegates named.",
    ]);
    let c = s.json(&["criteria", &eng]);
    assert_eq!(ids(&c["not_met"]), ["CC5.2"]);
    let text = s.ok(&["criteria", &eng, "--not-met"]);
    assert!(text.contains("CC5.2   Not met"), "{text}");
    assert!(!text.contains("CC6.1 "), "only the criteria not met: {text}");
    // The evaluation replaced the demo's and cleared the preparer's sign-off.
    let d = s.json(&["deficiency", &eng, "--control", "CC6.1-01"]);
    assert_eq!(d["isolated"], false);
    assert_eq!(d["compensating"], serde_json::json!([{ "control": "CC6.3-01", "conclusion": null }]));
    let dash = s.json(&["dashboard", &eng, "--with-exceptions"]);
    assert_eq!(dash.as_array().unwrap().len(), 1);
    assert_eq!(dash[0]["control"], "CC6.1-01");
    assert_eq!(dash[0]["preparer"], serde_json::Value::Null);
    s.ok(&["verify", &eng]);
}

#[test]
fn the_dashboard_shows_each_controls_figures_and_filters() {
    let s = Sandbox::new();
    let eng = demo(&s);
    let all = s.json(&["dashboard", &eng]);
    assert_eq!(all.as_array().unwrap().len(), 16);
    let row = all.as_array().unwrap().iter().find(|r| r["control"] == "CC6.1-01").unwrap();
    // 24 reviews; 2 drawn, extended by the firm's rule to 4 after the exception; all tested.
    assert_eq!(row["population"], 24);
    assert_eq!(row["sample"], 4);
    assert_eq!(row["tested"], 4);
    assert_eq!(row["exceptions"], 1);
    assert_eq!(row["design"], "effective");
    assert_eq!(row["operating"], "exceptions-noted");
    assert_eq!(row["procedure_steps"], 4);
    assert_eq!(row["deficiency_evaluated"], true);
    assert_eq!(row["preparer"], "Dana Whitfield");
    let cc81 = all.as_array().unwrap().iter().find(|r| r["control"] == "CC8.1-01").unwrap();
    assert_eq!((cc81["sample"].as_u64(), cc81["tested"].as_u64()), (Some(25), Some(0)));
    assert_eq!(s.json(&["dashboard", &eng, "--not-signed-off"]).as_array().unwrap().len(), 16);
}

#[test]
fn procedures_are_imported_added_edited_and_carried_in_the_trail() {
    let s = Sandbox::new();
    let eng = demo(&s);
    let list = s.json(&["procedure", "list", &eng, "--control", "CC8.1-01"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list[0]["nature"], "inquiry");
    assert_eq!(list[3]["nature"], "re-performance");
    assert_eq!(
        list[1]["text"],
        "Inspected, for a sample of changes, the change ticket for approval by an authorised approver before the deployment date"
    );
    s.ok(&[
        "procedure",
        "add",
        &eng,
        "--control",
        "CC8.1-01",
        "--nature",
        "Observation",
        "--text",
        "Observed a deployment",
    ]);
    let edited = s.json(&[
        "procedure",
        "edit",
        &eng,
        "--control",
        "CC8.1-01",
        "--step",
        "5",
        "--nature",
        "observation",
        "--text",
        "Observed a production deployment by the release manager",
    ]);
    assert_eq!(
        edited[4],
        serde_json::json!({ "position": 5, "nature": "observation", "text": "Observed a production deployment by the release manager" })
    );
    let text = s.ok(&["procedure", "list", &eng, "--control", "CC8.1-01"]);
    assert!(text.contains("  5. Observation: Observed a production deployment by the release manager"), "{text}");
    let trail = s.json(&["trail", &eng]);
    let actions: Vec<&str> = trail.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.ends_with(&["procedure.added", "procedure.edited"]), "{actions:?}");
    s.ok(&["verify", &eng]);

    // Refusals: nothing changes.
    let before = bytes(&s.path(&eng));
    let err = s.fails(&["procedure", "add", &eng, "--control", "CC8.1-01", "--nature", "looking", "--text", "x"]);
    assert!(
        err.contains(
            "unknown procedure nature \"looking\": expected inquiry, observation, inspection or re-performance"
        ),
        "{err}"
    );
    let err = s.fails(&[
        "procedure",
        "edit",
        &eng,
        "--control",
        "CC8.1-01",
        "--step",
        "9",
        "--nature",
        "inquiry",
        "--text",
        "x",
    ]);
    assert!(err.contains("CC8.1-01 has no procedure step 9; it has 5 step(s)"), "{err}");
    let err = s.fails(&["procedure", "add", &eng, "--control", "XX-1", "--nature", "inquiry", "--text", "x"]);
    assert!(err.contains("no control \"XX-1\""), "{err}");
    assert_unchanged(&s.path(&eng), &before);
}

#[test]
fn a_matrix_step_without_a_nature_or_an_unknown_criterion_is_refused_naming_line_and_column() {
    let s = Sandbox::new();
    let eng = s.engagement();
    let before = bytes(&eng);
    let m = s.write(
        "matrix.csv",
        "id,description,criteria,procedures\nC2,Reviews happen,CC6.1,inspection: Inspected the review\nC3,Logs are kept,CC7.2,Inspected the log\n",
    );
    let err = s.fails(&["controls", "import", "eng.tickmark", m.to_str().unwrap()]);
    assert!(err.contains("matrix.csv") && err.contains("line 3") && err.contains("procedures"), "{err}");
    assert!(err.contains("has no nature"), "{err}");
    let m = s.write("matrix2.csv", "id,description,criteria\nC2,Reviews happen,CC6.1\nC3,Logs are kept,CC6.9;CC7.21\n");
    let err = s.fails(&["controls", "import", "eng.tickmark", m.to_str().unwrap()]);
    assert!(err.contains("line 3") && err.contains("criteria"), "{err}");
    assert!(err.contains("unknown Trust Services Criterion \"CC6.9\": did you mean CC6.1?"), "{err}");
    assert_unchanged(&eng, &before);

    // Lower case and missing dots are read as the catalogue's IDs, and said so.
    let m = s.write("matrix3.csv", "id,description,criteria\nC2,Reviews happen,cc61; CC6.2\n");
    let added = s.json(&["controls", "import", "eng.tickmark", m.to_str().unwrap()]);
    assert_eq!(added["controls"][0]["criteria"], serde_json::json!(["CC6.1", "CC6.2"]));
    assert_eq!(added["notes"], serde_json::json!(["C2 (line 2): \"cc61\" read as CC6.1"]));
    let out = s.ok(&[
        "controls",
        "add",
        "eng.tickmark",
        "--id",
        "C4",
        "--description",
        "d",
        "--frequency",
        "annual",
        "--criteria",
        "a1.2",
    ]);
    assert!(out.contains("Criteria read as A1.2"), "{out}");
}

#[test]
fn a_walkthrough_concludes_on_design_and_a_type2_sign_off_needs_it() {
    let s = Sandbox::new();
    let eng = s.engagement();
    let before = bytes(&eng);
    let err = s.fails(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C9",
        "--narrative",
        "n",
        "--traced",
        "T-1",
        "--design",
        "effective",
    ]);
    assert!(err.contains("no control \"C9\""), "{err}");
    let err = s.fails(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--narrative",
        "n",
        "--traced",
        "T-1",
        "--design",
        "maybe",
    ]);
    assert!(err.contains("unknown design conclusion \"maybe\": expected effective or not-effective"), "{err}");
    let err = s.fails(&["walkthrough", "eng.tickmark", "--control", "C1", "--narrative", " ", "--traced", "T-1"]);
    assert!(err.contains("has no narrative"), "{err}");
    let err = s.fails(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--narrative",
        "n",
        "--traced",
        "T-1",
        "--evidence",
        "7",
    ]);
    assert!(err.contains("evidence 7 is not evidence of C1"), "{err}");
    let err = s.fails(&[
        "deficiency",
        "eng.tickmark",
        "--control",
        "C1",
        "--deviation",
        "x",
        "--cause",
        "y",
        "--isolated",
        "yes",
        "--criterion",
        "CC8.1=met",
    ]);
    assert!(err.contains("C1 has no exceptions recorded, so it has no deficiency to evaluate"), "{err}");
    assert_unchanged(&eng, &before);

    // Recorded without a design conclusion, then concluded on it.
    let w = s.json(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--narrative",
        "Traced a change",
        "--traced",
        "CHG-1",
    ]);
    assert_eq!(w["design"], serde_json::Value::Null);
    let w = s.json(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--design",
        "not-effective",
        "--by",
        "Marcus Oyelaran",
    ]);
    assert_eq!(w["narrative"], "Traced a change");
    assert_eq!(w["design"], "not-effective");
    assert_eq!(w["concluded_by"], "Marcus Oyelaran");
    assert_eq!(w["concluded_at"], common::NOW);
    s.ok(&["verify", "eng.tickmark"]);
}

#[test]
fn a_type2_control_without_a_design_conclusion_cannot_be_signed_off_as_preparer() {
    let s = Sandbox::new();
    let eng = demo(&s);
    // The demo's CC6.1-01 is concluded and signed; take its design conclusion away by
    // recording a new walkthrough with no design on a fresh copy of the logic: a control
    // concluded but with no walkthrough at all.
    s.ok(&[
        "controls",
        "add",
        &eng,
        "--id",
        "CC6.6-02",
        "--description",
        "MFA",
        "--frequency",
        "annual",
        "--criteria",
        "CC6.6",
    ]);
    let err = s.fails(&["signoff", &eng, "--control", "CC6.6-02", "--as", "preparer"]);
    assert!(err.contains("CC6.6-02 has no design conclusion yet"), "{err}");
    // With design concluded, the missing operating conclusion is what is said.
    s.ok(&[
        "walkthrough",
        &eng,
        "--control",
        "CC6.6-02",
        "--narrative",
        "n",
        "--traced",
        "policy",
        "--design",
        "effective",
    ]);
    let err = s.fails(&["signoff", &eng, "--control", "CC6.6-02", "--as", "preparer"]);
    assert!(err.contains("CC6.6-02 has no conclusion yet; conclude before signing off as preparer"), "{err}");
}

#[test]
fn a_type1_engagement_is_as_of_a_date_with_design_conclusions_only() {
    let s = Sandbox::new();
    let err = s.fails(&[
        "new",
        "t1.tickmark",
        "--client",
        "Acme",
        "--report",
        "soc2-type1",
        "--period",
        "2026-01-01..2026-06-30",
    ]);
    assert!(
        err.contains("a SOC 2 Type 1 report is as of one date, not a period: give the date, e.g. --period 2026-06-30"),
        "{err}"
    );
    assert!(!s.path("t1.tickmark").exists());
    let err = s.fails(&["new", "t2.tickmark", "--client", "Acme", "--period", "2026-06-30"]);
    assert!(err.contains("a SOC 2 Type 2 report covers a period of operation, not one day"), "{err}");

    s.ok(&[
        "new",
        "t1.tickmark",
        "--client",
        "Acme",
        "--report",
        "soc2-type1",
        "--period",
        "2026-06-30",
        "--criteria",
        "CC,A",
    ]);
    s.ok(&["controls", "import", "t1.tickmark", fixture("acme/controls.csv").to_str().unwrap()]);
    let before = bytes(&s.path("t1.tickmark"));
    let err = s.fails(&[
        "sample",
        "t1.tickmark",
        "--control",
        "A1.3-01",
        "--size",
        "1",
        "--seed",
        "1",
        "--judgemental",
        "one restore test",
    ]);
    assert!(
        err.contains("this is a SOC 2 Type 1 engagement (design as of one date): sampling belongs to a Type 2"),
        "{err}"
    );
    assert_unchanged(&s.path("t1.tickmark"), &before);

    let err = s.fails(&["signoff", "t1.tickmark", "--control", "A1.3-01", "--as", "preparer"]);
    assert!(err.contains("has no design conclusion yet"), "{err}");
    s.ok(&[
        "walkthrough",
        "t1.tickmark",
        "--control",
        "A1.3-01",
        "--narrative",
        "Walked through the Q2 restore test",
        "--traced",
        "Restore 2026-Q2",
        "--design",
        "effective",
    ]);
    s.ok(&["signoff", "t1.tickmark", "--control", "A1.3-01", "--as", "preparer"]);
    let dash = s.json(&["dashboard", "t1.tickmark"]);
    let row = dash.as_array().unwrap().iter().find(|r| r["control"] == "A1.3-01").unwrap();
    assert_eq!(row["state"], "no-exceptions");
    let c = s.json(&["criteria", "t1.tickmark"]);
    let a13 = c["criteria"].as_array().unwrap().iter().find(|x| x["id"] == "A1.3").unwrap();
    assert_eq!(a13["state"], "met");
    s.ok(&["verify", "t1.tickmark"]);
}

#[test]
fn a_soc1_engagement_references_its_own_control_objectives() {
    let s = Sandbox::new();
    s.ok(&[
        "new",
        "s1.tickmark",
        "--client",
        "Borealis",
        "--report",
        "soc1-type2",
        "--period",
        "2026-01-01..2026-12-31",
    ]);
    let err = s.fails(&[
        "controls",
        "add",
        "s1.tickmark",
        "--id",
        "C1",
        "--description",
        "d",
        "--frequency",
        "annual",
        "--criteria",
        "CO1",
    ]);
    assert!(
        err.contains(
            "control objective \"CO1\" is not defined: a SOC 1 engagement defines its control objectives first"
        ),
        "{err}"
    );
    s.ok(&[
        "objective",
        "add",
        "s1.tickmark",
        "--id",
        "CO1",
        "--title",
        "Changes to the billing system are authorised",
    ]);
    s.ok(&["objective", "add", "s1.tickmark", "--id", "CO2", "--title", "Invoices are complete and accurate"]);
    let err = s.fails(&["objective", "add", "s1.tickmark", "--id", "co1", "--title", "again"]);
    assert!(err.contains("control objective co1 is already defined"), "{err}");
    s.ok(&[
        "controls",
        "add",
        "s1.tickmark",
        "--id",
        "C1",
        "--description",
        "d",
        "--frequency",
        "annual",
        "--criteria",
        "co 1",
    ]);
    let err = s.fails(&[
        "controls",
        "add",
        "s1.tickmark",
        "--id",
        "C2",
        "--description",
        "d",
        "--frequency",
        "annual",
        "--criteria",
        "CO3",
    ]);
    assert!(err.contains("its objectives are CO1, CO2"), "{err}");
    let c = s.json(&["criteria", "s1.tickmark"]);
    assert_eq!(c["criteria"].as_array().unwrap().len(), 2);
    assert_eq!(c["criteria"][0]["controls"][0]["code"], "C1");
    assert_eq!(ids(&c["without_control"]), ["CO2"]);
    s.ok(&["verify", "s1.tickmark"]);

    let s2 = Sandbox::new();
    s2.engagement();
    let err = s2.fails(&["objective", "add", "eng.tickmark", "--id", "CO1", "--title", "t"]);
    assert!(err.contains("control objectives belong to SOC 1 engagements"), "{err}");
}
