//! Triage in the store: (re)triage every ticket or just the ones a sync
//! changed, user overrides that win and teach, the priority matrix setting.
//!
//! **Invariant:** a re-run rewrites only the automatic columns of `triage`;
//! `*_override` columns are written only by [`set_override`].
//!
//! **Invariant:** nothing here runs the sentence-embedding model. A text
//! with a cached vector is triaged by the embedding model, a new text by
//! the words model at once; the background refinement
//! ([`super::refine`]) embeds the new texts and moves their tickets over.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::apply::{decide_all, load_rows, write_decisions, Basis, Row};
use super::category_push::{queue_category_push, CategoryPushStatus};
use super::embed_store::cached_for;
use super::models::models;
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::survey_items::{comment_text, load_comments, write_comment_triage, ItemOrigin};
use super::themes::theme_analysis;
use super::theme_store::{self, ThemeItem};
use crate::model::Category;
use crate::store::{query_all, to_ts};
use crate::{Error, Result, Store};

pub use super::models::{corrections, seed_examples, triager};

/// What a triage run did.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TriageRun {
    pub tickets: usize,
    /// Imported survey comments triaged and grouped with the tickets.
    pub survey_comments: usize,
    pub corrections_used: usize,
    pub themes: usize,
    /// Tickets and comments triaged on words because their text has no
    /// sentence embedding yet: the background refinement
    /// ([`super::refine::refine`]) embeds them and triages them again.
    #[serde(default)]
    pub pending: usize,
}

/// The priority matrix in force (the handbook's default until changed).
pub fn load_matrix(c: &Connection) -> Result<PriorityMatrix> {
    let v: Option<String> = c
        .query_row("SELECT value FROM triage_settings WHERE key = 'priority_matrix'", [], |r| r.get(0))
        .optional()?;
    match v {
        None => Ok(PriorityMatrix::default()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| Error::Internal(format!("stored priority matrix is unreadable ({e}); set it again"))),
    }
}

/// Store a changed priority matrix and recompute every priority.
pub fn save_matrix(store: &Store, m: &PriorityMatrix, now: DateTime<Utc>) -> Result<()> {
    let json = serde_json::to_string(m).map_err(|e| Error::Internal(e.to_string()))?;
    store.with_tx(|tx| {
        tx.execute(
            "INSERT INTO triage_settings(key, value) VALUES ('priority_matrix', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [&json],
        )?;
        Ok(())
    })?;
    triage_all(store, now).map(|_| ())
}

/// The rows' cached sentence embeddings (`None` where a text has none yet);
/// never runs the model.
fn cached_embeddings(store: &Store, rows: &[Row]) -> Result<Vec<Option<Vec<f32>>>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    cached_for(store, &rows.iter().map(Row::embed_text).collect::<Vec<_>>())
}

fn words_only(d: &[super::apply::Decided]) -> usize {
    d.iter().filter(|x| x.basis == Basis::Words).count()
}

