//! Recurring themes: group items that describe the same underlying problem.
//!
//! Each item becomes a TF-IDF vector over stemmed words (title words count
//! more) and concept groups (so synonyms meet), L2-normalised. Items are
//! clustered by agglomerative clustering with average linkage, stopping at a
//! cosine threshold ([`ThemeConfig::threshold`], chosen on the dev set by
//! cross-validation, see `evaluate.rs`). Large stores cluster a deterministic
//! sample of at most [`ThemeConfig::seed_cap`] items and assign the rest to
//! the nearest theme centroid, so a full re-run stays O(n).
//!
//! With sentence embeddings ([`super::embed`]) the similarity of two items
//! is `(1 - w)·cos(words) + w·cos(embeddings)`, `w` = [`ThemeConfig::embed_weight`];
//! embeddings are centred on the run's mean first, which removes the
//! direction all tickets share and spreads the cosines.

use rustc_hash::FxHashMap as HashMap;

use super::text::{stem, tokens, Analyzed};
use crate::model::Category;

/// One item to group (a ticket or a survey comment).
#[derive(Debug, Clone)]
pub struct ThemeInput<'a> {
    pub analyzed: &'a Analyzed,
    pub title: &'a str,
    pub description: &'a str,
    /// The ticket's (effective or predicted) category, if triaged.
    pub category: Option<Category>,
    /// The item's sentence embedding, if embeddings are on.
    pub embedding: Option<&'a [f32]>,
}

/// The fewest items a theme has: a recurring problem, not a one-off.
pub const MIN_THEME_SIZE: usize = 3;

/// Clustering settings.
#[derive(Debug, Clone, Copy)]
pub struct ThemeConfig {
    /// Average-linkage cosine similarity at which merging stops.
    pub threshold: f32,
    /// Smallest group reported as a theme.
    pub min_size: usize,
    /// Weight of title words against description words.
    pub title_weight: f32,
    /// Weight of concept groups against words.
    pub concept_weight: f32,
    /// Weight of the item's category (themes mostly stay within one).
    pub category_weight: f32,
    /// Most items clustered pairwise; the rest join the nearest theme.
    pub seed_cap: usize,
    /// Share of the embedding cosine in the similarity (when every item has one).
    pub embed_weight: f32,
    /// Neighbours compared for the shared-neighbour similarity, as a share
    /// of the items clustered (3 to 50 neighbours; 0: off).
    pub snn_share: f32,
    /// Share of the shared-neighbour similarity in the pairwise similarity.
    pub snn_weight: f32,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig { threshold: 0.11, min_size: MIN_THEME_SIZE, title_weight: 1.0, concept_weight: 0.6, category_weight: 2.0, seed_cap: 1500, embed_weight: 0.0, snn_share: 0.0, snn_weight: 0.0 }
    }
}

impl ThemeConfig {
    /// The settings for items with sentence embeddings: half words, half
    /// embedding, blended 70/30 with shared neighbours among the nearest 5 %
    /// (weights chosen on the dev set by the cross-validated ARI of a small
    /// grid; the threshold is the median of the per-fold choices, see
    /// `evaluate.rs`).
    pub fn embedded() -> ThemeConfig {
        ThemeConfig { threshold: EMBED_THRESHOLD, embed_weight: EMBED_WEIGHT, snn_share: 0.05, snn_weight: 0.3, ..ThemeConfig::default() }
    }

    /// [`ThemeConfig::embedded`] when `on`, else the words-only default.
    pub fn for_embeddings(on: bool) -> ThemeConfig {
        if on {
            ThemeConfig::embedded()
        } else {
            ThemeConfig::default()
        }
    }
}

/// Share of the embedding cosine in item similarity (see [`ThemeConfig::embedded`]).
pub const EMBED_WEIGHT: f32 = 0.5;
/// Merge threshold with embeddings on.
pub const EMBED_THRESHOLD: f32 = 0.19;

