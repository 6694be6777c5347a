//! A local ServiceNow-shaped server (axum on 127.0.0.1:0) for the writes a
//! validation push makes to one incident, serving the documented Table and
//! Attachment API shapes: `GET|PATCH /api/now/table/incident/{sys_id}`
//! (`sysparm_display_value=all` → `{value, display_value}` fields;
//! `sysparm_input_display_value=true` → the state given by its label),
//! `GET /api/now/table/sys_journal_field` (additional comments, by
//! `element_id=…^element=comments`, paged by limit/offset),
//! `GET /api/now/attachment` (by `table_sys_id=…`) and
//! `POST /api/now/attachment/file?table_name=&table_sys_id=&file_name=`
//! (binary body). Other fields of the table ([`State::fields`], e.g.
//! `u_hypercare_category`) are answered when `sysparm_fields` names them and
//! written by the `PATCH`; a field the table does not have is silently
//! ignored, as ServiceNow does. Records carry `sys_updated_on` / `sys_updated_by` and
//! comments `sys_created_by`: the push's own writes are [`ME`]'s (an upload
//! counts as an update of the record), [`State::edit_by_other`] is a
//! developer's. A wrong `Authorization` gets ServiceNow's 401 body. It
//! records every request and injects faults: a status (with `Retry-After`)
//! or "do the write, then answer only after a delay".
#![allow(dead_code)]

use std::collections::BTreeMap;
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

pub const SECRET: &str = "hypercare.integration:s3cret-Pa55";
pub const SYS_ID: &str = "46d44a5fdb3a1300f8cb1d1ad3961995";
/// Incident states: (value, label).
pub const STATES: &[(&str, &str)] = &[("1", "New"), ("2", "In Progress"), ("6", "Resolved"), ("7", "Closed")];

pub use crate::sync_common::write_log::{Fault, Logged};
use crate::sync_common::write_log::{with_retry_after, HasLog, Request, Served, WriteLog};

/// The secret's user name (`sys_updated_by` of the push's own writes).
pub const ME: &str = "hypercare.integration";
/// A developer's user name.
pub const DEV: &str = "dana.developer";

#[derive(Debug, Clone)]
pub struct Attachment {
    pub sys_id: String,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub struct State {
    /// The incident's state value.
    pub state: String,
    /// Additional comments (sys_id, text).
    pub comments: Vec<(String, String)>,
    /// Author and time of comments written through the API (others: [`ME`] at `updated`).
    pub comment_by: BTreeMap<String, (&'static str, DateTime<Utc>)>,
    pub attachments: Vec<Attachment>,
    /// The record's `sys_updated_on` and `sys_updated_by`.
    pub updated: DateTime<Utc>,
    pub updated_by: &'static str,
    /// The table's other fields on this record: name → value (text fields:
    /// the display value is the value).
    pub fields: BTreeMap<String, String>,
    pub w: WriteLog,
    next_id: u64,
}

impl State {
    /// An update of the record made now by `who`.
    pub fn touch(&mut self, who: &'static str) {
        self.updated = Utc::now();
        self.updated_by = who;
    }

    /// A developer sets the state (value) now and comments `text`, if any.
    pub fn edit_by_other(&mut self, state: &str, text: Option<&str>) {
        self.state = state.into();
        self.touch(DEV);
        if let Some(t) = text {
            self.next_id += 1;
            let id = format!("c{}", self.next_id);
            self.comments.push((id.clone(), t.into()));
            self.comment_by.insert(id, (DEV, self.updated));
        }
    }
}

/// The running fake.
pub type FakeServiceNowWrite = Served<State>;

impl HasLog for State {
    fn write_log(&mut self) -> &mut WriteLog {
        &mut self.w
    }
}

type S = AxState<Arc<Mutex<State>>>;
type Q = Query<BTreeMap<String, String>>;

impl Served<State> {
    /// A server whose one incident is "Resolved" (6).
    pub fn start() -> FakeServiceNowWrite {
        let state = Arc::new(Mutex::new(State {
            state: "6".into(),
            comments: vec![],
            comment_by: BTreeMap::new(),
            attachments: vec![],
            updated: crate::sync_common::write_log::a_while_ago(),
            updated_by: "admin",
            fields: BTreeMap::from([("u_hypercare_category".to_string(), String::new())]),
            w: WriteLog::default(),
            next_id: 1000,
        }));
        let app = Router::new()
            .route("/api/now/table/incident/{id}", get(record).patch(update))
            .route("/api/now/table/sys_journal_field", get(journal))
            .route("/api/now/attachment", get(attachments))
            .route("/api/now/attachment/file", post(upload))
            .with_state(state.clone());
        Served::serve(app, state)
    }

    /// Requests received with `method` whose path contains `fragment`.
    pub fn requests(&self, method: &str, fragment: &str) -> Vec<Logged> {
        self.requests_where(method, |p| p.contains(fragment))
    }

    /// The incident's state label.
    pub fn label(&self) -> String {
        let v = self.state().state.clone();
        label_of(&v)
    }
}

fn label_of(value: &str) -> String {
    STATES.iter().find(|s| s.0 == value).map(|s| s.1.to_string()).unwrap_or_else(|| value.to_string())
}

pub fn expected_auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(SECRET))
}

