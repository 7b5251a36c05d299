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
    "population_exclude",
    "trail_list",
    "drops_watch",
    "file_choose",
    "frequency_table",
    "plan_frequency",
    "plan_attribute_size",
    "plan_test_of_one",
    "seed_propose",
    "sample_current",
    "sample_draw",
    "sample_extend",
    "sample_void",
    "sample_verify",
    "sample_reperform_file",
    "testing_load",
    "result_record",
    "exception_record",
    "evidence_add_file",
    "evidence_add_reference",
    "evidence_export",
    "conclusion_load",
    "conclude",
    "sign_off",
    "review_note_add",
    "review_note_answer",
    "review_note_clear",
    "interviews_list",
    "interview_add",
    "interview_edit",
    "workpaper_export",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
