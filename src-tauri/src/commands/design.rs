//! The engagement dashboard and criteria coverage; per control, the test procedure, the
//! walkthrough with its design conclusion and the deficiency evaluation; SOC 1 control objectives.

use tauri::State;
use tickmark::engagement::design::{DeficiencyInput, Objective, ProcedureInput, WalkthroughInput};

use crate::error::CommandResult;
use crate::json::{
    CoverageJson, DashboardRowJson, DeficiencyInputJson, DeficiencyJson, ObjectiveJson, ProcedureInputJson,
    ProcedureStepJson, WalkthroughInputJson, WalkthroughJson,
};
use crate::state::{AppState, actor_for};

#[tauri::command]
pub async fn dashboard_load(state: State<'_, AppState>) -> CommandResult<Vec<DashboardRowJson>> {
    state.with_engagement(|eng| Ok(eng.dashboard()?.into_iter().map(Into::into).collect())).await
}

#[tauri::command]
pub async fn coverage_load(state: State<'_, AppState>) -> CommandResult<CoverageJson> {
    state.with_engagement(|eng| Ok(eng.coverage()?.into())).await
}

#[tauri::command]
pub async fn procedures_list(state: State<'_, AppState>, control: String) -> CommandResult<Vec<ProcedureStepJson>> {
    state.with_engagement(move |eng| Ok(eng.procedures(&control)?.into_iter().map(Into::into).collect())).await
}

/// Appends a step; answers the control's whole procedure.
#[tauri::command]
pub async fn procedure_add(
    state: State<'_, AppState>,
    control: String,
    input: ProcedureInputJson,
) -> CommandResult<Vec<ProcedureStepJson>> {
    let step = ProcedureInput::from(input);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.add_procedure(&control, &step, &actor)?.into_iter().map(Into::into).collect())
        })
        .await
}

/// Rewrites step `position` (1-based); answers the control's whole procedure.
#[tauri::command]
pub async fn procedure_edit(
    state: State<'_, AppState>,
    control: String,
    position: u32,
    input: ProcedureInputJson,
) -> CommandResult<Vec<ProcedureStepJson>> {
    let step = ProcedureInput::from(input);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.edit_procedure(&control, position, &step, &actor)?.into_iter().map(Into::into).collect())
        })
        .await
}

#[tauri::command]
pub async fn walkthrough_load(state: State<'_, AppState>, control: String) -> CommandResult<Option<WalkthroughJson>> {
    state.with_engagement(move |eng| Ok(eng.walkthrough(&control)?.map(Into::into))).await
}

#[tauri::command]
pub async fn walkthrough_record(
    state: State<'_, AppState>,
    control: String,
    input: WalkthroughInputJson,
) -> CommandResult<WalkthroughJson> {
    let input = WalkthroughInput::from(input);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.record_walkthrough(&control, &input, &actor)?.into())
        })
        .await
}

#[tauri::command]
pub async fn deficiency_load(state: State<'_, AppState>, control: String) -> CommandResult<Option<DeficiencyJson>> {
    state.with_engagement(move |eng| Ok(eng.deficiency(&control)?.map(Into::into))).await
}

#[tauri::command]
pub async fn deficiency_record(
    state: State<'_, AppState>,
    control: String,
    input: DeficiencyInputJson,
) -> CommandResult<DeficiencyJson> {
    let input = DeficiencyInput::from(input);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.record_deficiency(&control, &input, &actor)?.into())
        })
        .await
}

#[tauri::command]
pub async fn objectives_list(state: State<'_, AppState>) -> CommandResult<Vec<ObjectiveJson>> {
    state.with_engagement(|eng| Ok(eng.objectives()?.into_iter().map(Into::into).collect())).await
}

#[tauri::command]
pub async fn objective_add(state: State<'_, AppState>, input: ObjectiveJson) -> CommandResult<ObjectiveJson> {
    let objective = Objective::from(input);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.add_objective(&objective, &actor)?.into())
        })
        .await
}
