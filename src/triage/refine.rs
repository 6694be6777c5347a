//! The background refinement: embed the texts the sync path triaged on
//! words, store their vectors and triage their tickets (and survey
//! comments) again with the embedding model, then bring the themes up to
//! date.
//!
//! **Invariant:** the sentence-embedding model runs only here (and in
//! `evaluate`), never on the sync path.
//!
//! - *Pending* = a ticket or survey comment whose current text has no
//!   cached vector, or whose automatic triage was not decided on one
//!   (`triage.basis`, `survey_comment_triage.basis`; a comment imported
//!   but not triaged yet has no basis). Nothing else marks work, so
//!   an interrupted pass resumes where it stopped: each batch stores its
//!   vectors and the new triage of its tickets in one transaction.
//! - A user's override is never touched (only the automatic columns are
//!   written, see [`super::apply::write_decisions`]).
//! - A ticket a sync changed meanwhile is decided on its current text:
//!   each batch reads the tickets again inside its transaction.
//! - [`refine`] checks its `cancel` flag between batches (a batch is about
//!   half a second of model time), so quitting the app stops it cleanly.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::apply::{decide_all, load_rows, write_decisions, Basis, Row};
use super::embed::{self, embed_text, Embedder};
use super::embed_store::{cached, text_hash, to_blob};
use super::models::{models, Models};
use super::priority::PriorityMatrix;
use super::store::load_matrix;
use super::survey_items::{comment_text, load_comments, write_comment_triage};
use super::theme_store;
use crate::model::Category;
use crate::{Error, Result, Store};

/// Texts per batch: one model call, one transaction, one progress report.
pub const BATCH: usize = 32;

/// Progress of a refinement pass (the CLI's lines, the app's status area).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[ts(export)]
pub enum RefineProgress {
    /// `total` distinct texts wait for the language model.
    Started { total: u64 },
    /// `done` of `total` texts embedded and their tickets triaged again.
    Embedded { done: u64, total: u64 },
    /// Bringing the themes up to date.
    Themes,
    Finished { summary: Refined },
}

/// How the themes were updated at the end of a pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ThemeUpdate {
    /// Nothing to do, or the pass was cancelled.
    #[default]
    Unchanged,
    /// The refined items were placed in the existing themes.
    Placed,
    /// Everything was re-clustered (the last clustering ran on words only,
    /// or many items changed).
    Reclustered,
}

/// What a refinement pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Refined {
    /// False when the sentence-embedding model is not installed (nothing to do).
    pub model: bool,
    /// Distinct texts that waited for the model.
    pub total: u64,
    /// Of which embedded by this pass.
    pub embedded: u64,
    /// Tickets triaged again with the embedding model.
    pub tickets: u64,
    /// Survey comments triaged again.
    pub comments: u64,
    pub themes: ThemeUpdate,
    /// Stopped before the end (the next pass resumes).
    pub cancelled: bool,
    /// Time in the model.
    pub model_ms: u64,
    /// The whole pass.
    pub ms: u64,
}

/// Settings of a pass.
#[derive(Debug, Clone, Copy)]
pub struct RefineOptions {
    /// Texts per batch (default [`BATCH`]).
    pub batch: usize,
    /// Run the model on one core less than the machine has, on threads of
    /// lower priority (Linux: nice 10), so a window stays responsive (the
    /// desktop app); `false` uses every core (the CLI, benches).
    pub background: bool,
}

impl Default for RefineOptions {
    fn default() -> Self {
        RefineOptions { batch: BATCH, background: false }
    }
}

/// The thread pool the model runs in for a background pass.
fn background_pool() -> Option<rayon::ThreadPool> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(cores.saturating_sub(1).max(1))
        .thread_name(|i| format!("triage-refine-{i}"))
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|e| tracing::warn!("no background thread pool for the refinement ({e}); using the default"))
        .ok()
}

