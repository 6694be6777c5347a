//! A local Zendesk-Support-shaped server (axum on 127.0.0.1:0) for the
//! writes a validation push makes, serving API v2's documented shapes for
//! one ticket: `GET|PUT /api/v2/tickets/{id}.json` (the update takes
//! `{"ticket": {"comment": {"body", "public", "uploads": [tokens]},
//! "status"}}` and writes it all at once), `GET /api/v2/tickets/{id}/
//! comments.json` (cursor pages: `page[size]`, `page[after]`,
//! `meta.has_more`, `meta.after_cursor`; each comment with its
//! `attachments`), `POST /api/v2/uploads.json?filename=NAME` (the raw bytes
//! → `upload.token`), `GET /api/v2/tickets/{id}/audits.json` (with the
//! `users` sideload) and `GET /api/v2/users/me.json`. The ticket's
//! `custom_fields` ([`State::fields`], id → value) are read and written by
//! `{"ticket": {"custom_fields": [{"id", "value"}]}}`; a field that is not
//! in the ticket's form is silently ignored, as Zendesk does. Each update moves
//! `updated_at` and leaves an audit under its author ([`ME`] for the
//! token's, [`DEV`] for [`State::edit_by_other`]). It refuses what Zendesk refuses (a wrong
//! `Authorization` → 401; an update of a closed ticket, an unknown status,
//! `closed`, an unknown upload token or an empty comment → 422 with
//! `details`), records every request and can inject faults: a status (with
//! `Retry-After`), or "do the write, then answer only after a delay".
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub const SECRET: &str = "agent@acme.test/token:zd-write-token-42";
/// The ticket's id (the store's remote id).
pub const TICKET_ID: &str = "4711";

pub use crate::sync_common::write_log::{Fault, Logged};
use crate::sync_common::write_log::{with_retry_after, HasLog, Request, Served, WriteLog};

/// The drop-down custom field the category tests write to.
pub const CATEGORY_FIELD: i64 = 360_001;

/// The token's user: (id, name).
pub const ME: (i64, &str) = (9001, "Hypercare Integration");
/// A developer: (id, name).
pub const DEV: (i64, &str) = (9002, "Dana Developer");

/// One ticket audit: who, when, its events (Zendesk's JSON).
#[derive(Debug, Clone)]
pub struct Audit {
    pub author: (i64, &'static str),
    pub at: DateTime<Utc>,
    pub events: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct File {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: i64,
    pub body: String,
    pub public: bool,
    pub attachments: Vec<File>,
}

pub struct State {
    pub status: String,
    pub comments: Vec<Comment>,
    /// Uploads not attached yet, by token.
    pub uploads: HashMap<String, File>,
    /// The ticket's `updated_at`; every update is an audit.
    pub updated: DateTime<Utc>,
    pub audits: Vec<Audit>,
    pub w: WriteLog,
    /// Comments per page at most.
    pub comment_page: usize,
    /// The custom fields of the ticket's form: id → value (`null` = empty;
    /// a drop-down's value is its option's tag).
    pub fields: BTreeMap<i64, Value>,
    next_id: i64,
}

impl State {
    /// A comment already on the ticket (someone's, or a crashed push's).
    pub fn add_comment(&mut self, body: &str, public: bool, files: Vec<(&str, &[u8])>) {
        let attachments = files
            .into_iter()
            .map(|(n, c)| {
                self.next_id += 1;
                File { id: self.next_id, file_name: n.into(), content_type: "image/png".into(), content: c.to_vec() }
            })
            .collect();
        self.next_id += 1;
        self.comments.push(Comment { id: self.next_id, body: body.into(), public, attachments });
    }
}

impl State {
    /// An update of the ticket made now by `author`, with these events.
    pub fn audit(&mut self, author: (i64, &'static str), events: Vec<Value>) {
        self.updated = Utc::now();
        self.audits.push(Audit { author, at: self.updated, events });
    }

    /// A developer sets the status now, commenting `text` (a public reply) if any.
    pub fn edit_by_other(&mut self, status: &str, text: Option<&str>) {
        let mut events = vec![json!({"type": "Change", "field_name": "status", "value": status, "previous_value": self.status})];
        if let Some(t) = text {
            self.add_comment(t, true, vec![]);
            events.insert(0, json!({"type": "Comment", "body": t, "public": true}));
        }
        self.status = status.into();
        self.audit(DEV, events);
    }
}

/// The running fake.
pub type FakeZendeskWrite = Served<State>;

impl HasLog for State {
    fn write_log(&mut self) -> &mut WriteLog {
        &mut self.w
    }
}

type S = AxState<Arc<Mutex<State>>>;
type Q = Query<BTreeMap<String, String>>;

impl Served<State> {
    /// A server whose one ticket is `pending` with a first comment (the description).
    pub fn start() -> FakeZendeskWrite {
        let mut s = State {
            status: "pending".into(),
            comments: vec![],
            uploads: HashMap::new(),
            updated: crate::sync_common::write_log::a_while_ago(),
            audits: vec![],
            w: WriteLog::default(),
            comment_page: 100,
            fields: BTreeMap::from([(CATEGORY_FIELD, Value::Null)]),
            next_id: 90_000,
        };
        s.add_comment("Invoice posting rounds wrong.", true, vec![]);
        let state = Arc::new(Mutex::new(s));
        let app = Router::new()
            .route("/api/v2/tickets/{file}", get(ticket).put(update))
            .route("/api/v2/tickets/{id}/comments.json", get(comments))
            .route("/api/v2/tickets/{id}/audits.json", get(audits))
            .route("/api/v2/users/me.json", get(me))
            .route("/api/v2/uploads.json", post(upload))
            .with_state(state.clone());
        Served::serve(app, state)
    }

    /// Requests received with `method` whose path ends with `suffix`.
    pub fn requests(&self, method: &str, suffix: &str) -> Vec<Logged> {
        self.requests_where(method, |p| p.ends_with(suffix))
    }
}

pub fn expected_auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(SECRET))
}

fn lock(st: &S) -> MutexGuard<'_, State> {
    st.lock().unwrap_or_else(|e| e.into_inner())
}

