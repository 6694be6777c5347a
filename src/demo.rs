//! The built-in, deterministic sample hypercare (contract; being built).

use serde::{Deserialize, Serialize};

use crate::{Error, Result, Store};

/// What loading the demo wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DemoSummary {
    pub tickets: u64,
    pub comments: u64,
    pub status_changes: u64,
}

/// Name of the demo source.
pub const DEMO_SOURCE: &str = "demo";

/// Load the demo into `store` (replacing an earlier demo source's data).
pub fn load_demo(store: &Store) -> Result<DemoSummary> {
    let _ = store;
    Err(Error::Internal("demo is not built yet".into()))
}

/// Load the demo when the workspace has no sources at all (first run).
/// Returns whether it loaded.
pub fn ensure_demo(store: &Store) -> Result<bool> {
    if !store.sources()?.is_empty() {
        return Ok(false);
    }
    load_demo(store)?;
    Ok(true)
}
