//! Scoring triage and theme detection on a labeled JSONL file.
//!
//! Everything learned from labels is scored on tickets the model never saw.
//! By default the file is cross-validated alone: it is split into [`FOLDS`]
//! folds by position (ticket `i` goes to fold `i % FOLDS`); for each fold
//! the classifiers are trained on the other folds only and score the
//! held-out fold. With a seed file ([`evaluate_seeded`]) the classifiers
//! train on the seed plus the other folds weighted as user corrections, or
//! on the seed alone ([`super::eval_protocol`]); the result names the
//! protocol that ran. The seed shipped in the app is never used implicitly.
//!
//! Themes learn one number, the clustering threshold, and always from the
//! file itself. `theme_ari_cv` picks it on the training folds and clusters
//! each held-out fold alone (`theme_ari_cv_folds`); `theme_ari` clusters the
//! whole file at the median of those per-fold choices; `theme_ari_shipped`
//! clusters it at the shipped default threshold (no label of the file used).
//!
//! Sentence embeddings ([`super::embed`]) are computed for the file (and the
//! seed) once (unsupervised: no label is involved) and used when the model
//! is installed; the result says whether they were on and how long they took.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::classify::{Labeled, TicketText};
use super::embed::{self, embed_text};
use super::eval_curve::{learning_curve, Curve};
use super::eval_protocol::{held_out_predictions, Protocol, Seed};
use super::intake::{Intake, IntakeFields, Stated};
use super::metrics::{accuracy, adjusted_rand_index, confusion, macro_f1, pairwise_f1, with_singletons};
use super::priority::{Impact, Priority, PriorityMatrix, Urgency};
use super::text::{analyze, Analyzed};
use super::themes::{detect, theme_analysis, ThemeConfig, ThemeInput};
use crate::model::Category;
use crate::{Error, Result};

/// Number of cross-validation folds.
pub const FOLDS: usize = 5;

/// One line of a labeled file (the dev set's format).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabeledTicket {
    pub id: String,
    pub created: String,
    #[serde(default)]
    pub reporter: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub theme: Option<String>,
    /// Impact as recorded at intake (a field's own words, e.g. "Department"),
    /// if the export carries it: it decides over the text, as in the app
    /// ([`super::intake`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_impact: Option<String>,
    /// Urgency as recorded at intake ("1 - Critical").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_urgency: Option<String>,
}

impl LabeledTicket {
    /// The text the classifier sees, with the intake fields it carries.
    pub fn text(&self) -> TicketText {
        TicketText {
            title: self.title.clone(),
            description: self.description.clone(),
            channel: self.channel.clone(),
            server_priority: None,
            intake: intake_of(self.intake_impact.as_deref(), self.intake_urgency.as_deref()),
        }
    }

    /// As a training example.
    pub fn labeled(&self, weight: f32) -> Labeled {
        Labeled {
            text: self.text(),
            category: Some(self.category),
            impact: Some(self.impact),
            urgency: Some(self.urgency),
            weight,
        }
    }
}

fn stated(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// What a labeled line's intake fields say, read with the built-in names.
fn intake_of(impact: Option<&str>, urgency: Option<&str>) -> Intake {
    let f = IntakeFields::default();
    Intake {
        impact: stated(impact).and_then(|v| f.impact(v).map(|level| Stated { level, field: "intake_impact".into(), value: v.into() })),
        urgency: stated(urgency).and_then(|v| f.urgency(v).map(|level| Stated { level, field: "intake_urgency".into(), value: v.into() })),
        unmapped: Vec::new(),
    }
}

/// Parse labeled JSONL text; errors name the line.
pub fn parse_labeled(text: &str, origin: &str) -> Result<Vec<LabeledTicket>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                Error::InvalidInput(format!("{origin} line {}: not a labeled ticket ({e}); expected the dev set's JSONL format", i + 1))
            })
        })
        .collect()
}

/// Read a labeled JSONL file.
pub fn load_labeled(path: &Path) -> Result<Vec<LabeledTicket>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
    let rows = parse_labeled(&text, &path.display().to_string())?;
    if rows.is_empty() {
        return Err(Error::InvalidInput(format!("{} holds no labeled tickets", path.display())));
    }
    Ok(rows)
}