/// Lower the calling thread's scheduling priority (Linux: threads have
/// their own nice value; elsewhere this does nothing).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only changes the calling thread's nice value
    // (who = 0 is the caller on Linux); it reads no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// What is waiting for the refinement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pending {
    /// Tickets to triage again (most also need their text embedded).
    pub tickets: Vec<i64>,
    /// Survey comments to triage again (most also need their text embedded).
    pub comments: Vec<i64>,
    /// Distinct texts without a vector, shortest first.
    pub texts: Vec<String>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty() && self.comments.is_empty()
    }
}

fn cached_hashes(c: &Connection) -> Result<HashSet<[u8; 32]>> {
    let mut st = c.prepare("SELECT hash FROM text_embeddings")?;
    let rows = st.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
    let mut out = HashSet::new();
    for row in rows {
        if let Ok(h) = <[u8; 32]>::try_from(row?.as_slice()) {
            out.insert(h);
        }
    }
    Ok(out)
}

/// The tickets, comments and texts a refinement pass would work on.
pub fn pending(c: &Connection) -> Result<Pending> {
    let have = cached_hashes(c)?;
    let mut texts: HashMap<[u8; 32], String> = HashMap::new();
    let mut need = |text: String| -> bool {
        let h = text_hash(&text);
        if have.contains(&h) {
            return false;
        }
        texts.entry(h).or_insert(text);
        true
    };
    let mut out = Pending::default();
    let mut st = c.prepare(
        "SELECT t.id, t.title, t.description, t.tracker, tr.basis
         FROM tickets t LEFT JOIN triage tr ON tr.ticket_id = t.id WHERE t.deleted_at IS NULL ORDER BY t.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, Option<String>>(4)?))
    })?;
    for row in rows {
        let (id, title, description, channel, basis) = row?;
        let missing = need(embed_text(&title, &description, channel.as_deref()));
        if missing || basis.as_deref() != Some(Basis::Embedding.as_str()) {
            out.tickets.push(id);
        }
    }
    let mut st = c.prepare("SELECT response_id, basis FROM survey_comment_triage")?;
    let bases: HashMap<i64, Option<String>> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for sc in load_comments(c)? {
        let t = comment_text(&sc.text);
        let missing = need(embed_text(&t.title, &t.description, t.channel.as_deref()));
        if missing || bases.get(&sc.id).and_then(Option::as_deref) != Some(Basis::Embedding.as_str()) {
            out.comments.push(sc.id);
        }
    }
    out.texts = texts.into_values().collect();
    // Shortest first: texts of a batch have similar lengths (little padding).
    out.texts.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    Ok(out)
}

/// The tickets waiting for the refinement (ids).
pub fn pending_tickets(store: &Store) -> Result<Vec<i64>> {
    store.read(|c| Ok(pending(c)?.tickets))
}

/// What one pass works with.
struct Pass<'a> {
    store: &'a Store,
    models: Models,
    matrix: PriorityMatrix,
    now: DateTime<Utc>,
    /// Ticket / comment ids still waiting, by text hash.
    tickets: HashMap<[u8; 32], Vec<i64>>,
    comments: HashMap<[u8; 32], Vec<i64>>,
    refined_tickets: Vec<i64>,
    refined_comments: Vec<i64>,
}

