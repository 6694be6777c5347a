//! The fresh rule runs on the server's clock: a server whose clock is
//! minutes behind this machine's still gets a second edit in the same
//! second synced, and one minutes ahead does not keep every recent ticket
//! refetched. Local Redmine- and ServiceNow-shaped servers whose clocks
//! (their change stamps and `Date` headers, consistently) are shifted.

mod sync_common;

use chrono::{DateTime, Duration, Utc};
use hypercare::model::SyncSummary;
use hypercare::sync::engine::{mark_fresh, server_clock_start, FRESH_SECS};
use hypercare::Store;
use hypercare::model::SourceKind;
use hypercare::store::sources::NewSource;
use sync_common::fake_redmine::{generate, FakeRedmine, KEY};
use sync_common::fake_servicenow::{self, sys_id, FakeServiceNow};
use sync_common::{add_redmine, now, stored};

/// Ten minutes, the drift under test.
const DRIFT: i64 = 600;

async fn sync_at(store: &Store, local: DateTime<Utc>) -> SyncSummary {
    hypercare::sync::sync_source(store, "fake", Some(KEY.into()), local, &|_| {}).await.expect("sync")
}

/// Edit issue 3, sync, edit it again in the same server second (same
/// `updated_on`), sync: the second edit must be stored. Then FRESH_SECS + 1
/// seconds pass on both clocks: one settling fetch with nothing written,
/// then an idle sync that fetches nothing (one listing request).
async fn same_second_edit_with_server_clock_off_by(drift: i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(10, 0));
    let clock = fake.clock();
    clock.shift(drift);
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    let first = sync_at(&store, now()).await;
    assert_eq!(first.created, 10);

    let edited = clock.now();
    fake.state().edit(3, "Posting fails for every invoice", edited);
    let s = sync_at(&store, now()).await;
    assert_eq!((s.fetched, s.updated), (1, 1), "{s:?}");
    fake.state().edit(3, "Posting fails for every invoice since 9:00", edited);
    let s = sync_at(&store, now()).await;
    assert_eq!((s.fetched, s.updated), (1, 1), "server clock {drift:+} s: the same-second edit was not fetched: {s:?}");
    assert_eq!(stored(&store)["3"].title, "Posting fails for every invoice since 9:00");

    // Time passes on both sides.
    let passed = FRESH_SECS + 1;
    clock.shift(passed);
    let later = now() + Duration::seconds(passed);
    let s = sync_at(&store, later).await;
    assert_eq!((s.fetched, s.updated), (1, 0), "server clock {drift:+} s: settling sync: {s:?}");
    let details_before = fake.requests("/issues/3.json").len();
    let s = sync_at(&store, later).await;
    assert_eq!((s.fetched, s.updated, s.requests), (0, 0, 1), "server clock {drift:+} s: idle sync: {s:?}");
    assert_eq!(fake.requests("/issues/3.json").len(), details_before, "the idle sync asked for no issue");
    assert_eq!(stored(&store)["3"].title, "Posting fails for every invoice since 9:00");
}

#[tokio::test]
async fn a_server_clock_ten_minutes_behind_loses_no_same_second_edit() {
    same_second_edit_with_server_clock_off_by(-DRIFT).await;
}

#[tokio::test]
async fn a_server_clock_ten_minutes_ahead_settles_within_seconds() {
    same_second_edit_with_server_clock_off_by(DRIFT).await;
}

#[tokio::test]
async fn the_clocks_agreeing_is_the_same_story() {
    same_second_edit_with_server_clock_off_by(0).await;
}

/// ServiceNow's version carries `sys_mod_count`, so a same-second edit
/// shows anyway; what its clock decides is the cost. A server ten minutes
/// ahead: an edited incident is refetched once, then no more.
#[tokio::test]
async fn a_servicenow_clock_ahead_of_ours_keeps_no_incident_refetched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeServiceNow::start(fake_servicenow::generate(20));
    let clock = fake.clock();
    clock.shift(DRIFT);
    let source = NewSource {
        name: "sn".into(),
        kind: SourceKind::ServiceNow,
        url: fake.url.clone(),
        project: "incident".into(),
        token_env: Some("HC_SN_SECRET".into()),
        config: serde_json::json!({}),
    };
    store.add_source(&source, now()).expect("add source");
    let sync_at = |local| hypercare::sync::sync_source(&store, "sn", Some(fake_servicenow::secret()), local, &|_| {});
    assert_eq!(sync_at(now()).await.expect("first sync").created, 20);
    fake.state().edit(&sys_id(4), clock.now(), |i| i.short_description = "Posting fails for every vendor".into());
    let s = sync_at(now()).await.expect("sync");
    assert_eq!((s.fetched, s.updated), (1, 1), "{s:?}");

    let passed = FRESH_SECS + 1;
    clock.shift(passed);
    let later = now() + Duration::seconds(passed);
    let s = sync_at(later).await.expect("settling sync");
    assert_eq!((s.fetched, s.updated), (1, 0), "{s:?}");
    let record = format!("/api/now/table/incident/{}", sys_id(4));
    let asked = fake.requests(&record).len();
    let s = sync_at(later).await.expect("idle sync");
    assert_eq!((s.fetched, s.updated), (0, 0), "a server clock ten minutes ahead keeps the incident fresh: {s:?}");
    assert_eq!(fake.requests(&record).len(), asked, "the idle sync did not ask for the incident");
    assert_eq!(stored(&store)[&sys_id(4)].title, "Posting fails for every vendor");
}

/// The boundary, on whole seconds as an HTTP `Date` gives them: a record
/// changed in the very second the server answered is marked, one changed
/// FRESH_SECS earlier is not; without a `Date` this machine's clock decides.
#[test]
fn the_fresh_boundary_is_on_the_servers_second() {
    let server = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    let local = server + Duration::seconds(DRIFT);
    let record = |ago: i64| hypercare::model::TicketRecord {
        remote_id: ago.to_string(),
        key: format!("#{ago}"),
        title: "Posting fails".into(),
        description: String::new(),
        status: "New".into(),
        status_class: hypercare::model::StatusClass::Open,
        priority: "Normal".into(),
        tracker: "Bug".into(),
        category: None,
        assignee: None,
        reporter: None,
        created_at: server - Duration::seconds(3_600),
        updated_at: server - Duration::seconds(ago),
        resolved_at: None,
        remote_version: format!("v{ago}"),
        raw: None,
        comments: None,
        status_changes: None,
    };
    let start = server_clock_start(Some(server), local);
    assert_eq!(start, server);
    let mut records: Vec<_> = [0, FRESH_SECS - 1, FRESH_SECS].into_iter().map(record).collect();
    mark_fresh(&mut records, start);
    let marked: Vec<bool> = records.iter().map(|r| r.remote_version.ends_with(hypercare::store::tickets::FRESH_MARK)).collect();
    assert_eq!(marked, [true, true, false]);
    assert_eq!(server_clock_start(None, local), local, "no Date: this machine's clock");
}
