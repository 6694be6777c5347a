//! Triage in the store: (re)triage every ticket or just the ones a sync
//! changed, user overrides that win and teach, the priority matrix setting.
//!
//! **Invariant:** a re-run rewrites only the automatic columns of `triage`;
//! `*_override` columns are written only by [`set_override`].

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::category_push::{queue_category_push, CategoryPushStatus};
use super::classify::{Decision, Labeled, TicketText, Triager, CORRECTION_WEIGHT, SEED_WEIGHT};
use super::embed::embed_text;
use super::embed_store::{cached_for, embeddings_for};
use super::evaluate::parse_labeled;
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::comment_triage::{comment_corrections, comment_corrections_fingerprint};
use super::survey_items::{comment_text, load_comments, write_comment_triage, ItemOrigin};
use super::text::{analyze, Analyzed};
use super::themes::theme_analysis;
use super::theme_store::{self, ThemeItem};
use crate::model::Category;
use crate::store::{query_all, to_ts};
use crate::{Error, Result, Store};

/// The labeled examples shipped with the app (the dev set).
const SEED: &str = include_str!("../../tests/fixtures/hypercare-erp-tickets.jsonl");

/// What a triage run did.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TriageRun {
    pub tickets: usize,
    /// Imported survey comments triaged and grouped with the tickets.
    pub survey_comments: usize,
    pub corrections_used: usize,
    pub themes: usize,
}

/// The shipped seed examples.
pub fn seed_examples() -> Result<Vec<Labeled>> {
    Ok(parse_labeled(SEED, "seed data")?.iter().map(|r| r.labeled(SEED_WEIGHT)).collect())
}

fn bad_value(what: &str, v: &str) -> Error {
    Error::Internal(format!("stored {what} {v:?} is not known; re-run `hypercare triage run`"))
}

/// The user's corrections (of tickets and survey comments) as training examples.
pub fn corrections(c: &Connection) -> Result<Vec<Labeled>> {
    let mut st = c.prepare(
        "SELECT t.title, t.description, t.tracker, t.priority,
                tr.category_override, tr.impact_override, tr.urgency_override
         FROM triage tr JOIN tickets t ON t.id = tr.ticket_id
         WHERE tr.category_override IS NOT NULL OR tr.impact_override IS NOT NULL
            OR tr.urgency_override IS NOT NULL
         ORDER BY tr.ticket_id",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            TicketText { title: r.get(0)?, description: r.get(1)?, channel: r.get(2)?, server_priority: r.get(3)? },
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (text, c, i, u) = row?;
        out.push(Labeled {
            text,
            category: c.as_deref().map(|v| Category::parse(v).ok_or_else(|| bad_value("category", v))).transpose()?,
            impact: i.as_deref().map(|v| Impact::parse(v).ok_or_else(|| bad_value("impact", v))).transpose()?,
            urgency: u.as_deref().map(|v| Urgency::parse(v).ok_or_else(|| bad_value("urgency", v))).transpose()?,
            weight: CORRECTION_WEIGHT,
        });
    }
    out.extend(comment_corrections(c)?);
    Ok(out)
}

/// Changes with every correction of a ticket or a survey comment.
fn corrections_fingerprint(c: &Connection) -> Result<[(i64, i64); 2]> {
    let tickets = c.query_row("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM triage_corrections", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok([tickets, comment_corrections_fingerprint(c)?])
}

type Cached = (std::path::PathBuf, [(i64, i64); 2], bool, Arc<Triager>);

/// The classifier for this store: seed data plus the store's corrections,
/// with sentence embeddings when the model is installed.
/// Trained once per process and set of corrections.
pub fn triager(store: &Store, c: &Connection) -> Result<(Arc<Triager>, usize)> {
    triager_for(store, c, super::embed::shared().is_some())
}

/// [`triager`] with embeddings on or off (`embedded` = every ticket of the
/// run has one).
pub fn triager_for(store: &Store, c: &Connection, embedded: bool) -> Result<(Arc<Triager>, usize)> {
    static CACHE: OnceLock<Mutex<Option<Cached>>> = OnceLock::new();
    let fp = corrections_fingerprint(c)?;
    let corr = corrections(c)?;
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    if let Ok(guard) = cache.lock() {
        if let Some((path, f, e, t)) = guard.as_ref() {
            if path == store.path() && *f == fp && *e == embedded {
                return Ok((t.clone(), corr.len()));
            }
        }
    }
    let mut data = seed_examples()?;
    let used = corr.len();
    data.extend(corr);
    // Seed and corrected texts are embedded once; later trainings read the cache.
    let texts: Vec<String> = data.iter().map(|l| embed_text(&l.text.title, &l.text.description, l.text.channel.as_deref())).collect();
    let vectors = if embedded { embeddings_for(store, &texts)?.0 } else { vec![None; texts.len()] };
    let t = Arc::new(Triager::train_with(&data, &vectors.iter().map(Option::as_deref).collect::<Vec<_>>()));
    if let Ok(mut guard) = cache.lock() {
        *guard = Some((store.path().to_path_buf(), fp, embedded, t.clone()));
    }
    Ok((t, used))
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
    // Only priorities change: reuse the cached embeddings, compute none.
    triage_all_with(store, now, false).map(|_| ())
}

struct Row {
    id: i64,
    text: TicketText,
}

fn load_rows(c: &Connection, ids: Option<&[i64]>) -> Result<Vec<Row>> {
    let map = |r: &rusqlite::Row| -> rusqlite::Result<Row> {
        Ok(Row {
            id: r.get(0)?,
            text: TicketText { title: r.get(1)?, description: r.get(2)?, channel: r.get(3)?, server_priority: r.get(4)? },
        })
    };
    let sql = "SELECT id, title, description, tracker, priority FROM tickets WHERE deleted_at IS NULL";
    // Oldest first: the theme detector samples evenly over time.
    match ids {
        None => {
            let mut st = c.prepare(&format!("{sql} ORDER BY created_at, id"))?;
            let rows = st.query_map([], map)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        }
        Some(ids) => {
            let mut st = c.prepare(&format!("{sql} AND id = ?1"))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(r) = st.query_row([id], map).optional()? {
                    out.push(r);
                }
            }
            Ok(out)
        }
    }
}

