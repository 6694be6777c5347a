//! Background sync: one run at a time, progress over a channel, batched
//! `tickets-changed` events, a `sync-status` event whenever the state moves,
//! and a periodic retry so an offline start catches up by itself.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hypercare::model::{SourceKind, SyncProgress, SyncSummary};
use hypercare::{ErrorCode, Store};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Semaphore;
use ts_rs::TS;

use crate::credentials::Credentials;
use crate::error::{blocking, CmdResult, IpcError};
use crate::state::AppState;

/// Event emitted (at most every [`CHANGE_BATCH`]) while a sync writes tickets.
pub const TICKETS_CHANGED: &str = "tickets-changed";
/// Event emitted with a [`SyncStatus`] whenever the sync state changes.
pub const SYNC_STATUS: &str = "sync-status";
/// Seconds between background syncs (default 60; `0` turns them off).
pub const INTERVAL_ENV: &str = "HYPERCARE_SYNC_INTERVAL_SECS";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
const CHANGE_BATCH: Duration = Duration::from_millis(750);

/// What the UI shows about syncing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub running: bool,
    /// False after a sync could not reach its server, until one succeeds.
    pub online: bool,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The first failure of the last run (`code` says what kind).
    pub last_error: Option<IpcError>,
    /// When the background loop tries again, if it runs.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Payload of [`TICKETS_CHANGED`]: the inbox should query again.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TicketsChanged {
    pub source: String,
}

/// Runs syncs. Held in [`AppState`]; the std mutex is only ever locked for
/// a field update, never across an await.
pub struct SyncRunner {
    status: Mutex<SyncStatus>,
    /// One sync at a time: a second request waits for the first to finish.
    gate: Semaphore,
    interval: Option<Duration>,
}

impl SyncRunner {
    pub fn from_env() -> Self {
        let interval = parse_interval(std::env::var(INTERVAL_ENV).ok().as_deref());
        SyncRunner { status: Mutex::new(SyncStatus { online: true, ..SyncStatus::default() }), gate: Semaphore::new(1), interval }
    }

    pub fn status(&self) -> SyncStatus {
        self.lock().clone()
    }

