//! The end-to-end tests' one hook into the shell (e2e/, `make e2e`). WebDriver cannot drive the
//! native open and save dialogs, so when `TICKMARK_E2E_OPEN` (a file to open) or
//! `TICKMARK_E2E_SAVE` (a path to save to) is set, the page gets them as
//! `window.__TICKMARK_E2E__` and `ui/src/lib/files.ts` answers its dialogs with them instead of
//! showing one. Unset, as for every user, nothing is injected and the dialogs are the native ones.

use tauri::Runtime;
use tauri::plugin::TauriPlugin;

/// The plugin that injects the answers, or None when neither variable is set.
pub fn dialog_answers<R: Runtime>() -> Option<TauriPlugin<R>> {
    let open = std::env::var("TICKMARK_E2E_OPEN").ok();
    let save = std::env::var("TICKMARK_E2E_SAVE").ok();
    if open.is_none() && save.is_none() {
        return None;
    }
    let answers = serde_json::json!({ "open": open, "save": save });
    Some(tauri::plugin::Builder::new("e2e").js_init_script(format!("window.__TICKMARK_E2E__ = {answers};")).build())
}
