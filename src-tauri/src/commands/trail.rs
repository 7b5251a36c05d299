//! The audit trail, as the trail screen lists it.

use tauri::State;

use crate::error::CommandResult;
use crate::json::{EventJson, TrailJson};
use crate::state::AppState;

#[tauri::command]
pub async fn trail_list(state: State<'_, AppState>) -> CommandResult<TrailJson> {
    state
        .with_engagement(|eng| {
            Ok(TrailJson {
                events: eng.trail()?.into_iter().map(EventJson::from).collect(),
                chain_break: eng.check_trail()?.map(Into::into),
            })
        })
        .await
}
