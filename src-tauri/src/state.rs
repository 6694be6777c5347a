//! What every command finds in Tauri's managed state.

use std::path::PathBuf;
use std::sync::Arc;

use hypercare::Store;

use crate::credentials::Credentials;
use crate::refine_runner::RefineRunner;
use crate::sync_runner::SyncRunner;

/// The shell's state. `Store` is an r2d2 pool: commands clone it into
/// blocking tasks; nothing here is locked across an await.
pub struct AppState {
    pub store: Store,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub credentials: Arc<Credentials>,
    pub sync: Arc<SyncRunner>,
    /// The background triage refinement.
    pub refine: Arc<RefineRunner>,
}

impl AppState {
    /// Open (and migrate) the workspace's store in `data_dir`.
    pub fn open(data_dir: PathBuf, log_dir: PathBuf) -> hypercare::Result<AppState> {
        let store = Store::open_dir(&data_dir)?;
        Ok(AppState {
            store,
            data_dir,
            log_dir,
            credentials: Arc::new(Credentials::default()),
            sync: Arc::new(SyncRunner::from_env()),
            refine: Arc::new(RefineRunner::default()),
        })
    }
}
