//! Inbox search latency at 100,000 tickets, as the UI issues it.
//!
//! `cargo bench --bench search`. Builds (once, cached under the target
//! directory) a store of 100,000 tickets from the demo generator, then times
//! `Store::tickets` with a search and a limit of 50 for each query class,
//! beside the same query without a search (the newest 50) as the baseline.
//! Target: p95 <= 30 ms for every class. Then the total behind a full page
//! (`Store::count_tickets`, asked by the inbox after the page shows; no
//! target) and what rebuilding the full-text index costs at this size (the
//! upgrade to migration 101, the stemmed index). `HYPERCARE_BENCH_REBUILD=1`
//! rebuilds the store.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "support/search_classes.rs"]
mod search_classes;

use hypercare::demo::{DemoConfig, Generator};
use hypercare::model::{SourceKind, StatusClass, TicketQuery};
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::{query_plan, upsert_tickets};
use hypercare::Store;

use search_classes::{CLASSES, TARGET_P95_MS};

const TICKETS: usize = 100_000;
/// Bump when the generator or the schema changes, so a stale cached store is rebuilt.
const STORE_VERSION: u32 = 4;
const CHUNK: usize = 5_000;
const RUNS: usize = 300;


fn store_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("search-bench-{TICKETS}-v{STORE_VERSION}.sqlite3"))
}

fn ticket_count(store: &Store) -> i64 {
    store.read(|c| Ok(c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?)).unwrap_or(-1)
}

fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn build(path: &Path) -> Store {
    remove_store(path);
    let started = Instant::now();
    let store = Store::open(path).expect("open the bench store");
    let source = NewSource {
        name: "bench".into(),
        kind: SourceKind::Demo,
        url: String::new(),
        project: String::new(),
        token_env: None,
        config: serde_json::json!({}),
    };
    let when = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
    let source = store.add_source(&source, when).expect("add the bench source");
    let generator = Generator::new(&DemoConfig { tickets: TICKETS, ..Default::default() }).expect("generator");
    for start in (0..generator.len()).step_by(CHUNK) {
        let records = generator.tickets(start..start + CHUNK);
        store.with_tx(|tx| upsert_tickets(tx, source.id, &records)).expect("write a chunk");
        eprint!("\rbuilding the bench store: {} / {TICKETS}", start + records.len());
    }
    eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    store
}

fn open_or_build() -> Store {
    let path = store_path();
    let rebuild = std::env::var_os("HYPERCARE_BENCH_REBUILD").is_some();
    if path.exists() && !rebuild {
        if let Ok(store) = Store::open(&path) {
            if ticket_count(&store) == TICKETS as i64 {
                return store;
            }
        }
    }
    build(&path)
}

fn query(search: Option<&str>, filtered: bool) -> TicketQuery {
    TicketQuery {
        search: search.map(str::to_string),
        limit: Some(50),
        status_class: filtered.then_some(StatusClass::Open),
        priority: filtered.then(|| "Immediate".to_string()),
        ..Default::default()
    }
}

fn time_one(store: &Store, q: &TicketQuery) -> (Duration, usize) {
    let started = Instant::now();
    let rows = store.tickets(q).expect("inbox query");
    (started.elapsed(), rows.len())
}

/// Tickets that match `search` (the size of the result a query must page through).
fn matches(store: &Store, search: &str) -> i64 {
    let Some(m) = hypercare::store::tickets::fts_query(search) else { return 0 };
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH ?1", [m], |r| r.get(0))?))
        .unwrap_or(-1)
}

struct Stats {
    p50: f64,
    p95: f64,
    max: f64,
}

fn stats(mut ds: Vec<Duration>) -> Stats {
    ds.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: usize| ms(ds[(ds.len() * q / 100).min(ds.len() - 1)]);
    Stats { p50: at(50), p95: at(95), max: ms(*ds.last().unwrap_or(&Duration::ZERO)) }
}

/// Drop the store's pages from the OS page cache (Linux), so the next open
/// reads from disk as after a reboot. Returns whether it could.
fn evict_from_os_cache(path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let mut ok = true;
        for suffix in ["", "-wal"] {
            let Ok(f) = std::fs::File::open(format!("{}{suffix}", path.display())) else { continue };
            let _ = f.sync_all();
            // SAFETY: a valid open descriptor; the call only gives the kernel advice.
            ok &= unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) } == 0;
        }
        ok
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        false
    }
}

/// Time `searches` round-robin on a warm store; also the first query on a
/// freshly opened store with the OS page cache emptied of it.
fn measure(path: &Path, store: &Store, queries: &[TicketQuery]) -> (Stats, f64, usize) {
    evict_from_os_cache(path);
    let cold = Store::open(path).expect("reopen");
    let (first, _) = time_one(&cold, &queries[0]);
    drop(cold);
    let mut ds = Vec::with_capacity(RUNS);
    let mut rows = usize::MAX;
    for i in 0..RUNS {
        let (d, n) = time_one(store, &queries[i % queries.len()]);
        rows = rows.min(n);
        ds.push(d);
    }
    (stats(ds), first.as_secs_f64() * 1e3, rows)
}

