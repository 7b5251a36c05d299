//! The control matrix: list (with each control's population status), add, import.

use tauri::State;
use tickmark::engagement::ControlInput;

use crate::error::CommandResult;
use crate::files::Access;
use crate::json::{ControlInputJson, ControlJson};
use crate::state::{AppState, actor_for};

fn with_population(eng: &tickmark::Engagement, c: tickmark::engagement::Control) -> CommandResult<ControlJson> {
    let population = eng.current_population(&c.code)?;
    Ok(ControlJson::new(c, population.as_ref()))
}

#[tauri::command]
pub async fn controls_list(state: State<'_, AppState>) -> CommandResult<Vec<ControlJson>> {
    state.with_engagement(|eng| eng.controls()?.into_iter().map(|c| with_population(eng, c)).collect()).await
}

#[tauri::command]
pub async fn control_add(state: State<'_, AppState>, input: ControlInputJson) -> CommandResult<ControlJson> {
    let input = ControlInput::try_from(input)?;
    state
        .with_engagement(move |eng| {
            let c = eng.add_control(&input, &actor_for(eng)?)?;
            with_population(eng, c)
        })
        .await
}

/// Imports a control matrix (CSV or xlsx, from the native open dialog or a drop): all or none.
#[tauri::command]
pub async fn controls_import(
    state: State<'_, AppState>,
    file: String,
    sheet: Option<String>,
) -> CommandResult<Vec<ControlJson>> {
    let path = state.files.path(&file, Access::Read)?;
    state
        .with_engagement(move |eng| {
            let added = eng.import_controls(&path, sheet.as_deref(), &actor_for(eng)?)?;
            added.controls.into_iter().map(|c| with_population(eng, c)).collect()
        })
        .await
}
