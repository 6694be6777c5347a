//! The inbox search query classes, shared by `benches/search.rs` (the core's
//! query) and `src-tauri/tests/startup.rs` (the same queries as the UI sees
//! them, through IPC).

/// Query classes: name, the searches (run round-robin), and whether the
/// inbox filters are set too (open tickets of priority Immediate: a few
/// hundred of 100,000, so the search must skip many matches to fill a page).
pub const CLASSES: &[(&str, &[&str], bool)] = &[
    ("rare word", &["Kronos", "LIMS", "pension"], false),
    ("medium word", &["scanner", "invoice", "payroll"], false),
    ("common word", &["production", "PRD"], false),
    ("prefix", &["inv*", "pay*"], false),
    ("two terms", &["sales order", "label printing"], false),
    ("common+filter", &["production", "PRD"], true),
    ("medium+filter", &["scanner", "invoice"], true),
];

/// The p95 every class must meet, in milliseconds (issue #3).
pub const TARGET_P95_MS: f64 = 30.0;
