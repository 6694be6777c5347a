//! The IPC surface: thin commands, one file per feature. Each looks up
//! state, calls one core function off the async runtime, maps the error.

pub mod imports;
pub mod kpi;
pub mod sources;
pub mod sync;
pub mod tickets;
pub mod triage;
pub mod validation;
pub mod workspace;
