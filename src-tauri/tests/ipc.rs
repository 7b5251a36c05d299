//! The commands as the webview calls them: through Tauri's IPC on the mock runtime, with the
//! demo engagement built in a temporary data directory.

use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use tickmark_app::files::Access;
use tickmark_app::{AppState, Launch};

struct Harness {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let launch = Launch { data_dir: Some(dir.path().to_path_buf()), ..Launch::default() };
        let app = tickmark_app::builder(mock_builder(), launch).build(mock_context(noop_assets())).unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Harness { _app: app, webview, dir }
    }

    /// Calls `cmd` as the UI would; `Err` holds the error exactly as the UI receives it.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    /// A handle for `path` as if the auditor had chosen it in an open dialog (or dropped it).
    fn read(&self, path: impl Into<std::path::PathBuf>) -> String {
        self._app.state::<AppState>().files.issue(path.into(), Access::Read).handle
    }

    /// A handle for `path` as if the auditor had named it in a save dialog.
    fn write(&self, path: impl Into<std::path::PathBuf>) -> String {
        self._app.state::<AppState>().files.issue(path.into(), Access::Write).handle
    }

    fn demo_path(&self) -> std::path::PathBuf {
        self.dir.path().join("demo.tickmark")
    }
}

#[test]
fn first_start_builds_the_demo_engagement_and_opens_it() {
    let h = Harness::new();
    let start = h.call("app_start", json!({})).unwrap();
    assert_eq!(start["engagement"]["client"], "Acme Cloud, Inc.");
    assert_eq!(start["engagement"]["report"], "soc2-type2");
    assert_eq!(start["engagement"]["periodStart"], "2026-01-01");
    assert_eq!(start["openError"], Value::Null);
    assert!(h.demo_path().is_file());
    assert_eq!(start["recent"][0]["path"], h.demo_path().display().to_string());

    // A reload of the window keeps the engagement it has open.
    let again = h.call("app_start", json!({})).unwrap();
    assert_eq!(again["engagement"]["path"], start["engagement"]["path"]);
}

#[test]
fn the_control_list_shows_each_controls_population_status() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let controls = h.call("controls_list", json!({})).unwrap();
    let controls = controls.as_array().unwrap();
    assert!(controls.len() >= 10, "the demo has a full control matrix");
    let find = |code: &str| controls.iter().find(|c| c["code"] == code).unwrap().clone();
    let change = find("CC8.1-01");
    assert_eq!(change["population"]["state"], "accepted");
    assert_eq!(change["population"]["sourceName"], "change_tickets.csv");
    assert!(change["population"]["itemCount"].as_u64().unwrap() > 0);
    assert_eq!(change["frequency"], "event-driven");
    assert!(!change["attributes"].as_array().unwrap().is_empty());
    assert_eq!(find("CC6.3-01")["population"]["state"], "imported");
}

#[test]
fn errors_come_back_as_code_and_message() {
    let h = Harness::new();
    let err = h.call("controls_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "no_engagement");
    assert!(err["message"].as_str().unwrap().contains("No engagement is open"));

    let missing = h.dir.path().join("nowhere.tickmark");
    let err = h.call("engagement_open", json!({ "file": h.read(&missing) })).unwrap_err();
    assert_eq!(
        err,
        json!({ "code": "no_such_file", "message": format!("{}: no such engagement file", missing.display()) })
    );
}

#[test]
fn a_new_engagement_is_checked_before_a_file_is_chosen_and_then_created() {
    let h = Harness::new();
    let mut input = json!({
        "client": "Borealis Payments Ltd", "report": "soc1-type2", "periodStart": "2026-13-01", "periodEnd": "2026-12-31",
        "criteria": ["CC", "A"], "firm": "Harlow & Reyes LLP", "preparer": "Dana Whitfield", "reviewer": "Marcus Oyelaran"
    });
    let err = h.call("engagement_check", json!({ "input": input })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("2026-13-01"));

    input["periodStart"] = json!("2026-01-01");
    h.call("engagement_check", json!({ "input": input })).unwrap();
    let path = h.dir.path().join("borealis.tickmark");
    let created = h.call("engagement_create", json!({ "file": h.write(&path), "input": input })).unwrap();
    assert_eq!(created["client"], "Borealis Payments Ltd");
    assert_eq!(created["report"], "soc1-type2");
    assert_eq!(created["criteria"], json!(["CC", "A"]));
    assert_eq!(h.call("controls_list", json!({})).unwrap(), json!([]));

    let again = h.call("engagement_create", json!({ "file": h.write(&path), "input": input })).unwrap_err();
    assert_eq!(again["code"], "already_exists");
}

#[test]
fn an_engagement_the_cli_holds_is_refused_as_locked() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    h.call("engagement_close", json!({})).unwrap();
    let held = tickmark::Engagement::open(&h.demo_path()).unwrap();
    let err = h.call("engagement_open", json!({ "file": h.read(h.demo_path()) })).unwrap_err();
    assert_eq!(err["code"], "locked");
    drop(held);
    assert_eq!(
        h.call("engagement_open", json!({ "file": h.read(h.demo_path()) })).unwrap()["client"],
        "Acme Cloud, Inc."
    );
}

#[test]
fn a_population_is_imported_accepted_and_paged() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let source = h.dir.path().join("demo-sources").join("terminations.csv");
    let preview = h.call("source_preview", json!({ "file": h.read(&source), "sheet": null })).unwrap();
    assert_eq!(preview["format"], "csv");
    let key = preview["guessedKey"].clone();
    assert!(key.is_string());

    let mapping =
        json!({ "key": key, "date": preview["guessedDate"], "amount": null, "sheet": null, "dateFormat": null });
    let population = h
        .call(
            "population_import",
            json!({ "control": "CC6.3-01", "file": h.read(&source), "mapping": mapping, "onProgress": "__CHANNEL__:7" }),
        )
        .unwrap();
    assert_eq!(population["acceptedAt"], Value::Null);
    let items = population["itemCount"].as_u64().unwrap();
    assert_eq!(population["report"]["rowsAccepted"].as_u64().unwrap(), items);
    assert_eq!(population["report"]["source"]["sha256"].as_str().unwrap().len(), 64);

    let accepted = h.call("population_accept", json!({ "control": "CC6.3-01" })).unwrap();
    assert_eq!(accepted["acceptedBy"], "Dana Whitfield");
    let again = h.call("population_accept", json!({ "control": "CC6.3-01" })).unwrap_err();
    assert_eq!(again["code"], "invalid");

    let page =
        h.call("population_items", json!({ "populationId": population["id"], "offset": 2, "limit": 3 })).unwrap();
    let page = page.as_array().unwrap();
    assert_eq!(page.len(), 3.min(items as usize - 2));
    assert_eq!(page[0]["position"], 3);

    let first_key = h
        .call("population_items", json!({ "populationId": population["id"], "offset": 0, "limit": 1 }))
        .unwrap()[0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let found = h
        .call(
            "population_find",
            json!({ "populationId": population["id"], "query": first_key.to_lowercase(), "limit": 5 }),
        )
        .unwrap();
    assert_eq!(found[0]["position"], 1, "search by key prefix, case ignored");

    let trail = h.call("trail_list", json!({})).unwrap();
    assert_eq!(trail["chainBreak"], Value::Null);
    let last = trail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "population.accepted");
    assert_eq!(last["control"], "CC6.3-01");
}

