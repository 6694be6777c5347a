//! A local Jira-Cloud-shaped HTTP server (axum on 127.0.0.1:0) serving the
//! documented REST v3 shapes: `/rest/api/3/search/jql` (JQL `project = "K"
//! [AND updated >= "yyyy-MM-dd HH:mm"] ORDER BY …`, dates read in the
//! user's time zone, `nextPageToken` tied to its query and absent on the
//! last page, at most `page_cap` issues a page whatever `maxResults` asks,
//! only the asked `fields`), `/issue/{id}` (`comment` field with its first
//! `comment_cap` comments, `expand=changelog`), `/issue/{id}/comment`,
//! `/status`, `/myself`, `/project/{key}`, `/field` (system and custom
//! fields; an issue sends a custom field only when `fields` names it), and
//! the removed `/search` (410).
//! It refuses what Jira refuses (unbounded or unknown JQL, a token used with
//! another query, a wrong `Authorization`), records every request and can
//! inject faults into the next requests.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

pub const EMAIL: &str = "lead@example.com";
pub const TOKEN: &str = "ATATT3xFakeJiraToken0123";
/// The source secret: `email:api_token`.
pub fn secret() -> String {
    format!("{EMAIL}:{TOKEN}")
}
pub const PROJECT: &str = "HC";
/// The searching user's zone (JQL dates are read in it).
pub const ZONE: &str = "Europe/Berlin";
/// Base time of generated data: 2026-01-05T08:00:00Z, in milliseconds.
pub const T0_MS: i64 = 1_767_600_000_000;

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: u64,
    pub summary: String,
    pub description: Value,
    /// Status id (see [`status_json`]).
    pub status: u64,
    pub created: i64,
    pub updated: i64,
    /// (id, ADF body, created ms)
    pub comments: Vec<(u64, Value, i64)>,
    /// (history id, created ms, from status, to status)
    pub changelog: Vec<(u64, i64, u64, u64)>,
    /// Not yet in the search index (Jira's search is eventually consistent).
    pub unindexed: bool,
    /// Custom field values (`customfield_10004` → `{"value": "High", "id": …}`),
    /// sent only when `fields` asks for them by name.
    pub custom: BTreeMap<String, Value>,
}

impl Issue {
    pub fn key(&self) -> String {
        format!("{PROJECT}-{}", self.id - 10_000)
    }
}

#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16, Option<&'static str>),
    Body(&'static str, Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub auth: Option<String>,
    pub status: u16,
}

pub struct State {
    pub issues: BTreeMap<u64, Issue>,
    pub faults: Vec<(String, Fault)>,
    pub log: Vec<Logged>,
    pub page_cap: usize,
    pub comment_cap: usize,
    /// Histories the `expand=changelog` of an issue holds (most recent first).
    pub changelog_cap: usize,
    /// `/rest/api/3/field`: every field, system and custom.
    pub fields: Vec<Value>,
    /// token → (jql, position)
    tokens: HashMap<String, (String, usize)>,
    next_token: u64,
}

/// A plain ADF paragraph document.
pub fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

/// `n` issues (ids 10001…), three sharing each updated second, `comments`
/// comments each.
pub fn generate(n: u64, comments: usize) -> BTreeMap<u64, Issue> {
    (1..=n)
        .map(|k| {
            let at = T0_MS + (k as i64 / 3) * 1000;
            let id = 10_000 + k;
            let comments = (0..comments as u64).map(|c| (id * 100 + c, adf(&format!("Comment {c} on {k}")), at + c as i64)).collect();
            let issue = Issue {
                id,
                summary: format!("Invoice posting fails for plant {}", k % 17),
                description: adf(&format!("When I post invoice {k} the system shows an error.")),
                status: 1,
                created: at,
                updated: at,
                comments,
                changelog: vec![],
                unindexed: false,
                custom: BTreeMap::new(),
            };
            (id, issue)
        })
        .collect()
}

pub fn jira_time(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()).unwrap_or_default()
}

pub fn status_json(id: u64) -> Value {
    let (name, cat) = match id {
        1 => ("To Do", "new"),
        2 => ("In Progress", "indeterminate"),
        3 => ("Resolved", "done"),
        _ => ("Done", "done"),
    };
    json!({"id": id.to_string(), "name": name, "statusCategory": {"id": 2, "key": cat, "name": cat}})
}