fn error(code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

fn invalid(field: &str, msg: &str) -> Response {
    error(422, json!({"error": "RecordInvalid", "description": "Record validation errors",
        "details": {field: [{"description": msg, "error": "InvalidValue"}]}}))
}

/// Log the request; refuse a wrong `Authorization` or another ticket; take
/// a queued fault; answer with `f`'s response built under the lock, after a
/// queued stall.
async fn handle(
    st: &S,
    method: Method,
    path: String,
    query: BTreeMap<String, String>,
    headers: &HeaderMap,
    body: Bytes,
    f: impl FnOnce(&mut State) -> Response,
) -> Response {
    let other = path.starts_with("/api/v2/tickets/") && !path.starts_with(&format!("/api/v2/tickets/{TICKET_ID}"));
    let req = Request { method: &method, path: &path, query: &query, headers, body: &body };
    let stall = match lock(st).w.gate(&req, &expected_auth(), other.then_some(404)) {
        Ok(d) => d,
        Err((code, retry_after)) => {
            let msg = match code {
                401 => json!({"error": "Couldn't authenticate you"}),
                404 => json!({"error": "RecordNotFound", "description": "Not found"}),
                _ => json!({"error": "fault"}),
            };
            return with_retry_after(error(code, msg), retry_after);
        }
    };
    let r = f(&mut lock(st));
    if let Some(d) = stall {
        tokio::time::sleep(d).await;
    }
    r
}

fn file_json(f: &File) -> Value {
    json!({"id": f.id, "file_name": f.file_name, "content_type": f.content_type, "size": f.content.len(),
        "content_url": format!("https://acme.zendesk.com/attachments/token/x/?name={}", f.file_name), "inline": false})
}

fn ticket_json(s: &State) -> Value {
    let custom: Vec<Value> = s.fields.iter().map(|(id, v)| json!({"id": id, "value": v})).collect();
    json!({"id": TICKET_ID.parse::<i64>().unwrap_or(0), "subject": "Invoice posting rounds wrong", "status": s.status,
        "created_at": "2026-11-20T08:00:00Z", "updated_at": zd_time(s.updated), "custom_fields": custom})
}

fn zd_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn audits(st: S, Path(id): Path<String>, Query(q): Q, headers: HeaderMap) -> Response {
    let path = format!("/api/v2/tickets/{id}/audits.json");
    handle(&st, Method::GET, path, q.clone(), &headers, Bytes::new(), |s| {
        let list: Vec<Value> = s
            .audits
            .iter()
            .enumerate()
            .map(|(i, a)| json!({"id": 700 + i, "ticket_id": TICKET_ID.parse::<i64>().unwrap_or(0),
                "author_id": a.author.0, "created_at": zd_time(a.at), "events": a.events}))
            .collect();
        let users = if q.get("include").map(String::as_str) == Some("users") {
            json!([{"id": ME.0, "name": ME.1}, {"id": DEV.0, "name": DEV.1}])
        } else {
            json!([])
        };
        Json(json!({"audits": list, "users": users, "meta": {"has_more": false}})).into_response()
    })
    .await
}

async fn me(st: S, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, "/api/v2/users/me.json".into(), BTreeMap::new(), &headers, Bytes::new(), |_| {
        Json(json!({"user": {"id": ME.0, "name": ME.1, "role": "agent"}})).into_response()
    })
    .await
}

async fn ticket(st: S, Path(file): Path<String>, Query(q): Q, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, format!("/api/v2/tickets/{file}"), q, &headers, Bytes::new(), |s| {
        Json(json!({"ticket": ticket_json(s)})).into_response()
    })
    .await
}

