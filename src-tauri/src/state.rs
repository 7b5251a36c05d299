//! What the shell holds between commands: the open engagement (and with it the file's lock),
//! the import's cancel flag, the drag-and-drop channel, and how the app was launched.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use tauri::ipc::Channel;
use tickmark::Engagement;
use tickmark::engagement::Actor;

use crate::error::{CommandError, CommandResult};
use crate::files::{DialogAnswers, Handles};
use crate::json::DropJson;
use crate::launch::Launch;

/// The open engagement. `None` until one is opened; replacing it releases the old lock.
pub type Slot = Arc<Mutex<Option<Engagement>>>;

pub fn lock(slot: &Slot) -> CommandResult<MutexGuard<'_, Option<Engagement>>> {
    slot.lock().map_err(|_| CommandError::internal("the engagement lock was poisoned"))
}

pub struct AppState {
    pub engagement: Slot,
    /// Set by `population_import_cancel`; the running import's progress callback reads it.
    pub cancel_import: Arc<AtomicBool>,
    pub drops: Mutex<Option<Channel<DropJson>>>,
    pub launch: Launch,
    /// The last seed `seed_propose` handed out: a draw with exactly it was proposed by Tickmark.
    pub proposed_seed: Mutex<Option<String>>,
    /// The files chosen in this run, by the handles the webview holds.
    pub files: Handles,
    pub dialog_answers: DialogAnswers,
}

impl AppState {
    pub fn new(launch: Launch) -> AppState {
        AppState {
            engagement: Arc::new(Mutex::new(None)),
            cancel_import: Arc::new(AtomicBool::new(false)),
            drops: Mutex::new(None),
            launch,
            proposed_seed: Mutex::new(None),
            files: Handles::default(),
            dialog_answers: DialogAnswers::from_env(),
        }
    }

    /// Runs `f` on the open engagement on a blocking thread, so a long read or import never
    /// holds up the IPC runtime (or a cancel request behind it).
    pub async fn with_engagement<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Engagement) -> CommandResult<T> + Send + 'static,
    {
        let slot = self.engagement.clone();
        blocking(move || {
            let mut guard = lock(&slot)?;
            let eng = guard.as_mut().ok_or_else(CommandError::no_engagement)?;
            f(eng)
        })
        .await
    }
}

/// Runs blocking work (file reads, SQLite) off the async runtime's workers.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> CommandResult<T> + Send + 'static) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(CommandError::internal)?
}

/// Where signing identities live when launched with `--data-dir` (its `identity` folder), so
/// a test or a portable run never touches the user's own keys. Set once at start-up.
static IDENTITY_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub fn set_identity_dir(dir: PathBuf) {
    let _ = IDENTITY_DIR.set(dir);
}

/// The person acting: the engagement's preparer when one is named, else the OS user, with
/// their signing identity (created on first use in the same config directory the CLI uses,
/// so one auditor has one key). The time is read here, at the command boundary, and passed
/// into the engine.
pub fn actor(preparer: Option<&str>) -> CommandResult<Actor> {
    let name = Actor::user_name(preparer);
    let dir = IDENTITY_DIR.get().cloned().or_else(tickmark::identity::default_dir).ok_or_else(|| {
        CommandError::new(
            crate::error::ErrorCode::Invalid,
            "no config directory for the signing key: set HOME or TICKMARK_CONFIG_DIR",
        )
    })?;
    let (identity, _, _) = tickmark::identity::load_or_create(&dir, &name, tickmark::identity::os_random_secret)?;
    Ok(Actor::signed(identity, Utc::now()))
}

/// Who acts on `eng`: in a colleague's working copy, the colleague it was handed to (only
/// their pinned key may write there); in the engagement itself, its preparer.
pub fn actor_for(eng: &Engagement) -> CommandResult<Actor> {
    if let Some(copy) = eng.working_copy()? {
        return actor(Some(&copy.assignee));
    }
    let info = eng.info()?;
    actor(Some(&info.preparer))
}

/// Where the demo engagement and the recent list live.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub data: PathBuf,
    pub config: PathBuf,
}
