//! The engine: list → plan → fetch details → apply, page after page.
//!
//! Two stages overlap: the fetcher (async) lists a page, plans it and fetches
//! the changed tickets' details with bounded concurrency; the writer (a
//! blocking thread) applies each page and advances the cursor in the SAME
//! transaction. A run killed at any instant leaves the store at a page
//! boundary, and the next run resumes from the cursor stored with it.
//! Nothing here knows a particular server: that is the [`Connector`]'s job.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::connector::{Connector, RemoteStub};
use super::plan::{plan_census, plan_page, Cursor, LocalVersion};
use super::state::{self, SourceState};
use super::SyncOptions;
use crate::model::{SyncProgress, SyncSummary, TicketRecord};
use crate::store::tickets::{upsert_tickets, FRESH_MARK};
use crate::{Error, Result, Store};

/// Pages waiting for the writer; more wait only as the writer lags.
const QUEUED_PAGES: usize = 16;
/// Most pages one write transaction applies.
const MAX_PAGES_PER_TX: usize = 16;

/// A planned and fetched page, ready to apply.
struct Batch {
    records: Vec<TicketRecord>,
    /// Listed, but gone when its details were fetched.
    gone: Vec<String>,
    next: Cursor,
    listed: u64,
    total: Option<u64>,
}

/// What the writer reports after each applied page.
struct Applied {
    listed: u64,
    total: Option<u64>,
}

