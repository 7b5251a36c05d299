//! The workpaper export: one control or the whole engagement, as xlsx, a CSV folder or HTML.

use tauri::State;

use crate::error::CommandResult;
use crate::files::Access;
use crate::json::{ExportFormatKind, ExportJson, Section4Json};
use crate::state::{AppState, actor_for};

/// Exports to `file`, a handle from the native save dialog (which has already asked before
/// replacing a file; the engine still never replaces a folder holding other files).
#[tauri::command]
pub async fn workpaper_export(
    state: State<'_, AppState>,
    control: Option<String>,
    format: ExportFormatKind,
    file: String,
) -> CommandResult<ExportJson> {
    let path = state.files.path(&file, Access::Write)?;
    state
        .with_engagement(move |eng| {
            let workpaper = eng.workpaper(control.as_deref(), &actor_for(eng)?)?;
            let summary = tickmark::export::export(&workpaper, format.into(), &path, true)?;
            Ok(ExportJson::new(summary, workpaper.controls.len()))
        })
        .await
}

/// Section 4 of the SOC report ("Tests of controls and results of tests") as a Word document
/// at `file`, a handle from the native save dialog. Refused, listing them, while controls are
/// not concluded, have exceptions not evaluated or no test procedure, unless a `draft`
/// (marked DRAFT on every page).
#[tauri::command]
pub async fn section4_export(state: State<'_, AppState>, draft: bool, file: String) -> CommandResult<Section4Json> {
    let path = state.files.path(&file, Access::Write)?;
    state
        .with_engagement(move |eng| {
            let workpaper = eng.workpaper(None, &actor_for(eng)?)?;
            Ok(tickmark::export::section4::export(&workpaper, &path, true, draft)?.into())
        })
        .await
}