/// Triage every ticket and imported survey comment in the store and
/// recompute the themes (over both). Never runs the sentence-embedding
/// model: an item whose text is cached is triaged with its embedding, the
/// others on words (counted in [`TriageRun::pending`]); the themes use
/// embeddings only when every item has one.
pub fn triage_all(store: &Store, now: DateTime<Utc>) -> Result<TriageRun> {
    let (rows, comments) = store.read(|c| Ok((load_rows(c, None)?, load_comments(c)?)))?;
    let comment_rows: Vec<Row> = comments.iter().map(|sc| Row { id: sc.id, text: comment_text(&sc.text) }).collect();
    let embs = cached_embeddings(store, &rows)?;
    let comment_embs = cached_embeddings(store, &comment_rows)?;
    let (models, m) = store.read(|c| Ok((models(store, c, false)?, load_matrix(c)?)))?;
    let decided = decide_all(&models, &rows, &embs);
    let comment_decided = decide_all(&models, &comment_rows, &comment_embs);
    let pending = words_only(&decided) + words_only(&comment_decided);
    let categories = store.with_tx(|tx| {
        let categories = write_decisions(tx, &m, &rows, &decided, now)?;
        write_comment_triage(tx, &comments, comment_decided.iter(), now)?;
        Ok(categories)
    })?;
    let tickets = rows
        .iter()
        .zip(decided)
        .zip(categories)
        .zip(embs)
        .map(|(((r, x), category), e)| (r, x.analyzed, Some(category), ItemOrigin::Ticket, e));
    // A comment's words place it, not its category: guessed from one short
    // text without the fields a ticket has, it would pull the comment
    // towards whichever theme shares the guess.
    let surveys = comment_rows
        .iter()
        .zip(comment_decided)
        .zip(comment_embs)
        .map(|((r, x), e)| (r, x.analyzed, None, ItemOrigin::SurveyComment, e));
    let items: Vec<ThemeItem> = tickets
        .chain(surveys)
        .map(|(r, analyzed, category, origin, embedding)| ThemeItem {
            id: r.id,
            origin,
            title: &r.text.title,
            description: &r.text.description,
            analyzed: theme_analysis(analyzed, r.text.channel.as_deref(), &r.text.description),
            category,
            embedding,
        })
        .collect();
    let themes = theme_store::refresh_themes_with(store, &items, now)?;
    Ok(TriageRun { tickets: rows.len(), survey_comments: comments.len(), corrections_used: models.corrections, themes, pending })
}

/// Triage only the tickets a sync changed and place them in the existing
/// themes (nearest theme above the threshold); a full [`triage_all`]
/// re-clusters. This is the sync path: the model never runs here. A
/// ticket whose text is in the embedding cache gets the embedding model's
/// triage, a new text the words model's at once (counted in
/// [`TriageRun::pending`], refined later in the background).
pub fn triage_changed(store: &Store, ticket_ids: &[i64], now: DateTime<Utc>) -> Result<TriageRun> {
    let rows = store.read(|c| load_rows(c, Some(ticket_ids)))?;
    let embs = cached_embeddings(store, &rows)?;
    let (models, m) = store.read(|c| Ok((models(store, c, false)?, load_matrix(c)?)))?;
    let decided = decide_all(&models, &rows, &embs);
    store.with_tx(|tx| {
        write_decisions(tx, &m, &rows, &decided, now)?;
        theme_store::assign_to_themes(tx, &rows.iter().map(|r| (r.id, &r.text)).collect::<Vec<_>>(), now)
    })?;
    Ok(TriageRun { tickets: rows.len(), survey_comments: 0, corrections_used: models.corrections, themes: 0, pending: words_only(&decided) })
}

/// What triaging newly imported survey comments did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommentsTriaged {
    /// Comments not triaged before, now categorised.
    pub comments: usize,
    /// Of which joined an existing theme.
    pub placed_in_themes: usize,
    /// Of which triaged on words (their text has no sentence embedding
    /// yet): the background refinement embeds them and triages them again.
    pub pending: usize,
}

/// Triage the survey comments that have no triage yet (after an import) and
/// place them in the existing themes; a full [`triage_all`] re-clusters.
/// As after a sync, a comment without a cached embedding is triaged on
/// words and left to the background refinement.
pub fn triage_new_comments(store: &Store, now: DateTime<Utc>) -> Result<CommentsTriaged> {
    let (models, comments) = store.read(|c| {
        let known: std::collections::HashSet<i64> = c
            .prepare("SELECT response_id FROM survey_comment_triage")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let fresh: Vec<_> = load_comments(c)?.into_iter().filter(|sc| !known.contains(&sc.id)).collect();
        Ok((models(store, c, false)?, fresh))
    })?;
    let rows: Vec<Row> = comments.iter().map(|sc| Row { id: sc.id, text: comment_text(&sc.text) }).collect();
    let embs = cached_embeddings(store, &rows)?;
    let decided = decide_all(&models, &rows, &embs);
    let placed = store.with_tx(|tx| {
        write_comment_triage(tx, &comments, decided.iter(), now)?;
        let items: Vec<(i64, &str, Category)> =
            comments.iter().zip(&decided).map(|(sc, x)| (sc.id, sc.text.as_str(), x.decision.category)).collect();
        theme_store::assign_comments_to_themes(tx, &items)
    })?;
    Ok(CommentsTriaged { comments: comments.len(), placed_in_themes: placed, pending: words_only(&decided) })
}

