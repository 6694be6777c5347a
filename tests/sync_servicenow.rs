//! Syncing a ServiceNow instance (Table API) against a local fake that
//! replays the documented shapes and records every request: what is asked
//! (query, fields, paging, credentials), the first sync, incremental syncs
//! across shared seconds, tombstones from the census, comments, impact and
//! urgency deciding triage, 429, malformed replies, and the CLI.

mod sync_common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hypercare::model::{Category, SourceKind, SyncSummary};
use hypercare::store::sources::NewSource;
use hypercare::triage::store::{list_triage, TicketTriage};
use hypercare::triage::{Impact, PriorityMatrix, Urgency};
use hypercare::{ErrorCode, Store};
use serde_json::json;
use sync_common::fake_servicenow::{generate, secret, stamp, sys_id, Fault, FakeServiceNow, Incident, BEARER, PASSWORD, T0};
use sync_common::{cursor, now, stored};

const QUEUE: &str = "incident: assignment_group.name=Hypercare";

fn fast() -> serde_json::Value {
    json!({"timeout_secs": 1, "backoff_ms": 20, "max_retries": 3, "max_wait_secs": 5})
}

fn setup(incidents: std::collections::BTreeMap<String, Incident>, project: &str, config: serde_json::Value) -> (tempfile::TempDir, Store, FakeServiceNow) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeServiceNow::start(incidents);
    let source = NewSource {
        name: "sn".into(),
        kind: SourceKind::ServiceNow,
        url: fake.url.clone(),
        project: project.into(),
        token_env: Some("HC_SN_SECRET".into()),
        config,
    };
    store.add_source(&source, now()).expect("add source");
    (dir, store, fake)
}

async fn sync_with(store: &Store, secret: &str) -> hypercare::Result<SyncSummary> {
    hypercare::sync::sync_source(store, "sn", Some(secret.to_string()), now(), &|_| {}).await
}

async fn sync(store: &Store) -> SyncSummary {
    sync_with(store, &secret()).await.expect("sync")
}

fn q<'a>(l: &'a sync_common::fake_servicenow::Logged, key: &str) -> &'a str {
    l.query.get(key).map(String::as_str).unwrap_or("")
}

/// The listing requests (not the census, which asks for `sys_id` only, nor
/// the batched record reads, which ask for every field).
fn listings(fake: &FakeServiceNow) -> Vec<sync_common::fake_servicenow::Logged> {
    fake.requests("/api/now/table/incident")
        .into_iter()
        .filter(|l| l.path == "/api/now/table/incident" && q(l, "sysparm_fields") == "sys_id,sys_updated_on,sys_mod_count")
        .collect()
}

/// The batched record reads (`sys_idIN…`).
fn reads(fake: &FakeServiceNow) -> Vec<sync_common::fake_servicenow::Logged> {
    fake.requests("/api/now/table/incident").into_iter().filter(|l| q(l, "sysparm_query").starts_with("sys_idIN")).collect()
}

