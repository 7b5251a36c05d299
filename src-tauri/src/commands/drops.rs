//! Files dragged onto the window. The native drag-and-drop event carries the paths; they go
//! to the UI through a channel the UI registers once, so the webview needs no event permission.

use tauri::ipc::Channel;
use tauri::{DragDropEvent, Manager, Runtime, State, Window, WindowEvent};

use crate::error::{CommandError, CommandResult};
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
    let paths = |p: &[std::path::PathBuf]| p.iter().map(|p| p.display().to_string()).collect();
    let message = match drop {
        DragDropEvent::Enter { paths: p, .. } => DropJson { phase: DropPhase::Enter, paths: paths(p) },
        DragDropEvent::Drop { paths: p, .. } => DropJson { phase: DropPhase::Drop, paths: paths(p) },
        DragDropEvent::Leave => DropJson { phase: DropPhase::Leave, paths: vec![] },
        _ => return,
    };
    let state = window.state::<AppState>();
    if let Ok(guard) = state.drops.lock()
        && let Some(channel) = guard.as_ref()
    {
        let _ = channel.send(message);
    }
}
