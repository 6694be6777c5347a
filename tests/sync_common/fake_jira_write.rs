//! A local Jira-Cloud-shaped server (axum on 127.0.0.1:0) for the writes a
//! validation push makes, serving REST v3's documented shapes for one
//! issue: `GET /issue/{id}?fields=…` (status, updated, attachment),
//! `GET|POST /issue/{id}/comment` (ADF bodies; paged by startAt /
//! maxResults), `POST /issue/{id}/attachments` (multipart field `file`),
//! `GET|POST /issue/{id}/transitions`. It refuses what Jira refuses (a
//! wrong `Authorization` → 401, an attachment without `X-Atlassian-Token:
//! no-check` → 403, a comment body that is not an ADF doc → 400, an unknown
//! transition id → 400), records every request (method, path, auth,
//! headers, body) and can inject faults: a status (with `Retry-After`), or
//! "accept, then answer only after a delay" (a client timeout after the
//! server took the write).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};

pub const SECRET: &str = "owner@example.com:ATATT3xFakeJiraWriteToken";
/// The issue's id (the store's remote id) and key.
pub const ISSUE_ID: &str = "10001";
pub const ISSUE_KEY: &str = "HC-1";

/// What Jira offers: (transition id, transition name, target status id, target status name).
pub const TRANSITIONS: &[(&str, &str, &str, &str)] = &[
    ("11", "Back to work", "2", "In Progress"),
    ("21", "Resolve", "3", "Resolved"),
    ("31", "Accept fix", "10001", "Done"),
];

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
    pub auth: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub mime: String,
    pub content: Vec<u8>,
}

pub struct State {
    /// Current status (id, name).
    pub status: (String, String),
    /// (id, ADF body)
    pub comments: Vec<(u64, Value)>,
    pub attachments: Vec<Attachment>,
    /// Transitions offered (empty: [`TRANSITIONS`]).
    pub offered: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    /// (method, path fragment, fault) for the next matching request.
    pub faults: Vec<(Method, String, Fault)>,
    pub log: Vec<Logged>,
    /// Comments per page at most (Jira caps at 100).
    pub comment_page: usize,
    next_id: u64,
}

pub struct FakeJiraWrite {
    pub url: String,
    state: Arc<Mutex<State>>,
}

type S = AxState<Arc<Mutex<State>>>;

impl FakeJiraWrite {
    /// A server whose one issue is in status "Resolved".
    pub fn start() -> FakeJiraWrite {
        let state = Arc::new(Mutex::new(State {
            status: ("3".into(), "Resolved".into()),
            comments: vec![],
            attachments: vec![],
            offered: TRANSITIONS.to_vec(),
            faults: vec![],
            log: vec![],
            comment_page: 100,
            next_id: 20_000,
        }));
        let app = Router::new()
            .route("/rest/api/3/issue/{id}", get(issue))
            .route("/rest/api/3/issue/{id}/comment", get(comments).post(add_comment))
            .route("/rest/api/3/issue/{id}/attachments", axum::routing::post(attach))
            .route("/rest/api/3/issue/{id}/transitions", get(transitions).post(transition))
            .with_state(state.clone());
        FakeJiraWrite { url: super::fake_redmine::serve(app), state }
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

    /// The comments' ADF bodies as JSON text.
    pub fn comment_texts(&self) -> Vec<String> {
        self.state().comments.iter().map(|(_, b)| b.to_string()).collect()
    }
}

fn expected_auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(SECRET))
}

/// Log the request; refuse a wrong `Authorization` or an unknown issue;
/// take a queued fault. `Err` is the answer to send at once.
fn gate(st: &S, method: &Method, id: &str, path: &str, headers: &HeaderMap, body: &Bytes) -> Result<Option<Duration>, Box<Response>> {
    let mut s = lock(st);
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
    let fault = if auth.as_deref() != Some(expected_auth().as_str()) {
        Some(Fault::Status(401, None))
    } else if id != ISSUE_ID {
        Some(Fault::Status(404, None))
    } else {
        s.faults.iter().position(|(m, p, _)| m == method && path.contains(p.as_str())).map(|i| s.faults.remove(i).2)
    };
    let status = match &fault {
        Some(Fault::Status(c, _)) => *c,
        _ => 200,
    };
    s.log.push(Logged { method: method.to_string(), path: path.into(), auth, headers: headers.clone(), body: body.clone(), status });
    match fault {
        None => Ok(None),
        Some(Fault::Stall(d)) => Ok(Some(d)),
        Some(Fault::Status(code, retry_after)) => {
            let msg = match code {
                401 => "Client must be authenticated to access this resource.",
                404 => "Issue does not exist or you do not have permission to see it.",
                _ => "fault",
            };
            let mut r = error(code, msg);
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().expect("header"));
            }
            Err(Box::new(r))
        }
    }
}

fn error(code: u16, msg: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(json!({"errorMessages": [msg], "errors": {}}))).into_response()
}

