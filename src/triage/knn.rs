//! Nearest labeled neighbours: tickets worded like a known example (a seed
//! example or, above all, a ticket the user corrected) lean towards its
//! labels. Mixed with the logistic regressions in [`super::classify`].

use rustc_hash::FxHashMap as HashMap;

use super::text::Analyzed;
use super::themes::{item_terms, normalise, SparseVec, ThemeConfig};

/// Labeled example vectors over a shared vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Neighbours {
    ids: HashMap<String, u32>,
    idf: Vec<f32>,
    /// Per example: (category, impact, urgency) class indices and weight.
    labels: Vec<([Option<usize>; 3], f32)>,
    postings: HashMap<u32, Vec<(usize, f32)>>,
}

/// How many neighbours vote.
pub const K: usize = 7;

impl Neighbours {
    /// Index analysed examples with their labels.
    pub fn build(examples: &[(&Analyzed, [Option<usize>; 3], f32)]) -> Neighbours {
        let cfg = ThemeConfig::default();
        let mut nb = Neighbours::default();
        let raw: Vec<HashMap<String, f32>> = examples.iter().map(|(a, _, _)| item_terms(a, None, &cfg)).collect();
        let mut df: Vec<f32> = Vec::new();
        for r in &raw {
            for k in r.keys() {
                let next = nb.ids.len() as u32;
                let id = *nb.ids.entry(k.clone()).or_insert(next);
                if id as usize == df.len() {
                    df.push(0.0);
                }
                df[id as usize] += 1.0;
            }
        }
        let n = examples.len().max(1) as f32;
        nb.idf = df.iter().map(|d| (n / d).ln() + 0.1).collect();
        for (i, r) in raw.iter().enumerate() {
            let v = nb.vector(r);
            for (id, w) in &v {
                nb.postings.entry(*id).or_default().push((i, *w));
            }
            nb.labels.push((examples[i].1, examples[i].2));
        }
        nb
    }

    fn vector(&self, raw: &HashMap<String, f32>) -> SparseVec {
        let mut v: SparseVec = raw
            .iter()
            .filter_map(|(k, w)| self.ids.get(k).map(|id| (*id, w * self.idf[*id as usize])))
            .collect();
        v.sort_by_key(|(id, _)| *id);
        normalise(&mut v);
        v
    }

    /// Class distributions for task `task` (0 category, 1 impact, 2 urgency)
    /// with `classes` classes, from the `K` most similar examples.
    pub fn vote(&self, a: &Analyzed, classes: [usize; 3]) -> [Vec<f32>; 3] {
        let v = self.vector(&item_terms(a, None, &ThemeConfig::default()));
        let mut sims = vec![0.0f32; self.labels.len()];
        for (id, w) in &v {
            if let Some(p) = self.postings.get(id) {
                for (i, x) in p {
                    sims[*i] += w * x;
                }
            }
        }
        let mut top: Vec<(usize, f32)> = sims.into_iter().enumerate().filter(|(_, s)| *s > 0.0).collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(K);
        let mut out = [vec![0.0; classes[0]], vec![0.0; classes[1]], vec![0.0; classes[2]]];
        for (task, dist) in out.iter_mut().enumerate() {
            for (i, s) in &top {
                let (labels, weight) = &self.labels[*i];
                if let Some(c) = labels[task] {
                    if c < dist.len() {
                        dist[c] += s * s * weight;
                    }
                }
            }
            let sum: f32 = dist.iter().sum();
            if sum > 0.0 {
                dist.iter_mut().for_each(|p| *p /= sum);
            }
        }
        out
    }
}
