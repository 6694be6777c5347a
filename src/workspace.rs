//! Where a workspace lives on disk.

use std::path::PathBuf;

use crate::{Error, Result};

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "HYPERCARE_DATA_DIR";

/// The workspace's data directory: `explicit` (from `--data-dir`), else
/// `$HYPERCARE_DATA_DIR`, else the platform's data directory
/// (`$XDG_DATA_HOME/hypercare-desk` on Linux).
pub fn data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("app", "Hypercare", "hypercare-desk")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::invalid(format!("no home directory to keep data in; pass --data-dir DIR or set {DATA_DIR_ENV}"))
        })
}
