//! Next year's engagement from this year's (the roll-forward), and on each control of the new
//! one, confirming what was carried and reading last year's findings to follow up.

use std::path::Path;

use tauri::{AppHandle, Runtime, State};
use tickmark::Engagement;
use tickmark::engagement::Period;
use tickmark::store::Passphrase;

use super::engagements::{dirs, install, passphrase};
use crate::error::CommandResult;
use crate::files::Access;
use crate::json::{CarriedJson, EngagementJson, RolledForwardJson, RollforwardCheckJson};
use crate::state::{self, AppState, Slot, blocking, lock};

/// Runs `f` on the engagement at `path`: the open one when it is that file (its lock is this
/// window's), else the file opened for reading (with `key` when it is encrypted).
fn with_prior<T>(
    slot: &Slot,
    path: &Path,
    key: Option<&Passphrase>,
    f: impl FnOnce(&Engagement) -> CommandResult<T>,
) -> CommandResult<T> {
    let same = |open: &Path| match (open.canonicalize(), path.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => open == path,
    };
    {
        let guard = lock(slot)?;
        if let Some(open) = guard.as_ref().filter(|e| same(e.path())) {
            return f(open);
        }
    }
    f(&Engagement::open_keyed(path, key)?)
}

/// `start..end` as the engine reads a period (one date, twice, for a Type 1 report).
fn period(start: &str, end: &str) -> CommandResult<Period> {
    Ok(Period::parse(&format!("{}..{}", start.trim(), end.trim()))?)
}

/// Reads the prior engagement behind `prior` (a handle from the open dialog) for the
/// roll-forward form: its client and period, the year after proposed, and whether the period
/// asked about (if any) follows it. An encrypted prior needs its `passphrase`.
#[tauri::command]
pub async fn rollforward_check(
    state: State<'_, AppState>,
    prior: String,
    period_start: Option<String>,
    period_end: Option<String>,
    passphrase: Option<String>,
) -> CommandResult<RollforwardCheckJson> {
    let path = state.files.path(&prior, Access::Read)?;
    let key = self::passphrase(passphrase)?;
    let asked = match (period_start, period_end) {
        (Some(start), Some(end)) => Some(period(&start, &end)?),
        _ => None,
    };
    let slot = state.engagement.clone();
    blocking(move || {
        with_prior(&slot, &path, key.as_ref(), |eng| {
            let info = eng.info()?;
            let controls = eng.controls()?.len();
            let prior_period = info.period;
            Ok(RollforwardCheckJson::new(EngagementJson::new(eng.path(), info), prior_period, controls, asked))
        })
    })
    .await
}

/// Creates next year's engagement at `file` (a handle from the save dialog) from `prior` for
/// the period given, and opens it. The engine refuses an existing file, and a period that does
/// not start the day after the prior one ends unless `force`. An encrypted prior's passphrase
/// also encrypts the new file.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn engagement_rollforward<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    prior: String,
    file: String,
    period_start: String,
    period_end: String,
    force: bool,
    passphrase: Option<String>,
) -> CommandResult<RolledForwardJson> {
    let prior = state.files.path(&prior, Access::Read)?;
    let path = state.files.path(&file, Access::Write)?;
    let key = self::passphrase(passphrase)?;
    let period = period(&period_start, &period_end)?;
    let (slot, config) = (state.engagement.clone(), dirs(&app, &state)?.config);
    blocking(move || {
        let done = with_prior(&slot, &prior, key.as_ref(), |from| {
            let actor = state::actor(Some(&from.info()?.preparer))?;
            Ok(Engagement::rollforward(from, &path, period, force, &actor, key.as_ref())?)
        })?;
        let opened = install(&slot, &config, Engagement::open_keyed(&path, key.as_ref())?)?;
        Ok(RolledForwardJson::new(done, opened))
    })
    .await
}

/// What of the control was carried forward and is not yet confirmed, and last year's
/// exceptions and deficiencies on it.
#[tauri::command]
pub async fn carried_load(state: State<'_, AppState>, control: String) -> CommandResult<CarriedJson> {
    state
        .with_engagement(move |eng| {
            Ok(CarriedJson {
                unconfirmed: eng.unconfirmed(&control)?,
                follow_ups: eng.follow_ups(Some(&control))?.into_iter().map(Into::into).collect(),
                control,
            })
        })
        .await
}

/// Confirms what was carried forward on the control, as it stands; answers what was confirmed.
#[tauri::command]
pub async fn carried_confirm(state: State<'_, AppState>, control: String) -> CommandResult<Vec<String>> {
    state
        .with_engagement(move |eng| {
            let actor = state::actor_for(eng)?;
            Ok(eng.confirm_carried(&control, &actor)?)
        })
        .await
}