/// Embed the pending texts in batches, store them and triage their tickets
/// and comments again with the embedding model; then update the themes
/// (placing the refined items, or re-clustering when the last clustering
/// ran on words only). `progress` hears of every batch; `cancel` stops the
/// pass between batches. Without the model installed it does nothing.
pub fn refine(
    store: &Store,
    now: DateTime<Utc>,
    opts: RefineOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&RefineProgress),
) -> Result<Refined> {
    let started = Instant::now();
    let mut summary = Refined::default();
    let Some(model) = embed::shared() else {
        progress(&RefineProgress::Finished { summary: summary.clone() });
        return Ok(summary);
    };
    summary.model = true;
    let work = store.read(pending)?;
    summary.total = work.texts.len() as u64;
    progress(&RefineProgress::Started { total: summary.total });
    if work.is_empty() {
        summary.ms = started.elapsed().as_millis() as u64;
        progress(&RefineProgress::Finished { summary: summary.clone() });
        return Ok(summary);
    }
    // Embeds the seed texts and corrections the first time (background too).
    let (models, matrix) = store.read(|c| Ok((models(store, c, true)?, load_matrix(c)?)))?;
    if models.embedded.is_none() {
        return Err(Error::Internal("sentence embedding: the seed texts could not be embedded".into()));
    }
    let mut pass = Pass {
        store,
        models,
        matrix,
        now,
        tickets: HashMap::new(),
        comments: HashMap::new(),
        refined_tickets: Vec::new(),
        refined_comments: Vec::new(),
    };
    pass.index(&work)?;
    // Tickets whose text already has a vector need no model: triage them first.
    let ready: Vec<[u8; 32]> = {
        let missing: HashSet<[u8; 32]> = work.texts.iter().map(|t| text_hash(t)).collect();
        pass.tickets.keys().chain(pass.comments.keys()).filter(|h| !missing.contains(*h)).copied().collect()
    };
    for part in ready.chunks(1000) {
        store.with_tx(|tx| pass.retriage(tx, part, &HashMap::new()))?;
    }
    let pool = if opts.background { background_pool() } else { None };
    let mut done = 0u64;
    for batch in work.texts.chunks(opts.batch.max(1)) {
        if cancel.load(Ordering::Relaxed) {
            summary.cancelled = true;
            break;
        }
        let t = Instant::now();
        let vectors = match &pool {
            Some(p) => p.install(|| embed_batch(&model, batch))?,
            None => embed_batch(&model, batch)?,
        };
        summary.model_ms += t.elapsed().as_millis() as u64;
        let hashes: Vec<[u8; 32]> = batch.iter().map(|t| text_hash(t)).collect();
        let by_hash: HashMap<[u8; 32], Vec<f32>> = hashes.iter().copied().zip(vectors).collect();
        store.with_tx(|tx| {
            let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO text_embeddings(hash, vector) VALUES (?1, ?2)")?;
            for (h, v) in &by_hash {
                ins.execute(params![&h[..], to_blob(v)])?;
            }
            pass.retriage(tx, &hashes, &by_hash)
        })?;
        done += batch.len() as u64;
        summary.embedded = done;
        progress(&RefineProgress::Embedded { done, total: summary.total });
    }
    summary.tickets = pass.refined_tickets.len() as u64;
    summary.comments = pass.refined_comments.len() as u64;
    if !summary.cancelled && (summary.tickets + summary.comments) > 0 {
        progress(&RefineProgress::Themes);
        summary.themes = pass.update_themes()?;
    }
    summary.ms = started.elapsed().as_millis() as u64;
    tracing::info!(texts = summary.embedded, tickets = summary.tickets, model_ms = summary.model_ms, ms = summary.ms, cancelled = summary.cancelled, "triage refined with sentence embeddings");
    progress(&RefineProgress::Finished { summary: summary.clone() });
    Ok(summary)
}

fn embed_batch(model: &Embedder, texts: &[String]) -> Result<Vec<Vec<f32>>> {
    model.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())
}

