//! The Zendesk Support connector against a local Zendesk-shaped server that
//! replays the documented shapes and records every request: full and
//! incremental syncs through several export replies, ties in one second
//! across a reply and a page boundary, deletions, comments, 429 with
//! Retry-After, malformed replies, and the CLI from `source add` to `sync`.

mod sync_common;
#[path = "sync_common/fake_zendesk.rs"]
mod fake_zendesk;

use std::process::{Command, Output};
use std::time::Duration;

use fake_zendesk::{generate, secret, Fault, FakeZendesk, T0};
use hypercare::model::{SourceKind, StatusClass, SyncSummary};
use hypercare::store::sources::NewSource;
use hypercare::{ErrorCode, Store};
use sync_common::{cursor, now, stored};

fn add_zendesk(store: &Store, url: &str, project: &str, config: serde_json::Value) {
    store
        .add_source(
            &NewSource {
                name: "zd".into(),
                kind: SourceKind::Zendesk,
                url: url.into(),
                project: project.into(),
                token_env: Some("HC_ZD_TOKEN".into()),
                config,
            },
            now(),
        )
        .expect("add source");
}

/// Export replies of 20 tickets (listing pages of 10), short waits.
fn small_pages() -> serde_json::Value {
    serde_json::json!({"page_size": 20, "backoff_ms": 10, "max_retries": 2})
}

async fn sync(store: &Store) -> hypercare::Result<SyncSummary> {
    hypercare::sync::sync_source(store, "zd", Some(secret()), now(), &|_| {}).await
}

fn start_times(fake: &FakeZendesk) -> Vec<i64> {
    fake.requests("/api/v2/incremental/tickets.json")
        .iter()
        .map(|r| r.query.get("start_time").and_then(|v| v.parse().ok()).expect("start_time"))
        .collect()
}

