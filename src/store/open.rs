//! Opening a store file: look before writing, then migrate on one
//! connection, telling an observer how the upgrade goes.
//!
//! A file written by a newer build is refused after a read-only look, so
//! it is left exactly as it was. Every failure names the file and says why
//! in a [`StoreProblem`] the app switches on (the CLI prints the message).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode as SqliteCode, OpenFlags};

use super::migrations::{self, MigrationObserver};
use crate::{Error, Result, StoreProblem};

/// How long opening waits for another process that holds the file.
pub const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The store's schema version, read without writing anything, or `None`
/// when there is no file yet.
pub fn schema_version(path: &Path) -> Result<Option<i64>> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| open_error(path, e))?;
    conn.busy_timeout(BUSY_WAIT).map_err(|e| open_error(path, e))?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| open_error(path, e))?;
    Ok(Some(version))
}

/// Refuse a store written by a newer build before anything writes to it,
/// then migrate it (creating it when new) on one connection.
pub fn prepare(path: &Path, observer: Option<MigrationObserver>, init: fn(&mut Connection) -> rusqlite::Result<()>) -> Result<()> {
    let shown = path.display().to_string();
    let known = migrations::latest_version();
    if let Some(found) = schema_version(path)? {
        if found > known {
            return Err(Error::SchemaTooNew { path: shown, found, known });
        }
    }
    let mut conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    init(&mut conn).map_err(|e| open_error(path, e))?;
    match migrations::migrate_with(&mut conn, &shown, observer) {
        Err(Error::Sqlite(e)) => Err(open_error(path, e)),
        other => other.map(|_| ()),
    }
}

/// An SQLite failure while opening `path`, named and classified.
pub fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    let problem = match e.sqlite_error_code() {
        Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => StoreProblem::Locked,
        Some(SqliteCode::NotADatabase | SqliteCode::DatabaseCorrupt) => StoreProblem::NotAStore,
        _ => StoreProblem::CannotOpen,
    };
    Error::StoreOpen { path: path.display().to_string(), problem, reason: e.to_string() }
}
