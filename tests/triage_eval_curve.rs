//! The learning curve (`triage evaluate FILE --seed SEED --curve`): the
//! file in time order, its latest 40 % scored after the seed plus its K
//! earliest tickets are learned from as corrections. Words only here, to
//! keep the runs short (the embedded curve is measured in ARCHITECTURE.md).

use std::process::Command;

use hypercare::model::Category;
use hypercare::triage::eval_curve::learning_curve;
use hypercare::triage::evaluate::{load_labeled, LabeledTicket};
use hypercare::triage::PriorityMatrix;
use serde_json::Value;

const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/heldout-hr-payroll-crm.jsonl");
const DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hypercare-erp-tickets.jsonl");

fn rows(path: &str) -> Vec<LabeledTicket> {
    load_labeled(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
}

fn evaluate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(["triage", "evaluate"])
        .args(args)
        .env("HYPERCARE_EMBED_MODEL", std::env::temp_dir().join("hypercare-no-model-here"))
        .output()
        .expect("run hypercare")
}

#[test]
fn corrections_in_time_order_teach_the_latest_tickets() {
    let seed = rows(DEV);
    // The held-out go-live, relabeled by a team that files everything as an
    // enhancement: what the seed never says, only corrections can teach.
    let mut file = rows(HELDOUT);
    for r in &mut file {
        r.category = Category::Enhancement;
    }
    let c = learning_curve(&file, None, &seed, None, &[0, 106], &PriorityMatrix::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.tickets, c.scored, c.correctable), (177, 71, 106));
    let (first_day, corrected) = (&c.points[0], &c.points[1]);
    assert_eq!((first_day.corrections, corrected.corrections), (0, 106));
    assert!(first_day.category_accuracy < 0.3, "the seed alone calls few of them enhancements: {first_day:?}");
    assert!(corrected.category_accuracy > first_day.category_accuracy + 0.4, "{first_day:?} -> {corrected:?}");
}

#[test]
fn the_first_point_is_the_seed_alone_on_the_latest_tickets() {
    // --seed-only scores every ticket with the seed alone; the curve's
    // K = 0 must agree with it on the latest 40 %, and no later ticket may
    // be learned from: relabeling the scored tickets changes nothing.
    let out = evaluate(&["--json", "--seed", DEV, "--seed-only", HELDOUT]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let file = rows(HELDOUT);
    let mut order: Vec<usize> = (0..file.len()).collect();
    order.sort_by_key(|i| file[*i].created.clone());
    let latest = &order[file.len() - 71..];
    let preds = e["predictions"].as_array().expect("predictions");
    let hits = latest.iter().filter(|i| preds[**i]["priority"] == file[**i].priority.as_str()).count();
    let seed = rows(DEV);
    let c = learning_curve(&file, None, &seed, None, &[0, 50], &PriorityMatrix::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!((c.points[0].priority_accuracy - hits as f64 / 71.0).abs() < 1e-9, "{:?} vs {hits}/71", c.points[0]);

    // Relabel the scored tickets as enhancements: were they learned from,
    // most would now be predicted so; they are not, so the score is the
    // small share the corrected model calls enhancements anyway.
    let mut relabeled = file.clone();
    for i in latest {
        relabeled[*i].category = Category::Enhancement;
    }
    let r = learning_curve(&relabeled, None, &seed, None, &[106], &PriorityMatrix::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.points[0].category_accuracy < 0.3, "{:?}", r.points[0]);
}

#[test]
fn the_cli_prints_the_curve_and_refuses_steps_beyond_the_file() {
    let out = evaluate(&["--seed", DEV, "--curve=0,10", HELDOUT]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the latest 71 scored"), "{text}");
    assert!(text.contains("words only"), "{text}");
    let rows_printed: Vec<&str> = text.lines().filter(|l| l.split_whitespace().count() == 6 && l.split_whitespace().all(|w| w.parse::<f64>().is_ok())).collect();
    assert_eq!(rows_printed.len(), 2, "{text}");

    let out = evaluate(&["--seed", DEV, "--curve=0,107", HELDOUT]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("107") && err.contains("at most 106"), "{err}");

    let out = evaluate(&["--curve=0", HELDOUT]);
    assert!(!out.status.success(), "--curve without --seed is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed"));
}
