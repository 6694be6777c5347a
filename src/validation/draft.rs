//! Unsent validation drafts: what the validator has typed for a ticket but
//! not saved, kept in the store so that switching tickets or views, or
//! closing the app, loses nothing (users work offline on a shop floor).
//!
//! A draft is not a validation: it is replaced on every edit and deleted when
//! the validation is recorded (in the recording transaction) or when the user
//! discards it. A blank draft (no outcome, every field empty) is no draft.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Outcome;
use crate::store::{from_ts, to_ts};
use crate::{Error, Result, Store};

/// The validation form as typed, for one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftInput {
    pub ticket_id: i64,
    pub outcome: Option<Outcome>,
    pub steps: String,
    pub environment: String,
    pub test_data: String,
    pub notes: String,
    /// The evidence box as typed (paths, one per line); files are read only on save.
    pub evidence: String,
    /// The validation the draft corrects, if it is a correction.
    pub supersedes: Option<i64>,
}

impl DraftInput {
    /// No outcome chosen and nothing typed.
    pub fn is_blank(&self) -> bool {
        self.outcome.is_none()
            && [&self.steps, &self.environment, &self.test_data, &self.notes, &self.evidence]
                .iter()
                .all(|s| s.trim().is_empty())
    }
}

/// A stored draft: the form as typed and when it was last changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValidationDraft {
    #[serde(flatten)]
    #[ts(flatten)]
    pub form: DraftInput,
    pub ticket_key: String,
    pub updated_at: DateTime<Utc>,
}

const DRAFT_COLS: &str = "d.ticket_id, t.key, d.outcome, d.steps, d.environment, d.test_data, d.notes, d.evidence,
    d.supersedes, d.updated_at";

fn row_to_draft(r: &Row<'_>) -> rusqlite::Result<ValidationDraft> {
    let outcome: Option<String> = r.get(2)?;
    Ok(ValidationDraft {
        form: DraftInput {
            ticket_id: r.get(0)?,
            outcome: outcome.and_then(|o| Outcome::parse(&o).ok()),
            steps: r.get(3)?,
            environment: r.get(4)?,
            test_data: r.get(5)?,
            notes: r.get(6)?,
            evidence: r.get(7)?,
            supersedes: r.get(8)?,
        },
        ticket_key: r.get(1)?,
        updated_at: from_ts(r.get(9)?),
    })
}

/// Every draft, newest first.
pub fn list_drafts(c: &Connection) -> Result<Vec<ValidationDraft>> {
    let rows = c
        .prepare_cached(&format!(
            "SELECT {DRAFT_COLS} FROM validation_drafts d JOIN tickets t ON t.id = d.ticket_id
             ORDER BY d.updated_at DESC, d.ticket_id"
        ))?
        .query_map([], row_to_draft)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Delete a ticket's draft inside a transaction (recording, discarding).
pub fn delete_draft(c: &Connection, ticket_id: i64) -> Result<bool> {
    Ok(c.execute("DELETE FROM validation_drafts WHERE ticket_id = ?1", [ticket_id])? > 0)
}

impl Store {
    /// Keep what the validator typed for a ticket (replacing its earlier
    /// draft). A blank form deletes the draft and returns `None`.
    pub fn save_validation_draft(&self, d: &DraftInput, now: DateTime<Utc>) -> Result<Option<ValidationDraft>> {
        self.with_tx(|tx| {
            let exists: Option<i64> =
                tx.query_row("SELECT id FROM tickets WHERE id = ?1", [d.ticket_id], |r| r.get(0)).optional()?;
            if exists.is_none() {
                return Err(Error::not_found(format!("no ticket with id {}", d.ticket_id)));
            }
            if d.is_blank() {
                delete_draft(tx, d.ticket_id)?;
                return Ok(());
            }
            tx.execute(
                "INSERT INTO validation_drafts
                    (ticket_id, outcome, steps, environment, test_data, notes, evidence, supersedes, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (ticket_id) DO UPDATE SET outcome = excluded.outcome, steps = excluded.steps,
                    environment = excluded.environment, test_data = excluded.test_data, notes = excluded.notes,
                    evidence = excluded.evidence, supersedes = excluded.supersedes, updated_at = excluded.updated_at",
                params![
                    d.ticket_id,
                    d.outcome.map(|o| o.as_str()),
                    d.steps,
                    d.environment,
                    d.test_data,
                    d.notes,
                    d.evidence,
                    d.supersedes,
                    to_ts(now)
                ],
            )?;
            Ok(())
        })?;
        Ok(self.validation_drafts()?.into_iter().find(|x| x.form.ticket_id == d.ticket_id))
    }

    /// Every unsent draft, newest first.
    pub fn validation_drafts(&self) -> Result<Vec<ValidationDraft>> {
        self.read(list_drafts)
    }

    /// Drop a ticket's draft; true when there was one.
    pub fn discard_validation_draft(&self, ticket_id: i64) -> Result<bool> {
        self.with_tx(|tx| delete_draft(tx, ticket_id))
    }
}
