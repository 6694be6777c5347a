//! Writing the demo into a store: one transaction, replacing an earlier demo.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{DemoConfig, DemoSummary, Generator, DEMO_CONFIG, DEMO_SOURCE};
use crate::model::SourceKind;
use crate::store::{tickets::upsert_tickets, to_ts};
use crate::{Error, Result, Store};

/// Tickets generated and written per step inside the transaction (bounds memory).
const CHUNK: usize = 2_000;

/// Load the demo described by `cfg` into `store`, replacing an earlier demo
/// source and everything in it. All or nothing: one `BEGIN IMMEDIATE`
/// transaction. Fails if a source named `demo` exists that is not the demo.
pub fn load_demo_with(store: &Store, cfg: &DemoConfig) -> Result<DemoSummary> {
    let generator = Generator::new(cfg)?;
    store.with_tx(|tx| {
        let source_id = replace_source(tx, cfg)?;
        let mut summary = DemoSummary::default();
        let mut start = 0;
        while start < generator.len() {
            let records = generator.tickets(start..(start + CHUNK).min(generator.len()));
            for r in &records {
                summary.comments += r.comments.as_ref().map_or(0, |c| c.len() as u64);
                summary.status_changes += r.status_changes.as_ref().map_or(0, |c| c.len() as u64);
            }
            let stats = upsert_tickets(tx, source_id, &records)?;
            summary.tickets += stats.created + stats.updated;
            start += CHUNK;
        }
        Ok(summary)
    })
}

/// Remove an earlier demo source (tickets, comments, history and their
/// full-text rows) and create a fresh one. Returns its id.
fn replace_source(tx: &Transaction<'_>, cfg: &DemoConfig) -> Result<i64> {
    let existing: Option<(i64, String)> = tx
        .query_row("SELECT id, kind FROM sources WHERE name = ?1", [DEMO_SOURCE], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((id, kind)) = existing {
        if kind != SourceKind::Demo.as_str() {
            return Err(Error::invalid(format!(
                "a {kind} source is named {DEMO_SOURCE:?}; rename or remove it before loading the demo"
            )));
        }
        crate::store::sources::delete_source_rows(tx, id)?;
    }
    let created = cfg.go_live.and_hms_opt(7, 0, 0).unwrap_or_default().and_utc();
    tx.execute(
        "INSERT INTO sources (name, kind, url, project, config, created_at) VALUES (?1, ?2, '', ?3, ?4, ?5)",
        params![DEMO_SOURCE, SourceKind::Demo.as_str(), "erp-go-live", DEMO_CONFIG, to_ts(created)],
    )?;
    Ok(tx.last_insert_rowid())
}