#[tokio::test]
async fn a_first_sync_reads_every_export_reply_with_the_api_token_as_basic_auth() {
    let (_dir, store, fake) = fresh(45);
    {
        let mut s = fake.state();
        let t = s.tickets.get_mut(&12).expect("ticket 12");
        t.status = "solved".into();
        t.solved_at = Some(T0 + 12);
        t.satisfaction = Some(("bad".into(), "Took three days".into()));
        s.tickets.get_mut(&13).expect("ticket 13").status = "closed".into();
        s.tickets.get_mut(&14).expect("ticket 14").status = "hold".into();
    }
    add_zendesk(&store, &fake.url, "*", small_pages());
    let s = sync(&store).await.expect("sync");
    assert_eq!((s.created, s.updated, s.deleted), (45, 0, 0), "{s:?}");
    let all = stored(&store);
    assert_eq!(all.len(), 45);
    assert_eq!(all["45"].title, "Invoice posting fails #45");
    let (solved, closed, hold) = (&all["12"], &all["13"], &all["14"]);
    assert_eq!((solved.status.as_str(), solved.status_class), ("Solved", StatusClass::Resolved));
    assert_eq!(solved.resolved_at.map(|t| t.timestamp()), Some(T0 + 12), "from the metric set");
    assert_eq!(closed.status_class, StatusClass::Closed);
    assert_eq!((hold.status.as_str(), hold.status_class), ("On-hold", StatusClass::Open));
    assert_eq!((all["10"].priority.as_str(), all["11"].priority.as_str()), ("Urgent", "Normal"));
    assert_eq!(all["11"].assignee.as_deref(), Some("Agent Smith"), "named by users/show_many");
    assert_eq!(all["11"].reporter.as_deref(), Some("Cleo Diaz"), "named by users/show_many");
    let lookups = fake.requests("/api/v2/users/show_many.json");
    let mut asked: Vec<&str> = lookups.iter().flat_map(|r| r.query.get("ids").map(|v| v.split(',').collect::<Vec<_>>()).unwrap_or_default()).collect();
    asked.sort_unstable();
    asked.dedup();
    assert_eq!(asked, ["100", "101", "102", "7"], "the agent and three requesters");
    // Names are remembered within the run: only the first fetches, running
    // side by side (8 at a time), ask before any answer is known.
    assert!(lookups.len() <= 8, "{} lookups for 45 tickets", lookups.len());
    let raw: String = store
        .read(|c| Ok(c.query_row("SELECT raw FROM tickets WHERE remote_id = '12'", [], |r| r.get(0))?))
        .expect("raw");
    let raw: serde_json::Value = serde_json::from_str(&raw).expect("raw JSON");
    assert_eq!((raw["satisfaction_rating"]["score"].as_str(), raw["custom_fields"][0]["id"].as_u64()), (Some("bad"), Some(27642)));

    // The requests: every one authorized; the export walked from 0 in
    // replies of 20 (several), each starting where the data had got to.
    let log = fake.state().log.clone();
    assert!(log.iter().all(|r| r.authorized), "basic auth EMAIL/token:API_TOKEN on every request");
    let starts = start_times(&fake);
    assert_eq!(starts.first(), Some(&0));
    assert!(starts.len() >= 3 && starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    assert!(starts[1..].iter().all(|t| (T0 + 1..=T0 + 45).contains(t)), "{starts:?}");
    let export = fake.requests("/api/v2/incremental/tickets.json");
    assert!(export.iter().all(|r| r.query.get("per_page").map(String::as_str) == Some("20")
        && r.query.get("include").map(String::as_str) == Some("metric_sets")));
    // The export holds the tickets' fields: only audits are asked per ticket.
    assert_eq!(fake.requests("/api/v2/tickets/").iter().filter(|r| !r.path.ends_with("/audits.json")).count(), 0);
    assert_eq!(fake.requests("/api/v2/tickets/").len(), 45, "one audits request per ticket");
    assert_eq!(fake.requests("/api/v2/ticket_fields.json").len(), 1, "the custom fields' names, once");
    assert_eq!(log.len(), start_times(&fake).len() + 45 + lookups.len() + 1, "and nothing else");
    assert_eq!(cursor(&store, "zd").as_deref(), Some(format!("{{\"since\":\"{}\",\"skip\":0}}", iso_z(T0 + 45)).as_str()));
}

/// An empty store in a temporary folder, and a fake holding `n` generated tickets.
fn fresh(n: u64) -> (tempfile::TempDir, Store, FakeZendesk) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    (dir, store, FakeZendesk::start(generate(n)))
}

/// A store whose `zd` source (options `config`) was synced once from a fake
/// holding `n` generated tickets.
async fn synced(n: u64, config: serde_json::Value) -> (tempfile::TempDir, Store, FakeZendesk) {
    let (dir, store, fake) = fresh(n);
    add_zendesk(&store, &fake.url, "*", config);
    sync(&store).await.expect("first sync");
    (dir, store, fake)
}

fn iso_z(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).expect("time").to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn comments_come_across_pages_public_and_internal_without_repeating_the_description() {
    let (_dir, store, fake) = fresh(3);
    {
        let mut s = fake.state();
        s.audits_cap = 2;
        s.comment(2, 7, "Reproduced in QA: the posting period is closed", false, T0 + 50);
        s.comment(2, 101, "Still failing this morning", true, T0 + 60);
        s.comment(2, 7, "Fixed in transport K900123, please retest", true, T0 + 70);
    }
    add_zendesk(&store, &fake.url, "*", small_pages());
    sync(&store).await.expect("sync");
    let id = store.ticket_id_by_key("#2").expect("ticket #2");
    let d = store.ticket_detail(id).expect("detail");
    let bodies: Vec<(&str, Option<&str>)> = d.comments.iter().map(|c| (c.body.as_str(), c.author.as_deref())).collect();
    assert_eq!(
        bodies,
        [
            ("Reproduced in QA: the posting period is closed", Some("Agent Smith")),
            ("Still failing this morning", Some("Bob Marsh")),
            ("Fixed in transport K900123, please retest", Some("Agent Smith")),
        ],
        "the internal note is kept; the first comment (the description) is not repeated"
    );
    assert!(d.description.starts_with("Posting invoice 2 fails"));
    let pages: Vec<_> = fake.requests("/api/v2/tickets/2/audits.json");
    assert_eq!(pages.len(), 2, "4 audits (creation + 3 comments), pages of 2");
    assert_eq!(pages[1].query.get("page[after]").map(String::as_str), Some("c2"), "the second page follows meta.after_cursor");
}

