//! Team fieldwork through the commands as the webview calls them: the demo's in-charge hands
//! CC8.1-01 to Ravi, Ravi records item 4 attribute B in his working copy (opened in the app,
//! acting as himself), the in-charge records it too, and the returned copy is merged with the
//! conflict resolved on the merge screen's terms.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use tickmark::identity::NamedKey;
use tickmark_app::files::Access;
use tickmark_app::{AppState, Launch};

const DANA: &str = "Dana Whitfield";
const RAVI: &str = "Ravi Patel";

/// One signing-key folder for the whole run, kept until the process ends: the app's actors
/// read it (the first one set wins), and Ravi must sign in his copy with the key pinned for him.
static KEYS: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap().keep();
    tickmark_app::state::set_identity_dir(dir.clone());
    dir
});

struct Harness {
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        LazyLock::force(&KEYS);
        let dir = tempfile::tempdir().unwrap();
        let launch = Launch { data_dir: Some(dir.path().to_path_buf()), ..Launch::default() };
        let app = tickmark_app::builder(mock_builder(), launch).build(mock_context(noop_assets())).unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Harness { app, webview, dir }
    }

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

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone()).unwrap_or_else(|e| panic!("{cmd} {args}: {e}"))
    }

    fn read(&self, path: &Path) -> String {
        self.app.state::<AppState>().files.issue(path.to_path_buf(), Access::Read).handle
    }

    fn write(&self, path: &Path) -> String {
        self.app.state::<AppState>().files.issue(path.to_path_buf(), Access::Write).handle
    }

    fn demo(&self) -> PathBuf {
        self.dir.path().join("demo.tickmark")
    }

    fn open(&self, path: &Path) {
        self.ok("engagement_open", json!({ "file": self.read(path) }));
    }

    fn record(&self, item: u64, attribute: &str, outcome: &str, comment: &str) -> Result<Value, Value> {
        self.call(
            "result_record",
            json!({ "control": "CC8.1-01", "ordinal": item, "attribute": attribute, "outcome": outcome, "comment": comment }),
        )
    }
}

/// The demo open in the app with Ravi's key pinned by its in-charge (as `identity import`
/// would, with the engagement closed in the app meanwhile).
fn demo_with_ravi_pinned() -> Harness {
    let h = Harness::new();
    h.ok("app_start", json!({}));
    h.ok("engagement_close", json!({}));
    let ravi = tickmark_app::state::actor(Some(RAVI)).unwrap();
    let key = NamedKey { name: RAVI.into(), key: ravi.identity.as_ref().unwrap().public_key() };
    let mut eng = tickmark::Engagement::open(&h.demo()).unwrap();
    eng.pin_signer(&key, &tickmark_app::state::actor(Some(DANA)).unwrap()).unwrap();
    drop(eng);
    h.open(&h.demo());
    h
}

#[test]
fn controls_go_only_to_a_pinned_colleague_and_the_team_screen_lists_who_holds_them() {
    let h = demo_with_ravi_pinned();
    let team = h.ok("team_load", json!({}));
    assert_eq!(team["handoffs"], json!([]));
    assert_eq!(team["workingCopy"], Value::Null);
    let colleagues: Vec<&str> =
        team["colleagues"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(colleagues, [RAVI], "only a colleague whose key is pinned can take controls");
    assert_eq!(team["colleagues"][0]["pinnedBy"], DANA);

    // Sam's key was never pinned: nothing is handed to him, and no file is written.
    let sams = h.dir.path().join("demo.sam-ortiz.tickmark");
    let err = h
        .call(
            "team_handoff",
            json!({ "assignee": "Sam Ortiz", "controls": ["CC8.1-01"], "file": h.write(&sams), "passphrase": null }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("Sam Ortiz has no signing key pinned"), "{err}");
    assert!(!sams.exists());

    let copy = h.dir.path().join("demo.ravi-patel.tickmark");
    let out = h.ok(
        "team_handoff",
        json!({ "assignee": RAVI, "controls": ["CC8.1-01", "CC6.1-01"], "file": h.write(&copy), "passphrase": "" }),
    );
    assert_eq!(out["assignee"], RAVI);
    assert_eq!(out["controls"], json!(["CC8.1-01", "CC6.1-01"]));
    assert_eq!(out["outBy"], DANA);
    assert!(copy.is_file());

    let team = h.ok("team_load", json!({}));
    let listed = &team["handoffs"][0];
    assert_eq!((listed["assignee"].as_str(), listed["mergedAt"].as_str()), (Some(RAVI), None));
    assert_eq!(listed["mergeEvent"], Value::Null);
    // A control already out is refused, naming who holds it.
    let again = h.dir.path().join("again.tickmark");
    let err = h
        .call("team_handoff", json!({ "assignee": RAVI, "controls": ["CC6.1-01"], "file": h.write(&again) }))
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("already handed off to Ravi Patel"), "{err}");

    // Recalling needs a reason; then the copy is listed as recalled and its controls are free.
    let branch = listed["branch"].as_str().unwrap();
    let err = h.call("team_recall", json!({ "branch": branch, "reason": " " })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("say why"), "{err}");
    let recalled = h.ok("team_recall", json!({ "branch": branch, "reason": "laptop lost" }));
    assert_eq!(recalled["recallReason"], "laptop lost");
    assert_eq!(recalled["recalledBy"], DANA);
    let err = h.call("team_merge_plan", json!({ "file": h.read(&copy) })).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("was recalled"), "{err}");
}