/// Items' centred embeddings and the weights that mix them with the words.
#[derive(Debug, Clone, Default)]
pub struct Dense {
    /// One centred unit vector per item (empty: none).
    pub vecs: Vec<Vec<f32>>,
    /// The mean subtracted (to centre later items the same way).
    pub mean: Vec<f32>,
    /// Weight of the word cosine (1 when embeddings are off).
    pub word_weight: f32,
    /// Weight of the embedding cosine (0 when off).
    pub embed_weight: f32,
}

impl Dense {
    /// Centre the items' embeddings on the mean of them and `background`
    /// (e.g. the shipped seed tickets, so a handful of items is not centred
    /// on itself); off unless every item has one.
    pub fn of(items: &[ThemeInput], cfg: &ThemeConfig, background: &[Vec<f32>]) -> Dense {
        let on = cfg.embed_weight > 0.0 && !items.is_empty() && items.iter().all(|i| i.embedding.is_some_and(|e| e.len() == super::embed::DIM));
        if !on {
            return Dense { word_weight: 1.0, ..Dense::default() };
        }
        let mut vecs: Vec<Vec<f32>> = items.iter().map(|i| i.embedding.map(<[f32]>::to_vec).unwrap_or_default()).collect();
        let mean = super::embed::center(&mut vecs, background);
        Dense { vecs, mean, word_weight: 1.0 - cfg.embed_weight, embed_weight: cfg.embed_weight }
    }

    /// The embedding part of the similarity of items `i` and `j`.
    fn sim(&self, i: usize, j: usize) -> f32 {
        if self.embed_weight == 0.0 {
            return 0.0;
        }
        self.embed_weight * super::embed::cosine(&self.vecs[i], &self.vecs[j])
    }
}

/// The analysis a theme is detected from. A survey comment's title is the
/// survey's name, shared by unrelated comments, so only its text counts.
pub fn theme_analysis(a: Analyzed, channel: Option<&str>, description: &str) -> Analyzed {
    if channel.is_some_and(|c| c.eq_ignore_ascii_case("survey")) {
        super::text::analyze("", description)
    } else {
        a
    }
}

/// A sparse, L2-normalised vector: sorted (term id, weight).
pub type SparseVec = Vec<(u32, f32)>;

/// Cosine of two normalised sparse vectors.
pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The vector space of one run: term ids, document frequencies.
#[derive(Debug, Default)]
pub struct Space {
    pub ids: HashMap<String, u32>,
    pub terms: Vec<String>,
    pub df: Vec<u32>,
    pub n: usize,
}

/// Raw term weights of one item (before IDF): words, title words, concepts (`#name`).
pub fn item_terms(a: &Analyzed, category: Option<Category>, cfg: &ThemeConfig) -> HashMap<String, f32> {
    let mut tf: HashMap<String, f32> = HashMap::default();
    for t in &a.terms {
        *tf.entry(t.clone()).or_default() += 1.0;
    }
    let mut out: HashMap<String, f32> = tf.into_iter().map(|(k, v)| (k, 1.0 + v.ln())).collect();
    for t in &a.title_terms {
        *out.entry(t.clone()).or_default() += cfg.title_weight;
    }
    for c in &a.concepts {
        out.insert(format!("#{c}"), cfg.concept_weight);
    }
    if let (Some(c), true) = (category, cfg.category_weight > 0.0) {
        out.insert(format!("@{}", c.as_str()), cfg.category_weight);
    }
    out
}

impl Space {
    /// Build the space and every item's vector.
    pub fn vectors(items: &[ThemeInput], cfg: &ThemeConfig) -> (Space, Vec<SparseVec>) {
        let mut space = Space { n: items.len(), ..Default::default() };
        let raw: Vec<HashMap<String, f32>> = items.iter().map(|i| item_terms(i.analyzed, i.category, cfg)).collect();
        for r in &raw {
            for k in r.keys() {
                let id = *space.ids.entry(k.clone()).or_insert_with(|| {
                    space.terms.push(k.clone());
                    space.df.push(0);
                    (space.terms.len() - 1) as u32
                });
                space.df[id as usize] += 1;
            }
        }
        let n = items.len().max(1) as f32;
        let vecs = raw
            .into_iter()
            .map(|r| {
                let mut v: SparseVec = r
                    .into_iter()
                    .filter_map(|(k, w)| {
                        let id = space.ids[&k];
                        let df = space.df[id as usize] as f32;
                        // A term seen once links nothing; one in most items separates nothing.
                        (df >= 2.0 && df <= 0.3 * n + 2.0).then(|| (id, w * (n / df).ln()))
                    })
                    .collect();
                normalise(&mut v);
                v.sort_by_key(|(id, _)| *id);
                v
            })
            .collect();
        (space, vecs)
    }
}