/// A ticket solved, reopened by its requester and solved again: the audits
/// give every move, so the stored history has both solves, the ticket is
/// resolved at the second, and the KPIs count one reopen.
#[tokio::test]
async fn a_reopened_ticket_keeps_its_whole_status_history_and_counts_as_reopened() {
    let (_dir, store, fake) = fresh(3);
    {
        let mut s = fake.state();
        s.tickets.get_mut(&2).expect("ticket 2").status = "new".into();
        s.set_status(2, "open", 7, T0 + 100);
        s.set_status(2, "solved", 7, T0 + 3_600);
        s.set_status(2, "open", 101, T0 + 7_200);
        s.set_status(2, "solved", 7, T0 + 86_400);
    }
    add_zendesk(&store, &fake.url, "*", small_pages());
    sync(&store).await.expect("sync");
    let id = store.ticket_id_by_key("#2").expect("ticket #2");
    let d = store.ticket_detail(id).expect("detail");
    let moves: Vec<(i64, Option<&str>, &str, Option<&str>)> =
        d.status_history.iter().map(|c| (c.at.timestamp() - T0, c.from_status.as_deref(), c.to_status.as_str(), c.author.as_deref())).collect();
    assert_eq!(
        moves,
        [
            (2, None, "New", Some("Cleo Diaz")),
            (100, Some("New"), "Open", Some("Agent Smith")),
            (3_600, Some("Open"), "Solved", Some("Agent Smith")),
            (7_200, Some("Solved"), "Open", Some("Bob Marsh")),
            (86_400, Some("Open"), "Solved", Some("Agent Smith")),
        ]
    );
    let t = &stored(&store)["2"];
    assert_eq!(t.resolved_at.map(|r| r.timestamp() - T0), Some(86_400), "resolved when it was last solved");

    let day = chrono::DateTime::from_timestamp(T0, 0).expect("T0").date_naive();
    let p = hypercare::kpi::Period::new(day, day + chrono::Days::new(3), "UTC".parse().expect("zone")).expect("period");
    let r = hypercare::kpi::compute_with(&store, &p, &Default::default(), &Default::default(), now()).expect("kpis");
    assert_eq!((r.operations.reopen.reopened_tickets, r.operations.reopen.reopen_events), (1, 1), "{:?}", r.operations.reopen);
}

/// Two tickets changed in the same second, cut apart by the end of an
/// export reply, and two more cut apart by the end of a listing page: every
/// change arrives, each ticket is written once, nothing is created twice.
#[tokio::test]
async fn an_incremental_sync_takes_every_change_even_same_second_ties_across_reply_and_page_ends() {
    let (_dir, store, fake) = synced(45, small_pages()).await;
    let before = fake.requests("/api/v2/incremental/tickets.json").len();
    let mut changed = Vec::new();
    {
        let mut s = fake.state();
        // Listing from T0+45: [45, 1..=8, 30, 31 | 10..=17, 34, 33 ...]: the
        // pair 30/31 straddles the first listing page (10 entries), the pair
        // 33/34 the first export reply (20 entries, ties by descending id).
        for id in 1..=8u64 {
            s.edit(id, &format!("Edited {id}"), T0 + 1000 + id as i64);
            changed.push(id);
        }
        for id in [30u64, 31] {
            s.edit(id, &format!("Edited {id}"), T0 + 2000);
            changed.push(id);
        }
        for id in 10..=17u64 {
            s.edit(id, &format!("Edited {id}"), T0 + 3000 + id as i64);
            changed.push(id);
        }
        for id in [33u64, 34] {
            s.edit(id, &format!("Edited {id}"), T0 + 4000);
            changed.push(id);
        }
        s.comment(40, 100, "Any news?", true, T0 + 4001);
        changed.push(40);
    }
    let s = sync(&store).await.expect("incremental sync");
    assert_eq!((s.created, s.updated, s.fetched), (0, 21, 21), "each changed ticket once: {s:?}");
    let all = stored(&store);
    assert_eq!(all.len(), 45, "nothing duplicated");
    for id in &changed[..changed.len() - 1] {
        assert_eq!(all[&id.to_string()].title, format!("Edited {id}"), "ticket {id}");
    }
    assert_eq!(all["40"].comment_count, 1);
    let starts = start_times(&fake)[before..].to_vec();
    assert_eq!(starts.first(), Some(&(T0 + 45)), "resumes at the stored cursor: {starts:?}");
    assert!(starts.contains(&(T0 + 2000)), "the next page starts in the tie's second: {starts:?}");
    // Idle: one export request, nothing fetched.
    let s = sync(&store).await.expect("idle sync");
    assert_eq!((s.fetched, s.requests), (0, 1), "{s:?}");
}