/// Run one sync of `source` through `conn`. Records the run in `sync_runs`
/// and the outcome on the source, success or failure.
pub async fn run(
    store: &Store,
    source: &SourceState,
    conn: Arc<dyn Connector>,
    opts: &SyncOptions,
    now: DateTime<Utc>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<SyncSummary> {
    let started = Instant::now();
    let run_id = blocking(store, {
        let id = source.id;
        move |s| s.with_tx(|tx| state::start_run(tx, id, now))
    })
    .await?;
    progress(SyncProgress::Started { source: source.name.clone() });
    let mut summary = SyncSummary { source: source.name.clone(), ..Default::default() };
    let mut changed = Vec::new();
    let result = run_inner(store, source, conn.clone(), opts, now, run_id, &mut summary, &mut changed, progress).await;
    summary.requests = conn.requests();
    summary.duration_ms = started.elapsed().as_millis() as u64;
    let error = result.as_ref().err().map(|e| e.to_string());
    let finished_at = now + chrono::Duration::milliseconds(summary.duration_ms as i64);
    let closing = blocking(store, {
        let (s, id) = (summary.clone(), source.id);
        move |st| st.with_tx(|tx| state::finish_run(tx, run_id, id, &s, error.as_deref(), finished_at))
    })
    .await;
    result?;
    closing?;
    let triage_started = Instant::now();
    summary.triage_pending = triage_changed(store, changed, now).await;
    summary.triage_ms = triage_started.elapsed().as_millis() as u64;
    progress(SyncProgress::Finished { summary: summary.clone() });
    Ok(summary)
}

/// Triage the tickets a sync created or updated (never running the
/// sentence-embedding model: new texts are triaged on words and left to the
/// background refinement); returns how many wait for it. The sync itself
/// succeeded whatever happens here: a triage failure is logged (the next
/// full run catches up) instead of failing the sync.
async fn triage_changed(store: &Store, mut ids: Vec<i64>, now: DateTime<Utc>) -> u64 {
    if ids.is_empty() {
        return 0;
    }
    ids.sort_unstable();
    ids.dedup();
    let n = ids.len();
    match blocking(store, move |s| crate::triage::triage_changed(s, &ids, now)).await {
        Ok(run) => {
            tracing::info!(tickets = run.tickets, pending = run.pending, "triaged the tickets the sync changed");
            run.pending as u64
        }
        Err(e) => {
            tracing::warn!(tickets = n, "triage after sync failed: {e}");
            0
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_inner(
    store: &Store,
    source: &SourceState,
    conn: Arc<dyn Connector>,
    opts: &SyncOptions,
    now: DateTime<Utc>,
    run_id: i64,
    summary: &mut SyncSummary,
    changed: &mut Vec<i64>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<()> {
    let first_sync = source.cursor.since.is_none();
    let (batch_tx, batch_rx) = mpsc::channel::<Batch>(QUEUED_PAGES);
    let (applied_tx, mut applied_rx) = mpsc::unbounded_channel::<Applied>();
    let writer = tokio::task::spawn_blocking({
        let (store, source_id, base) = (store.clone(), source.id, summary.clone());
        let conn = conn.clone();
        move || write_batches(&store, source_id, run_id, now, base, batch_rx, applied_tx, conn.as_ref())
    });
    let fetching = fetch_pages(store, source, conn.as_ref(), opts, now, batch_tx);
    let reporting = async {
        let (mut pages, mut tickets, mut total) = (0u64, 0u64, None);
        while let Some(a) = applied_rx.recv().await {
            pages += 1;
            tickets += a.listed;
            total = total.or(a.total);
            progress(SyncProgress::Page { source: source.name.clone(), pages, tickets, total });
        }
    };
    let (fetched, ()) = tokio::join!(fetching, reporting);
    let written = writer.await.map_err(|e| Error::Internal(format!("the sync writer stopped: {e}")))?;
    // The writer's error explains a fetcher that stopped because the writer did.
    let (written, ids) = written?;
    *summary = written;
    *changed = ids;
    fetched?;

    let due = match source.census_at {
        None => true,
        Some(at) => now - at >= opts.census_interval,
    };
    field_names(store, source.id, conn.as_ref(), first_sync || due).await;
    if first_sync {
        // A first sync lists everything: nothing stored can be missing yet.
        let id = source.id;
        blocking(store, move |s| s.with_tx(|tx| state::save_census_at(tx, id, now))).await?;
    } else if due {
        changed.extend(census(store, source, conn.as_ref(), opts, now, run_id, summary, progress).await?);
    }
    Ok(())
}

/// A record changed less than this long before the sync started, on the
/// server's clock, may change again within the same second ([`mark_fresh`]).
/// More than the one second a server's version resolves: it also absorbs
/// clocks that differ between the machines of one server (a cluster).
pub const FRESH_SECS: i64 = 5;

/// Servers version a ticket by its change time, to the second: a second
/// change within the same second as the one fetched leaves the version as
/// it was, and the next sync would take the stored record for current and
/// miss the change for good. A record changed within [`FRESH_SECS`] of the
/// sync's start is stored with a marked version, so the next sync that
/// lists it fetches it once more (then unmarked, as it is no longer fresh).
///
/// `server_start` is the sync's start on the SERVER's clock (the one its
/// change times are stamped with), whole seconds: [`server_clock_start`]. Every
/// record is fetched at or after it, so a record fetched in the second of
/// its change has `updated_at >= server_start` and is always marked.
pub fn mark_fresh(records: &mut [TicketRecord], server_start: DateTime<Utc>) {
    for r in records {
        if r.updated_at + chrono::Duration::seconds(FRESH_SECS) > server_start && !r.remote_version.ends_with(FRESH_MARK) {
            r.remote_version.push_str(FRESH_MARK);
        }
    }
}

/// The sync's start on the server's clock: the `Date` of the run's first
/// listing answer (`server`, truncated to the second as a `Date` is), or
/// this machine's `now` when the server sent none. A server clock behind
/// this machine's would otherwise let a change made one moment ago look
/// seconds old and go unmarked; one ahead would keep marking records for
/// as long as it is ahead.
pub fn server_clock_start(server: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let Some(server) = server else { return now };
    let skew = (server - now).num_seconds();
    if skew.abs() > FRESH_SECS {
        tracing::info!(skew_secs = skew, "the server's clock differs from this machine's; recent changes are judged on the server's");
    }
    server
}

/// List, plan and fetch page after page, handing each to the writer.
async fn fetch_pages(
    store: &Store,
    source: &SourceState,
    conn: &dyn Connector,
    opts: &SyncOptions,
    now: DateTime<Utc>,
    out: mpsc::Sender<Batch>,
) -> Result<()> {
    let mut cursor = source.cursor.clone();
    // Versions planned in this run: overlap between pages is not fetched twice.
    let mut planned: HashMap<String, LocalVersion> = HashMap::new();
    // Tickets listed so far in this run (progress counts each once).
    let mut seen: HashSet<String> = HashSet::new();
    let mut page = conn.list_changed(cursor.since, cursor.skip).await?;
    // Nothing else is in flight yet: this is the first listing's `Date`.
    let started_on_server = server_clock_start(conn.server_time(), now);
    loop {
        let ids: Vec<String> = page.items.iter().map(|i| i.remote_id.clone()).collect();
        let mut local = blocking(store, {
            let id = source.id;
            move |s| s.read(|c| state::local_versions(c, id, &ids.iter().map(String::as_str).collect::<Vec<_>>()))
        })
        .await?;
        for item in &page.items {
            if let Some(v) = planned.get(&item.remote_id) {
                local.insert(item.remote_id.clone(), v.clone());
            }
        }
        let plan = plan_page(&local, &cursor, &page, conn.page_size());
        // The next listing page is asked for while this page's details arrive.
        let (details, upcoming) = if plan.done {
            (fetch_details(conn, &plan.fetch, opts.concurrency).await, None)
        } else {
            let (d, next) = tokio::join!(
                fetch_details(conn, &plan.fetch, opts.concurrency),
                conn.list_changed(plan.next.since, plan.next.skip)
            );
            (d, Some(next))
        };
        let (mut records, gone) = details?;
        mark_fresh(&mut records, started_on_server);
        for s in &plan.fetch {
            planned.insert(s.remote_id.clone(), LocalVersion { version: s.version.clone(), deleted: false });
        }
        let listed = page.items.iter().filter(|i| seen.insert(i.remote_id.clone())).count() as u64;
        let batch = Batch { records, gone, next: plan.next.clone(), listed, total: page.total };
        if out.send(batch).await.is_err() {
            // The writer stopped; its error is the one to report.
            return Ok(());
        }
        cursor = plan.next;
        match upcoming {
            None => return Ok(()),
            // A failed listing stops the run after this page was handed over.
            Some(next) => page = next?,
        }
    }
}

/// Fetch full records, at most `concurrency` requests in flight. Tickets the
/// server no longer has come back in the second list.
async fn fetch_details(
    conn: &dyn Connector,
    stubs: &[RemoteStub],
    concurrency: usize,
) -> Result<(Vec<TicketRecord>, Vec<String>)> {
    // Owned ids (not `&RemoteStub`) keep the future `Send` for every lifetime,
    // which callers that spawn the sync (the desktop shell) need.
    let ids: Vec<String> = stubs.iter().map(|s| s.remote_id.clone()).collect();
    let results = conn.fetch_tickets(ids, concurrency).await?;
    let mut records = Vec::with_capacity(results.len());
    let mut gone = Vec::new();
    for (id, r) in results {
        match r {
            Some(r) => records.push(r),
            None => gone.push(id),
        }
    }
    Ok((records, gone))
}

/// The writer: one transaction per page, the cursor advanced inside it.
#[allow(clippy::too_many_arguments)]
fn write_batches(
    store: &Store,
    source_id: i64,
    run_id: i64,
    now: DateTime<Utc>,
    mut summary: SyncSummary,
    mut rx: mpsc::Receiver<Batch>,
    applied: mpsc::UnboundedSender<Applied>,
    conn: &dyn Connector,
) -> Result<(SyncSummary, Vec<i64>)> {
    let mut changed = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        // When the writer lags, the pages already waiting share one
        // transaction (fewer commits); the cursor still moves with the data.
        let mut batches = vec![first];
        while batches.len() < MAX_PAGES_PER_TX {
            match rx.try_recv() {
                Ok(b) => batches.push(b),
                Err(_) => break,
            }
        }
        let ids;
        (summary, ids) = store.with_tx(|tx| {
            // Fewer checkpoints during a bulk sync.
            tx.pragma_update(None, "wal_autocheckpoint", 10_000)?;
            let mut s = summary.clone();
            let mut ids = Vec::new();
            for batch in &batches {
                let stats = upsert_tickets(tx, source_id, &batch.records)?;
                ids.extend_from_slice(&stats.changed);
                s.fetched += batch.records.len() as u64;
                s.created += stats.created;
                s.updated += stats.updated;
                s.deleted += state::mark_deleted(tx, source_id, &batch.gone, now)?;
            }
            if let Some(last) = batches.last() {
                state::save_cursor(tx, source_id, &last.next)?;
            }
            s.requests = conn.requests();
            state::save_run_counts(tx, run_id, &s)?;
            Ok((s, ids))
        })?;
        changed.extend(ids);
        for batch in &batches {
            // The receiver only goes away when the run is over.
            let _ = applied.send(Applied { listed: batch.listed, total: batch.total });
        }
    }
    Ok((summary, changed))
}

/// The id census: tickets gone from the server become tombstones; tombstones
/// back on the server are fetched and revived. Returns the revived ids.
#[allow(clippy::too_many_arguments)]
async fn census(
    store: &Store,
    source: &SourceState,
    conn: &dyn Connector,
    opts: &SyncOptions,
    now: DateTime<Utc>,
    run_id: i64,
    summary: &mut SyncSummary,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<Vec<i64>> {
    let name = source.name.clone();
    let report = move |checked| progress(SyncProgress::Census { source: name.clone(), checked });
    let census = conn.census(&report).await?;
    let server: HashSet<String> = census.ids.into_iter().collect();
    let local = blocking(store, {
        let id = source.id;
        move |s| s.read(|c| state::all_remote_ids(c, id))
    })
    .await?;
    let plan = plan_census(&local, &server);
    let stubs: Vec<RemoteStub> = plan
        .revive
        .iter()
        .map(|id| RemoteStub { remote_id: id.clone(), version: String::new(), updated_at: now })
        .collect();
    let (revived, gone) = fetch_details(conn, &stubs, opts.concurrency).await?;
    let mut s = summary.clone();
    s.requests = conn.requests();
    let (source_id, delete) = (source.id, plan.delete);
    let revived_ids;
    (*summary, revived_ids) = blocking(store, move |st| {
        st.with_tx(|tx| {
            let stats = upsert_tickets(tx, source_id, &revived)?;
            s.fetched += revived.len() as u64;
            s.updated += stats.updated + stats.created;
            s.deleted += state::mark_deleted(tx, source_id, &delete, now)?;
            s.deleted += state::mark_deleted(tx, source_id, &gone, now)?;
            state::save_census_at(tx, source_id, now)?;
            state::save_run_counts(tx, run_id, &s)?;
            Ok((s, stats.changed))
        })
    })
    .await?;
    report(server.len() as u64);
    Ok(revived_ids)
}

/// Ask the server for its custom fields' names (servers whose tickets carry
/// only ids) on a first sync, with each census (`due`), and whenever none
/// are stored; replace the stored list. Names are shown, never decide: a
/// failure is logged and the sync goes on with the names it had.
async fn field_names(store: &Store, source_id: i64, conn: &dyn Connector, due: bool) {
    let stored = blocking(store, move |s| s.read(|c| crate::store::fields::has_field_names(c, source_id))).await;
    if !due && stored.unwrap_or(false) {
        return;
    }
    let names = match conn.field_names().await {
        Ok(Some(names)) => names,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(source_id, "the server's custom field names could not be read: {e}");
            return;
        }
    };
    if let Err(e) = blocking(store, move |s| s.with_tx(|tx| crate::store::fields::save_field_names(tx, source_id, &names))).await {
        tracing::warn!(source_id, "the server's custom field names could not be stored: {e}");
    }
}

/// Run a blocking store operation off the async runtime.
async fn blocking<T: Send + 'static>(store: &Store, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| Error::Internal(format!("a store task stopped: {e}")))?
}