#[tokio::test]
async fn the_first_sync_fetches_the_queue_with_the_documented_requests() {
    let (_d, store, fake) = setup(generate(150), QUEUE, json!({}));
    let s = sync(&store).await;
    assert_eq!((s.created, s.fetched), (135, 135), "every tenth incident is another group's: {s:?}");
    let t = stored(&store);
    assert_eq!(t.len(), 135);
    assert!(!t.contains_key(&sys_id(10)), "Network's incident is not in the queue");
    let one = &t[&sys_id(7)];
    assert_eq!((one.key.as_str(), one.title.as_str(), one.status.as_str()), ("INC0010007", "Posting of invoice batch 7 fails", "New"));
    assert_eq!((one.assignee.as_deref(), one.reporter.as_deref(), one.tracker.as_str()), (Some("Beth Anglin"), Some("Abel Tuter"), "Incident"));
    assert_eq!(one.created_at.timestamp(), T0 + 2, "opened_at read as UTC from `value`, not the display time");
    let detail = store.ticket_detail(one.id).expect("detail");
    assert_eq!(detail.description, "Since go-live the batch 7 stops with an error.\nWorkaround: post by hand.");
    assert_eq!(detail.url.as_deref(), Some(format!("{}/incident.do?sys_id={}", fake.url, sys_id(7)).as_str()));

    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("hypercare.sync:{PASSWORD}")));
    assert!(fake.requests("/").iter().all(|l| l.auth.as_deref() == Some(basic.as_str())), "user:password goes as basic auth");
    let lists = listings(&fake);
    assert_eq!(lists.len(), 2, "135 records: two pages of 100");
    assert_eq!(q(&lists[0], "sysparm_query"), "assignment_group.name=Hypercare^ORDERBYsys_updated_on^ORDERBYsys_id");
    assert!(q(&lists[1], "sysparm_query").starts_with("assignment_group.name=Hypercare^sys_updated_on>="), "{:?}", lists[1].query);
    for l in &lists {
        assert_eq!((q(l, "sysparm_fields"), q(l, "sysparm_limit"), q(l, "sysparm_display_value")), ("sys_id,sys_updated_on,sys_mod_count", "100", "false"));
    }
    assert_eq!(q(&lists[0], "sysparm_offset"), "0");
    // Records and comments are read a page at a time: 2 + 2 requests for
    // 135 incidents, not one record and one journal request each.
    assert!(fake.requests(&format!("/api/now/table/incident/{}", sys_id(7))).is_empty(), "no one-record reads");
    let details = reads(&fake);
    assert_eq!(details.len(), 2, "100 + 35 records in two reads");
    let first: Vec<String> = (1..=111).filter(|n| n % 10 != 0).take(100).map(sys_id).collect();
    assert_eq!(q(&details[0], "sysparm_query"), format!("sys_idIN{}", first.join(",")));
    for d in &details {
        assert_eq!((q(d, "sysparm_display_value"), q(d, "sysparm_exclude_reference_link")), ("all", "true"));
    }
    let journal = fake.requests("/api/now/table/sys_journal_field");
    assert_eq!(journal.len(), 2, "one journal request per page of records");
    assert_eq!(
        q(&journal[0], "sysparm_query"),
        format!("element_idIN{}^name=incident^elementINcomments^ORDERBYsys_created_on^ORDERBYsys_id", first.join(","))
    );
    assert_eq!(s.requests, 2 + 2 + 2, "two listings, two record reads, two journal reads: {s:?}");
    // The raw record keeps ServiceNow's fields, but not the journal text.
    let raw: String = store.read(|c| Ok(c.query_row("SELECT raw FROM tickets WHERE remote_id = ?1", [sys_id(7)], |r| r.get(0))?)).expect("raw");
    let raw: serde_json::Value = serde_json::from_str(&raw).expect("raw JSON");
    assert_eq!(raw["impact"], json!({"display_value": "3 - Low", "value": "3"}));
    assert!(raw.get("comments").is_none() && raw.get("work_notes").is_none() && raw.get("description").is_none());
}

#[tokio::test]
async fn incremental_syncs_pick_up_changes_and_never_lose_a_record_sharing_a_boundary_second() {
    // 101 incidents, three per second: 99, 100 and 101 share one second,
    // and 101 is the first of the second page.
    let (_d, store, fake) = setup(generate(101), "incident", json!({}));
    let s = sync(&store).await;
    assert_eq!(s.created, 101, "the record after the page boundary in the same second is synced too");
    let lists = listings(&fake);
    let last = stamp(T0 + 33);
    assert_eq!(q(&lists[1], "sysparm_query"), format!("sys_updated_on>={last}^ORDERBYsys_updated_on^ORDERBYsys_id"));
    assert_eq!(q(&lists[1], "sysparm_offset"), "0", "two of the second's entries were on page one, minus the slack");
    let c: serde_json::Value = serde_json::from_str(&cursor(&store, "sn").expect("cursor")).expect("cursor JSON");
    assert_eq!(c["since"].as_str().map(|s| s.starts_with("2026-01-05T08:00:33")), Some(true), "{c}");

    // A change, and a new incident stamped in the cursor's own second.
    {
        let mut st = fake.state();
        st.edit(&sys_id(5), T0 + 5_000, |i| i.short_description = "Posting fails for every vendor".into());
        let mut late = generate(102).remove(&sys_id(102)).expect("102");
        late.updated_on = T0 + 33;
        st.incidents.insert(late.sys_id.clone(), late);
    }
    let before = fake.requests("/").len();
    let s = sync(&store).await;
    assert_eq!((s.created, s.updated, s.fetched), (1, 1, 2), "{s:?}");
    assert_eq!(stored(&store)[&sys_id(5)].title, "Posting fails for every vendor");
    assert!(stored(&store).contains_key(&sys_id(102)));
    let asked = &fake.requests("/")[before..];
    let listing = asked.iter().find(|l| l.path == "/api/now/table/incident").expect("a listing");
    assert!(q(listing, "sysparm_query").starts_with(&format!("sys_updated_on>={last}^")), "{:?}", listing.query);
    // Nothing changed: one listing request, nothing fetched.
    let s = sync(&store).await;
    assert_eq!((s.fetched, s.requests), (0, 1), "{s:?}");
}