/// A user's correction of category, impact and/or urgency.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub category: Option<Category>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
}

/// What a confirmation stored: the ticket's new priority, and what became
/// of the push of its category to the server (`None`: no category given).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Confirmed {
    pub priority: Priority,
    pub category_push: Option<CategoryPushStatus>,
}

/// Record an override for one ticket: it wins over the automatic result, is
/// kept across re-runs, and is used as a training example from now on.
/// The ticket's priority is recomputed from the effective values. A given
/// category is also queued in the outbox for the server, in the same
/// transaction, where the source has a place for it
/// ([`super::category_push`]).
pub fn set_override(store: &Store, ticket_id: i64, o: &Override, now: DateTime<Utc>) -> Result<Confirmed> {
    if o.category.is_none() && o.impact.is_none() && o.urgency.is_none() {
        return Err(Error::InvalidInput("nothing to set: give --category, --impact or --urgency".into()));
    }
    store.with_tx(|tx| {
        let priority = write_override(tx, ticket_id, o, now)?;
        let category_push = o.category.map(|c| queue_category_push(tx, ticket_id, c, now)).transpose()?;
        Ok(Confirmed { priority, category_push })
    })
}

/// Record an override (and the correction it teaches) in the caller's
/// transaction; returns the ticket's new priority.
pub(crate) fn write_override(tx: &Transaction<'_>, ticket_id: i64, o: &Override, now: DateTime<Utc>) -> Result<Priority> {
    let exists: bool =
        tx.query_row("SELECT COUNT(*) FROM tickets WHERE id = ?1", [ticket_id], |r| r.get::<_, i64>(0))? > 0;
    if !exists {
        return Err(Error::NotFound(format!("ticket {ticket_id} is not in the store")));
    }
    tx.execute(
        "INSERT INTO triage(ticket_id, updated_at) VALUES (?1, ?2) ON CONFLICT(ticket_id) DO NOTHING",
        params![ticket_id, to_ts(now)],
    )?;
    let fields = [
        ("category", o.category.map(|c| c.as_str())),
        ("impact", o.impact.map(|i| i.as_str())),
        ("urgency", o.urgency.map(|u| u.as_str())),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        let old: Option<String> = tx.query_row(
            &format!("SELECT COALESCE({field}_override, {field}) FROM triage WHERE ticket_id = ?1"),
            [ticket_id],
            |r| r.get(0),
        )?;
        tx.execute(
            &format!("UPDATE triage SET {field}_override = ?2, updated_at = ?3 WHERE ticket_id = ?1"),
            params![ticket_id, value, to_ts(now)],
        )?;
        tx.execute(
            "INSERT INTO triage_corrections(ticket_id, field, old_value, new_value, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![ticket_id, field, old, value, to_ts(now)],
        )?;
    }
    effective_priority(tx, ticket_id)
}

/// Drop a ticket's category override (the automatic category shows again)
/// in the caller's transaction; returns the ticket's new priority.
pub(crate) fn clear_category_override(tx: &Transaction<'_>, ticket_id: i64, now: DateTime<Utc>) -> Result<Priority> {
    tx.execute(
        "UPDATE triage SET category_override = NULL, updated_at = ?2 WHERE ticket_id = ?1",
        params![ticket_id, to_ts(now)],
    )?;
    effective_priority(tx, ticket_id)
}

