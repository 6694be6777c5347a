//! A local ServiceNow-shaped HTTP server (axum on 127.0.0.1:0) replaying the
//! documented Table API shapes: `GET /api/now/table/{table}` with
//! `sysparm_query` (conditions joined by `^`: `f=v`, `f>=v`, `f>v`, `fINa,b`,
//! `ORDERBYf`), `sysparm_fields`, `sysparm_limit`, `sysparm_offset`,
//! `sysparm_display_value` (`false`: plain values, `all`:
//! `{display_value, value, link}`), rows in `result`, `X-Total-Count` and a
//! `Link` header; one record at `/api/now/table/{table}/{sys_id}` (404 with
//! ServiceNow's error object when absent); journal entries in
//! `sys_journal_field`; table labels in `sys_db_object`; HTTP 400
//! "Invalid table" for any other table; 401 with ServiceNow's error object
//! without valid basic or bearer credentials. A condition it does not know
//! is answered 400, so a connector cannot send what the fake ignores.
//! Every request is logged (decoded query and `Authorization` header).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use super::fake_redmine::{dated, serve, FakeClock};

pub const USER: &str = "hypercare.sync";
pub const PASSWORD: &str = "pa:ss-w0rd";
pub const BEARER: &str = "oauth-access-token-0123456789";

/// The secret as a source holds it: `user:password`.
pub fn secret() -> String {
    format!("{USER}:{PASSWORD}")
}

/// Base time of generated data: 2026-01-05 08:00:00 UTC.
pub const T0: i64 = 1_767_600_000;

/// One incident on the fake instance.
#[derive(Debug, Clone)]
pub struct Incident {
    pub sys_id: String,
    pub number: String,
    pub short_description: String,
    pub description: String,
    /// 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled.
    pub state: u8,
    /// 1 - High, 2 - Medium, 3 - Low.
    pub impact: u8,
    pub urgency: u8,
    pub group: String,
    pub caller: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub updated_on: i64,
    pub mod_count: u64,
}

/// One `sys_journal_field` row.
#[derive(Debug, Clone)]
pub struct Journal {
    pub sys_id: String,
    pub element_id: String,
    pub element: String,
    pub value: String,
    pub created_on: i64,
    pub created_by: String,
}

/// What to do to a request instead of answering it.
#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16, Option<&'static str>),
    /// A hibernating or SSO-fronted instance: a login page with HTTP 200.
    LoginPage,
    /// JSON without `result`.
    NoResult,
    InvalidUtf8,
    Stall(Duration),
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub auth: Option<String>,
    pub status: u16,
}

#[derive(Default)]
pub struct State {
    pub incidents: BTreeMap<String, Incident>,
    pub journal: Vec<Journal>,
    pub faults: Vec<(String, Fault)>,
    pub log: Vec<Logged>,
    /// Every answer waits this long first (a WAN round trip, for benchmarks).
    pub latency: Option<Duration>,
    /// The server's clock; its `Date` headers follow it.
    pub clock: FakeClock,
    next_journal: u64,
}

pub fn sys_id(n: u64) -> String {
    format!("{n:032x}")
}

pub fn stamp(t: i64) -> String {
    Utc.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
}

/// `n` incidents in the "Hypercare" group (every tenth in "Network"),
/// three sharing each `sys_updated_on` second.
pub fn generate(n: u64) -> BTreeMap<String, Incident> {
    (1..=n)
        .map(|i| {
            let at = T0 + i as i64 / 3;
            let inc = Incident {
                sys_id: sys_id(i),
                number: format!("INC{:07}", 10_000 + i),
                short_description: format!("Posting of invoice batch {i} fails"),
                description: format!("Since go-live the batch {i} stops with an error.\r\nWorkaround: post by hand."),
                state: 1,
                impact: 3,
                urgency: 3,
                group: if i % 10 == 0 { "Network".into() } else { "Hypercare".into() },
                caller: "Abel Tuter".into(),
                opened_at: at,
                resolved_at: None,
                updated_on: at,
                mod_count: 0,
            };
            (inc.sys_id.clone(), inc)
        })
        .collect()
}

impl State {
    /// Edit an incident as a user would: `f` changes it, then it is stamped `at`.
    pub fn edit(&mut self, id: &str, at: i64, f: impl FnOnce(&mut Incident)) {
        if let Some(i) = self.incidents.get_mut(id) {
            f(i);
            i.updated_on = at;
            i.mod_count += 1;
        }
    }