/// The rows' sentence embeddings (cached, or computed and cached now when
/// `compute`), all `None` unless every row has one: a run is either
/// embedded throughout or words only.
fn row_embeddings(store: &Store, rows: &[Row], compute: bool) -> Result<Vec<Option<Vec<f32>>>> {
    if rows.is_empty() || super::embed::shared().is_none() {
        return Ok(vec![None; rows.len()]);
    }
    let texts: Vec<String> = rows.iter().map(|r| embed_text(&r.text.title, &r.text.description, r.text.channel.as_deref())).collect();
    let v = if compute { embeddings_for(store, &texts)?.0 } else { cached_for(store, &texts)? };
    if v.iter().all(Option::is_some) {
        Ok(v)
    } else {
        tracing::info!("triage runs on words only: {} of {} tickets have no sentence embedding yet", v.iter().filter(|x| x.is_none()).count(), v.len());
        Ok(vec![None; rows.len()])
    }
}

/// Analyse and classify rows (with their embeddings), split over the machine's cores.
fn decide_all(t: &Triager, rows: &[Row], embs: &[Option<Vec<f32>>]) -> Vec<(Analyzed, Decision)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = rows.len().div_ceil(threads).max(1);
    let one = |r: &Row, e: Option<&Vec<f32>>| {
        let a = analyze(&r.text.title, &r.text.description);
        let d = t.decide_with(&a, &r.text, e.map(Vec::as_slice));
        (a, d)
    };
    let emb = |i: usize| embs.get(i).and_then(Option::as_ref);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| s.spawn(move || part.iter().enumerate().map(|(j, r)| one(r, emb(k * chunk + j))).collect::<Vec<_>>()))
            .collect();
        // A worker only panics on a bug; classify what it had on this thread then.
        let mut out = Vec::with_capacity(rows.len());
        for (k, (h, part)) in handles.into_iter().zip(rows.chunks(chunk)).enumerate() {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(_) => out.extend(part.iter().enumerate().map(|(j, r)| one(r, emb(k * chunk + j)))),
            }
        }
        out
    })
}

