//! A control's population: preview a source, import it (off the main thread, with progress
//! and cancel), generate one from the control's frequency, accept it, and page through it.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tauri::State;
use tauri::ipc::Channel;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::files::Access;
use crate::json::{FrequencyKind, MappingJson, PopulationItemJson, PopulationJson, PreviewJson, ProgressJson};
use crate::startup;
use crate::state::{AppState, actor_for, blocking};

/// Rows shown in the mapping preview.
const PREVIEW_ROWS: usize = 12;
/// The most items one page request returns; the grid asks for far fewer.
const MAX_PAGE: u64 = 2_000;
/// Progress messages are spaced at least this far apart, so a fast import does not flood the UI.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

fn current(eng: &tickmark::Engagement, control: &str) -> CommandResult<PopulationJson> {
    eng.current_population(control)?
        .map(PopulationJson::from)
        .ok_or_else(|| CommandError::new(ErrorCode::Invalid, format!("control {control} has no population yet")))
}

/// A source's columns, first rows and guessed mapping. Needs no open engagement.
#[tauri::command]
pub async fn source_preview(
    state: State<'_, AppState>,
    file: String,
    sheet: Option<String>,
) -> CommandResult<PreviewJson> {
    let path = state.files.path(&file, Access::Read)?;
    blocking(move || {
        let p = tickmark::import::preview(&path, sheet.as_deref(), PREVIEW_ROWS)?;
        Ok(PreviewJson::new(file, &path.display().to_string(), p))
    })
    .await
}

/// Imports `path` as the control's population, streaming progress; all rows or none.
#[tauri::command]
pub async fn population_import(
    state: State<'_, AppState>,
    control: String,
    file: String,
    mapping: MappingJson,
    on_progress: Channel<ProgressJson>,
) -> CommandResult<PopulationJson> {
    let path = state.files.path(&file, Access::Read)?;
    let cancel = state.cancel_import.clone();
    cancel.store(false, Ordering::SeqCst);
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            let mut last: Option<Instant> = None;
            let mut progress = |p: tickmark::import::Progress| {
                if last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                    last = Some(Instant::now());
                    // A closed window just stops listening; the import goes on.
                    let _ = on_progress.send(p.into());
                }
                !cancel.load(Ordering::SeqCst)
            };
            eng.import_population(&control, Path::new(&path), &mapping.into(), &actor, &mut progress)?;
            current(eng, &control)
        })
        .await
}

/// Asks the running import to stop; it rolls back and answers with code `cancelled`.
#[tauri::command]
pub async fn population_import_cancel(state: State<'_, AppState>) -> CommandResult<()> {
    state.cancel_import.store(true, Ordering::SeqCst);
    Ok(())
}

/// Generates a periodic control's occurrences over the review period.
#[tauri::command]
pub async fn population_generate(
    state: State<'_, AppState>,
    control: String,
    frequency: FrequencyKind,
    business_days: bool,
) -> CommandResult<PopulationJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.generate_population(&control, frequency.into(), business_days, &actor)?.into())
        })
        .await
}

#[tauri::command]
pub async fn population_current(state: State<'_, AppState>, control: String) -> CommandResult<Option<PopulationJson>> {
    state.with_engagement(move |eng| Ok(eng.current_population(&control)?.map(PopulationJson::from))).await
}

/// Records the auditor's acceptance of the current population's validation report.
#[tauri::command]
pub async fn population_accept(state: State<'_, AppState>, control: String) -> CommandResult<PopulationJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            Ok(eng.accept_population(&control, &actor)?.into())
        })
        .await
}

/// Items `offset+1 ..= offset+limit` of a population: one page of the virtualised grid.
#[tauri::command]
pub async fn population_items(
    state: State<'_, AppState>,
    population_id: i64,
    offset: u64,
    limit: u64,
) -> CommandResult<Vec<PopulationItemJson>> {
    let limit = limit.min(MAX_PAGE);
    static FIRST: OnceLock<()> = OnceLock::new();
    startup::mark_once(&FIRST, "first population_items received");
    let page = state
        .with_engagement(move |eng| {
            Ok(eng.population_items(population_id, offset, limit)?.into_iter().map(PopulationItemJson::from).collect())
        })
        .await;
    static ANSWERED: OnceLock<()> = OnceLock::new();
    startup::mark_once(&ANSWERED, "first population_items answered");
    page
}

/// Items whose key starts with `query` (ASCII case ignored), in position order, at most
/// `limit`: the grid's search box.
#[tauri::command]
pub async fn population_find(
    state: State<'_, AppState>,
    population_id: i64,
    query: String,
    limit: u64,
) -> CommandResult<Vec<PopulationItemJson>> {
    let limit = limit.min(MAX_PAGE);
    state
        .with_engagement(move |eng| {
            Ok(eng
                .find_population_items(population_id, &query, limit)?
                .into_iter()
                .map(PopulationItemJson::from)
                .collect())
        })
        .await
}

/// Records an exclusion rule on the control's population (before sampling, or setting the
/// current sample aside with `replace_sample`); returns the population with its frame.
#[tauri::command]
pub async fn population_exclude(
    state: State<'_, AppState>,
    control: String,
    rule: String,
    reason: String,
    replace_sample: Option<String>,
) -> CommandResult<PopulationJson> {
    state
        .with_engagement(move |eng| {
            let actor = actor_for(eng)?;
            let rule: tickmark::engagement::scope::ExclusionRule = rule.parse()?;
            eng.exclude_rows(
                &control,
                &rule,
                &reason,
                replace_sample.as_deref().filter(|r| !r.trim().is_empty()),
                &actor,
            )?;
            current(eng, &control)
        })
        .await
}