#[tokio::test]
async fn a_deleted_or_reassigned_incident_becomes_a_tombstone_through_the_id_census() {
    let (_d, store, fake) = setup(generate(40), QUEUE, json!({"census_interval_secs": 0}));
    sync(&store).await;
    {
        let mut st = fake.state();
        st.incidents.remove(&sys_id(3)).expect("3");
        // Reassigned: its change is outside the queue's listing.
        st.edit(&sys_id(4), T0 + 9_000, |i| i.group = "Network".into());
    }
    let s = sync(&store).await;
    assert_eq!(s.deleted, 2, "{s:?}");
    let t = stored(&store);
    assert!(t[&sys_id(3)].deleted && t[&sys_id(4)].deleted, "kept as tombstones");
    let census: Vec<_> = fake.requests("/api/now/table/incident").into_iter().filter(|l| q(l, "sysparm_fields") == "sys_id").collect();
    assert!(!census.is_empty());
    assert_eq!(q(&census[0], "sysparm_query"), "assignment_group.name=Hypercare^ORDERBYsys_id");
    assert_eq!((q(&census[0], "sysparm_limit"), q(&census[0], "sysparm_offset")), ("1000", "0"));
    // Back in the queue: revived.
    fake.state().edit(&sys_id(4), T0 + 9_500, |i| i.group = "Hypercare".into());
    sync(&store).await;
    assert!(!stored(&store)[&sys_id(4)].deleted);
}

#[tokio::test]
async fn customer_comments_are_synced_and_work_notes_only_when_asked() {
    let (_d, store, fake) = setup(generate(5), "incident", json!({}));
    {
        let mut st = fake.state();
        st.journal(&sys_id(2), "comments", "Still failing after the patch\r\nscreenshot attached", T0 + 100);
        st.journal(&sys_id(2), "work_notes", "Checked the IDoc queue, 40 stuck", T0 + 101);
        st.journal(&sys_id(2), "comments", "Works now, thanks", T0 + 102);
    }
    sync(&store).await;
    let id = stored(&store)[&sys_id(2)].id;
    let bodies: Vec<String> = store.ticket_detail(id).expect("detail").comments.into_iter().map(|c| c.body).collect();
    assert_eq!(bodies, ["Still failing after the patch\nscreenshot attached", "Works now, thanks"]);
    assert_eq!(stored(&store)[&sys_id(2)].comment_count, 2);

    store.set_source_option("sn", "work_notes", Some(json!(true))).expect("option");
    fake.state().journal(&sys_id(2), "comments", "One more thing", T0 + 200);
    sync(&store).await;
    let detail = store.ticket_detail(id).expect("detail");
    let bodies: Vec<&str> = detail.comments.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["Still failing after the patch\nscreenshot attached", "(work note) Checked the IDoc queue, 40 stuck", "Works now, thanks", "One more thing"]);
    assert_eq!(detail.comments[1].author.as_deref(), Some("beth.anglin"));
}

fn row(store: &Store, key: &str) -> TicketTriage {
    store.read(list_triage).expect("triage").into_iter().find(|r| r.key == key).unwrap_or_else(|| panic!("no triage for {key}"))
}

fn priority_of(r: &TicketTriage, impact: Impact, urgency: Urgency) -> String {
    let category = Category::parse(r.category.as_deref().expect("a category")).expect("known category");
    PriorityMatrix::default().priority(category, impact, urgency).as_str().to_string()
}