#[test]
fn a_periodic_controls_population_is_generated_from_the_period() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let p = h
        .call("population_generate", json!({ "control": "CC4.1-01", "frequency": "monthly", "businessDays": true }))
        .unwrap();
    assert_eq!(p["origin"], "generated");
    assert_eq!(p["itemCount"], 12);
    assert_eq!(p["acceptedAt"], Value::Null, "a new population needs acceptance again");
    let first = h.call("population_items", json!({ "populationId": p["id"], "offset": 0, "limit": 1 })).unwrap();
    assert_eq!(first[0]["key"], "2026-01");
    assert_eq!(first[0]["date"], "2026-01-30", "the last business day of January 2026");
}

#[test]
fn a_bad_mapping_is_refused_with_the_engines_words_and_nothing_is_imported() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let before = h.call("population_current", json!({ "control": "CC6.3-01" })).unwrap();
    let source = h.dir.path().join("demo-sources").join("terminations.csv");
    let mapping = json!({ "key": "No such column", "date": null, "amount": null, "sheet": null, "dateFormat": null });
    let err = h
        .call(
            "population_import",
            json!({ "control": "CC6.3-01", "file": h.read(&source), "mapping": mapping, "onProgress": "__CHANNEL__:8" }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "import");
    assert!(err["message"].as_str().unwrap().contains("No such column"), "{err}");
    assert_eq!(h.call("population_current", json!({ "control": "CC6.3-01" })).unwrap(), before);
}

#[test]
fn a_sample_is_planned_drawn_tested_and_concluded_through_the_commands() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let plan = h.call("plan_attribute_size", json!({
        "confidence": "95%", "tolerableRate": "5%", "expectedRate": "0", "distribution": "binomial", "populationSize": null
    })).unwrap();
    assert_eq!(plan["sampleSize"], 59, "the AICPA table's 59 at 95% / 5% / 0%");
    let none = h.call("plan_attribute_size", json!({
        "confidence": "95%", "tolerableRate": "5%", "expectedRate": "6%", "distribution": "binomial", "populationSize": null
    })).unwrap();
    assert_eq!(none["sampleSize"], Value::Null);
    assert!(none["shortfall"].as_str().unwrap().contains("no sample size exists"));

    let seed = h.call("seed_propose", json!({})).unwrap();
    assert_eq!(seed.as_str().unwrap().len(), 20);
    let planning = json!({ "kind": "statistical", "confidence": "0.95", "tolerableRate": "0.1", "expectedRate": "0", "distribution": "binomial" });
    let request = json!({
        "method": "random", "size": 5, "seed": seed, "strata": null, "basis": "5 items for the test",
        "replaceReason": null, "planning": planning
    });
    let sample = h.call("sample_draw", json!({ "control": "CC8.1-02", "request": request })).unwrap();
    assert_eq!(sample["items"].as_array().unwrap().len(), 5);
    assert_eq!(sample["approach"]["kind"], "statistical");
    assert_eq!(sample["approach"]["plannedSize"], 29, "AICPA Table A-1: 95%, 10% tolerable, none expected");
    assert!(sample["warning"].as_str().unwrap().contains("fewer than the 29"), "{}", sample["warning"]);
    assert_eq!(sample["seedProposed"], true, "the seed the shell proposed, unchanged");
    assert_eq!((sample["drawNumber"].clone(), sample["draws"].clone()), (json!(1), json!(1)));

    let again = h.call("sample_draw", json!({ "control": "CC8.1-02", "request": request })).unwrap_err();
    assert_eq!(again["code"], "invalid", "drawing again needs a reason");
    let checks = h.call("sample_verify", json!({ "control": "CC8.1-02" })).unwrap();
    assert_eq!(checks[0]["matches"], true);

    let control = h.call("controls_list", json!({})).unwrap();
    let attributes =
        control.as_array().unwrap().iter().find(|c| c["code"] == "CC8.1-02").unwrap()["attributes"].clone();
    let attribute = attributes[0]["label"].clone();
    let recorded = h
        .call(
            "result_record",
            json!({ "control": "CC8.1-02", "ordinal": 1, "attribute": attribute, "outcome": "pass", "comment": "" }),
        )
        .unwrap();
    assert_eq!(recorded["result"]["outcome"], "pass");
    assert_eq!(recorded["result"]["testedBy"], "Dana Whitfield");
    // The progress the testing screen shows, as the engine counts it: 1 cell of 5 items × the
    // control's attributes, no item fully tested yet.
    let cells = 5 * attributes.as_array().unwrap().len();
    let progress =
        json!({ "tested": 0, "total": 5, "voided": 0, "cells": 1, "totalCells": cells, "deviations": 0, "allNa": [] });
    assert_eq!(recorded["progress"], progress);
    let err = h
        .call(
            "result_record",
            json!({ "control": "CC8.1-02", "ordinal": 2, "attribute": attribute, "outcome": "exception", "comment": " " }),
        )
        .unwrap_err();
    assert_eq!(err, json!({ "code": "invalid", "message": "an exception needs a description of what was found" }));

    let testing = h.call("testing_load", json!({ "control": "CC8.1-02" })).unwrap();
    assert_eq!(testing["results"].as_array().unwrap().len(), 1);
    assert_eq!(testing["progress"], progress);
    let view = h.call("conclusion_load", json!({ "control": "CC8.1-02" })).unwrap();
    // One attribute of one item recorded: nothing is fully tested, so nothing is proposed.
    assert_eq!(view["evaluation"]["listedItems"], 5);
    assert_eq!(view["evaluation"]["testedItems"], 0);
    assert_eq!(view["evaluation"]["proposal"], Value::Null);
    assert!(view["evaluation"]["blocker"].as_str().unwrap().contains("5 of 5 items of CC8.1-02 are not fully tested"));
    let early = h.call("sign_off", json!({ "control": "CC8.1-02", "role": "preparer", "signer": "Dana Whitfield" }));
    assert_eq!(early.unwrap_err()["code"], "invalid", "no conclusion yet");

    // Void item 2 (it cannot be tested) and get its replacement, item 6.
    let err = h.call("sample_void", json!({ "control": "CC8.1-02", "ordinal": 2, "reason": "" })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("needs the reason"), "{err}");
    let voided = h
        .call(
            "sample_void",
            json!({ "control": "CC8.1-02", "ordinal": 2, "reason": "deployment rolled back before go-live" }),
        )
        .unwrap();
    assert_eq!(voided["items"][1]["void"]["replacement"], 6);
    assert_eq!(voided["items"][5]["replaces"], 2);
    assert_eq!(voided["items"][5]["fields"].as_array().unwrap().len(), voided["columns"].as_array().unwrap().len());
}

