//! Opening the workspace: first run loads the demo.

use hypercare::model::Source;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::error::{blocking, CmdResult, IpcError};
use crate::refine_runner::spawn_refine;
use crate::state::AppState;
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

/// Open the workspace: on first run (no sources) load the demo, then
/// describe the workspace.
#[tauri::command]
pub async fn open_workspace<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<WorkspaceInfo> {
    let store = state.store.clone();
    let (demo_loaded, demo_error) = match blocking(move || hypercare::demo::ensure_demo(&store)).await {
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
    let (store, creds) = (state.store.clone(), state.credentials.clone());
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