/// Gate the request, then answer with `f`'s response built under the
/// state's lock, after a queued stall.
async fn handle(
    st: &S,
    method: Method,
    id: &str,
    suffix: &str,
    headers: &HeaderMap,
    body: &Bytes,
    f: impl FnOnce(&mut State) -> Response,
) -> Response {
    let path = format!("/rest/api/3/issue/{id}{suffix}");
    let stall = match gate(st, &method, id, &path, headers, body) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let r = f(&mut lock(st));
    if let Some(d) = stall {
        tokio::time::sleep(d).await;
    }
    r
}

fn now_jira() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

fn lock(st: &S) -> MutexGuard<'_, State> {
    st.lock().unwrap_or_else(|e| e.into_inner())
}

async fn issue(st: S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "", &headers, &Bytes::new(), |s| {
        let atts: Vec<Value> = s
            .attachments
            .iter()
            .map(|a| json!({"id": a.id.to_string(), "filename": a.filename, "size": a.content.len(), "mimeType": a.mime}))
            .collect();
        Json(json!({"id": ISSUE_ID, "key": ISSUE_KEY, "fields": {
            "status": {"id": s.status.0, "name": s.status.1, "statusCategory": {"key": "indeterminate"}},
            "updated": now_jira(), "attachment": atts}}))
        .into_response()
    })
    .await
}

async fn comments(st: S, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "/comment", &headers, &Bytes::new(), |s| {
        let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
        let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50).min(s.comment_page);
        let page: Vec<Value> = s.comments.iter().skip(start).take(max).map(|(cid, body)| comment_json(*cid, body)).collect();
        Json(json!({"startAt": start, "maxResults": max, "total": s.comments.len(), "comments": page})).into_response()
    })
    .await
}

fn comment_json(id: u64, body: &Value) -> Value {
    json!({"id": id.to_string(), "body": body, "created": now_jira(), "updated": now_jira(),
        "author": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Owner"}})
}

async fn add_comment(st: S, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let doc = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("body").cloned());
    handle(&st, Method::POST, &id, "/comment", &headers, &body, |s| {
        let Some(doc) = doc.filter(|d| d["type"] == "doc" && d["version"] == 1 && d["content"].is_array()) else {
            return error(400, "Comment body is not valid!");
        };
        s.next_id += 1;
        s.comments.push((s.next_id, doc.clone()));
        (StatusCode::CREATED, Json(comment_json(s.next_id, &doc))).into_response()
    })
    .await
}

async fn attach(st: S, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let xsrf_off = headers.get("x-atlassian-token").and_then(|v| v.to_str().ok()) == Some("no-check");
    let ctype = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    handle(&st, Method::POST, &id, "/attachments", &headers, &body, |s| {
        if !xsrf_off {
            return error(403, "XSRF check failed");
        }
        let Some((name, mime, content)) = multipart_file(&ctype, &body) else {
            return error(400, "no file in the multipart body (field \"file\")");
        };
        s.next_id += 1;
        let v = json!([{"id": s.next_id.to_string(), "filename": name, "size": content.len(), "mimeType": mime}]);
        s.attachments.push(Attachment { id: s.next_id, filename: name, mime, content });
        Json(v).into_response()
    })
    .await
}

/// The part named `file` of a `multipart/form-data` body: (file name, media type, content).
pub fn multipart_file(ctype: &str, body: &[u8]) -> Option<(String, String, Vec<u8>)> {
    let boundary = ctype.strip_prefix("multipart/form-data")?.split("boundary=").nth(1)?.trim_matches('"');
    let delim = format!("--{boundary}");
    let text = body;
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(i) = find(rest, delim.as_bytes()) {
        parts.push(&rest[..i]);
        rest = &rest[i + delim.len()..];
    }
    for part in parts {
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(h) = find(part, b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&part[..h]).to_string();
        if !head.contains("name=\"file\"") {
            continue;
        }
        let name = head.split("filename=\"").nth(1)?.split('"').next()?.to_string();
        let mime = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|m| m.trim().to_string()))
            .unwrap_or_default();
        let content = part[h + 4..].strip_suffix(b"\r\n").unwrap_or(&part[h + 4..]).to_vec();
        return Some((name, mime, content));
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn transitions(st: S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "/transitions", &headers, &Bytes::new(), |s| {
        let list: Vec<Value> = s
            .offered
            .iter()
            .filter(|t| t.3 != s.status.1)
            .map(|(tid, name, to_id, to_name)| {
                json!({"id": tid, "name": name, "hasScreen": false, "isAvailable": true,
                    "to": {"id": to_id, "name": to_name, "statusCategory": {"key": "indeterminate"}}})
            })
            .collect();
        Json(json!({"expand": "transitions", "transitions": list})).into_response()
    })
    .await
}

async fn transition(st: S, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let wanted = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v["transition"]["id"].as_str().map(String::from));
    handle(&st, Method::POST, &id, "/transitions", &headers, &body, |s| {
        let hit = s.offered.iter().find(|t| Some(t.0) == wanted.as_deref() && t.3 != s.status.1).copied();
        let Some((_, _, to_id, to_name)) = hit else {
            return error(400, &format!("Transition id '{}' is not valid for this issue.", wanted.unwrap_or_default()));
        };
        s.status = (to_id.into(), to_name.into());
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}
