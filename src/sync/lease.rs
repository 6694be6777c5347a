//! One sync per source at a time, across windows and processes.
//!
//! Two runs of the same source would not corrupt the store (every page is
//! upserted by remote id), but a census taken by one run could tombstone a
//! ticket the other run has just written. So a run holds an exclusive OS
//! file lock beside the store for its whole duration. The kernel releases the
//! lock when the process ends, so a killed sync never leaves a stale lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use crate::{Error, Result, Store};

/// Held while a source syncs; dropping it releases the lock.
#[derive(Debug)]
pub struct SyncLease {
    _file: File,
    path: PathBuf,
}

impl SyncLease {
    /// Take the sync lock of source `source_id` (named `name` in messages),
    /// or fail at once with [`Error::Conflict`] when another run holds it.
    pub fn acquire(store: &Store, source_id: i64, name: &str) -> Result<SyncLease> {
        let mut path = store.path().as_os_str().to_owned();
        path.push(format!(".sync-{source_id}.lock"));
        let path = PathBuf::from(path);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::Internal(format!("cannot create the sync lock {}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(SyncLease { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(Error::Conflict(format!(
                "source {name:?} is already syncing (in the app or another `hypercare sync`); \
                 wait for that sync to finish, then try again"
            ))),
            Err(TryLockError::Error(e)) => {
                Err(Error::Internal(format!("cannot lock {} for the sync: {e}", path.display())))
            }
        }
    }

    /// The lock file (kept between runs; its presence means nothing, the lock does).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}
