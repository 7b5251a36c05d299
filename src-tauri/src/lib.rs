//! Tickmark's desktop shell: Tauri setup, the app's state and its thin commands. Everything
//! an auditor does is an engine call (`tickmark`); this crate only carries it to the window.

pub mod commands;
pub mod errlog;
pub mod error;
pub mod files;
pub mod json;
pub mod launch;
pub mod recent;
pub mod startup;
pub mod state;

use tauri::Runtime;

pub use launch::Launch;
pub use state::AppState;

/// The app on `base` (the real builder, or `tauri::test::mock_builder()` in tests): plugin,
/// state, window events and commands.
pub fn builder<R: Runtime>(base: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    use commands::*;
    let logs = launch.data_dir.as_ref().map(|d| d.join("logs"));
    if let Some(d) = &launch.data_dir {
        state::set_identity_dir(d.join("identity"));
    }
    base.plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(launch))
        .setup(move |app| {
            use tauri::Manager;
            // Internal errors go to the app's log directory (or --data-dir/logs).
            match logs.clone().map_or_else(|| app.path().app_log_dir(), Ok) {
                Ok(dir) => errlog::set_dir(dir),
                Err(e) => eprintln!("tickmark-app: no log directory ({e}); internal errors are only shown"),
            }
            startup::mark("setup done (window and webview created)");
            Ok(())
        })
        .on_page_load(|_, page| match page.event() {
            tauri::webview::PageLoadEvent::Started => startup::mark("page load started"),
            tauri::webview::PageLoadEvent::Finished => startup::mark("page load finished"),
        })
        .on_window_event(drops::forward)
        .invoke_handler(tauri::generate_handler![
            engagements::app_start,
            engagements::recent_list,
            engagements::recent_forget,
            engagements::engagement_check,
            engagements::engagement_create,
            engagements::engagement_open,
            engagements::engagement_close,
            engagements::startup_report,
            controls::controls_list,
            controls::control_add,
            controls::controls_import,
            population::source_preview,
            population::population_import,
            population::population_import_cancel,
            population::population_generate,
            population::population_current,
            population::population_accept,
            population::population_items,
            population::population_find,
            population::population_exclude,
            trail::trail_list,
            drops::drops_watch,
            dialogs::file_choose,
            sampling::frequency_table,
            sampling::plan_frequency,
            sampling::plan_attribute_size,
            sampling::plan_test_of_one,
            sampling::seed_propose,
            sampling::sample_current,
            sampling::sample_draw,
            sampling::sample_extend,
            sampling::sample_void,
            sampling::sample_verify,
            sampling::sample_reperform_file,
            fieldwork::testing_load,
            fieldwork::result_record,
            fieldwork::exception_record,
            fieldwork::evidence_add_file,
            fieldwork::evidence_add_reference,
            fieldwork::evidence_export,
            fieldwork::conclusion_load,
            fieldwork::conclude,
            fieldwork::sign_off,
            fieldwork::review_note_add,
            fieldwork::review_note_answer,
            fieldwork::review_note_clear,
            interviews::interviews_list,
            interviews::interview_add,
            interviews::interview_edit,
            export::workpaper_export,
            export::section4_export,
            design::dashboard_load,
            design::coverage_load,
            design::procedures_list,
            design::procedure_add,
            design::procedure_edit,
            design::walkthrough_load,
            design::walkthrough_record,
            design::deficiency_load,
            design::deficiency_record,
            design::objectives_list,
            design::objective_add,
            requests::requests_list,
            requests::requests_generate,
            requests::request_accept,
            requests::request_reject,
            requests::requests_export,
            requests::requests_receive,
            carry::rollforward_check,
            carry::engagement_rollforward,
            carry::carried_load,
            carry::carried_confirm,
            team::team_load,
            team::handoff_copy_choose,
            team::team_handoff,
            team::team_recall,
            team::team_merge_plan,
            team::team_merge,
        ])
}

/// Starts the desktop app with the process's command line.
pub fn run() {
    startup::begin();
    let launch = match Launch::parse(std::env::args().skip(1)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tickmark-app: {e}");
            std::process::exit(2);
        }
    };
    let context = tauri::generate_context!();
    startup::mark("context loaded");
    builder(tauri::Builder::default(), launch).run(context).expect("the Tickmark window could not start");
}