    /// Add a journal entry (`comments` or `work_notes`); the incident is updated too.
    pub fn journal(&mut self, id: &str, element: &str, text: &str, at: i64) {
        self.next_journal += 1;
        let jid = format!("{:032x}", 0xABC0_0000_u64 + self.next_journal);
        self.journal.push(Journal {
            sys_id: jid,
            element_id: id.into(),
            element: element.into(),
            value: text.into(),
            created_on: at,
            created_by: "beth.anglin".into(),
        });
        self.edit(id, at, |_| {});
    }
}

#[derive(Clone)]
pub struct FakeServiceNow {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FakeServiceNow {
    pub fn start(incidents: BTreeMap<String, Incident>) -> FakeServiceNow {
        let clock = FakeClock::default();
        let state = Arc::new(Mutex::new(State { incidents, clock: clock.clone(), ..Default::default() }));
        let app = Router::new()
            .route("/api/now/table/{table}", get(list))
            .route("/api/now/table/{table}/{id}", get(one))
            .with_state(state.clone());
        FakeServiceNow { url: serve(dated(app, &clock)), state }
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

    /// Queue `f` for the next `times` requests whose `path?query` contains `pattern`.
    pub fn fault(&self, pattern: &str, f: Fault, times: usize) {
        let mut s = self.state();
        for _ in 0..times {
            s.faults.push((pattern.to_string(), f.clone()));
        }
    }
}

type S = AxState<Arc<Mutex<State>>>;

fn error(code: StatusCode, message: &str, detail: Option<&str>) -> Response {
    (code, [("content-type", "application/json")], json!({"error": {"message": message, "detail": detail}, "status": "failure"}).to_string())
        .into_response()
}

fn authorized(headers: &HeaderMap) -> (bool, Option<String>) {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret()));
    let ok = auth.as_deref() == Some(basic.as_str()) || auth.as_deref() == Some(format!("Bearer {BEARER}").as_str());
    (ok, auth)
}

/// Log the request, check the credentials, apply any queued fault.
async fn gate(state: &Arc<Mutex<State>>, headers: &HeaderMap, path: &str, query: &BTreeMap<String, String>) -> Option<Response> {
    let fault = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let (ok, auth) = authorized(headers);
        let target = format!("{path}?{}", query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
        let fault = if !ok {
            Some(Fault::Status(401, None))
        } else {
            s.faults.iter().position(|(p, _)| target.contains(p.as_str())).map(|i| s.faults.remove(i).1)
        };
        let status = match &fault {
            Some(Fault::Status(c, _)) => *c,
            _ => 200,
        };
        s.log.push(Logged { at: Instant::now(), path: path.to_string(), query: query.clone(), auth, status });
        (fault, s.latency)
    };
    let (fault, latency) = fault;
    if let Some(d) = latency {
        tokio::time::sleep(d).await;
    }
    Some(match fault? {
        Fault::Status(401, _) => error(StatusCode::UNAUTHORIZED, "User Not Authenticated", Some("Required to provide Auth information")),
        Fault::Status(code, retry_after) => {
            let mut r = error(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "Too many requests", None);
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().expect("header"));
            }
            r
        }
        Fault::LoginPage => ([("content-type", "text/html")], "<html><head><title>ServiceNow</title></head><body>Log in</body></html>").into_response(),
        Fault::NoResult => ([("content-type", "application/json")], r#"{"records":[]}"#).into_response(),
        Fault::InvalidUtf8 => {
            let body: Vec<u8> = [&br#"{"result":{"sys_id":"caf"#[..], &[0xE9, 0xFF], &br#""}}"#[..]].concat();
            ([("content-type", "application/json")], body).into_response()
        }
        Fault::Stall(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, "{}").into_response()
        }
    })
}

