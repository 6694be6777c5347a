//! The local SQLite store: one file per workspace.
//!
//! A small r2d2 pool of connections, each opened with WAL,
//! `synchronous=NORMAL`, a busy timeout and foreign keys on. Every write goes
//! through [`Store::with_tx`], which starts with `BEGIN IMMEDIATE` so that a
//! read-then-write transaction never dies of SQLITE_BUSY. Reads go through
//! [`Store::read`]. Both are blocking: async callers run them in
//! `spawn_blocking`.

pub mod facets;
pub mod fields;
pub mod migrations;
pub mod open;
pub mod sources;
pub mod tickets;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{Error, Result};

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// File name of the store inside a workspace's data directory.
pub const STORE_FILE: &str = "hypercare.sqlite3";

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn init_connection(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )?;
    Ok(())
}

impl Store {
    /// Open (creating if needed) the store file at `path` and migrate it.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// [`Store::open`], telling `observer` how each pending migration goes
    /// (nothing when the store is up to date). A store written by a newer
    /// build, a locked or a damaged file is refused untouched with an
    /// [`Error::StoreOpen`] or [`Error::SchemaTooNew`] naming it.
    pub fn open_with(path: impl AsRef<Path>, observer: Option<migrations::MigrationObserver>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| Error::StoreOpen {
                    path: path.display().to_string(),
                    problem: crate::StoreProblem::CannotOpen,
                    reason: format!("cannot create the folder {}: {e}", dir.display()),
                })?;
            }
        }
        open::prepare(&path, observer, init_connection)?;
        let manager = SqliteConnectionManager::file(&path).with_init(init_connection);
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(30))
            .build(manager)
            .map_err(|e| Error::Internal(format!("cannot open the store {}: {e}", path.display())))?;
        Ok(Store { pool, path })
    }

    /// Open the store of the workspace in `data_dir`.
    pub fn open_dir(data_dir: impl AsRef<Path>) -> Result<Store> {
        Store::open(data_dir.as_ref().join(STORE_FILE))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in a write transaction (`BEGIN IMMEDIATE`). Commits when `f`
    /// returns `Ok`, rolls back otherwise.
    pub fn with_tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.get()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` with a pooled connection, for reads.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.pool.get()?;
        f(&conn)
    }
}

/// Run `sql` with `params` and collect every row through `f`.
pub fn query_all<T, P: rusqlite::Params>(
    c: &Connection,
    sql: &str,
    params: P,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map(params, f)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Unix seconds of an instant, as stored.
pub fn to_ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// The instant of stored unix seconds.
pub fn from_ts(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(s, 0).single().unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

pub fn opt_from_ts(s: Option<i64>) -> Option<DateTime<Utc>> {
    s.map(from_ts)
}
