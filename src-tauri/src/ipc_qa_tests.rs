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