#[test]
fn an_exclusion_scopes_the_frame_before_the_draw_and_is_refused_after_it() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let before = h.call("population_current", json!({ "control": "CC6.3-01" })).unwrap();
    let err = h
        .call(
            "population_exclude",
            json!({ "control": "CC6.3-01", "rule": "column:Nope=x", "reason": "r", "replaceSample": null }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("no column \"Nope\""), "{err}");
    let p = h
        .call(
            "population_exclude",
            json!({ "control": "CC6.3-01", "rule": "column:Termination Reason=End of Fixed-Term Contract",
                    "reason": "contractors are off-boarded by the staffing agency (CC6.3-02)", "replaceSample": null }),
        )
        .unwrap();
    let removed = p["exclusions"][0]["rowsRemoved"].as_u64().unwrap();
    assert!(removed > 0);
    assert_eq!(p["frameSize"].as_u64().unwrap(), before["itemCount"].as_u64().unwrap() - removed);
    assert_eq!(p["exclusions"][0]["excludedBy"], "Dana Whitfield");
}

#[test]
fn interviews_are_added_and_edited_and_a_bad_date_is_refused() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let mut input = json!({
        "heldOn": "2026-03-14", "interviewee": "Priya Raman", "role": "Release manager", "attendees": ["Dana Whitfield"],
        "topics": "Change approvals", "notes": "Walked through the CAB process.", "controls": ["CC8.1-01"]
    });
    let added = h.call("interview_add", json!({ "input": input })).unwrap();
    assert_eq!(added["controls"], json!(["CC8.1-01"]));
    input["role"] = json!("Head of release management");
    let edited = h.call("interview_edit", json!({ "id": added["id"], "input": input })).unwrap();
    assert_eq!(edited["role"], "Head of release management");
    assert!(h.call("interviews_list", json!({})).unwrap().as_array().unwrap().iter().any(|i| i["id"] == added["id"]));

    input["heldOn"] = json!("14/03/2026");
    let err = h.call("interview_add", json!({ "input": input })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("14/03/2026"));
}

#[test]
fn the_demos_sample_is_tested_extended_by_the_expansion_rule_concluded_reviewed_and_exported() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let c = "CC8.1-01";
    let rows = h.call("frequency_table", json!({})).unwrap();
    assert!(
        rows.as_array().unwrap().iter().any(|r| r["frequency"] == "daily" && r["lower"] == 20 && r["higher"] == 40)
    );
    // Event-driven: the scoped frame's 1,955 occurrences fall in the multiple-daily row (25–60).
    let plan = h.call("plan_frequency", json!({ "control": c, "frequency": "event-driven", "risk": "lower" })).unwrap();
    assert_eq!(plan["sampleSize"], 25);
    assert!(plan["basis"].as_str().unwrap().contains("1955 occurrences"), "{plan}");
    assert_eq!(h.call("plan_test_of_one", json!({ "rationale": " " })).unwrap_err()["code"], "sampling");
    assert_eq!(h.call("plan_test_of_one", json!({ "rationale": "configured in Okta" })).unwrap()["sampleSize"], 1);

    // The demo's sample: 25 drawn, item 3 voided and replaced by item 26.
    let sample = h.call("sample_current", json!({ "control": c })).unwrap();
    assert_eq!(sample["items"].as_array().unwrap().len(), 26);
    assert!(sample["items"][2]["void"].is_object());
    let tested: Vec<u64> = (1..=26).filter(|&o| o != 3).collect();
    let record = |ordinal: u64, label: &str, outcome: &str, comment: &str| {
        h.call(
            "result_record",
            json!({ "control": c, "ordinal": ordinal, "attribute": label, "outcome": outcome, "comment": comment }),
        )
        .unwrap();
    };
    for &o in &tested {
        for a in ["A", "B", "C"] {
            if (o, a) == (4, "B") {
                record(o, a, "exception", "no evidence of testing");
            } else {
                record(o, a, "pass", "");
            }
        }
    }
    let x = h
        .call(
            "exception_record",
            json!({ "control": c, "ordinal": 4, "input": {
                "narrative": "No test evidence before deployment.", "cause": "hotfix", "isolated": true, "managementResponse": ""
            } }),
        )
        .unwrap();
    assert_eq!(x["ordinal"], 4);
    let evidence = h
        .call("evidence_add_reference", json!({ "control": c, "ordinal": 4, "reference": "PBC-031 ticket history" }))
        .unwrap();
    assert_eq!(evidence["kind"], "reference");

    // One deviation in a non-statistical sample: the expansion rule extends by the table's 25.
    let view = h.call("conclusion_load", json!({ "control": c })).unwrap();
    assert_eq!(view["evaluation"]["testedItems"], 25);
    assert_eq!(view["evaluation"]["upperDeviationLimit"], Value::Null, "no limit for a non-statistical sample");
    assert_eq!(view["evaluation"]["proposal"]["kind"], "sample-too-small");
    assert_eq!(view["evaluation"]["proposal"]["extendTo"], 51);
    let err = h.call("conclude", json!({ "control": c, "kind": null, "reason": null })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("give the conclusion and the reason"), "{err}");
    let extended = h.call("sample_extend", json!({ "control": c, "newSize": 51 })).unwrap();
    assert_eq!(extended["items"].as_array().unwrap().len(), 51);
    for o in 27..=51 {
        for a in ["A", "B", "C"] {
            record(o, a, "pass", "");
        }
    }
    let concluded = h.call("conclude", json!({ "control": c, "kind": null, "reason": null })).unwrap();
    assert_eq!(concluded["proposed"], "exceptions-noted");

    h.call("sign_off", json!({ "control": c, "role": "preparer", "signer": "Dana Whitfield" })).unwrap();
    let note = h
        .call("review_note_add", json!({ "control": c, "text": "Tie item 4 to PBC-031.", "by": "Marcus Oyelaran" }))
        .unwrap();
    let blocked =
        h.call("sign_off", json!({ "control": c, "role": "reviewer", "signer": "Marcus Oyelaran" })).unwrap_err();
    assert!(blocked["message"].as_str().unwrap().contains("review note"), "{blocked}");
    let answered = h
        .call(
            "review_note_answer",
            json!({ "id": note["id"], "answer": "Linked in the exception.", "by": "Dana Whitfield" }),
        )
        .unwrap();
    assert_eq!(answered["status"], "answered");
    assert_eq!(
        h.call("review_note_clear", json!({ "id": note["id"], "by": "Marcus Oyelaran" })).unwrap()["status"],
        "cleared"
    );
    h.call("sign_off", json!({ "control": c, "role": "reviewer", "signer": "Marcus Oyelaran" })).unwrap();

    let out = h.dir.path().join("cc81.html");
    let exported =
        h.call("workpaper_export", json!({ "control": c, "format": "html", "file": h.write(&out) })).unwrap();
    assert_eq!(exported["files"].as_array().unwrap().len(), 1);
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("Closed as a duplicate of another ticket"), "the void's reason is in the workpaper");
    assert!(page.contains("Item fields"));
    let recent = h.call("recent_list", json!({})).unwrap();
    assert!(
        recent.as_array().unwrap().iter().any(|r| r["path"].as_str().unwrap().ends_with("demo.tickmark")),
        "{recent}"
    );
}

