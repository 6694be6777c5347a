//! The two classifiers of a store, trained on the shipped seed examples plus
//! this machine's corrections:
//!
//! - the **words** model (no embedding features), for a ticket whose text
//!   has no sentence embedding yet: what a sync's new tickets get at once;
//! - the **embedding** model (words + the text's embedding), for a ticket
//!   whose text is in the embedding cache: what the background refinement
//!   ([`super::refine`]) moves every ticket to.
//!
//! Both are trained once per process, store and set of corrections.
//! Training the embedding model needs the training texts' vectors: on the
//! sync path they come from the cache only (the model never runs there); a
//! correction whose text is not embedded yet is left out of the embedding
//! model until the refinement embeds it, and without the seed's vectors
//! there is no embedding model at all.

use std::sync::{Arc, Mutex, OnceLock};

use rusqlite::Connection;

use super::classify::{Labeled, TicketText, Triager, CORRECTION_WEIGHT, SEED_WEIGHT};
use super::comment_triage::{comment_corrections, comment_corrections_fingerprint};
use super::embed::embed_text;
use super::embed_store::{cached_for, embeddings_for};
use super::evaluate::parse_labeled;
use super::priority::{Impact, Urgency};
use crate::model::Category;
use crate::{Error, Result, Store};

/// The labeled examples shipped with the app (the dev set).
const SEED: &str = include_str!("../../tests/fixtures/hypercare-erp-tickets.jsonl");

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
            TicketText { title: r.get(0)?, description: r.get(1)?, channel: r.get(2)?, server_priority: r.get(3)?, ..Default::default() },
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

/// The classifiers of a store.
#[derive(Clone)]
pub struct Models {
    /// Words only: for texts without an embedding.
    pub words: Arc<Triager>,
    /// Words + embedding; `None` until the seed texts have vectors (the
    /// model was never run for this store, or is not installed).
    pub embedded: Option<Arc<Triager>>,
    /// Corrections learned from.
    pub corrections: usize,
}

/// (store path, corrections fingerprint, training examples with a vector; `None` = words model).
type Key = (std::path::PathBuf, [(i64, i64); 2], Option<usize>);

fn memo() -> &'static Mutex<Vec<(Key, Arc<Triager>)>> {
    static CACHE: OnceLock<Mutex<Vec<(Key, Arc<Triager>)>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn trained(key: Key, train: impl FnOnce() -> Triager) -> Arc<Triager> {
    if let Ok(guard) = memo().lock() {
        if let Some((_, t)) = guard.iter().find(|(k, _)| *k == key) {
            return t.clone();
        }
    }
    let t = Arc::new(train());
    if let Ok(mut guard) = memo().lock() {
        // A few stores per process at most (tests, benches): keep it small.
        if guard.len() >= 8 {
            guard.remove(0);
        }
        guard.push((key, t.clone()));
    }
    t
}

/// The store's two classifiers. With `compute` the sentence-embedding model
/// embeds training texts that have no vector yet (the background
/// refinement); without it only cached vectors are used (the sync path,
/// full re-runs).
pub fn models(store: &Store, c: &Connection, compute: bool) -> Result<Models> {
    let fp = corrections_fingerprint(c)?;
    let seed = seed_examples()?;
    let corr = corrections(c)?;
    let used = corr.len();
    let mut data = seed;
    let seed_len = data.len();
    data.extend(corr);
    let words = trained((store.path().to_path_buf(), fp, None), || Triager::train(&data));
    let texts: Vec<String> = data.iter().map(|l| embed_text(&l.text.title, &l.text.description, l.text.channel.as_deref())).collect();
    let vectors = if compute { embeddings_for(store, &texts)?.0 } else { cached_for(store, &texts)? };
    let embedded = if vectors[..seed_len].iter().all(Option::is_some) {
        let (kept, vecs): (Vec<Labeled>, Vec<Vec<f32>>) =
            data.into_iter().zip(vectors).filter_map(|(l, v)| v.map(|v| (l, v))).unzip();
        let n = kept.len();
        Some(trained((store.path().to_path_buf(), fp, Some(n)), || {
            Triager::train_with(&kept, &vecs.iter().map(|v| Some(v.as_slice())).collect::<Vec<_>>())
        }))
    } else {
        None
    };
    Ok(Models { words, embedded, corrections: used })
}

/// The classifier a full run with every text embedded would use: the
/// embedding model when the model is installed (embedding the training
/// texts as needed), else the words model.
pub fn triager(store: &Store, c: &Connection) -> Result<(Arc<Triager>, usize)> {
    let m = models(store, c, super::embed::shared().is_some())?;
    Ok((m.embedded.unwrap_or(m.words), m.corrections))
}
