//! Interview notes: list, add, edit.

use tauri::State;
use tickmark::engagement::fieldwork::InterviewInput;

use crate::error::CommandResult;
use crate::json::{InterviewInputJson, InterviewJson};
use crate::state::{AppState, actor_for};

#[tauri::command]
pub async fn interviews_list(state: State<'_, AppState>) -> CommandResult<Vec<InterviewJson>> {
    state.with_engagement(|eng| Ok(eng.interviews()?.into_iter().map(Into::into).collect())).await
}

#[tauri::command]
pub async fn interview_add(state: State<'_, AppState>, input: InterviewInputJson) -> CommandResult<InterviewJson> {
    let input = InterviewInput::try_from(input)?;
    state.with_engagement(move |eng| Ok(eng.add_interview(&input, &actor_for(eng)?)?.into())).await
}

#[tauri::command]
pub async fn interview_edit(
    state: State<'_, AppState>,
    id: i64,
    input: InterviewInputJson,
) -> CommandResult<InterviewJson> {
    let input = InterviewInput::try_from(input)?;
    state.with_engagement(move |eng| Ok(eng.edit_interview(id, &input, &actor_for(eng)?)?.into())).await
}
