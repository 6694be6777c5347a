//! Faults the real Redmine cannot be made to produce here (503 with
//! Retry-After, 429, 500 on write, 403 on write, a dead server), replayed by
//! a local fake that records the requests it got: temporary failures stay
//! pending with a backoff, permanent ones are rejected, and the queue goes on.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, TimeZone, Utc};
use hypercare::model::{SourceKind, StatusClass, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::validation::push::{push_outbox, PushOptions};
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{OutboxState, Outcome};
use hypercare::Store;
use serde_json::json;

type Log = Arc<Mutex<Vec<String>>>;

/// What the fake remembers: the requests, and the last update of issues 5 and 6.
#[derive(Clone, Default)]
struct Fake {
    log: Log,
    updates: Arc<Mutex<std::collections::HashMap<i64, serde_json::Value>>>,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap()
}

async fn issue(
    State(fake): State<Fake>,
    method: Method,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    fake.log.lock().unwrap().push(format!(
        "{method} /issues/{file} key={}",
        headers.get("x-redmine-api-key").and_then(|v| v.to_str().ok()).unwrap_or("")
    ));
    let id: i64 = file.trim_end_matches(".json").parse().unwrap_or(0);
    match (method.as_str(), id) {
        ("GET", 1) => (StatusCode::SERVICE_UNAVAILABLE, [("Retry-After", "120")], "maintenance").into_response(),
        ("GET", 2) => (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response(),
        ("GET", 5 | 6) if fake.updates.lock().unwrap().contains_key(&id) => {
            let put = fake.updates.lock().unwrap().get(&id).cloned().unwrap_or_default();
            Json(json!({"issue": {"id": id, "status": {"id": put["issue"]["status_id"], "name": "Closed"},
                "updated_on": "2026-05-04T09:00:01Z", "attachments": [],
                "journals": [{"id": 77, "user": {"id": 1, "name": "me"}, "notes": put["issue"]["notes"],
                    "created_on": "2026-05-04T09:00:01Z", "details": []}]}}))
            .into_response()
        }
        ("GET", _) => Json(json!({"issue": {"id": id, "status": {"id": 3, "name": "Resolved"},
            "updated_on": "2026-05-04T08:00:00Z", "journals": [], "attachments": []}}))
        .into_response(),
        ("PUT", 3) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        ("PUT", 4) => (StatusCode::FORBIDDEN, "").into_response(),
        ("PUT", 5 | 6) => {
            if let Ok(v) = serde_json::from_str(&body) {
                fake.updates.lock().unwrap().insert(id, v);
            }
            if id == 6 {
                // Accepted, but the answer comes too late for the client.
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn other(State(fake): State<Fake>, method: Method, uri: Uri) -> Response {
    fake.log.lock().unwrap().push(format!("{method} {}", uri.path()));
    match uri.path() {
        "/users/current.json" => Json(json!({"user": {"id": 1, "name": "me"}})).into_response(),
        "/issue_statuses.json" => {
            Json(json!({"issue_statuses": [{"id": 3, "name": "Resolved"}, {"id": 5, "name": "Closed"}]}))
                .into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn fake() -> (String, Log) {
    let fake = Fake::default();
    let log = fake.log.clone();
    let app = Router::new().route("/issues/{file}", get(issue).put(issue)).fallback(other).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), log)
}

fn store_for(dir: &std::path::Path, url: &str, n: usize) -> (Store, Vec<i64>) {
    let store = Store::open_dir(dir).unwrap();
    let src = store
        .add_source(
            &NewSource {
                name: "erp".into(),
                kind: SourceKind::Redmine,
                url: url.into(),
                project: "p".into(),
                token_env: None,
                config: json!({}),
            },
            t0(),
        )
        .unwrap();
    let recs: Vec<TicketRecord> = (1..=n)
        .map(|i| TicketRecord {
            remote_id: i.to_string(),
            key: format!("#{i}"),
            title: format!("t{i}"),
            description: String::new(),
            status: "Resolved".into(),
            status_class: StatusClass::Resolved,
            priority: "Normal".into(),
            tracker: "Bug".into(),
            category: None,
            assignee: None,
            reporter: None,
            created_at: t0(),
            updated_at: Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0).unwrap(),
            resolved_at: None,
            remote_version: "2026-05-04T08:00:00Z".into(),
            raw: None,
            comments: None,
            status_changes: None,
        })
        .collect();
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, src.id, &recs)).unwrap();
    let mut vids = Vec::new();
    for i in 1..=n {
        let ticket_id = store.ticket_id_by_key(&format!("#{i}")).unwrap();
        let v = record_validation(
            &store,
            &NewValidation {
                ticket_id,
                outcome: Outcome::Passed,
                steps: String::new(),
                environment: String::new(),
                test_data: String::new(),
                notes: "ok".into(),
                validator: "v".into(),
                evidence: vec![],
                supersedes: None,
            },
            t0(),
        )
        .unwrap();
        vids.push(v.id);
    }
    (store, vids)
}

fn rows_of(store: &Store, vid: i64) -> Vec<(OutboxState, i64, i64, String)> {
    store
        .outbox(true)
        .unwrap()
        .into_iter()
        .filter(|r| r.validation_id == Some(vid))
        .map(|r| (r.state, r.attempts, (r.next_attempt_at - t0()).num_seconds(), r.last_error.unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn temporary_failures_back_off_and_permanent_ones_are_rejected() {
    let (url, log) = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, v) = store_for(dir.path(), &url, 5);
    let report = push_outbox(&store, &|_| Some("k3y".into()), &PushOptions::default(), t0()).await.unwrap();
    assert_eq!((report.sent, report.rejected, report.pending), (1, 1, 3), "{report:#?}");

    // 503 + Retry-After: 120 → pending, retried in exactly 120 s.
    for (state, attempts, wait, err) in rows_of(&store, v[0]) {
        assert_eq!((state, attempts, wait), (OutboxState::Pending, 1, 120));
        assert!(err.contains("503"), "{err}");
    }
    // 429 without Retry-After → our backoff (30 s + jitter).
    for (state, attempts, wait, err) in rows_of(&store, v[1]) {
        assert_eq!((state, attempts), (OutboxState::Pending, 1));
        assert!((30..=37).contains(&wait), "{wait}");
        assert!(err.contains("429"), "{err}");
    }
    // 500 on the write → pending; 403 on the write → rejected with the reason.
    assert!(rows_of(&store, v[2]).iter().all(|r| r.0 == OutboxState::Pending && r.3.contains("500")));
    assert!(rows_of(&store, v[3]).iter().all(|r| r.0 == OutboxState::Rejected && r.3.contains("403")));
    assert!(rows_of(&store, v[4]).iter().all(|r| r.0 == OutboxState::Sent));

    let got = log.lock().unwrap().clone();
    let puts: Vec<&String> = got.iter().filter(|l| l.starts_with("PUT")).collect();
    assert_eq!(
        puts,
        vec!["PUT /issues/3.json key=k3y", "PUT /issues/4.json key=k3y", "PUT /issues/5.json key=k3y"],
        "{got:#?}"
    );

    // Nothing is due a minute later except the 429 row; at +2 min the 503 one too.
    log.lock().unwrap().clear();
    let later =
        push_outbox(&store, &|_| Some("k3y".into()), &PushOptions::default(), t0() + chrono::Duration::seconds(60))
            .await
            .unwrap();
    assert_eq!(later.items.iter().map(|i| i.validation_id).collect::<Vec<_>>(), vec![v[1], v[2]]);
    let got = log.lock().unwrap().clone();
    assert!(!got.iter().any(|l| l.contains("/issues/4.json")), "a rejected write is never retried: {got:#?}");
}

#[tokio::test]
async fn a_dead_server_stops_the_run_and_loses_nothing() {
    // Bind then drop: a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let (store, v) = store_for(dir.path(), &format!("http://127.0.0.1:{port}"), 3);
    let report = push_outbox(&store, &|_| Some("k".into()), &PushOptions::default(), t0()).await.unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(report.stopped.len(), 1, "{report:#?}");
    assert!(report.stopped[0].contains("cannot reach"), "{report:#?}");
    assert_eq!(rows_of(&store, v[0])[0].1, 1, "the first validation was attempted");
    for vid in &v[1..] {
        assert!(
            rows_of(&store, *vid).iter().all(|r| r.0 == OutboxState::Pending && r.1 == 0),
            "the rest was not even tried"
        );
    }
}

#[tokio::test]
async fn two_pushes_of_one_workspace_never_run_at_once() {
    let (url, log) = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_for(dir.path(), &url, 1);
    // Another pusher (the app, or a CLI run) holds the workspace's push lock.
    let mut lock = store.path().as_os_str().to_owned();
    lock.push(".push-lock");
    let held = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock).unwrap();
    held.lock().unwrap();
    let e = push_outbox(&store, &|_| Some("k".into()), &PushOptions::default(), t0()).await.unwrap_err();
    assert_eq!(e.code(), hypercare::ErrorCode::Conflict);
    assert!(e.to_string().contains("another push"), "{e}");
    assert!(log.lock().unwrap().is_empty(), "nothing was sent while the other push ran");
    drop(held);
    let report = push_outbox(&store, &|_| Some("k".into()), &PushOptions::default(), t0()).await.unwrap();
    assert_eq!(report.items.len(), 1);
}

#[tokio::test]
async fn a_write_accepted_but_timed_out_is_not_written_again() {
    let (url, log) = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, v) = store_for(dir.path(), &url, 6);
    // Only #6 is due: the others were pushed (their rows marked sent) earlier.
    store.with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'sent' WHERE validation_id != ?1", [v[5]])?)).unwrap();
    let quick = PushOptions { timeout: std::time::Duration::from_millis(500), ..Default::default() };
    let first = push_outbox(&store, &|_| Some("k".into()), &quick, t0()).await.unwrap();
    assert_eq!(first.pending, 1, "{first:#?}");
    assert!(first.items[0].message.as_deref().unwrap_or("").contains("timed out"), "{first:#?}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let again = push_outbox(&store, &|_| Some("k".into()), &quick, t0() + chrono::Duration::hours(1)).await.unwrap();
    assert_eq!(again.sent, 1, "{again:#?}");
    let puts = log.lock().unwrap().iter().filter(|l| l.starts_with("PUT /issues/6.json")).count();
    assert_eq!(puts, 1, "the comment found on the server is not posted a second time");
}
