//! Start-up measurement, not a test: `scripts/measure-startup.sh` runs it on
//! release builds. For the app and for an empty Tauri window from the same
//! dependencies (`examples/empty.rs`) it takes, per launch on a fresh data
//! directory, the time from asking WebDriver for a session (which spawns
//! the binary) until the first row of the inbox (the empty page's paragraph)
//! exists in the DOM, and the PSS of the process with its WebKit children.
//!
//! With `HYPERCARE_MEASURE_SEARCH_DIR` (a workspace of 100,000 demo tickets,
//! `hypercare demo --tickets 100000`), it also measures inbox search latency
//! as the UI sees it: from the webview's `invoke("query_tickets")` to the
//! parsed result in JavaScript (IPC, the core's query, JSON both ways), for
//! the same query classes as `cargo bench --bench search`.

mod support;
#[path = "../../benches/support/search_classes.rs"]
mod search_classes;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use search_classes::{CLASSES, TARGET_P95_MS};
use support::{procs, App};

/// The selector that means "the inbox has rendered" on the demo workspace.
const APP_READY: &str = "[data-testid=\"inbox-row\"]";
const EMPTY_READY: &str = "[data-testid=\"empty-ready\"]";

struct Sample {
    start: Duration,
    pss_kib: u64,
    processes: usize,
}