/// (display value, value) of each field of an incident.
fn incident_fields(i: &Incident) -> BTreeMap<String, (String, String)> {
    let state = match i.state {
        1 => "New",
        2 => "In Progress",
        3 => "On Hold",
        6 => "Resolved",
        7 => "Closed",
        _ => "Canceled",
    };
    let level = |n: u8| format!("{n} - {}", ["High", "Medium", "Low"].get(n as usize - 1).copied().unwrap_or("Other"));
    let same = |v: String| (v.clone(), v);
    let mut m = BTreeMap::new();
    m.insert("sys_id".into(), same(i.sys_id.clone()));
    m.insert("number".into(), same(i.number.clone()));
    m.insert("short_description".into(), same(i.short_description.clone()));
    m.insert("description".into(), same(i.description.clone()));
    m.insert("state".into(), (state.into(), i.state.to_string()));
    m.insert("incident_state".into(), (state.into(), i.state.to_string()));
    m.insert("active".into(), same((i.state < 7).to_string()));
    m.insert("impact".into(), (level(i.impact), i.impact.to_string()));
    m.insert("urgency".into(), (level(i.urgency), i.urgency.to_string()));
    let p = (i.impact + i.urgency - 1).min(5);
    m.insert("priority".into(), (format!("{p} - {}", ["Critical", "High", "Moderate", "Low", "Planning"][p as usize - 1]), p.to_string()));
    m.insert("category".into(), ("Software".into(), "software".into()));
    m.insert("assignment_group".into(), (i.group.clone(), format!("grp-{}", i.group.to_lowercase())));
    m.insert("assignment_group.name".into(), same(i.group.clone()));
    m.insert("assigned_to".into(), ("Beth Anglin".into(), "46d44a23a9fe19810012d100cca80666".into()));
    m.insert("caller_id".into(), (i.caller.clone(), "62826bf03710200044e0bfc8bcbe5df1".into()));
    m.insert("sys_class_name".into(), ("Incident".into(), "incident".into()));
    // Display values of times are in the API user's zone and format (here
    // UTC+1, dd/MM/yyyy): a client must read `value`.
    let local = |t: i64| Utc.timestamp_opt(t + 3600, 0).single().map(|d| d.format("%d/%m/%Y %H:%M:%S").to_string()).unwrap_or_default();
    m.insert("opened_at".into(), (local(i.opened_at), stamp(i.opened_at)));
    m.insert("sys_created_on".into(), (local(i.opened_at), stamp(i.opened_at)));
    m.insert("resolved_at".into(), i.resolved_at.map(|t| (local(t), stamp(t))).unwrap_or_default());
    m.insert("closed_at".into(), Default::default());
    m.insert("sys_updated_on".into(), (local(i.updated_on), stamp(i.updated_on)));
    m.insert("sys_mod_count".into(), same(i.mod_count.to_string()));
    m.insert("comments".into(), ("(the journal as display text)".into(), String::new()));
    m.insert("work_notes".into(), ("(internal notes as display text)".into(), String::new()));
    m
}

