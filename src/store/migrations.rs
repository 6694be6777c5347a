//! Embedded, numbered, append-only schema migrations.
//!
//! The schema version is `PRAGMA user_version`. Each migration runs in its
//! own `BEGIN IMMEDIATE` transaction together with the version bump, so a
//! crash leaves the store at the previous version, never half-migrated.
//! **Never edit a migration that has landed; append a new one.**

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

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
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Bring `conn` up to the latest schema. Returns the versions applied.
pub fn migrate(conn: &mut Connection, path: &str) -> Result<Vec<i64>> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = latest_version();
    if current > known {
        return Err(Error::SchemaTooNew { path: path.to_string(), found: current, known });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(m.sql).map_err(|e| {
            Error::Internal(format!("migration {:04}_{} failed: {e}", m.version, m.name))
        })?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
        applied.push(m.version);
    }
    Ok(applied)
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
