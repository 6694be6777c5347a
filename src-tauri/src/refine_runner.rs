//! The background triage refinement: after each sync, after "Run triage"
//! and when the workspace opens (the first-run demo, or a pass the last
//! session did not finish), a background thread embeds the texts triaged
//! on words and triages their tickets again
//! ([`hypercare::triage::refine`]). One pass at a time; a request during a
//! pass runs one more pass after it. Progress goes to the UI as
//! [`TRIAGE_REFINE`] events; when tickets changed, a `tickets-changed`
//! event makes the views reload. Quitting the app stops the pass between
//! two batches.
//!
//! The pass yields to the user: it does not start, and does not begin its
//! next batch, until the UI has asked for nothing interactive (inbox
//! queries, a ticket, the dashboard: [`RefineRunner::touch`]) for
//! [`QUIET`]; and at workspace open it waits [`STARTUP_GRACE`] first, so
//! the model is neither loaded nor run while the window starts. A user's
//! search then meets at most one batch in flight ([`BACKGROUND_BATCH`]
//! texts, ~0.3 s of one core).

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

/// How long the UI must have been idle before the next batch runs.
pub const QUIET: Duration = Duration::from_secs(2);
/// How long after the workspace opens the first pass waits.
pub const STARTUP_GRACE: Duration = Duration::from_secs(10);
/// Texts per batch in the app (small: a batch in flight delays a search).
pub const BACKGROUND_BATCH: usize = 16;

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
    /// The sentence-embedding model is installed (as far as is known
    /// without loading it); false: triage runs on words only and nothing
    /// waits for a refinement.
    pub model: bool,
    /// Why the model is not available (its folder and the missing file, or
    /// why it failed to load), when `model` is false.
    pub model_problem: Option<String>,
}

impl RefineStatus {
    /// This status with the model's availability as it is now.
    fn with_model(mut self) -> RefineStatus {
        let available = hypercare::triage::embed::availability();
        self.model = available.is_ok();
        self.model_problem = available.err();
        self
    }
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
    /// Stops the running pass at its next batch (quitting, or superseded).
    cancel: AtomicBool,
    /// The app is quitting: no pass starts again.
    quitting: AtomicBool,
    /// When the UI last asked for something interactive.
    last_ui: Mutex<Option<Instant>>,
    /// No batch starts before this (the workspace just opened).
    not_before: Mutex<Option<Instant>>,
}