fn journal_fields(j: &Journal) -> BTreeMap<String, (String, String)> {
    let same = |v: &str| (v.to_string(), v.to_string());
    [
        ("sys_id", same(&j.sys_id)),
        ("element_id", same(&j.element_id)),
        ("name", same("incident")),
        ("element", same(&j.element)),
        ("value", same(&j.value)),
        ("sys_created_on", same(&stamp(j.created_on))),
        ("sys_created_by", same(&j.created_by)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A parsed `sysparm_query`: conditions and sort keys; `Err` names what the fake does not know.
fn query(q: &str) -> Result<(Vec<(String, String, String)>, Vec<String>), String> {
    let (mut conds, mut order) = (Vec::new(), Vec::new());
    for part in q.split('^').filter(|p| !p.is_empty()) {
        if let Some(f) = part.strip_prefix("ORDERBY") {
            order.push(f.to_string());
        } else if let Some((f, v)) = part.split_once(">=") {
            conds.push((f.to_string(), ">=".to_string(), v.to_string()));
        } else if let Some((f, v)) = part.split_once('>') {
            conds.push((f.to_string(), ">".to_string(), v.to_string()));
        } else if let Some(pos) = part.find("IN").filter(|p| !part[..*p].contains('=')) {
            conds.push((part[..pos].to_string(), "IN".to_string(), part[pos + 2..].to_string()));
        } else if let Some((f, v)) = part.split_once('=') {
            conds.push((f.to_string(), "=".to_string(), v.to_string()));
        } else {
            return Err(format!("the fake does not know the condition {part:?}"));
        }
    }
    Ok((conds, order))
}

fn matches(row: &BTreeMap<String, (String, String)>, conds: &[(String, String, String)]) -> Result<bool, String> {
    for (f, op, v) in conds {
        let Some((_, have)) = row.get(f) else { return Err(format!("no field {f:?}")) };
        let ok = match op.as_str() {
            ">=" => have.as_str() >= v.as_str(),
            ">" => have.as_str() > v.as_str(),
            "IN" => v.split(',').any(|x| x == have),
            _ => have == v,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn render(row: &BTreeMap<String, (String, String)>, fields: Option<&str>, display: &str, link: bool) -> Value {
    let wanted: Option<Vec<&str>> = fields.map(|f| f.split(',').collect());
    let mut out = serde_json::Map::new();
    for (k, (d, v)) in row.iter().filter(|(k, _)| !k.contains('.')) {
        if wanted.as_ref().is_some_and(|w| !w.contains(&k.as_str())) {
            continue;
        }
        let value = match display {
            "all" if link && (k == "assigned_to" || k == "caller_id") => {
                json!({"display_value": d, "value": v, "link": format!("https://fake.service-now.com/api/now/table/sys_user/{v}")})
            }
            "all" => json!({"display_value": d, "value": v}),
            "true" => json!(d),
            _ => json!(v),
        };
        out.insert(k.clone(), value);
    }
    Value::Object(out)
}

fn json_ok(v: Value, total: Option<usize>) -> Response {
    let mut r = ([("content-type", "application/json")], v.to_string()).into_response();
    if let Some(t) = total {
        r.headers_mut().insert("x-total-count", t.into());
    }
    r
}

async fn list(st: S, headers: HeaderMap, Path(table): Path<String>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let path = format!("/api/now/table/{table}");
    if let Some(r) = gate(&st, &headers, &path, &q).await {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    let mut rows: Vec<BTreeMap<String, (String, String)>> = match table.as_str() {
        "incident" => s.incidents.values().map(incident_fields).collect(),
        "sys_journal_field" => s.journal.iter().map(journal_fields).collect(),
        "sys_db_object" => vec![[("name", "incident"), ("label", "Incident")].into_iter().map(|(k, v)| (k.to_string(), (v.to_string(), v.to_string()))).collect()],
        other => return error(StatusCode::BAD_REQUEST, &format!("Invalid table {other}"), None),
    };
    let (conds, order) = match query(q.get("sysparm_query").map(String::as_str).unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e, None),
    };
    let mut kept = Vec::new();
    for r in rows.drain(..) {
        match matches(&r, &conds) {
            Ok(true) => kept.push(r),
            Ok(false) => {}
            Err(e) => return error(StatusCode::BAD_REQUEST, &e, None),
        }
    }
    for key in order.iter().rev() {
        kept.sort_by(|a, b| a.get(key).map(|x| &x.1).cmp(&b.get(key).map(|x| &x.1)));
    }
    let offset: usize = q.get("sysparm_offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("sysparm_limit").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let display = q.get("sysparm_display_value").map(String::as_str).unwrap_or("false");
    let link = q.get("sysparm_exclude_reference_link").map(String::as_str) != Some("true");
    let page: Vec<Value> =
        kept.iter().skip(offset).take(limit).map(|r| render(r, q.get("sysparm_fields").map(String::as_str), display, link)).collect();
    json_ok(json!({ "result": page }), Some(kept.len()))
}

async fn one(st: S, headers: HeaderMap, Path((table, id)): Path<(String, String)>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let path = format!("/api/now/table/{table}/{id}");
    if let Some(r) = gate(&st, &headers, &path, &q).await {
        return r;
    }
    let s = st.lock().unwrap_or_else(|e| e.into_inner());
    if table != "incident" {
        return error(StatusCode::BAD_REQUEST, &format!("Invalid table {table}"), None);
    }
    match s.incidents.get(&id) {
        Some(i) => {
            let display = q.get("sysparm_display_value").map(String::as_str).unwrap_or("false");
            let link = q.get("sysparm_exclude_reference_link").map(String::as_str) != Some("true");
            json_ok(json!({"result": render(&incident_fields(i), q.get("sysparm_fields").map(String::as_str), display, link)}), None)
        }
        None => error(StatusCode::NOT_FOUND, "No Record found", Some("Record doesn't exist or ACL restricts the record retrieval")),
    }
}