fn main() {
    let store = open_or_build();
    let path = store_path();
    println!("Inbox search over {TICKETS} tickets ({}), {RUNS} runs per class, limit 50", path.display());
    for (_, searches, _) in CLASSES.iter().take(5) {
        for s in *searches {
            println!("  {s:<16} matches {:>6} tickets", matches(&store, s));
        }
    }
    println!("Plan, search:            {}", plan(&store, Some("production"), false));
    println!("Plan, no search:         {}", plan(&store, None, false));
    println!("Plan, filters:           {}", plan(&store, None, true));
    println!("Plans, search + filters: {}", plan(&store, Some("production"), true));
    println!();
    println!("{:<13} {:>8} {:>8} {:>8} {:>11} {:>6} {:>10} {:>7}", "class", "p50 ms", "p95 ms", "max ms", "1st ms", "rows", "p50/base", "target");
    let mut base = Stats { p50: 0.0, p95: 0.0, max: 0.0 };
    for (name, filtered) in [("no search", false), ("filter only", true)] {
        let (b, first, rows) = measure(&path, &store, &[query(None, filtered)]);
        println!("{name:<13} {:>8.2} {:>8.2} {:>8.2} {first:>11.2} {rows:>6} {:>10} {:>7}", b.p50, b.p95, b.max, "-", "-");
        if !filtered {
            base = b;
        }
    }
    let mut all_ok = true;
    for (name, searches, filtered) in CLASSES {
        let qs: Vec<TicketQuery> = searches.iter().map(|s| query(Some(s), *filtered)).collect();
        let (s, first, rows) = measure(&path, &store, &qs);
        let ok = s.p95 <= TARGET_P95_MS;
        all_ok &= ok;
        println!(
            "{:<13} {:>8.2} {:>8.2} {:>8.2} {:>11.2} {:>6} {:>9.1}x {:>7}",
            name,
            s.p50,
            s.p95,
            s.max,
            first,
            rows,
            s.p50 / base.p50.max(1e-6),
            if ok { "ok" } else { "MISSED" }
        );
    }
    println!();
    println!(
        "1st ms = the first query on a freshly opened store, {}.",
        if evict_from_os_cache(&path) { "its file evicted from the OS page cache (cold as after a reboot)" } else { "OS page cache warm" }
    );
    println!("{}", if all_ok { "Every class meets p95 <= 30 ms." } else { "Some class misses p95 <= 30 ms." });
    counts(&store, &base);
    reindex(&store);
}

/// The inbox's total for each class (asked after a full page shows).
fn counts(store: &Store, base: &Stats) {
    const COUNT_RUNS: usize = 30;
    println!();
    println!("Totals (count_tickets), {COUNT_RUNS} runs per class");
    println!("{:<13} {:>8} {:>8} {:>8} {:>10}", "class", "p50 ms", "p95 ms", "total", "p50/base");
    for (name, searches, filtered) in CLASSES {
        let qs: Vec<TicketQuery> = searches.iter().map(|s| query(Some(s), *filtered)).collect();
        let mut ds = Vec::with_capacity(COUNT_RUNS);
        let mut total = 0;
        for i in 0..COUNT_RUNS {
            let started = Instant::now();
            total = store.count_tickets(&qs[i % qs.len()]).expect("count");
            ds.push(started.elapsed());
        }
        let s = stats(ds);
        println!("{name:<13} {:>8.2} {:>8.2} {total:>8} {:>9.1}x", s.p50, s.p95, s.p50 / base.p50.max(1e-6));
    }
}

/// Rebuild the full-text index as migration 101 does (drop, create, index
/// every ticket and its comments) and report how long an upgrade takes here.
fn reindex(store: &Store) {
    let Some(m) = hypercare::store::migrations::MIGRATIONS.iter().find(|m| m.version == 101) else { return };
    let started = Instant::now();
    let done = store.with_tx(|tx| Ok(tx.execute_batch(m.sql)?));
    println!();
    match done {
        Ok(()) => println!("Rebuilding the stemmed full-text index over {TICKETS} tickets (migration 101): {:.2} s", started.elapsed().as_secs_f64()),
        Err(e) => println!("Rebuilding the full-text index failed: {e}"),
    }
}

fn plan(store: &Store, search: Option<&str>, filtered: bool) -> String {
    store.read(|c| query_plan(c, &query(search, filtered))).map(|v| v.join("\n   then, if needed: ")).unwrap_or_else(|e| e.to_string())
}
