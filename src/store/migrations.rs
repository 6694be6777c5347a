//! Embedded, numbered, append-only schema migrations.
//!
//! The schema version is `PRAGMA user_version`. Each migration runs in its
//! own `BEGIN IMMEDIATE` transaction together with the version bump, so a
//! crash leaves the store at the previous version, never half-migrated.
//! **Never edit a migration that has landed; append a new one.**

use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;
use ts_rs::TS;

use crate::{Error, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// What the user reads while this migration runs ("rebuilding the
    /// search index"). Named here, not in the list, so that a migration
    /// added on another branch needs no field of its own.
    pub fn title(&self) -> &'static str {
        match self.name {
            "search_stems" => "rebuilding the search index",
            "inbox_indexes" | "inbox_newest" | "kpi_validation_queue_index" => "building indexes",
            _ => "updating the tables",
        }
    }

    /// Whether this migration works through every ticket (the user is told
    /// how many: the only honest measure of its size).
    fn walks_tickets(&self) -> bool {
        self.name == "search_stems"
    }
}

/// Where one migration is, reported to the observer of [`migrate_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MigrationPhase {
    /// About to run (nothing of it written yet).
    Started,
    /// Still running: a heartbeat from SQLite's progress handler, at most
    /// every [`HEARTBEAT`]. Carries the time spent, never a guessed share.
    Working,
    /// Committed with its version bump.
    Finished,
}

/// The progress of the pending migrations while a store opens: which one
/// runs (`step` of `steps`, counted from 1 over the pending ones only),
/// what it does, and for how long it has run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MigrationProgress {
    pub step: u32,
    pub steps: u32,
    pub version: i64,
    pub name: String,
    /// What the user reads: "rebuilding the search index".
    pub title: String,
    pub phase: MigrationPhase,
    /// Time spent on this step so far (on `finished`: in all).
    pub elapsed_ms: u64,
    /// The tickets this step works through, when it works through them.
    pub tickets: Option<u64>,
    /// The store was empty: a new workspace is being created, nothing upgraded.
    pub creating: bool,
}

/// Receives migration progress. Called on the migrating thread, also from
/// inside SQLite's progress handler: it must be quick and must not touch
/// the store.
pub type MigrationObserver = Arc<dyn Fn(&MigrationProgress) + Send + Sync>;

/// The most often a running migration reports `working`.
pub const HEARTBEAT: Duration = Duration::from_millis(250);

/// SQLite virtual-machine steps between two looks at the clock.
const HANDLER_OPS: i32 = 20_000;

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "core", sql: include_str!("migrations/0001_core.sql") },
    Migration { version: 2, name: "validation", sql: include_str!("migrations/0002_validation.sql") },
    Migration { version: 3, name: "kpi", sql: include_str!("migrations/0003_kpi.sql") },
    Migration { version: 4, name: "triage", sql: include_str!("migrations/0004_triage.sql") },
    Migration { version: 6, name: "inbox_indexes", sql: include_str!("migrations/0006_inbox_indexes.sql") },
    Migration { version: 32, name: "kpi_usage_ids", sql: include_str!("migrations/0032_kpi_usage_ids.sql") },
    Migration { version: 33, name: "inbox_newest", sql: include_str!("migrations/0033_inbox_newest.sql") },
    Migration { version: 60, name: "category_push", sql: include_str!("migrations/0060_category_push.sql") },
    Migration {
        version: 61,
        name: "survey_comment_themes",
        sql: include_str!("migrations/0061_survey_comment_themes.sql"),
    },
    Migration {
        version: 62,
        name: "kpi_validation_queue_index",
        sql: include_str!("migrations/0062_kpi_validation_queue_index.sql"),
    },
    Migration { version: 63, name: "text_embeddings", sql: include_str!("migrations/0063_text_embeddings.sql") },
    Migration {
        version: 90,
        name: "survey_comment_overrides",
        sql: include_str!("migrations/0090_survey_comment_overrides.sql"),
    },
    Migration { version: 91, name: "category_conflict", sql: include_str!("migrations/0091_category_conflict.sql") },
    Migration { version: 92, name: "triage_basis", sql: include_str!("migrations/0092_triage_basis.sql") },
    Migration { version: 93, name: "survey_comment_basis", sql: include_str!("migrations/0093_survey_comment_basis.sql") },
    Migration { version: 96, name: "validation_drafts", sql: include_str!("migrations/0096_validation_drafts.sql") },
    Migration { version: 101, name: "search_stems", sql: include_str!("migrations/0101_search_stems.sql") },
    Migration {
        version: 106,
        name: "demo_process_area",
        sql: include_str!("migrations/0106_demo_process_area.sql"),
    },
    Migration { version: 107, name: "theme_comment_pins", sql: include_str!("migrations/0107_theme_comment_pins.sql") },
    Migration { version: 114, name: "source_field_names", sql: include_str!("migrations/0114_source_field_names.sql") },
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The migrations a store at schema `current` still needs, in order.
pub fn pending(current: i64) -> Vec<&'static Migration> {
    MIGRATIONS.iter().filter(|m| m.version > current).collect()
}