/// The evaluation result.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub tickets: usize,
    /// Folds the file is split into (themes always; the classifiers unless
    /// the protocol is seed-only).
    pub folds: usize,
    /// What the classifiers trained on.
    pub protocol: Protocol,
    /// [`Protocol`] in one sentence, with the seed's size and weights.
    pub protocol_detail: String,
    /// Tickets in the seed file (0 without one).
    pub seed_tickets: usize,
    /// Scored tickets whose intake impact or urgency (`intake_impact`,
    /// `intake_urgency`) decided over the text.
    pub intake_tickets: usize,
    pub category_accuracy: f64,
    pub category_macro_f1: f64,
    /// `confusion[true][predicted]` in `labels` order.
    pub confusion: Vec<Vec<usize>>,
    pub labels: Vec<&'static str>,
    pub impact_accuracy: f64,
    pub urgency_accuracy: f64,
    pub priority_accuracy: f64,
    pub theme_ari: f64,
    pub theme_pairwise_precision: f64,
    pub theme_pairwise_recall: f64,
    pub theme_pairwise_f1: f64,
    pub theme_ari_cv: f64,
    /// ARI of each held-out fold clustered alone (mean = `theme_ari_cv`).
    pub theme_ari_cv_folds: Vec<f64>,
    /// ARI of the whole file at the shipped default threshold.
    pub theme_ari_shipped: f64,
    pub theme_threshold: f32,
    pub themes_found: usize,
    /// `on: all-minilm-l6-v2 from DIR` or `off: why` (words only then).
    pub embeddings: String,
    /// Time spent computing the file's embeddings (0 when off).
    pub embedding_ms: u128,
    /// What was predicted for each ticket (held-out predictions).
    pub predictions: Vec<Prediction>,
}

/// One ticket's held-out prediction.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    pub id: String,
    pub category: Category,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub theme: Option<String>,
}

