//! Faults of the network and the server, injected by a local Redmine-shaped
//! server: the sync retries what is transient, fails clearly on the rest, and
//! the store keeps what was synced (the cursor never passes unapplied data).

mod sync_common;

use std::time::{Duration, Instant};

use hypercare::model::SyncSummary;
use hypercare::{ErrorCode, Store};
use sync_common::fake_redmine::{generate, Fault, FakeRedmine, KEY, T0};
use sync_common::{add_redmine, cursor, now, stored};

fn fast_config() -> serde_json::Value {
    serde_json::json!({"timeout_secs": 0.5, "backoff_ms": 20, "max_retries": 3, "max_wait_secs": 5, "census_interval_secs": 0})
}

fn setup(n: u64) -> (tempfile::TempDir, Store, FakeRedmine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(n, 2));
    add_redmine(&store, "fake", &fake.url, "fake", fast_config());
    (dir, store, fake)
}

async fn sync(store: &Store, token: &str) -> hypercare::Result<SyncSummary> {
    hypercare::sync::sync_source(store, "fake", Some(token.to_string()), now(), &|_| {}).await
}

fn fault(fake: &FakeRedmine, pattern: &str, f: Fault, times: usize) {
    let mut s = fake.state();
    for _ in 0..times {
        s.faults.push((pattern.to_string(), f.clone()));
    }
}

#[tokio::test]
async fn server_errors_are_retried_until_the_sync_succeeds() {
    let (_d, store, fake) = setup(150);
    fault(&fake, "/issues.json", Fault::Status(500, None), 1);
    fault(&fake, "/issues.json", Fault::Status(503, None), 1);
    fault(&fake, "/issues/7.json", Fault::Status(502, None), 2);
    let s = sync(&store, KEY).await.expect("sync after retries");
    assert_eq!(s.created, 150);
    assert_eq!(stored(&store).len(), 150);
    let lists: Vec<u16> = fake.requests("/issues.json").iter().map(|l| l.status).take(3).collect();
    assert_eq!(lists, [500, 503, 200], "the listing was asked again after each failure");
    assert_eq!(fake.requests("/issues/7.json").len(), 3);
    assert!(s.requests >= 150 + 2 + 4, "retries are counted: {}", s.requests);
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_retry_after_says() {
    let (_d, store, fake) = setup(20);
    fault(&fake, "/issues.json", Fault::Status(429, Some("1")), 1);
    sync(&store, KEY).await.expect("sync");
    let lists = fake.requests("/issues.json");
    let waited = lists[1].at - lists[0].at;
    assert!(waited >= Duration::from_millis(950), "waited only {waited:?} (backoff alone is 20 ms)");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(stored(&store).len(), 20);
}

/// A `Retry-After` date is on the server's clock: a server ten minutes
/// behind this machine still gets the two seconds it asks for (counted from
/// its own `Date`, not from this machine's clock, which would find the date
/// long past and retry at once).
#[tokio::test]
async fn a_retry_after_date_counts_on_the_servers_clock() {
    let (_d, store, fake) = setup(20);
    fake.clock().shift(-600);
    fault(&fake, "/issues.json", Fault::RetryAt(503, 2), 1);
    sync(&store, KEY).await.expect("sync");
    let lists = fake.requests("/issues.json");
    assert_eq!((lists[0].status, lists[1].status), (503, 200));
    let waited = lists[1].at - lists[0].at;
    assert!(waited >= Duration::from_millis(1_900), "waited only {waited:?} (backoff alone is 20 ms)");
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    assert_eq!(stored(&store).len(), 20);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_capped() {
    let (_d, store, fake) = setup(5);
    fault(&fake, "/issues.json", Fault::Status(503, Some("3600")), 1);
    let started = Instant::now();
    sync(&store, KEY).await.expect("sync");
    assert!(started.elapsed() < Duration::from_secs(20), "an hour-long Retry-After is capped at max_wait_secs");
    assert!(fake.requests("/issues.json")[1].at - fake.requests("/issues.json")[0].at >= Duration::from_secs(4));
}

#[tokio::test]
async fn a_stalled_server_times_out_as_offline_and_keeps_the_store() {
    let (_d, store, fake) = setup(30);
    sync(&store, KEY).await.expect("first sync");
    let before = (stored(&store), cursor(&store, "fake"));
    fake.state().comment(3, "new text", None, T0 + 10_000);
    fault(&fake, "/issues.json", Fault::Stall(Duration::from_secs(10)), 4);
    let started = Instant::now();
    let e = sync(&store, KEY).await.expect_err("stalled");
    assert_eq!(e.code(), ErrorCode::Offline, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5), "client timeouts are short here: {:?}", started.elapsed());
    assert_eq!((stored(&store), cursor(&store, "fake")), before);
    let src = store.source("fake").expect("source");
    assert_eq!(src.last_sync_status.as_deref(), Some("failed"));
    assert!(src.last_sync_error.unwrap_or_default().contains("did not answer in time"));
}

#[tokio::test]
async fn truncated_json_fails_clearly_without_advancing_the_cursor() {
    let (_d, store, fake) = setup(30);
    sync(&store, KEY).await.expect("first sync");
    let before = (stored(&store), cursor(&store, "fake"));
    fake.state().comment(3, "a new comment", Some(3), T0 + 10_000);
    fault(&fake, "/issues/3.json", Fault::Truncated, 4);
    let e = sync(&store, KEY).await.expect_err("truncated");
    assert_eq!(e.code(), ErrorCode::BadResponse);
    let msg = e.to_string();
    assert!(msg.contains("truncated JSON") && msg.contains(&format!("{}/issues/3.json", fake.url)), "{msg}");
    assert_eq!((stored(&store), cursor(&store, "fake")), before, "nothing of the failed page was applied");
    // Once the server behaves, the change arrives.
    sync(&store, KEY).await.expect("sync");
    let t = &stored(&store)["3"];
    assert_eq!((t.status.as_str(), t.comment_count), ("Resolved", 3));
}

#[tokio::test]
async fn an_html_error_page_is_a_bad_response_naming_the_url() {
    let (_d, store, fake) = setup(10);
    fault(&fake, "/issues.json", Fault::Html, 4);
    let e = sync(&store, KEY).await.expect_err("html");
    assert_eq!(e.code(), ErrorCode::BadResponse);
    assert!(e.to_string().contains("HTML") && e.to_string().contains(&fake.url), "{e}");
    assert!(stored(&store).is_empty());
}

#[tokio::test]
async fn invalid_utf8_from_the_server_is_named_and_applies_nothing() {
    let (_d, store, fake) = setup(10);
    sync(&store, KEY).await.expect("first sync");
    let before = (stored(&store), cursor(&store, "fake"));
    fake.state().comment(3, "a new comment", None, T0 + 10_000);
    fault(&fake, "/issues/3.json", Fault::InvalidUtf8, 4);
    let e = sync(&store, KEY).await.expect_err("invalid UTF-8");
    assert_eq!(e.code(), ErrorCode::BadResponse);
    assert!(e.to_string().contains("not valid UTF-8") && e.to_string().contains("/issues/3.json"), "{e}");
    assert_eq!((stored(&store), cursor(&store, "fake")), before, "nothing of the failed page was applied");
    sync(&store, KEY).await.expect("the server behaves again");
    assert_eq!(stored(&store)["3"].comment_count, 3);
}

#[tokio::test]
async fn a_five_megabyte_description_is_kept_whole_and_searchable() {
    let (_d, store, fake) = setup(5);
    let huge: String = std::iter::repeat("The pallet label layout shifts by two millimetres. ").take(100_000).collect();
    assert!(huge.len() > 5_000_000);
    {
        let mut s = fake.state();
        let issue = s.issues.get_mut(&2).expect("issue 2");
        issue.description = format!("{huge}zebracrossing at the very end");
    }
    let summary = sync(&store, KEY).await.expect("sync");
    assert_eq!(summary.created, 5);
    let detail = store.ticket_detail(stored(&store)["2"].id).expect("detail");
    assert_eq!(detail.description.len(), huge.len() + "zebracrossing at the very end".len());
    let q = hypercare::model::TicketQuery { search: Some("zebracrossing".into()), ..Default::default() };
    let found = store.tickets(&q).expect("search");
    assert_eq!(found.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), vec![detail.summary.key.as_str()]);
}

