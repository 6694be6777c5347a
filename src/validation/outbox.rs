//! The outbox: listing it, and the state changes push and the user make.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{OutboxKind, OutboxState};
use crate::store::{from_ts, to_ts};
use crate::{Error, Result, Store};

/// One server write and where it stands (`hypercare outbox --json`): a
/// validation's comment, attachment or transition, or a ticket's confirmed
/// category (then the validation fields are empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    pub id: i64,
    /// The validation it belongs to; `None` for a category.
    pub validation_id: Option<i64>,
    pub validation_uuid: Option<String>,
    /// The validation's round on its ticket (1 for the first; a correction
    /// keeps the round it corrects); `None` for a category. What the user
    /// sees: the validation id is only a handle for the CLI.
    pub round: Option<i64>,
    pub ticket_key: String,
    pub outcome: Option<super::Outcome>,
    pub kind: OutboxKind,
    /// Attachment: the evidence file name. Transition: the target status.
    /// Category: the name written on the server.
    pub detail: Option<String>,
    /// Category: where it is written (`issue_category`, `custom_field:<id>`, `field:<name>`).
    pub target_field: Option<String>,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// Why it is rejected, in conflict, waiting for a retry, or discarded.
    pub last_error: Option<String>,
    /// Journal, attachment, status or category id on the server once sent.
    pub remote_ref: Option<String>,
    /// Category in conflict: the value someone else set on the server
    /// ("" = none); the user may overwrite it or keep it.
    pub server_value: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// Why this write can never reach a server (a demo ticket's
    /// validation): no retry can succeed, so none is offered.
    pub stays_local: Option<String>,
}

