//! Testing and concluding a control: results per item and attribute, exceptions, evidence,
//! the evaluation and conclusion, sign-offs and review notes.

use tauri::State;
use tickmark::engagement::fieldwork::SignOffRole;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::files::Access;
use crate::json::{
    ConclusionJson, ConclusionKindJson, ConclusionViewJson, EvaluationJson, EvidenceJson, ExceptionInputJson,
    ExceptionJson, OutcomeKind, RecordedResultJson, ReviewNoteJson, SignOffJson, SignOffRoleKind, TestingJson,
};
use crate::state::{AppState, actor, actor_for};

/// The person named in a sign-off or a review note: as typed, never the OS user in disguise.
fn named(who: &str, what: &str) -> CommandResult<tickmark::engagement::Actor> {
    if who.trim().is_empty() {
        return Err(CommandError::new(ErrorCode::Invalid, format!("give the name of the person who {what}")));
    }
    actor(Some(who))
}

#[tauri::command]
pub async fn testing_load(state: State<'_, AppState>, control: String) -> CommandResult<TestingJson> {
    state
        .with_engagement(move |eng| {
            Ok(TestingJson {
                results: eng.results(&control)?.into_iter().map(Into::into).collect(),
                exceptions: eng.exceptions(&control)?.into_iter().map(Into::into).collect(),
                evidence: eng.evidence(Some(&control))?.into_iter().map(Into::into).collect(),
                progress: eng.evaluation(&control)?.as_ref().map(Into::into),
            })
        })
        .await
}

/// Records one attribute's outcome on one sample item: one transaction.
#[tauri::command]
pub async fn result_record(
    state: State<'_, AppState>,
    control: String,
    ordinal: u64,
    attribute: String,
    outcome: OutcomeKind,
    comment: String,
) -> CommandResult<RecordedResultJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            let result = eng.record_result(&control, ordinal, &attribute, outcome.into(), &comment, &actor)?.into();
            let evaluation = eng
                .evaluation(&control)?
                .ok_or_else(|| CommandError::internal("a result was recorded without a sample"))?;
            Ok(RecordedResultJson { result, progress: (&evaluation).into() })
        })
        .await
}

#[tauri::command]
pub async fn exception_record(
    state: State<'_, AppState>,
    control: String,
    ordinal: u64,
    input: ExceptionInputJson,
) -> CommandResult<ExceptionJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.record_exception(&control, ordinal, &input.into(), &actor)?.into())
        })
        .await
}

/// Stores a file (from the native open dialog) in the engagement, for an item or the control.
#[tauri::command]
pub async fn evidence_add_file(
    state: State<'_, AppState>,
    control: String,
    ordinal: Option<u64>,
    file: String,
) -> CommandResult<EvidenceJson> {
    let path = state.files.path(&file, Access::Read)?;
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.add_evidence_file(&control, ordinal, &path, &actor)?.into())
        })
        .await
}

#[tauri::command]
pub async fn evidence_add_reference(
    state: State<'_, AppState>,
    control: String,
    ordinal: Option<u64>,
    reference: String,
) -> CommandResult<EvidenceJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.add_evidence_reference(&control, ordinal, &reference, &actor)?.into())
        })
        .await
}

/// Writes a stored evidence file out to `path`, chosen in the native save dialog (which has
/// already asked before replacing a file there).
#[tauri::command]
pub async fn evidence_export(state: State<'_, AppState>, id: i64, file: String) -> CommandResult<String> {
    let path = state.files.path(&file, Access::Write)?;
    state.with_engagement(move |eng| Ok(eng.export_evidence(id, &path, true)?.display().to_string())).await
}

#[tauri::command]
pub async fn conclusion_load(state: State<'_, AppState>, control: String) -> CommandResult<ConclusionViewJson> {
    state
        .with_engagement(move |eng| {
            Ok(ConclusionViewJson {
                evaluation: eng.evaluation(&control)?.map(|e| EvaluationJson::new(e, &control)),
                conclusion: eng.conclusion(&control)?.map(Into::into),
                signoffs: eng.signoffs(&control)?.into_iter().map(Into::into).collect(),
                notes: eng.review_notes(Some(&control))?.into_iter().map(Into::into).collect(),
            })
        })
        .await
}

/// Concludes as the evaluation proposes (`kind` null or the proposal), or overrides it with
/// the reason.
#[tauri::command]
pub async fn conclude(
    state: State<'_, AppState>,
    control: String,
    kind: Option<ConclusionKindJson>,
    reason: Option<String>,
) -> CommandResult<ConclusionJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            let over = kind.map(|k| (k.into(), reason.as_deref().unwrap_or("")));
            Ok(eng.conclude(&control, over, &actor)?.into())
        })
        .await
}

/// Signs the control off as `signer`; the engine decides whether that person may.
#[tauri::command]
pub async fn sign_off(
    state: State<'_, AppState>,
    control: String,
    role: SignOffRoleKind,
    signer: String,
) -> CommandResult<SignOffJson> {
    let actor = named(&signer, "signs off")?;
    state.with_engagement(move |eng| Ok(eng.sign_off(&control, SignOffRole::from(role), &actor)?.into())).await
}

#[tauri::command]
pub async fn review_note_add(
    state: State<'_, AppState>,
    control: String,
    text: String,
    by: String,
) -> CommandResult<ReviewNoteJson> {
    let actor = named(&by, "raises the note")?;
    state.with_engagement(move |eng| Ok(eng.add_review_note(&control, &text, &actor)?.into())).await
}

#[tauri::command]
pub async fn review_note_answer(
    state: State<'_, AppState>,
    id: i64,
    answer: String,
    by: String,
) -> CommandResult<ReviewNoteJson> {
    let actor = named(&by, "answers the note")?;
    state.with_engagement(move |eng| Ok(eng.answer_review_note(id, &answer, &actor)?.into())).await
}

#[tauri::command]
pub async fn review_note_clear(state: State<'_, AppState>, id: i64, by: String) -> CommandResult<ReviewNoteJson> {
    let actor = named(&by, "clears the note")?;
    state.with_engagement(move |eng| Ok(eng.clear_review_note(id, &actor)?.into())).await
}
