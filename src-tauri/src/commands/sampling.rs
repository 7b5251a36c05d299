//! A control's sample: plan its size (the frequency table, attribute sampling or a test of
//! one), propose a seed, draw, extend, draw again with a reason, and re-perform the draw.

use tauri::State;
use tickmark::engagement::Frequency;
use tickmark::engagement::evaluation::{Planning, plan_sample};
use tickmark::sampling::{Distribution, Plan, Rate, Seed, plan_attribute};
use tickmark::store::{SampleRequest, TypedRequest};

use crate::error::{CommandError, CommandResult};
use crate::files::Access;
use crate::json::{
    DistributionKind, FileCheckJson, FrequencyKind, FrequencyRowJson, PlanJson, RiskKind, SampleCheckJson, SampleJson,
    SampleRequestJson,
};
use crate::state::{AppState, actor_for};

fn sample_json(eng: &tickmark::Engagement, control: &str) -> CommandResult<Option<SampleJson>> {
    match eng.sample(control)? {
        Some(s) => Ok(Some(SampleJson::new(s, eng.sample_history(control)?))),
        None => Ok(None),
    }
}

/// The engagement's frequency table (the firm's default until edited with the CLI).
#[tauri::command]
pub async fn frequency_table(state: State<'_, AppState>) -> CommandResult<Vec<FrequencyRowJson>> {
    state
        .with_engagement(|eng| {
            Ok(eng
                .frequency_table()?
                .rows()
                .map(|(f, r)| FrequencyRowJson { frequency: f.into(), lower: r.lower, higher: r.higher })
                .collect())
        })
        .await
}

/// A non-statistical size from the engagement's frequency table; an event-driven control
/// takes the row its occurrences in the control's frame fall in.
#[tauri::command]
pub async fn plan_frequency(
    state: State<'_, AppState>,
    control: String,
    frequency: FrequencyKind,
    risk: RiskKind,
) -> CommandResult<PlanJson> {
    state
        .with_engagement(move |eng| {
            let frame = eng.current_population(&control)?.map_or(0, |p| p.frame_size);
            let planning = Planning::FirmTable { frequency: Frequency::from(frequency), risk: risk.into() };
            let (_, plan) = plan_sample(&planning, frame, &eng.frequency_table()?, &eng.sampling_policy()?)?;
            Ok(plan.into())
        })
        .await
}

/// A statistical attribute sample size; a plan with no size is an answer, not an error.
#[tauri::command]
pub async fn plan_attribute_size(
    confidence: String,
    tolerable_rate: String,
    expected_rate: String,
    distribution: DistributionKind,
    population_size: Option<u64>,
) -> CommandResult<PlanJson> {
    let plan = (|| {
        let distribution = Distribution::from_name(distribution.name(), population_size)?;
        plan_attribute(
            Rate::confidence(&confidence)?,
            Rate::tolerable(&tolerable_rate)?,
            Rate::expected(&expected_rate)?,
            distribution,
        )
    })()
    .map_err(tickmark::Error::from)?;
    Ok(plan.into())
}

/// A test of one for an automated control, with the rationale the workpaper records.
#[tauri::command]
pub async fn plan_test_of_one(rationale: String) -> CommandResult<PlanJson> {
    Ok(Plan::test_of_one(&rationale).map_err(tickmark::Error::from)?.into())
}

/// A proposed 20-digit seed from the operating system's random source, read here at the edge.
/// A draw with exactly this seed is recorded as "proposed by Tickmark".
#[tauri::command]
pub async fn seed_propose(state: State<'_, AppState>) -> CommandResult<String> {
    let seed = Seed::propose(&mut rand::TryRngCore::unwrap_err(rand::rngs::OsRng)).as_str().to_string();
    *state.proposed_seed.lock().map_err(|_| CommandError::internal("the seed lock was poisoned"))? = Some(seed.clone());
    Ok(seed)
}

#[tauri::command]
pub async fn sample_current(state: State<'_, AppState>, control: String) -> CommandResult<Option<SampleJson>> {
    state.with_engagement(move |eng| sample_json(eng, &control)).await
}

/// Draws the control's sample, or draws again (the request carries the reason; the earlier
/// draw stays on record and counts).
#[tauri::command]
pub async fn sample_draw(
    state: State<'_, AppState>,
    control: String,
    request: SampleRequestJson,
) -> CommandResult<SampleJson> {
    let proposed = lock_proposed(&state)?;
    let SampleRequestJson { method, size, seed, strata, basis, replace_reason, planning } = request;
    let typed = TypedRequest {
        method: method.into(),
        size,
        strata: strata.as_deref(),
        basis: Some(basis.as_str()),
        replace_reason: replace_reason.as_deref(),
    };
    let seed_proposed = proposed.as_deref() == Some(seed.as_str());
    let seed = Seed::new(seed).map_err(tickmark::Error::from)?;
    let req = SampleRequest::typed(typed, seed, seed_proposed, planning.try_into()?)?;
    state
        .with_engagement(move |eng| {
            eng.draw_sample(&control, &req, &actor_for(eng)?)?;
            sample_json(eng, &control)?.ok_or_else(|| CommandError::internal("the sample was not saved"))
        })
        .await
}

/// Voids an item that cannot be tested and draws its replacement, the next item of the
/// same stream; the voided item stays listed with the reason.
#[tauri::command]
pub async fn sample_void(
    state: State<'_, AppState>,
    control: String,
    ordinal: u64,
    reason: String,
) -> CommandResult<SampleJson> {
    state
        .with_engagement(move |eng| {
            eng.void_item(&control, ordinal, &reason, &actor_for(eng)?)?;
            sample_json(eng, &control)?.ok_or_else(|| CommandError::internal("the sample vanished"))
        })
        .await
}

fn lock_proposed(state: &AppState) -> CommandResult<Option<String>> {
    Ok(state.proposed_seed.lock().map_err(|_| CommandError::internal("the seed lock was poisoned"))?.clone())
}

/// Extends the current random sample to `new_size`; earlier items keep their ordinals.
#[tauri::command]
pub async fn sample_extend(state: State<'_, AppState>, control: String, new_size: u64) -> CommandResult<SampleJson> {
    state
        .with_engagement(move |eng| {
            eng.extend_sample(&control, new_size, &actor_for(eng)?)?;
            sample_json(eng, &control)?.ok_or_else(|| CommandError::internal("the sample vanished"))
        })
        .await
}

/// Re-performs the control's recorded sample from a copy of the client's file (chosen by the
/// auditor): the recorded mapping, exclusions, seed, extensions and voids; each item's key is
/// compared with the file's row. Reads the file only; the engagement is not changed.
#[tauri::command]
pub async fn sample_reperform_file(
    state: State<'_, AppState>,
    control: String,
    file: String,
) -> CommandResult<FileCheckJson> {
    let path = state.files.path(&file, Access::Read)?;
    state.with_engagement(move |eng| Ok(eng.reperform_from_file(&control, &path)?.into())).await
}

/// Re-performs every draw of the control (replaced ones too) from the stored population.
#[tauri::command]
pub async fn sample_verify(state: State<'_, AppState>, control: String) -> CommandResult<Vec<SampleCheckJson>> {
    state
        .with_engagement(move |eng| {
            Ok(eng.verify_samples()?.into_iter().filter(|c| c.control == control).map(Into::into).collect())
        })
        .await
}
