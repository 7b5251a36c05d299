//! The native open and save dialogs, opened from Rust: the webview asks for a purpose and gets
//! back a handle (see `crate::files`), never a path it could have made up.

use std::path::{Path, PathBuf};

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
    // The page names a file, never a folder: only its last component is kept.
    let name = suggested.filter(|s| !s.trim().is_empty()).and_then(|s| Path::new(&s).file_name().map(PathBuf::from));
    choose(&app, &state, purpose, name).await
}

/// Shows the dialog for `purpose`, starting from `suggested` in a save dialog (a file name, or
/// a full path chosen in Rust, whose folder the dialog opens in), and issues a handle for the
/// answer; `None` when the auditor cancels.
pub async fn choose<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    purpose: ChoosePurpose,
    suggested: Option<PathBuf>,
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
            if let Some(path) = suggested {
                let path = with_extension(path, purpose.extension());
                if let Some(folder) = path.parent().filter(|f| f.is_dir()) {
                    dialog = dialog.set_directory(folder);
                }
                if let Some(name) = path.file_name() {
                    dialog = dialog.set_file_name(name.to_string_lossy());
                }
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
