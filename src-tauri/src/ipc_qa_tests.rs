//! Defects a QA pass of the real app found, checked as the UI calls the
//! commands over IPC (see [`crate::ipc_tests`] for the harness).

use serde_json::json;

use crate::ipc_tests::{harness, invoke};

#[test]
fn refine_status_says_whether_the_language_model_is_installed_and_why_not() {
    let h = harness();
    let s = invoke(&h, "refine_status", json!({})).unwrap();
    // The answer depends on this machine (CI installs the model); it must
    // match what the core finds, and name the way to install it when off.
    match hypercare::triage::embed::availability() {
        Ok(()) => {
            assert_eq!(s["model"], json!(true), "{s}");
            assert!(s["model_problem"].is_null(), "{s}");
        }
        Err(_) => {
            assert_eq!(s["model"], json!(false), "{s}");
            assert!(s["model_problem"].as_str().is_some_and(|p| p.contains("scripts/setup.sh")), "{s}");
        }
    }
}

#[test]
fn a_kpi_target_outside_its_range_is_refused_by_its_label_over_ipc() {
    let h = harness();
    for value in ["0", "99999999999"] {
        let bad = json!({ "changes": [{ "key": "sla_resolve_hours.P1", "value": value }] });
        let err = invoke(&h, "save_kpi_settings", bad).unwrap_err();
        assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("invalid_input"), Some("sla_resolve_hours.P1")), "{err}");
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("P1 resolution target: "), "the dialog's label names it: {message}");
        assert!(!message.contains("sla_resolve_hours"), "no internal key in what the user reads: {message}");
    }
    let form = invoke(&h, "kpi_settings", json!({})).unwrap();
    let p1 = form["fields"].as_array().unwrap().iter().find(|f| f["key"] == "sla_resolve_hours.P1").cloned().unwrap();
    assert_eq!(p1["value"], "4", "nothing was saved");
    assert!(p1["help"].as_str().unwrap().contains("0.1 to 8,760 hours"), "the range is documented where it is typed: {p1}");
}