impl Pass<'_> {
    /// Group the pending tickets and comments by the hash of their text.
    fn index(&mut self, work: &Pending) -> Result<()> {
        let (rows, comments) = self.store.read(|c| Ok((load_rows(c, Some(&work.tickets))?, load_comments(c)?)))?;
        for r in rows {
            self.tickets.entry(text_hash(&r.embed_text())).or_default().push(r.id);
        }
        let wanted: HashSet<i64> = work.comments.iter().copied().collect();
        for sc in comments.into_iter().filter(|sc| wanted.contains(&sc.id)) {
            let t = comment_text(&sc.text);
            self.comments.entry(text_hash(&embed_text(&t.title, &t.description, t.channel.as_deref()))).or_default().push(sc.id);
        }
        Ok(())
    }

    /// Triage again, with the embedding model, the tickets and comments
    /// whose text hashed to one of `hashes`, reading their current text
    /// (a sync may have changed it): its vector from `fresh` or the cache.
    fn retriage(&mut self, tx: &Transaction<'_>, hashes: &[[u8; 32]], fresh: &HashMap<[u8; 32], Vec<f32>>) -> Result<()> {
        let vector = |c: &Connection, text: &str| -> Result<Option<Vec<f32>>> {
            match fresh.get(&text_hash(text)) {
                Some(v) => Ok(Some(v.clone())),
                None => cached(c, text),
            }
        };
        let ids: Vec<i64> = hashes.iter().filter_map(|h| self.tickets.get(h)).flatten().copied().collect();
        let mut rows = Vec::new();
        let mut embs = Vec::new();
        for r in load_rows(tx, Some(&ids))? {
            // Changed since the scan and not embedded: the next pass.
            if let Some(v) = vector(tx, &r.embed_text())? {
                rows.push(r);
                embs.push(Some(v));
            }
        }
        let decided = decide_all(&self.models, &rows, &embs);
        write_decisions(tx, &self.matrix, &rows, &decided, self.now)?;
        self.refined_tickets.extend(rows.iter().map(|r| r.id));

        let wanted: HashSet<i64> = hashes.iter().filter_map(|h| self.comments.get(h)).flatten().copied().collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let comments: Vec<_> = load_comments(tx)?.into_iter().filter(|sc| wanted.contains(&sc.id)).collect();
        let rows: Vec<Row> = comments.iter().map(|sc| Row { id: sc.id, text: comment_text(&sc.text) }).collect();
        let embs = rows.iter().map(|r| vector(tx, &r.embed_text())).collect::<Result<Vec<_>>>()?;
        let decided = decide_all(&self.models, &rows, &embs);
        write_comment_triage(tx, &comments, decided.iter(), self.now)?;
        self.refined_comments.extend(rows.iter().map(|r| r.id));
        Ok(())
    }

    /// Place the refined items in the themes of the last clustering when it
    /// used embeddings and few items changed; re-cluster everything when it
    /// ran on words only (the first pass after the demo or a first sync)
    /// and every item now has a vector.
    fn update_themes(&self) -> Result<ThemeUpdate> {
        let (embedded_run, items, left) = self.store.read(|c| {
            let items: i64 = c.query_row("SELECT COUNT(*) FROM tickets WHERE deleted_at IS NULL", [], |r| r.get(0))?;
            Ok((theme_store::last_run_embedded(c)?, items as usize, pending(c)?))
        })?;
        let changed = self.refined_tickets.len() + self.refined_comments.len();
        if embedded_run && changed <= (items / 10).max(500) {
            self.store.with_tx(|tx| {
                let rows = load_rows(tx, Some(&self.refined_tickets))?;
                theme_store::assign_to_themes(tx, &rows.iter().map(|r| (r.id, &r.text)).collect::<Vec<_>>(), self.now)?;
                let wanted: HashSet<i64> = self.refined_comments.iter().copied().collect();
                let mut cats = tx.prepare_cached("SELECT COALESCE(category_override, category) FROM survey_comment_triage WHERE response_id = ?1")?;
                let mut items = Vec::new();
                for sc in load_comments(tx)?.into_iter().filter(|sc| wanted.contains(&sc.id)) {
                    let cat: String = cats.query_row([sc.id], |r| r.get(0))?;
                    items.push((sc.id, sc.text, Category::parse(&cat).unwrap_or(Category::Usability)));
                }
                let refs: Vec<(i64, &str, Category)> = items.iter().map(|(id, t, c)| (*id, t.as_str(), *c)).collect();
                theme_store::assign_comments_to_themes(tx, &refs)?;
                Ok(())
            })?;
            return Ok(ThemeUpdate::Placed);
        }
        if !left.texts.is_empty() {
            // Some texts still lack a vector (a sync meanwhile): the next pass.
            return Ok(ThemeUpdate::Unchanged);
        }
        theme_store::refresh_themes(self.store, self.now)?;
        Ok(ThemeUpdate::Reclustered)
    }
}