#[test]
fn controls_evidence_files_and_the_recent_list_through_the_commands() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    h.call("drops_watch", json!({ "onDrop": "__CHANNEL__:9" })).unwrap();
    h.call("population_import_cancel", json!({})).unwrap();
    let added = h
        .call(
            "control_add",
            json!({ "input": {
                "code": "CC9.9-01", "description": "Vendors are reviewed annually", "criteria": "CC9.2",
                "frequency": "annual", "nature": "manual", "owner": "CFO", "attributes": ["A: review signed"],
                "procedures": ["inspection: Inspected the signed vendor review"]
            } }),
        )
        .unwrap();
    assert_eq!(added["code"], "CC9.9-01");
    let matrix = h.dir.path().join("more-controls.csv");
    std::fs::write(&matrix, "id,description,criteria,frequency,nature,owner,attributes\nCC9.9-02,Insurance is renewed,CC9.1,annual,manual,CFO,A: policy in force\n").unwrap();
    let imported = h.call("controls_import", json!({ "file": h.read(&matrix), "sheet": null })).unwrap();
    assert!(imported.as_array().unwrap().iter().any(|c| c["code"] == "CC9.9-02"), "{imported}");

    // Evidence stored in the engagement and written back out byte for byte.
    let file = h.dir.path().join("approval.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n not really a picture").unwrap();
    let evidence =
        h.call("evidence_add_file", json!({ "control": "CC8.1-01", "ordinal": 1, "file": h.read(&file) })).unwrap();
    assert_eq!(evidence["kind"], "file");
    let out = h.dir.path().join("copy.png");
    h.call("evidence_export", json!({ "id": evidence["id"], "file": h.write(&out) })).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&file).unwrap());

    let recent = h.call("recent_list", json!({})).unwrap();
    let demo = recent.as_array().unwrap()[0]["path"].clone();
    let handle = recent.as_array().unwrap()[0]["handle"].clone();
    let left = h.call("recent_forget", json!({ "file": handle })).unwrap();
    assert!(!left.as_array().unwrap().iter().any(|r| r["path"] == demo), "{left}");
}

#[test]
fn the_demos_sample_re_performs_from_a_copy_of_the_client_file_and_a_changed_copy_is_named() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/acme/change_tickets.csv");
    let check = h.call("sample_reperform_file", json!({ "control": "CC8.1-01", "file": h.read(source) })).unwrap();
    assert_eq!(check["matches"], true, "{check}");
    assert_eq!(check["sameFile"], true);
    // 1,999 rows less the 44 the four exclusion rules remove; 25 items plus item 3's replacement.
    assert_eq!((check["frameSize"].clone(), check["itemsChecked"].clone()), (json!(1955), json!(26)));

    let sample = h.call("sample_current", json!({ "control": "CC8.1-01" })).unwrap();
    let first = sample["items"][0]["key"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(source).unwrap().replacen(&format!("{first},"), &format!("{first}-R,"), 1);
    let changed = h.dir.path().join("change_tickets_again.csv");
    std::fs::write(&changed, text).unwrap();
    let check = h.call("sample_reperform_file", json!({ "control": "CC8.1-01", "file": h.read(&changed) })).unwrap();
    assert_eq!((check["matches"].clone(), check["sameFile"].clone()), (json!(false), json!(false)));
    let differences = check["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 1, "{check}");
    assert!(differences[0].as_str().unwrap().starts_with(&format!("item 1: recorded key \"{first}\"")), "{check}");

    let err = h.call("sample_reperform_file", json!({ "control": "CC6.3-01", "file": h.read(source) })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has no sample"), "{err}");
}

#[test]
fn a_path_the_page_makes_up_is_refused_and_a_file_chosen_to_read_is_never_written() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/acme/change_tickets.csv");
    let secret = h.dir.path().join("secret.txt");
    std::fs::write(&secret, "not for the page").unwrap();
    let raw = |cmd: &str, args: Value| {
        let err = h.call(cmd, args).unwrap_err();
        assert_eq!(err["code"], "invalid", "{cmd}: {err}");
        assert!(err["message"].as_str().unwrap().contains("not chosen in this window"), "{cmd}: {err}");
    };
    // Each command that reads or writes a file, given a path instead of a handle.
    raw("source_preview", json!({ "file": source, "sheet": null }));
    raw("controls_import", json!({ "file": source, "sheet": null }));
    raw("engagement_open", json!({ "file": h.demo_path() }));
    let input = json!({
        "client": "Borealis Payments Ltd", "report": "soc2-type2", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
        "criteria": ["CC"], "firm": "", "preparer": "", "reviewer": ""
    });
    raw("engagement_create", json!({ "file": secret, "input": input }));
    raw("recent_forget", json!({ "file": h.demo_path() }));
    raw("evidence_add_file", json!({ "control": "CC8.1-01", "ordinal": 1, "file": "/etc/passwd" }));
    raw("evidence_export", json!({ "id": 1, "file": secret }));
    raw("workpaper_export", json!({ "control": null, "format": "html", "file": secret }));
    raw("sample_reperform_file", json!({ "control": "CC8.1-01", "file": source }));
    raw("requests_export", json!({ "control": null, "file": secret }));
    raw("requests_receive", json!({ "folder": h.dir.path() }));
    raw("rollforward_check", json!({ "prior": h.demo_path(), "periodStart": null, "periodEnd": null }));
    let next = h.dir.path().join("next.tickmark");
    raw(
        "engagement_rollforward",
        json!({ "prior": h.demo_path(), "file": h.write(&next), "periodStart": "2027-01-01", "periodEnd": "2027-12-31", "force": false }),
    );
    raw(
        "engagement_rollforward",
        json!({ "prior": h.read(h.demo_path()), "file": next, "periodStart": "2027-01-01", "periodEnd": "2027-12-31", "force": false }),
    );
    assert!(!next.exists());
    // A source chosen to be read cannot be the destination of an export.
    let err =
        h.call("workpaper_export", json!({ "control": null, "format": "html", "file": h.read(&secret) })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("was chosen to be read, not written"), "{err}");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "not for the page");
}

