//! Evaluation metrics: accuracy, macro-F1, confusion matrix, adjusted Rand
//! index and pairwise F1 of a clustering.

use std::collections::HashMap;

/// Share of positions where `truth` and `pred` agree.
pub fn accuracy<T: PartialEq>(truth: &[T], pred: &[T]) -> f64 {
    if truth.is_empty() {
        return 0.0;
    }
    truth.iter().zip(pred).filter(|(a, b)| a == b).count() as f64 / truth.len() as f64
}

/// Confusion counts `m[true][pred]` over `n` classes (indices).
pub fn confusion(truth: &[usize], pred: &[usize], n: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; n]; n];
    for (t, p) in truth.iter().zip(pred) {
        if *t < n && *p < n {
            m[*t][*p] += 1;
        }
    }
    m
}

/// Macro-averaged F1 over the classes that occur in `truth` or `pred`.
pub fn macro_f1(truth: &[usize], pred: &[usize], n: usize) -> f64 {
    let m = confusion(truth, pred, n);
    let mut sum = 0.0;
    let mut classes = 0;
    for k in 0..n {
        let tp = m[k][k] as f64;
        let actual: usize = m[k].iter().sum();
        let predicted: usize = m.iter().map(|r| r[k]).sum();
        if actual == 0 && predicted == 0 {
            continue;
        }
        classes += 1;
        if tp > 0.0 {
            let p = tp / predicted as f64;
            let r = tp / actual as f64;
            sum += 2.0 * p * r / (p + r);
        }
    }
    if classes == 0 {
        0.0
    } else {
        sum / classes as f64
    }
}

fn choose2(n: usize) -> f64 {
    (n as f64) * (n as f64 - 1.0) / 2.0
}

/// Cluster labels with `None` (one-offs) turned into unique singletons.
pub fn with_singletons(labels: &[Option<String>]) -> Vec<String> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| l.clone().unwrap_or_else(|| format!("\u{0}single-{i}")))
        .collect()
}

struct PairCounts {
    both: f64,
    truth: f64,
    pred: f64,
    total: f64,
}

fn pair_counts<A: std::hash::Hash + Eq, B: std::hash::Hash + Eq>(truth: &[A], pred: &[B]) -> PairCounts {
    let mut cells: HashMap<(&A, &B), usize> = HashMap::new();
    let mut rows: HashMap<&A, usize> = HashMap::new();
    let mut cols: HashMap<&B, usize> = HashMap::new();
    for (a, b) in truth.iter().zip(pred) {
        *cells.entry((a, b)).or_default() += 1;
        *rows.entry(a).or_default() += 1;
        *cols.entry(b).or_default() += 1;
    }
    PairCounts {
        both: cells.values().map(|n| choose2(*n)).sum(),
        truth: rows.values().map(|n| choose2(*n)).sum(),
        pred: cols.values().map(|n| choose2(*n)).sum(),
        total: choose2(truth.len()),
    }
}

/// Adjusted Rand index between two labelings of the same items.
pub fn adjusted_rand_index<A: std::hash::Hash + Eq, B: std::hash::Hash + Eq>(truth: &[A], pred: &[B]) -> f64 {
    let c = pair_counts(truth, pred);
    if c.total == 0.0 {
        return 1.0;
    }
    let expected = c.truth * c.pred / c.total;
    let max = (c.truth + c.pred) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return if (c.both - expected).abs() < f64::EPSILON { 1.0 } else { 0.0 };
    }
    (c.both - expected) / (max - expected)
}

/// Pairwise precision, recall and F1: a pair counts when both items share a
/// cluster.
pub fn pairwise_f1<A: std::hash::Hash + Eq, B: std::hash::Hash + Eq>(truth: &[A], pred: &[B]) -> (f64, f64, f64) {
    let c = pair_counts(truth, pred);
    let p = if c.pred > 0.0 { c.both / c.pred } else { 0.0 };
    let r = if c.truth > 0.0 { c.both / c.truth } else { 0.0 };
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    (p, r, f)
}