    fn update<R: Runtime>(&self, app: &AppHandle<R>, f: impl FnOnce(&mut SyncStatus)) {
        let snapshot = {
            let mut s = self.lock();
            f(&mut s);
            s.clone()
        };
        if let Err(e) = app.emit(SYNC_STATUS, snapshot) {
            tracing::warn!(error = %e, "could not emit the sync status");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SyncStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The background interval from [`INTERVAL_ENV`]: unset → 60 s, `0` → no
/// background syncs, anything unreadable → 60 s (logged).
fn parse_interval(value: Option<&str>) -> Option<Duration> {
    match value.map(|v| v.trim().parse::<u64>()) {
        None => Some(DEFAULT_INTERVAL),
        Some(Ok(0)) => None,
        Some(Ok(s)) => Some(Duration::from_secs(s)),
        Some(Err(_)) => {
            tracing::warn!("{INTERVAL_ENV} is not a number of seconds; using 60");
            Some(DEFAULT_INTERVAL)
        }
    }
}

/// Sync `only` (a source name) or every non-demo source, streaming progress
/// to `progress` when given. Returns the summaries, or the first failure.
pub async fn run_sync<R: Runtime>(
    app: AppHandle<R>,
    only: Option<String>,
    progress: Option<Channel<SyncProgress>>,
) -> CmdResult<Vec<SyncSummary>> {
    let state = app.state::<AppState>();
    let (store, creds, runner) = (state.store().await?, state.credentials.clone(), state.sync.clone());
    let names = {
        let store = store.clone();
        let only = only.clone();
        blocking(move || {
            if let Some(name) = &only {
                return Ok(vec![store.source(name)?.name]);
            }
            Ok(store.sources()?.into_iter().filter(|s| s.kind != SourceKind::Demo).map(|s| s.name).collect())
        })
        .await?
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let _permit = runner.gate.acquire().await.map_err(|_| IpcError::internal("the sync runner has stopped"))?;
    runner.update(&app, |s| {
        s.running = true;
        s.last_attempt_at = Some(Utc::now());
    });
    let mut summaries = Vec::new();
    let mut first_error: Option<IpcError> = None;
    for name in names {
        match sync_one(&app, &store, &creds, &name, progress.as_ref()).await {
            Ok(summary) => summaries.push(summary),
            Err(e) => {
                tracing::warn!(source = %name, code = ?e.code, error = %e.message, "sync failed");
                first_error.get_or_insert(e);
            }
        }
    }
    if summaries.iter().any(|s| s.triage_pending > 0) {
        // New texts were triaged on words: embed them in the background.
        crate::refine_runner::spawn_refine(&app);
    }
    let offline = first_error.as_ref().is_some_and(|e| e.code == ErrorCode::Offline);
    let now = Utc::now();
    let next = runner.interval.and_then(|i| chrono::Duration::from_std(i).ok()).map(|i| now + i);
    runner.update(&app, |s| {
        s.running = false;
        s.online = !offline;
        s.next_attempt_at = next;
        if first_error.is_none() {
            s.last_success_at = Some(now);
        }
        s.last_error = first_error.clone();
    });
    match first_error {
        Some(e) => Err(e),
        None => Ok(summaries),
    }
}

async fn sync_one<R: Runtime>(
    app: &AppHandle<R>,
    store: &Store,
    creds: &Arc<Credentials>,
    name: &str,
    channel: Option<&Channel<SyncProgress>>,
) -> CmdResult<SyncSummary> {
    let source = {
        let (store, name) = (store.clone(), name.to_string());
        blocking(move || store.source(&name)).await?
    };
    let token = {
        let creds = creds.clone();
        blocking(move || Ok(creds.token_for(&source))).await?
    };
    let last_emit: Mutex<Option<Instant>> = Mutex::new(None);
    let emit_changed = |force: bool| {
        let mut last = last_emit.lock().unwrap_or_else(|p| p.into_inner());
        if force || last.is_none_or(|t| t.elapsed() >= CHANGE_BATCH) {
            *last = Some(Instant::now());
            if let Err(e) = app.emit(TICKETS_CHANGED, TicketsChanged { source: name.to_string() }) {
                tracing::warn!(error = %e, "could not emit tickets-changed");
            }
        }
    };
    let on_progress = |p: SyncProgress| {
        if matches!(p, SyncProgress::Page { tickets, .. } if tickets > 0) {
            emit_changed(false);
        }
        if let Some(ch) = channel {
            if let Err(e) = ch.send(p) {
                tracing::debug!(error = %e, "the progress channel is gone");
            }
        }
    };
    tracing::info!(source = %name, "sync started");
    let summary = hypercare::sync::sync_source(store, name, token, Utc::now(), &on_progress).await?;
    tracing::info!(source = %name, fetched = summary.fetched, created = summary.created, updated = summary.updated,
        deleted = summary.deleted, ms = summary.duration_ms, "sync finished");
    if summary.created + summary.updated + summary.deleted > 0 {
        emit_changed(true);
    }
    Ok(summary)
}

/// Start the background loop: a sync as soon as the store is open (so an
/// offline start shows it at once), then every interval. A store that could
/// not be opened is never synced.
pub fn spawn_background<R: Runtime>(app: AppHandle<R>) {
    let interval = app.state::<AppState>().sync.interval;
    tauri::async_runtime::spawn(async move {
        if app.state::<AppState>().store().await.is_err() {
            return;
        }
        loop {
            // Errors are in the status (and the log); the loop just carries on.
            let _ = run_sync(app.clone(), None, None).await;
            match interval {
                Some(i) => tokio::time::sleep(i).await,
                None => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_interval_is_configurable_and_can_be_turned_off() {
        assert_eq!(parse_interval(None), Some(Duration::from_secs(60)));
        assert_eq!(parse_interval(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(parse_interval(Some("0")), None);
        assert_eq!(parse_interval(Some("soon")), Some(Duration::from_secs(60)));
    }
}
