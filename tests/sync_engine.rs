//! Engine behaviour a user notices, against a local Redmine-shaped server:
//! tombstones and revival through the census, the census schedule, progress.

mod sync_common;

use std::sync::Mutex;

use hypercare::model::{SyncProgress, SyncSummary};
use hypercare::Store;
use sync_common::fake_redmine::{generate, FakeRedmine, KEY, T0};
use sync_common::{add_redmine, now, stored};

async fn sync(store: &Store) -> SyncSummary {
    hypercare::sync::sync_source(store, "fake", Some(KEY.into()), now(), &|_| {}).await.expect("sync")
}

#[tokio::test]
async fn a_ticket_deleted_on_the_server_becomes_a_tombstone_and_comes_back_if_it_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(120, 1));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({"census_interval_secs": 0}));
    sync(&store).await;
    let removed = fake.state().issues.remove(&42).expect("issue 42");
    let s = sync(&store).await;
    assert_eq!(s.deleted, 1);
    let t = &stored(&store)["42"];
    assert!(t.deleted, "kept as a tombstone, not erased");
    assert_eq!(t.title, removed.subject);
    let hidden = store.tickets(&Default::default()).expect("inbox");
    assert!(hidden.iter().all(|t| t.remote_id != "42"), "tombstones are not in the inbox");
    // It comes back unchanged (same updated_on): only the census can notice.
    fake.state().issues.insert(42, removed);
    let s = sync(&store).await;
    assert_eq!((s.deleted, s.fetched), (0, 1));
    assert!(!stored(&store)["42"].deleted, "revived");
}

#[tokio::test]
async fn the_census_runs_only_when_due() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(50, 0));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({"census_interval_secs": 21600}));
    sync(&store).await;
    fake.state().issues.remove(&7);
    let s = sync(&store).await;
    assert_eq!((s.requests, s.deleted), (1, 0), "nothing changed, census not due: one request");
    assert!(!stored(&store)["7"].deleted);
    store.with_tx(|tx| Ok(tx.execute("UPDATE sources SET census_at = census_at - 21600", [])?)).expect("age");
    let s = sync(&store).await;
    assert_eq!(s.deleted, 1, "six hours later the census finds it");
}

#[tokio::test]
async fn progress_reports_every_page_and_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(250, 1));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    let seen = Mutex::new(Vec::new());
    let s = hypercare::sync::sync_source(&store, "fake", Some(KEY.into()), now(), &|p| seen.lock().expect("lock").push(p))
        .await
        .expect("sync");
    let seen = seen.into_inner().expect("lock");
    assert!(matches!(seen.first(), Some(SyncProgress::Started { .. })));
    let pages: Vec<(u64, u64, Option<u64>)> = seen
        .iter()
        .filter_map(|p| match p {
            SyncProgress::Page { pages, tickets, total, .. } => Some((*pages, *tickets, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(pages.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(pages.windows(2).all(|w| w[0].1 < w[1].1), "tickets only grow: {pages:?}");
    assert_eq!(pages.last().map(|p| (p.1, p.2)), Some((250, Some(250))), "each ticket counted once: {pages:?}");
    assert_eq!(seen.last(), Some(&SyncProgress::Finished { summary: s.clone() }));
    let run: (String, i64, i64) = store
        .read(|c| Ok(c.query_row("SELECT status, fetched, created FROM sync_runs ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?))
        .expect("run");
    assert_eq!(run, ("ok".to_string(), 250, 250), "the run is logged");
    let src = store.source("fake").expect("source");
    assert_eq!(src.last_sync_status.as_deref(), Some("ok"));
    let _ = T0;
}

/// Servers version a ticket by its change time, to the second. A ticket
/// changed twice within one second, with a sync between the two changes,
/// keeps its version: the second change must still arrive, and be written
/// once; afterwards the ticket costs nothing.
#[tokio::test]
async fn a_second_change_within_the_same_second_as_the_synced_one_is_not_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(10, 0));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    let at = |secs: i64| chrono::DateTime::from_timestamp(T0 + secs, 0).expect("time");
    // The server's clock and this machine's agree (sync_clock: they differ).
    let clock = fake.clock();
    let sync_at = |t: chrono::DateTime<chrono::Utc>| {
        clock.set(t.timestamp());
        hypercare::sync::sync_source(&store, "fake", Some(KEY.into()), t, &|_| {})
    };
    sync_at(at(100)).await.expect("first sync");
    // Issue 3 changes at T0+200; a sync runs within that second; then the
    // subject changes again in the same second (same `updated_on`).
    fake.state().edit(3, "Posting fails for every invoice", T0 + 200);
    let s = sync_at(at(200)).await.expect("sync in the same second");
    assert_eq!(s.updated, 1);
    fake.state().edit(3, "Posting fails for every invoice since 9:00", T0 + 200);
    let s = sync_at(at(203)).await.expect("next sync");
    assert_eq!((s.fetched, s.updated), (1, 1), "{s:?}");
    assert_eq!(stored(&store)["3"].title, "Posting fails for every invoice since 9:00");
    // Once the second is long past: fetched one last time, nothing written,
    // then nothing fetched at all.
    let s = sync_at(at(300)).await.expect("settling sync");
    assert_eq!((s.fetched, s.updated), (1, 0), "{s:?}");
    let s = sync_at(at(400)).await.expect("idle sync");
    assert_eq!((s.fetched, s.updated), (0, 0), "{s:?}");
    assert_eq!(stored(&store)["3"].title, "Posting fails for every invoice since 9:00");
}
