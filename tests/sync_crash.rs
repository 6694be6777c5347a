//! Crash safety: the real `hypercare sync` process is killed (SIGKILL) at
//! random instants after the run has started, while the server keeps changing; every rerun to the end
//! leaves the store equal to the server (subjects, statuses, comment counts,
//! tombstones for deleted tickets).

mod sync_common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hypercare::model::TicketQuery;
use hypercare::Store;
use rand::RngExt;
use sync_common::fake_redmine::{generate, FakeRedmine, KEY, T0};
use sync_common::{add_redmine, stored};

const STATUS_NAMES: [&str; 7] = ["", "New", "In Progress", "Resolved", "Feedback", "Closed", "Rejected"];

fn hypercare(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    c.arg("--data-dir").arg(dir).env("HC_TEST_TOKEN", KEY).stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// The store must equal the server: every live issue stored with its subject,
/// status and comment count, every other stored ticket a tombstone.
fn assert_mirrors(store: &Store, fake: &FakeRedmine, trial: usize) {
    let tickets = stored(store);
    let server: BTreeMap<String, (String, String, i64)> = fake
        .state()
        .issues
        .values()
        .map(|i| {
            let comments = i.journals.iter().filter(|j| !j.notes.trim().is_empty()).count() as i64;
            (i.id.to_string(), (i.subject.clone(), STATUS_NAMES[i.status_id as usize].to_string(), comments))
        })
        .collect();
    for (id, (subject, status, comments)) in &server {
        let t = tickets.get(id).unwrap_or_else(|| panic!("trial {trial}: issue {id} missing from the store"));
        assert_eq!((&t.title, &t.status, t.comment_count, t.deleted), (subject, status, *comments, false), "trial {trial}: issue {id}");
    }
    for (id, t) in &tickets {
        if !server.contains_key(id) {
            assert!(t.deleted, "trial {trial}: {id} is gone from the server but not a tombstone");
        }
    }
    // A fresh connection: FTS5's integrity check trusts a long-lived
    // connection's cached index structure after another process wrote.
    let fresh = rusqlite::Connection::open(store.path()).expect("open");
    let ok: String = fresh.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(ok, "ok", "trial {trial}");
    // The search index follows the comments: this trial's word finds exactly
    // the live issues that got this trial's comment.
    let word = format!("trialword{trial}");
    let expected: Vec<String> = fake
        .state()
        .issues
        .values()
        .filter(|i| i.journals.iter().any(|j| j.notes.contains(&word)))
        .map(|i| i.id.to_string())
        .collect();
    let q = TicketQuery { search: Some(word), limit: Some(10_000), ..Default::default() };
    let mut found: Vec<String> = store.tickets(&q).expect("search").into_iter().map(|t| t.remote_id).collect();
    found.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(found, expected, "trial {trial}: search");
}

fn runs(store: &Store) -> i64 {
    store.read(|c| Ok(c.query_row("SELECT count(*) FROM sync_runs", [], |r| r.get(0))?)).expect("runs")
}

#[test]
fn killed_syncs_rerun_to_exactly_the_servers_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(1_500, 2));
    fake.state().delay = Duration::from_millis(4);
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({"census_interval_secs": 0}));
    let mut rng = rand::rng();
    let server_clock = fake.clock();
    server_clock.set(T0 + 100_000);
    let mut clock = server_clock.now();
    let mut killed_mid_sync = 0;
    let mut last_run = Duration::from_millis(1_500);
    for trial in 0..16 {
        // The server changes between runs: comments, status changes, a
        // deletion, stamped as a server stamps them, never before its present
        // (its `Date`). A change may share the second of the last synced one:
        // the fresh rule's case, judged on the server's clock. The stamps run
        // up to minutes ahead; the server's clock catches up before the sync.
        clock = clock.max(server_clock.now());
        {
            let mut s = fake.state();
            for _ in 0..150 {
                let id = rng.random_range(1..=1_500u64);
                let status = [None, Some(3), Some(5), Some(1)][rng.random_range(0..4usize)];
                s.comment(id, &format!("trialword{trial} comment"), status, clock);
                clock += rng.random_range(0..2i64);
            }
            let victim = rng.random_range(1..=1_500u64);
            s.issues.remove(&victim);
            server_clock.set(clock.max(server_clock.now()));
        }
        let mut child = hypercare(dir.path()).args(["sync", "fake", "--json"]).spawn().expect("spawn");
        // Wait until the run has started (its sync_runs row exists), then
        // kill it anywhere within a typical run's length.
        let runs_before = runs(&store);
        let started = Instant::now();
        while runs(&store) == runs_before && started.elapsed() < Duration::from_secs(5) {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let wait = Duration::from_millis(rng.random_range(0..(last_run.as_millis() as u64 / 2).max(1)));
        let started = Instant::now();
        while started.elapsed() < wait {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
        }
        let _ = child.wait();
        let running: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM sync_runs WHERE status = 'running'", [], |r| r.get(0))?))
            .expect("runs");
        killed_mid_sync += running.min(1);
        let out = hypercare(dir.path()).args(["sync", "fake", "--json"]).stdout(Stdio::piped()).output().expect("rerun");
        assert!(out.status.success(), "trial {trial}: rerun failed: {}", String::from_utf8_lossy(&out.stderr));
        // The sync's own length (its run row is open that long), not the
        // process's: triage of the changed tickets follows the sync.
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sync --json");
        last_run = Duration::from_millis(summary["duration_ms"].as_u64().expect("duration_ms"));
        assert_mirrors(&store, &fake, trial);
    }
    eprintln!("killed mid-sync in {killed_mid_sync} of 16 trials");
    assert!(killed_mid_sync >= 10, "only {killed_mid_sync} of 16 runs were killed mid-sync; slow the fake down");
}