#[tokio::test]
async fn the_incidents_own_impact_and_urgency_decide_triage_without_any_option() {
    let mut incidents = generate(3);
    for (n, (impact, urgency)) in [(1u64, (1u8, 1u8)), (2, (3, 3)), (3, (2, 2))] {
        let i = incidents.get_mut(&sys_id(n)).expect("incident");
        (i.impact, i.urgency) = (impact, urgency);
        i.short_description = "Posting of the invoice batch fails with an error".into();
    }
    let (_d, store, fake) = setup(incidents, "incident", json!({}));
    sync(&store).await;
    let high = row(&store, "INC0010001");
    assert_eq!((high.impact.as_deref(), high.urgency.as_deref()), (Some("department"), Some("high")), "{high:?}");
    assert_eq!(high.priority.as_deref(), Some(priority_of(&high, Impact::Department, Urgency::High).as_str()));
    assert!(high.signals.iter().any(|s| s == "urgency high from the ticket's Urgency field (\u{201c}1 - High\u{201d})"), "{:?}", high.signals);
    let low = row(&store, "INC0010002");
    assert_eq!((low.impact.as_deref(), low.urgency.as_deref()), (Some("single_user"), Some("low")));
    assert_eq!(low.priority.as_deref(), Some(priority_of(&low, Impact::SingleUser, Urgency::Low).as_str()));
    let mid = row(&store, "INC0010003");
    assert_eq!((mid.impact.as_deref(), mid.urgency.as_deref()), (Some("team"), Some("medium")));
    assert!(!high.impact_overridden && !high.urgency_overridden, "stated at intake, not a user's correction");

    // The user's map wins over the scale, read by the next sync's triage.
    store.set_source_option("sn", "impact_values", Some(json!({"1 - High": "organization"}))).expect("option");
    fake.state().edit(&sys_id(1), T0 + 500, |i| i.short_description.push_str(" again"));
    sync(&store).await;
    assert_eq!(row(&store, "INC0010001").impact.as_deref(), Some("organization"));

    // Switched off: the text decides, and says nothing of the fields.
    store.set_source_option("sn", "native_intake", Some(json!(false))).expect("option");
    hypercare::triage::triage_all(&store, now()).expect("triage");
    assert!(row(&store, "INC0010001").signals.iter().all(|s| !s.contains("field")));
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_retry_after_says() {
    let (_d, store, fake) = setup(generate(20), "incident", fast());
    fake.fault("/api/now/table/incident?", Fault::Status(429, Some("1")), 1);
    sync(&store).await;
    let lists = fake.requests("/api/now/table/incident");
    assert_eq!((lists[0].status, lists[1].status), (429, 200));
    let waited = lists[1].at - lists[0].at;
    assert!(waited >= Duration::from_millis(950), "waited only {waited:?} (backoff alone is 20 ms)");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(stored(&store).len(), 20);
}

#[tokio::test]
async fn malformed_replies_are_named_and_leave_the_store_as_it_was() {
    let (_d, store, fake) = setup(generate(10), "incident", fast());
    // A login page where JSON was expected (hibernating or SSO-fronted instance).
    fake.fault("/api/now/table/incident?", Fault::LoginPage, 4);
    let e = sync_with(&store, &secret()).await.expect_err("the sync fails");
    assert_eq!(e.code(), ErrorCode::BadResponse);
    assert!(e.to_string().contains("HTML") && e.to_string().contains(&format!("{}/api/now/table/incident", fake.url)), "{e}");
    assert!(stored(&store).is_empty());

    sync(&store).await;
    let before = (stored(&store), cursor(&store, "sn"));
    fake.state().edit(&sys_id(3), T0 + 1_000, |i| i.short_description = "changed".into());
    let read = format!("sysparm_query=sys_idIN{}", sys_id(3));
    let table = format!("{}/api/now/table/incident", fake.url);
    fake.fault(&read, Fault::NoResult, 4);
    let e = sync_with(&store, &secret()).await.expect_err("the sync fails");
    assert!(e.to_string().contains("without `result`") && e.to_string().contains(&table), "{e}");
    assert_eq!((stored(&store), cursor(&store, "sn")), before, "nothing of the failed page was applied");
    fake.fault(&read, Fault::InvalidUtf8, 4);
    let e = sync_with(&store, &secret()).await.expect_err("the sync fails");
    assert!(e.to_string().contains("not valid UTF-8") && e.to_string().contains(&table), "{e}");
    assert_eq!((stored(&store), cursor(&store, "sn")), before);
    sync(&store).await;
    assert_eq!(stored(&store)[&sys_id(3)].title, "changed", "once the instance behaves, the change arrives");
}

#[tokio::test]
async fn a_five_megabyte_description_is_kept_whole_and_searchable() {
    let mut incidents = generate(3);
    let huge: String = "The pallet label layout shifts by two millimetres. ".repeat(100_000);
    incidents.get_mut(&sys_id(2)).expect("2").description = format!("{huge}zebracrossing at the very end");
    let (_d, store, _fake) = setup(incidents, "incident", json!({}));
    sync(&store).await;
    let detail = store.ticket_detail(stored(&store)[&sys_id(2)].id).expect("detail");
    assert_eq!(detail.description.len(), huge.len() + "zebracrossing at the very end".len());
    let q = hypercare::model::TicketQuery { search: Some("zebracrossing".into()), ..Default::default() };
    assert_eq!(store.tickets(&q).expect("search").len(), 1);
}

#[tokio::test]
async fn wrong_credentials_a_dead_network_and_bearer_tokens() {
    let (_d, store, fake) = setup(generate(3), "incident", fast());
    let e = sync_with(&store, "hypercare.sync:wrong-password").await.expect_err("401");
    assert_eq!(e.code(), ErrorCode::Auth);
    assert!(!e.to_string().contains("wrong-password"), "the secret never appears in messages: {e}");
    assert_eq!(fake.requests("/").len(), 1, "a refused login is not retried");
    let s = sync_with(&store, BEARER).await.expect("a bearer token");
    assert_eq!(s.created, 3);
    assert_eq!(fake.requests("/").last().and_then(|l| l.auth.clone()), Some(format!("Bearer {BEARER}")));

    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    store.with_tx(|tx| Ok(tx.execute("UPDATE sources SET url = ?1", [format!("http://127.0.0.1:{port}")])?)).expect("url");
    let e = sync_with(&store, &secret()).await.expect_err("the sync fails");
    assert_eq!(e.code(), ErrorCode::Offline);
    assert!(e.to_string().contains("refused"), "{e}");
    assert_eq!(stored(&store).len(), 3);
}

#[tokio::test]
async fn the_connection_test_names_the_queue_and_its_size_or_what_is_wrong() {
    let fake = FakeServiceNow::start(generate(150));
    let url = fake.url.clone();
    let test = |project: &'static str, secret: String| {
        let url = url.clone();
        async move { hypercare::sync::test_connection(SourceKind::ServiceNow, &url, project, Some(secret)).await }
    };
    let info = test(QUEUE, secret()).await.expect("connection");
    assert_eq!((info.project_name.as_str(), info.ticket_count), ("Incident where assignment_group.name=Hypercare", Some(135)));
    let label = fake.requests("/api/now/table/sys_db_object");
    assert_eq!(q(&label[0], "sysparm_query"), "name=incident");

    let e = test("incidnet", secret()).await.expect_err("no such table");
    assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("project")));
    assert!(e.to_string().contains("\"incidnet\"") && e.to_string().contains("HTTP 400"), "{e}");
    let e = test("incident", "hypercare.sync:nope".into()).await.expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth);
    let e = test("Incident", secret()).await.expect_err("not a table name");
    assert_eq!(e.field(), Some("project"));
    fake.fault("/api/now/table/incident?", Fault::NoResult, 2);
    let e = test("incident", secret()).await.expect_err("not ServiceNow");
    assert!(e.to_string().contains("not a ServiceNow Table API reply"), "{e}");
}

