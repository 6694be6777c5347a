//! Sync benchmark: `cargo bench --bench sync` (HC_BENCH_TICKETS=N for a
//! smaller run; default 100,000).
//!
//! A Redmine-shaped server on loopback serves N tickets with 3 comments each
//! (list pages of 100, journals one issue per request, as Redmine does).
//! Measured in the same run:
//! 1. the full sync into a fresh store (`hypercare::sync::sync_source`);
//! 2. floor "fetch+parse": the same requests through the same connector,
//!    records parsed and dropped;
//! 3. floor "write": the same records upserted straight into a fresh store of
//!    the same schema in one transaction (FTS included);
//! 4. an incremental sync with nothing changed (census not due, then due).
//!
//! After a sync the engine triages the tickets it changed (issue #6's work,
//! reported in `SyncSummary::triage_ms`); that time is shown on its own line
//! and not counted in the sync's figures and ratios.

#[path = "../tests/sync_common/fake_redmine.rs"]
mod fake_redmine;

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use hypercare::model::{SourceKind, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use hypercare::sync::SyncOptions;
use hypercare::Store;

fn store_with_source(dir: &std::path::Path, url: &str) -> Store {
    let store = Store::open_dir(dir).expect("store");
    store
        .add_source(
            &NewSource {
                name: "bench".into(),
                kind: SourceKind::Redmine,
                url: url.into(),
                project: "fake".into(),
                token_env: None,
                config: serde_json::json!({}),
            },
            chrono::Utc::now(),
        )
        .expect("source");
    store
}

/// Floor 1: list every page and fetch every ticket, parse, keep the records.
async fn fetch_only(url: &str, opts: &SyncOptions) -> (Vec<TicketRecord>, u64) {
    let conn = hypercare::sync::connector(SourceKind::Redmine, url, "fake", Some(fake_redmine::KEY), opts).expect("connector");
    let mut records = Vec::new();
    let mut offset = 0;
    loop {
        let page = conn.list_changed(None, offset).await.expect("page");
        let n = page.items.len() as u64;
        let got: Vec<Option<TicketRecord>> = futures::stream::iter(page.items)
            .map(|s| {
                let conn = conn.clone();
                async move { conn.fetch_ticket(&s.remote_id).await }
            })
            .buffered(opts.concurrency)
            .try_collect()
            .await
            .expect("tickets");
        records.extend(got.into_iter().flatten());
        if n < conn.page_size() {
            break;
        }
        offset += n;
    }
    (records, conn.requests())
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn main() {
    let n: u64 = std::env::var("HC_BENCH_TICKETS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let comments = 3;
    eprintln!("generating {n} tickets with {comments} comments each...");
    let fake = fake_redmine::FakeRedmine::start(fake_redmine::generate(n, comments));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let opts = SyncOptions::default();

    // Floor 1: fetch + parse.
    let t = Instant::now();
    let (records, fetch_requests) = rt.block_on(fetch_only(&fake.url, &opts));
    let fetch = t.elapsed();
    assert_eq!(records.len() as u64, n);

    // Floor 2: write the same records in one transaction.
    let dir_w = tempfile::tempdir().expect("tempdir");
    let store_w = store_with_source(dir_w.path(), &fake.url);
    let sid = store_w.source("bench").expect("source").id;
    let t = Instant::now();
    store_w.with_tx(|tx| upsert_tickets(tx, sid, &records)).expect("write");
    let write = t.elapsed();
    drop(records);

    // The whole sync.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_with_source(dir.path(), &fake.url);
    let t = Instant::now();
    let full = rt
        .block_on(hypercare::sync::sync_source(&store, "bench", Some(fake_redmine::KEY.into()), chrono::Utc::now(), &|_| {}))
        .expect("sync");
    let sync = t.elapsed();
    assert_eq!(full.created, n);

    // Incremental, nothing changed: census not due, then due.
    let t = Instant::now();
    let idle = rt
        .block_on(hypercare::sync::sync_source(&store, "bench", Some(fake_redmine::KEY.into()), chrono::Utc::now(), &|_| {}))
        .expect("idle sync");
    let idle_time = t.elapsed();
    store.with_tx(|tx| Ok(tx.execute("UPDATE sources SET census_at = 0", [])?)).expect("census due");
    let t = Instant::now();
    let census = rt
        .block_on(hypercare::sync::sync_source(&store, "bench", Some(fake_redmine::KEY.into()), chrono::Utc::now(), &|_| {}))
        .expect("census sync");
    let census_time = t.elapsed();

    let floor = fetch.max(write);
    let n = n as usize;
    println!("sync benchmark: {n} tickets x {comments} comments, Redmine-shaped server on loopback, detail concurrency {}", opts.concurrency);
    println!("{:<34} {:>10} {:>14} {:>10}", "run", "seconds", "tickets/s", "requests");
    // The sync proper, without the triage of the new tickets that follows it.
    let triage = Duration::from_millis(full.triage_ms);
    let sync_all = sync;
    let sync = sync_all.saturating_sub(triage);
    println!("{:<34} {:>10.2} {:>14.0} {:>10}", "full sync (fresh store)", sync.as_secs_f64(), rate(n, sync), full.requests);
    println!("{:<34} {:>10.2} {:>14} {:>10}", "  then triage of the new tickets", triage.as_secs_f64(), "-", "-");
    println!("{:<34} {:>10.2} {:>14.0} {:>10}", "  sync + triage", sync_all.as_secs_f64(), rate(n, sync_all), "-");
    println!("{:<34} {:>10.2} {:>14.0} {:>10}", "floor: fetch + parse only", fetch.as_secs_f64(), rate(n, fetch), fetch_requests);
    println!("{:<34} {:>10.2} {:>14.0} {:>10}", "floor: write only (one tx)", write.as_secs_f64(), rate(n, write), 0);
    println!("{:<34} {:>10.3} {:>14} {:>10}", "incremental, nothing changed", idle_time.as_secs_f64(), "-", idle.requests);
    println!("{:<34} {:>10.3} {:>14} {:>10}", "incremental + census due", census_time.as_secs_f64(), "-", census.requests);
    println!(
        "ratios: sync / larger floor = {:.2} (target <= 1.25); sync / (fetch + write) = {:.2}; target >= 2000 tickets/s: {}",
        sync.as_secs_f64() / floor.as_secs_f64(),
        sync.as_secs_f64() / (fetch + write).as_secs_f64(),
        if rate(n, sync) >= 2000.0 { "met" } else { "NOT met" }
    );
}
