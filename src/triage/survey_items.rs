//! Imported survey comments as triage and theme items.
//!
//! A comment is the free text of one survey submission
//! (`survey_responses.comment`, see `import::surveys`). It is not a ticket:
//! it gets an automatic category with its signals (kept in
//! `survey_comment_triage`; the user can correct it, see
//! [`super::comment_triage`]) and takes part in theme detection beside the tickets, with its
//! own membership table (`theme_comment_members`). Its date is when it was
//! answered.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::apply::Decided;
use super::classify::TicketText;
use crate::store::to_ts;
use crate::Result;

/// What a theme item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ItemOrigin {
    /// A ticket (`tickets.id`).
    Ticket,
    /// An imported survey comment (`survey_responses.id`).
    SurveyComment,
}

/// One survey comment to triage and group.
#[derive(Debug, Clone)]
pub struct SurveyComment {
    /// `survey_responses.id`.
    pub id: i64,
    pub text: String,
    /// Unix seconds.
    pub answered_at: i64,
}

/// Every non-empty imported survey comment, oldest first.
pub fn load_comments(c: &Connection) -> Result<Vec<SurveyComment>> {
    let mut st = c.prepare(
        "SELECT id, comment, answered_at FROM survey_responses
         WHERE comment IS NOT NULL AND TRIM(comment) != '' ORDER BY answered_at, id",
    )?;
    let rows = st
        .query_map([], |r| Ok(SurveyComment { id: r.get(0)?, text: r.get(1)?, answered_at: r.get(2)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A comment as the classifier reads it: no title (a survey's title is the
/// survey's name, shared by unrelated comments), the survey channel.
pub fn comment_text(text: &str) -> TicketText {
    TicketText { title: String::new(), description: text.to_string(), channel: Some("survey".into()), server_priority: None, ..Default::default() }
}

/// Store the automatic category, signals and basis of each comment (only
/// what changed; a user's override stays and keeps winning).
pub(crate) fn write_comment_triage<'d>(
    tx: &Transaction<'_>,
    comments: &[SurveyComment],
    decided: impl Iterator<Item = &'d Decided>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut up = tx.prepare_cached(
        "INSERT INTO survey_comment_triage (response_id, category, confidence, signals, basis, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (response_id) DO UPDATE SET category = excluded.category, confidence = excluded.confidence,
           signals = excluded.signals, basis = excluded.basis, updated_at = excluded.updated_at
         WHERE category != excluded.category OR ABS(confidence - excluded.confidence) > 1e-6
            OR signals != excluded.signals OR basis IS NOT excluded.basis",
    )?;
    for (c, x) in comments.iter().zip(decided) {
        let d = &x.decision;
        let signals = serde_json::to_string(&d.signals).map_err(|e| crate::Error::Internal(e.to_string()))?;
        up.execute(params![c.id, d.category.as_str(), d.confidence as f64, signals, x.basis.as_str(), to_ts(now)])?;
    }
    Ok(())
}

/// The theme-membership table and item column of an origin, and the
/// filter that leaves trainer-placed (pinned) rows alone.
pub(crate) fn membership(origin: ItemOrigin) -> (&'static str, &'static str, &'static str) {
    match origin {
        ItemOrigin::Ticket => ("theme_members", "ticket_id", "pinned = 0"),
        ItemOrigin::SurveyComment => ("theme_comment_members", "response_id", "pinned = 0"),
    }
}