/// Bulk updates put 12, then 16 tickets in one second each: more than a
/// listing page (10), so the engine walks that second with its skip; Zendesk's order of a
/// second's tickets is not documented, and here it flips between requests.
#[tokio::test]
async fn a_second_shared_by_more_tickets_than_a_page_is_walked_by_the_skip_whatever_the_tie_order() {
    let (_dir, store, fake) = synced(45, small_pages()).await;
    let before = fake.requests("/api/v2/incremental/tickets.json").len();
    {
        let mut s = fake.state();
        s.unstable_ties = true;
        // Two bulk seconds, 12 then 16 tickets: the second one is cut by the
        // end of an export reply (20) while the engine walks the first.
        for id in 1..=3u64 {
            s.edit(id, &format!("Single edit {id}"), T0 + 1000 + id as i64);
        }
        for id in 4..=15u64 {
            s.edit(id, &format!("Bulk edit {id}"), T0 + 2000);
        }
        for id in 16..=31u64 {
            s.edit(id, &format!("Bulk edit {id}"), T0 + 3000);
        }
        s.edit(40, "Last edit", T0 + 3001);
    }
    let s = sync(&store).await.expect("incremental sync");
    assert_eq!((s.created, s.updated), (0, 32), "{s:?}");
    let all = stored(&store);
    assert_eq!(all.len(), 45);
    for id in 4..=31u64 {
        assert_eq!(all[&id.to_string()].title, format!("Bulk edit {id}"), "ticket {id}");
    }
    assert_eq!(all["40"].title, "Last edit");
    let starts = start_times(&fake)[before..].to_vec();
    assert!(starts.iter().filter(|t| **t == T0 + 2000).count() >= 2, "the bulk second was listed again to skip within it: {starts:?}");
}

#[tokio::test]
async fn a_ticket_deleted_on_zendesk_becomes_a_tombstone_and_the_census_finds_one_that_vanished() {
    let (_dir, store, fake) = synced(12, serde_json::json!({"page_size": 20, "census_interval_secs": 0})).await;
    let asked_before = fake.requests("/api/v2/tickets/5").len();
    fake.state().delete(5, T0 + 500);
    let s = sync(&store).await.expect("sync after a deletion");
    assert_eq!(s.deleted, 1, "{s:?}");
    let t = &stored(&store)["5"];
    assert!(t.deleted && t.title == "Invoice posting fails #5", "kept as a tombstone");
    assert!(store.tickets(&Default::default()).expect("inbox").iter().all(|t| t.remote_id != "5"));
    assert_eq!(fake.requests("/api/v2/tickets/5").len(), asked_before, "the export said deleted: no request for it");
    // Purged for good (gone from the export too): only the census notices.
    fake.state().tickets.remove(&7);
    let s = sync(&store).await.expect("sync with a census");
    assert_eq!(s.deleted, 1, "{s:?}");
    assert!(stored(&store)["7"].deleted);
    assert!(!stored(&store)["8"].deleted);
    assert!(fake.requests("/api/v2/tickets.json").iter().any(|r| r.query.get("sort").map(String::as_str) == Some("-updated_at")));
}

