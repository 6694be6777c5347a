//! The Jira Cloud connector against a local Jira-shaped server
//! (`sync_common::fake_jira`) that serves the documented REST v3 shapes and
//! records what it was asked: the JQL and its date, token paging, fields,
//! the `Authorization` header.

mod sync_common;

use std::process::{Command, Output};
use std::time::Duration;

use hypercare::model::{SourceKind, StatusClass, SyncSummary};
use hypercare::store::sources::NewSource;
use hypercare::{ErrorCode, Store};
use serde_json::json;
use sync_common::fake_jira::{adf, at_ms, generate, jira_time, secret, Fault, FakeJira, Issue, Logged, PROJECT, T0_MS, TOKEN};
use sync_common::{cursor, now, stored};

const LISTING: &str = "/rest/api/3/search/jql";

fn add_jira(store: &Store, url: &str, config: serde_json::Value) {
    let source = NewSource {
        name: "jira".into(),
        kind: SourceKind::Jira,
        url: url.into(),
        project: PROJECT.into(),
        token_env: Some("HC_TEST_TOKEN".into()),
        config,
    };
    store.add_source(&source, now()).expect("add source");
}

async fn sync(store: &Store) -> hypercare::Result<SyncSummary> {
    hypercare::sync::sync_source(store, "jira", Some(secret()), now(), &|_| {}).await
}

fn q<'a>(l: &'a Logged, k: &str) -> Option<&'a str> {
    l.query.get(k).map(String::as_str)
}

fn setup(issues: std::collections::BTreeMap<u64, Issue>, config: serde_json::Value) -> (tempfile::TempDir, Store, FakeJira) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeJira::start(issues);
    add_jira(&store, &fake.url, config);
    (dir, store, fake)
}

