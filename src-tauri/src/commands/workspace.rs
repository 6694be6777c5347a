//! Opening the workspace: the store's upgrade progress while it opens, then
//! on first run the demo.

use hypercare::model::Source;
use hypercare::store::migrations::MigrationProgress;
use hypercare::Store;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::error::{blocking, CmdResult, IpcError};
use crate::refine_runner::spawn_refine;
use crate::state::{AppState, Boot};
use crate::sync_runner::SyncStatus;

/// What the app shell needs to draw its first screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    pub data_dir: String,
    pub log_dir: String,
    pub sources: Vec<Source>,
    /// The demo was loaded just now (first run).
    pub demo_loaded: bool,
    /// Why the demo could not be loaded, if it could not.
    pub demo_error: Option<IpcError>,
    /// `None` when the OS credential store works; otherwise why not (tokens
    /// then fall back to environment variables).
    pub credential_store_problem: Option<String>,
    pub sync: SyncStatus,
}

/// Open the workspace: wait for the store (it opens on its own thread as
/// the window shows), streaming each migration's progress to `on_progress`
/// while it is upgraded; then on first run (no sources) load the demo as of
/// today (`HYPERCARE_DEMO_TODAY` pins another day), and describe the
/// workspace. Fails with the open's error (its `store` says
/// why) when the store cannot be opened.
#[tauri::command]
pub async fn open_workspace<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    on_progress: Channel<MigrationProgress>,
) -> CmdResult<WorkspaceInfo> {
    let store = follow_boot(&state, &on_progress).await?;
    let pinned = std::env::var(hypercare::demo::DEMO_TODAY_ENV).ok();
    let first_run = move || {
        let today = hypercare::demo::first_run_today(chrono::Utc::now(), pinned.as_deref())?;
        hypercare::demo::ensure_demo(&store, &hypercare::demo::DemoConfig::as_of(today))
    };
    let (demo_loaded, demo_error) = match blocking(first_run).await {
        Ok(loaded) => (loaded, None),
        Err(e) => {
            tracing::warn!(code = ?e.code, error = %e.message, "could not load the demo");
            (false, Some(e))
        }
    };
    // The demo was triaged on words; a pass the last session did not finish
    // resumes too, once the window has started and the user is idle.
    state.refine.defer(crate::refine_runner::STARTUP_GRACE);
    spawn_refine(&app);
    let (store, creds) = (state.store().await?, state.credentials.clone());
    let (sources, credential_store_problem) = blocking(move || Ok((store.sources()?, creds.os_store().err()))).await?;
    Ok(WorkspaceInfo {
        data_dir: state.data_dir.display().to_string(),
        log_dir: state.log_dir.display().to_string(),
        sources,
        demo_loaded,
        demo_error,
        credential_store_problem,
        sync: state.sync.status(),
    })
}

/// Forward the opening's progress to `on_progress` until the store is open
/// (or could not be). Progress is the latest state: a step that passed
/// between two looks is not replayed.
async fn follow_boot(state: &AppState, on_progress: &Channel<MigrationProgress>) -> CmdResult<Store> {
    let mut boot = state.boot();
    loop {
        let now = boot.borrow_and_update().clone();
        match now {
            Boot::Ready(store) => return Ok(store),
            Boot::Failed(e) => return Err(e),
            Boot::Opening(Some(p)) => {
                // The window may be gone (closed during the upgrade); the upgrade goes on.
                let _ = on_progress.send(p);
            }
            Boot::Opening(None) => {}
        }
        if boot.changed().await.is_err() {
            return Err(IpcError::internal("the workspace is no longer being opened"));
        }
    }
}