/// Scale a sparse vector to unit length.
pub fn normalise(v: &mut SparseVec) {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in v.iter_mut() {
            *w /= norm;
        }
    }
}

/// Average-linkage agglomerative clustering of `vecs`, merging while the
/// average similarity of the best pair is at least `threshold`. Returns a
/// cluster index per item.
pub fn average_linkage(vecs: &[SparseVec], threshold: f32) -> Vec<usize> {
    average_linkage_by(vecs.len(), |i, j| dot(&vecs[i], &vecs[j]), threshold)
}

/// [`average_linkage`] over `n` items with a given pairwise similarity.
pub fn average_linkage_by(n: usize, pair: impl Fn(usize, usize) -> f32, threshold: f32) -> Vec<usize> {
    let mut sim = vec![0.0f32; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            let s = pair(i, j);
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
    let mut size = vec![1usize; n];
    let mut active = vec![true; n];
    let mut parent: Vec<usize> = (0..n).collect();
    let best_of = |sim: &[f32], active: &[bool], i: usize| -> (usize, f32) {
        let mut b = (usize::MAX, f32::NEG_INFINITY);
        for k in 0..n {
            if k != i && active[k] && sim[i * n + k] > b.1 {
                b = (k, sim[i * n + k]);
            }
        }
        b
    };
    let mut best: Vec<(usize, f32)> = (0..n).map(|i| best_of(&sim, &active, i)).collect();
    while let Some(i) = (0..n).filter(|i| active[*i] && best[*i].0 != usize::MAX).max_by(|a, b| best[*a].1.total_cmp(&best[*b].1)) {
        let (j, s) = best[i];
        if s < threshold {
            break;
        }
        // Merge j into i (Lance-Williams update for average linkage).
        let (si, sj) = (size[i] as f32, size[j] as f32);
        for k in 0..n {
            if active[k] && k != i && k != j {
                let v = (si * sim[i * n + k] + sj * sim[j * n + k]) / (si + sj);
                sim[i * n + k] = v;
                sim[k * n + i] = v;
            }
        }
        active[j] = false;
        size[i] += size[j];
        parent[j] = i;
        best[i] = best_of(&sim, &active, i);
        for k in 0..n {
            if !active[k] || k == i {
                continue;
            }
            if best[k].0 == i || best[k].0 == j {
                best[k] = best_of(&sim, &active, k);
            } else if sim[k * n + i] > best[k].1 {
                best[k] = (i, sim[k * n + i]);
            }
        }
    }
    (0..n)
        .map(|mut i| {
            while parent[i] != i {
                i = parent[i];
            }
            i
        })
        .collect()
}

/// A group of items found by [`detect`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Item indices, in input order.
    pub members: Vec<usize>,
    /// Key terms (surface words), strongest first.
    pub key_terms: Vec<String>,
    /// The centroid, for assigning later items.
    pub centroid: SparseVec,
    /// The mean of the members' centred embeddings, normalised (empty: off).
    pub dense_centroid: Vec<f32>,
}

/// Group items into themes (clusters of at least `cfg.min_size`).
pub fn detect(items: &[ThemeInput], cfg: &ThemeConfig) -> (Space, Vec<SparseVec>, Vec<Cluster>) {
    let (space, vecs) = Space::vectors(items, cfg);
    let dense = Dense::of(items, cfg, &[]);
    let clusters = detect_with(items, &space, &vecs, &dense, cfg);
    (space, vecs, clusters)
}

