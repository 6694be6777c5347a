//! Shared by the `validation_*` tests: the real Redmine (from the env vars
//! `scripts/test.sh` exports), a project and issues of our own, and the
//! local store mirroring them.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use hypercare::model::{SourceKind, StatusClass, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::Store;
use serde_json::{json, Value};

/// The Redmine under test.
#[derive(Clone, Debug)]
pub struct Redmine {
    pub url: String,
    pub key: String,
    /// Data dir for `tests/support/redmine.sh stop|start` (when exported).
    pub data: Option<PathBuf>,
    http: reqwest::Client,
}

/// The server from the environment, or `None` (after printing why) when
/// REDMINE_URL is unset outside CI. In CI a missing server fails the test.
pub fn redmine() -> Option<Redmine> {
    let url = match std::env::var("REDMINE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(std::env::var_os("CI").is_none(), "REDMINE_URL must be set in CI (scripts/test.sh starts Redmine)");
            eprintln!("skipped: REDMINE_URL not set");
            return None;
        }
    };
    let key = std::env::var("REDMINE_API_KEY").expect("REDMINE_API_KEY is set with REDMINE_URL");
    let data = std::env::var_os("REDMINE_DATA").map(PathBuf::from);
    Some(Redmine { url: url.trim_end_matches('/').to_string(), key, data, http: reqwest::Client::new() })
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

