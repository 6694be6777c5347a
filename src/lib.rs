//! Hypercare Desk core.
//!
//! Everything the product does lives here: the offline store, the sync
//! engine and its connectors, fix validation and the outbox, triage and
//! themes, KPIs, charts and reports. The CLI (`src/bin/hypercare`) and the
//! desktop shell (`src-tauri/`) are thin front ends over this crate; it never
//! depends on `tauri`.
//!
//! Time is always a parameter (`now`) of core logic, never read deep inside.

pub mod charts;
pub mod demo;
pub mod error;
pub mod import;
pub mod kpi;
pub mod model;
pub mod report;
pub mod store;
pub mod sync;
pub mod triage;
pub mod validation;
pub mod workspace;

pub use error::{Error, ErrorCode, ImportProblem, Result, StoreProblem};
pub use store::Store;
