//! Start-up measurement, not a test: `scripts/measure-startup.sh` runs it on
//! release builds. For the app and for an empty Tauri window from the same
//! dependencies (`examples/empty.rs`) it takes, per launch on a fresh data
//! directory, the time from asking WebDriver for a session (which spawns
//! the binary) until the first row of the inbox (the empty page's paragraph)
//! exists in the DOM, and the PSS of the process with its WebKit children.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use support::{procs, App};

/// The selector that means "the inbox has rendered" on the demo workspace.
const APP_READY: &str = "[data-testid=\"inbox-row\"]";
const EMPTY_READY: &str = "[data-testid=\"empty-ready\"]";

struct Sample {
    start: Duration,
    pss_kib: u64,
    processes: usize,
}

async fn measure_once(name: &str, binary: &PathBuf, ready: &str) -> Result<Sample> {
    let mut app = App::prepare(name, binary, &[])?;
    let t0 = Instant::now();
    app.connect().await?;
    let deadline = t0 + Duration::from_secs(60);
    while app.count(ready).await? == 0 {
        if Instant::now() > deadline {
            bail!("{name}: {ready} did not appear within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let start = t0.elapsed();
    // Let the first paint and the WebKit processes settle before reading memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pids = app.app_processes();
    let pss_kib = pids.iter().filter_map(|&pid| procs::pss_kib(pid)).sum();
    let sample = Sample { start, pss_kib, processes: pids.len() };
    app.finish(Ok(())).await;
    Ok(sample)
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

#[tokio::test]
async fn measure_startup() {
    let Some(empty) = std::env::var_os("HYPERCARE_MEASURE_EMPTY").map(PathBuf::from) else {
        eprintln!("skipped: run scripts/measure-startup.sh (HYPERCARE_MEASURE_EMPTY not set)");
        return;
    };
    let desk = std::env::var_os("HYPERCARE_MEASURE_APP").map(PathBuf::from).unwrap_or_else(support::app::app_binary);
    let runs: usize = std::env::var("HYPERCARE_MEASURE_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let (mut e, mut d) = (Vec::new(), Vec::new());
    for i in 0..runs {
        // Interleave, so load from the rest of the machine hits both alike.
        e.push(measure_once(&format!("empty-{i}"), &empty, EMPTY_READY).await.unwrap_or_else(|err| panic!("{err:?}")));
        d.push(measure_once(&format!("desk-{i}"), &desk, APP_READY).await.unwrap_or_else(|err| panic!("{err:?}")));
    }
    println!("\nstart-up to first render, {runs} launches each, fresh data dir each (demo workspace)");
    println!("{:<22} {:>9} {:>15} {:>9} {:>6}", "binary", "median ms", "min-max ms", "PSS MiB", "procs");
    let (e_ms, e_mib) = row("empty Tauri window", &e);
    let (d_ms, d_mib) = row("hypercare-desk", &d);
    println!("{:<22} {:>8.2}x {:>15} {:>8.2}x", "ratio desk/empty", d_ms / e_ms, "", d_mib / e_mib);
    println!("binaries: {} / {}", empty.display(), desk.display());
}
