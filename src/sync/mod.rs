//! The sync engine: connectors fetch, a pure planner decides, the store applies.
//!
//! (Contract used by the CLI and the desktop shell; the engine itself is being built.)

use chrono::{DateTime, Utc};

use crate::model::{SourceKind, SyncProgress, SyncSummary};
use crate::{Error, Result, Store};

/// Sync one source (by name) into the store. `token` is the API credential
/// (from the OS credential store or the source's token environment variable);
/// it is never written anywhere. `progress` is called as pages are applied.
pub async fn sync_source(
    store: &Store,
    source: &str,
    token: Option<String>,
    now: DateTime<Utc>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<SyncSummary> {
    let _ = (store, source, token, now, progress);
    Err(Error::Internal("sync is not built yet".into()))
}

/// What a successful connection test found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionInfo {
    /// The project's display name on the server.
    pub project_name: String,
    /// How many tickets the first sync will fetch, when the server says.
    pub ticket_count: Option<u64>,
}

/// Check that `url` answers as a `kind` server, that `token` is accepted and
/// that `project` exists, without touching the store.
pub async fn test_connection(kind: SourceKind, url: &str, project: &str, token: Option<String>) -> Result<ConnectionInfo> {
    let _ = (kind, url, project, token);
    Err(Error::Internal("sync is not built yet".into()))
}

/// The token for a source from its environment variable (the CLI route).
pub fn token_from_env(token_env: Option<&str>) -> Option<String> {
    token_env.and_then(|v| std::env::var(v).ok()).filter(|t| !t.is_empty())
}
