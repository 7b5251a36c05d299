//! Generates one permission per app command (`allow-<command>`), so capabilities/default.json
//! can grant exactly these and nothing else.

/// Every command in `generate_handler!`; a command missing here cannot be granted, so the UI
/// would get a permission error.
const COMMANDS: &[&str] = &[
    "app_start",
    "recent_list",
    "recent_forget",
    "engagement_check",
    "engagement_create",
    "engagement_open",
    "engagement_close",
    "controls_list",
    "control_add",
    "controls_import",
    "source_preview",
    "population_import",
    "population_import_cancel",
    "population_generate",
    "population_current",
    "population_accept",
    "population_items",
    "population_find",
    "trail_list",
    "drops_watch",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
