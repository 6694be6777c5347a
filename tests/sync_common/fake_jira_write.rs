//! A local Jira-Cloud-shaped server (axum on 127.0.0.1:0) for the writes a
//! validation push makes, serving REST v3's documented shapes for one
//! issue: `GET /issue/{id}?fields=…` (status, updated, attachment),
//! `GET|POST /issue/{id}/comment` (ADF bodies; paged by startAt /
//! maxResults), `POST /issue/{id}/attachments` (multipart field `file`),
//! `GET|POST /issue/{id}/transitions`, `GET /issue/{id}/changelog` (paged
//! by startAt / maxResults), `GET /myself`, and for category pushes
//! `GET /issue/{id}/editmeta` (the editable custom fields with their
//! schema type) and `PUT /issue/{id}` `{"fields": {"customfield_N": …}}`
//! (a select takes `{"value": OPTION}` of its options, a text field a
//! string; a field not on the edit screen → 400, as Jira). The issue's `updated` moves
//! with each write, and each write is in the changelog or a comment under
//! its author ([`ME`] for the token's own writes); [`State::edit_by_other`]
//! is a developer's change. It refuses what Jira refuses (a
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
use chrono::{DateTime, Utc};
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

pub use super::write_log::Logged;
use super::write_log::{with_retry_after, HasLog, Request, Served, WriteLog};

/// The token's account: (account id, display name).
pub const ME: (&str, &str) = ("5b10ac8d82e05b22cc7d4ef5", "Owner");
/// A developer: (account id, display name).
pub const DEV: (&str, &str) = ("61f0c0ffee0000000000d3v1", "Dana Developer");

/// One changelog entry: author, when, the changed fields.
#[derive(Debug, Clone)]
pub struct History {
    pub author: (&'static str, &'static str),
    pub at: DateTime<Utc>,
    pub fields: Vec<&'static str>,
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
    /// Author and time of comments written through the API (others: [`ME`] at `updated`).
    pub comment_by: BTreeMap<u64, ((&'static str, &'static str), DateTime<Utc>)>,
    /// The issue's last update (`fields.updated`).
    pub updated: DateTime<Utc>,
    pub history: Vec<History>,
    pub attachments: Vec<Attachment>,
    /// Transitions offered (empty: [`TRANSITIONS`]).
    pub offered: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    pub w: WriteLog,
    /// Comments per page at most (Jira caps at 100).
    pub comment_page: usize,
    /// Custom field values on the issue (`customfield_N` → Jira's JSON).
    pub fields: BTreeMap<String, Value>,
    /// The custom fields on the edit screen: field → (schema type, a select's options).
    pub editable: BTreeMap<String, (&'static str, Vec<&'static str>)>,
    next_id: u64,
}

impl State {
    /// A change made now by `author`: `updated` moves and the changelog says so.
    pub fn touch(&mut self, author: (&'static str, &'static str), fields: Vec<&'static str>) {
        self.updated = Utc::now();
        self.history.push(History { author, at: self.updated, fields });
    }

    /// A developer moves the issue to `status` (id, name) now.
    pub fn edit_by_other(&mut self, status: (&str, &str)) {
        self.status = (status.0.into(), status.1.into());
        self.touch(DEV, vec!["status"]);
    }

    /// A developer sets custom field `field` to `value` (Jira's JSON) now.
    pub fn set_field_by_other(&mut self, field: &str, value: Value) {
        self.fields.insert(field.into(), value);
        self.touch(DEV, vec!["Hypercare category"]);
    }
}

/// The select list the category tests write to, and its options.
pub const SELECT_FIELD: &str = "customfield_10050";
/// A text field on the edit screen.
pub const TEXT_FIELD: &str = "customfield_10051";

/// The running fake.
pub type FakeJiraWrite = Served<State>;

impl HasLog for State {
    fn write_log(&mut self) -> &mut WriteLog {
        &mut self.w
    }
}

type S = AxState<Arc<Mutex<State>>>;

impl Served<State> {
    /// A server whose one issue is in status "Resolved".
    pub fn start() -> FakeJiraWrite {
        let state = Arc::new(Mutex::new(State {
            status: ("3".into(), "Resolved".into()),
            comments: vec![],
            comment_by: BTreeMap::new(),
            updated: super::write_log::a_while_ago(),
            history: vec![],
            attachments: vec![],
            offered: TRANSITIONS.to_vec(),
            w: WriteLog::default(),
            comment_page: 100,
            fields: BTreeMap::new(),
            editable: BTreeMap::from([
                (SELECT_FIELD.to_string(), ("option", vec!["UX", "Performance", "Defect"])),
                (TEXT_FIELD.to_string(), ("string", vec![])),
            ]),
            next_id: 20_000,
        }));
        let app = Router::new()
            .route("/rest/api/3/issue/{id}", get(issue).put(set_fields))
            .route("/rest/api/3/issue/{id}/editmeta", get(editmeta))
            .route("/rest/api/3/issue/{id}/comment", get(comments).post(add_comment))
            .route("/rest/api/3/issue/{id}/attachments", axum::routing::post(attach))
            .route("/rest/api/3/issue/{id}/transitions", get(transitions).post(transition))
            .route("/rest/api/3/issue/{id}/changelog", get(changelog))
            .route("/rest/api/3/myself", get(myself))
            .with_state(state.clone());
        Served::serve(app, state)
    }