impl State {
    /// Edit an issue's summary at `at` (ms).
    pub fn edit(&mut self, id: u64, summary: &str, at: i64) {
        if let Some(i) = self.issues.get_mut(&id) {
            i.summary = summary.into();
            i.updated = at;
        }
    }

    fn search(&mut self, q: &BTreeMap<String, String>) -> Result<Value, (u16, String)> {
        let jql = q.get("jql").cloned().unwrap_or_default();
        let bare = format!("project = \"{PROJECT}\" ");
        let rest = jql.strip_prefix(&bare).ok_or((400, format!("unbounded or unknown JQL: {jql}")))?;
        let (since, order) = match rest.strip_prefix("AND updated >= \"") {
            Some(r) => {
                let (date, order) = r.split_once("\" ").ok_or((400, "bad date".to_string()))?;
                let wall = NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").map_err(|e| (400, format!("JQL date {date}: {e}")))?;
                let zone: Tz = ZONE.parse().map_err(|_| (500, "zone".to_string()))?;
                let at = zone.from_local_datetime(&wall).earliest().ok_or((400, "no such local time".to_string()))?;
                (Some(at.with_timezone(&Utc).timestamp_millis()), order)
            }
            None => (None, rest),
        };
        let mut ids: Vec<&Issue> = self.issues.values().filter(|i| !i.unindexed && since.is_none_or(|s| i.updated >= s)).collect();
        match order {
            "ORDER BY updated ASC, key ASC" => ids.sort_by_key(|i| (i.updated, i.id)),
            "ORDER BY key ASC" => ids.sort_by_key(|i| i.id),
            o => return Err((400, format!("unexpected ORDER BY: {o}"))),
        }
        let start = match q.get("nextPageToken") {
            None => 0,
            Some(t) => match self.tokens.get(t) {
                Some((j, pos)) if *j == jql => *pos,
                Some(_) => return Err((400, "nextPageToken used with another query".into())),
                None => return Err((400, "unknown nextPageToken".into())),
            },
        };
        let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50);
        let take = max.min(self.page_cap);
        let fields = q.get("fields").cloned().unwrap_or_default();
        let page: Vec<Value> = ids
            .iter()
            .skip(start)
            .take(take)
            .map(|i| match fields.as_str() {
                "id" | "" => json!({"id": i.id.to_string()}),
                _ => json!({"id": i.id.to_string(), "key": i.key(), "fields": {"updated": jira_time(i.updated)}}),
            })
            .collect();
        let end = start + page.len();
        let mut v = json!({"issues": page, "isLast": end >= ids.len()});
        if end < ids.len() {
            self.next_token += 1;
            let t = format!("tok{}-{}", self.next_token, end);
            self.tokens.insert(t.clone(), (jql, end));
            v["nextPageToken"] = json!(t);
        }
        Ok(v)
    }

    fn issue(&self, id: u64, q: &BTreeMap<String, String>) -> Option<Value> {
        let i = self.issues.get(&id)?;
        let fields = q.get("fields").cloned().unwrap_or_default();
        let mut f = json!({
            "summary": i.summary, "description": i.description, "status": status_json(i.status),
            "priority": {"id": "3", "name": "Medium"}, "issuetype": {"id": "1", "name": "Bug"},
            "assignee": {"accountId": "a1", "displayName": "Ann Lee"}, "reporter": {"accountId": "b2", "displayName": "Bob Key"},
            "created": jira_time(i.created), "updated": jira_time(i.updated),
            "resolutiondate": if i.status >= 3 { json!(jira_time(i.updated)) } else { Value::Null },
            "components": [{"id": "100", "name": "Finance"}], "labels": ["golive"]
        });
        // Custom fields only by name (as Jira: `*all` is not what the client asks);
        // one asked for but empty on the issue is `null`.
        for name in fields.split(',').filter(|f| f.starts_with("customfield_")) {
            f[name] = i.custom.get(name).cloned().unwrap_or(Value::Null);
        }
        if fields.split(',').any(|f| f == "comment") {
            let shown: Vec<Value> = i.comments.iter().take(self.comment_cap).map(comment_json).collect();
            f["comment"] = json!({"comments": shown, "maxResults": self.comment_cap, "total": i.comments.len(), "startAt": 0});
        }
        let mut v = json!({"id": id.to_string(), "key": i.key(), "self": format!("/rest/api/3/issue/{id}"), "fields": f});
        if q.get("expand").is_some_and(|e| e.split(',').any(|x| x == "changelog")) {
            let mut h: Vec<Value> = i.changelog.iter().map(history_json).collect();
            h.reverse(); // most recent first, as the expansion sends them
            let total = h.len();
            h.truncate(self.changelog_cap);
            v["changelog"] = json!({"startAt": 0, "maxResults": h.len(), "total": total, "histories": h});
        }
        Some(v)
    }
}