#[test]
fn an_encrypted_engagement_is_created_and_opened_with_its_passphrase_only() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let input = json!({
        "client": "Borealis Payments Ltd", "report": "soc2-type2", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
        "criteria": ["CC"], "firm": "", "preparer": "Dana Whitfield", "reviewer": ""
    });
    let path = h.dir.path().join("borealis.tickmark");
    let created = h.call(
        "engagement_create",
        json!({ "file": h.write(&path), "input": input, "passphrase": "correct horse battery staple" }),
    );
    assert_eq!(created.unwrap()["client"], "Borealis Payments Ltd");
    h.call("engagement_close", json!({})).unwrap();
    let head = std::fs::read(&path).unwrap();
    assert_ne!(&head[..16], b"SQLite format 3\0", "unreadable to plain SQLite");

    let file = h.read(&path);
    let err = h.call("engagement_open", json!({ "file": file, "passphrase": null })).unwrap_err();
    assert_eq!(err["code"], "encrypted");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .ends_with("give its passphrase (set TICKMARK_PASSPHRASE for the command line)")
    );
    let err = h.call("engagement_open", json!({ "file": file, "passphrase": "tr0ub4dor" })).unwrap_err();
    assert_eq!(err["code"], "encrypted");
    assert!(err["message"].as_str().unwrap().ends_with("wrong passphrase"), "{err}");
    let opened =
        h.call("engagement_open", json!({ "file": file, "passphrase": "correct horse battery staple" })).unwrap();
    assert_eq!(opened["client"], "Borealis Payments Ltd");
    assert_eq!(std::fs::read(&path).unwrap()[..16], head[..16], "still encrypted");
}

#[test]
fn the_dashboard_shows_the_demos_tested_control_and_coverage_rolls_it_up() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let rows = h.call("dashboard_load", json!({})).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), h.call("controls_list", json!({})).unwrap().as_array().unwrap().len());
    let row = rows.iter().find(|r| r["control"] == "CC6.1-01").unwrap();
    assert_eq!(row["population"], 24);
    assert_eq!(row["sample"], 4);
    assert_eq!(row["tested"], 4);
    assert_eq!(row["exceptions"], 1);
    assert_eq!(row["operating"], "exceptions-noted");
    assert_eq!(row["state"], "exceptions");
    assert_eq!(row["design"], "effective");
    assert_eq!(row["preparer"], "Dana Whitfield");
    assert_eq!(row["reviewer"], Value::Null);
    assert_eq!(row["deficiencyEvaluated"], true);
    assert_eq!((row["signedOff"].clone(), row["withExceptions"].clone()), (json!(false), json!(true)));
    assert!(row["procedureSteps"].as_u64().unwrap() > 0);
    let untested = rows.iter().find(|r| r["control"] == "CC8.1-01").unwrap();
    assert_eq!(untested["withExceptions"], false);
    assert_eq!(untested["operating"], Value::Null);

    let coverage = h.call("coverage_load", json!({})).unwrap();
    let criteria = coverage["criteria"].as_array().unwrap();
    let in_scope: Vec<&str> = criteria.iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert_eq!(in_scope.iter().filter(|c| **c == "CC").count(), 33, "every common criterion is listed");
    // CC5.2 is addressed by CC6.1-01 alone: its exception was evaluated as leaving it met.
    let cc52 = criteria.iter().find(|c| c["id"] == "CC5.2").unwrap();
    assert_eq!(cc52["state"], "met-with-exceptions", "{cc52}");
    assert_eq!(cc52["controls"], json!([{ "code": "CC6.1-01", "state": "exceptions" }]));
    let without: Vec<&Value> = criteria.iter().filter(|c| c["state"] == "no-control").collect();
    assert_eq!(coverage["withoutControl"].as_array().unwrap().len(), without.len());
    assert!(without.iter().all(|c| c["controls"].as_array().unwrap().is_empty()));
    assert_eq!(coverage["notMet"], json!([]));
}