fn cli(dir: &std::path::Path, secret: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    c.arg("--data-dir").arg(dir).args(args).env_remove("HC_SN_SECRET");
    if let Some(s) = secret {
        c.env("HC_SN_SECRET", s);
    }
    c.output().expect("run hypercare")
}

#[test]
fn the_cli_adds_a_servicenow_source_and_syncs_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = FakeServiceNow::start(generate(30));
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let bad = cli(dir.path(), None, &["source", "add", "sn", "--kind", "service_now", "--url", &fake.url, "--project", "Incidents", "--token-env", "HC_SN_SECRET"]);
    assert!(!bad.status.success());
    assert!(err(&bad).contains("not a ServiceNow table name") && err(&bad).lines().count() == 1, "{}", err(&bad));
    let add = cli(dir.path(), None, &["source", "add", "sn", "--kind", "service_now", "--url", &fake.url, "--project", QUEUE, "--token-env", "HC_SN_SECRET"]);
    assert!(add.status.success(), "{}", err(&add));
    let started = Instant::now();
    let out = cli(dir.path(), Some(&secret()), &["sync", "sn", "--json"]);
    assert!(out.status.success(), "{}", err(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((v["source"].as_str(), v["created"].as_u64()), (Some("sn"), Some(27)), "{v}");
    assert!(started.elapsed() < Duration::from_secs(30));
    let out = cli(dir.path(), None, &["tickets", "--json"]);
    let tickets: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(tickets.as_array().is_some_and(|a| a.len() == 27 && a.iter().all(|t| t["key"].as_str().is_some_and(|k| k.starts_with("INC")))));
    let log = fake.requests("/");
    assert!(log.iter().all(|l| l.auth.as_deref().is_some_and(|a| a.starts_with("Basic "))));
}