/// Bring `conn` up to the latest schema. Returns the versions applied.
pub fn migrate(conn: &mut Connection, path: &str) -> Result<Vec<i64>> {
    migrate_with(conn, path, None)
}

/// [`migrate`], telling `observer` when each pending migration starts, is
/// still running and has committed. A store already up to date reports
/// nothing.
pub fn migrate_with(conn: &mut Connection, path: &str, observer: Option<MigrationObserver>) -> Result<Vec<i64>> {
    migrate_paced(conn, path, observer, HEARTBEAT)
}

/// [`migrate_with`] with `working` heartbeats at most every `heartbeat`
/// (`Duration::ZERO`: at every look SQLite's progress handler gives, which
/// tests use to see heartbeats however fast the machine).
pub fn migrate_paced(
    conn: &mut Connection,
    path: &str,
    observer: Option<MigrationObserver>,
    heartbeat: Duration,
) -> Result<Vec<i64>> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = latest_version();
    if current > known {
        return Err(Error::SchemaTooNew { path: path.to_string(), found: current, known });
    }
    let todo = pending(current);
    let steps = todo.len() as u32;
    let mut applied = Vec::new();
    for (i, m) in todo.into_iter().enumerate() {
        let tickets = match (&observer, m.walks_tickets()) {
            (Some(_), true) => Some(conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0))? as u64),
            _ => None,
        };
        let report = |phase, elapsed: Duration| MigrationProgress {
            step: i as u32 + 1,
            steps,
            version: m.version,
            name: m.name.to_string(),
            title: m.title().to_string(),
            phase,
            elapsed_ms: elapsed.as_millis() as u64,
            tickets,
            creating: current == 0,
        };
        let started = Instant::now();
        if let Some(on) = &observer {
            on(&report(MigrationPhase::Started, Duration::ZERO));
            let (on, template) = (on.clone(), report(MigrationPhase::Working, Duration::ZERO));
            let mut last = started;
            conn.progress_handler(
                HANDLER_OPS,
                Some(move || {
                    if last.elapsed() >= heartbeat {
                        last = Instant::now();
                        on(&MigrationProgress { elapsed_ms: started.elapsed().as_millis() as u64, ..template.clone() });
                    }
                    false // never interrupt
                }),
            )?;
        }
        let result = apply(conn, m);
        if observer.is_some() {
            conn.progress_handler(0, None::<fn() -> bool>)?;
        }
        result?;
        if let Some(on) = &observer {
            on(&report(MigrationPhase::Finished, started.elapsed()));
        }
        applied.push(m.version);
    }
    Ok(applied)
}

/// One migration and its version bump, in one `BEGIN IMMEDIATE` transaction.
fn apply(conn: &mut Connection, m: &Migration) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(m.sql)
        .map_err(|e| Error::Internal(format!("migration {:04}_{} failed: {e}", m.version, m.name)))?;
    tx.pragma_update(None, "user_version", m.version)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_strictly_increase_so_none_is_ever_skipped() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version, "{} then {}", pair[0].version, pair[1].version);
        }
    }
}
