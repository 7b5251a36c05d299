//! The command list is written in four places: the handler (`lib.rs`), the permissions the
//! build script generates (`build.rs`), the capability that grants them, and the UI's typed
//! wrappers (`ui/src/lib/api.ts`). A command missing from any of them fails at run time (a
//! permission error, or a screen with no way to call it): this test makes it fail here.

use std::collections::BTreeSet;

const LIB: &str = include_str!("../src/lib.rs");
const BUILD: &str = include_str!("../build.rs");
const CAPABILITY: &str = include_str!("../capabilities/default.json");
const API: &str = include_str!("../../ui/src/lib/api.ts");

/// Every `module::command,` inside `generate_handler![ ... ]`.
fn handler() -> BTreeSet<String> {
    let start = LIB.find("generate_handler![").expect("lib.rs registers its commands");
    let body = &LIB[start..LIB[start..].find(']').map(|e| start + e).expect("the list closes")];
    body.lines()
        .filter_map(|l| l.trim().strip_suffix(','))
        .filter_map(|l| l.rsplit("::").next())
        .map(String::from)
        .collect()
}

/// The quoted names in `const COMMANDS: &[&str] = &[ ... ];`.
fn permissions() -> BTreeSet<String> {
    let start = BUILD.find("const COMMANDS").expect("build.rs lists the commands");
    let body = &BUILD[start..BUILD[start..].find("];").map(|e| start + e).expect("the list closes")];
    body.split('"').skip(1).step_by(2).map(String::from).collect()
}

/// `allow-a-command` in the capability, as `a_command`.
fn granted() -> BTreeSet<String> {
    let caps: serde_json::Value = serde_json::from_str(CAPABILITY).expect("the capability is JSON");
    caps["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

/// The commands the UI calls: `call<...>("name"` and `call("name"`, where `call` is a word of
/// its own (not the end of `teamRecall` or `"team_recall"`).
fn wrapped() -> BTreeSet<String> {
    API.match_indices("call")
        .filter(|&(at, _)| !API[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| &API[at + "call".len()..])
        .filter_map(|rest| {
            let rest = match rest.strip_prefix('<') {
                Some(typed) => &typed[typed.find(">(")? + 1..],
                None => rest,
            };
            let rest = rest.strip_prefix("(\"")?;
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

#[test]
fn the_handler_the_permissions_the_capability_and_the_ui_wrappers_name_the_same_commands() {
    let handler = handler();
    assert!(handler.len() >= 40, "the handler list was read: {handler:?}");
    assert_eq!(permissions(), handler, "build.rs COMMANDS against lib.rs generate_handler!");
    assert_eq!(granted(), handler, "capabilities/default.json against lib.rs generate_handler!");
    // Nothing but our own commands: no plugin permission (the dialogs are opened from Rust).
    let caps: serde_json::Value = serde_json::from_str(CAPABILITY).unwrap();
    let foreign: Vec<_> =
        caps["permissions"].as_array().unwrap().iter().filter(|p| !p.as_str().unwrap().starts_with("allow-")).collect();
    assert!(foreign.is_empty(), "the webview may call only Tickmark's commands: {foreign:?}");
    assert_eq!(wrapped(), handler, "ui/src/lib/api.ts wrappers against lib.rs generate_handler!");
}
