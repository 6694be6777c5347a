//! `triage evaluate` on the held-out set (an HR/payroll + CRM go-live never
//! used for tuning), under the seed protocols: the app's situation (trained
//! on the shipped dev set plus corrections) and its first day (dev set only).
//!
//! The floors are trivial baselines computed from the file, not our current
//! scores, so the test guards against a regression that makes triage no
//! better than guessing, without freezing today's numbers.

use std::collections::HashMap;
use std::hash::Hash;
use std::process::Command;

use hypercare::model::Category;
use hypercare::triage::eval_protocol::{Protocol, Seed};
use hypercare::triage::evaluate::{evaluate_with_seed, load_labeled, LabeledTicket};
use hypercare::triage::themes::ThemeConfig;
use hypercare::triage::PriorityMatrix;
use serde_json::Value;

const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/heldout-hr-payroll-crm.jsonl");
const DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hypercare-erp-tickets.jsonl");

fn rows(path: &str) -> Vec<LabeledTicket> {
    load_labeled(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// Share of the commonest value: the accuracy of always guessing it.
fn majority<T: Eq + Hash>(values: impl Iterator<Item = T>) -> f64 {
    let mut counts: HashMap<T, usize> = HashMap::new();
    let mut n = 0;
    for v in values {
        *counts.entry(v).or_default() += 1;
        n += 1;
    }
    counts.values().max().copied().unwrap_or(0) as f64 / n.max(1) as f64
}

/// Pairwise F1 of putting every ticket into one group (recall 1).
fn lump_all_pairwise_f1(rows: &[LabeledTicket]) -> f64 {
    let pairs = |k: usize| (k * k.saturating_sub(1) / 2) as f64;
    let mut themes: HashMap<&str, usize> = HashMap::new();
    for t in rows.iter().filter_map(|r| r.theme.as_deref()) {
        *themes.entry(t).or_default() += 1;
    }
    let p = themes.values().map(|k| pairs(*k)).sum::<f64>() / pairs(rows.len());
    2.0 * p / (p + 1.0)
}

fn run_evaluate(args: &[&str], words_only: bool) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    cmd.args(["triage", "evaluate", "--json"]).args(args);
    if words_only {
        cmd.env("HYPERCARE_EMBED_MODEL", std::env::temp_dir().join("hypercare-no-model-here"));
    }
    let out = cmd.output().expect("run hypercare");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn assert_well_above_trivial_baselines(e: &Value, rows: &[LabeledTicket]) {
    let get = |k: &str| e[k].as_f64().unwrap_or_else(|| panic!("missing {k} in {e}"));
    let cat = majority(rows.iter().map(|r| r.category));
    // The majority guess scores F1 2m/(1+m) on one class and 0 on the others.
    let cat_f1 = 2.0 * cat / (1.0 + cat) / Category::ALL.len() as f64;
    assert!(get("category_accuracy") >= cat + 0.25, "category accuracy vs majority {cat:.3}: {e}");
    assert!(get("category_macro_f1") >= cat_f1 + 0.35, "macro-F1 vs majority {cat_f1:.3}: {e}");
    let imp = majority(rows.iter().map(|r| r.impact));
    let urg = majority(rows.iter().map(|r| r.urgency));
    let pri = majority(rows.iter().map(|r| r.priority));
    assert!(get("impact_accuracy") >= imp + 0.10, "impact vs majority {imp:.3}: {e}");
    assert!(get("urgency_accuracy") >= urg + 0.10, "urgency vs majority {urg:.3}: {e}");
    assert!(get("priority_accuracy") >= pri + 0.10, "priority vs majority {pri:.3}: {e}");
    // Random grouping has ARI 0; lumping everything together has a tiny F1.
    assert!(get("theme_ari") >= 0.30 && get("theme_ari_cv") >= 0.20, "{e}");
    let lump = lump_all_pairwise_f1(rows);
    assert!(get("theme_pairwise_f1") >= lump + 0.30, "pairwise F1 vs lump-all {lump:.3}: {e}");
    assert_eq!(e["predictions"].as_array().map(Vec::len), Some(rows.len()));
}

#[test]
fn heldout_set_with_the_dev_seed_and_corrections_beats_trivial_baselines() {
    // Embeds the held-out and the dev set (~500 texts) when the model is
    // installed: about a minute in a debug build.
    let e = run_evaluate(&["--seed", DEV, HELDOUT], false);
    assert_eq!(e["protocol"], "seed_plus_corrections", "{e}");
    assert_eq!(e["seed_tickets"], 320);
    let detail = e["protocol_detail"].as_str().unwrap_or_default();
    assert!(detail.contains("320") && detail.contains("corrections (weight 4 in the neighbour vote, 1 in the regressions)"), "{detail}");
    assert_well_above_trivial_baselines(&e, &rows(HELDOUT));
}

#[test]
fn heldout_set_on_the_dev_seed_alone_beats_trivial_baselines() {
    // Words only, to keep the run short; the embedded run is measured in
    // ARCHITECTURE.md.
    let e = run_evaluate(&["--seed", DEV, "--seed-only", HELDOUT], true);
    assert_eq!(e["protocol"], "seed_only", "{e}");
    assert!(e["embeddings"].as_str().unwrap_or_default().starts_with("off"), "{e}");
    assert_well_above_trivial_baselines(&e, &rows(HELDOUT));
}

#[test]
fn seed_only_is_refused_without_a_seed() {
    let out = Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(["triage", "evaluate", "--seed-only", HELDOUT])
        .output()
        .expect("run hypercare");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed"));
}

#[test]
fn seed_only_never_learns_from_the_scored_file_and_corrections_do() {
    let seed_rows = rows(DEV);
    let file = rows(HELDOUT);
    // The same tickets with every label turned into "enhancement".
    let mut relabeled = file.clone();
    for r in &mut relabeled {
        r.category = Category::Enhancement;
    }
    let cfg = ThemeConfig::default();
    let m = PriorityMatrix::default();
    let cats = |rows: &[LabeledTicket], only: bool| -> Vec<Category> {
        let seed = Seed { rows: &seed_rows, embeddings: None, only };
        let e = evaluate_with_seed(rows, Some(&seed), &m, &cfg, None);
        assert_eq!(e.protocol, if only { Protocol::SeedOnly } else { Protocol::SeedPlusCorrections });
        e.predictions.iter().map(|p| p.category).collect()
    };
    // Seed only: the file's labels change nothing.
    assert_eq!(cats(&file, true), cats(&relabeled, true));
    // As corrections they move predictions towards them.
    let enh = |c: &[Category]| c.iter().filter(|c| **c == Category::Enhancement).count();
    let (before, after) = (enh(&cats(&file, false)), enh(&cats(&relabeled, false)));
    assert!(after > before + file.len() / 4, "enhancement predictions {before} -> {after}");
}
