//! Triage and themes: the queue, overrides, the priority matrix, and the
//! trainers' theme edits. Each command calls one core function.

use chrono::{NaiveDate, Utc};
use hypercare::model::Category;
use hypercare::triage::comment_triage::{self, list_comment_triage, CommentTriage};
use hypercare::triage::store::{list_triage, load_matrix, save_matrix, TicketTriage};
use hypercare::triage::theme_store::{self, mark_training, SplitItems};
use hypercare::triage::theme_view::{list_themes, ThemeExample, ThemeView};
use hypercare::triage::category_push::{CategoryPushConfig, CategoryTarget};
use hypercare::triage::{set_override, triage_all, Confirmed, Impact, Override, PriorityMatrix, TriageRun, Urgency};
use tauri::{AppHandle, Runtime, State};

use crate::error::{blocking, CmdResult};
use crate::refine_runner::{spawn_refine, RefineStatus};
use crate::state::AppState;

/// Every triaged ticket (effective category, confidence, signals, impact,
/// urgency, priority), highest priority first.
#[tauri::command]
pub async fn triage_queue(state: State<'_, AppState>) -> CmdResult<Vec<TicketTriage>> {
    let store = state.store().await?;
    blocking(move || store.read(list_triage)).await
}

/// Triage every ticket again and recompute the themes (in seconds: texts
/// without a sentence embedding are triaged on words), then refine those in
/// the background (`triage-refine` events report the progress).
#[tauri::command]
pub async fn run_triage<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<TriageRun> {
    let store = state.store().await?;
    let run = blocking(move || triage_all(&store, Utc::now())).await?;
    spawn_refine(&app);
    Ok(run)
}

/// The background refinement's state (changes arrive as `triage-refine` events).
#[tauri::command]
pub fn refine_status(state: State<'_, AppState>) -> RefineStatus {
    state.refine.status()
}

/// Override a ticket's category, impact and/or urgency; returns the new
/// priority and whether the category waits in the outbox for the server.
#[tauri::command]
pub async fn set_triage_override(
    state: State<'_, AppState>,
    ticket_id: i64,
    category: Option<Category>,
    impact: Option<Impact>,
    urgency: Option<Urgency>,
) -> CmdResult<Confirmed> {
    let store = state.store().await?;
    let o = Override { category, impact, urgency };
    blocking(move || set_override(&store, ticket_id, &o, Utc::now())).await
}

/// Every imported survey comment with its (effective) category,
/// confidence and signals, least certain first.
#[tauri::command]
pub async fn comment_triage_queue(state: State<'_, AppState>) -> CmdResult<Vec<CommentTriage>> {
    let store = state.store().await?;
    blocking(move || store.read(list_comment_triage)).await
}

/// Correct a survey comment's category (kept across re-runs, learned from).
#[tauri::command]
pub async fn set_comment_category(state: State<'_, AppState>, response_id: i64, category: Category) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || comment_triage::set_comment_category(&store, response_id, category, Utc::now())).await
}

/// The priority matrix in force.
#[tauri::command]
pub async fn priority_matrix(state: State<'_, AppState>) -> CmdResult<PriorityMatrix> {
    let store = state.store().await?;
    blocking(move || store.read(load_matrix)).await
}

/// Store a changed matrix (every priority is recomputed).
#[tauri::command]
pub async fn set_priority_matrix(state: State<'_, AppState>, matrix: PriorityMatrix) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || save_matrix(&store, &matrix, Utc::now())).await
}

/// The active themes, biggest first, with weekly trend and training effects.
#[tauri::command]
pub async fn themes(state: State<'_, AppState>) -> CmdResult<Vec<ThemeView>> {
    let store = state.store().await?;
    blocking(move || store.read(|c| list_themes(c, Utc::now()))).await
}

/// Give a theme a name of one's own (kept across re-runs).
#[tauri::command]
pub async fn rename_theme(state: State<'_, AppState>, theme: i64, name: String) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || theme_store::rename_theme(&store, theme, &name, Utc::now())).await
}

/// Merge theme `from` into `into`.
#[tauri::command]
pub async fn merge_themes(state: State<'_, AppState>, from: i64, into: i64) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || theme_store::merge_themes(&store, from, into, Utc::now())).await
}

/// Move tickets and survey comments (response ids) out of a theme into a
/// new theme called `name`; returns its id.
#[tauri::command]
pub async fn split_theme(
    state: State<'_, AppState>,
    theme: i64,
    ticket_ids: Vec<i64>,
    comment_ids: Vec<i64>,
    name: String,
) -> CmdResult<i64> {
    let store = state.store().await?;
    let items = SplitItems { tickets: ticket_ids, comments: comment_ids };
    blocking(move || theme_store::split_theme(&store, theme, &items, &name, Utc::now())).await
}

/// Undo the merge of theme `theme` (it shows again with what the merge
/// moved); returns the theme it had been merged into.
#[tauri::command]
pub async fn unmerge_theme(state: State<'_, AppState>, theme: i64) -> CmdResult<i64> {
    let store = state.store().await?;
    blocking(move || theme_store::unmerge_theme(&store, theme, Utc::now())).await
}

/// Every ticket of a theme, then its survey comments, each oldest first
/// (what a split picks from).
#[tauri::command]
pub async fn theme_items(state: State<'_, AppState>, theme: i64) -> CmdResult<Vec<ThemeExample>> {
    let store = state.store().await?;
    blocking(move || store.read(|c| theme_store::theme_items(c, theme))).await
}

/// Remove a training marker.
#[tauri::command]
pub async fn remove_theme_training(state: State<'_, AppState>, marker: i64) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || theme_store::remove_training_marker(&store, marker)).await
}

/// Mark a theme addressed by `kind` ("training" or "documentation") on
/// `date` (YYYY-MM-DD); returns the marker's id.
#[tauri::command]
pub async fn mark_theme_training(state: State<'_, AppState>, theme: i64, date: String, kind: String, note: String) -> CmdResult<i64> {
    let store = state.store().await?;
    blocking(move || {
        let on = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| hypercare::Error::InvalidInput(format!("pick the day of the training or documentation update (YYYY-MM-DD, got {date:?})")))?;
        mark_training(&store, theme, &kind, on, &note, Utc::now())
    })
    .await
}

/// Where a source writes confirmed categories: `issue_category`,
/// `custom_field:<id>`, `field:<name>`, or `None` (they stay local).
#[tauri::command]
pub async fn category_push_target(state: State<'_, AppState>, source: String) -> CmdResult<Option<String>> {
    let store = state.store().await?;
    blocking(move || Ok(store.category_push(&source)?.map(|c| c.target.as_field()))).await
}

/// Set where a source writes confirmed categories (`None`: nowhere). Names
/// mapped with the CLI (`source category-push --map`) are kept.
#[tauri::command]
pub async fn set_category_push_target(state: State<'_, AppState>, source: String, target: Option<String>) -> CmdResult<()> {
    let store = state.store().await?;
    blocking(move || {
        let Some(t) = target.filter(|t| !t.trim().is_empty()) else { return store.set_category_push(&source, None) };
        let target = CategoryTarget::parse_field(&t).ok_or_else(|| {
            hypercare::Error::InvalidInput(format!("{t:?} is not a place: use issue_category, custom_field:ID or field:NAME"))
        })?;
        let values = store.category_push(&source)?.map(|c| c.values).unwrap_or_default();
        store.set_category_push(&source, Some(&CategoryPushConfig { target, values }))
    })
    .await
}
