//! Fix validation: the queue, recording a validation, a ticket's history,
//! and the outbox (list, push, retry, discard).

use chrono::Utc;
use hypercare::triage::category_conflict::{resolve_category_conflict as resolve, ConflictChoice, ConflictResolved};
use hypercare::validation::draft::{DraftInput, ValidationDraft};
use hypercare::validation::outbox::{
    discard_category_write, discard_validation, make_pending_due, retry_category_write, retry_validation, OutboxEntry,
};
use hypercare::validation::push::{push_outbox, PushOptions, PushReport};
use hypercare::validation::queue::{QueueFilter, QueueItem};
use hypercare::validation::record::{record_validation as record, NewValidation};
use hypercare::validation::Validation;
use hypercare::Error;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use ts_rs::TS;

use crate::error::{blocking, CmdResult};
use crate::state::AppState;
use crate::sync_runner::{TicketsChanged, TICKETS_CHANGED};

/// The queue as the Validation view shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ValidationQueue {
    pub items: Vec<QueueItem>,
    /// How many fixes await validation (the nav badge).
    pub count: u32,
}

/// Who validates: the OS user, as the CLI's default.
fn validator() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "desktop user".to_string())
}

fn notify<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = app.emit(TICKETS_CHANGED, TicketsChanged { source: "validation".into() }) {
        tracing::warn!(error = %e, "could not emit tickets-changed");
    }
}

/// The fixes awaiting validation, most urgent first.
#[tauri::command]
pub async fn validation_queue(state: State<'_, AppState>, filter: QueueFilter) -> CmdResult<ValidationQueue> {
    let store = state.store().await?;
    blocking(move || {
        let items = store.validation_queue(&filter, Utc::now())?;
        Ok(ValidationQueue { count: u32::try_from(items.len()).unwrap_or(u32::MAX), items })
    })
    .await
}

/// Record a validation (and its outbox writes) in one transaction.
#[tauri::command]
pub async fn record_validation<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    mut input: NewValidation,
) -> CmdResult<Validation> {
    let store = state.store().await?;
    let v = blocking(move || {
        input.validator = validator();
        record(&store, &input, Utc::now())
    })
    .await?;
    tracing::info!(ticket = %v.ticket_key, outcome = v.outcome.as_str(), "validation recorded");
    notify(&app);
    Ok(v)
}

/// A ticket's validation rounds, oldest first.
#[tauri::command]
pub async fn validation_history(state: State<'_, AppState>, ticket_id: i64) -> CmdResult<Vec<Validation>> {
    let store = state.store().await?;
    blocking(move || store.validations(ticket_id)).await
}

/// Every unsent validation draft, newest first.
#[tauri::command]
pub async fn validation_drafts(state: State<'_, AppState>) -> CmdResult<Vec<ValidationDraft>> {
    let store = state.store().await?;
    blocking(move || store.validation_drafts()).await
}

/// Keep what the validator typed for a ticket; `null` when the form is blank (no draft).
#[tauri::command]
pub async fn save_validation_draft(state: State<'_, AppState>, draft: DraftInput) -> CmdResult<Option<ValidationDraft>> {
    let store = state.store().await?;
    blocking(move || store.save_validation_draft(&draft, Utc::now())).await
}

/// Drop a ticket's unsent draft.
#[tauri::command]
pub async fn discard_validation_draft(state: State<'_, AppState>, ticket_id: i64) -> CmdResult<bool> {
    let store = state.store().await?;
    blocking(move || store.discard_validation_draft(ticket_id)).await
}

/// The outbox; `all` also lists what was sent or discarded.
#[tauri::command]
pub async fn outbox(state: State<'_, AppState>, all: bool) -> CmdResult<Vec<OutboxEntry>> {
    let store = state.store().await?;
    blocking(move || store.outbox(all)).await
}

/// "Push now": every pending write (backoff or not; conflicts only with
/// `force`) on a background thread; resolves with the report.
#[tauri::command]
pub async fn push_outbox_now<R: Runtime>(app: AppHandle<R>, force: bool) -> CmdResult<PushReport> {
    let state = app.state::<AppState>();
    let (store, creds) = (state.store().await?, state.credentials.clone());
    let report = blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the push runtime: {e}")))?;
        let token_for = |s: &hypercare::model::Source| creds.token_for(s);
        let opts = PushOptions { force, ..PushOptions::default() };
        let now = Utc::now();
        make_pending_due(&store, now)?;
        rt.block_on(push_outbox(&store, &token_for, &opts, now))
    })
    .await?;
    tracing::info!(sent = report.sent, rejected = report.rejected, conflicts = report.conflicts,
        pending = report.pending, "outbox pushed");
    notify(&app);
    Ok(report)
}

/// Try a validation's rejected or conflicting writes again at the next push.
#[tauri::command]
pub async fn retry_outbox(state: State<'_, AppState>, validation_id: i64, force: bool) -> CmdResult<u32> {
    let store = state.store().await?;
    blocking(move || Ok(u32::try_from(retry_validation(&store, validation_id, force, Utc::now())?).unwrap_or(u32::MAX)))
        .await
}

/// Drop a validation's unsent writes (nothing is deleted).
#[tauri::command]
pub async fn discard_outbox(state: State<'_, AppState>, validation_id: i64) -> CmdResult<u32> {
    let store = state.store().await?;
    blocking(move || Ok(u32::try_from(discard_validation(&store, validation_id, Utc::now())?).unwrap_or(u32::MAX)))
        .await
}

/// Try a rejected category write (an outbox row id) again at the next push.
#[tauri::command]
pub async fn retry_category_push(state: State<'_, AppState>, outbox_id: i64) -> CmdResult<u32> {
    let store = state.store().await?;
    blocking(move || Ok(u32::try_from(retry_category_write(&store, outbox_id, Utc::now())?).unwrap_or(u32::MAX))).await
}

/// Drop an unsent category write (nothing is deleted).
#[tauri::command]
pub async fn discard_category_push(state: State<'_, AppState>, outbox_id: i64) -> CmdResult<u32> {
    let store = state.store().await?;
    blocking(move || Ok(u32::try_from(discard_category_write(&store, outbox_id, Utc::now())?).unwrap_or(u32::MAX)))
        .await
}

/// Answer a category write in conflict: overwrite the server's value at the
/// next push, or keep it (the local category then follows it or is dropped).
#[tauri::command]
pub async fn resolve_category_conflict(
    state: State<'_, AppState>,
    outbox_id: i64,
    choice: ConflictChoice,
) -> CmdResult<ConflictResolved> {
    let store = state.store().await?;
    blocking(move || Ok(resolve(&store, outbox_id, choice, Utc::now())?)).await
}
