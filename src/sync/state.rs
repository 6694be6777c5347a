//! The engine's SQL: cursors, sync runs, stored versions, tombstones.
//! Every function here runs inside the caller's connection or transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::plan::{Cursor, LocalVersion};
use crate::model::SyncSummary;
use crate::store::{opt_from_ts, to_ts};
use crate::{Error, Result};

/// What the engine needs to know about a source before a run.
#[derive(Debug, Clone)]
pub struct SourceState {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub project: String,
    pub config: serde_json::Value,
    pub cursor: Cursor,
    pub census_at: Option<DateTime<Utc>>,
}

pub fn source_state(c: &Connection, name: &str) -> Result<SourceState> {
    type Row = (i64, String, String, String, String, Option<String>, Option<i64>);
    let row: Option<Row> = c
        .query_row(
            "SELECT id, kind, url, project, config, cursor, census_at FROM sources WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let (id, kind, url, project, config, cursor, census_at) = row.ok_or_else(|| {
        Error::not_found(format!("no source named {name:?}; `hypercare source list` shows the configured ones"))
    })?;
    let config = serde_json::from_str(&config)
        .map_err(|e| Error::Internal(format!("the config of source {name:?} is not JSON: {e}")))?;
    let cursor = match cursor {
        Some(s) => serde_json::from_str(&s).unwrap_or_else(|e| {
            tracing::warn!("unreadable sync cursor of {name}, starting over: {e}");
            Cursor::default()
        }),
        None => Cursor::default(),
    };
    Ok(SourceState { id, name: name.to_string(), kind, url, project, config, cursor, census_at: opt_from_ts(census_at) })
}

/// Stored versions of these remote ids (those the store has).
pub fn local_versions(c: &Connection, source_id: i64, ids: &[&str]) -> Result<HashMap<String, LocalVersion>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT remote_id, remote_version, deleted_at IS NOT NULL FROM tickets
             WHERE source_id = {source_id} AND remote_id IN ({marks})"
        );
        let mut st = c.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(chunk.iter()), |r| {
            Ok((r.get::<_, String>(0)?, LocalVersion { version: r.get(1)?, deleted: r.get(2)? }))
        })?;
        for row in rows {
            let (id, v) = row?;
            out.insert(id, v);
        }
    }
    Ok(out)
}

/// Every stored ticket of the source: (remote id, deleted?).
pub fn all_remote_ids(c: &Connection, source_id: i64) -> Result<Vec<(String, bool)>> {
    let mut st = c.prepare("SELECT remote_id, deleted_at IS NOT NULL FROM tickets WHERE source_id = ?1")?;
    let rows = st.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Mark these tickets as deleted on the server (tombstones). Returns how many
/// live tickets became tombstones.
pub fn mark_deleted(c: &Connection, source_id: i64, ids: &[String], now: DateTime<Utc>) -> Result<u64> {
    let mut st = c.prepare_cached(
        "UPDATE tickets SET deleted_at = ?3 WHERE source_id = ?1 AND remote_id = ?2 AND deleted_at IS NULL",
    )?;
    let mut n = 0;
    for id in ids {
        n += st.execute(params![source_id, id, to_ts(now)])? as u64;
    }
    Ok(n)
}

pub fn save_cursor(c: &Connection, source_id: i64, cursor: &Cursor) -> Result<()> {
    let json = serde_json::to_string(cursor).map_err(|e| Error::Internal(format!("cannot encode the cursor: {e}")))?;
    c.prepare_cached("UPDATE sources SET cursor = ?2 WHERE id = ?1")?.execute(params![source_id, json])?;
    Ok(())
}

pub fn save_census_at(c: &Connection, source_id: i64, at: DateTime<Utc>) -> Result<()> {
    c.execute("UPDATE sources SET census_at = ?2 WHERE id = ?1", params![source_id, to_ts(at)])?;
    Ok(())
}

/// Start a sync run (closing runs a killed process left `running`).
pub fn start_run(c: &Connection, source_id: i64, now: DateTime<Utc>) -> Result<i64> {
    c.execute(
        "UPDATE sync_runs SET status = 'failed', error = 'interrupted' WHERE source_id = ?1 AND status = 'running'",
        [source_id],
    )?;
    c.execute("INSERT INTO sync_runs (source_id, started_at) VALUES (?1, ?2)", params![source_id, to_ts(now)])?;
    Ok(c.last_insert_rowid())
}

/// Record the counters of a run so far (in the page's transaction).
pub fn save_run_counts(c: &Connection, run_id: i64, s: &SyncSummary) -> Result<()> {
    c.prepare_cached(
        "UPDATE sync_runs SET fetched = ?2, created = ?3, updated = ?4, deleted = ?5, requests = ?6 WHERE id = ?1",
    )?
    .execute(params![run_id, s.fetched as i64, s.created as i64, s.updated as i64, s.deleted as i64, s.requests as i64])?;
    Ok(())
}

/// Close a run and record the outcome on the source.
pub fn finish_run(
    c: &Connection,
    run_id: i64,
    source_id: i64,
    s: &SyncSummary,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    save_run_counts(c, run_id, s)?;
    let status = if error.is_some() { "failed" } else { "ok" };
    c.execute(
        "UPDATE sync_runs SET status = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
        params![run_id, status, error, to_ts(at)],
    )?;
    c.execute(
        "UPDATE sources SET last_sync_at = ?2, last_sync_status = ?3, last_sync_error = ?4 WHERE id = ?1",
        params![source_id, to_ts(at), status, error],
    )?;
    Ok(())
}

/// Have the next sync read every ticket of `source_id` again (e.g. a Jira
/// source newly names a custom field, which stored issues lack): the
/// cursor goes back to the epoch, so the listing holds every ticket, and
/// each stored version is marked fresh, so each is fetched and written
/// where it differs ([`crate::store::tickets::upsert_tickets`]). Not a
/// first sync: the census still runs when due.
pub fn read_all_again(c: &Connection, source_id: i64) -> Result<()> {
    let mark = crate::store::tickets::FRESH_MARK;
    c.prepare_cached(
        "UPDATE tickets SET remote_version = remote_version || ?2
         WHERE source_id = ?1 AND deleted_at IS NULL AND substr(remote_version, -length(?2)) <> ?2",
    )?
    .execute(params![source_id, mark])?;
    let since = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let has_cursor: bool = c.query_row("SELECT cursor IS NOT NULL FROM sources WHERE id = ?1", [source_id], |r| r.get(0))?;
    if has_cursor {
        save_cursor(c, source_id, &super::plan::Cursor { since: Some(since), skip: 0 })?;
    }
    Ok(())
}
