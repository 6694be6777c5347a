//! A small multinomial logistic regression over named sparse features.
//!
//! Feature names are human-readable (`word:slow`, `concept:slowness`,
//! `cue:how do i`), so the strongest contributions to a decision can be
//! shown to the user as the signals that drove it.

use rustc_hash::FxHashMap as HashMap;

/// One example: named features with values, a class index and a weight.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<(String, f32)>,
    pub label: usize,
    pub weight: f32,
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct LogReg {
    vocab: HashMap<String, usize>,
    names: Vec<String>,
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
    /// Train on `examples` with `classes` classes (deterministic: fixed order,
    /// no randomness, so a re-run gives the same model).
    pub fn train(examples: &[Example], classes: usize, cfg: TrainConfig) -> LogReg {
        let mut vocab = HashMap::default();
        let mut names = Vec::new();
        // (feature ids and values, class, weight) per example.
        type Encoded = (Vec<(usize, f32)>, usize, f32);
        let encoded: Vec<Encoded> = examples
            .iter()
            .map(|e| {
                let f = e
                    .features
                    .iter()
                    .map(|(n, v)| {
                        let id = *vocab.entry(n.clone()).or_insert_with(|| {
                            names.push(n.clone());
                            names.len() - 1
                        });
                        (id, *v)
                    })
                    .collect();
                (f, e.label.min(classes.saturating_sub(1)), e.weight)
            })
            .collect();
        let mut model = LogReg {
            vocab,
            names,
            classes,
            weights: Vec::new(),
            bias: vec![0.0; classes],
        };
        model.weights = vec![0.0; model.names.len() * classes];
        let mut p = vec![0.0f32; classes];
        for epoch in 0..cfg.epochs {
            let lr = cfg.learning_rate / (1.0 + epoch as f32 * 0.1);
            for (feats, label, weight) in &encoded {
                model.scores_into(feats, &mut p);
                softmax(&mut p);
                for (k, pk) in p.iter().enumerate() {
                    let g = (pk - if k == *label { 1.0 } else { 0.0 }) * weight * lr;
                    model.bias[k] -= g * 0.1;
                    for (f, v) in feats {
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
        for (f, v) in feats {
            let row = &self.weights[f * self.classes..(f + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }

    fn encode(&self, features: &[(String, f32)]) -> Vec<(usize, f32)> {
        features.iter().filter_map(|(n, v)| self.vocab.get(n).map(|id| (*id, *v))).collect()
    }

    /// Class probabilities for a feature set.
    pub fn predict(&self, features: &[(String, f32)]) -> Vec<f32> {
        let enc = self.encode(features);
        let mut p = vec![0.0; self.classes];
        self.scores_into(&enc, &mut p);
        softmax(&mut p);
        p
    }

    /// The `n` features that pushed most towards `class`, strongest first.
    pub fn top_contributions(&self, features: &[(String, f32)], class: usize, n: usize) -> Vec<(String, f32)> {
        let enc = self.encode(features);
        let mut contrib: Vec<(String, f32)> = enc
            .iter()
            .map(|(f, v)| {
                let row = &self.weights[f * self.classes..(f + 1) * self.classes];
                let mean = row.iter().sum::<f32>() / self.classes as f32;
                (self.names[*f].clone(), (row[class] - mean) * v)
            })
            .filter(|(_, c)| *c > 0.0)
            .collect();
        contrib.sort_by(|a, b| b.1.total_cmp(&a.1));
        contrib.truncate(n);
        contrib
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(words: &[&str], label: usize) -> Example {
        Example { features: words.iter().map(|w| (w.to_string(), 1.0)).collect(), label, weight: 1.0 }
    }

    #[test]
    fn learns_a_separable_problem_and_explains_it() {
        let data = vec![ex(&["slow", "screen"], 0), ex(&["slow", "report"], 0), ex(&["typo", "screen"], 1), ex(&["typo", "label"], 1)];
        let m = LogReg::train(&data, 2, TrainConfig::default());
        let p = m.predict(&[("slow".into(), 1.0)]);
        assert!(p[0] > 0.8, "{p:?}");
        let top = m.top_contributions(&[("typo".into(), 1.0), ("screen".into(), 1.0)], 1, 1);
        assert_eq!(top[0].0, "typo");
    }
}
