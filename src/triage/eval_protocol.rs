//! What the classifiers learn from while a labeled file is scored
//! ([`super::evaluate`]): the file's other folds alone, a seed file plus the
//! other folds weighted as user corrections (the app's situation once people
//! correct tickets), or the seed alone (the app's first day).
//!
//! The seed and corrections weigh exactly as in the app
//! ([`SEED_WEIGHT`], [`CORRECTION_WEIGHT`]; see `store::triager_for`).
//! [`super::eval_curve`] adds the learning curve: corrections taken in time
//! order, the latest tickets scored.
//! No ticket of the file is ever scored by a model that trained on it.

use serde::Serialize;

use super::classify::{Labeled, Triager, CORRECTION_WEIGHT, SEED_WEIGHT};
use super::evaluate::{LabeledTicket, FOLDS};
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::text::Analyzed;
use crate::model::Category;

/// Where the classifiers' training data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Cross-validation on the file alone: each fold trains on the others.
    CrossValidation,
    /// Each fold trains on the seed plus the file's other folds, weighted as
    /// user corrections.
    SeedPlusCorrections,
    /// One model trained on the seed alone scores every ticket of the file.
    SeedOnly,
}

impl Protocol {
    /// The name `--json` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::CrossValidation => "cross_validation",
            Protocol::SeedPlusCorrections => "seed_plus_corrections",
            Protocol::SeedOnly => "seed_only",
        }
    }
}

/// Labeled tickets from another file to train on, with their embeddings.
#[derive(Debug, Clone, Copy)]
pub struct Seed<'a> {
    pub rows: &'a [LabeledTicket],
    /// One per row, or `None` (words only).
    pub embeddings: Option<&'a [Vec<f32>]>,
    /// Train on the seed alone (no fold of the file is learned from).
    pub only: bool,
}

impl Seed<'_> {
    /// The protocol this seed (or none) means.
    pub fn protocol(seed: Option<&Seed>) -> Protocol {
        match seed {
            None => Protocol::CrossValidation,
            Some(s) if s.only => Protocol::SeedOnly,
            Some(_) => Protocol::SeedPlusCorrections,
        }
    }

    /// One sentence saying what was trained on what.
    pub fn describe(seed: Option<&Seed>) -> String {
        match seed {
            None => format!("{FOLDS}-fold cross-validation on the file alone (ticket i held out in fold i mod {FOLDS}, trained on the other folds)"),
            Some(s) if s.only => format!(
                "seed only: trained on the seed's {} tickets (weight {SEED_WEIGHT}), every ticket of the file scored, none learned from",
                s.rows.len()
            ),
            Some(s) => format!(
                "seed + corrections: each of {FOLDS} folds trained on the seed's {} tickets (weight {SEED_WEIGHT}) plus the file's other folds as corrections (weight {CORRECTION_WEIGHT} in the neighbour vote, 1 in the regressions)",
                s.rows.len()
            ),
        }
    }
}

/// Held-out classifier predictions, one per row of the file.
pub struct HeldOut {
    pub category: Vec<Category>,
    pub impact: Vec<Impact>,
    pub urgency: Vec<Urgency>,
    pub priority: Vec<Priority>,
}

/// Predict every row of `rows` with a model that never trained on it.
pub fn held_out_predictions(
    rows: &[LabeledTicket],
    analyzed: &[Analyzed],
    embeddings: Option<&[Vec<f32>]>,
    seed: Option<&Seed>,
    matrix: &PriorityMatrix,
) -> HeldOut {
    let n = rows.len();
    let emb = |i: usize| -> Option<&[f32]> { embeddings.and_then(|e| e.get(i)).map(Vec::as_slice) };
    let mut out = HeldOut {
        category: vec![Category::Usability; n],
        impact: vec![Impact::Team; n],
        urgency: vec![Urgency::Low; n],
        priority: vec![Priority::P3; n],
    };
    let only = seed.is_some_and(|s| s.only);
    // With a seed the file's training folds stand for user corrections.
    let file_weight = if seed.is_some() { CORRECTION_WEIGHT } else { SEED_WEIGHT };
    let rounds = if only { 1 } else { FOLDS };
    for fold in 0..rounds {
        let held_out = |i: &usize| only || i % FOLDS == fold;
        let mut train: Vec<Labeled> = Vec::new();
        let mut vecs: Vec<Option<&[f32]>> = Vec::new();
        if let Some(s) = seed {
            train.extend(s.rows.iter().map(|r| r.labeled(SEED_WEIGHT)));
            vecs.extend((0..s.rows.len()).map(|i| s.embeddings.and_then(|e| e.get(i)).map(Vec::as_slice)));
        }
        for i in (0..n).filter(|i| !held_out(i)) {
            train.push(rows[i].labeled(file_weight));
            vecs.push(emb(i));
        }
        let model = Triager::train_with(&train, &vecs);
        for i in (0..n).filter(held_out) {
            let d = model.decide_with(&analyzed[i], &rows[i].text(), emb(i));
            out.priority[i] = model.priority(&d, matrix);
            out.category[i] = d.category;
            out.impact[i] = d.impact;
            out.urgency[i] = d.urgency;
        }
    }
    out
}
