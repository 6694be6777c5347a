//! A local Zendesk-Support-shaped HTTP server (axum on 127.0.0.1:0). It
//! replays the documented shapes of the endpoints the connector reads:
//! the time-based incremental ticket export (`tickets`, `next_page`,
//! `end_time`, `count`, `end_of_stream`, sideloaded `metric_sets`; filtered
//! on `generated_timestamp >= start_time`; deleted tickets listed with status
//! `deleted`; a page cap like Zendesk's 1000 that tests make small; ties in a
//! second listed in *descending* id order, so the client must not rely on
//! Zendesk's tie order), a ticket (404 once deleted), its audits (cursor
//! pagination: `page[size]`, `page[after]`, `meta.has_more`, `links.next`;
//! `Create`, `Comment`, `Change` and `Notification` events; no sideloaded
//! users), tickets by `-updated_at`, the ticket count, users by
//! id (`show_many`), `users/me` and the ticket fields (`ticket_fields.json`,
//! cursor pages, system fields beside the custom ones). Every request is logged with whether its credentials matched;
//! faults can be queued for coming requests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use chrono::{TimeZone, Utc};
use serde_json::json;

pub const EMAIL: &str = "agent@acme.test";
pub const API_TOKEN: &str = "zd-api-token-0123456789";

/// The secret a source is given: `EMAIL/token:API_TOKEN`.
pub fn secret() -> String {
    format!("{EMAIL}/token:{API_TOKEN}")
}

/// Base time of generated data: 2026-01-05T08:00:00Z.
pub const T0: i64 = 1_767_600_000;

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub subject: String,
    pub description: String,
    pub status: String,
    pub priority: Option<String>,
    pub group_id: Option<u64>,
    pub requester_id: i64,
    pub assignee_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub generated: i64,
    pub solved_at: Option<i64>,
    /// `(score, comment)`.
    pub satisfaction: Option<(String, String)>,
    /// The first comment is the description.
    pub comments: Vec<Comment>,
    /// `custom_fields`: (field id, value); a drop-down's value is its tag.
    pub custom_fields: Vec<(i64, serde_json::Value)>,
    /// Status changes after creation, oldest first.
    pub moves: Vec<Move>,
}

/// A status change, as one audit's `Change` event.
#[derive(Debug, Clone)]
pub struct Move {
    pub id: u64,
    pub at: i64,
    pub from: String,
    pub to: String,
    pub author_id: i64,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub author_id: i64,
    pub body: String,
    pub public: bool,
    pub created_at: i64,
}

/// What to do to a request instead of answering it.
#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16, Option<&'static str>),
    Html,
    InvalidUtf8,
    /// This body, as JSON.
    Body(String),
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub authorized: bool,
    pub status: u16,
}

#[derive(Default)]
pub struct State {
    pub tickets: BTreeMap<u64, Ticket>,
    pub users: BTreeMap<i64, String>,
    pub faults: Vec<(String, Fault)>,
    pub log: Vec<Logged>,
    /// Most tickets one export reply holds (Zendesk: 1000).
    pub export_cap: usize,
    /// Most audits one page holds (Zendesk: 100).
    pub audits_cap: usize,
    /// List each second's tickets in ascending, then descending id order,
    /// request after request (Zendesk documents no tie order).
    pub unstable_ties: bool,
    /// `/api/v2/ticket_fields.json`: every field, system ones included
    /// (`removable: false`), as Zendesk lists them.
    pub ticket_fields: Vec<serde_json::Value>,
    /// Most ticket fields one page holds (Zendesk: 100).
    pub fields_cap: usize,
    /// The server's clock: when set, the export leaves out the tickets
    /// changed in the minute before it, as Zendesk does.
    pub clock: Option<i64>,
    exports: u64,
    next_comment: u64,
}

impl State {
    /// Change a ticket's subject at `at` (its `updated_at` and
    /// `generated_timestamp` move).
    pub fn edit(&mut self, id: u64, subject: &str, at: i64) {
        if let Some(t) = self.tickets.get_mut(&id) {
            t.subject = subject.into();
            t.updated_at = at;
            t.generated = at;
        }
    }

