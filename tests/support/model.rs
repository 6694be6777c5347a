//! Whether the sentence-embedding model is installed: tests that need it
//! skip (with a message) without it, and fail on CI.

use hypercare::triage::embed;

/// True when the model loads; otherwise prints why the test skips
/// (and fails when `CI` is set: CI must run scripts/setup.sh).
pub fn model_installed() -> bool {
    if embed::shared().is_some() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must install the embedding model (scripts/setup.sh): {:?}", embed::status());
    eprintln!("skipped: no embedding model ({}); run scripts/setup.sh", embed::status().detail);
    false
}
