//! Triage and recurring themes.
//!
//! - [`classify`]: category, impact and urgency with confidence and signals,
//!   learned from seed examples plus the user's corrections.
//! - [`priority`]: the editable impact × urgency matrix (P1–P4).
//! - [`themes`]: grouping of tickets and survey comments into recurring themes.
//! - [`evaluate`]: cross-validated scoring on a labeled JSONL file.
//! - [`metrics`]: accuracy, macro-F1, ARI, pairwise F1.

pub mod classify;
pub mod evaluate;
pub mod learn;
pub mod lexicon;
pub mod metrics;
pub mod priority;
pub mod text;
pub mod themes;

pub use classify::{Decision, Labeled, TicketText, Triager};
pub use priority::{Impact, Priority, PriorityMatrix, Urgency};