#[tokio::test]
async fn a_refused_token_is_an_auth_error_without_retries() {
    let (_d, store, fake) = setup(10);
    let e = sync(&store, "wrong-key").await.expect_err("401");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert!(!e.to_string().contains("wrong-key"), "the token never appears in messages");
    assert_eq!(fake.requests("/").len(), 1);
}

#[tokio::test]
async fn a_failure_mid_sync_keeps_the_pages_already_applied_and_the_rerun_completes() {
    let (_d, store, fake) = setup(250);
    // The first page applies; every try of the second page fails.
    fault(&fake, "updated_on=", Fault::Status(500, None), 4);
    let e = sync(&store, KEY).await.expect_err("second page fails");
    assert_eq!(e.code(), ErrorCode::Offline);
    let after_failure = stored(&store);
    assert_eq!(after_failure.len(), 100, "exactly the first page is stored");
    let c: serde_json::Value = serde_json::from_str(&cursor(&store, "fake").expect("cursor")).expect("json");
    assert!(c["since"].is_string(), "the cursor points after the applied page: {c}");
    let s = sync(&store, KEY).await.expect("rerun");
    assert_eq!(stored(&store).len(), 250);
    assert_eq!(s.created, 150, "the rerun fetched only what was missing");
}

#[tokio::test]
async fn a_refused_connection_is_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    add_redmine(&store, "fake", &format!("http://127.0.0.1:{port}"), "p", fast_config());
    let e = sync(&store, KEY).await.expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Offline);
    assert!(e.to_string().contains("refused"), "{e}");
}

#[tokio::test]
async fn a_ticket_the_user_may_no_longer_see_does_not_block_the_others() {
    let (_d, store, fake) = setup(30);
    sync(&store, KEY).await.expect("first sync");
    fake.state().comment(5, "made private", None, T0 + 10_000);
    fake.state().comment(6, "a normal comment", None, T0 + 10_001);
    fault(&fake, "/issues/5.json", Fault::Status(403, None), 5);
    let before = fake.requests("/issues/5.json").len();
    let s = sync(&store, KEY).await.expect("the sync goes on");
    let asked = fake.requests("/issues/5.json").len() - before;
    assert_eq!(asked, 2, "asked once by the listing pass, once by the census; a permanent 403 is not retried");
    let t = stored(&store);
    assert!(t["5"].deleted, "no longer visible: a tombstone");
    assert_eq!((t["6"].comment_count, t["6"].deleted), (3, false));
    assert_eq!(s.deleted, 1);
}

#[tokio::test]
async fn a_token_revoked_mid_sync_fails_as_auth_and_keeps_the_applied_pages() {
    let (_d, store, fake) = setup(250);
    fault(&fake, "/issues/230.json", Fault::Status(401, None), 1);
    let e = sync(&store, KEY).await.expect_err("401 on a ticket");
    assert_eq!(e.code(), ErrorCode::Auth);
    let n = stored(&store).len();
    assert!((100..250).contains(&n), "the pages before the failure stay applied: {n}");
    sync(&store, KEY).await.expect("with a valid token again");
    assert_eq!(stored(&store).len(), 250);
}
