//! Syncing from the UI: a run with progress, and the current status.

use hypercare::model::{SyncProgress, SyncSummary};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::error::CmdResult;
use crate::state::AppState;
use crate::sync_runner::{run_sync, SyncStatus};

/// Sync `source` (or every server source when `None`) on a background task,
/// streaming progress to `on_progress`; resolves when the run ends. Waits
/// for a run already in progress to finish first.
#[tauri::command]
pub async fn start_sync<R: Runtime>(
    app: AppHandle<R>,
    source: Option<String>,
    on_progress: Channel<SyncProgress>,
) -> CmdResult<Vec<SyncSummary>> {
    run_sync(app, source, Some(on_progress)).await
}

/// The sync state the status bar shows (later changes arrive as `sync-status` events).
#[tauri::command]
pub fn sync_status(state: State<'_, AppState>) -> SyncStatus {
    state.sync.status()
}
