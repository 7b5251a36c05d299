//! Team fieldwork: controls handed to a colleague in a working copy, recalled, and a returned
//! copy merged back with each conflict resolved by the auditor.

use tauri::{AppHandle, Runtime, State};
use tickmark::Engagement;
use tickmark::store::{HandoffInput, Passphrase, default_copy_path};

use crate::error::CommandResult;
use crate::files::{Access, ChoosePurpose, FileHandleJson};
use crate::json::{HandoffJson, MergePlanJson, MergedJson, ResolutionJson, TeamJson};
use crate::state::{AppState, actor_for, blocking};

/// The passphrase typed in the window, if any (an empty one is none).
fn passphrase(typed: Option<String>) -> CommandResult<Option<Passphrase>> {
    Ok(typed.filter(|p| !p.is_empty()).map(Passphrase::new).transpose()?)
}

/// The working copies handed out, the colleagues they can go to, and whether the open file is
/// itself a working copy.
#[tauri::command]
pub async fn team_load(state: State<'_, AppState>) -> CommandResult<TeamJson> {
    state.with_engagement(|eng| Ok(TeamJson::new(eng.handoffs()?, eng.working_copy()?, eng.signers()?))).await
}

/// The save dialog for the working copy handed to `assignee`, opening beside the engagement on
/// the name the engine proposes (`acme.ravi-patel.tickmark`).
#[tauri::command]
pub async fn handoff_copy_choose<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    assignee: String,
) -> CommandResult<Option<FileHandleJson>> {
    let engagement = state.with_engagement(|eng| Ok(eng.path().to_path_buf())).await?;
    let suggested = default_copy_path(&engagement, assignee.trim());
    super::dialogs::choose(&app, &state, ChoosePurpose::WorkingCopy, Some(suggested)).await
}

/// Hands `controls` to `assignee` in a working copy written to `file` (a save-dialog handle),
/// encrypted with `passphrase` when the engagement is.
#[tauri::command]
pub async fn team_handoff(
    state: State<'_, AppState>,
    assignee: String,
    controls: Vec<String>,
    file: String,
    passphrase: Option<String>,
) -> CommandResult<HandoffJson> {
    let dest = state.files.path(&file, Access::Write)?;
    let key = self::passphrase(passphrase)?;
    state
        .with_engagement(move |eng| {
            let input = HandoffInput { assignee, controls };
            Ok(eng.handoff(&input, &dest, key.as_ref(), &actor_for(eng)?)?.into())
        })
        .await
}

/// Withdraws the working copy `branch`: its controls can go out again, and it can no longer
/// be merged.
#[tauri::command]
pub async fn team_recall(state: State<'_, AppState>, branch: String, reason: String) -> CommandResult<HandoffJson> {
    state.with_engagement(move |eng| Ok(eng.recall(&branch, &reason, &actor_for(eng)?)?.into())).await
}

/// Opens the returned copy behind `file` (an open-dialog handle) for as long as the merge
/// command runs; it is released, with its lock, when the command ends.
async fn returned(state: &AppState, file: &str, passphrase: Option<String>) -> CommandResult<Engagement> {
    let path = state.files.path(file, Access::Read)?;
    let key = self::passphrase(passphrase)?;
    blocking(move || Ok(Engagement::open_keyed(&path, key.as_ref())?)).await
}

/// What merging the returned copy would bring in and every conflict; nothing is written.
#[tauri::command]
pub async fn team_merge_plan(
    state: State<'_, AppState>,
    file: String,
    passphrase: Option<String>,
) -> CommandResult<MergePlanJson> {
    let copy = returned(&state, &file, passphrase).await?;
    state.with_engagement(move |eng| Ok(eng.merge_plan(&copy)?.into())).await
}

/// Merges the returned copy with the conflicts resolved as `resolution` says; refused, with
/// nothing written, while one is unresolved. A copy merged already changes nothing.
#[tauri::command]
pub async fn team_merge(
    state: State<'_, AppState>,
    file: String,
    resolution: ResolutionJson,
    passphrase: Option<String>,
) -> CommandResult<MergedJson> {
    let copy = returned(&state, &file, passphrase).await?;
    state.with_engagement(move |eng| Ok(eng.merge(&copy, &resolution.into(), &actor_for(eng)?)?.into())).await
}
