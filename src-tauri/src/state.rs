//! What every command finds in Tauri's managed state.
//!
//! The state is managed before the window exists; the store is not. It is
//! opened (and upgraded) on its own thread once the window shows
//! ([`AppState::open_store`]), and published through a `watch` channel:
//! [`AppState::store`] waits for it, so a command called early simply
//! takes longer, and after a failed open every command returns that
//! failure. No command ever sees a half-opened store.

use std::path::PathBuf;
use std::sync::Arc;

use hypercare::store::migrations::{MigrationObserver, MigrationPhase, MigrationProgress};
use hypercare::Store;
use tokio::sync::watch;

use crate::credentials::Credentials;
use crate::error::{CmdResult, IpcError};
use crate::refine_runner::RefineRunner;
use crate::sync_runner::SyncRunner;

/// Where opening the workspace's store is.
#[derive(Clone, Debug)]
pub enum Boot {
    /// Still opening; the latest migration progress once an upgrade runs.
    Opening(Option<MigrationProgress>),
    Ready(Store),
    /// It could not be opened; the file was left as it was.
    Failed(IpcError),
}

/// The shell's state. `Store` is an r2d2 pool: commands clone it into
/// blocking tasks; nothing here is locked across an await.
pub struct AppState {
    boot: watch::Sender<Boot>,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub credentials: Arc<Credentials>,
    pub sync: Arc<SyncRunner>,
    /// The background triage refinement.
    pub refine: Arc<RefineRunner>,
}

impl AppState {
    /// The state of a workspace in `data_dir` whose store is not open yet.
    pub fn new(data_dir: PathBuf, log_dir: PathBuf) -> AppState {
        AppState {
            boot: watch::Sender::new(Boot::Opening(None)),
            data_dir,
            log_dir,
            credentials: Arc::new(Credentials::default()),
            sync: Arc::new(SyncRunner::from_env()),
            refine: Arc::new(RefineRunner::default()),
        }
    }

    /// Open (and migrate) the workspace's store in `data_dir` at once.
    pub fn open(data_dir: PathBuf, log_dir: PathBuf) -> CmdResult<AppState> {
        let state = AppState::new(data_dir, log_dir);
        state.open_store()?;
        Ok(state)
    }

    /// Open (and migrate) the store, publishing each migration's progress
    /// and then the store or the failure. Blocking: run it off the main
    /// thread.
    pub fn open_store(&self) -> CmdResult<Store> {
        let path = self.data_dir.join(hypercare::store::STORE_FILE);
        let tx = self.boot.clone();
        let observer: MigrationObserver = Arc::new(move |p: &MigrationProgress| {
            if p.phase != MigrationPhase::Working {
                tracing::info!(step = p.step, steps = p.steps, version = p.version, elapsed_ms = p.elapsed_ms,
                    "upgrading the workspace: {} {:?}", p.name, p.phase);
            }
            tx.send_replace(Boot::Opening(Some(p.clone())));
        });
        match Store::open_with(&path, Some(observer)) {
            Ok(store) => {
                self.boot.send_replace(Boot::Ready(store.clone()));
                Ok(store)
            }
            Err(e) => {
                let e = IpcError::from(e);
                self.fail(e.clone());
                Err(e)
            }
        }
    }

    /// Publish a failure of the opening itself (the opener died).
    pub fn fail(&self, e: IpcError) {
        tracing::error!("cannot open the workspace: {}", e.message);
        self.boot.send_replace(Boot::Failed(e));
    }

    /// Follow the opening: the current state first, then each change.
    pub fn boot(&self) -> watch::Receiver<Boot> {
        self.boot.subscribe()
    }

    /// The store, once open: waits while it opens; the open's failure after one.
    pub async fn store(&self) -> CmdResult<Store> {
        let mut rx = self.boot.subscribe();
        let boot = rx
            .wait_for(|b| !matches!(b, Boot::Opening(_)))
            .await
            .map_err(|_| IpcError::internal("the workspace is no longer being opened"))?;
        match &*boot {
            Boot::Ready(store) => Ok(store.clone()),
            Boot::Failed(e) => Err(e.clone()),
            Boot::Opening(_) => Err(IpcError::internal("the workspace is still opening")),
        }
    }

    /// The store if it is open now (for background work that starts later otherwise).
    pub fn store_now(&self) -> Option<Store> {
        match &*self.boot.borrow() {
            Boot::Ready(store) => Some(store.clone()),
            _ => None,
        }
    }
}
