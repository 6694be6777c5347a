//! The inbox and the ticket detail.

use hypercare::model::{TicketDetail, TicketQuery, TicketSummary};
use hypercare::store::facets::TicketFacets;
use tauri::State;

use crate::error::{blocking, CmdResult};
use crate::state::AppState;

/// The inbox rows matching `query` (full-text search and filters).
#[tauri::command]
pub async fn query_tickets(state: State<'_, AppState>, query: TicketQuery) -> CmdResult<Vec<TicketSummary>> {
    state.refine.touch();
    let store = state.store().await?;
    blocking(move || store.tickets(&query)).await
}

/// How many tickets `query` matches in all (the inbox asks when a page is full).
#[tauri::command]
pub async fn count_tickets(state: State<'_, AppState>, query: TicketQuery) -> CmdResult<u64> {
    let store = state.store().await?;
    blocking(move || store.count_tickets(&query)).await
}

/// One ticket with description, comments and status history.
#[tauri::command]
pub async fn ticket_detail(state: State<'_, AppState>, id: i64) -> CmdResult<TicketDetail> {
    state.refine.touch();
    let store = state.store().await?;
    blocking(move || store.ticket_detail(id)).await
}

/// The values the inbox filters offer.
#[tauri::command]
pub async fn ticket_facets(state: State<'_, AppState>) -> CmdResult<TicketFacets> {
    let store = state.store().await?;
    blocking(move || store.ticket_facets()).await
}
