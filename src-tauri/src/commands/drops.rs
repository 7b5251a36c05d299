//! Files dragged onto the window. The native drag-and-drop event carries the paths; they go
//! to the UI through a channel the UI registers once, so the webview needs no event permission.

use tauri::ipc::Channel;
use tauri::{DragDropEvent, Manager, Runtime, State, Window, WindowEvent};

use crate::error::{CommandError, CommandResult};
use crate::files::Access;
use crate::json::{DropJson, DropPhase};
use crate::state::AppState;

#[tauri::command]
pub async fn drops_watch(state: State<'_, AppState>, on_drop: Channel<DropJson>) -> CommandResult<()> {
    *state.drops.lock().map_err(|_| CommandError::internal("the drop channel lock was poisoned"))? = Some(on_drop);
    Ok(())
}

/// The window-event hook: forwards drag-and-drop to the UI's channel, if it has one.
pub fn forward<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::DragDrop(drop) = event else { return };
    let state = window.state::<AppState>();
    let message = match drop {
        DragDropEvent::Enter { paths, .. } => {
            DropJson { phase: DropPhase::Enter, files: vec![], count: paths.len() as u64 }
        }
        DragDropEvent::Drop { paths, .. } => DropJson {
            phase: DropPhase::Drop,
            // Dropped by the auditor's hand: the page gets handles to read them, never paths to use.
            files: paths.iter().map(|p| state.files.issue(p.clone(), Access::Read)).collect(),
            count: paths.len() as u64,
        },
        DragDropEvent::Leave => DropJson { phase: DropPhase::Leave, files: vec![], count: 0 },
        _ => return,
    };
    if let Ok(guard) = state.drops.lock()
        && let Some(channel) = guard.as_ref()
    {
        let _ = channel.send(message);
    }
}
