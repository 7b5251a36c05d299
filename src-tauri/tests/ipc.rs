//! The commands as the webview calls them: through Tauri's IPC on the mock runtime, with the
//! demo engagement built in a temporary data directory.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use tickmark_app::Launch;

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
    let err = h.call("engagement_open", json!({ "path": missing })).unwrap_err();
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
    let created = h.call("engagement_create", json!({ "path": path, "input": input })).unwrap();
    assert_eq!(created["client"], "Borealis Payments Ltd");
    assert_eq!(created["report"], "soc1-type2");
    assert_eq!(created["criteria"], json!(["CC", "A"]));
    assert_eq!(h.call("controls_list", json!({})).unwrap(), json!([]));

    let again = h.call("engagement_create", json!({ "path": path, "input": input })).unwrap_err();
    assert_eq!(again["code"], "already_exists");
}

#[test]
fn an_engagement_the_cli_holds_is_refused_as_locked() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    h.call("engagement_close", json!({})).unwrap();
    let held = tickmark::Engagement::open(&h.demo_path()).unwrap();
    let err = h.call("engagement_open", json!({ "path": h.demo_path() })).unwrap_err();
    assert_eq!(err["code"], "locked");
    drop(held);
    assert_eq!(h.call("engagement_open", json!({ "path": h.demo_path() })).unwrap()["client"], "Acme Cloud, Inc.");
}

#[test]
fn a_population_is_imported_accepted_and_paged() {
    let h = Harness::new();
    h.call("app_start", json!({})).unwrap();
    let source = h.dir.path().join("demo-sources").join("terminations.csv");
    let preview = h.call("source_preview", json!({ "path": source, "sheet": null })).unwrap();
    assert_eq!(preview["format"], "csv");
    let key = preview["guessedKey"].clone();
    assert!(key.is_string());

    let mapping =
        json!({ "key": key, "date": preview["guessedDate"], "amount": null, "sheet": null, "dateFormat": null });
    let population = h
        .call(
            "population_import",
            json!({ "control": "CC6.3-01", "path": source, "mapping": mapping, "onProgress": "__CHANNEL__:7" }),
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
            json!({ "control": "CC6.3-01", "path": source, "mapping": mapping, "onProgress": "__CHANNEL__:8" }),
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
    let attribute =
        control.as_array().unwrap().iter().find(|c| c["code"] == "CC8.1-02").unwrap()["attributes"][0]["label"].clone();
    let result = h
        .call(
            "result_record",
            json!({ "control": "CC8.1-02", "ordinal": 1, "attribute": attribute, "outcome": "pass", "comment": "" }),
        )
        .unwrap();
    assert_eq!(result["outcome"], "pass");
    assert_eq!(result["testedBy"], "Dana Whitfield");
    let err = h
        .call(
            "result_record",
            json!({ "control": "CC8.1-02", "ordinal": 2, "attribute": attribute, "outcome": "exception", "comment": " " }),
        )
        .unwrap_err();
    assert_eq!(err, json!({ "code": "invalid", "message": "an exception needs a description of what was found" }));

    let testing = h.call("testing_load", json!({ "control": "CC8.1-02" })).unwrap();
    assert_eq!(testing["results"].as_array().unwrap().len(), 1);
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
