//! The native open and save dialogs, opened from Rust: the webview asks for a purpose and gets
//! back a handle (see `crate::files`), never a path it could have made up.

use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{CommandError, CommandResult};
use crate::files::{Access, ChoosePurpose, FileHandleJson, with_extension};
use crate::state::{AppState, blocking};

/// Shows the dialog for `purpose` (`suggested` names the file in a save dialog) and returns a
/// handle for the file chosen, or null when the auditor cancels.
#[tauri::command]
pub async fn file_choose<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    purpose: ChoosePurpose,
    suggested: Option<String>,
) -> CommandResult<Option<FileHandleJson>> {
    let spec = purpose.spec();
    let chosen = match state.dialog_answers.for_access(spec.access) {
        Some(answer) => Some(answer.to_path_buf()),
        None => {
            let mut dialog = app.dialog().file().set_title(spec.title);
            for (name, extensions) in spec.filters {
                dialog = dialog.add_filter(*name, extensions);
            }
            if let Some(window) = app.get_webview_window("main") {
                dialog = dialog.set_parent(&window);
            }
            if let Some(name) = suggested.filter(|s| !s.trim().is_empty()) {
                let name = match purpose.extension() {
                    Some(ext) => with_extension(name.into(), Some(ext)).display().to_string(),
                    None => name,
                };
                dialog = dialog.set_file_name(name);
            }
            let (access, folder) = (spec.access, spec.folder);
            blocking(move || {
                let picked = match access {
                    Access::Read if folder => dialog.blocking_pick_folder(),
                    Access::Read => dialog.blocking_pick_file(),
                    Access::Write => dialog.blocking_save_file(),
                };
                picked.map(|p| p.into_path().map_err(CommandError::internal)).transpose()
            })
            .await?
        }
    };
    Ok(chosen.map(|path| state.files.issue(with_extension(path, purpose.extension()), spec.access)))
}