    /// Add a comment (public reply or internal note) at `at`.
    pub fn comment(&mut self, id: u64, author_id: i64, body: &str, public: bool, at: i64) {
        self.next_comment += 1;
        let cid = 9_000_000 + self.next_comment;
        if let Some(t) = self.tickets.get_mut(&id) {
            t.comments.push(Comment { id: cid, author_id, body: body.into(), public, created_at: at });
            t.updated_at = at;
            t.generated = at;
        }
    }

    /// Move a ticket to `status` at `at`, as agent `author_id` would (an
    /// audit with a status `Change` event; `solved_at` moves on a solve).
    pub fn set_status(&mut self, id: u64, status: &str, author_id: i64, at: i64) {
        self.next_comment += 1;
        let mid = 8_000_000 + self.next_comment;
        if let Some(t) = self.tickets.get_mut(&id) {
            t.moves.push(Move { id: mid, at, from: t.status.clone(), to: status.into(), author_id });
            if status == "solved" {
                t.solved_at = Some(at);
            }
            t.status = status.into();
            t.updated_at = at;
            t.generated = at;
        }
    }

    /// Delete a ticket at `at`: the export lists it as `deleted`, its own
    /// endpoint answers 404.
    pub fn delete(&mut self, id: u64, at: i64) {
        if let Some(t) = self.tickets.get_mut(&id) {
            t.status = "deleted".into();
            t.updated_at = at;
            t.generated = at;
        }
    }
}

/// `n` tickets; ticket `id` changes at `T0 + id` (one per second).
pub fn generate(n: u64) -> BTreeMap<u64, Ticket> {
    (1..=n)
        .map(|id| {
            let at = T0 + id as i64;
            let description = format!("Posting invoice {id} fails in plant {} with error F5 {}", id % 7, id * 31);
            let t = Ticket {
                id,
                subject: format!("Invoice posting fails #{id}"),
                description: description.clone(),
                status: "open".into(),
                priority: Some(if id % 5 == 0 { "urgent" } else { "normal" }.into()),
                group_id: Some(if id % 2 == 0 { 20 } else { 30 }),
                requester_id: 100 + (id % 3) as i64,
                assignee_id: Some(7),
                created_at: at,
                updated_at: at,
                generated: at,
                solved_at: None,
                satisfaction: None,
                comments: vec![Comment { id: id * 10, author_id: 100 + (id % 3) as i64, body: description, public: true, created_at: at }],
                moves: Vec::new(),
                custom_fields: vec![(27642, json!("745"))],
            };
            (id, t)
        })
        .collect()
}

