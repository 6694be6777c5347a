//! A small multinomial logistic regression over named sparse features.
//!
//! Feature names are human-readable (`word:slow`, `concept:slowness`,
//! `cue:how do i`), so the strongest contributions to a decision can be
//! shown to the user as the signals that drove it.

use rustc_hash::FxHashMap as HashMap;

/// Feature names ↔ ids, shared by the models of one [`super::Triager`].
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    ids: HashMap<String, usize>,
    names: Vec<String>,
}

impl Vocab {
    /// The id of a known feature.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.ids.get(name).copied()
    }
    /// The id of a feature, adding it if new.
    pub fn intern(&mut self, name: &str) -> usize {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
    /// The name of a feature id.
    pub fn name(&self, id: usize) -> &str {
        self.names.get(id).map_or("", |s| s.as_str())
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One example: feature ids with values, a class index and a weight.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<(usize, f32)>,
    pub label: usize,
    pub weight: f32,
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct LogReg {
    features: usize,
    classes: usize,
    /// `weights[f * classes + k]`
    weights: Vec<f32>,
    bias: Vec<f32>,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct TrainConfig {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 40, learning_rate: 0.5, l2: 1e-3 }
    }
}

fn softmax(scores: &mut [f32]) {
    let max = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum.max(f32::MIN_POSITIVE);
    }
}

impl LogReg {
    /// Train on `examples` over `features` feature ids with `classes`
    /// classes (deterministic: fixed order, no randomness, so a re-run gives
    /// the same model).
    pub fn train(examples: &[Example], features: usize, classes: usize, cfg: TrainConfig) -> LogReg {
        let mut model = LogReg { features, classes, weights: vec![0.0; features * classes], bias: vec![0.0; classes] };
        let mut p = vec![0.0f32; classes];
        for epoch in 0..cfg.epochs {
            let lr = cfg.learning_rate / (1.0 + epoch as f32 * 0.1);
            for e in examples {
                let label = e.label.min(classes.saturating_sub(1));
                model.scores_into(&e.features, &mut p);
                softmax(&mut p);
                for (k, pk) in p.iter().enumerate() {
                    let g = (pk - if k == label { 1.0 } else { 0.0 }) * e.weight * lr;
                    model.bias[k] -= g * 0.1;
                    for (f, v) in e.features.iter().filter(|(f, _)| *f < features) {
                        let w = &mut model.weights[f * classes + k];
                        *w -= g * v + lr * cfg.l2 * *w;
                    }
                }
            }
        }
        model
    }

    fn scores_into(&self, feats: &[(usize, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for (f, v) in feats.iter().filter(|(f, _)| *f < self.features) {
            let row = &self.weights[f * self.classes..(f + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }

    /// Class probabilities for a feature set.
    pub fn predict(&self, features: &[(usize, f32)]) -> Vec<f32> {
        let mut p = vec![0.0; self.classes];
        self.scores_into(features, &mut p);
        softmax(&mut p);
        p
    }

    /// How much each feature pushes towards `class` (against the mean of
    /// the classes); negative when it pushes away.
    pub fn contributions(&self, features: &[(usize, f32)], class: usize) -> Vec<(usize, f32)> {
        features
            .iter()
            .filter(|(f, _)| *f < self.features)
            .map(|(f, v)| {
                let row = &self.weights[f * self.classes..(f + 1) * self.classes];
                let mean = row.iter().sum::<f32>() / self.classes as f32;
                (*f, (row.get(class).copied().unwrap_or(mean) - mean) * v)
            })
            .collect()
    }

    /// The `n` features that pushed most towards `class`, strongest first.
    pub fn top_contributions(&self, features: &[(usize, f32)], class: usize, n: usize) -> Vec<(usize, f32)> {
        let mut contrib: Vec<(usize, f32)> = self.contributions(features, class).into_iter().filter(|(_, c)| *c > 0.0).collect();
        contrib.sort_by(|a, b| b.1.total_cmp(&a.1));
        contrib.truncate(n);
        contrib
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(vocab: &mut Vocab, words: &[&str], label: usize) -> Example {
        Example { features: words.iter().map(|w| (vocab.intern(w), 1.0)).collect(), label, weight: 1.0 }
    }

    #[test]
    fn learns_a_separable_problem_and_explains_it() {
        let mut v = Vocab::default();
        let data = vec![ex(&mut v, &["slow", "screen"], 0), ex(&mut v, &["slow", "report"], 0), ex(&mut v, &["typo", "screen"], 1), ex(&mut v, &["typo", "label"], 1)];
        let m = LogReg::train(&data, v.len(), 2, TrainConfig::default());
        let slow = v.id("slow").unwrap_or(usize::MAX);
        let p = m.predict(&[(slow, 1.0)]);
        assert!(p[0] > 0.8, "{p:?}");
        let (typo, screen) = (v.id("typo").unwrap_or(usize::MAX), v.id("screen").unwrap_or(usize::MAX));
        let top = m.top_contributions(&[(typo, 1.0), (screen, 1.0)], 1, 1);
        assert_eq!(v.name(top[0].0), "typo");
    }
}