impl RefineRunner {
    /// The current status (later changes arrive as [`TRIAGE_REFINE`] events).
    pub fn status(&self) -> RefineStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone().with_model()
    }

    fn set<R: Runtime>(&self, app: &AppHandle<R>, f: impl FnOnce(&mut RefineStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone().with_model()
        };
        if let Err(e) = app.emit(TRIAGE_REFINE, snapshot) {
            tracing::warn!(error = %e, "could not emit the refinement status");
        }
    }

    /// Claim the runner: true when no pass runs (the caller starts one);
    /// otherwise the running pass is asked to run once more.
    fn claim(&self) -> bool {
        self.claim_with(false)
    }

    /// Claim the runner for a pass over the store as it is now: when one
    /// runs, it stops at its next batch and a fresh pass follows (its
    /// pending work may be gone, e.g. a removed source's tickets).
    fn claim_fresh(&self) -> bool {
        self.claim_with(true)
    }

    fn claim_with(&self, stop_running: bool) -> bool {
        let mut f = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if f.running {
            f.again = true;
            if stop_running {
                self.cancel.store(true, Ordering::Relaxed);
            }
            return false;
        }
        f.running = true;
        f.again = false;
        if !self.quitting.load(Ordering::Relaxed) {
            self.cancel.store(false, Ordering::Relaxed);
        }
        true
    }

    /// After a pass: true when another was requested meanwhile (the runner
    /// stays claimed), false when it is released.
    fn next(&self) -> bool {
        let mut f = self.flags.lock().unwrap_or_else(|p| p.into_inner());
        if f.again && !self.quitting.load(Ordering::Relaxed) {
            f.again = false;
            self.cancel.store(false, Ordering::Relaxed);
            return true;
        }
        f.running = false;
        false
    }

    /// The UI asked for something interactive: the pass waits until it has
    /// been idle for [`QUIET`].
    pub fn touch(&self) {
        *self.last_ui.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// Start no batch within `grace` from now (the window is starting).
    pub fn defer(&self, grace: Duration) {
        *self.not_before.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + grace);
    }

    /// Whether a batch may run now: past the startup grace and the UI idle
    /// for [`QUIET`].
    fn quiet(&self) -> bool {
        let not_before = *self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        let last_ui = *self.last_ui.lock().unwrap_or_else(|p| p.into_inner());
        quiet_at(Instant::now(), not_before, last_ui)
    }

    /// Wait until [`Self::quiet`] (or the app quits).
    fn wait_for_quiet(&self) {
        while !self.quiet() && !self.cancel.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn is_running(&self) -> bool {
        self.flags.lock().unwrap_or_else(|p| p.into_inner()).running
    }

    /// Stop the pass at its next batch and wait for it (at most `timeout`):
    /// the app is quitting.
    pub fn stop(&self, timeout: Duration) {
        self.quitting.store(true, Ordering::Relaxed);
        self.cancel.store(true, Ordering::Relaxed);
        let until = Instant::now() + timeout;
        while self.is_running() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Past the startup grace (`not_before`) and no interactive request for
/// [`QUIET`] (`last_ui`).
fn quiet_at(now: Instant, not_before: Option<Instant>, last_ui: Option<Instant>) -> bool {
    not_before.is_none_or(|t| now >= t) && last_ui.is_none_or(|t| now.saturating_duration_since(t) >= QUIET)
}

/// Start a refinement pass on a background thread (or ask the running one
/// to go again). Returns at once.
pub fn spawn_refine<R: Runtime>(app: &AppHandle<R>) {
    start(app, false);
}

/// Like [`spawn_refine`], but a running pass is stopped at its next batch
/// and a fresh one started: the store lost data the pass was working on
/// (a source was removed).
pub fn restart_refine<R: Runtime>(app: &AppHandle<R>) {
    start(app, true);
}

fn start<R: Runtime>(app: &AppHandle<R>, fresh: bool) {
    let state = app.state::<AppState>();
    // Before the store is open there is nothing to refine; opening the
    // workspace starts a pass.
    let Some(store) = state.store_now() else { return };
    let runner = state.refine.clone();
    let claimed = if fresh { runner.claim_fresh() } else { runner.claim() };
    if !claimed {
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
    let opts = RefineOptions { background: true, batch: BACKGROUND_BATCH };
    // Before loading the model, and between batches: yield to the user.
    runner.wait_for_quiet();
    let mut progress = |p: &RefineProgress| {
        runner.set(app, |s| s.progress = Some(p.clone()));
        if matches!(p, RefineProgress::Embedded { .. }) {
            runner.wait_for_quiet();
        }
    };
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
        r.stop(Duration::from_millis(10));
        assert!(!r.next(), "after quit, no further pass");
        assert!(!r.claim_fresh() || r.cancel.load(Ordering::Relaxed), "after quit a pass would stop at once");
    }

    #[test]
    fn a_fresh_request_stops_the_running_pass_and_a_new_one_follows() {
        let r = RefineRunner::default();
        assert!(r.claim_fresh(), "idle: the caller starts a pass");
        assert!(!r.cancel.load(Ordering::Relaxed));
        assert!(!r.claim_fresh(), "busy: no second thread");
        assert!(r.cancel.load(Ordering::Relaxed), "the running pass stops at its next batch");
        assert!(r.next(), "a fresh pass follows on the same thread");
        assert!(!r.cancel.load(Ordering::Relaxed), "and it is not cancelled");
        assert!(!r.next(), "then the runner is free");
    }

    #[test]
    fn a_batch_waits_for_the_startup_grace_and_for_the_user_to_be_idle() {
        let t = Instant::now();
        let s = Duration::from_secs;
        assert!(quiet_at(t, None, None), "nothing asked, no grace: run");
        assert!(!quiet_at(t, Some(t + s(10)), None), "inside the startup grace");
        assert!(quiet_at(t + s(10), Some(t + s(10)), None), "the grace is over");
        assert!(!quiet_at(t + s(1), None, Some(t)), "a search a second ago: wait");
        assert!(quiet_at(t + QUIET, None, Some(t)), "idle for QUIET: run");
        assert!(!quiet_at(t + s(11), Some(t + s(10)), Some(t + s(10))), "both must hold");
        // The runner: a touch holds the next batch back; quitting releases the wait.
        let r = RefineRunner::default();
        assert!(r.quiet());
        r.touch();
        assert!(!r.quiet());
        r.cancel.store(true, Ordering::Relaxed);
        let started = Instant::now();
        r.wait_for_quiet();
        assert!(started.elapsed() < Duration::from_secs(1), "quitting must not wait for the user to be idle");
    }
}
