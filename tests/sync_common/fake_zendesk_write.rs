//! A local Zendesk-Support-shaped server (axum on 127.0.0.1:0) for the
//! writes a validation push makes, serving API v2's documented shapes for
//! one ticket: `GET|PUT /api/v2/tickets/{id}.json` (the update takes
//! `{"ticket": {"comment": {"body", "public", "uploads": [tokens]},
//! "status"}}` and writes it all at once), `GET /api/v2/tickets/{id}/
//! comments.json` (cursor pages: `page[size]`, `page[after]`,
//! `meta.has_more`, `meta.after_cursor`; each comment with its
//! `attachments`), `POST /api/v2/uploads.json?filename=NAME` (the raw bytes
//! → `upload.token`). It refuses what Zendesk refuses (a wrong
//! `Authorization` → 401; an update of a closed ticket, an unknown status,
//! `closed`, an unknown upload token or an empty comment → 422 with
//! `details`), records every request and can inject faults: a status (with
//! `Retry-After`), or "do the write, then answer only after a delay".
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};

pub const SECRET: &str = "agent@acme.test/token:zd-write-token-42";
/// The ticket's id (the store's remote id).
pub const TICKET_ID: &str = "4711";

#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status (and `Retry-After`) without doing anything.
    Status(u16, Option<&'static str>),
    /// Do the write, then answer only after this long.
    Stall(Duration),
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub auth: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
}

impl Logged {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
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
    /// (method, path fragment, fault) for the next matching request.
    pub faults: Vec<(Method, String, Fault)>,
    pub log: Vec<Logged>,
    /// Comments per page at most.
    pub comment_page: usize,
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

pub struct FakeZendeskWrite {
    pub url: String,
    state: Arc<Mutex<State>>,
}

type S = AxState<Arc<Mutex<State>>>;
type Q = Query<BTreeMap<String, String>>;

impl FakeZendeskWrite {
    /// A server whose one ticket is `pending` with a first comment (the description).
    pub fn start() -> FakeZendeskWrite {
        let mut s = State {
            status: "pending".into(),
            comments: vec![],
            uploads: HashMap::new(),
            faults: vec![],
            log: vec![],
            comment_page: 100,
            next_id: 90_000,
        };
        s.add_comment("Invoice posting rounds wrong.", true, vec![]);
        let state = Arc::new(Mutex::new(s));
        let app = Router::new()
            .route("/api/v2/tickets/{file}", get(ticket).put(update))
            .route("/api/v2/tickets/{id}/comments.json", get(comments))
            .route("/api/v2/uploads.json", post(upload))
            .with_state(state.clone());
        FakeZendeskWrite { url: crate::sync_common::fake_redmine::serve(app), state }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received with `method` whose path ends with `suffix`.
    pub fn requests(&self, method: &str, suffix: &str) -> Vec<Logged> {
        self.state().log.iter().filter(|l| l.method == method && l.path.ends_with(suffix)).cloned().collect()
    }

    /// Queue a fault for the next `method` request whose path contains `pattern`.
    pub fn fault(&self, method: Method, pattern: &str, f: Fault) {
        self.state().faults.push((method, pattern.into(), f));
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
    let stall = {
        let mut s = lock(st);
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
        let fault = if auth.as_deref() != Some(expected_auth().as_str()) {
            Some(Fault::Status(401, None))
        } else if path.starts_with("/api/v2/tickets/") && !path.starts_with(&format!("/api/v2/tickets/{TICKET_ID}")) {
            Some(Fault::Status(404, None))
        } else {
            s.faults.iter().position(|(m, p, _)| *m == method && path.contains(p.as_str())).map(|i| s.faults.remove(i).2)
        };
        let code = match &fault {
            Some(Fault::Status(c, _)) => *c,
            _ => 200,
        };
        s.log.push(Logged { method: method.to_string(), path, query, auth, headers: headers.clone(), body, status: code });
        match fault {
            Some(Fault::Status(code, retry_after)) => {
                let msg = match code {
                    401 => json!({"error": "Couldn't authenticate you"}),
                    404 => json!({"error": "RecordNotFound", "description": "Not found"}),
                    _ => json!({"error": "fault"}),
                };
                let mut r = error(code, msg);
                if let Some(ra) = retry_after {
                    r.headers_mut().insert("retry-after", ra.parse().expect("header"));
                }
                return r;
            }
            Some(Fault::Stall(d)) => Some(d),
            None => None,
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
    json!({"id": TICKET_ID.parse::<i64>().unwrap_or(0), "subject": "Invoice posting rounds wrong", "status": s.status,
        "created_at": "2026-11-20T08:00:00Z", "updated_at": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()})
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
        if let Some(st) = status {
            s.status = st.into();
        }
        Json(json!({"ticket": ticket_json(s), "audit": {"id": s.next_id + 1, "events": []}})).into_response()
    })
    .await
}
