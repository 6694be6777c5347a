//! The user's answer to a category write in conflict.
//!
//! Push ([`crate::validation::push`]) holds a confirmed category back when
//! the issue on the server now shows a value that is neither ours nor the
//! one the store had synced when the user confirmed: someone else set it in
//! the meantime. The outbox row is then `conflict`, with the server's value
//! kept beside it, and the user chooses:
//!
//! - **overwrite**: the row is pending again, flagged `force`, and the next
//!   push writes ours (once: push still reads the issue first and writes
//!   nothing the issue already shows);
//! - **keep the server's**: nothing is written (the row is discarded) and the
//!   local category stops contradicting the server. When the server's value
//!   is one of the ten categories (by the source's `values` mapping, label or
//!   id), the override follows it: that is what the ticket now is, decided
//!   by a person, so it also teaches the classifier like any correction.
//!   When it is a name of the server's own ("Hardware") or none, the
//!   override is dropped and the automatic category shows again: we cannot
//!   express the server's value, and keeping ours would keep the
//!   contradiction the user just declined.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::category_push::{CategoryPushConfig, CategoryTarget};
use super::store::{clear_category_override, write_override, Override};
use crate::model::Category;
use crate::store::to_ts;
use crate::{Error, Result, Store};

/// What the user chose for a category write in conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConflictChoice {
    /// Write ours over the server's at the next push.
    Overwrite,
    /// Keep the server's value; write nothing.
    KeepServer,
}

impl ConflictChoice {
    /// Parse `overwrite` or `keep_server` / `keep-server`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "overwrite" => Some(ConflictChoice::Overwrite),
            "keep_server" | "keep-server" => Some(ConflictChoice::KeepServer),
            _ => None,
        }
    }
}

/// What resolving a category conflict did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictResolved {
    pub choice: ConflictChoice,
    /// The ticket (`#12`).
    pub ticket_key: String,
    /// Ours: the name the user confirmed.
    pub value: String,
    /// What the server showed ("" = none).
    pub server_value: String,
    /// Keep-server: the category the ticket now has by override (the
    /// server's value is one of ours), or `None` when the override was
    /// dropped. Overwrite: `None`.
    pub category: Option<Category>,
}

/// Apply the user's choice to outbox row `outbox_id`, which must be a
/// category write in conflict (see the module doc).
pub fn resolve_category_conflict(
    store: &Store,
    outbox_id: i64,
    choice: ConflictChoice,
    now: DateTime<Utc>,
) -> Result<ConflictResolved> {
    store.with_tx(|tx| {
        type RowData = (String, String, Option<i64>, Option<String>, Option<String>, String, String);
        let row: Option<RowData> = tx
            .query_row(
                "SELECT o.kind, o.state, o.ticket_id, o.target_value, o.server_value, COALESCE(t.key, ''),
                        COALESCE(s.config, '{}')
                 FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id LEFT JOIN sources s ON s.id = t.source_id
                 WHERE o.id = ?1",
                [outbox_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let Some((kind, state, ticket, value, server, key, config)) = row else {
            return Err(Error::not_found(format!("no outbox row {outbox_id}")));
        };
        let (Some(ticket), "category") = (ticket, kind.as_str()) else {
            return Err(Error::invalid(format!("outbox row {outbox_id} is not a category write")));
        };
        if state != "conflict" {
            return Err(Error::invalid(format!("the category write {outbox_id} of {key} is {state}, not in conflict")));
        }
        let (value, server_value) = (value.unwrap_or_default(), server.unwrap_or_default());
        let shown = |v: &str| if v.is_empty() { "none".to_string() } else { format!("{v:?}") };
        let mut category = None;
        match choice {
            ConflictChoice::Overwrite => {
                tx.execute(
                    "UPDATE outbox SET state = 'pending', force = 1, next_attempt_at = ?2, updated_at = ?2, last_error = ?3
                     WHERE id = ?1",
                    params![outbox_id, to_ts(now), format!("will overwrite the server's {} (your choice)", shown(&server_value))],
                )?;
            }
            ConflictChoice::KeepServer => {
                tx.execute(
                    "UPDATE outbox SET state = 'discarded', updated_at = ?2, last_error = ?3 WHERE id = ?1",
                    params![outbox_id, to_ts(now), format!("kept the server's {} (your choice)", shown(&server_value))],
                )?;
                let json: serde_json::Value =
                    serde_json::from_str(&config).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
                // Without a setting any more, names are read as labels.
                let cfg = CategoryPushConfig::from_source_config(&json)?.unwrap_or(CategoryPushConfig {
                    target: CategoryTarget::IssueCategory,
                    values: Default::default(),
                });
                category = cfg.category_of(&server_value);
                match category {
                    Some(c) => write_override(tx, ticket, &Override { category: Some(c), ..Default::default() }, now)?,
                    None => clear_category_override(tx, ticket, now)?,
                };
            }
        }
        Ok(ConflictResolved { choice, ticket_key: key, value, server_value, category })
    })
}