/// Every outbox row, newest validation first, then the categories (newest
/// first). `include_sent` = false keeps only what needs attention (pending,
/// rejected, conflict).
pub fn list_outbox(c: &Connection, include_sent: bool) -> Result<Vec<OutboxEntry>> {
    let filter = if include_sent { "" } else { "WHERE o.state IN ('pending', 'rejected', 'conflict')" };
    let mut st = c.prepare(&format!(
        "SELECT o.id, o.validation_id, v.uuid, t.key, v.outcome, o.kind,
                COALESCE(e.file_name, o.target_status, o.target_value), o.target_field,
                o.state, o.attempts, o.next_attempt_at, o.last_error, o.remote_ref, o.updated_at, o.server_value,
                v.round, s.kind
         FROM outbox o LEFT JOIN validations v ON v.id = o.validation_id
         JOIN tickets t ON t.id = COALESCE(o.ticket_id, v.ticket_id)
         LEFT JOIN sources s ON s.id = t.source_id
         LEFT JOIN validation_evidence e ON e.id = o.evidence_id
         {filter} ORDER BY o.validation_id IS NULL, o.validation_id DESC,
                  CASE WHEN o.validation_id IS NULL THEN -o.id ELSE o.id END"
    ))?;
    let rows = st
        .query_map([], |r| {
            let outcome: Option<String> = r.get(4)?;
            let kind: String = r.get(5)?;
            let state: String = r.get(8)?;
            Ok(OutboxEntry {
                id: r.get(0)?,
                validation_id: r.get(1)?,
                validation_uuid: r.get(2)?,
                ticket_key: r.get(3)?,
                outcome: outcome.map(|o| super::Outcome::parse(&o).unwrap_or(super::Outcome::Blocked)),
                kind: OutboxKind::parse(&kind).unwrap_or(OutboxKind::Comment),
                detail: r.get(6)?,
                target_field: r.get(7)?,
                state: OutboxState::parse(&state).unwrap_or(OutboxState::Pending),
                attempts: r.get(9)?,
                next_attempt_at: from_ts(r.get(10)?),
                last_error: r.get(11)?,
                remote_ref: r.get(12)?,
                updated_at: from_ts(r.get(13)?),
                server_value: r.get(14)?,
                round: r.get(15)?,
                stays_local: r.get::<_, Option<String>>(16)?.as_deref().and_then(super::stays_local).map(str::to_string),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Set the state of outbox rows (by id), with a reason and a server reference.
pub fn set_state(
    store: &Store,
    ids: &[i64],
    state: OutboxState,
    reason: Option<&str>,
    remote_ref: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    store.with_tx(|tx| {
        let mut st = tx.prepare_cached(
            "UPDATE outbox SET state = ?2, last_error = ?3, remote_ref = COALESCE(?4, remote_ref), updated_at = ?5
             WHERE id = ?1",
        )?;
        for id in ids {
            st.execute(params![id, state.as_str(), reason, remote_ref, to_ts(now)])?;
        }
        Ok(())
    })
}

/// Hold a category write back: someone else set `server_value` on the
/// server since the user confirmed (see `push_category`).
pub fn set_conflict(store: &Store, id: i64, reason: &str, server_value: &str, now: DateTime<Utc>) -> Result<()> {
    store.with_tx(|tx| {
        tx.execute(
            "UPDATE outbox SET state = 'conflict', last_error = ?2, server_value = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, reason, server_value, to_ts(now)],
        )?;
        Ok(())
    })
}

/// Keep rows pending and try again later: exponential backoff from the
/// number of attempts (30 s doubling, at most an hour), or the server's
/// `Retry-After` when it gave one.
pub fn defer(store: &Store, ids: &[i64], reason: &str, retry_after: Option<u64>, now: DateTime<Utc>) -> Result<()> {
    store.with_tx(|tx| {
        let mut st = tx.prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, updated_at = ?4
             WHERE id = ?1 AND state = 'pending'",
        )?;
        for id in ids {
            let attempts: i64 = tx.query_row("SELECT attempts FROM outbox WHERE id = ?1", [id], |r| r.get(0))?;
            let wait = retry_after.map(|s| s as i64).unwrap_or_else(|| backoff_secs(attempts, *id));
            st.execute(params![id, reason, to_ts(now) + wait, to_ts(now)])?;
        }
        Ok(())
    })
}

/// Seconds to wait after `attempts` failed tries: 30 s doubling up to an
/// hour, plus up to a quarter of it as jitter derived from the row id (so
/// rows do not retry in lockstep, and tests stay deterministic).
pub fn backoff_secs(attempts: i64, row_id: i64) -> i64 {
    let base = (30i64 << attempts.clamp(0, 7)).min(3600);
    base + (row_id.wrapping_mul(7919).rem_euclid(base / 4 + 1))
}

/// Remember the upload token of an attachment row (so a crash between the
/// upload and the issue update reuses it instead of uploading again).
pub fn set_upload_token(store: &Store, id: i64, token: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    store.with_tx(|tx| {
        tx.execute(
            "UPDATE outbox SET upload_token = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, token, to_ts(now)],
        )?;
        Ok(())
    })
}

/// Drop the writes of a validation that are not on the server (pending,
/// in conflict or rejected). Nothing is deleted; the rows become `discarded`.
pub fn discard_validation(store: &Store, validation_id: i64, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        let exists: Option<i64> =
            tx.query_row("SELECT id FROM validations WHERE id = ?1", [validation_id], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(Error::not_found(format!("no validation {validation_id}")));
        }
        let n = tx.execute(
            "UPDATE outbox SET state = 'discarded', last_error = 'discarded by the user', updated_at = ?2
             WHERE validation_id = ?1 AND state IN ('pending', 'conflict', 'rejected')",
            params![validation_id, to_ts(now)],
        )?;
        Ok(n)
    })
}

/// Try a validation's rejected or conflicting writes again at the next
/// push (after the user fixed a mapping or a permission, or synced).
/// With `force`, a conflict no longer holds it back. Returns how many rows
/// were released.
pub fn retry_validation(store: &Store, validation_id: i64, force: bool, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        let kind: Option<Option<String>> = tx
            .query_row(
                "SELECT s.kind FROM validations v JOIN tickets t ON t.id = v.ticket_id
                 LEFT JOIN sources s ON s.id = t.source_id WHERE v.id = ?1",
                [validation_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(kind) = kind else {
            return Err(Error::not_found(format!("no validation {validation_id}")));
        };
        if let Some(why) = kind.as_deref().and_then(super::stays_local) {
            return Err(Error::invalid(format!("validation {validation_id} cannot be retried: {why}")));
        }
        Ok(tx.execute(
            "UPDATE outbox SET state = 'pending', force = (force OR ?2), next_attempt_at = ?3, updated_at = ?3
             WHERE validation_id = ?1 AND state IN ('rejected', 'conflict')",
            params![validation_id, force, to_ts(now)],
        )?)
    })
}

/// Drop one category write that is not on the server (pending, rejected
/// or in conflict); the row becomes `discarded`. Validation writes go by
/// validation ([`discard_validation`]).
pub fn discard_category_write(store: &Store, outbox_id: i64, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        require_category_row(tx, outbox_id)?;
        Ok(tx.execute(
            "UPDATE outbox SET state = 'discarded', last_error = 'discarded by the user', updated_at = ?2
             WHERE id = ?1 AND state IN ('pending', 'conflict', 'rejected')",
            params![outbox_id, to_ts(now)],
        )?)
    })
}

