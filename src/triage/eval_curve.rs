//! The learning curve: how triage of a new go-live improves as its users
//! correct tickets (`hypercare triage evaluate FILE --seed SEED --curve`).
//!
//! This is the app's own situation, in time order. The file's tickets are
//! ordered by `created`; the latest [`SCORED_SHARE`] of them are scored at
//! every step, the same tickets each time, so the points compare. At step
//! `k` the classifiers train on the seed plus the `k` earliest tickets of
//! the file as user corrections (weights as in the app: [`SEED_WEIGHT`],
//! [`CORRECTION_WEIGHT`]). A scored ticket is never learned from.

use serde::Serialize;

use super::classify::{Labeled, Triager, CORRECTION_WEIGHT, SEED_WEIGHT};
use super::evaluate::{cat_idx, LabeledTicket};
use super::metrics::{accuracy, macro_f1};
use super::priority::PriorityMatrix;
use super::text::{analyze, Analyzed};
use crate::{Error, Result};

/// Share of the file, its latest tickets, scored at every step.
pub const SCORED_SHARE: f64 = 0.4;

/// Scores after learning from the `corrections` earliest tickets.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    pub corrections: usize,
    pub category_accuracy: f64,
    pub category_macro_f1: f64,
    pub impact_accuracy: f64,
    pub urgency_accuracy: f64,
    pub priority_accuracy: f64,
}

/// A learning curve over one file.
#[derive(Debug, Clone, Serialize)]
pub struct Curve {
    pub tickets: usize,
    /// The latest tickets, scored at every step.
    pub scored: usize,
    /// The earliest tickets, the pool corrections are taken from in order.
    pub correctable: usize,
    pub seed_tickets: usize,
    pub seed_weight: f32,
    pub correction_weight: f32,
    /// `on: …` or `off: why` (words only), as in `Evaluation`.
    pub embeddings: String,
    pub points: Vec<CurvePoint>,
}

/// The steps shown when none are asked for: 0, 10, 25, 50, 100, 200, …
/// below `correctable`, and `correctable` itself.
pub fn default_steps(correctable: usize) -> Vec<usize> {
    let mut steps: Vec<usize> = [0, 10, 25].into_iter().chain((0..).map(|i| 50 << i).take_while(|k| *k < 1 << 20)).filter(|k| *k < correctable).collect();
    steps.push(correctable);
    steps
}

/// Ticket indices in time order (`created`, then position).
fn time_order(rows: &[LabeledTicket]) -> Result<Vec<usize>> {
    let mut keyed = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let at = chrono::DateTime::parse_from_rfc3339(&r.created)
            .map_err(|e| Error::InvalidInput(format!("ticket {}: created {:?} is not RFC 3339 ({e}); the learning curve orders tickets by it", r.id, r.created)))?;
        keyed.push((at, i));
    }
    keyed.sort();
    Ok(keyed.into_iter().map(|(_, i)| i).collect())
}

/// Row `i`'s vector, if any.
fn emb(e: Option<&[Vec<f32>]>, i: usize) -> Option<&[f32]> {
    e.and_then(|e| e.get(i)).map(Vec::as_slice)
}

/// The learning curve of `rows` at `steps` (corrections learned from; an
/// empty list means [`default_steps`]), on top of `seed`. Embeddings, one
/// per row, or `None` for words only.
pub fn learning_curve(
    rows: &[LabeledTicket],
    embeddings: Option<&[Vec<f32>]>,
    seed: &[LabeledTicket],
    seed_embeddings: Option<&[Vec<f32>]>,
    steps: &[usize],
    matrix: &PriorityMatrix,
) -> Result<Curve> {
    let order = time_order(rows)?;
    let scored = ((rows.len() as f64) * SCORED_SHARE).ceil() as usize;
    if rows.len() < 2 || scored >= rows.len() {
        return Err(Error::InvalidInput(format!("a learning curve needs at least 2 labeled tickets in the file; it has {}", rows.len())));
    }
    let correctable = rows.len() - scored;
    let steps = if steps.is_empty() { default_steps(correctable) } else { steps.to_vec() };
    if let Some(k) = steps.iter().find(|k| **k > correctable) {
        return Err(Error::InvalidInput(format!(
            "--curve step {k} is more corrections than the file has before its scored tickets: at most {correctable} (the earliest {correctable} of {} tickets; the latest {scored} are scored)",
            rows.len()
        )));
    }
    let (pool, test) = order.split_at(correctable);
    let analyzed: Vec<Analyzed> = test.iter().map(|i| analyze(&rows[*i].title, &rows[*i].description)).collect();
    let truth = |f: &dyn Fn(&LabeledTicket) -> usize| -> Vec<usize> { test.iter().map(|i| f(&rows[*i])).collect() };
    let (t_cat, t_imp, t_urg, t_pri) = (
        truth(&|r| cat_idx(r.category)),
        truth(&|r| r.impact.index()),
        truth(&|r| r.urgency.index()),
        truth(&|r| r.priority.index()),
    );
    let mut points = Vec::with_capacity(steps.len());
    for k in steps {
        let mut train: Vec<Labeled> = seed.iter().map(|r| r.labeled(SEED_WEIGHT)).collect();
        let mut vecs: Vec<Option<&[f32]>> = (0..seed.len()).map(|i| emb(seed_embeddings, i)).collect();
        for i in &pool[..k] {
            train.push(rows[*i].labeled(CORRECTION_WEIGHT));
            vecs.push(emb(embeddings, *i));
        }
        let model = Triager::train_with(&train, &vecs);
        let (mut cat, mut imp, mut urg, mut pri) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, a) in test.iter().zip(&analyzed) {
            let d = model.decide_with(a, &rows[*i].text(), emb(embeddings, *i));
            pri.push(model.priority(&d, matrix).index());
            cat.push(cat_idx(d.category));
            imp.push(d.impact.index());
            urg.push(d.urgency.index());
        }
        points.push(CurvePoint {
            corrections: k,
            category_accuracy: accuracy(&t_cat, &cat),
            category_macro_f1: macro_f1(&t_cat, &cat, 10),
            impact_accuracy: accuracy(&t_imp, &imp),
            urgency_accuracy: accuracy(&t_urg, &urg),
            priority_accuracy: accuracy(&t_pri, &pri),
        });
    }
    Ok(Curve {
        tickets: rows.len(),
        scored,
        correctable,
        seed_tickets: seed.len(),
        seed_weight: SEED_WEIGHT,
        correction_weight: CORRECTION_WEIGHT,
        embeddings: if embeddings.is_some() { "on".into() } else { "off".into() },
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_steps_end_at_the_pool() {
        assert_eq!(default_steps(106), vec![0, 10, 25, 50, 100, 106]);
        assert_eq!(default_steps(50), vec![0, 10, 25, 50]);
        assert_eq!(default_steps(8), vec![0, 8]);
        assert_eq!(default_steps(0), vec![0]);
    }
}