/// [`detect`] on vectors already built (words and embeddings).
pub fn detect_with(items: &[ThemeInput], space: &Space, vecs: &[SparseVec], dense: &Dense, cfg: &ThemeConfig) -> Vec<Cluster> {
    let n = items.len();
    // Deterministic stride sample as the seed for pairwise clustering.
    let stride = n.div_ceil(cfg.seed_cap.max(1)).max(1);
    let seed: Vec<usize> = (0..n).step_by(stride).collect();
    let (ww, on) = (dense.word_weight, dense.embed_weight > 0.0);
    let m = seed.len();
    let mut sim = vec![0.0f32; m * m];
    for a in 0..m {
        for b in (a + 1)..m {
            let s = ww * dot(&vecs[seed[a]], &vecs[seed[b]]) + dense.sim(seed[a], seed[b]);
            sim[a * m + b] = s;
            sim[b * m + a] = s;
        }
    }
    if cfg.snn_share > 0.0 && cfg.snn_weight > 0.0 {
        let k = ((m as f32 * cfg.snn_share).round() as usize).clamp(3, 50);
        blend_shared_neighbours(&mut sim, m, k, cfg.snn_weight);
    }
    let labels = average_linkage_by(m, |a, b| sim[a * m + b], cfg.threshold);
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
    for (k, l) in labels.into_iter().enumerate() {
        groups.entry(l).or_default().push(seed[k]);
    }
    let mut clusters: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() >= 2).collect();
    clusters.sort_by_key(|g| g[0]);
    let dense_of = |g: &[usize]| if on { dense_centroid(&dense.vecs, g) } else { Vec::new() };
    let mut centroids: Vec<SparseVec> = clusters.iter().map(|g| centroid(vecs, g)).collect();
    if stride > 1 {
        let in_seed: std::collections::HashSet<usize> = seed.iter().copied().collect();
        let index = CentroidIndex::new(&centroids);
        let dense_cs: Vec<Vec<f32>> = clusters.iter().map(|g| dense_of(g)).collect();
        let rest: Vec<usize> = (0..n).filter(|i| !in_seed.contains(i)).collect();
        let placed = parallel_map(&rest, |i| {
            let mut scores = index.scores(&vecs[*i]);
            for (c, s) in scores.iter_mut().enumerate() {
                *s = ww * *s + if on { dense.embed_weight * super::embed::cosine(&dense_cs[c], &dense.vecs[*i]) } else { 0.0 };
            }
            scores.into_iter().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))
        });
        for (i, best) in rest.iter().zip(placed) {
            if let Some((c, s)) = best {
                if s >= cfg.threshold {
                    clusters[c].push(*i);
                }
            }
        }
        for g in clusters.iter_mut() {
            g.sort_unstable();
        }
        centroids = clusters.iter().map(|g| centroid(vecs, g)).collect();
    }
    clusters
        .into_iter()
        .zip(centroids)
        .filter(|(g, _)| g.len() >= cfg.min_size)
        .map(|(members, centroid)| {
            let key_terms = name_terms(space, &centroid, items, &members);
            let dense_centroid = dense_of(&members);
            Cluster { members, key_terms, centroid, dense_centroid }
        })
        .collect()
}

/// Mix each pairwise similarity with the share of the two items' `k`
/// nearest neighbours they have in common (shared-nearest-neighbour
/// similarity): two tickets worded apart but surrounded by the same
/// tickets are likely one problem; a pair close only to each other is not
/// a theme. `sim` is an `n × n` matrix, changed in place.
pub fn blend_shared_neighbours(sim: &mut [f32], n: usize, k: usize, weight: f32) {
    let k = k.min(n.saturating_sub(1));
    if k == 0 {
        return;
    }
    let near: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            let mut idx: Vec<usize> = (0..n).filter(|j| *j != i).collect();
            let row = &sim[i * n..(i + 1) * n];
            idx.select_nth_unstable_by(k - 1, |a, b| row[*b].total_cmp(&row[*a]));
            let mut top = idx[..k].to_vec();
            top.sort_unstable();
            top
        })
        .collect();
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (&near[i], &near[j]);
            let (mut x, mut y, mut shared) = (0, 0, 0usize);
            while x < a.len() && y < b.len() {
                match a[x].cmp(&b[y]) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        shared += 1;
                        x += 1;
                        y += 1;
                    }
                }
            }
            let s = (1.0 - weight) * sim[i * n + j] + weight * shared as f32 / k as f32;
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
}