/// Wait for `ready` after a launch that started at `t0`; then the PSS of the
/// app with its WebKit processes, once the first paint has settled.
async fn sample(app: &App, name: &str, ready: &str, t0: Instant) -> Result<Sample> {
    let deadline = t0 + Duration::from_secs(60);
    while app.count(ready).await? == 0 {
        if Instant::now() > deadline {
            bail!("{name}: {ready} did not appear within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let start = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pids = app.app_processes();
    let pss_kib = pids.iter().filter_map(|&pid| procs::pss_kib(pid)).sum();
    Ok(Sample { start, pss_kib, processes: pids.len() })
}

/// One launch on a fresh data directory (for the app: the first run, which
/// loads the demo) and, with `again`, a second launch on the same directory
/// (the everyday start). Returns (first, second).
async fn measure_once(name: &str, binary: &PathBuf, ready: &str, again: bool) -> Result<(Sample, Option<Sample>)> {
    let mut app = App::prepare(name, binary, &[])?;
    let outcome = async {
        let t0 = Instant::now();
        app.connect().await?;
        let first = sample(&app, name, ready, t0).await?;
        let second = if again {
            let t0 = Instant::now();
            app.relaunch().await?;
            Some(sample(&app, name, ready, t0).await?)
        } else {
            None
        };
        Ok((first, second))
    }
    .await;
    match outcome {
        Ok(samples) => {
            app.finish(Ok(())).await;
            Ok(samples)
        }
        Err(e) => {
            app.finish(Err(anyhow::anyhow!("{e:?}"))).await;
            Err(e)
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn row(label: &str, samples: &[Sample]) -> (f64, f64) {
    let ms: Vec<f64> = samples.iter().map(|s| s.start.as_secs_f64() * 1000.0).collect();
    let mib: Vec<f64> = samples.iter().map(|s| s.pss_kib as f64 / 1024.0).collect();
    let (lo, hi) = ms.iter().fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let (m_ms, m_mib) = (median(ms), median(mib));
    let procs = samples.first().map_or(0, |s| s.processes);
    println!("{label:<22} {m_ms:>9.0} {lo:>7.0}-{hi:<7.0} {m_mib:>9.1} {procs:>6}");
    (m_ms, m_mib)
}

const SEARCH_RUNS: usize = 120;

/// Times `invoke("query_tickets")` in the webview; returns per class the
/// sorted latencies in ms and the rows of the last result.
const SEARCH_JS: &str = r#"
const [classes, runs, done] = arguments;
const invoke = window.__TAURI_INTERNALS__.invoke;
(async () => {
  const out = [];
  for (const [name, searches, filtered] of classes) {
    const ms = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const s = searches[i % searches.length];
      const query = { search: s === "" ? null : s, limit: 50,
        status_class: filtered ? "open" : null, priority: filtered ? "Immediate" : null };
      const t0 = performance.now();
      const result = await invoke("query_tickets", { query });
      ms.push(performance.now() - t0);
      rows = result.length;
    }
    ms.sort((a, b) => a - b);
    out.push({ name, ms, rows });
  }
  done(out);
})().catch((e) => done({ error: String(e && e.message || e) }));
"#;

async fn measure_search(binary: &PathBuf, data_dir: &std::path::Path) -> Result<()> {
    let dir = data_dir.to_string_lossy().into_owned();
    let mut app = App::prepare("search", binary, &[("HYPERCARE_DATA_DIR", &dir)])?;
    app.connect().await?;
    let outcome = async {
        app.wait_css(APP_READY, Duration::from_secs(60)).await?;
        // The newest 50 without a search first: the baseline.
        let baseline = serde_json::json!(["no search (baseline)", [""], false]);
        let classes: Vec<serde_json::Value> = std::iter::once(baseline)
            .chain(CLASSES.iter().map(|(n, s, f)| serde_json::json!([n, s, f])))
            .collect();
        let client = app.client()?;
        let v = client.execute_async(SEARCH_JS, vec![serde_json::json!(classes), serde_json::json!(SEARCH_RUNS)]).await?;
        if let Some(err) = v.get("error") {
            bail!("search in the webview failed: {err}");
        }
        println!("\ninbox search as the UI sees it (invoke → result in JS), top 50, {SEARCH_RUNS} runs per class");
        println!("workspace: {} (WebKit's performance.now() counts whole milliseconds)", data_dir.display());
        println!("{:<22} {:>8} {:>8} {:>8} {:>6}", "query class", "p50 ms", "p95 ms", "max ms", "rows");
        let mut worst = 0f64;
        for c in v.as_array().into_iter().flatten() {
            let ms: Vec<f64> = c["ms"].as_array().into_iter().flatten().filter_map(|x| x.as_f64()).collect();
            let at = |q: usize| ms.get((ms.len() * q / 100).min(ms.len().saturating_sub(1))).copied().unwrap_or(f64::NAN);
            let (p50, p95, max) = (at(50), at(95), ms.last().copied().unwrap_or(f64::NAN));
            let name = c["name"].as_str().unwrap_or("?");
            if !name.starts_with("no search") {
                worst = worst.max(p95);
            }
            println!("{name:<22} {p50:>8.2} {p95:>8.2} {max:>8.2} {:>6}", c["rows"]);
        }
        let verdict = if worst <= TARGET_P95_MS { "met" } else { "NOT met" };
        println!("worst p95 over the search classes: {worst:.2} ms (target <= {TARGET_P95_MS} ms: {verdict})");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
    Ok(())
}

#[tokio::test]
async fn measure_startup() {
    let Some(empty) = std::env::var_os("HYPERCARE_MEASURE_EMPTY").map(PathBuf::from) else {
        eprintln!("skipped: run scripts/measure-startup.sh (HYPERCARE_MEASURE_EMPTY not set)");
        return;
    };
    let desk = std::env::var_os("HYPERCARE_MEASURE_APP").map(PathBuf::from).unwrap_or_else(support::app::app_binary);
    let runs: usize = std::env::var("HYPERCARE_MEASURE_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let (mut e, mut d, mut d2) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        // Interleave, so load from the rest of the machine hits both alike.
        let (empty_sample, _) =
            measure_once(&format!("empty-{i}"), &empty, EMPTY_READY, false).await.unwrap_or_else(|err| panic!("{err:?}"));
        e.push(empty_sample);
        let (first, second) =
            measure_once(&format!("desk-{i}"), &desk, APP_READY, true).await.unwrap_or_else(|err| panic!("{err:?}"));
        d.push(first);
        d2.extend(second);
    }
    println!("\nstart-up to first render, {runs} launches each (demo workspace)");
    println!("{:<22} {:>9} {:>15} {:>9} {:>6}", "binary", "median ms", "min-max ms", "PSS MiB", "procs");
    let (e_ms, e_mib) = row("empty Tauri window", &e);
    let (d_ms, d_mib) = row("desk, first run", &d);
    let (d2_ms, d2_mib) = row("desk, next start", &d2);
    println!("{:<22} {:>8.2}x {:>15} {:>8.2}x", "first run / empty", d_ms / e_ms, "", d_mib / e_mib);
    println!("{:<22} {:>8.2}x {:>15} {:>8.2}x", "next start / empty", d2_ms / e_ms, "", d2_mib / e_mib);
    println!("first run: a fresh data directory, so the app loads and triages the demo before the inbox shows;");
    println!("next start: the same directory launched again (the everyday case).");
    println!("binaries: {} / {}", empty.display(), desk.display());
    if let Some(dir) = std::env::var_os("HYPERCARE_MEASURE_SEARCH_DIR").map(PathBuf::from) {
        measure_search(&desk, &dir).await.unwrap_or_else(|err| panic!("{err:?}"));
    }
}