async fn comments(st: S, Path(id): Path<String>, Query(q): Q, headers: HeaderMap) -> Response {
    let path = format!("/api/v2/tickets/{id}/comments.json");
    handle(&st, Method::GET, path, q.clone(), &headers, Bytes::new(), |s| {
        let size: usize = q.get("page[size]").and_then(|v| v.parse().ok()).unwrap_or(100).min(s.comment_page);
        let start: usize = q.get("page[after]").and_then(|c| c.strip_prefix("c")).and_then(|v| v.parse().ok()).unwrap_or(0);
        let page: Vec<Value> = s
            .comments
            .iter()
            .skip(start)
            .take(size)
            .map(|c| {
                json!({"id": c.id, "type": "Comment", "author_id": 7, "body": c.body, "plain_body": c.body,
                    "html_body": format!("<p>{}</p>", c.body), "public": c.public,
                    "attachments": c.attachments.iter().map(file_json).collect::<Vec<_>>(),
                    "created_at": "2026-11-21T09:00:00Z"})
            })
            .collect();
        let end = start + page.len();
        let more = end < s.comments.len();
        Json(json!({"comments": page, "meta": {"has_more": more, "after_cursor": format!("c{end}"), "before_cursor": format!("c{start}")},
            "links": {"next": if more { Value::from(format!("…?page[after]=c{end}")) } else { Value::Null }}}))
        .into_response()
    })
    .await
}

async fn upload(st: S, Query(q): Q, headers: HeaderMap, body: Bytes) -> Response {
    let ctype = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    handle(&st, Method::POST, "/api/v2/uploads.json".into(), q.clone(), &headers, body.clone(), |s| {
        let Some(name) = q.get("filename").filter(|n| !n.is_empty()) else {
            return invalid("filename", "Filename: cannot be blank");
        };
        s.next_id += 1;
        let token = format!("tok{}", s.next_id);
        let file = File { id: s.next_id, file_name: name.clone(), content_type: ctype, content: body.to_vec() };
        let v = json!({"upload": {"token": token, "expires_at": "2026-12-01T00:00:00Z",
            "attachment": file_json(&file), "attachments": [file_json(&file)]}});
        s.uploads.insert(token, file);
        (StatusCode::CREATED, Json(v)).into_response()
    })
    .await
}

async fn update(st: S, Path(file): Path<String>, Query(q): Q, headers: HeaderMap, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    handle(&st, Method::PUT, format!("/api/v2/tickets/{file}"), q, &headers, body, |s| {
        let Some(t) = v.get("ticket") else { return error(400, json!({"error": "InvalidEndpoint"})) };
        if s.status == "closed" {
            return invalid("status", "Status: closed prevents ticket update");
        }
        let status = t.get("status").and_then(|x| x.as_str());
        if let Some(st) = status {
            if !["new", "open", "pending", "hold", "solved"].contains(&st) {
                return invalid("status", &format!("Status: {st} is not valid"));
            }
        }
        if let Some(c) = t.get("comment") {
            let text = c["body"].as_str().unwrap_or("");
            if text.trim().is_empty() {
                return invalid("comment", "Comment: cannot be blank");
            }
            let tokens: Vec<String> =
                c["uploads"].as_array().into_iter().flatten().filter_map(|x| x.as_str().map(String::from)).collect();
            if let Some(bad) = tokens.iter().find(|t| !s.uploads.contains_key(*t)) {
                return invalid("uploads", &format!("Uploads: token {bad} is invalid"));
            }
            let files = tokens.iter().filter_map(|t| s.uploads.remove(t)).collect();
            s.next_id += 1;
            s.comments.push(Comment { id: s.next_id, body: text.into(), public: c["public"].as_bool().unwrap_or(true), attachments: files });
        }
        let mut events = Vec::new();
        if let Some(c) = s.comments.last().filter(|_| t.get("comment").is_some()) {
            events.push(json!({"type": "Comment", "body": c.body, "public": c.public}));
        }
        if let Some(st) = status {
            events.push(json!({"type": "Change", "field_name": "status", "value": st, "previous_value": s.status}));
            s.status = st.into();
        }
        for f in t["custom_fields"].as_array().into_iter().flatten() {
            let Some(id) = f["id"].as_i64() else { return invalid("custom_fields", "Custom fields: id is missing") };
            if let Some(slot) = s.fields.get_mut(&id) {
                events.push(json!({"type": "Change", "field_name": id.to_string(), "value": f["value"], "previous_value": slot}));
                *slot = f["value"].clone();
            }
        }
        s.audit(ME, events);
        Json(json!({"ticket": ticket_json(s), "audit": {"id": s.next_id + 1, "events": []}})).into_response()
    })
    .await
}

impl Served<State> {
    /// A store with a Zendesk source (`config` as its settings) holding the
    /// fake's ticket, as a sync would have left it.
    pub fn world(&self, config: Value) -> crate::sync_common::validation_world::World {
        let updated_at = self.state().updated;
        let status_class = hypercare::model::StatusClass::Open;
        let seen = crate::sync_common::validation_world::Seen { remote_id: TICKET_ID, key: &format!("#{TICKET_ID}"), status: "Pending", status_class, updated_at };
        crate::sync_common::validation_world::World::for_source(hypercare::model::SourceKind::Zendesk, "zd", &self.url, "*", config, &seen)
    }
}