/// Write the automatic columns of `decided` rows (overrides untouched);
/// returns each row's effective category.
fn write_decisions(
    tx: &Transaction<'_>,
    t: &Triager,
    m: &PriorityMatrix,
    rows: &[Row],
    decided: &[(Analyzed, Decision)],
    now: DateTime<Utc>,
) -> Result<Vec<Category>> {
    let mut up = tx.prepare(
        "INSERT INTO triage(ticket_id, category, confidence, impact, urgency, priority, signals, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(ticket_id) DO UPDATE SET category = excluded.category,
           confidence = excluded.confidence, impact = excluded.impact, urgency = excluded.urgency,
           priority = excluded.priority, signals = excluded.signals, updated_at = excluded.updated_at",
    )?;
    // A re-run after a sync mostly reproduces the stored values: skip those
    // writes (updated_at then says when the automatic result last changed).
    let mut old = tx.prepare(
        "SELECT category, confidence, impact, urgency, priority, signals FROM triage WHERE ticket_id = ?1",
    )?;
    type Stored = (Option<String>, Option<f64>, Option<String>, Option<String>, Option<String>, Option<String>);
    // Overrides are few: load them once instead of asking per ticket.
    let mut ov = tx.prepare(
        "SELECT ticket_id, category_override, impact_override, urgency_override FROM triage
         WHERE category_override IS NOT NULL OR impact_override IS NOT NULL OR urgency_override IS NOT NULL",
    )?;
    type Overrides = (Option<String>, Option<String>, Option<String>);
    let overrides: std::collections::HashMap<i64, Overrides> = ov
        .query_map([], |x| Ok((x.get(0)?, (x.get(1)?, x.get(2)?, x.get(3)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let mut effective = Vec::with_capacity(rows.len());
    for (r, (_, d)) in rows.iter().zip(decided) {
        let o = overrides.get(&r.id);
        effective.push(o.and_then(|x| x.0.as_deref()).and_then(Category::parse).unwrap_or(d.category));
        let priority = match o {
            Some((c, i, u)) if c.is_some() || i.is_some() || u.is_some() => m.priority(
                c.as_deref().and_then(Category::parse).unwrap_or(d.category),
                i.as_deref().and_then(Impact::parse).unwrap_or(d.impact),
                u.as_deref().and_then(Urgency::parse).unwrap_or(d.urgency),
            ),
            _ => t.priority(d, m),
        };
        let signals = serde_json::to_string(&d.signals).map_err(|e| Error::Internal(e.to_string()))?;
        let stored: Option<Stored> = old
            .query_row([r.id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?)))
            .optional()?;
        if let Some((c, conf, i, u, p, sig)) = stored {
            let same = c.as_deref() == Some(d.category.as_str())
                && conf.is_some_and(|x| (x - d.confidence as f64).abs() < 1e-6)
                && i.as_deref() == Some(d.impact.as_str())
                && u.as_deref() == Some(d.urgency.as_str())
                && p.as_deref() == Some(priority.as_str())
                && sig.as_deref() == Some(signals.as_str());
            if same {
                continue;
            }
        }
        up.execute(params![
            r.id,
            d.category.as_str(),
            d.confidence as f64,
            d.impact.as_str(),
            d.urgency.as_str(),
            priority.as_str(),
            signals,
            to_ts(now)
        ])?;
    }
    Ok(effective)
}

/// Triage every ticket and imported survey comment in the store and
/// recompute the themes (over both); items without a sentence embedding
/// get one first (once per text: a re-run reads them from the cache).
/// Most tickets [`triage_changed`] runs the sentence-embedding model for
/// (about 9 s of model time); a larger batch is triaged on words, with the
/// embeddings it already has cached, until the next full run.
pub const EMBED_AFTER_SYNC_MAX: usize = 500;

pub fn triage_all(store: &Store, now: DateTime<Utc>) -> Result<TriageRun> {
    triage_all_with(store, now, true)
}

/// [`triage_all`]; with `embed_missing` false the model never runs: the
/// run uses embeddings only if every item already has one, else words
/// only (the demo, which must open in seconds).
pub fn triage_all_with(store: &Store, now: DateTime<Utc>, embed_missing: bool) -> Result<TriageRun> {
    let (rows, comments) = store.read(|c| Ok((load_rows(c, None)?, load_comments(c)?)))?;
    let comment_rows: Vec<Row> = comments.iter().map(|sc| Row { id: sc.id, text: comment_text(&sc.text) }).collect();
    let mut embs = row_embeddings(store, &rows, embed_missing)?;
    let mut comment_embs = row_embeddings(store, &comment_rows, embed_missing)?;
    // Embedded throughout or words only.
    let embedded = embs.first().is_some_and(Option::is_some) && comment_embs.first().is_none_or(Option::is_some);
    if !embedded {
        embs = vec![None; rows.len()];
        comment_embs = vec![None; comment_rows.len()];
    }
    let (t, used, m) = store.read(|c| {
        let (t, used) = triager_for(store, c, embedded)?;
        Ok((t, used, load_matrix(c)?))
    })?;
    let decided = decide_all(&t, &rows, &embs);
    let comment_decided = decide_all(&t, &comment_rows, &comment_embs);
    let categories = store.with_tx(|tx| {
        let categories = write_decisions(tx, &t, &m, &rows, &decided, now)?;
        write_comment_triage(tx, &comments, comment_decided.iter().map(|(_, d)| d), now)?;
        Ok(categories)
    })?;
    let tickets = rows
        .iter()
        .zip(decided)
        .zip(categories)
        .zip(embs)
        .map(|(((r, (analyzed, _)), category), e)| (r, analyzed, Some(category), ItemOrigin::Ticket, e));
    // A comment's words place it, not its category: guessed from one short
    // text without the fields a ticket has, it would pull the comment
    // towards whichever theme shares the guess.
    let surveys = comment_rows
        .iter()
        .zip(comment_decided)
        .zip(comment_embs)
        .map(|((r, (analyzed, _)), e)| (r, analyzed, None, ItemOrigin::SurveyComment, e));
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
    Ok(TriageRun { tickets: rows.len(), survey_comments: comments.len(), corrections_used: used, themes })
}

/// Triage only the tickets a sync changed and place them in the existing
/// themes (nearest theme above the threshold); a full [`triage_all`]
/// re-clusters.
pub fn triage_changed(store: &Store, ticket_ids: &[i64], now: DateTime<Utc>) -> Result<TriageRun> {
    let rows = store.read(|c| load_rows(c, Some(ticket_ids)))?;
    // The model costs ~18 ms a new text: a sync's usual handful is embedded
    // now; a big batch (a first sync) is triaged on words at once, and the
    // next full run (`triage run`, "Run triage") embeds it.
    let compute = rows.len() <= EMBED_AFTER_SYNC_MAX;
    if !compute {
        tracing::info!(tickets = rows.len(), "triage after sync: too many new texts to embed now; words only until the next full run");
    }
    let embs = row_embeddings(store, &rows, compute)?;
    let embedded = embs.first().is_some_and(Option::is_some);
    let (t, used, m) = store.read(|c| {
        let (t, used) = triager_for(store, c, embedded)?;
        Ok((t, used, load_matrix(c)?))
    })?;
    let decided = decide_all(&t, &rows, &embs);
    store.with_tx(|tx| {
        write_decisions(tx, &t, &m, &rows, &decided, now)?;
        theme_store::assign_to_themes(tx, &rows.iter().map(|r| (r.id, &r.text)).collect::<Vec<_>>(), now)
    })?;
    Ok(TriageRun { tickets: rows.len(), survey_comments: 0, corrections_used: used, themes: 0 })
}

/// What triaging newly imported survey comments did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommentsTriaged {
    /// Comments not triaged before, now categorised.
    pub comments: usize,
    /// Of which joined an existing theme.
    pub placed_in_themes: usize,
}

/// Triage the survey comments that have no triage yet (after an import) and
/// place them in the existing themes; a full [`triage_all`] re-clusters.
pub fn triage_new_comments(store: &Store, now: DateTime<Utc>) -> Result<CommentsTriaged> {
    let (t, comments) = store.read(|c| {
        let (t, _) = triager(store, c)?;
        let known: std::collections::HashSet<i64> = c
            .prepare("SELECT response_id FROM survey_comment_triage")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let fresh: Vec<_> = load_comments(c)?.into_iter().filter(|sc| !known.contains(&sc.id)).collect();
        Ok((t, fresh))
    })?;
    let rows: Vec<Row> = comments.iter().map(|sc| Row { id: sc.id, text: comment_text(&sc.text) }).collect();
    let embs = if t.embedded() { row_embeddings(store, &rows, true)? } else { vec![None; rows.len()] };
    let decided = decide_all(&t, &rows, &embs);
    let placed = store.with_tx(|tx| {
        write_comment_triage(tx, &comments, decided.iter().map(|(_, d)| d), now)?;
        let items: Vec<(i64, &str, Category)> =
            comments.iter().zip(&decided).map(|(sc, (_, d))| (sc.id, sc.text.as_str(), d.category)).collect();
        theme_store::assign_comments_to_themes(tx, &items)
    })?;
    Ok(CommentsTriaged { comments: comments.len(), placed_in_themes: placed })
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

/// One ticket's triage as stored (effective values first).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TicketTriage {
    pub ticket_id: i64,
    pub key: String,
    pub title: String,
    pub category: Option<String>,
    pub category_overridden: bool,
    pub confidence: Option<f64>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    pub priority: Option<String>,
    pub signals: Vec<String>,
}

/// The stored triage of every ticket, highest priority first.
pub fn list_triage(c: &Connection) -> Result<Vec<TicketTriage>> {
    let sql = "SELECT t.id, t.key, t.title, COALESCE(tr.category_override, tr.category),
                tr.category_override IS NOT NULL, tr.confidence,
                COALESCE(tr.impact_override, tr.impact), COALESCE(tr.urgency_override, tr.urgency),
                tr.priority, tr.signals
         FROM tickets t JOIN triage tr ON tr.ticket_id = t.id
         WHERE t.deleted_at IS NULL ORDER BY tr.priority, t.id";
    query_all(c, sql, [], |r| {
        let signals: Option<String> = r.get(9)?;
        let (ticket_id, key, title, category, category_overridden) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let (confidence, impact, urgency, priority) = (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
        let signals = signals.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        Ok(TicketTriage { ticket_id, key, title, category, category_overridden, confidence, impact, urgency, priority, signals })
    })
}