/// `f` over `items`, split across the machine's cores (in order).
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if items.len() < 2_000 || threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for (h, part) in handles.into_iter().zip(items.chunks(chunk)) {
            // A worker only panics on a bug; redo its part here then.
            match h.join() {
                Ok(v) => out.extend(v),
                Err(_) => out.extend(part.iter().map(f)),
            }
        }
        out
    })
}

/// The mean of some items' centred embeddings, normalised.
pub fn dense_centroid(vecs: &[Vec<f32>], members: &[usize]) -> Vec<f32> {
    let mut acc = vec![0.0f32; super::embed::DIM];
    for m in members {
        if let Some(v) = vecs.get(*m).filter(|v| v.len() == acc.len()) {
            acc.iter_mut().zip(v).for_each(|(a, x)| *a += x);
        }
    }
    let norm = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        acc.iter_mut().for_each(|x| *x /= norm);
    }
    acc
}

/// The mean of some items' vectors, normalised.
pub fn centroid(vecs: &[SparseVec], members: &[usize]) -> SparseVec {
    let mut acc: HashMap<u32, f32> = HashMap::default();
    for m in members {
        for (id, w) in &vecs[*m] {
            *acc.entry(*id).or_default() += w;
        }
    }
    let mut v: SparseVec = acc.into_iter().collect();
    v.sort_by_key(|(id, _)| *id);
    normalise(&mut v);
    v
}

/// An inverted index over centroids for nearest-theme look-ups.
pub struct CentroidIndex<'a> {
    centroids: &'a [SparseVec],
    postings: HashMap<u32, Vec<(usize, f32)>>,
}

impl<'a> CentroidIndex<'a> {
    pub fn new(centroids: &'a [SparseVec]) -> Self {
        let mut postings: HashMap<u32, Vec<(usize, f32)>> = HashMap::default();
        for (c, v) in centroids.iter().enumerate() {
            for (id, w) in v {
                postings.entry(*id).or_default().push((c, *w));
            }
        }
        CentroidIndex { centroids, postings }
    }

    /// The most similar centroid and its cosine.
    pub fn nearest(&self, v: &SparseVec) -> Option<(usize, f32)> {
        self.scores(v).into_iter().enumerate().max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The cosine of `v` with every centroid.
    pub fn scores(&self, v: &SparseVec) -> Vec<f32> {
        let mut acc = vec![0.0f32; self.centroids.len()];
        for (id, w) in v {
            if let Some(p) = self.postings.get(id) {
                for (c, cw) in p {
                    acc[*c] += w * cw;
                }
            }
        }
        acc
    }
}

/// Key terms of a cluster: its heaviest word stems, shown as the surface
/// word members use most for that stem.
fn name_terms(space: &Space, centroid: &SparseVec, items: &[ThemeInput], members: &[usize]) -> Vec<String> {
    let mut weighted: Vec<(u32, f32)> = centroid.iter().filter(|(id, _)| !space.terms[*id as usize].starts_with(['#', '@'])).cloned().collect();
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<&str> = weighted.iter().take(3).map(|(id, _)| space.terms[*id as usize].as_str()).collect();
    let mut surface: HashMap<&str, HashMap<String, usize>> = HashMap::default();
    // A sample of members is enough to pick the usual surface word.
    for m in members.iter().take(40) {
        let it = &items[*m];
        for tok in tokens(it.title).into_iter().chain(tokens(it.description)) {
            let s = stem(&tok);
            if let Some(t) = top.iter().find(|t| **t == s) {
                *surface.entry(t).or_default().entry(tok).or_default() += 1;
            }
        }
    }
    top.iter()
        .map(|t| {
            surface
                .get(t)
                .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(w, _)| w.clone()))
                .unwrap_or_else(|| t.to_string())
        })
        .collect()
}
