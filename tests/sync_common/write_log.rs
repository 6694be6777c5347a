//! What the vendor write fakes share: the request log, the auth gate and
//! the fault queue. Each fake answers refusals in its vendor's own shape.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::Value;

#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status (and `Retry-After`) without doing anything.
    Status(u16, Option<&'static str>),
    /// Do the write, then answer only after this long.
    Stall(Duration),
}

/// One request a fake received, and the status it was refused with (200 when it was not).
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub auth: Option<String>,
    pub content_type: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
}

impl Logged {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    /// Whether the request could change something on the server.
    pub fn writes(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }
}

/// A fake's log and queued faults.
#[derive(Debug, Default)]
pub struct WriteLog {
    pub log: Vec<Logged>,
    /// (method, path fragment, fault) for the next matching request.
    pub faults: Vec<(Method, String, Fault)>,
}

/// A request as it reached the fake.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a BTreeMap<String, String>,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
}

impl WriteLog {
    /// Log the request and decide what happens to it: a wrong
    /// `Authorization` gets 401, then `refuse` (the fake's own refusal,
    /// e.g. 404 for another ticket), then a queued fault. `Ok` carries the
    /// stall to wait after doing the work, `Err` the status (and
    /// `Retry-After`) to answer at once.
    pub fn gate(&mut self, r: &Request, expected_auth: &str, refuse: Option<u16>) -> Result<Option<Duration>, (u16, Option<&'static str>)> {
        let header = |k: &str| r.headers.get(k).and_then(|v| v.to_str().ok()).map(String::from);
        let auth = header("authorization");
        let fault = if auth.as_deref() != Some(expected_auth) {
            Some(Fault::Status(401, None))
        } else if let Some(code) = refuse {
            Some(Fault::Status(code, None))
        } else {
            let hit = self.faults.iter().position(|(m, p, _)| m == r.method && r.path.contains(p.as_str()));
            hit.map(|i| self.faults.remove(i).2)
        };
        let status = match &fault {
            Some(Fault::Status(c, _)) => *c,
            _ => 200,
        };
        self.log.push(Logged {
            method: r.method.to_string(),
            path: r.path.into(),
            query: r.query.clone(),
            auth,
            content_type: header("content-type"),
            headers: r.headers.clone(),
            body: r.body.clone(),
            status,
        });
        match fault {
            None => Ok(None),
            Some(Fault::Stall(d)) => Ok(Some(d)),
            Some(Fault::Status(code, retry_after)) => Err((code, retry_after)),
        }
    }

    /// Requests received with `method` whose path satisfies `matches`.
    pub fn requests(&self, method: &str, matches: impl Fn(&str) -> bool) -> Vec<Logged> {
        self.log.iter().filter(|l| l.method == method && matches(&l.path)).cloned().collect()
    }

    /// Every request that could have changed something on the server.
    pub fn writes(&self) -> Vec<Logged> {
        self.log.iter().filter(|l| l.writes()).cloned().collect()
    }
}

/// `r` with a `Retry-After` header when one is given.
pub fn with_retry_after(mut r: Response, retry_after: Option<&'static str>) -> Response {
    if let Some(ra) = retry_after {
        if let Ok(v) = ra.parse() {
            r.headers_mut().insert("retry-after", v);
        }
    }
    r
}

/// A fake ticket's last update when the test starts: two hours ago, in
/// whole seconds (what the last sync saw).
pub fn a_while_ago() -> chrono::DateTime<chrono::Utc> {
    let t = chrono::Utc::now() - chrono::Duration::hours(2);
    chrono::DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// A fake's state that keeps a [`WriteLog`].
pub trait HasLog {
    fn write_log(&mut self) -> &mut WriteLog;
}

/// A running fake: its URL and its state, shared with its handlers. Each
/// fake is a `Served<its State>` and adds its own `start` and look-ups.
pub struct Served<S> {
    pub url: String,
    state: Arc<Mutex<S>>,
}

impl<S: HasLog> Served<S> {
    /// Serve `app` (whose handlers share `state`) on 127.0.0.1:0.
    pub fn serve(app: axum::Router, state: Arc<Mutex<S>>) -> Served<S> {
        Served { url: super::fake_redmine::serve(app), state }
    }

    pub fn state(&self) -> MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests received with `method` whose path satisfies `matches`.
    pub fn requests_where(&self, method: &str, matches: impl Fn(&str) -> bool) -> Vec<Logged> {
        self.state().write_log().requests(method, matches)
    }

    /// Every request that could have changed the ticket.
    pub fn writes(&self) -> Vec<Logged> {
        self.state().write_log().writes()
    }

    /// Queue a fault for the next `method` request whose path contains `pattern`.
    pub fn fault(&self, method: Method, pattern: &str, f: Fault) {
        self.state().write_log().faults.push((method, pattern.into(), f));
    }
}
