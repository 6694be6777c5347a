//! A local Redmine-shaped HTTP server (axum on 127.0.0.1:0) for fault,
//! crash and benchmark runs. It replays the documented REST shapes (see
//! tests/support/redmine.sh for the real one): issues sorted by `updated_on`
//! with ties by id descending, `updated_on=>=T` meaning "after T − 1 s",
//! pages capped at 100, journals only from `/issues/:id.json?include=journals`.
//! It records every request and can inject faults into the next requests.
//! Its clock ([`FakeClock`], the `Date` of every answer) is the real one
//! shifted by an offset: tests stamp changes with it, so a server whose
//! clock runs behind or ahead of the client's is one setting.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{TimeZone, Utc};
use serde_json::json;

pub const KEY: &str = "fake-redmine-key-0123456789";

/// A fake server's clock: the real one shifted by whole seconds (negative:
/// behind). Clones share it.
#[derive(Debug, Clone, Default)]
pub struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    /// The server's time, unix seconds.
    pub fn now(&self) -> i64 {
        Utc::now().timestamp() + self.0.load(Ordering::Relaxed)
    }

    /// Move the clock by `secs` (time passing, or a drifting clock).
    pub fn shift(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::Relaxed);
    }

    /// Set the clock to `at`; it runs on from there.
    pub fn set(&self, at: i64) {
        self.0.store(at - Utc::now().timestamp(), Ordering::Relaxed);
    }
}

/// `app`, answering with a `Date` on `clock` (hyper sends the real time
/// only when a response has no `Date`).
pub fn dated(app: Router, clock: &FakeClock) -> Router {
    let clock = clock.clone();
    app.layer(axum::middleware::map_response(move |mut r: Response| {
        if let Ok(v) = http_date(clock.now()).parse() {
            r.headers_mut().insert(axum::http::header::DATE, v);
        }
        async move { r }
    }))
}

/// Unix seconds as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(t: i64) -> String {
    Utc.timestamp_opt(t, 0).single().map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).unwrap_or_default()
}

/// One issue on the fake server.
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: u64,
    pub subject: String,
    pub description: String,
    pub status_id: u64,
    pub created_on: i64,
    pub updated_on: i64,
    pub journals: Vec<Journal>,
}

#[derive(Debug, Clone)]
pub struct Journal {
    pub id: u64,
    pub notes: String,
    pub created_on: i64,
    /// (old status id, new status id)
    pub status: Option<(u64, u64)>,
}

/// What to do to a request instead of answering it.
#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16, Option<&'static str>),
    /// This status with `Retry-After` as an HTTP date this many seconds
    /// after the server's clock.
    RetryAt(u16, i64),
    Stall(Duration),
    Truncated,
    Html,
    /// A JSON body whose text is not valid UTF-8.
    InvalidUtf8,
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub query: String,
    pub status: u16,
}

#[derive(Default)]
pub struct State {
    pub issues: BTreeMap<u64, Issue>,
    /// Faults for coming requests: the first entry whose pattern is part of
    /// the request's `path?query` is used (and removed) by that request.
    pub faults: Vec<(String, Fault)>,
    pub log: Vec<Logged>,
    pub delay: Duration,
    /// The server's clock; its `Date` headers follow it.
    pub clock: FakeClock,
    next_journal: u64,
    /// Issue ids in listing order, with the (len, changes) they were built for.
    order: Option<((usize, u64), Vec<u64>)>,
    changes: u64,
}

impl State {
    /// Change an issue's subject and set its `updated_on` to `at` (an edit
    /// of the issue as the server would record it).
    pub fn edit(&mut self, id: u64, subject: &str, at: i64) {
        if let Some(issue) = self.issues.get_mut(&id) {
            issue.subject = subject.to_string();
            issue.updated_on = at;
        }
        self.changes += 1;
    }

    /// Add a journal to an issue and bump its `updated_on` to `at`.
    pub fn comment(&mut self, id: u64, notes: &str, status: Option<u64>, at: i64) {
        self.next_journal += 1;
        let jid = 1_000_000 + self.next_journal;
        if let Some(issue) = self.issues.get_mut(&id) {
            let change = status.map(|s| (issue.status_id, s));
            if let Some(s) = status {
                issue.status_id = s;
            }
            issue.journals.push(Journal { id: jid, notes: notes.to_string(), created_on: at, status: change });
            issue.updated_on = at;
        }
        self.changes += 1;
    }

    /// Ids sorted as Redmine lists them (`updated_on`, ties by id descending),
    /// cached until the issues change.
    fn listing_order(&mut self) -> &[u64] {
        let key = (self.issues.len(), self.changes);
        if self.order.as_ref().map(|(k, _)| *k) != Some(key) {
            let mut ids: Vec<(i64, u64)> = self.issues.values().map(|i| (i.updated_on, i.id)).collect();
            ids.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            self.order = Some((key, ids.into_iter().map(|(_, id)| id).collect()));
        }
        self.order.as_ref().map(|(_, o)| o.as_slice()).unwrap_or(&[])
    }
}

