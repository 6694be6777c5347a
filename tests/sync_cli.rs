//! `hypercare sync` as users and scripts call it: the JSON summary, and one
//! clear line with a non-zero exit when something is wrong.

mod sync_common;

use std::process::{Command, Output};

use hypercare::Store;
use sync_common::fake_redmine::{generate, FakeRedmine, KEY};
use sync_common::add_redmine;

fn run(dir: &std::path::Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    c.arg("--data-dir").arg(dir).args(args).env_remove("HC_TEST_TOKEN");
    if let Some(t) = token {
        c.env("HC_TEST_TOKEN", t);
    }
    c.output().expect("run hypercare")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sync_json_prints_one_summary_object_per_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(120, 1));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    let out = run(dir.path(), Some(KEY), &["sync", "fake", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["source"], "fake");
    assert_eq!((v["fetched"].as_u64(), v["created"].as_u64(), v["deleted"].as_u64()), (Some(120), Some(120), Some(0)));
    assert!(v["requests"].as_u64().unwrap_or(0) >= 122 && v["duration_ms"].is_u64(), "{v}");
    let out = run(dir.path(), Some(KEY), &["tickets", "--json"]);
    let tickets: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(tickets.as_array().map(Vec::len), Some(120));
}

#[test]
fn a_missing_token_variable_is_one_line_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    add_redmine(&store, "fake", "http://127.0.0.1:9", "fake", serde_json::json!({}));
    let out = run(dir.path(), None, &["sync", "fake"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("HC_TEST_TOKEN") && err.contains("not set"), "{err}");
}

#[test]
fn a_refused_token_and_an_unknown_source_fail_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(5, 0));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    let out = run(dir.path(), Some("wrong"), &["sync", "fake", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("refused the API token") && stderr(&out).lines().count() == 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = run(dir.path(), Some(KEY), &["sync", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no source named \"nope\""), "{}", stderr(&out));
}

#[test]
fn a_second_sync_of_the_same_source_waits_its_turn_with_a_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(200, 1));
    fake.state().delay = std::time::Duration::from_millis(40);
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));

    // The first sync runs in another process; wait until it has started its run.
    let first = Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["sync", "fake", "--json"])
        .env("HC_TEST_TOKEN", KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the first sync");
    let running = || {
        store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM sync_runs WHERE status = 'running'", [], |r| r.get::<_, i64>(0))?))
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while running() == 0 {
        assert!(std::time::Instant::now() < deadline, "the first sync never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let second = run(dir.path(), Some(KEY), &["sync", "fake", "--json"]);
    assert!(!second.status.success(), "a second sync of the same source must not run alongside the first");
    assert!(stderr(&second).contains("already syncing"), "{}", stderr(&second));
    assert_eq!(stderr(&second).lines().count(), 1, "{}", stderr(&second));

    let first = first.wait_with_output().expect("the first sync ends");
    assert!(first.status.success(), "{}", stderr(&first));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    assert_eq!(v["created"], 200, "the first sync was not disturbed: {v}");

    // Once it is done, the next sync runs (and finds nothing new).
    let again = run(dir.path(), Some(KEY), &["sync", "fake", "--json"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert_eq!(v["created"], 0, "{v}");
}