#[tokio::test]
async fn a_first_sync_follows_next_page_tokens_through_every_page_with_basic_auth() {
    let (_dir, store, fake) = setup(generate(250, 1), json!({}));
    fake.state().page_cap = 40; // Jira sends fewer than asked: pages are filled by following tokens
    let s = sync(&store).await.expect("sync");
    assert_eq!((s.fetched, s.created, s.deleted), (250, 250, 0), "{s:?}");
    let t = stored(&store);
    assert_eq!(t.len(), 250);
    assert_eq!((t["10007"].key.as_str(), t["10007"].title.as_str()), ("HC-7", "Invoice posting fails for plant 7"));
    assert_eq!((t["10007"].tracker.as_str(), t["10007"].priority.as_str()), ("Bug", "Medium"));

    let listing = fake.requests(LISTING);
    // 250 issues, 40 a reply: 100 + 100 + 50 in engine pages = 3 + 3 + 2 replies.
    assert_eq!(listing.len(), 8, "{listing:#?}");
    for l in &listing {
        assert_eq!(q(l, "jql"), Some("project = \"HC\" ORDER BY updated ASC, key ASC"), "a first sync lists everything");
        assert_eq!(q(l, "fields"), Some("updated"));
        assert!(q(l, "maxResults").and_then(|m| m.parse::<u64>().ok()).is_some_and(|m| m > 0 && m <= 100), "{l:?}");
        assert_eq!(l.status, 200);
    }
    assert!(q(&listing[0], "nextPageToken").is_none(), "the first page has no token");
    assert!(listing[1..].iter().all(|l| q(l, "nextPageToken").is_some()), "every later page continues by token, none restarts");
    let auth = format!("Basic {}", base64_of(&secret()));
    assert!(fake.state().log.iter().all(|l| l.auth.as_deref() == Some(auth.as_str())), "email:token is sent as basic auth");
    assert!(fake.requests("/rest/api/3/search").iter().all(|l| l.path == LISTING), "never the removed /search");
    let details = fake.requests("/rest/api/3/issue/");
    assert_eq!(details.len(), 250, "one detail request per issue (comments fit the first page)");
    assert!(details.iter().all(|l| q(l, "expand") == Some("changelog") && q(l, "fields").is_some_and(|f| f.ends_with(",comment"))));
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn an_incremental_sync_picks_up_a_change_in_the_cursors_minute_and_one_indexed_late() {
    let mut issues = generate(30, 0); // updated 08:00:00 … 08:00:10 UTC
    let mut late = issues[&10001].clone();
    late.id = 10_031;
    late.summary = "Credit memo blocked".into();
    // Changed 2 minutes before the first sync's cursor, but not yet in the
    // search index when that sync ran.
    late.created = T0_MS - 300_000;
    late.updated = T0_MS - 120_000;
    late.unindexed = true;
    issues.insert(late.id, late);
    let (_dir, store, fake) = setup(issues, json!({}));
    sync(&store).await.expect("first sync");
    assert_eq!(stored(&store).len(), 30);
    let c: serde_json::Value = serde_json::from_str(&cursor(&store, "jira").expect("cursor")).expect("json");
    assert_eq!(c["since"], json!("2026-01-05T08:00:10Z"), "the cursor is the last change listed");

    fake.clear_log();
    {
        let mut s = fake.state();
        // 20 s after the cursor, in the same minute (08:00): a minute-precision
        // query that rounded up would skip it.
        s.edit(10003, "Posting fails since 9:00", T0_MS + 30_000);
        s.issues.get_mut(&10_031).expect("late").unindexed = false;
    }
    let s = sync(&store).await.expect("incremental sync");
    assert_eq!((s.fetched, s.created, s.updated), (2, 1, 1), "only the two changes are fetched: {s:?}");
    let t = stored(&store);
    assert_eq!(t.len(), 31, "nothing duplicated");
    assert_eq!(t["10003"].title, "Posting fails since 9:00");
    assert_eq!(t["10031"].title, "Credit memo blocked");
    let listing = fake.requests(LISTING);
    // Cursor 08:00:10Z − 5 min lag = 07:55:10Z = 08:55 in Berlin, the user's zone.
    assert_eq!(
        q(&listing[0], "jql"),
        Some("project = \"HC\" AND updated >= \"2026-01-05 08:55\" ORDER BY updated ASC, key ASC")
    );
    let s = sync(&store).await.expect("idle sync");
    assert_eq!((s.fetched, s.created, s.updated), (0, 0, 0), "overlap costs a comparison, not a fetch");
    assert_eq!(s.requests, 2, "an idle sync: /myself (the zone) and one search page");
}

#[tokio::test]
async fn an_issue_deleted_in_jira_becomes_a_tombstone_through_the_id_census() {
    let (_dir, store, fake) = setup(generate(120, 0), json!({"census_interval_secs": 0}));
    fake.state().page_cap = 50;
    sync(&store).await.expect("first sync");
    let removed = fake.state().issues.remove(&10_042).expect("issue");
    fake.clear_log();
    let s = sync(&store).await.expect("sync");
    assert_eq!(s.deleted, 1, "{s:?}");
    let t = stored(&store);
    assert!(t["10042"].deleted && t["10042"].title == removed.summary, "kept as a tombstone");
    assert_eq!(t.values().filter(|t| t.deleted).count(), 1);
    let census: Vec<Logged> = fake.requests(LISTING).into_iter().filter(|l| q(l, "fields") == Some("id")).collect();
    assert_eq!(census.len(), 3, "119 ids, 50 a reply, tokens followed: {census:#?}");
    assert!(census.iter().all(|l| q(l, "jql") == Some("project = \"HC\" ORDER BY key ASC") && q(l, "maxResults") == Some("1000")));
    assert!(census[1..].iter().all(|l| q(l, "nextPageToken").is_some()));
}

#[tokio::test]
async fn adf_descriptions_and_every_comment_become_readable_text_with_the_status_history() {
    let mut issues = generate(3, 0);
    {
        let i = issues.get_mut(&10_001).expect("issue");
        i.description = json!({"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Posting fails for "},
                {"type": "mention", "attrs": {"id": "a1", "text": "@Ann Lee"}}, {"type": "hardBreak"},
                {"type": "text", "text": "see runbook", "marks": [{"type": "link", "attrs": {"href": "https://wiki.example/rb"}}]}]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "open VA01"}]}]},
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "press Post"}]}]}]},
            {"type": "codeBlock", "content": [{"type": "text", "text": "ERR 42 posting\n  at FI-GL"}]},
            {"type": "someNewWidget", "attrs": {"text": "kept anyway"}}
        ]});
        i.comments = (0..7).map(|c| (500 + c, adf(&format!("Checked step {c}")), T0_MS + 60_000 * (c as i64 + 1))).collect();
        i.status = 4;
        i.changelog = vec![(900, T0_MS + 3_600_000, 1, 2), (901, T0_MS + 7_200_000, 2, 4)];
        i.updated = T0_MS + 7_200_000;
    }
    let (_dir, store, fake) = setup(issues, json!({}));
    fake.state().changelog_cap = 1; // the expansion holds the latest entry only: the rest is paged
    sync(&store).await.expect("sync");
    let t = &stored(&store)["10001"];
    assert_eq!(t.status_class, StatusClass::Closed, "category done, not a resolved name");
    assert_eq!(t.resolved_at, Some(at_ms(T0_MS + 7_200_000)), "entered Done at the changelog's time");
    let d = store.ticket_detail(t.id).expect("detail");
    assert_eq!(
        d.description,
        "Posting fails for @Ann Lee\nsee runbook (https://wiki.example/rb)\n\n- open VA01\n- press Post\n\nERR 42 posting\n  at FI-GL\n\nkept anyway"
    );
    let bodies: Vec<&str> = d.comments.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, (0..7).map(|c| format!("Checked step {c}")).collect::<Vec<_>>(), "all 7, in order");
    let paged: Vec<Logged> = fake.requests("/rest/api/3/issue/10001/comment");
    assert_eq!(paged.len(), 1, "5 came with the issue, the rest from one comment page");
    assert_eq!(q(&paged[0], "startAt"), Some("5"));
    let h: Vec<(Option<&str>, &str)> = d.status_history.iter().map(|c| (c.from_status.as_deref(), c.to_status.as_str())).collect();
    assert_eq!(h, [(None, "To Do"), (Some("To Do"), "In Progress"), (Some("In Progress"), "Done")]);
    assert_eq!(d.url.as_deref(), Some(format!("{}/browse/HC-1", fake.url).as_str()));
    assert_eq!(fake.requests("/rest/api/3/status").len(), 1, "statuses fetched once, for the one issue with history");
    let changelog = fake.requests("/rest/api/3/issue/10001/changelog");
    assert_eq!(changelog.len(), 2, "1 of 2 entries came with the issue: paged from the start, one a page: {changelog:#?}");
    assert_eq!((q(&changelog[0], "startAt"), q(&changelog[1], "startAt")), (Some("0"), Some("1")));
}

