//! The workpaper export: one control or the whole engagement, as xlsx, a CSV folder or HTML.

use tauri::State;

use crate::error::CommandResult;
use crate::files::Access;
use crate::json::{ExportFormatKind, ExportJson};
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