    /// Requests received with `method` whose path ends with `suffix`.
    pub fn requests(&self, method: &str, suffix: &str) -> Vec<Logged> {
        self.requests_where(method, |p| p.ends_with(suffix))
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
    let query = BTreeMap::new();
    let req = Request { method, path, query: &query, headers, body };
    let refuse = (id != ISSUE_ID).then_some(404);
    lock(st).w.gate(&req, &expected_auth(), refuse).map_err(|(code, retry_after)| {
        let msg = match code {
            401 => "Client must be authenticated to access this resource.",
            404 => "Issue does not exist or you do not have permission to see it.",
            _ => "fault",
        };
        Box::new(with_retry_after(error(code, msg), retry_after))
    })
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

fn jira_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
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
        let mut fields = json!({
            "status": {"id": s.status.0, "name": s.status.1, "statusCategory": {"key": "indeterminate"}},
            "updated": jira_time(s.updated), "attachment": atts});
        for (k, v) in &s.fields {
            fields[k] = v.clone();
        }
        Json(json!({"id": ISSUE_ID, "key": ISSUE_KEY, "fields": fields})).into_response()
    })
    .await
}

async fn editmeta(st: S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "/editmeta", &headers, &Bytes::new(), |s| {
        let mut fields = serde_json::Map::new();
        for (k, (kind, options)) in &s.editable {
            let allowed: Vec<Value> = options.iter().map(|o| json!({"value": o, "id": o.len().to_string()})).collect();
            fields.insert(k.clone(), json!({"required": false, "name": "Hypercare category", "key": k,
                "schema": {"type": kind, "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select"},
                "allowedValues": allowed}));
        }
        Json(json!({"fields": fields})).into_response()
    })
    .await
}

/// `PUT /issue/{id}`: set custom fields as Jira checks them.
async fn set_fields(st: S, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    handle(&st, Method::PUT, &id, "", &headers, &body, |s| {
        let Some(fields) = v["fields"].as_object() else { return error(400, "No fields to update") };
        for (k, val) in fields {
            let refuse = |msg: String| (StatusCode::BAD_REQUEST, Json(json!({"errorMessages": [], "errors": {k: msg}}))).into_response();
            let ok = match s.editable.get(k) {
                None => return refuse(format!("Field '{k}' cannot be set. It is not on the appropriate screen, or unknown.")),
                Some(("option", options)) => val["value"].as_str().is_some_and(|o| options.contains(&o)),
                Some((_, _)) => val.is_string(),
            };
            if !ok {
                return refuse(format!("Specify a valid value for {k}: {val}"));
            }
        }
        for (k, val) in fields {
            s.fields.insert(k.clone(), val.clone());
        }
        s.touch(ME, vec!["Hypercare category"]);
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

async fn comments(st: S, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "/comment", &headers, &Bytes::new(), |s| {
        let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
        let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50).min(s.comment_page);
        let page: Vec<Value> = s.comments.iter().skip(start).take(max).map(|(cid, body)| comment_json(s, *cid, body)).collect();
        Json(json!({"startAt": start, "maxResults": max, "total": s.comments.len(), "comments": page})).into_response()
    })
    .await
}

fn comment_json(s: &State, id: u64, body: &Value) -> Value {
    let (who, at) = s.comment_by.get(&id).copied().unwrap_or((ME, s.updated));
    json!({"id": id.to_string(), "body": body, "created": jira_time(at), "updated": jira_time(at),
        "author": {"accountId": who.0, "displayName": who.1}})
}

async fn changelog(st: S, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, &id, "/changelog", &headers, &Bytes::new(), |s| {
        let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
        let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(100).min(100);
        let values: Vec<Value> = (1..)
            .zip(&s.history)
            .skip(start)
            .take(max)
            .map(|(i, h)| {
                let items: Vec<Value> = h.fields.iter().map(|f| json!({"field": f, "fieldtype": "jira"})).collect();
                json!({"id": i.to_string(), "author": {"accountId": h.author.0, "displayName": h.author.1},
                    "created": jira_time(h.at), "items": items})
            })
            .collect();
        let last = start + values.len() >= s.history.len();
        Json(json!({"startAt": start, "maxResults": max, "total": s.history.len(), "isLast": last, "values": values}))
            .into_response()
    })
    .await
}

async fn myself(st: S, headers: HeaderMap) -> Response {
    let path = "/rest/api/3/myself";
    let query = BTreeMap::new();
    let req = Request { method: &Method::GET, path, query: &query, headers: &headers, body: &Bytes::new() };
    if let Err((code, ra)) = lock(&st).w.gate(&req, &expected_auth(), None) {
        return with_retry_after(error(code, "refused"), ra);
    }
    Json(json!({"accountId": ME.0, "displayName": ME.1, "active": true})).into_response()
}

async fn add_comment(st: S, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let doc = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v.get("body").cloned());
    handle(&st, Method::POST, &id, "/comment", &headers, &body, |s| {
        let Some(doc) = doc.filter(|d| d["type"] == "doc" && d["version"] == 1 && d["content"].is_array()) else {
            return error(400, "Comment body is not valid!");
        };
        s.next_id += 1;
        s.updated = Utc::now();
        s.comments.push((s.next_id, doc.clone()));
        s.comment_by.insert(s.next_id, (ME, s.updated));
        (StatusCode::CREATED, Json(comment_json(s, s.next_id, &doc))).into_response()
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
        s.touch(ME, vec!["Attachment"]);
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
        s.touch(ME, vec!["status"]);
        StatusCode::NO_CONTENT.into_response()
    })
    .await
}

impl Served<State> {
    /// A store with a Jira source (`config` as its settings) holding the
    /// fake's issue, as a sync would have left it.
    pub fn world(&self, config: Value) -> super::validation_world::World {
        let updated_at = self.state().updated;
        let status_class = hypercare::model::StatusClass::Resolved;
        let seen = super::validation_world::Seen { remote_id: ISSUE_ID, key: ISSUE_KEY, status: "Resolved", status_class, updated_at };
        super::validation_world::World::for_source(hypercare::model::SourceKind::Jira, "jira", &self.url, "HC", config, &seen)
    }
}
