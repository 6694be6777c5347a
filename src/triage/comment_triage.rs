//! Survey comments in the triage queue: the automatic category of each
//! imported comment with the signals that drove it, and the user's
//! corrections. A correction is kept, wins over the automatic result on
//! every re-run, and teaches the classifier like a ticket's (a labeled
//! example with the category only: a comment has no impact or urgency).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::classify::{Labeled, CORRECTION_WEIGHT};
use super::survey_items::comment_text;
use crate::model::Category;
use crate::store::{from_ts, to_ts};
use crate::{Error, Result, Store};

/// One survey comment's triage as stored (effective category first).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommentTriage {
    /// `survey_responses.id`.
    pub response_id: i64,
    /// The file it was imported from (or `demo`).
    pub source_file: String,
    /// When it was answered (RFC 3339, UTC).
    pub answered_at: String,
    pub text: String,
    /// The user's category if set, else the automatic one (`None`: not triaged yet).
    pub category: Option<String>,
    pub category_overridden: bool,
    /// The model's category, whatever the user set (`confidence` and
    /// `signals` are about this one; `None`: not triaged yet).
    pub suggested_category: Option<String>,
    /// Confidence of the automatic category.
    pub confidence: Option<f64>,
    /// Why the automatic category was chosen, strongest first.
    pub signals: Vec<String>,
    /// What the automatic category was decided on: `words` (the text has no
    /// sentence embedding yet; the background refinement will revisit it),
    /// `embedding`, or `None` (not triaged yet, or by an older version).
    pub basis: Option<String>,
}

/// Every imported comment with its triage: the least certain first (the
/// ones a person should look at), then oldest first.
pub fn list_comment_triage(c: &Connection) -> Result<Vec<CommentTriage>> {
    let mut st = c.prepare(
        "SELECT s.id, s.source_file, s.answered_at, s.comment,
                COALESCE(sc.category_override, sc.category), sc.category_override IS NOT NULL,
                sc.confidence, sc.signals, sc.basis, sc.category
         FROM survey_responses s LEFT JOIN survey_comment_triage sc ON sc.response_id = s.id
         WHERE s.comment IS NOT NULL AND TRIM(s.comment) != ''
         ORDER BY sc.category_override IS NOT NULL, COALESCE(sc.confidence, 0), s.answered_at, s.id",
    )?;
    let rows = st.query_map([], |r| {
        let signals: Option<String> = r.get(7)?;
        Ok(CommentTriage {
            response_id: r.get(0)?,
            source_file: r.get(1)?,
            answered_at: from_ts(r.get(2)?).to_rfc3339(),
            text: r.get(3)?,
            category: r.get(4)?,
            category_overridden: r.get::<_, Option<bool>>(5)?.unwrap_or(false),
            confidence: r.get(6)?,
            signals: signals.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
            basis: r.get(8)?,
            suggested_category: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Set the category of survey comment `response_id`: kept across re-runs,
/// shown as set by the user, and used as a training example from now on.
pub fn set_comment_category(store: &Store, response_id: i64, category: Category, now: DateTime<Utc>) -> Result<()> {
    store.with_tx(|tx| {
        let comment: Option<Option<String>> = tx
            .query_row("SELECT comment FROM survey_responses WHERE id = ?1", [response_id], |r| r.get(0))
            .optional()?;
        if !comment.flatten().is_some_and(|c| !c.trim().is_empty()) {
            return Err(Error::NotFound(format!("survey comment {response_id} is not in the store")));
        }
        // Not triaged yet (imported since the last run): the override is
        // also its category until the next run.
        tx.execute(
            "INSERT INTO survey_comment_triage (response_id, category, confidence, updated_at) VALUES (?1, ?2, 0, ?3)
             ON CONFLICT (response_id) DO NOTHING",
            params![response_id, category.as_str(), to_ts(now)],
        )?;
        let old: Option<String> = tx.query_row(
            "SELECT COALESCE(category_override, category) FROM survey_comment_triage WHERE response_id = ?1",
            [response_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE survey_comment_triage SET category_override = ?2, updated_at = ?3 WHERE response_id = ?1",
            params![response_id, category.as_str(), to_ts(now)],
        )?;
        tx.execute(
            "INSERT INTO survey_comment_corrections (response_id, old_value, new_value, at) VALUES (?1, ?2, ?3, ?4)",
            params![response_id, old, category.as_str(), to_ts(now)],
        )?;
        Ok(())
    })
}

/// The user's comment corrections as training examples (category only).
pub fn comment_corrections(c: &Connection) -> Result<Vec<Labeled>> {
    let mut st = c.prepare(
        "SELECT s.comment, sc.category_override FROM survey_comment_triage sc
         JOIN survey_responses s ON s.id = sc.response_id
         WHERE sc.category_override IS NOT NULL AND s.comment IS NOT NULL ORDER BY sc.response_id",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (text, cat) = row?;
        let category = Category::parse(&cat)
            .ok_or_else(|| Error::Internal(format!("stored category {cat:?} is not known; re-run `hypercare triage run`")))?;
        out.push(Labeled { text: comment_text(&text), category: Some(category), impact: None, urgency: None, weight: CORRECTION_WEIGHT });
    }
    Ok(out)
}

/// Grows with every correction of a comment (the classifier retrains).
pub fn comment_corrections_fingerprint(c: &Connection) -> Result<(i64, i64)> {
    Ok(c.query_row("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM survey_comment_corrections", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?)
}