/// Try a rejected category write again at the next push (after the user
/// created the category on the server or fixed the source's setting).
pub fn retry_category_write(store: &Store, outbox_id: i64, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        require_category_row(tx, outbox_id)?;
        Ok(tx.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, updated_at = ?2
             WHERE id = ?1 AND state IN ('rejected', 'conflict')",
            params![outbox_id, to_ts(now)],
        )?)
    })
}

fn require_category_row(c: &Connection, outbox_id: i64) -> Result<()> {
    let kind: Option<String> =
        c.query_row("SELECT kind FROM outbox WHERE id = ?1", [outbox_id], |r| r.get(0)).optional()?;
    match kind.as_deref() {
        Some("category") => Ok(()),
        Some(_) => Err(Error::invalid(format!(
            "outbox row {outbox_id} belongs to a validation: retry or discard it by its validation id"
        ))),
        None => Err(Error::not_found(format!("no outbox row {outbox_id}"))),
    }
}

/// "Push now": pending rows waiting out a backoff become due at once
/// (conflicts stay held back). Returns how many rows were moved up.
pub fn make_pending_due(store: &Store, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        Ok(tx.execute(
            "UPDATE outbox SET next_attempt_at = ?1 WHERE state = 'pending' AND next_attempt_at > ?1",
            [to_ts(now)],
        )?)
    })
}

/// Push despite conflicts: conflict rows become pending, flagged `force`,
/// and are due now. Returns how many rows were released.
pub fn force_conflicts(store: &Store, now: DateTime<Utc>) -> Result<usize> {
    store.with_tx(|tx| {
        Ok(tx.execute(
            "UPDATE outbox SET state = 'pending', force = 1, next_attempt_at = ?1, updated_at = ?1
             WHERE state = 'conflict'",
            [to_ts(now)],
        )?)
    })
}

impl Store {
    /// The outbox (see [`list_outbox`]).
    pub fn outbox(&self, include_sent: bool) -> Result<Vec<OutboxEntry>> {
        self.read(|c| list_outbox(c, include_sent))
    }
}

/// Held while a push runs: an OS file lock next to the store, so two
/// pushers (the app and the CLI) never check-then-write the same validation
/// at once. The OS drops it when the process dies, even by SIGKILL.
pub(super) struct PushLock {
    _file: std::fs::File,
}

impl PushLock {
    /// Take the lock, or fail with `Conflict` when another push holds it.
    pub(super) fn acquire(store: &Store) -> Result<PushLock> {
        let mut path = store.path().as_os_str().to_owned();
        path.push(".push-lock");
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| {
            Error::Internal(format!("cannot open the push lock {}: {e}", std::path::Path::new(&path).display()))
        })?;
        match file.try_lock() {
            Ok(()) => Ok(PushLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(Error::Conflict("another push of this workspace is running; try again when it has finished".into()))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(Error::Internal(format!("cannot take the push lock: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = backoff_secs(0, 1);
        assert!((30..=37).contains(&first), "{first}");
        assert!(backoff_secs(3, 1) >= 240);
        assert!(backoff_secs(40, 5) <= 3600 + 901);
        assert!(backoff_secs(40, 5) >= 3600);
    }
}
