//! Harness for the end-to-end tests (`tests/e2e.rs`): the real app binary in
//! a real WebKit window under a private Xvfb, driven through `tauri-driver`
//! and WebKitWebDriver, against the real Redmine of the test run.
//!
//! Run them one at a time (`--test-threads=1`) and inside `timeout`:
//! `scripts/test.sh` does both.
#![allow(dead_code)]

pub mod app;
pub mod procs;
pub mod redmine;

// Each test binary uses a different part of the harness.
#[allow(unused_imports)]
pub use app::{testid, App, WAIT_TIMEOUT};
#[allow(unused_imports)]
pub use redmine::{redmine_or_skip, Redmine};

/// Environment for a run on the demo workspace without the embedding model:
/// triage on words only, so no background refinement re-triages and
/// re-clusters while a test looks (and none takes the CPU meanwhile); no
/// background sync, no OS credential store.
pub const DEMO_WORDS_ONLY: &[(&str, &str)] = &[
    ("HYPERCARE_CREDENTIAL_STORE", "none"),
    ("HYPERCARE_SYNC_INTERVAL_SECS", "0"),
    ("HYPERCARE_EMBED_MODEL", "/nonexistent/hypercare-e2e-no-model"),
];