pub fn iso(t: i64) -> String {
    Utc.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

fn ticket_json(base: &str, t: &Ticket, export: bool) -> serde_json::Value {
    let rating = match &t.satisfaction {
        Some((score, comment)) => json!({"id": t.id * 7, "score": score, "comment": comment}),
        None => json!({"score": "unoffered"}),
    };
    let mut v = json!({
        "id": t.id, "url": format!("{base}/api/v2/tickets/{}.json", t.id), "external_id": null,
        "via": {"channel": "web"}, "created_at": iso(t.created_at), "updated_at": iso(t.updated_at),
        "type": "incident", "subject": t.subject, "raw_subject": t.subject, "description": t.description,
        "priority": t.priority, "status": t.status, "recipient": null, "requester_id": t.requester_id,
        "submitter_id": t.requester_id, "assignee_id": t.assignee_id, "organization_id": null,
        "group_id": t.group_id, "brand_id": 1, "collaborator_ids": [], "follower_ids": [], "has_incidents": false,
        "is_public": true, "due_at": null, "tags": ["erp", "golive"],
        "custom_fields": t.custom_fields.iter().map(|(id, v)| json!({"id": id, "value": v})).collect::<Vec<_>>(),
        "satisfaction_rating": rating
    });
    if export {
        v["generated_timestamp"] = json!(t.generated);
    }
    v
}

#[derive(Clone)]
pub struct FakeZendesk {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeZendesk {
    /// Start a server on its own thread and runtime.
    pub fn start(tickets: BTreeMap<u64, Ticket>) -> FakeZendesk {
        let users = [(7, "Agent Smith"), (100, "Ann Keller"), (101, "Bob Marsh"), (102, "Cleo Diaz")]
            .into_iter()
            .map(|(i, n)| (i, n.to_string()))
            .collect();
        let state = Arc::new(Mutex::new(State {
            tickets,
            users,
            export_cap: 1000,
            audits_cap: 100,
            ticket_fields: default_ticket_fields(),
            fields_cap: 100,
            ..Default::default()
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let addr = listener.local_addr().expect("addr");
                let base = format!("http://{addr}");
                let app = Router::new()
                    .route("/api/v2/incremental/tickets.json", get(export))
                    .route("/api/v2/tickets.json", get(list))
                    .route("/api/v2/tickets/{file}", get(one))
                    .route("/api/v2/tickets/{id}/audits.json", get(audits))
                    .route("/api/v2/users/me.json", get(me))
                    .route("/api/v2/users/show_many.json", get(show_many))
                    .route("/api/v2/ticket_fields.json", get(ticket_fields))
                    .with_state((st, base));
                tx.send(addr).expect("send addr");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let addr = rx.recv().expect("server address");
        FakeZendesk { url: format!("http://{addr}"), state }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<Logged> {
        self.state().log.iter().filter(|l| l.path.starts_with(prefix)).cloned().collect()
    }

    /// Queue a fault for the next request whose `path?query` contains `pattern`.
    pub fn fault(&self, pattern: &str, f: Fault) {
        self.state().faults.push((pattern.into(), f));
    }
}

type S = AxState<(Arc<Mutex<State>>, String)>;
type Q = Query<BTreeMap<String, String>>;

fn expected_auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret()))
}

/// Log the request, check the credentials, apply a queued fault.
fn gate(state: &Arc<Mutex<State>>, headers: &HeaderMap, path: String, query: &BTreeMap<String, String>) -> Option<Response> {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected_auth().as_str());
    let target = format!("{path}?{}", query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
    let fault = if authorized { s.faults.iter().position(|(p, _)| target.contains(p.as_str())).map(|i| s.faults.remove(i).1) } else { None };
    let status = match (&fault, authorized) {
        (_, false) => 401,
        (Some(Fault::Status(c, _)), _) => *c,
        _ => 200,
    };
    s.log.push(Logged { at: Instant::now(), path, query: query.clone(), authorized, status });
    if !authorized {
        return Some((StatusCode::UNAUTHORIZED, json_body(json!({"error": "Couldn't authenticate you"}).to_string())).into_response());
    }
    Some(match fault? {
        Fault::Status(code, retry_after) => {
            let mut r = (StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "").into_response();
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().expect("header"));
            }
            r
        }
        Fault::Html => ([("content-type", "text/html")], "<!DOCTYPE html><html><body>Help Center</body></html>").into_response(),
        Fault::InvalidUtf8 => {
            let body: Vec<u8> = [&b"{\"tickets\":[{\"id\":3,\"subject\":\"caf"[..], &[0xE9, 0xFF], &b"\"}],\"end_of_stream\":true}"[..]].concat();
            ([("content-type", "application/json")], body).into_response()
        }
        Fault::Body(b) => json_body(b).into_response(),
    })
}

fn json_body(v: String) -> ([(&'static str, &'static str); 1], String) {
    ([("content-type", "application/json; charset=utf-8")], v)
}

async fn export(AxState((st, base)): S, headers: HeaderMap, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, "/api/v2/incremental/tickets.json".into(), &q) {
        return r;
    }
    let Some(start) = q.get("start_time").and_then(|v| v.parse::<i64>().ok()) else {
        return (StatusCode::BAD_REQUEST, json_body(json!({"error": "InvalidValue", "description": "start_time is required"}).to_string()))
            .into_response();
    };
    let mut s = st.lock().unwrap_or_else(|e| e.into_inner());
    s.exports += 1;
    let ascending = s.unstable_ties && s.exports % 2 == 1;
    let per_page = q.get("per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1000).min(s.export_cap);
    let until = s.clock.map(|c| c - 60).unwrap_or(i64::MAX);
    let mut order: Vec<&Ticket> = s.tickets.values().filter(|t| t.generated >= start && t.generated <= until).collect();
    // Ties in a second in descending id order (or flipping): the client must sort itself.
    order.sort_by(|a, b| a.generated.cmp(&b.generated).then(if ascending { a.id.cmp(&b.id) } else { b.id.cmp(&a.id) }));
    let page: Vec<&Ticket> = order.iter().take(per_page).copied().collect();
    let end_time = page.last().map(|t| t.generated).unwrap_or(start);
    let end_of_stream = order.len() <= per_page;
    let metric_sets: Vec<_> = if q.get("include").is_some_and(|i| i.contains("metric_sets")) {
        page.iter().map(|t| json!({"id": t.id + 500, "ticket_id": t.id, "solved_at": t.solved_at.map(iso), "reopens": 0})).collect()
    } else {
        Vec::new()
    };
    let body = json!({
        "tickets": page.iter().map(|t| ticket_json(&base, t, true)).collect::<Vec<_>>(),
        "metric_sets": metric_sets,
        "count": page.len(),
        "end_time": end_time,
        "end_of_stream": end_of_stream,
        "next_page": format!("{base}/api/v2/incremental/tickets.json?per_page={per_page}&start_time={end_time}"),
    });
    json_body(body.to_string()).into_response()
}

async fn one(AxState((st, base)): S, headers: HeaderMap, Path(file): Path<String>, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, format!("/api/v2/tickets/{file}"), &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    if file == "count.json" {
        let n = s.tickets.values().filter(|t| t.status != "deleted").count();
        return json_body(json!({"count": {"value": n, "refreshed_at": iso(T0)}}).to_string()).into_response();
    }
    let id: Option<u64> = file.strip_suffix(".json").and_then(|v| v.parse().ok());
    match id.and_then(|id| s.tickets.get(&id)).filter(|t| t.status != "deleted") {
        Some(t) => json_body(json!({"ticket": ticket_json(&base, t, false)}).to_string()).into_response(),
        None => (StatusCode::NOT_FOUND, json_body(json!({"error": "RecordNotFound"}).to_string())).into_response(),
    }
}

/// Cursor pagination over `items`: `(page, meta, next offset)`.
fn cursor_page<T: Clone>(items: &[T], q: &BTreeMap<String, String>, cap: usize) -> (Vec<T>, bool, String) {
    let size = q.get("page[size]").and_then(|v| v.parse::<usize>().ok()).unwrap_or(100).min(cap).max(1);
    let from = q.get("page[after]").and_then(|v| v.strip_prefix('c')).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let page: Vec<T> = items.iter().skip(from).take(size).cloned().collect();
    let has_more = from + page.len() < items.len();
    (page, has_more, format!("c{}", from + size))
}

/// The ticket's audits, oldest first: its creation (status `new` and the
/// description), then one audit per later comment and per status move.
async fn audits(AxState((st, base)): S, headers: HeaderMap, Path(id): Path<String>, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, format!("/api/v2/tickets/{id}/audits.json"), &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let Some(t) = id.parse::<u64>().ok().and_then(|id| s.tickets.get(&id)).filter(|t| t.status != "deleted") else {
        return (StatusCode::NOT_FOUND, json_body(json!({"error": "RecordNotFound"}).to_string())).into_response();
    };
    let comment = |c: &Comment| {
        json!({"id": c.id, "type": "Comment", "author_id": c.author_id, "body": c.body,
               "html_body": format!("<p>{}</p>", c.body), "plain_body": c.body, "public": c.public, "attachments": []})
    };
    // (time, order, audit): the creation first, then comments and moves in time order.
    let mut all: Vec<(i64, u64, serde_json::Value)> = Vec::new();
    // Created `new` unless the first move says otherwise.
    let first = t.moves.first().map_or("new", |m| m.from.as_str());
    let mut created = vec![json!({"id": t.id * 10 + 1, "type": "Create", "field_name": "status", "value": first}),
                           json!({"id": t.id * 10 + 2, "type": "Create", "field_name": "tags", "value": ["erp"]})];
    if let Some(first) = t.comments.first() {
        created.insert(0, comment(first));
    }
    all.push((t.created_at, 0, json!({"id": t.id * 1000, "ticket_id": t.id, "author_id": t.requester_id, "created_at": iso(t.created_at),
                                      "via": {"channel": "web"}, "events": created})));
    for c in t.comments.iter().skip(1) {
        let notify = json!({"id": c.id + 1, "type": "Notification", "subject": "Update", "body": "…", "recipients": [t.requester_id]});
        all.push((c.created_at, c.id, json!({"id": c.id * 10, "ticket_id": t.id, "author_id": c.author_id, "created_at": iso(c.created_at),
                                             "events": [comment(c), notify]})));
    }
    for m in &t.moves {
        all.push((m.at, m.id, json!({"id": m.id * 10, "ticket_id": t.id, "author_id": m.author_id, "created_at": iso(m.at),
                                     "events": [{"id": m.id, "type": "Change", "field_name": "status", "value": m.to, "previous_value": m.from}]})));
    }
    all.sort_by_key(|a| (a.0, a.1));
    let audits: Vec<serde_json::Value> = all.into_iter().map(|a| a.2).collect();
    let (page, has_more, after) = cursor_page(&audits, &q, s.audits_cap);
    let next = format!("{base}/api/v2/tickets/{id}/audits.json?page%5Bafter%5D={after}&page%5Bsize%5D=100");
    json_body(
        json!({"audits": page,
               "meta": {"has_more": has_more, "after_cursor": if has_more { Some(after) } else { None }, "before_cursor": null},
               "links": {"next": if has_more { Some(next) } else { None }, "prev": null}})
        .to_string(),
    )
    .into_response()
}

async fn list(AxState((st, base)): S, headers: HeaderMap, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, "/api/v2/tickets.json".into(), &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let mut live: Vec<&Ticket> = s.tickets.values().filter(|t| t.status != "deleted").collect();
    if q.get("sort").map(String::as_str) == Some("-updated_at") {
        live.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    }
    let (page, has_more, after) = cursor_page(&live, &q, 100);
    json_body(
        json!({"tickets": page.iter().map(|t| ticket_json(&base, t, false)).collect::<Vec<_>>(),
               "meta": {"has_more": has_more, "after_cursor": if has_more { Some(after) } else { None }}})
        .to_string(),
    )
    .into_response()
}

async fn me(AxState((st, _)): S, headers: HeaderMap, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, "/api/v2/users/me.json".into(), &q) {
        return r;
    }
    json_body(json!({"user": {"id": 7, "name": "Agent Smith", "email": EMAIL, "role": "admin"}}).to_string()).into_response()
}