#[tokio::test]
async fn a_429_waits_the_retry_after_the_server_asks_for() {
    let (_dir, store, fake) = setup(generate(5, 0), json!({"backoff_ms": 1, "max_retries": 3}));
    fake.fault(LISTING, Fault::Status(429, Some("1")));
    let s = sync(&store).await.expect("sync after the wait");
    assert_eq!(s.created, 5);
    let l = fake.requests(LISTING);
    assert_eq!((l[0].status, l[1].status), (429, 200));
    let waited = l[1].at - l[0].at;
    assert!(waited >= Duration::from_millis(950), "Retry-After: 1 honoured, not the 1 ms backoff: {waited:?}");
}

#[tokio::test]
async fn malformed_replies_fail_the_sync_naming_the_problem_and_write_nothing() {
    let login = b"<!DOCTYPE html><html><body>Log in to continue - Atlassian</body></html>".to_vec();
    let bad_utf8 = [&b"{\"id\":\"10001\",\"key\":\"HC-1\",\"fields\":{\"summary\":\"caf"[..], &[0xE9, 0xFF], &b"\"}}"[..]].concat();
    let cases: Vec<(&str, Fault, &str, ErrorCode)> = vec![
        (LISTING, Fault::Body("text/html", login), "HTML page", ErrorCode::BadResponse),
        (LISTING, Fault::Body("application/json", br#"{"values":[],"isLast":true}"#.to_vec()), "missing field `issues`", ErrorCode::BadResponse),
        (LISTING, Fault::Status(410, None), "HTTP 410", ErrorCode::BadResponse),
        ("/rest/api/3/issue/", Fault::Body("application/json", bad_utf8), "not valid UTF-8", ErrorCode::BadResponse),
        ("/rest/api/3/issue/", Fault::Body("application/json", br#"{"id":"10001","key":"HC-1"}"#.to_vec()), "missing field `fields`", ErrorCode::BadResponse),
    ];
    for (path, fault, says, code) in cases {
        let (_dir, store, fake) = setup(generate(5, 0), json!({"backoff_ms": 1, "max_retries": 1, "concurrency": 1}));
        for _ in 0..2 {
            fake.fault(path, fault.clone()); // the retry sees it too
        }
        let e = sync(&store).await.expect_err(says);
        assert_eq!(e.code(), code, "{e}");
        assert!(e.to_string().contains(says) && e.to_string().contains(path), "{says}: {e}");
        assert!(stored(&store).is_empty(), "{says}: nothing half-written");
        assert_eq!(cursor(&store, "jira"), None, "{says}: the cursor did not move");
        let src = store.source("jira").expect("source");
        assert_eq!(src.last_sync_status.as_deref(), Some("failed"), "{says}");
    }
    // A dead network.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    add_jira(&store, "http://127.0.0.1:9", json!({"backoff_ms": 1, "max_retries": 1, "connect_timeout_secs": 2}));
    let e = sync(&store).await.expect_err("offline");
    assert_eq!(e.code(), ErrorCode::Offline, "{e}");
    assert!(e.to_string().contains("127.0.0.1:9"), "{e}");
}

#[tokio::test]
async fn a_5_mb_description_is_stored_cut_to_1_mib_with_a_note_and_the_sync_goes_on() {
    let mut issues = generate(3, 0);
    issues.get_mut(&10_002).expect("issue").description = adf(&"log line 42 failed\n".repeat(5 * 1024 * 1024 / 19));
    let (_dir, store, _fake) = setup(issues, json!({}));
    let s = sync(&store).await.expect("sync");
    assert_eq!(s.created, 3);
    let d = store.ticket_detail(stored(&store)["10002"].id).expect("detail");
    assert!(d.description.len() <= (1 << 20) + 100 && d.description.ends_with("longer than 1 MiB]"), "{}", d.description.len());
}

#[tokio::test]
async fn test_connection_names_the_project_or_what_is_wrong() {
    let fake = FakeJira::start(generate(1, 0));
    let info = hypercare::sync::test_connection(SourceKind::Jira, &fake.url, PROJECT, Some(secret())).await.expect("ok");
    assert_eq!(info.project_name, "Hypercare ERP");
    let e = hypercare::sync::test_connection(SourceKind::Jira, &fake.url, "NOPE", Some(secret())).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("\"NOPE\""), "{e}");
    let e = hypercare::sync::test_connection(SourceKind::Jira, &fake.url, PROJECT, Some("lead@example.com:wrong".into())).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
    assert!(!e.to_string().contains("wrong"), "the secret is not in the message: {e}");
    let paths: Vec<String> = fake.state().log.iter().map(|l| l.path.clone()).collect();
    assert_eq!(&paths[..2], ["/rest/api/3/myself", "/rest/api/3/project/HC"]);
}

fn cli(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HC_JIRA_TOKEN", secret())
        .output()
        .expect("run hypercare")
}

#[test]
fn the_cli_adds_a_jira_source_and_syncs_it_without_storing_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = FakeJira::start(generate(12, 2));
    let add = ["source", "add", "hc", "--kind", "jira", "--url", fake.url.as_str(), "--project", PROJECT, "--token-env", "HC_JIRA_TOKEN"];
    let out = cli(dir.path(), &add);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(dir.path(), &["sync", "hc", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((v["fetched"].as_u64(), v["created"].as_u64()), (Some(12), Some(12)), "{v}");
    let out = cli(dir.path(), &["tickets", "--json", "--search", "HC-7"]);
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(found[0]["key"], "HC-7", "{found}");
    for entry in std::fs::read_dir(dir.path()).expect("dir").flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "token found in {:?}", entry.path());
    }
    let _ = jira_time(T0_MS);

    // A field named as Jira shows it: stored by number, and the user is told
    // the next sync reads every issue again, which it does.
    let out = cli(dir.path(), &["source", "set", "hc", "urgency_custom_field_id=customfield_10005"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("reads every issue again"), "{err}");
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(config["urgency_custom_field_id"], 10005, "{config}");
    fake.clear_log();
    let out = cli(dir.path(), &["sync", "hc", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["fetched"].as_u64(), Some(12), "{v}");
    let asked = fake.requests("/rest/api/3/issue/");
    assert!(asked.iter().any(|l| q(l, "fields").is_some_and(|f| f.ends_with(",customfield_10005,comment"))), "{:?}", asked.first().map(|l| &l.query));
}

/// The engine pages by `(since, offset)`: a run's first request re-lists the
/// lag window whatever the offset (a run resumed after a crash never skips);
/// a later request the connector kept no token for still moves on.
#[tokio::test]
async fn the_first_listing_of_a_run_re_lists_the_lag_window_and_a_later_untokened_one_moves_on() {
    let fake = FakeJira::start(generate(150, 0)); // updated 08:00:00 … 08:00:50 UTC
    let opts = hypercare::sync::SyncOptions::default();
    let since = at_ms(T0_MS + 20_000);
    let conn = hypercare::sync::connector(SourceKind::Jira, &fake.url, PROJECT, Some(&secret()), &opts).expect("connector");
    // A crashed run's stored cursor: (08:00:20, skip 40). The offset is not
    // trusted: everything since 07:55 in the user's zone is listed again.
    let page = conn.list_changed(Some(since), 40).await.expect("first page");
    assert_eq!(page.items.len(), 100);
    assert_eq!(page.items[0].remote_id, "10001", "starts at the lag window, not at the offset");
    // A request for a cursor it holds no token for: drops what changed
    // before it, then the offset, and goes on from there.
    let page = conn.list_changed(Some(since), 7).await.expect("later page");
    let first = &page.items[0];
    assert!(first.updated_at >= since, "{first:?}");
    // Issues 60, 61, 62 changed at 08:00:20 (3 a second): skip 7 of the 08:00:20+ entries.
    assert_eq!(first.remote_id, "10067");
    let listing = fake.requests(LISTING);
    assert!(listing.iter().all(|l| q(l, "nextPageToken").is_none() || l.query["jql"].contains("08:55")));
}
