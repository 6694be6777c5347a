//! Triage and recurring themes.
//!
//! - [`classify`]: category, impact and urgency with confidence and signals,
//!   learned from seed examples plus the user's corrections.
//! - [`priority`]: the editable impact × urgency matrix (P1–P4).
//! - [`themes`]: grouping of tickets and survey comments into recurring themes.
//! - [`evaluate`]: cross-validated scoring on a labeled JSONL file.
//! - [`metrics`]: accuracy, macro-F1, ARI, pairwise F1.
//! - [`store`], [`theme_store`], [`theme_view`]: the same in the SQLite store:
//!   runs, overrides, trainer edits, training markers.

pub mod classify;
pub mod evaluate;
pub mod knn;
pub mod learn;
pub mod lexicon;
pub mod metrics;
pub mod priority;
pub mod store;
pub mod text;
pub mod theme_store;
pub mod theme_view;
pub mod themes;

pub use classify::{Decision, Labeled, TicketText, Triager};
pub use priority::{Impact, Priority, PriorityMatrix, Urgency};
pub use store::{set_override, triage_all, triage_changed, Override, TriageRun};