pub(crate) fn cat_idx(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// What the theme detector sees of one labeled ticket.
type ThemeView<'a> = (&'a Analyzed, Category, Option<&'a [f32]>);

/// Cluster `rows` (given their analyses) and return labels with singletons.
fn theme_labels(rows: &[&LabeledTicket], analyzed: &[ThemeView], cfg: &ThemeConfig) -> (Vec<String>, usize) {
    let items: Vec<ThemeInput> = rows
        .iter()
        .zip(analyzed)
        .map(|(r, (a, c, e))| ThemeInput { analyzed: a, title: &r.title, description: &r.description, category: Some(*c), embedding: *e })
        .collect();
    let (_, _, clusters) = detect(&items, cfg);
    let mut labels: Vec<String> = (0..rows.len()).map(|i| format!("single-{i}")).collect();
    for (c, cl) in clusters.iter().enumerate() {
        for m in &cl.members {
            labels[*m] = format!("theme-{c}");
        }
    }
    (labels, clusters.len())
}

fn ari_of(rows: &[&LabeledTicket], analyzed: &[ThemeView], cfg: &ThemeConfig) -> f64 {
    let truth = with_singletons(&rows.iter().map(|r| r.theme.clone()).collect::<Vec<_>>());
    adjusted_rand_index(&truth, &theme_labels(rows, analyzed, cfg).0)
}

/// Thresholds tried when choosing one on training folds.
pub fn threshold_grid() -> Vec<f32> {
    (4..=40).map(|i| i as f32 * 0.01).collect()
}

fn best_threshold(rows: &[&LabeledTicket], analyzed: &[ThemeView], base: &ThemeConfig) -> f32 {
    threshold_grid()
        .into_iter()
        .map(|t| (t, ari_of(rows, analyzed, &ThemeConfig { threshold: t, ..*base })))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
        .unwrap_or(base.threshold)
}

/// Cross-validated evaluation of `rows` under `matrix`, with sentence
/// embeddings when the model is installed (else words only, and the result
/// says so).
pub fn evaluate(rows: &[LabeledTicket], matrix: &PriorityMatrix) -> Result<Evaluation> {
    evaluate_seeded(rows, None, matrix)
}

/// [`evaluate`], training on `seed` too: `Some((seed_rows, false))` = each
/// fold learns from the seed plus the other folds weighted as corrections;
/// `Some((seed_rows, true))` = from the seed alone, every row scored.
pub fn evaluate_seeded(rows: &[LabeledTicket], seed: Option<(&[LabeledTicket], bool)>, matrix: &PriorityMatrix) -> Result<Evaluation> {
    let seed_rows = seed.map(|(s, _)| s).unwrap_or_default();
    let Some(v) = embed_files(rows, seed_rows)? else {
        let seed = seed.map(|(rows, only)| Seed { rows, embeddings: None, only });
        let mut e = evaluate_with_seed(rows, seed.as_ref(), matrix, &ThemeConfig::default(), None);
        e.embeddings = embed::status().detail;
        return Ok(e);
    };
    let seed = seed.map(|(rows, only)| Seed { rows, embeddings: Some(&v.seed), only });
    let mut e = evaluate_with_seed(rows, seed.as_ref(), matrix, &ThemeConfig::embedded(), Some(&v.file));
    e.embeddings = format!("on: {}", embed::status().detail);
    e.embedding_ms = v.ms;
    Ok(e)
}

/// The learning curve of `rows` on top of `seed` ([`super::eval_curve`]),
/// with sentence embeddings when the model is installed.
pub fn evaluate_curve(rows: &[LabeledTicket], seed: &[LabeledTicket], steps: &[usize], matrix: &PriorityMatrix) -> Result<Curve> {
    match embed_files(rows, seed)? {
        Some(v) => {
            let mut c = learning_curve(rows, Some(&v.file), seed, Some(&v.seed), steps, matrix)?;
            c.embeddings = format!("on: {}", embed::status().detail);
            Ok(c)
        }
        None => {
            let mut c = learning_curve(rows, None, seed, None, steps, matrix)?;
            c.embeddings = embed::status().detail;
            Ok(c)
        }
    }
}

/// Sentence embeddings of a labeled file and its seed.
struct FileVectors {
    file: Vec<Vec<f32>>,
    seed: Vec<Vec<f32>>,
    ms: u128,
}

/// Embed `rows` and `seed` (unsupervised: no label is read), or `None`
/// when the model is not installed.
fn embed_files(rows: &[LabeledTicket], seed: &[LabeledTicket]) -> Result<Option<FileVectors>> {
    let Some(model) = embed::shared() else { return Ok(None) };
    let embed_all = |rs: &[LabeledTicket]| -> Result<Vec<Vec<f32>>> {
        let texts: Vec<String> = rs.iter().map(|r| embed_text(&r.title, &r.description, r.channel.as_deref())).collect();
        model.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let started = std::time::Instant::now();
    let file = embed_all(rows)?;
    let seed = if seed.is_empty() { Vec::new() } else { embed_all(seed)? };
    Ok(Some(FileVectors { file, seed, ms: started.elapsed().as_millis() }))
}

/// Cross-validated evaluation of `rows` under `matrix` and theme settings
/// `cfg`, with one embedding per row (or words only).
pub fn evaluate_with(rows: &[LabeledTicket], matrix: &PriorityMatrix, cfg: &ThemeConfig, embeddings: Option<&[Vec<f32>]>) -> Evaluation {
    evaluate_with_seed(rows, None, matrix, cfg, embeddings)
}

/// [`evaluate_with`] under the protocol `seed` stands for.
pub fn evaluate_with_seed(
    rows: &[LabeledTicket],
    seed: Option<&Seed>,
    matrix: &PriorityMatrix,
    cfg: &ThemeConfig,
    embeddings: Option<&[Vec<f32>]>,
) -> Evaluation {
    let n = rows.len();
    let emb = |i: usize| -> Option<&[f32]> { embeddings.and_then(|e| e.get(i)).map(Vec::as_slice) };
    let analyzed: Vec<Analyzed> = rows.iter().map(|r| analyze(&r.title, &r.description)).collect();
    let held = held_out_predictions(rows, &analyzed, embeddings, seed, matrix);
    let pred_cat: Vec<usize> = held.category.iter().map(|c| cat_idx(*c)).collect();
    let mut cv_aris = Vec::new();
    let mut chosen = Vec::new();
    // Themes see the held-out category predictions, never the labels.
    let theme_an: Vec<Analyzed> = rows
        .iter()
        .zip(&analyzed)
        .map(|(r, a)| theme_analysis(a.clone(), r.channel.as_deref(), &r.description))
        .collect();
    for fold in 0..FOLDS {
        let (tr, te): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % FOLDS != fold);
        let pick = |ix: &[usize]| -> (Vec<&LabeledTicket>, Vec<ThemeView>) {
            (ix.iter().map(|i| &rows[*i]).collect(), ix.iter().map(|i| (&theme_an[*i], held.category[*i], emb(*i))).collect())
        };
        let (tr_rows, tr_an) = pick(&tr);
        let t = best_threshold(&tr_rows, &tr_an, cfg);
        chosen.push(t);
        let (te_rows, te_an) = pick(&te);
        cv_aris.push(ari_of(&te_rows, &te_an, &ThemeConfig { threshold: t, ..*cfg }));
    }
    let truth_cat: Vec<usize> = rows.iter().map(|r| cat_idx(r.category)).collect();
    let all_rows: Vec<&LabeledTicket> = rows.iter().collect();
    let all_an: Vec<ThemeView> = theme_an.iter().zip(&held.category).enumerate().map(|(i, (a, c))| (a, *c, emb(i))).collect();
    chosen.sort_by(|a, b| a.total_cmp(b));
    let threshold = chosen.get(chosen.len() / 2).copied().unwrap_or(cfg.threshold);
    let (pred_theme, themes_found) = theme_labels(&all_rows, &all_an, &ThemeConfig { threshold, ..*cfg });
    let truth_theme = with_singletons(&rows.iter().map(|r| r.theme.clone()).collect::<Vec<_>>());
    let (pp, pr, pf) = pairwise_f1(&truth_theme, &pred_theme);
    Evaluation {
        tickets: n,
        folds: FOLDS,
        protocol: Seed::protocol(seed),
        protocol_detail: Seed::describe(seed),
        seed_tickets: seed.map_or(0, |s| s.rows.len()),
        intake_tickets: rows.iter().filter(|r| !r.text().intake.is_empty()).count(),
        category_accuracy: accuracy(&truth_cat, &pred_cat),
        category_macro_f1: macro_f1(&truth_cat, &pred_cat, 10),
        confusion: confusion(&truth_cat, &pred_cat, 10),
        labels: Category::ALL.iter().map(|c| c.as_str()).collect(),
        impact_accuracy: accuracy(&rows.iter().map(|r| r.impact).collect::<Vec<_>>(), &held.impact),
        urgency_accuracy: accuracy(&rows.iter().map(|r| r.urgency).collect::<Vec<_>>(), &held.urgency),
        priority_accuracy: accuracy(&rows.iter().map(|r| r.priority).collect::<Vec<_>>(), &held.priority),
        theme_ari: adjusted_rand_index(&truth_theme, &pred_theme),
        theme_pairwise_precision: pp,
        theme_pairwise_recall: pr,
        theme_pairwise_f1: pf,
        theme_ari_cv: cv_aris.iter().sum::<f64>() / cv_aris.len().max(1) as f64,
        theme_ari_cv_folds: cv_aris,
        theme_ari_shipped: ari_of(&all_rows, &all_an, cfg),
        theme_threshold: threshold,
        themes_found,
        embeddings: if embeddings.is_some() { "on".into() } else { "off".into() },
        embedding_ms: 0,
        predictions: (0..n)
            .map(|i| Prediction {
                id: rows[i].id.clone(),
                category: held.category[i],
                impact: held.impact[i],
                urgency: held.urgency[i],
                priority: held.priority[i],
                theme: pred_theme[i].starts_with("theme-").then(|| pred_theme[i].clone()),
            })
            .collect(),
    }
}

/// A minimal open ticket record (no comments, no status history): what a
/// labeled file, a test fixture or a benchmark puts into a store.
pub fn plain_record(key: &str, title: &str, description: &str, tracker: &str, created: chrono::DateTime<chrono::Utc>) -> crate::model::TicketRecord {
    crate::model::TicketRecord {
        remote_id: key.to_string(),
        key: key.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        status: "New".into(),
        status_class: crate::model::StatusClass::Open,
        priority: String::new(),
        tracker: tracker.to_string(),
        category: None,
        assignee: None,
        reporter: None,
        created_at: created,
        updated_at: created,
        resolved_at: None,
        remote_version: created.timestamp().to_string(),
        raw: None,
        comments: None,
        status_changes: None,
    }
}

impl LabeledTicket {
    /// As a connector record (for loading a labeled file into a store:
    /// tests, benchmarks, demos). The channel becomes the tracker.
    pub fn to_record(&self) -> Result<crate::model::TicketRecord> {
        let created = chrono::DateTime::parse_from_rfc3339(&self.created)
            .map_err(|e| Error::InvalidInput(format!("ticket {}: created {:?} is not RFC 3339 ({e})", self.id, self.created)))?
            .with_timezone(&chrono::Utc);
        let mut r = plain_record(&self.id, &self.title, &self.description, self.channel.as_deref().unwrap_or_default(), created);
        r.reporter = self.reporter.clone();
        Ok(r)
    }
}