#[test]
fn a_procedure_step_is_added_and_edited_and_a_walkthrough_concludes_on_design() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let before = h.call("procedures_list", json!({ "control": "CC8.1-01" })).unwrap();
    let n = before.as_array().unwrap().len();
    let after = h
        .call(
            "procedure_add",
            json!({ "control": "CC8.1-01", "input": { "nature": "re-performance", "text": "Re-performed the approval check" } }),
        )
        .unwrap();
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), n + 1);
    assert_eq!(
        after[n],
        json!({ "position": n + 1, "nature": "re-performance", "text": "Re-performed the approval check" })
    );
    let edited = h
        .call(
            "procedure_edit",
            json!({ "control": "CC8.1-01", "position": n + 1, "input": { "nature": "observation", "text": "Observed a deployment" } }),
        )
        .unwrap();
    assert_eq!(edited[n]["nature"], "observation");
    assert_eq!(edited[n]["text"], "Observed a deployment");
    assert_eq!(h.call("procedures_list", json!({ "control": "CC8.1-01" })).unwrap(), edited);

    // Bad input: no text, no such step, an unknown nature, no such control.
    let err = h
        .call("procedure_add", json!({ "control": "CC8.1-01", "input": { "nature": "inquiry", "text": "  " } }))
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("has no text"), "{err}");
    let err = h
        .call(
            "procedure_edit",
            json!({ "control": "CC8.1-01", "position": 99, "input": { "nature": "inquiry", "text": "x" } }),
        )
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has no procedure step 99"), "{err}");
    assert!(
        h.call("procedure_add", json!({ "control": "CC8.1-01", "input": { "nature": "looking", "text": "x" } }))
            .is_err()
    );
    let err = h
        .call(
            "walkthrough_record",
            json!({ "control": "ZZ-404", "input": {
            "narrative": "n", "traced": "t", "evidence": [], "interviews": [], "design": "effective" } }),
        )
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("ZZ-404"), "{err}");
    assert_eq!(h.call("procedures_list", json!({ "control": "CC8.1-01" })).unwrap(), edited, "unchanged by refusals");

    let err = h
        .call(
            "walkthrough_record",
            json!({ "control": "CC8.1-01", "input": {
            "narrative": " ", "traced": "CHG-1", "evidence": [], "interviews": [], "design": null } }),
        )
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has no narrative"), "{err}");
    let interview = h
        .call(
            "interview_add",
            json!({ "input": {
            "heldOn": "2026-10-02", "interviewee": "Priya Natarajan", "role": "Change manager", "attendees": [],
            "topics": "Change approval", "notes": "Walked through CHG-1042.", "controls": ["CC8.1-01"] } }),
        )
        .unwrap()["id"]
        .clone();
    let walkthrough = h
        .call(
            "walkthrough_record",
            json!({ "control": "CC8.1-01", "input": {
            "narrative": "Followed CHG-1042 from request to deployment.", "traced": "CHG-1042",
            "evidence": [], "interviews": [interview], "design": "not-effective" } }),
        )
        .unwrap();
    assert_eq!(walkthrough["design"], "not-effective");
    assert_eq!(walkthrough["concludedBy"], "Dana Whitfield");
    assert_eq!(walkthrough["interviews"], json!([interview]));
    assert_eq!(h.call("walkthrough_load", json!({ "control": "CC8.1-01" })).unwrap(), walkthrough);
    let row = h.call("dashboard_load", json!({})).unwrap();
    let row = row.as_array().unwrap().iter().find(|r| r["control"] == "CC8.1-01").unwrap().clone();
    assert_eq!(row["design"], "not-effective");
}

#[test]
fn a_deficiency_is_refused_on_a_control_without_exceptions_and_read_back_on_the_tested_one() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let input = json!({
        "deviation": "the review was late", "itemsNoun": "reviews", "cause": "leave", "isolated": true,
        "criteria": [{ "criterion": "CC8.1", "met": true }], "compensating": [], "managementResponse": ""
    });
    let err = h.call("deficiency_record", json!({ "control": "CC8.1-01", "input": input })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert_eq!(err["message"], "CC8.1-01 has no exceptions recorded, so it has no deficiency to evaluate");
    assert_eq!(h.call("deficiency_load", json!({ "control": "CC8.1-01" })).unwrap(), Value::Null);

    let demo = h.call("deficiency_load", json!({ "control": "CC6.1-01" })).unwrap();
    assert_eq!(demo["itemsNoun"], "quarterly access reviews");
    assert_eq!(demo["compensating"][0]["control"], "CC6.3-01");
    assert!(demo["criteria"].as_array().unwrap().iter().all(|c| c["met"] == true));

    // A control cannot compensate for itself; a criterion it does not address is named.
    let mut again = json!({
        "deviation": demo["deviation"], "itemsNoun": demo["itemsNoun"], "cause": demo["cause"], "isolated": false,
        "criteria": [{ "criterion": "CC6.1", "met": false }], "compensating": ["CC6.1-01"],
        "managementResponse": demo["managementResponse"]
    });
    let err = h.call("deficiency_record", json!({ "control": "CC6.1-01", "input": again })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("cannot compensate for itself"), "{err}");
    again["compensating"] = json!([]);
    again["criteria"] = json!([{ "criterion": "CC9.2", "met": true }]);
    let err = h.call("deficiency_record", json!({ "control": "CC6.1-01", "input": again })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("does not address CC9.2"), "{err}");

    again["criteria"] = json!([{ "criterion": "CC6.1", "met": false }]);
    let recorded = h.call("deficiency_record", json!({ "control": "CC6.1-01", "input": again })).unwrap();
    assert_eq!(recorded["isolated"], false);
    let coverage = h.call("coverage_load", json!({})).unwrap();
    assert_eq!(coverage["notMet"], json!(["CC6.1"]));
}

#[test]
fn control_objectives_belong_to_soc1_engagements() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    assert_eq!(h.call("objectives_list", json!({})).unwrap(), json!([]));
    let err =
        h.call("objective_add", json!({ "input": { "code": "CO1", "title": "Changes are authorised" } })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("belong to SOC 1"), "{err}");

    let input = json!({
        "client": "Borealis Payments Ltd", "report": "soc1-type1", "periodStart": "2026-06-30", "periodEnd": "2026-06-30",
        "criteria": ["CC"], "firm": "Harlow & Reyes LLP", "preparer": "Dana Whitfield", "reviewer": "Marcus Oyelaran"
    });
    let path = h.dir.path().join("borealis.tickmark");
    h.call("engagement_create", json!({ "file": h.write(&path), "input": input })).unwrap();
    let added =
        h.call("objective_add", json!({ "input": { "code": "CO1", "title": "Changes are authorised" } })).unwrap();
    assert_eq!(added, json!({ "code": "CO1", "title": "Changes are authorised" }));
    let err = h.call("objective_add", json!({ "input": { "code": "CO2", "title": " " } })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has no title"), "{err}");
    assert_eq!(h.call("objectives_list", json!({})).unwrap(), json!([added]));
    let coverage = h.call("coverage_load", json!({})).unwrap();
    assert_eq!(coverage["criteria"][0]["category"], "objective");
    assert_eq!(coverage["withoutControl"], json!(["CO1"]));

    // A Type 1 control is concluded on design and signed off without a sample.
    h.call(
        "control_add",
        json!({ "input": {
            "code": "BIL-01", "description": "Billing changes are approved", "criteria": "CO1",
            "frequency": "event-driven", "nature": "manual", "owner": "CFO", "attributes": [],
            "procedures": ["inspection: Inspected the approval of a billing change"]
        } }),
    )
    .unwrap();
    let err =
        h.call("sign_off", json!({ "control": "BIL-01", "role": "preparer", "signer": "Dana Whitfield" })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has no design conclusion yet"), "{err}");
    h.call(
        "walkthrough_record",
        json!({ "control": "BIL-01", "input": {
            "narrative": "Traced a rate change to its approval", "traced": "CHG-7", "evidence": [], "interviews": [], "design": "effective" } }),
    )
    .unwrap();
    let view = h.call("conclusion_load", json!({ "control": "BIL-01" })).unwrap();
    assert_eq!(view["evaluation"], Value::Null, "no sample in a Type 1");
    let signed =
        h.call("sign_off", json!({ "control": "BIL-01", "role": "preparer", "signer": "Dana Whitfield" })).unwrap();
    assert_eq!(signed["signer"], "Dana Whitfield");
}

#[test]
fn section4_is_refused_while_controls_are_open_and_written_as_a_marked_draft() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let out = h.dir.path().join("acme-section4.docx");
    let err = h.call("section4_export", json!({ "draft": false, "file": h.write(&out) })).unwrap_err();
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("CC8.1-01"), "the controls not concluded are listed: {message}");
    assert!(!out.exists(), "nothing is written");
    let written = h.call("section4_export", json!({ "draft": true, "file": h.write(&out) })).unwrap();
    assert_eq!(written["draft"], true);
    assert_eq!(written["controls"], 16);
    assert_eq!(written["file"]["name"], "acme-section4.docx");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(written["file"]["bytes"], bytes.len());
    assert!(bytes.starts_with(b"PK"), "a Word document is a zip package");
}