impl Redmine {
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.key.clone(), method, path, body).await
    }

    pub async fn call_as(&self, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url)).header("X-Redmine-API-Key", key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("Redmine answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A fresh project; returns (id, identifier).
    pub async fn project(&self) -> (i64, String) {
        let ident = unique("val");
        let (s, v) = self
            .call(
                reqwest::Method::POST,
                "/projects.json",
                Some(json!({"project": {"name": ident, "identifier": ident, "tracker_ids": [1, 2, 3],
                    "enabled_module_names": ["issue_tracking"]}})),
            )
            .await;
        assert_eq!(s, 201, "create project: {v}");
        (v["project"]["id"].as_i64().unwrap(), ident)
    }

    /// A new issue (status New) of tracker `tracker_id` (1 = Bug); returns its JSON.
    pub async fn new_issue(&self, project: &str, subject: &str, tracker_id: i64) -> Value {
        let (s, v) = self
            .call(
                reqwest::Method::POST,
                "/issues.json",
                Some(json!({"issue": {"project_id": project, "subject": subject, "tracker_id": tracker_id}})),
            )
            .await;
        assert_eq!(s, 201, "create issue: {v}");
        self.issue(v["issue"]["id"].as_i64().unwrap()).await
    }

    /// A new issue moved to status `status_id` (3 = Resolved); returns its JSON.
    pub async fn resolved_issue(&self, project: &str, subject: &str, status_id: i64) -> Value {
        let id = self.new_issue(project, subject, 1).await["id"].as_i64().unwrap();
        let (s, v) = self
            .call(
                reqwest::Method::PUT,
                &format!("/issues/{id}.json"),
                Some(json!({"issue": {"status_id": status_id, "notes": "Fixed in build 42."}})),
            )
            .await;
        assert!(s == 204 || s == 200, "resolve issue: {s} {v}");
        self.issue(id).await
    }

    /// The issue with journals and attachments.
    pub async fn issue(&self, id: i64) -> Value {
        let (s, v) =
            self.call(reqwest::Method::GET, &format!("/issues/{id}.json?include=journals,attachments"), None).await;
        assert_eq!(s, 200, "read issue {id}: {v}");
        v["issue"].clone()
    }

    /// Journals of the issue whose notes contain `text`.
    pub async fn journals_with(&self, id: i64, text: &str) -> usize {
        let issue = self.issue(id).await;
        issue["journals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["notes"].as_str().unwrap_or("").contains(text))
            .count()
    }

    /// Attachments of the issue whose description contains `text`: (file name, size).
    pub async fn attachments_with(&self, id: i64, text: &str) -> Vec<(String, i64)> {
        let issue = self.issue(id).await;
        let mut out: Vec<(String, i64)> = issue["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["description"].as_str().unwrap_or("").contains(text))
            .map(|a| (a["filename"].as_str().unwrap().to_string(), a["filesize"].as_i64().unwrap()))
            .collect();
        out.sort();
        out
    }
}

/// Add a Redmine source for `project` (token in `token_env`); returns its id.
pub fn add_source(store: &Store, rm: &Redmine, name: &str, project: &str, token_env: &str, config: Value) -> i64 {
    store
        .add_source(
            &NewSource {
                name: name.into(),
                kind: SourceKind::Redmine,
                url: rm.url.clone(),
                project: project.into(),
                token_env: Some(token_env.into()),
                config,
            },
            Utc::now(),
        )
        .unwrap()
        .id
}

/// A store with one Redmine source for `project` (token in `token_env`).
pub fn store_with_source(
    dir: &std::path::Path,
    rm: &Redmine,
    name: &str,
    project: &str,
    token_env: &str,
    config: Value,
) -> (Store, i64) {
    let store = Store::open_dir(dir).unwrap();
    let id = add_source(&store, rm, name, project, token_env, config);
    (store, id)
}

/// Put the server's issue into the store as the sync engine would; returns the local id.
pub fn mirror(store: &Store, source_id: i64, issue: &Value) -> i64 {
    let id = issue["id"].as_i64().unwrap();
    let t = |k: &str| -> DateTime<Utc> { issue[k].as_str().unwrap().parse().unwrap() };
    let status = issue["status"]["name"].as_str().unwrap().to_string();
    let class = match status.as_str() {
        "Resolved" | "Feedback" => StatusClass::Resolved,
        "Closed" | "Rejected" => StatusClass::Closed,
        _ => StatusClass::Open,
    };
    let rec = TicketRecord {
        remote_id: id.to_string(),
        key: format!("#{id}"),
        title: issue["subject"].as_str().unwrap().into(),
        description: String::new(),
        status,
        status_class: class,
        priority: issue["priority"]["name"].as_str().unwrap_or("Normal").into(),
        tracker: issue["tracker"]["name"].as_str().unwrap_or("Bug").into(),
        category: None,
        assignee: None,
        reporter: None,
        created_at: t("created_on"),
        updated_at: t("updated_on"),
        resolved_at: Some(t("updated_on")),
        remote_version: issue["updated_on"].as_str().unwrap().into(),
        raw: None,
        comments: None,
        status_changes: None,
    };
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, source_id, &[rec])).unwrap();
    let key = format!("{}", id);
    store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM tickets WHERE source_id = ?1 AND remote_id = ?2",
                rusqlite::params![source_id, key],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

/// Run `tests/support/redmine.sh` with arguments and extra environment.
pub fn redmine_sh(args: &[&str], env: &[(&str, &str)]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/redmine.sh");
    let out = std::process::Command::new("bash").arg(script).args(args).envs(env.iter().copied()).output().unwrap();
    assert!(out.status.success(), "redmine.sh {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn data_dir(rm: &Redmine) -> PathBuf {
    rm.data.clone().expect("REDMINE_DATA is exported with REDMINE_URL (scripts/test.sh)")
}

/// Stop the server under test (the test's binary must be the only one using it then).
pub fn stop_server(rm: &Redmine) {
    redmine_sh(&["stop", &data_dir(rm).to_string_lossy()], &[]);
}

/// Start the server again on the same port with the same database (and the
/// same admin API key, which every other test holds).
pub fn start_server(rm: &Redmine) {
    let data = data_dir(rm);
    let data_s = data.to_string_lossy().into_owned();
    let port = rm.url.rsplit(':').next().unwrap().to_string();
    // REDMINE_RESET=0 keeps the database and the admin's API key.
    redmine_sh(&["start", &data_s, &port], &[("REDMINE_RESET", "0")]);
    let key = std::fs::read_to_string(data.join("api_key")).unwrap();
    assert_eq!(key.trim(), rm.key, "a restart keeps the admin API key");
}
