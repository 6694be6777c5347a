//! The labeled sets in tests/fixtures keep the shape their READMEs promise:
//! the dev set (ERP go-live) and the held-out set (HR/payroll + CRM go-live,
//! written to measure how triage generalises, never used for tuning).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Datelike, Utc};
use hypercare::model::Category;
use hypercare::triage::evaluate::{load_labeled, LabeledTicket};
use hypercare::triage::PriorityMatrix;

const HELDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/heldout-hr-payroll-crm.jsonl");
const DEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hypercare-erp-tickets.jsonl");

fn created(t: &LabeledTicket) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&t.created)
        .unwrap_or_else(|e| panic!("{}: created {:?} is not RFC 3339: {e}", t.id, t.created))
        .with_timezone(&Utc)
}

/// Every rule of the dataset README that can be checked mechanically.
fn check_labeled_set(path: &str, id_prefix: &str) -> Vec<LabeledTicket> {
    let rows = load_labeled(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}"));

    // Ids unique, in the README's form, in chronological order of `created`.
    let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rows.len(), "{path}: duplicate ids");
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.id, format!("{id_prefix}-{:04}", i + 1), "{path}: ids must count up from 1 in file order");
        assert!(r.created.ends_with('Z'), "{}: created must be UTC", r.id);
    }
    for w in rows.windows(2) {
        assert!(created(&w[0]) < created(&w[1]), "{} is not after {}", w[1].id, w[0].id);
    }
    // A six-week window.
    let span = created(&rows[rows.len() - 1]) - created(&rows[0]);
    assert!(span.num_days() <= 42, "{path}: spans {} days", span.num_days());

    // Priority is derived, never hand-set (the default matrix is the README's
    // rules R1-R6; tests/triage_eval.rs pins that cell by cell).
    let m = PriorityMatrix::default();
    for r in &rows {
        assert_eq!(r.priority, m.priority(r.category, r.impact, r.urgency), "{}: priority is not the rule's", r.id);
    }

    // Channels from the README, every category present.
    for r in &rows {
        let ch = r.channel.as_deref().unwrap_or_default();
        assert!(["ticket", "chat", "email", "phone", "survey"].contains(&ch), "{}: channel {ch:?}", r.id);
        assert!(!r.title.trim().is_empty() && !r.description.trim().is_empty(), "{}: empty text", r.id);
    }
    let cats: BTreeSet<&str> = rows.iter().map(|r| r.category.as_str()).collect();
    assert_eq!(cats.len(), Category::ALL.len(), "{path}: categories present: {cats:?}");

    // Themes recur 4-15 times over at least two ISO weeks; one-offs are a
    // sizeable minority.
    let mut themes: BTreeMap<&str, Vec<&LabeledTicket>> = BTreeMap::new();
    for r in &rows {
        if let Some(t) = &r.theme {
            themes.entry(t.as_str()).or_default().push(r);
        }
    }
    for (t, members) in &themes {
        assert!((4..=15).contains(&members.len()), "{path}: theme {t} has {} tickets", members.len());
        let weeks: BTreeSet<u32> = members.iter().map(|r| created(r).iso_week().week()).collect();
        assert!(weeks.len() >= 2, "{path}: theme {t} sits in one ISO week");
    }
    let one_offs = rows.iter().filter(|r| r.theme.is_none()).count() as f64 / rows.len() as f64;
    assert!((0.25..=0.45).contains(&one_offs), "{path}: one-off share {one_offs:.2}");
    rows
}

#[test]
fn heldout_set_follows_the_dataset_rules() {
    let rows = check_labeled_set(HELDOUT, "H");
    assert!((160..=200).contains(&rows.len()), "{} tickets", rows.len());
    let themes: BTreeSet<&str> = rows.iter().filter_map(|r| r.theme.as_deref()).collect();
    assert!((10..=12).contains(&themes.len()), "{} themes", themes.len());
    // A differently worded set: no ticket text is copied from the dev set.
    let dev: HashSet<String> = load_labeled(std::path::Path::new(DEV))
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.description)
        .collect();
    assert!(rows.iter().all(|r| !dev.contains(&r.description)));
}

#[test]
fn dev_set_follows_the_dataset_rules() {
    let rows = check_labeled_set(DEV, "A");
    assert_eq!(rows.len(), 320);
}
