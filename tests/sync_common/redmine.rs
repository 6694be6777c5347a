//! The real Redmine the test command starts (REDMINE_URL, REDMINE_API_KEY,
//! REDMINE_DIR): its REST API for edits and for checking, and its own SQLite
//! database for bulk setup that the API cannot do fast enough.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

pub struct Redmine {
    pub url: String,
    pub key: String,
    pub dir: PathBuf,
    client: reqwest::Client,
}

/// What the server says about one issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub subject: String,
    pub status: String,
    pub comments: i64,
}

impl Redmine {
    /// The server from the environment; `None` (after saying so) when unset
    /// outside CI. In CI a missing server is a failure.
    pub fn from_env() -> Option<Redmine> {
        match (std::env::var("REDMINE_URL"), std::env::var("REDMINE_API_KEY"), std::env::var("REDMINE_DIR")) {
            (Ok(url), Ok(key), Ok(dir)) => {
                Some(Redmine { url, key, dir: PathBuf::from(dir), client: reqwest::Client::new() })
            }
            _ => {
                if std::env::var_os("CI").is_some() {
                    panic!("REDMINE_URL, REDMINE_API_KEY and REDMINE_DIR must be set in CI (scripts/test.sh sets them)");
                }
                eprintln!("skipped: REDMINE_URL not set (run scripts/test.sh, or start tests/support/redmine.sh)");
                None
            }
        }
    }

    pub fn db(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(self.dir.join("db/redmine.sqlite3")).expect("open Redmine's database");
        c.busy_timeout(std::time::Duration::from_secs(30)).expect("busy timeout");
        c
    }

    /// Create an issue custom field (`int` or `string`) enabled for this
    /// project and every tracker, as an admin would in Administration →
    /// Custom fields: Redmine's REST API reads custom fields (`GET
    /// /custom_fields.json`) but cannot create them, so it is written to the
    /// instance's database. The name gets a unique suffix (other tests'
    /// projects never see the field); returns its id.
    pub fn create_custom_field(&self, project_id: i64, name: &str, format: &str) -> i64 {
        let db = self.db();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        db.execute(
            "INSERT INTO custom_fields (type, name, field_format, possible_values, regexp, min_length, max_length,
                is_required, is_for_all, is_filter, position, searchable, default_value, editable, visible, multiple,
                format_store, description)
             VALUES ('IssueCustomField', ?1, ?2, NULL, '', NULL, NULL, 0, 0, 0, 1, 0, '', 1, 1, 0,
                '--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nurl_pattern: ''''\n', '')",
            [format!("{name} {nanos}"), format.to_string()],
        )
        .expect("insert the custom field");
        let id = db.last_insert_rowid();
        db.execute("INSERT INTO custom_fields_projects (custom_field_id, project_id) VALUES (?1, ?2)", [id, project_id])
            .expect("enable the field for the project");
        for tracker in [1, 2, 3] {
            db.execute("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?1, ?2)", [id, tracker])
                .expect("enable the field for a tracker");
        }
        id
    }

    /// Send a request; a 500 is retried a few times, because Redmine on
    /// SQLite answers "database is locked" while a test writes its database.
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        for attempt in 0.. {
            let mut req =
                self.client.request(method.clone(), format!("{}{path}", self.url)).header("X-Redmine-API-Key", &self.key);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = req.send().await.expect("Redmine request");
            if resp.status() == reqwest::StatusCode::INTERNAL_SERVER_ERROR && attempt < 10 {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                continue;
            }
            assert!(resp.status().is_success(), "{path}: HTTP {}", resp.status());
            return resp;
        }
        unreachable!("the loop returns")
    }

    pub async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await.json().await.expect("JSON")
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await.json().await.expect("JSON")
    }

    pub async fn put(&self, path: &str, body: Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await;
    }

    pub async fn delete(&self, path: &str) {
        self.send(reqwest::Method::DELETE, path, None).await;
    }

    /// Create a project with a unique identifier; returns (identifier, id).
    pub async fn create_project(&self, prefix: &str) -> (String, i64) {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let ident = format!("{prefix}-{}-{nanos}", std::process::id());
        let body = json!({"project": {"name": ident, "identifier": ident, "enabled_module_names": ["issue_tracking"], "tracker_ids": [1, 2, 3]}});
        let v: Value = self.send(reqwest::Method::POST, "/projects.json", Some(body)).await.json().await.expect("JSON");
        (ident.clone(), v["project"]["id"].as_i64().expect("project id"))
    }

    /// Every issue of the project, as Redmine's API shows it (journals included).
    pub async fn issues(&self, project: &str) -> BTreeMap<String, Seen> {
        let mut out = BTreeMap::new();
        let mut offset = 0;
        loop {
            let page = self.get(&format!("/issues.json?project_id={project}&status_id=*&sort=id&limit=100&offset={offset}")).await;
            let issues = page["issues"].as_array().cloned().unwrap_or_default();
            for i in &issues {
                let id = i["id"].as_i64().expect("id");
                let full = self.get(&format!("/issues/{id}.json?include=journals")).await;
                let comments = full["issue"]["journals"]
                    .as_array()
                    .map(|js| js.iter().filter(|j| j["notes"].as_str().is_some_and(|n| !n.trim().is_empty())).count())
                    .unwrap_or(0);
                out.insert(
                    id.to_string(),
                    Seen {
                        subject: i["subject"].as_str().unwrap_or_default().to_string(),
                        status: i["status"]["name"].as_str().unwrap_or_default().to_string(),
                        comments: comments as i64,
                    },
                );
            }
            if issues.len() < 100 {
                return out;
            }
            offset += 100;
        }
    }
}