/// The export leaves out the last minute's changes; the census must not
/// take such a ticket for deleted (it reads the newest tickets besides).
#[tokio::test]
async fn a_ticket_changed_in_the_minute_the_export_leaves_out_is_not_taken_for_deleted() {
    let (_dir, store, fake) = synced(12, serde_json::json!({"page_size": 20, "census_interval_secs": 0})).await;
    {
        let mut s = fake.state();
        s.clock = Some(T0 + 10_000);
        s.edit(8, "Changed seconds ago", T0 + 9_990);
    }
    let s = sync(&store).await.expect("sync with a census");
    assert_eq!((s.deleted, s.fetched), (0, 0), "{s:?}");
    assert!(!stored(&store)["8"].deleted, "not a tombstone");
    fake.state().clock = Some(T0 + 20_000);
    let s = sync(&store).await.expect("a minute later");
    assert_eq!((s.deleted, s.updated), (0, 1), "{s:?}");
    assert_eq!(stored(&store)["8"].title, "Changed seconds ago");
}

#[tokio::test]
async fn a_429_from_the_export_is_retried_after_the_servers_retry_after() {
    let (_dir, store, fake) = fresh(5);
    fake.fault("incremental/tickets.json", Fault::Status(429, Some("2")));
    // Backoff alone would wait 10 ms: a 2 s gap is the Retry-After.
    add_zendesk(&store, &fake.url, "*", small_pages());
    let s = sync(&store).await.expect("sync");
    assert_eq!(s.created, 5);
    let export = fake.requests("/api/v2/incremental/tickets.json");
    assert_eq!(export.iter().map(|r| r.status).collect::<Vec<_>>(), [429, 200]);
    let gap = export[1].at.duration_since(export[0].at);
    assert!(gap >= Duration::from_millis(1900), "waited {gap:?}");
}

/// What the user reads when the reply is not what Zendesk sends; nothing of
/// the run is stored.
async fn failed_sync(fault: Option<(&str, Fault)>, url: Option<&str>) -> (hypercare::Error, Store, tempfile::TempDir) {
    let (dir, store, fake) = fresh(12);
    if let Some((p, f)) = fault {
        fake.fault(p, f);
    }
    add_zendesk(&store, url.unwrap_or(&fake.url), "*", serde_json::json!({"max_retries": 0, "page_size": 20, "timeout_secs": 5}));
    let e = sync(&store).await.expect_err("the sync must fail");
    assert!(stored(&store).is_empty(), "no half-written store after: {e}");
    assert_eq!(cursor(&store, "zd"), None, "the cursor did not move");
    (e, store, dir)
}