fn history_json(c: &(u64, i64, u64, u64)) -> Value {
    let (hid, at, from, to) = c;
    let (a, b) = (status_json(*from), status_json(*to));
    json!({"id": hid.to_string(), "author": {"displayName": "Ann Lee"}, "created": jira_time(*at),
           "items": [{"field": "status", "fieldtype": "jira", "from": a["id"], "fromString": a["name"],
                      "to": b["id"], "toString": b["name"]},
                     {"field": "labels", "fieldtype": "jira", "from": null, "fromString": "", "to": null, "toString": "golive"}]})
}

fn comment_json(c: &(u64, Value, i64)) -> Value {
    json!({"id": c.0.to_string(), "author": {"accountId": "a1", "displayName": "Ann Lee"}, "body": c.1,
           "created": jira_time(c.2), "updated": jira_time(c.2)})
}

#[derive(Clone)]
pub struct FakeJira {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

type S = AxState<Arc<Mutex<State>>>;

impl FakeJira {
    pub fn start(issues: BTreeMap<u64, Issue>) -> FakeJira {
        let state = Arc::new(Mutex::new(State {
            issues,
            faults: vec![],
            log: vec![],
            page_cap: 100,
            comment_cap: 5,
            changelog_cap: 100,
            fields: default_fields(),
            tokens: HashMap::new(),
            next_token: 0,
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let app = Router::new()
                    .route("/rest/api/3/search/jql", get(search))
                    .route("/rest/api/3/search", get(removed))
                    .route("/rest/api/3/issue/{id}", get(issue))
                    .route("/rest/api/3/issue/{id}/comment", get(comments))
                    .route("/rest/api/3/issue/{id}/changelog", get(changelog))
                    .route("/rest/api/3/status", get(statuses))
                    .route("/rest/api/3/field", get(field_list))
                    .route("/rest/api/3/myself", get(myself))
                    .route("/rest/api/3/project/{key}", get(project))
                    .with_state(st);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                tx.send(listener.local_addr().expect("addr")).expect("send addr");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let addr = rx.recv().expect("server address");
        FakeJira { url: format!("http://{addr}"), state }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<Logged> {
        self.state().log.iter().filter(|l| l.path.starts_with(prefix)).cloned().collect()
    }

    /// Queue a fault for the next request whose path contains `pattern`.
    pub fn fault(&self, pattern: &str, f: Fault) {
        self.state().faults.push((pattern.into(), f));
    }

    pub fn clear_log(&self) {
        self.state().log.clear();
    }
}

fn expected_auth() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret()))
}

/// Log, check `Authorization`, apply a queued fault.
fn gate(state: &Arc<Mutex<State>>, headers: &HeaderMap, uri: &Uri, q: &BTreeMap<String, String>) -> Option<Response> {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let path = uri.path().to_string();
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
    let fault = if auth.as_deref() != Some(expected_auth().as_str()) {
        Some(Fault::Status(401, None))
    } else {
        s.faults.iter().position(|(p, _)| path.contains(p.as_str())).map(|i| s.faults.remove(i).1)
    };
    let status = match &fault {
        Some(Fault::Status(c, _)) => *c,
        _ => 200,
    };
    s.log.push(Logged { at: Instant::now(), path, query: q.clone(), auth, status });
    match fault? {
        Fault::Status(code, retry_after) => {
            let body = json!({"errorMessages": ["fault"], "errors": {}}).to_string();
            let mut r = (StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body).into_response();
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().expect("header"));
            }
            Some(r)
        }
        Fault::Body(ctype, body) => Some(([("content-type", ctype)], body).into_response()),
    }
}

fn reply(v: Result<Value, (u16, String)>) -> Response {
    match v {
        Ok(v) => ([("content-type", "application/json")], v.to_string()).into_response(),
        Err((code, msg)) => {
            let body = json!({"errorMessages": [msg], "errors": {}}).to_string();
            (StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST), body).into_response()
        }
    }
}