#[test]
fn a_returned_copy_merges_only_once_every_conflict_is_resolved_and_merging_it_again_changes_nothing() {
    let h = demo_with_ravi_pinned();
    let copy = h.dir.path().join("demo.ravi-patel.tickmark");
    let out = h.ok("team_handoff", json!({ "assignee": RAVI, "controls": ["CC8.1-01"], "file": h.write(&copy) }));
    let branch = out["branch"].as_str().unwrap().to_string();

    // Ravi opens his working copy in the app: it says whose it is, he records as himself, and a
    // control he was not handed is refused with the engine's words.
    h.open(&copy);
    let team = h.ok("team_load", json!({}));
    assert_eq!(team["workingCopy"]["assignee"], RAVI);
    assert_eq!(team["workingCopy"]["controls"], json!(["CC8.1-01"]));
    let mine = h.record(4, "B", "exception", "no test evidence on the ticket").unwrap();
    assert_eq!(mine["result"]["testedBy"], RAVI, "{mine}");
    h.record(5, "A", "pass", "").unwrap();
    let err = h
        .call(
            "result_record",
            json!({ "control": "CC6.1-01", "ordinal": 1, "attribute": "A", "outcome": "pass", "comment": "" }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("CC6.1-01 is not in this working copy"), "{err}");
    let err = h
        .call("team_merge_plan", json!({ "file": h.read(&h.demo()) }))
        .expect_err("a working copy merges nothing into itself");
    assert_eq!(err["code"], "invalid");

    // Meanwhile the in-charge recorded the same item and attribute in the engagement.
    h.open(&h.demo());
    h.record(4, "B", "pass", "").unwrap();
    assert_eq!(h.ok("team_load", json!({}))["workingCopy"], Value::Null);

    let plan = h.ok("team_merge_plan", json!({ "file": h.read(&copy), "passphrase": null }));
    assert_eq!((plan["assignee"].as_str(), plan["branch"].as_str()), (Some(RAVI), Some(branch.as_str())));
    assert_eq!(plan["controls"], json!(["CC8.1-01"]));
    assert_eq!(plan["events"], 2, "{plan}");
    assert_eq!(plan["alreadyMerged"], Value::Null);
    let conflicts = plan["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{plan}");
    let c = &conflicts[0];
    assert_eq!((c["control"].as_str(), c["subject"].as_str()), (Some("CC8.1-01"), Some("item 4, attribute B")));
    assert_eq!((c["main"]["by"].as_str(), c["returned"]["by"].as_str()), (Some(DANA), Some(RAVI)));
    assert!(c["main"]["value"].as_str().unwrap().contains("pass"), "{c}");
    assert!(c["returned"]["value"].as_str().unwrap().contains("exception"), "{c}");
    let id = c["id"].as_str().unwrap();

    // Unresolved: refused, and nothing is merged.
    let err =
        h.call("team_merge", json!({ "file": h.read(&copy), "resolution": { "all": null, "each": {} } })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("1 conflict(s) need a resolution"), "{err}");
    assert_eq!(h.ok("team_merge_plan", json!({ "file": h.read(&copy) }))["alreadyMerged"], Value::Null);

    // Resolved per conflict, keeping Ravi's exception.
    let merged = h.ok(
        "team_merge",
        json!({ "file": h.read(&copy), "resolution": { "all": null, "each": { id: "returned" } }, "passphrase": null }),
    );
    assert_eq!(merged["resolved"], json!([{ "id": id, "kept": "returned" }]));
    assert!(merged["rowsApplied"].as_u64().unwrap() >= 2, "{merged}");
    let event = merged["event"].as_i64().unwrap();
    assert!(event > 0);
    let testing = h.ok("testing_load", json!({ "control": "CC8.1-01" }));
    let kept = testing["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ordinal"] == 4 && r["attribute"] == "B")
        .unwrap_or_else(|| panic!("item 4 B: {testing}"));
    assert_eq!((kept["outcome"].as_str(), kept["testedBy"].as_str()), (Some("exception"), Some(RAVI)));

    let listed = &h.ok("team_load", json!({}))["handoffs"][0];
    assert_eq!(listed["mergeEvent"], event);
    assert_eq!(listed["mergedBy"], DANA);

    // Already merged: said so, and nothing is written again.
    let plan = h.ok("team_merge_plan", json!({ "file": h.read(&copy) }));
    assert!(plan["alreadyMerged"].as_str().unwrap().contains(DANA), "{plan}");
    let again = h.ok("team_merge", json!({ "file": h.read(&copy), "resolution": { "all": "main", "each": {} } }));
    assert_eq!((again["event"].as_i64(), again["rowsApplied"].as_u64()), (Some(0), Some(0)));
}
