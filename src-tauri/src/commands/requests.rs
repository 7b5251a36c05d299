//! Client requests (PBC): generated from the samples, listed with their age, accepted or
//! rejected, written as the client's list, and answered by a folder of returned files.

use tauri::State;
use tickmark::store::{Verdict, parse_due};

use crate::error::CommandResult;
use crate::files::Access;
use crate::json::{ReceivedJson, RequestJson, RequestsExportJson};
use crate::state::{AppState, actor_for};

/// Every request (of one control, or all), aged as of now.
#[tauri::command]
pub async fn requests_list(state: State<'_, AppState>, control: Option<String>) -> CommandResult<Vec<RequestJson>> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.requests(control.as_deref(), &actor)?.into_iter().map(Into::into).collect())
        })
        .await
}

/// Makes the requests not made yet for `control` (or every control), due on `due`
/// (`YYYY-MM-DD`); answers every request of those controls, new and old.
#[tauri::command]
pub async fn requests_generate(
    state: State<'_, AppState>,
    control: Option<String>,
    due: String,
) -> CommandResult<Vec<RequestJson>> {
    let due = parse_due(&due)?;
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.generate_requests(control.as_deref(), due, &actor)?.into_iter().map(Into::into).collect())
        })
        .await
}

#[tauri::command]
pub async fn request_accept(state: State<'_, AppState>, code: String) -> CommandResult<RequestJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.close_request(&code, &Verdict::Accept, &actor)?.into())
        })
        .await
}

/// Rejects the evidence received for `code`; the engine refuses a blank reason.
#[tauri::command]
pub async fn request_reject(state: State<'_, AppState>, code: String, reason: String) -> CommandResult<RequestJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.close_request(&code, &Verdict::Reject(reason), &actor)?.into())
        })
        .await
}

/// Writes the requests (of one control, or all) as the client's workbook at `file`, a handle
/// from the native save dialog (which has already asked before replacing a file).
#[tauri::command]
pub async fn requests_export(
    state: State<'_, AppState>,
    control: Option<String>,
    file: String,
) -> CommandResult<RequestsExportJson> {
    let path = state.files.path(&file, Access::Write)?;
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            let list = eng.requests(control.as_deref(), &actor)?;
            let written = tickmark::export::requests::write(&list, &eng.info()?, actor.at.naive_utc(), &path, true)?;
            Ok(RequestsExportJson::new(&path, list.len(), written))
        })
        .await
}

/// Receives the folder behind `folder`, a handle from the folder dialog or a drop: each file
/// named after a request is stored as its evidence. The engine refuses anything but a flat
/// folder of regular files, storing nothing.
#[tauri::command]
pub async fn requests_receive(state: State<'_, AppState>, folder: String) -> CommandResult<ReceivedJson> {
    let path = state.files.path(&folder, Access::Read)?;
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(ReceivedJson::new(&path, eng.receive_requests(&path, &actor)?))
        })
        .await
}