/// Recompute and store a ticket's priority from its effective category,
/// impact and urgency.
fn effective_priority(tx: &Transaction<'_>, ticket_id: i64) -> Result<Priority> {
    let m = load_matrix(tx)?;
    let (c, i, u): (Option<String>, Option<String>, Option<String>) = tx.query_row(
        "SELECT COALESCE(category_override, category), COALESCE(impact_override, impact),
                COALESCE(urgency_override, urgency) FROM triage WHERE ticket_id = ?1",
        [ticket_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let p = m.priority(
        c.as_deref().and_then(Category::parse).unwrap_or(Category::MajorBug),
        i.as_deref().and_then(Impact::parse).unwrap_or(Impact::Team),
        u.as_deref().and_then(Urgency::parse).unwrap_or(Urgency::Medium),
    );
    tx.execute("UPDATE triage SET priority = ?2 WHERE ticket_id = ?1", params![ticket_id, p.as_str()])?;
    Ok(p)
}

/// One ticket's triage as stored: the effective values (the user's where
/// set, else the model's) and, apart, what the model suggested, so the UI
/// can show the user's choice as the user's and the model's as the model's.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TicketTriage {
    pub ticket_id: i64,
    pub key: String,
    pub title: String,
    /// The user's category if set, else the model's.
    pub category: Option<String>,
    /// The user set (or confirmed) the category.
    pub category_overridden: bool,
    /// The model's category, whatever the user set (`confidence` and
    /// `signals` are about this one).
    pub suggested_category: Option<String>,
    /// Confidence of the model's category.
    pub confidence: Option<f64>,
    /// The user's impact if set, else the model's.
    pub impact: Option<String>,
    pub impact_overridden: bool,
    /// The model's impact.
    pub suggested_impact: Option<String>,
    /// The user's urgency if set, else the model's.
    pub urgency: Option<String>,
    pub urgency_overridden: bool,
    /// The model's urgency.
    pub suggested_urgency: Option<String>,
    /// From the effective category, impact and urgency.
    pub priority: Option<String>,
    /// Why the model chose `suggested_category`, strongest first.
    pub signals: Vec<String>,
    /// What the automatic result was decided on: `words` (the text has no
    /// sentence embedding yet; the background refinement will revisit it),
    /// `embedding`, or `None` (triaged by an older version).
    pub basis: Option<String>,
}

/// The stored triage of every ticket, highest priority first.
pub fn list_triage(c: &Connection) -> Result<Vec<TicketTriage>> {
    let sql = "SELECT t.id, t.key, t.title,
                COALESCE(tr.category_override, tr.category), tr.category_override IS NOT NULL, tr.category,
                tr.confidence,
                COALESCE(tr.impact_override, tr.impact), tr.impact_override IS NOT NULL, tr.impact,
                COALESCE(tr.urgency_override, tr.urgency), tr.urgency_override IS NOT NULL, tr.urgency,
                tr.priority, tr.signals, tr.basis
         FROM tickets t JOIN triage tr ON tr.ticket_id = t.id
         WHERE t.deleted_at IS NULL ORDER BY tr.priority, t.id";
    query_all(c, sql, [], |r| {
        let signals: Option<String> = r.get(14)?;
        Ok(TicketTriage {
            ticket_id: r.get(0)?,
            key: r.get(1)?,
            title: r.get(2)?,
            category: r.get(3)?,
            category_overridden: r.get(4)?,
            suggested_category: r.get(5)?,
            confidence: r.get(6)?,
            impact: r.get(7)?,
            impact_overridden: r.get(8)?,
            suggested_impact: r.get(9)?,
            urgency: r.get(10)?,
            urgency_overridden: r.get(11)?,
            suggested_urgency: r.get(12)?,
            priority: r.get(13)?,
            signals: signals.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
            basis: r.get(15)?,
        })
    })
}
