//! The background triage refinement: after each sync, after "Run triage"
//! and when the workspace opens (the first-run demo, or a pass the last
//! session did not finish), a background thread embeds the texts triaged
//! on words and triages their tickets again
//! ([`hypercare::triage::refine`]). One pass at a time; a request during a
//! pass runs one more pass after it. Progress goes to the UI as
//! [`TRIAGE_REFINE`] events; when tickets changed, a `tickets-changed`
//! event makes the views reload. Quitting the app stops the pass between
//! two batches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use hypercare::triage::refine::{refine, RefineOptions, RefineProgress};
use hypercare::Store;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

use crate::error::IpcError;
use crate::state::AppState;
use crate::sync_runner::{TicketsChanged, TICKETS_CHANGED};

/// Event emitted with a [`RefineStatus`] at each step of a pass.
pub const TRIAGE_REFINE: &str = "triage-refine";

/// What the UI shows about the refinement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RefineStatus {
    /// A pass is running (or about to run again).
    pub running: bool,
    /// The last step of the current or last pass.
    pub progress: Option<RefineProgress>,
    /// Why the last pass failed, if it did.
    pub error: Option<IpcError>,
}

#[derive(Default)]
struct Flags {
    running: bool,
    again: bool,
}

/// Runs refinement passes. Held in [`AppState`]; its mutexes are only
/// locked for a field update.
#[derive(Default)]
pub struct RefineRunner {
    flags: Mutex<Flags>,
    status: Mutex<RefineStatus>,
    cancel: AtomicBool,
}

impl RefineRunner {
    /// The current status (later changes arrive as [`TRIAGE_REFINE`] events).
    pub fn status(&self) -> RefineStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set<R: Runtime>(&self, app: &AppHandle<R>, f: impl FnOnce(&mut RefineStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        if let Err(e) = app.emit(TRIAGE_REFINE, snapshot) {
            tracing::warn!(error = %e, "could not emit the refinement status");
        }
    }

    /// Claim the runner: true when no pass runs (the caller starts one);
    /// otherwise the running pass is asked to run once more.
    fn claim(&self) -> bool {
        let mut f = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if f.running {
            f.again = true;
            return false;
        }
        f.running = true;
        f.again = false;
        true
    }

    /// After a pass: true when another was requested meanwhile (the runner
    /// stays claimed), false when it is released.
    fn next(&self) -> bool {
        let mut f = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if f.again && !self.cancel.load(Ordering::Relaxed) {
            f.again = false;
            return true;
        }
        f.running = false;
        false
    }

    fn is_running(&self) -> bool {
        self.flags.lock().unwrap_or_else(|p| p.into_inner()).running
    }

    /// Stop the pass at its next batch and wait for it (at most `timeout`):
    /// the app is quitting.
    pub fn stop(&self, timeout: Duration) {
        self.cancel.store(true, Ordering::Relaxed);
        let until = Instant::now() + timeout;
        while self.is_running() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Start a refinement pass on a background thread (or ask the running one
/// to go again). Returns at once.
pub fn spawn_refine<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let (runner, store) = (state.refine.clone(), state.store.clone());
    if !runner.claim() {
        return;
    }
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("triage-refine".into()).spawn({
        let runner = runner.clone();
        move || loop {
            run_pass(&app, &runner, &store);
            if !runner.next() {
                break;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("could not start the triage refinement: {e}");
        runner.next();
    }
}

fn run_pass<R: Runtime>(app: &AppHandle<R>, runner: &Arc<RefineRunner>, store: &Store) {
    runner.set(app, |s| {
        s.running = true;
        s.error = None;
    });
    let opts = RefineOptions { background: true, ..Default::default() };
    let mut progress = |p: &RefineProgress| runner.set(app, |s| s.progress = Some(p.clone()));
    let result = refine(store, Utc::now(), opts, &runner.cancel, &mut progress);
    let changed = match &result {
        Ok(r) => r.tickets + r.comments > 0,
        Err(e) => {
            tracing::warn!("triage refinement failed: {e}");
            false
        }
    };
    runner.set(app, |s| {
        s.running = false;
        s.error = result.err().map(IpcError::from);
    });
    if changed {
        if let Err(e) = app.emit(TICKETS_CHANGED, TicketsChanged { source: "triage".into() }) {
            tracing::warn!(error = %e, "could not emit tickets-changed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_during_a_pass_runs_one_more_pass_and_quitting_cancels_it() {
        let r = RefineRunner::default();
        assert!(r.claim(), "idle: the caller starts a pass");
        assert!(!r.claim(), "busy: no second thread");
        assert!(r.next(), "the request made while running is served by one more pass");
        assert!(!r.next(), "then the runner is free");
        assert!(r.claim());
        assert!(!r.claim());
        r.cancel.store(true, Ordering::Relaxed);
        assert!(!r.next(), "after quit, no further pass");
        r.stop(Duration::from_millis(10));
    }
}