#[test]
fn requests_are_generated_listed_received_from_a_folder_judged_and_written_for_the_client() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    assert_eq!(h.call("requests_list", json!({ "control": null })).unwrap(), json!([]));
    let err = h.call("requests_generate", json!({ "control": null, "due": "15/12/2026" })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("\"15/12/2026\" is not a date"), "{err}");

    // One control first, then every control: the first requests are not made twice.
    let one = h.call("requests_generate", json!({ "control": "CC6.1-01", "due": "2026-12-15" })).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 5, "four sampled reviews and the control: {one}");
    let all = h.call("requests_generate", json!({ "control": null, "due": "2026-12-20" })).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 16 + 25 + 4, "one per control, one per sampled item (a voided item aside)");
    let find = |list: &Value, code: &str| list.as_array().unwrap().iter().find(|r| r["code"] == code).cloned();
    let listed = h.call("requests_list", json!({ "control": null })).unwrap();
    let item = find(&listed, "CC6.1-01-02").unwrap();
    assert_eq!((item["due"].as_str(), item["status"].as_str()), (Some("2026-12-15"), Some("open")));
    assert_eq!(item["key"], "UAR-2026Q3-SNOWFLAKE");
    assert_eq!(item["ordinal"], 2);
    assert!(item["asked"].as_str().unwrap().starts_with("Evidence showing, for this item:"), "{item}");
    assert!(item["ageDays"].as_i64().unwrap() >= 0 && item["overdueDays"].is_i64(), "{item}");
    let control = find(&listed, "CC8.1-01-C").unwrap();
    assert_eq!((control["ordinal"].clone(), control["key"].clone()), (Value::Null, Value::Null));
    assert!(find(&listed, "CC8.1-01-03").is_none(), "the voided item is not asked for");
    assert_eq!(h.call("requests_list", json!({ "control": "CC8.1-01" })).unwrap().as_array().unwrap().len(), 26);

    // The client's folder: a match, the same file twice, a name that matches nothing.
    let back = h.dir.path().join("returned");
    std::fs::create_dir(&back).unwrap();
    std::fs::write(back.join("CC8.1-01-07 approval.png"), b"approval of item 7").unwrap();
    std::fs::write(back.join("CC8.1-01-07 approval (copy).png"), b"approval of item 7").unwrap();
    std::fs::write(back.join("CC6.1-01-C policy.pdf"), b"the access review policy").unwrap();
    std::fs::write(back.join("notes from the client.txt"), b"hello").unwrap();
    let got = h.call("requests_receive", json!({ "folder": h.read(&back) })).unwrap();
    assert_eq!(got["folder"], back.display().to_string());
    let stored = got["stored"].as_array().unwrap();
    assert_eq!(stored.len(), 2, "{got}");
    // In the folder's name order; of two files with the same content, the first is stored.
    assert_eq!(stored[0]["file"], "CC6.1-01-C policy.pdf");
    assert_eq!(
        (stored[1]["request"].as_str(), stored[1]["file"].as_str()),
        (Some("CC8.1-01-07"), Some("CC8.1-01-07 approval (copy).png"))
    );
    assert_eq!(stored[1]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(got["duplicates"], json!(["CC8.1-01-07 approval.png"]));
    assert_eq!(got["unmatched"], json!(["notes from the client.txt"]));
    assert_eq!(got["stillOpen"].as_array().unwrap().len(), 45 - 2);
    let listed = h.call("requests_list", json!({ "control": null })).unwrap();
    assert_eq!(find(&listed, "CC8.1-01-07").unwrap()["status"], "received");
    assert!(find(&listed, "CC8.1-01-07").unwrap()["receivedAt"].is_string());

    // A folder holding a folder is refused whole, and so is a file dropped instead of a folder.
    std::fs::create_dir(back.join("more")).unwrap();
    std::fs::write(back.join("CC8.1-01-08 ticket.png"), b"item 8").unwrap();
    let err = h.call("requests_receive", json!({ "folder": h.read(&back) })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("more (a folder)"), "{err}");
    assert_eq!(
        find(&h.call("requests_list", json!({ "control": null })).unwrap(), "CC8.1-01-08").unwrap()["status"],
        "open"
    );
    let err = h.call("requests_receive", json!({ "folder": h.read(back.join("CC8.1-01-08 ticket.png")) })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("is not a folder of returned files"), "{err}");

    // Accept; reject needs a reason; an open request has nothing to judge.
    let err = h.call("request_reject", json!({ "code": "CC6.1-01-C", "reason": "  " })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("needs the reason"), "{err}");
    let rejected =
        h.call("request_reject", json!({ "code": "CC6.1-01-C", "reason": "The policy is the 2024 version" })).unwrap();
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("rejected"), Some("The policy is the 2024 version"))
    );
    let accepted = h.call("request_accept", json!({ "code": "CC8.1-01-07" })).unwrap();
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["closedBy"].is_string());
    let err = h.call("request_accept", json!({ "code": "CC8.1-01-08" })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("has received nothing yet"), "{err}");

    // The client's list, through the save dialog's handle.
    let out = h.dir.path().join("acme-requests.xlsx");
    let written = h.call("requests_export", json!({ "control": "CC6.1-01", "file": h.write(&out) })).unwrap();
    assert_eq!(written["requests"], 5);
    assert_eq!(written["file"]["name"], "acme-requests.xlsx");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(written["file"]["bytes"], bytes.len());
    assert!(bytes.starts_with(b"PK"), "a workbook is a zip package");
}