#[tokio::test]
async fn malformed_replies_and_a_dead_network_are_named_and_write_nothing() {
    let (e, ..) = failed_sync(Some(("incremental", Fault::Html)), None).await;
    assert!(e.to_string().contains("HTML page where JSON was expected") && e.to_string().contains("/api/v2/incremental/tickets.json"), "{e}");
    let (e, ..) = failed_sync(Some(("incremental", Fault::Body(r#"{"error":"InvalidEndpoint"}"#.into()))), None).await;
    assert_eq!(e.code(), ErrorCode::BadResponse);
    assert!(e.to_string().contains("without a `tickets` list"), "{e}");
    let (e, ..) = failed_sync(Some(("incremental", Fault::InvalidUtf8)), None).await;
    assert!(e.to_string().contains("not valid UTF-8"), "{e}");
    let (e, ..) = failed_sync(Some(("tickets/3/audits", Fault::Body(r#"{"audits":[{"id":1,"events":[]}]}"#.into()))), None).await;
    assert!(e.to_string().contains("/api/v2/tickets/3/audits.json") && e.to_string().contains("created_at"), "{e}");
    let (e, ..) = failed_sync(None, Some("http://127.0.0.1:9")).await;
    assert_eq!(e.code(), ErrorCode::Offline, "{e}");
    let (e, ..) = failed_sync(Some(("incremental", Fault::Status(401, None))), None).await;
    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
}

#[tokio::test]
async fn a_five_megabyte_description_is_stored_cut_with_a_note() {
    let (_dir, store, fake) = fresh(3);
    fake.state().tickets.get_mut(&2).expect("ticket 2").description = "Log line: posting failed. ".repeat(200_000);
    add_zendesk(&store, &fake.url, "*", small_pages());
    sync(&store).await.expect("sync");
    let id = store.ticket_id_by_key("#2").expect("ticket #2");
    let d = store.ticket_detail(id).expect("detail");
    assert!(d.description.len() < 300 * 1024, "{}", d.description.len());
    assert!(d.description.ends_with("the text has 5200000 bytes; the whole text is on the server]"), "{}", &d.description[d.description.len() - 120..]);
    let raw_len: i64 = store
        .read(|c| Ok(c.query_row("SELECT length(raw) FROM tickets WHERE remote_id = '2'", [], |r| r.get(0))?))
        .expect("raw");
    assert!(raw_len < 10_000, "the raw record does not repeat the description: {raw_len}");
}

#[tokio::test]
async fn the_connection_test_names_the_account_and_refuses_a_wrong_token() {
    let fake = FakeZendesk::start(generate(4));
    fake.state().delete(2, T0 + 100);
    let info = hypercare::sync::test_connection(SourceKind::Zendesk, &fake.url, "*", Some(secret())).await.expect("test");
    assert_eq!(info.ticket_count, Some(3));
    assert!(info.project_name.ends_with("all tickets"), "{}", info.project_name);
    let e = hypercare::sync::test_connection(SourceKind::Zendesk, &fake.url, "*", Some("agent@acme.test/token:wrong".into()))
        .await
        .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::Auth);
    let e = hypercare::sync::test_connection(SourceKind::Zendesk, &fake.url, "Support", Some(secret())).await.expect_err("bad project");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("group:ID"), "{e}");
}

#[tokio::test]
async fn a_group_project_syncs_only_that_groups_tickets() {
    let (_dir, store, fake) = fresh(30);
    add_zendesk(&store, &fake.url, "group:20", small_pages());
    let s = sync(&store).await.expect("sync");
    assert_eq!(s.created, 15, "{s:?}");
    assert!(stored(&store).keys().all(|id| id.parse::<u64>().expect("id") % 2 == 0), "group 20 holds the even ids");
}

fn cli(dir: &std::path::Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    c.arg("--data-dir").arg(dir).args(args).env_remove("HC_ZD_TOKEN");
    if let Some(t) = token {
        c.env("HC_ZD_TOKEN", t);
    }
    c.output().expect("run hypercare")
}

#[test]
fn the_cli_adds_a_zendesk_source_and_syncs_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = FakeZendesk::start(generate(25));
    let add = cli(dir.path(), None, &["source", "add", "zd", "--kind", "zendesk", "--url", &fake.url, "--project", "*", "--token-env", "HC_ZD_TOKEN"]);
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let out = cli(dir.path(), Some(&secret()), &["sync", "zd", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((v["source"].as_str(), v["created"].as_u64()), (Some("zd"), Some(25)), "{v}");
    let out = cli(dir.path(), None, &["tickets", "--json"]);
    let tickets: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(tickets.as_array().map(Vec::len), Some(25));
    let out = cli(dir.path(), Some("agent@acme.test/token:wrong"), &["sync", "zd"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused") && !err.contains("wrong"), "one clear line, never the token: {err}");
    let bad = cli(dir.path(), None, &["source", "add", "zd2", "--kind", "zendesk", "--url", &fake.url, "--project", "Support team"]);
    assert!(!bad.status.success(), "a project Zendesk cannot scope by is refused at once");
}