async fn show_many(AxState((st, _)): S, headers: HeaderMap, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, "/api/v2/users/show_many.json".into(), &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let ids: Vec<i64> = q.get("ids").map(|v| v.split(',').filter_map(|i| i.trim().parse().ok()).collect()).unwrap_or_default();
    let users: Vec<_> = ids.iter().filter_map(|i| s.users.get(i).map(|n| json!({"id": i, "name": n, "role": "agent"}))).collect();
    json_body(json!({"users": users}).to_string()).into_response()
}

/// A Zendesk account's ticket fields: system ones and three custom ones
/// (the drop-downs list their options with tags as values).
pub fn default_ticket_fields() -> Vec<serde_json::Value> {
    let system = |id: i64, kind: &str, title: &str| json!({"id": id, "type": kind, "title": title, "active": true, "removable": false});
    let dropdown = |id: i64, title: &str, options: &[(&str, &str)]| {
        let options: Vec<_> = options.iter().enumerate().map(|(i, (n, v))| json!({"id": id * 10 + i as i64, "name": n, "value": v})).collect();
        json!({"id": id, "type": "tagger", "title": title, "active": true, "removable": true, "custom_field_options": options})
    };
    vec![
        system(1, "subject", "Subject"),
        system(2, "description", "Description"),
        system(3, "status", "Status"),
        system(4, "priority", "Priority"),
        dropdown(360001, "Business impact", &[("One person", "impact_one"), ("Department wide", "dept_wide"), ("Whole company", "company_wide")]),
        dropdown(360002, "How urgent", &[("Can wait", "urg_low"), ("Today", "urg_high"), ("Now", "urg_now")]),
        json!({"id": 27642, "type": "text", "title": "Cost centre", "active": true, "removable": true}),
    ]
}

async fn ticket_fields(AxState((st, base)): S, headers: HeaderMap, Query(q): Q) -> Response {
    if let Some(r) = gate(&st, &headers, "/api/v2/ticket_fields.json".into(), &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let (page, has_more, after) = cursor_page(&s.ticket_fields, &q, s.fields_cap);
    let next = format!("{base}/api/v2/ticket_fields.json?page%5Bafter%5D={after}&page%5Bsize%5D=100");
    json_body(
        json!({"ticket_fields": page,
               "meta": {"has_more": has_more, "after_cursor": if has_more { Some(after) } else { None }},
               "links": {"next": if has_more { Some(next) } else { None }}})
        .to_string(),
    )
    .into_response()
}
