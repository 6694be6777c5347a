//! Triage metrics, the priority matrix, and the evaluation on the dev set.

use hypercare::model::Category;
use hypercare::triage::metrics::{adjusted_rand_index, macro_f1, pairwise_f1, with_singletons};
use hypercare::triage::{Impact, Priority, PriorityMatrix, Urgency};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn ari_and_pairwise_f1_match_hand_computed_cases() {
    // truth {0,1}{2,3}, predicted {0,1,2}{3}: 1 shared pair; expected index 1 -> ARI 0.
    let t = ["a", "a", "b", "b"];
    let p = ["x", "x", "x", "y"];
    assert!(close(adjusted_rand_index(&t, &p), 0.0));
    let (pr, re, f) = pairwise_f1(&t, &p);
    assert!(close(pr, 1.0 / 3.0) && close(re, 0.5) && close(f, 0.4), "{pr} {re} {f}");

    // index 2, row pairs 4, column pairs 4, 15 pairs: (2 - 16/15) / (4 - 16/15) = 14/44.
    let t = ["a", "a", "a", "b", "b", "c"];
    let p = ["x", "x", "y", "y", "y", "z"];
    assert!(close(adjusted_rand_index(&t, &p), 14.0 / 44.0));
    assert!(close(pairwise_f1(&t, &p).2, 0.5));

    // Identical partitions score 1 whatever the label names.
    assert!(close(adjusted_rand_index(&t, &["q", "q", "q", "r", "r", "s"]), 1.0));
}

#[test]
fn one_offs_count_as_singletons_not_as_one_group() {
    let truth = with_singletons(&[Some("t".into()), Some("t".into()), None, None]);
    // Putting the two one-offs together is a false pair.
    let pred = ["x", "x", "y", "y"];
    let (p, r, _) = pairwise_f1(&truth, &pred);
    assert!(close(p, 0.5) && close(r, 1.0));
    assert!(adjusted_rand_index(&truth, &pred) < 1.0);
}

#[test]
fn macro_f1_averages_over_classes() {
    // class 0: P 1, R 0.5 -> 2/3; class 1: P 0.5, R 1 -> 2/3.
    assert!(close(macro_f1(&[0, 0, 1], &[0, 1, 1], 2), 2.0 / 3.0));
}

/// The README's rules R1-R6, written out as the README states them.
fn readme_rule(c: Category, i: Impact, u: Urgency) -> Priority {
    let high_impact = matches!(i, Impact::Department | Impact::Organization);
    let high_urgency = matches!(u, Urgency::High | Urgency::Critical);
    if c == Category::CriticalBug {
        Priority::P1
    } else if matches!(c, Category::MinorBug | Category::Enhancement) {
        Priority::P4
    } else if high_impact && high_urgency {
        Priority::P1
    } else if high_urgency || (high_impact && u == Urgency::Medium) {
        Priority::P2
    } else if u == Urgency::Low && !high_impact {
        Priority::P4
    } else {
        Priority::P3
    }
}

#[test]
fn default_priority_matrix_is_the_readme_rules() {
    let m = PriorityMatrix::default();
    for c in Category::ALL {
        for i in Impact::ALL {
            for u in Urgency::ALL {
                assert_eq!(m.priority(c, i, u), readme_rule(c, i, u), "{c:?} {i:?} {u:?}");
            }
        }
    }
    // The README's printed table, row by row (low, medium, high, critical).
    let table = [["P4", "P3", "P2", "P2"], ["P4", "P3", "P2", "P2"], ["P3", "P2", "P1", "P1"], ["P3", "P2", "P1", "P1"]];
    for i in Impact::ALL {
        for u in Urgency::ALL {
            assert_eq!(m.priority(Category::Usability, i, u).as_str(), table[i.index()][u.index()]);
        }
    }
}

#[test]
fn evaluate_json_on_the_dev_set_meets_the_measured_floor() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(["triage", "evaluate", "--json", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hypercare-erp-tickets.jsonl")])
        .output()
        .expect("run hypercare");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let get = |k: &str| e[k].as_f64().unwrap_or_else(|| panic!("missing {k} in {e}"));
    // Measured words only (5-fold CV): macro-F1 0.684, accuracy 0.694,
    // priority 0.559, ARI 0.437, pairwise F1 0.449; higher with sentence
    // embeddings (tests/triage_embed.rs). Floors hold for both and leave a
    // small margin. The priority target (0.75) is NOT reached either way.
    assert!(get("category_macro_f1") >= 0.65, "{e}");
    assert!(get("category_accuracy") >= 0.66, "{e}");
    assert!(get("priority_accuracy") >= 0.53, "{e}");
    assert!(get("theme_ari") >= 0.40, "{e}");
    assert!(get("theme_pairwise_f1") >= 0.41, "{e}");
    assert!(get("theme_ari_cv") >= 0.36, "{e}");
    // Far above the README's TF-IDF baselines (macro-F1 0.42, ARI 0.05).
    assert!(get("category_macro_f1") > 0.42 + 0.15 && get("theme_ari") > 0.05 + 0.2);
}

#[test]
fn evaluate_rejects_a_file_that_is_not_labeled_tickets() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let f = dir.path().join("bad.jsonl");
    std::fs::write(&f, "{\"id\": \"X-1\"}\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(["triage", "evaluate"])
        .arg(&f)
        .output()
        .expect("run hypercare");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1") && err.contains("labeled ticket"), "{err}");
}

/// A labeled export may carry impact and urgency as recorded at intake
/// (`intake_impact`, `intake_urgency`, in the desk's own words): they decide
/// over the text, as in the app; a value that cannot be read changes nothing.
#[test]
fn intake_fields_in_a_labeled_file_decide_over_the_text() {
    use hypercare::triage::evaluate::{evaluate_with, parse_labeled};
    use hypercare::triage::themes::ThemeConfig;
    let text = include_str!("fixtures/hypercare-erp-tickets.jsonl");
    let plain: Vec<_> = parse_labeled(text, "dev set").unwrap().into_iter().take(100).collect();
    let desk = |u: Urgency| match u {
        Urgency::Critical => "1 - Critical",
        Urgency::High => "2 - High",
        Urgency::Medium => "3 - Medium",
        Urgency::Low => "4 - Low",
    };
    let mut stated = plain.clone();
    for (i, r) in stated.iter_mut().enumerate() {
        r.intake_urgency = match i % 3 {
            0 => Some(desk(r.urgency).to_string()),
            1 => Some("Sev 9".to_string()),
            _ => None,
        };
    }
    let m = PriorityMatrix::default();
    let before = evaluate_with(&plain, &m, &ThemeConfig::default(), None);
    let after = evaluate_with(&stated, &m, &ThemeConfig::default(), None);
    assert_eq!((before.intake_tickets, after.intake_tickets), (0, 34), "every third ticket carries a readable urgency");
    for (i, (b, a)) in before.predictions.iter().zip(&after.predictions).enumerate() {
        if i % 3 == 0 {
            assert_eq!(a.urgency, stated[i].urgency, "ticket {}: the recorded urgency decides", a.id);
        } else {
            assert_eq!((a.urgency, a.priority), (b.urgency, b.priority), "ticket {}: no readable intake, nothing changes", a.id);
        }
    }
    let wrong_before = (0..100).step_by(3).filter(|i| before.predictions[*i].urgency != plain[*i].urgency).count();
    assert!(wrong_before > 0, "the text alone got some of those urgencies wrong, so the test can tell");
    assert!(after.urgency_accuracy > before.urgency_accuracy && after.priority_accuracy >= before.priority_accuracy, "{} {}", before.priority_accuracy, after.priority_accuracy);
}