async fn search(st: S, headers: HeaderMap, uri: Uri, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &q) {
        return r;
    }
    let v = st.lock().unwrap_or_else(|e| e.into_inner()).search(&q);
    reply(v)
}

async fn removed(st: S, headers: HeaderMap, uri: Uri, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &q) {
        return r;
    }
    reply(Err((410, "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.".into())))
}

async fn issue(st: S, headers: HeaderMap, uri: Uri, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    match id.parse().ok().and_then(|id| s.issue(id, &q)) {
        Some(v) => reply(Ok(v)),
        None => reply(Err((404, "Issue does not exist or you do not have permission to see it.".into()))),
    }
}

async fn comments(st: S, headers: HeaderMap, uri: Uri, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let Some(i) = id.parse().ok().and_then(|id: u64| s.issues.get(&id)) else {
        return reply(Err((404, "Issue does not exist".into())));
    };
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50).min(100);
    let page: Vec<Value> = i.comments.iter().skip(start).take(max).map(comment_json).collect();
    reply(Ok(json!({"startAt": start, "maxResults": max, "total": i.comments.len(), "comments": page})))
}

/// `/issue/{id}/changelog`: oldest first, `values`, `isLast`.
async fn changelog(st: S, headers: HeaderMap, uri: Uri, Path(id): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &q) {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let Some(i) = id.parse().ok().and_then(|id: u64| s.issues.get(&id)) else {
        return reply(Err((404, "Issue does not exist".into())));
    };
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let max: usize = q.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50).min(100).min(s.changelog_cap.max(1));
    let page: Vec<Value> = i.changelog.iter().skip(start).take(max).map(history_json).collect();
    let last = start + page.len() >= i.changelog.len();
    reply(Ok(json!({"startAt": start, "maxResults": max, "total": i.changelog.len(), "isLast": last, "values": page})))
}

async fn statuses(st: S, headers: HeaderMap, uri: Uri) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &BTreeMap::new()) {
        return r;
    }
    reply(Ok(Value::Array((1..=4).map(status_json).collect())))
}

async fn myself(st: S, headers: HeaderMap, uri: Uri) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &BTreeMap::new()) {
        return r;
    }
    reply(Ok(json!({"accountId": "5b10a2844c20165700ede21g", "emailAddress": EMAIL, "displayName": "Lead",
                    "active": true, "timeZone": ZONE, "locale": "en_US"})))
}

async fn project(st: S, headers: HeaderMap, uri: Uri, Path(key): Path<String>) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &BTreeMap::new()) {
        return r;
    }
    if key != PROJECT {
        return reply(Err((404, format!("No project could be found with key '{key}'."))));
    }
    reply(Ok(json!({"id": "10000", "key": PROJECT, "name": "Hypercare ERP", "projectTypeKey": "software"})))
}

/// A time in ms, for tests.
pub fn at_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().expect("time")
}

/// A Jira Service Management site's fields: some system ones and its
/// custom Impact, Urgency and Satisfaction, plus a team's own field.
pub fn default_fields() -> Vec<Value> {
    let system = |id: &str, name: &str| json!({"id": id, "key": id, "name": name, "custom": false, "navigable": true, "schema": {"type": "string", "system": id}});
    let custom = |n: u64, name: &str, kind: &str, plugin: &str| {
        json!({"id": format!("customfield_{n}"), "key": format!("customfield_{n}"), "name": name, "custom": true,
               "navigable": true, "schema": {"type": kind, "custom": plugin, "customId": n}})
    };
    vec![
        system("summary", "Summary"),
        system("status", "Status"),
        system("priority", "Priority"),
        custom(10004, "Impact", "option", "com.atlassian.jira.plugin.system.customfieldtypes:select"),
        custom(10005, "Urgency", "option", "com.atlassian.jira.plugin.system.customfieldtypes:select"),
        custom(10006, "Satisfaction", "number", "com.atlassian.jira.plugin.system.customfieldtypes:float"),
        custom(10020, "Affected plant", "string", "com.atlassian.jira.plugin.system.customfieldtypes:textfield"),
    ]
}

async fn field_list(st: S, headers: HeaderMap, uri: Uri) -> Response {
    if let Some(r) = gate(&st, &headers, &uri, &BTreeMap::new()) {
        return r;
    }
    let v = st.lock().unwrap_or_else(|e| e.into_inner()).fields.clone();
    reply(Ok(Value::Array(v)))
}