#[derive(Clone)]
pub struct FakeRedmine {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

/// Base time of generated data: 2026-01-05T08:00:00Z.
pub const T0: i64 = 1_767_600_000;

const WORDS: &[&str] = &[
    "invoice", "posting", "warehouse", "picking", "approval", "workflow", "report", "export", "vendor", "payment",
    "login", "printer", "label", "batch", "stock", "order", "delivery", "customer", "pricing", "discount",
];

fn words(seed: u64, n: usize) -> String {
    (0..n).map(|k| WORDS[((seed.wrapping_mul(2_654_435_761).wrapping_add(k as u64 * 40_503)) >> 7) as usize % WORDS.len()]).collect::<Vec<_>>().join(" ")
}

/// `n` deterministic issues with `comments` journals each; three issues share
/// each `updated_on` second.
pub fn generate(n: u64, comments: usize) -> BTreeMap<u64, Issue> {
    (1..=n)
        .map(|id| {
            let created = T0 + id as i64 / 3;
            let journals = (0..comments as u64)
                .map(|k| Journal {
                    id: id * 10 + k,
                    notes: format!("Comment {k} on {id}: {}. Steps checked in the test client.", words(id + k, 12)),
                    created_on: created + k as i64,
                    status: if k == 0 { Some((1, 2)) } else { None },
                })
                .collect();
            let issue = Issue {
                id,
                subject: format!("{} fails for plant {}", words(id, 4), id % 17),
                description: format!("When I {}\r\nthe system shows an error. {}", words(id * 7, 10), words(id * 13, 20)),
                status_id: if comments > 0 { 2 } else { 1 },
                created_on: created,
                updated_on: created,
                journals,
            };
            (id, issue)
        })
        .collect()
}

fn iso(t: i64) -> String {
    Utc.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

fn status_json(id: u64) -> serde_json::Value {
    let (name, closed) = match id {
        1 => ("New", false),
        2 => ("In Progress", false),
        3 => ("Resolved", false),
        4 => ("Feedback", false),
        5 => ("Closed", true),
        _ => ("Rejected", true),
    };
    json!({"id": id, "name": name, "is_closed": closed})
}

fn issue_json(i: &Issue, journals: bool) -> serde_json::Value {
    let mut v = json!({
        "id": i.id, "project": {"id": 1, "name": "Fake"}, "tracker": {"id": 1, "name": "Bug"},
        "status": status_json(i.status_id), "priority": {"id": 2, "name": "Normal"},
        "author": {"id": 1, "name": "Redmine Admin"}, "subject": i.subject, "description": i.description,
        "start_date": null, "due_date": null, "done_ratio": 0, "is_private": false, "estimated_hours": null,
        "created_on": iso(i.created_on), "updated_on": iso(i.updated_on), "closed_on": null
    });
    if journals {
        v["journals"] = i
            .journals
            .iter()
            .map(|j| {
                let details: Vec<_> = j
                    .status
                    .iter()
                    .map(|(a, b)| json!({"property": "attr", "name": "status_id", "old_value": a.to_string(), "new_value": b.to_string()}))
                    .collect();
                json!({"id": j.id, "user": {"id": 1, "name": "Redmine Admin"}, "notes": j.notes,
                       "created_on": iso(j.created_on), "private_notes": false, "details": details})
            })
            .collect();
    }
    v
}

impl FakeRedmine {
    /// Start a server on its own thread and runtime.
    pub fn start(issues: BTreeMap<u64, Issue>) -> FakeRedmine {
        let state = Arc::new(Mutex::new(State { issues, ..Default::default() }));
        let clock = state.lock().unwrap_or_else(|e| e.into_inner()).clock.clone();
        let app = Router::new()
            .route("/issues.json", get(list))
            .route("/issues/{file}", get(one))
            .route("/issue_statuses.json", get(statuses))
            .route("/projects/{file}", get(project))
            .with_state(state.clone());
        FakeRedmine { url: serve(dated(app, &clock)), state }
    }

    /// The server's clock (shared: moving it moves the server's).
    pub fn clock(&self) -> FakeClock {
        self.state().clock.clone()
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<Logged> {
        self.state().log.iter().filter(|l| l.path.starts_with(prefix)).cloned().collect()
    }
}

/// Serve `app` on 127.0.0.1:0 on a thread and runtime of its own (every
/// fake server of the tests and benches); returns its base URL once it listens.
pub fn serve(app: Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    format!("http://{}", rx.recv().expect("server address"))
}

type S = AxState<Arc<Mutex<State>>>;

/// Log the request, check the key, apply the delay and any queued fault.
async fn gate(state: &Arc<Mutex<State>>, headers: &HeaderMap, path: String, query: String) -> Option<Response> {
    let (delay, fault, now) = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let authorized = headers.get("x-redmine-api-key").and_then(|v| v.to_str().ok()) == Some(KEY);
        let target = format!("{path}?{query}");
        let fault = if !authorized {
            Some(Fault::Status(401, None))
        } else {
            s.faults.iter().position(|(p, _)| target.contains(p.as_str())).map(|i| s.faults.remove(i).1)
        };
        let status = match &fault {
            Some(Fault::Status(c, _) | Fault::RetryAt(c, _)) => *c,
            Some(Fault::Html) => 502,
            _ => 200,
        };
        s.log.push(Logged { at: Instant::now(), path, query, status });
        (s.delay, fault, s.clock.now())
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match fault? {
        Fault::Status(code, retry_after) => Some(refusal(code, retry_after.map(String::from))),
        Fault::RetryAt(code, secs) => Some(refusal(code, Some(http_date(now + secs)))),
        Fault::Stall(d) => {
            tokio::time::sleep(d).await;
            Some((StatusCode::OK, "{}").into_response())
        }
        Fault::Truncated => Some(([("content-type", "application/json")], "{\"issues\":[{\"id\":1,\"subj").into_response()),
        Fault::Html => Some(([("content-type", "text/html")], "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>").into_response()),
        Fault::InvalidUtf8 => {
            let body: Vec<u8> = [&b"{\"issue\":{\"id\":3,\"subject\":\"caf"[..], &[0xE9, 0xFF], &b"\"}}"[..]].concat();
            Some(([("content-type", "application/json")], body).into_response())
        }
    }
}

/// An empty answer with status `code` and, when given, `Retry-After`.
fn refusal(code: u16, retry_after: Option<String>) -> Response {
    let mut r = (StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "").into_response();
    if let Some(ra) = retry_after {
        r.headers_mut().insert("retry-after", ra.parse().expect("header"));
    }
    r
}

fn json_response(v: String) -> Response {
    ([("content-type", "application/json")], v).into_response()
}

async fn list(st: S, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let query = serde_urlencoded(&q);
    if let Some(r) = gate(&st, &headers, "/issues.json".into(), query).await {
        return r;
    }
    let mut s = st.lock().unwrap_or_else(|e| e.into_inner());
    let since = q.get("updated_on").and_then(|v| v.strip_prefix(">=")).and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok());
    let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(25).min(100);
    let ids: Vec<u64> = if q.get("sort").map(String::as_str) == Some("updated_on") {
        s.listing_order();
        let order = s.order.as_ref().map(|(_, o)| o.as_slice()).unwrap_or(&[]);
        // Redmine: `>=T` is `updated_on > T - 1 s` on fractional times; with
        // whole seconds here that is `updated_on >= T - 1`.
        let start = match since {
            Some(t) => order.partition_point(|id| s.issues.get(id).is_some_and(|i| i.updated_on < t.timestamp() - 1)),
            None => 0,
        };
        let page: Vec<u64> = order[start..].iter().skip(offset).take(limit).copied().collect();
        let total = order.len() - start;
        return json_response(page_json(&s, &page, total, offset, limit));
    } else {
        s.issues.values().filter(|i| since.is_none_or(|t| i.updated_on >= t.timestamp() - 1)).map(|i| i.id).collect()
    };
    let page: Vec<u64> = ids.iter().skip(offset).take(limit).copied().collect();
    json_response(page_json(&s, &page, ids.len(), offset, limit))
}

fn page_json(s: &State, page: &[u64], total: usize, offset: usize, limit: usize) -> String {
    let page: Vec<_> = page.iter().filter_map(|id| s.issues.get(id)).map(|i| issue_json(i, false)).collect();
    json!({"issues": page, "total_count": total, "offset": offset, "limit": limit}).to_string()
}

async fn one(st: S, headers: HeaderMap, Path(file): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, format!("/issues/{file}"), serde_urlencoded(&q)).await {
        return r;
    }
    let id: Option<u64> = file.strip_suffix(".json").and_then(|v| v.parse().ok());
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    match id.and_then(|id| s.issues.get(&id)) {
        Some(i) => json_response(json!({"issue": issue_json(i, q.contains_key("include"))}).to_string()),
        None => (StatusCode::NOT_FOUND, "").into_response(),
    }
}

async fn statuses(st: S, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&st, &headers, "/issue_statuses.json".into(), String::new()).await {
        return r;
    }
    json_response(json!({"issue_statuses": (1..=6).map(status_json).collect::<Vec<_>>()}).to_string())
}

async fn project(st: S, headers: HeaderMap, Path(file): Path<String>) -> Response {
    if let Some(r) = gate(&st, &headers, format!("/projects/{file}"), String::new()).await {
        return r;
    }
    json_response(json!({"project": {"id": 1, "name": "Fake project", "identifier": "fake"}}).to_string())
}

fn serde_urlencoded(q: &BTreeMap<String, String>) -> String {
    q.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}