fn lock(st: &S) -> MutexGuard<'_, State> {
    st.lock().unwrap_or_else(|e| e.into_inner())
}

fn error(code: u16, message: &str, detail: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(json!({"error": {"message": message, "detail": detail}, "status": "failure"}))).into_response()
}

/// Log, check auth, take a queued fault; then answer with `f` (built under
/// the lock), after a queued stall.
async fn handle(st: &S, method: Method, path: &str, q: &BTreeMap<String, String>, headers: &HeaderMap, body: &Bytes, f: impl FnOnce(&mut State) -> Response) -> Response {
    let req = Request { method: &method, path, query: q, headers, body };
    let stall = match lock(st).w.gate(&req, &expected_auth(), None) {
        Ok(d) => d,
        Err((401, _)) => return error(401, "User Not Authenticated", "Required to provide Auth information"),
        Err((code, ra)) => return with_retry_after(error(code, "fault", "injected"), ra),
    };
    let r = f(&mut lock(st));
    if let Some(d) = stall {
        tokio::time::sleep(d).await;
    }
    r
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `{value, display_value}` when `display=all`, else the value.
fn field(q: &BTreeMap<String, String>, value: &str, label: &str) -> Value {
    if q.get("sysparm_display_value").map(String::as_str) == Some("all") {
        json!({"value": value, "display_value": label})
    } else {
        json!(value)
    }
}

async fn record(st: S, Path(id): Path<String>, Query(q): Q, headers: HeaderMap) -> Response {
    let path = format!("/api/now/table/incident/{id}");
    handle(&st, Method::GET, &path, &q, &headers, &Bytes::new(), |s| {
        if id != SYS_ID {
            return error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
        }
        let at = stamp(s.updated);
        let mut rec = json!({"sys_id": field(&q, SYS_ID, SYS_ID), "state": field(&q, &s.state, &label_of(&s.state)),
            "sys_updated_on": field(&q, &at, &at), "sys_updated_by": field(&q, s.updated_by, s.updated_by)});
        let asked = q.get("sysparm_fields").map(|f| f.split(',').map(str::to_string).collect::<Vec<_>>()).unwrap_or_default();
        for (name, v) in s.fields.iter().filter(|(n, _)| asked.contains(n)) {
            rec[name] = field(&q, v, v);
        }
        Json(json!({"result": rec})).into_response()
    })
    .await
}

async fn update(st: S, Path(id): Path<String>, Query(q): Q, headers: HeaderMap, body: Bytes) -> Response {
    let path = format!("/api/now/table/incident/{id}");
    let labels = q.get("sysparm_input_display_value").map(String::as_str) == Some("true");
    handle(&st, Method::PATCH, &path, &q, &headers, &body, |s| {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
            return error(400, "Exception while reading request", "The payload is not valid JSON.");
        };
        if let Some(state) = fields.get("state").and_then(Value::as_str) {
            let value = if labels { STATES.iter().find(|x| x.1 == state).map(|x| x.0) } else { Some(state) };
            // An unknown label is ignored, as ServiceNow's choice lists do.
            if let Some(v) = value {
                s.state = v.to_string();
            }
        }
        for (name, v) in &fields {
            if let (Some(slot), Some(v)) = (s.fields.get_mut(name), v.as_str()) {
                *slot = v.to_string();
            }
        }
        s.touch(ME);
        if let Some(text) = fields.get("comments").and_then(Value::as_str) {
            s.next_id += 1;
            let id = format!("c{}", s.next_id);
            s.comments.push((id.clone(), text.to_string()));
            s.comment_by.insert(id, (ME, s.updated));
        }
        Json(json!({"result": {"sys_id": SYS_ID}})).into_response()
    })
    .await
}

