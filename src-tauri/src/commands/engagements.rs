//! Start-up, the recent list, and creating, opening and closing engagements.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager, Runtime, State};
use tickmark::Engagement;
use tickmark::engagement::NewEngagement;
use tickmark::store::Passphrase;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::files::Access;
use crate::json::{EngagementJson, NewEngagementJson, RecentJson, StartJson, StartupReportJson};
use crate::recent;
use crate::startup;
use crate::state::{self, AppState, Dirs, Slot, blocking, lock};

/// The app's data and config directories, or `--data-dir` for both.
pub(crate) fn dirs<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> CommandResult<Dirs> {
    if let Some(d) = &state.launch.data_dir {
        return Ok(Dirs { data: d.clone(), config: d.clone() });
    }
    let p = app.path();
    Ok(Dirs {
        data: p.app_data_dir().map_err(CommandError::internal)?,
        config: p.app_config_dir().map_err(CommandError::internal)?,
    })
}

/// Opens `path` as the app's engagement (with `key` when it is encrypted) and puts it at the
/// top of the recent list. Opening the one already open returns it; a failed open leaves the
/// current one open.
fn open(slot: &Slot, config: &Path, path: &Path, key: Option<&Passphrase>) -> CommandResult<EngagementJson> {
    if let Some(eng) = lock(slot)?.as_ref().filter(|e| e.path() == path) {
        return Ok(EngagementJson::new(eng.path(), eng.info()?));
    }
    let eng = Engagement::open_keyed(path, key)?;
    install(slot, config, eng)
}

/// The passphrase typed in the window, if any (an empty one is none).
pub(crate) fn passphrase(typed: Option<String>) -> CommandResult<Option<Passphrase>> {
    Ok(typed.filter(|p| !p.is_empty()).map(Passphrase::new).transpose()?)
}

/// Makes `eng` the open engagement; the one it replaces is closed, releasing its lock.
pub(crate) fn install(slot: &Slot, config: &Path, eng: Engagement) -> CommandResult<EngagementJson> {
    let json = EngagementJson::new(eng.path(), eng.info()?);
    *lock(slot)? = Some(eng);
    // The recent list is a convenience: failing to save it must not fail the open.
    let _ = recent::remember(config, &json);
    Ok(json)
}

/// What the window starts on. On first start (no recent list yet) or with `--demo`, the demo
/// engagement is built in the app's data directory if missing, and opened.
#[tauri::command]
pub async fn app_start<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CommandResult<StartJson> {
    let dirs = dirs(&app, &state)?;
    let launch = state.launch.clone();
    let first_start = !recent::file(&dirs.config).exists();
    let demo = dirs.data.join("demo.tickmark");
    let current = lock(&state.engagement)?.as_ref().map(|e| e.path().to_path_buf());
    let target: Option<PathBuf> = match (current, &launch.engagement) {
        // A reload of the window keeps what is open.
        (Some(open), _) => Some(open),
        (None, Some(p)) => Some(p.clone()),
        (None, None) if launch.demo || first_start => Some(demo.clone()),
        (None, None) => None,
    };
    let mut start = StartJson {
        engagement: None,
        recent: vec![],
        screen: launch.screen,
        control: launch.control,
        open_error: None,
        user: tickmark::engagement::Actor::user_name(None),
        version: tickmark::VERSION.to_string(),
        startup_trace: startup::enabled(),
    };
    startup::mark("app_start received");
    if let Some(path) = target {
        let (slot, config) = (state.engagement.clone(), dirs.config.clone());
        let opened = blocking(move || {
            if path == demo && !path.exists() {
                tickmark::demo::build(&path, false, &state::actor(None)?)?;
            }
            open(&slot, &config, &path, None)
        })
        .await;
        startup::mark("engagement opened");
        match opened {
            Ok(e) => start.engagement = Some(e),
            Err(e) => start.open_error = Some(e),
        }
    }
    start.recent = with_handles(&state, recent::load(&dirs.config));
    startup::mark("app_start answered");
    Ok(start)
}

/// The page's start-up milestones, written to the start-up trace when it is on (the page sends
/// them only then).
#[tauri::command]
pub async fn startup_report(report: StartupReportJson) -> CommandResult<()> {
    startup::page_report(&report);
    Ok(())
}

/// The recent list with a handle for each entry, so the page can open or forget it without
/// ever sending a path.
fn with_handles(state: &AppState, list: Vec<RecentJson>) -> Vec<RecentJson> {
    list.into_iter()
        .map(|r| RecentJson { handle: state.files.issue(PathBuf::from(&r.path), Access::Read).handle, ..r })
        .collect()
}

#[tauri::command]
pub async fn recent_list<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CommandResult<Vec<RecentJson>> {
    Ok(with_handles(&state, recent::load(&dirs(&app, &state)?.config)))
}

#[tauri::command]
pub async fn recent_forget<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    file: String,
) -> CommandResult<Vec<RecentJson>> {
    let path = state.files.path(&file, Access::Read)?;
    let config = dirs(&app, &state)?.config;
    let list = recent::forget(&config, &path.display().to_string())
        .map_err(|e| CommandError::new(ErrorCode::Io, format!("{}: {e}", config.display())))?;
    Ok(with_handles(&state, list))
}

/// Checks the new-engagement form as the engine reads it, before the auditor is asked where
/// to save the file.
#[tauri::command]
pub async fn engagement_check(input: NewEngagementJson) -> CommandResult<()> {
    NewEngagement::try_from(input)?;
    Ok(())
}

/// Creates an engagement at `file` (a handle from the native save dialog) and opens it;
/// encrypted with `passphrase` when one is given.
#[tauri::command]
pub async fn engagement_create<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    file: String,
    input: NewEngagementJson,
    passphrase: Option<String>,
) -> CommandResult<EngagementJson> {
    let path = state.files.path(&file, Access::Write)?;
    let key = self::passphrase(passphrase)?;
    let (slot, config) = (state.engagement.clone(), dirs(&app, &state)?.config);
    let actor = state::actor(Some(&input.preparer))?;
    let new = NewEngagement::try_from(input)?;
    blocking(move || install(&slot, &config, Engagement::create_keyed(&path, &new, &actor, key.as_ref())?)).await
}

/// Opens the engagement behind `file` (a handle from the open dialog, a drop or the recent list).
#[tauri::command]
pub async fn engagement_open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    file: String,
    passphrase: Option<String>,
) -> CommandResult<EngagementJson> {
    let path = state.files.path(&file, Access::Read)?;
    let key = self::passphrase(passphrase)?;
    let (slot, config) = (state.engagement.clone(), dirs(&app, &state)?.config);
    blocking(move || open(&slot, &config, &path, key.as_ref())).await
}

/// Closes the open engagement, releasing its lock for the CLI or another window.
#[tauri::command]
pub async fn engagement_close(state: State<'_, AppState>) -> CommandResult<()> {
    let slot = state.engagement.clone();
    blocking(move || {
        *lock(&slot)? = None;
        Ok(())
    })
    .await
}
