//! ServiceNow sync benchmark: `cargo bench --bench sync_servicenow`
//! (HC_BENCH_INCIDENTS=N, default 2,000; HC_BENCH_LATENCY_MS=L, default 20).
//!
//! A ServiceNow-shaped server on loopback (`tests/sync_common/fake_servicenow.rs`)
//! holds N incidents with two additional comments each and answers every
//! request after L ms, a modest WAN round trip (loopback alone makes a
//! request nearly free, which would hide what a request costs). Measured in
//! the same run, each into a fresh store:
//! 1. baseline: the same connector reading one record and its journal per
//!    request (the engine's per-ticket path, `Connector::fetch_ticket`);
//! 2. shipped: a listing page's records in one request (`sys_idIN…`) and
//!    their comments in another (`element_idIN…`).
//!
//! Both must store the same tickets with the same comments; the report gives
//! seconds (the sync proper: the triage of the new tickets that follows a
//! sync is left out, as in `benches/sync.rs`), requests and the ratios
//! shipped / baseline.

#[path = "../tests/sync_common/mod.rs"]
#[allow(dead_code, unused_imports)]
mod sync_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hypercare::model::{SourceKind, SyncSummary, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::sync::connector::{Census, ChangedPage, Connector};
use hypercare::sync::{ConnectionInfo, SyncOptions};
use hypercare::Store;
use sync_common::fake_servicenow::{generate, secret, sys_id, FakeServiceNow, T0};

/// The shipped connector with its batched read hidden: the engine falls
/// back to the trait's per-ticket default.
struct OneByOne(Arc<dyn Connector>);

#[async_trait]
impl Connector for OneByOne {
    fn page_size(&self) -> u64 {
        self.0.page_size()
    }
    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> hypercare::Result<ChangedPage> {
        self.0.list_changed(since, offset).await
    }
    async fn fetch_ticket(&self, remote_id: &str) -> hypercare::Result<Option<TicketRecord>> {
        self.0.fetch_ticket(remote_id).await
    }
    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> hypercare::Result<Census> {
        self.0.census(progress).await
    }
    async fn test_connection(&self) -> hypercare::Result<ConnectionInfo> {
        self.0.test_connection().await
    }
    fn requests(&self) -> u64 {
        self.0.requests()
    }
    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.0.server_time()
    }
    async fn field_names(&self) -> hypercare::Result<Option<Vec<hypercare::sync::connector::FieldName>>> {
        self.0.field_names().await
    }
}

fn store_with_source(dir: &std::path::Path, url: &str) -> Store {
    let store = Store::open_dir(dir).expect("store");
    store
        .add_source(
            &NewSource {
                name: "sn".into(),
                kind: SourceKind::ServiceNow,
                url: url.into(),
                project: "incident".into(),
                token_env: None,
                config: serde_json::json!({}),
            },
            Utc::now(),
        )
        .expect("source");
    store
}

/// Sync into a fresh store, one record at a time or batched.
fn run(rt: &tokio::runtime::Runtime, url: &str, one_by_one: bool) -> (Duration, SyncSummary, Vec<(String, usize)>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_with_source(dir.path(), url);
    let t = Instant::now();
    let summary = rt.block_on(async {
        if one_by_one {
            let state = store.read(|c| hypercare::sync::state::source_state(c, "sn")).expect("state");
            let opts = SyncOptions::from_config(&state.config).expect("options");
            let conn = hypercare::sync::connector(SourceKind::ServiceNow, url, "incident", Some(&secret()), &opts).expect("connector");
            hypercare::sync::engine::run(&store, &state, Arc::new(OneByOne(conn)), &opts, Utc::now(), &|_| {}).await
        } else {
            hypercare::sync::sync_source(&store, "sn", Some(secret()), Utc::now(), &|_| {}).await
        }
    });
    let summary = summary.expect("sync");
    // The sync proper, without the triage of the new tickets that follows it.
    let elapsed = t.elapsed().saturating_sub(Duration::from_millis(summary.triage_ms));
    let comments: Vec<(String, usize)> = store
        .read(|c| {
            let mut q = c.prepare(
                "SELECT t.remote_id, (SELECT count(*) FROM comments m WHERE m.ticket_id = t.id) FROM tickets t ORDER BY t.remote_id",
            )?;
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("stored");
    (elapsed, summary.clone(), comments, dir)
}

fn main() {
    let n: u64 = std::env::var("HC_BENCH_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let latency: u64 = std::env::var("HC_BENCH_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    eprintln!("generating {n} incidents with 2 comments each...");
    let fake = FakeServiceNow::start(generate(n));
    {
        let mut s = fake.state();
        for i in 1..=n {
            s.journal(&sys_id(i), "comments", &format!("Reproduced for batch {i}"), T0 + 10_000 + i as i64);
            s.journal(&sys_id(i), "comments", &format!("Fixed in transport K9{i:05}, please retest"), T0 + 20_000 + i as i64);
        }
        s.latency = Some(Duration::from_millis(latency));
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");

    let (base_t, base, base_rows, _d1) = run(&rt, &fake.url, true);
    let (ship_t, ship, ship_rows, _d2) = run(&rt, &fake.url, false);
    assert_eq!(base.created, n);
    assert_eq!(ship_rows, base_rows, "both ways store the same tickets with the same comments");
    assert!(ship_rows.iter().all(|(_, c)| *c == 2), "every incident has its two comments");

    println!(
        "ServiceNow sync benchmark: {n} incidents x 2 comments, {latency} ms per answer, detail concurrency {}",
        SyncOptions::default().concurrency
    );
    println!("{:<44} {:>10} {:>10}", "run (fresh store each)", "seconds", "requests");
    println!("{:<44} {:>10.2} {:>10}", "baseline: one record + journal per request", base_t.as_secs_f64(), base.requests);
    println!("{:<44} {:>10.2} {:>10}", "shipped: a page's records + journals batched", ship_t.as_secs_f64(), ship.requests);
    println!(
        "ratios: shipped / baseline time = {:.3}, requests = {:.3}",
        ship_t.as_secs_f64() / base_t.as_secs_f64(),
        ship.requests as f64 / base.requests as f64
    );
}
