//! The embedding cache in the store (`text_embeddings`): each distinct
//! ticket text is run through the model once; later runs (a full re-run,
//! the incremental run after a sync) read the vector back.
//!
//! **Invariant:** a vector is keyed by the hash of the model id and the exact
//! text, so an edited ticket gets a fresh vector and a new model never reads
//! an old model's vectors.

use std::time::Instant;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::embed::{self, Embedder, DIM, MODEL_ID};
use crate::{Result, Store};

/// Texts embedded per write transaction (an interrupted first run keeps
/// what it finished).
const CHUNK: usize = 256;

/// The cache key of a text.
pub fn text_hash(text: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MODEL_ID.as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    h.finalize().into()
}

/// A vector as stored (little-endian f32s).
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Option<Vec<f32>> {
    (b.len() == DIM * 4).then(|| b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// The cached vector of one text, if any (a malformed row counts as absent).
pub fn cached(c: &Connection, text: &str) -> Result<Option<Vec<f32>>> {
    let blob: Option<Vec<u8>> =
        c.query_row("SELECT vector FROM text_embeddings WHERE hash = ?1", [&text_hash(text)[..]], |r| r.get(0)).optional()?;
    Ok(blob.and_then(|b| from_blob(&b)))
}

/// Vectors this process computed, by text hash (bounded: [`MEMO_CAP`]).
type Memo = std::sync::Mutex<std::collections::HashMap<[u8; 32], Vec<f32>>>;

/// Most vectors remembered across stores in one process (~6 MB).
const MEMO_CAP: usize = 4096;

fn memo() -> &'static Memo {
    static M: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
    M.get_or_init(Default::default)
}

fn recall(h: &[u8; 32]) -> Option<Vec<f32>> {
    memo().lock().ok().and_then(|m| m.get(h).cloned())
}

fn remember(h: [u8; 32], v: &[f32]) {
    if let Ok(mut m) = memo().lock() {
        if m.len() < MEMO_CAP {
            m.insert(h, v.to_vec());
        }
    }
}

/// What [`embeddings_for`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbedStats {
    /// Texts read from the cache.
    pub cached: usize,
    /// Texts run through the model now.
    pub computed: usize,
    /// Time spent in the model.
    pub model_ms: u128,
}

/// Vectors for `texts` (see [`embed::embed_text`]), from the cache or computed
/// and cached now. All `None` when embeddings are off.
pub fn embeddings_for(store: &Store, texts: &[String]) -> Result<(Vec<Option<Vec<f32>>>, EmbedStats)> {
    let Some(model) = embed::shared() else {
        return Ok((vec![None; texts.len()], EmbedStats::default()));
    };
    embeddings_with(store, &model, texts)
}

/// The cached vectors of `texts` (`None` where not yet embedded); never
/// runs the model.
pub fn cached_for(store: &Store, texts: &[String]) -> Result<Vec<Option<Vec<f32>>>> {
    let hashes: Vec<[u8; 32]> = texts.iter().map(|t| text_hash(t)).collect();
    lookup(store, &hashes)
}

fn lookup(store: &Store, hashes: &[[u8; 32]]) -> Result<Vec<Option<Vec<f32>>>> {
    store.read(|c| {
        let mut st = c.prepare_cached("SELECT vector FROM text_embeddings WHERE hash = ?1")?;
        let mut v = Vec::with_capacity(hashes.len());
        for h in hashes {
            let blob: Option<Vec<u8>> = st.query_row([&h[..]], |r| r.get(0)).optional()?;
            v.push(blob.and_then(|b| from_blob(&b)));
        }
        Ok(v)
    })
}

/// [`embeddings_for`] with a given model.
pub fn embeddings_with(store: &Store, model: &Embedder, texts: &[String]) -> Result<(Vec<Option<Vec<f32>>>, EmbedStats)> {
    let hashes: Vec<[u8; 32]> = texts.iter().map(|t| text_hash(t)).collect();
    let mut out = lookup(store, &hashes)?;
    // Texts this process embedded for another store (the shipped seed
    // texts, above all) are not run through the model again.
    let remembered: Vec<(usize, Vec<f32>)> = (0..texts.len()).filter(|i| out[*i].is_none()).filter_map(|i| recall(&hashes[i]).map(|v| (i, v))).collect();
    if !remembered.is_empty() {
        store.with_tx(|tx| {
            let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO text_embeddings(hash, vector) VALUES (?1, ?2)")?;
            for (i, v) in &remembered {
                ins.execute(params![&hashes[*i][..], to_blob(v)])?;
            }
            Ok(())
        })?;
        for (i, v) in remembered {
            out[i] = Some(v);
        }
    }
    let mut stats = EmbedStats { cached: out.iter().filter(|v| v.is_some()).count(), ..Default::default() };
    // Identical texts are embedded once.
    let mut missing: Vec<usize> = (0..texts.len()).filter(|i| out[*i].is_none()).collect();
    missing.sort_by_key(|i| hashes[*i]);
    missing.dedup_by_key(|i| hashes[*i]);
    let started = Instant::now();
    for chunk in missing.chunks(CHUNK) {
        let batch: Vec<&str> = chunk.iter().map(|i| texts[*i].as_str()).collect();
        let vecs = model.embed(&batch)?;
        store.with_tx(|tx| {
            let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO text_embeddings(hash, vector) VALUES (?1, ?2)")?;
            for (i, v) in chunk.iter().zip(&vecs) {
                ins.execute(params![&hashes[*i][..], to_blob(v)])?;
            }
            Ok(())
        })?;
        for (i, v) in chunk.iter().zip(vecs) {
            remember(hashes[*i], &v);
            out[*i] = Some(v);
        }
        stats.computed += chunk.len();
    }
    if stats.computed > 0 {
        stats.model_ms = started.elapsed().as_millis();
        tracing::info!("sentence embeddings: {} texts computed in {} ms, {} from the cache", stats.computed, stats.model_ms, stats.cached);
    }
    // Duplicates of a text computed above.
    let first: std::collections::HashMap<[u8; 32], usize> = missing.iter().map(|i| (hashes[*i], *i)).collect();
    for i in 0..texts.len() {
        if out[i].is_none() {
            out[i] = first.get(&hashes[i]).and_then(|j| out[*j].clone());
        }
    }
    Ok((out, stats))
}

/// Store vectors computed elsewhere for `texts` (benchmarks, imports).
pub fn put(store: &Store, items: &[(String, Vec<f32>)]) -> Result<()> {
    store.with_tx(|tx| {
        let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO text_embeddings(hash, vector) VALUES (?1, ?2)")?;
        for (text, v) in items.iter().filter(|(_, v)| v.len() == DIM) {
            ins.execute(params![&text_hash(text)[..], to_blob(v)])?;
        }
        Ok(())
    })
}