#[test]
fn next_years_engagement_is_rolled_forward_from_the_open_one_and_its_carried_controls_are_confirmed() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let prior = h.read(h.demo_path());
    // The prior is the open engagement: read through this window's lock, never written.
    let before = std::fs::read(h.demo_path()).unwrap();
    let check = h.call("rollforward_check", json!({ "prior": prior, "periodStart": null, "periodEnd": null })).unwrap();
    assert_eq!(check["prior"]["client"], "Acme Cloud, Inc.");
    assert_eq!(check["controls"], 16);
    assert_eq!(
        (check["proposedStart"].as_str(), check["proposedEnd"].as_str(), check["nextStart"].as_str()),
        (Some("2027-01-01"), Some("2027-12-31"), Some("2027-01-01"))
    );
    assert_eq!(check["follows"], Value::Null);
    let asked = |start: &str, end: &str| {
        h.call("rollforward_check", json!({ "prior": prior, "periodStart": start, "periodEnd": end })).unwrap()["follows"]
            .clone()
    };
    assert_eq!(asked("2027-01-01", "2027-12-31"), json!(true));
    assert_eq!(asked("2027-02-01", "2028-01-31"), json!(false));
    let err = h
        .call("rollforward_check", json!({ "prior": prior, "periodStart": "2027-12-31", "periodEnd": "2027-01-01" }))
        .unwrap_err();
    assert_eq!(err["code"], "invalid");

    // A period that does not follow is refused unless forced; an existing file always.
    let next = h.dir.path().join("acme-2027.tickmark");
    let roll = |file: &std::path::Path, start: &str, end: &str, force: bool| {
        h.call(
            "engagement_rollforward",
            json!({ "prior": prior, "file": h.write(file), "periodStart": start, "periodEnd": end, "force": force }),
        )
    };
    let err = roll(&next, "2027-02-01", "2028-01-31", false).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("does not follow the prior one"), "{err}");
    assert!(!next.exists());
    let taken = h.dir.path().join("taken.tickmark");
    std::fs::write(&taken, b"someone else's file").unwrap();
    let err = roll(&taken, "2027-01-01", "2027-12-31", false).unwrap_err();
    assert_eq!(err["code"], "already_exists");
    assert_eq!(std::fs::read(&taken).unwrap(), b"someone else's file");

    let done = roll(&next, "2027-01-01", "2027-12-31", false).unwrap();
    assert_eq!(done["engagement"]["path"], next.display().to_string());
    assert_eq!(
        (done["engagement"]["periodStart"].as_str(), done["engagement"]["periodEnd"].as_str()),
        (Some("2027-01-01"), Some("2027-12-31"))
    );
    assert_eq!((done["controls"].clone(), done["walkthroughs"].as_u64().unwrap() > 0), (json!(16), true));
    assert_eq!(done["followUps"], 2, "CC6.1-01's exception and deficiency are to follow up: {done}");
    assert_eq!(done["priorHead"].as_str().unwrap().len(), 64);
    assert_eq!(std::fs::read(h.demo_path()).unwrap(), before, "the prior engagement is read, never written");

    // The new engagement is the open one: its dashboard counts what is carried and not confirmed.
    let rows = h.call("dashboard_load", json!({})).unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["control"] == "CC8.1-01").unwrap().clone();
    assert_eq!((row["unconfirmed"].clone(), row["sample"].clone()), (json!(2), Value::Null));
    let carried = h.call("carried_load", json!({ "control": "CC8.1-01" })).unwrap();
    assert_eq!(carried, json!({ "control": "CC8.1-01", "unconfirmed": ["control", "walkthrough"], "followUps": [] }));
    let carried = h.call("carried_load", json!({ "control": "CC6.1-01" })).unwrap();
    let kinds: Vec<_> = carried["followUps"].as_array().unwrap().iter().map(|f| f["kind"].clone()).collect();
    assert_eq!(kinds, [json!("exception"), json!("deficiency")], "{carried}");
    assert_eq!(h.call("carried_confirm", json!({ "control": "CC8.1-01" })).unwrap(), json!(["control", "walkthrough"]));
    assert_eq!(h.call("carried_load", json!({ "control": "CC8.1-01" })).unwrap()["unconfirmed"], json!([]));
    let err = h.call("carried_confirm", json!({ "control": "CC8.1-01" })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("nothing carried forward left to confirm"), "{err}");

    // The prior can be rolled forward again from the file, now that another engagement is open.
    let forced = h.dir.path().join("acme-2027-feb.tickmark");
    let done = roll(&forced, "2027-02-01", "2028-01-31", true).unwrap();
    assert_eq!(done["engagement"]["periodStart"], "2027-02-01");
}

#[test]
fn an_encrypted_prior_rolls_forward_with_its_passphrase_into_an_encrypted_file() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let input = json!({
        "client": "Borealis Payments Ltd", "report": "soc2-type2", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
        "criteria": ["CC"], "firm": "", "preparer": "Dana Whitfield", "reviewer": ""
    });
    let prior = h.dir.path().join("borealis.tickmark");
    let key = "correct horse battery staple";
    h.call("engagement_create", json!({ "file": h.write(&prior), "input": input, "passphrase": key })).unwrap();
    h.call("engagement_close", json!({})).unwrap();
    let handle = h.read(&prior);
    let err =
        h.call("rollforward_check", json!({ "prior": handle, "periodStart": null, "periodEnd": null })).unwrap_err();
    assert_eq!(err["code"], "encrypted");
    let check = h
        .call(
            "rollforward_check",
            json!({ "prior": handle, "periodStart": null, "periodEnd": null, "passphrase": key }),
        )
        .unwrap();
    assert_eq!(check["prior"]["client"], "Borealis Payments Ltd");
    let next = h.dir.path().join("borealis-2027.tickmark");
    let done = h
        .call(
            "engagement_rollforward",
            json!({ "prior": handle, "file": h.write(&next), "periodStart": "2027-01-01", "periodEnd": "2027-12-31",
                    "force": false, "passphrase": key }),
        )
        .unwrap();
    assert_eq!(done["engagement"]["periodStart"], "2027-01-01");
    assert_ne!(&std::fs::read(&next).unwrap()[..16], b"SQLite format 3\0", "the new file is encrypted too");
    h.call("engagement_close", json!({})).unwrap();
    let err = h.call("engagement_open", json!({ "file": h.read(&next), "passphrase": null })).unwrap_err();
    assert_eq!(err["code"], "encrypted");
}