/// The value of `key=` in an encoded query.
fn cond<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query.split('^').find_map(|c| c.strip_prefix(key)?.strip_prefix('='))
}

async fn journal(st: S, Query(q): Q, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, "/api/now/table/sys_journal_field", &q, &headers, &Bytes::new(), |s| {
        let query = q.get("sysparm_query").cloned().unwrap_or_default();
        if cond(&query, "element_id") != Some(SYS_ID) || cond(&query, "element") != Some("comments") {
            return Json(json!({"result": []})).into_response();
        }
        let offset: usize = q.get("sysparm_offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let limit: usize = q.get("sysparm_limit").and_then(|v| v.parse().ok()).unwrap_or(10_000);
        let rows: Vec<Value> = s
            .comments
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(id, text)| {
                let (by, at) = s.comment_by.get(id).copied().unwrap_or((ME, s.updated));
                json!({"sys_id": id, "value": text, "sys_created_on": stamp(at), "sys_created_by": by,
                    "element": "comments", "element_id": SYS_ID})
            })
            .collect();
        Json(json!({"result": rows})).into_response()
    })
    .await
}

fn attachment_json(a: &Attachment) -> Value {
    json!({"sys_id": a.sys_id, "file_name": a.file_name, "size_bytes": a.content.len().to_string(),
        "content_type": a.content_type, "table_name": "incident", "table_sys_id": SYS_ID})
}

async fn attachments(st: S, Query(q): Q, headers: HeaderMap) -> Response {
    handle(&st, Method::GET, "/api/now/attachment", &q, &headers, &Bytes::new(), |s| {
        let query = q.get("sysparm_query").cloned().unwrap_or_default();
        let rows: Vec<Value> =
            if cond(&query, "table_sys_id") == Some(SYS_ID) { s.attachments.iter().map(attachment_json).collect() } else { vec![] };
        Json(json!({"result": rows})).into_response()
    })
    .await
}

async fn upload(st: S, Query(q): Q, headers: HeaderMap, body: Bytes) -> Response {
    let ctype = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    handle(&st, Method::POST, "/api/now/attachment/file", &q.clone(), &headers, &body, |s| {
        let (Some(table), Some(id), Some(name)) = (q.get("table_name"), q.get("table_sys_id"), q.get("file_name")) else {
            return error(400, "Missing parameters", "table_name, table_sys_id and file_name are required");
        };
        if table != "incident" || id != SYS_ID {
            return error(400, "Invalid table_sys_id", "no such record");
        }
        s.next_id += 1;
        let a = Attachment { sys_id: format!("a{}", s.next_id), file_name: name.clone(), content_type: ctype, content: body.to_vec() };
        let v = attachment_json(&a);
        s.attachments.push(a);
        // A pessimistic fake: the upload counts as an update of the record by us.
        s.touch(ME);
        (StatusCode::CREATED, Json(json!({"result": v}))).into_response()
    })
    .await
}

impl Served<State> {
    /// A store with a ServiceNow source (`config` as its settings) holding the
    /// fake's incident, as a sync would have left it.
    pub fn world(&self, config: Value) -> crate::sync_common::validation_world::World {
        let updated_at = self.state().updated;
        let status_class = hypercare::model::StatusClass::Resolved;
        let seen = crate::sync_common::validation_world::Seen { remote_id: SYS_ID, key: "INC0010001", status: "Resolved", status_class, updated_at };
        crate::sync_common::validation_world::World::for_source(hypercare::model::SourceKind::ServiceNow, "servicenow", &self.url, "incident: assignment_group.name=Hypercare", config, &seen)
    }
}
