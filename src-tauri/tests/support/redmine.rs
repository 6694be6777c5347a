//! The real Redmine of the test run (`scripts/test.sh` starts it and exports
//! REDMINE_URL, REDMINE_API_KEY, REDMINE_DATA): admin API calls to set up a
//! project per test, and stopping/restarting the server for offline tests.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use super::app::{repo_root, unix_millis};

/// Admin access to the test Redmine.
pub struct Redmine {
    /// Base URL, e.g. `http://127.0.0.1:3300`.
    pub url: String,
    /// The admin API key (also what the app is given as the source token).
    pub key: String,
    data: Option<PathBuf>,
    http: reqwest::Client,
}

/// The test Redmine from the environment; `None` (after saying so) when
/// REDMINE_URL is unset outside CI. Under `CI` a missing server fails the test.
pub fn redmine_or_skip(test: &str) -> Option<Redmine> {
    let url = std::env::var("REDMINE_URL").ok().filter(|u| !u.is_empty());
    let key = std::env::var("REDMINE_API_KEY").ok().filter(|k| !k.is_empty());
    match (url, key) {
        (Some(url), Some(key)) => {
            let data = std::env::var_os("REDMINE_DATA").map(PathBuf::from);
            let http = match reqwest::Client::builder()
                // No kept-alive connections: tests stop and restart the server.
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(30))
                .build() {
                Ok(http) => http,
                Err(e) => panic!("{test}: building an HTTP client: {e}"),
            };
            Some(Redmine { url: url.trim_end_matches('/').to_string(), key, data, http })
        }
        _ if std::env::var_os("CI").is_some() => {
            panic!("{test}: REDMINE_URL and REDMINE_API_KEY must be set under CI (scripts/test.sh sets them)")
        }
        _ => {
            eprintln!("{test}: skipped: REDMINE_URL not set");
            None
        }
    }
}

impl Redmine {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Option<Value>> {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.url)).header("X-Redmine-API-Key", &self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.with_context(|| format!("Redmine {method} {path}"))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("Redmine {method} {path}: HTTP {status}: {text}");
        }
        if text.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(serde_json::from_str(&text).with_context(|| format!("Redmine {method} {path}: not JSON"))?))
    }

    /// Create a project with a unique identifier starting with `prefix`;
    /// returns the identifier.
    pub async fn create_project(&self, prefix: &str) -> Result<String> {
        let ident = format!("{prefix}-{}", unix_millis());
        let body = json!({ "project": {
            "name": format!("E2E {ident}"),
            "identifier": ident,
            "tracker_ids": [1, 2, 3],
            "enabled_module_names": ["issue_tracking"],
        }});
        self.call(reqwest::Method::POST, "/projects.json", Some(body)).await?;
        Ok(ident)
    }

    /// Create an issue (tracker Bug, priority Normal); returns its id.
    pub async fn create_issue(&self, project: &str, subject: &str, description: &str) -> Result<u64> {
        let body = json!({ "issue": {
            "project_id": project, "tracker_id": 1, "priority_id": 2,
            "subject": subject, "description": description,
        }});
        let created = self.call(reqwest::Method::POST, "/issues.json", Some(body)).await?;
        created
            .as_ref()
            .and_then(|v| v["issue"]["id"].as_u64())
            .ok_or_else(|| anyhow!("Redmine: creating an issue returned no id: {created:?}"))
    }

    /// Add a comment (journal note) to an issue.
    pub async fn add_comment(&self, issue: u64, notes: &str) -> Result<()> {
        let body = json!({ "issue": { "notes": notes } });
        self.call(reqwest::Method::PUT, &format!("/issues/{issue}.json"), Some(body)).await?;
        Ok(())
    }

    /// Move an issue to a status (by id: 3 = Resolved, 5 = Closed in Redmine's default data).
    pub async fn set_status(&self, issue: u64, status_id: u64) -> Result<()> {
        let body = json!({ "issue": { "status_id": status_id } });
        self.call(reqwest::Method::PUT, &format!("/issues/{issue}.json"), Some(body)).await?;
        Ok(())
    }

    /// Create an issue custom field of text format, enabled for `project` and
    /// every tracker, as an admin would in Administration → Custom fields.
    /// Redmine's REST API cannot create custom fields, so it is written to
    /// the instance's database; the name gets a unique suffix. Returns the
    /// field's id.
    pub async fn create_custom_field(&self, project: &str, name: &str) -> Result<i64> {
        let p = self.call(reqwest::Method::GET, &format!("/projects/{project}.json"), None).await?;
        let project_id = p.as_ref().and_then(|v| v["project"]["id"].as_i64()).ok_or_else(|| anyhow!("Redmine: no project {project}"))?;
        let db = rusqlite::Connection::open(self.data_dir()?.join("db/redmine.sqlite3")).context("opening Redmine's database")?;
        db.busy_timeout(Duration::from_secs(30))?;
        db.execute(
            "INSERT INTO custom_fields (type, name, field_format, possible_values, regexp, min_length, max_length,
                is_required, is_for_all, is_filter, position, searchable, default_value, editable, visible, multiple,
                format_store, description)
             VALUES ('IssueCustomField', ?1, 'string', NULL, '', NULL, NULL, 0, 0, 0, 1, 0, '', 1, 1, 0,
                '--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\nurl_pattern: ''''\n', '')",
            [format!("{name} {}", unix_millis())],
        )
        .context("creating the custom field")?;
        let id = db.last_insert_rowid();
        db.execute("INSERT INTO custom_fields_projects (custom_field_id, project_id) VALUES (?1, ?2)", [id, project_id])?;
        for tracker in [1, 2, 3] {
            db.execute("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?1, ?2)", [id, tracker])?;
        }
        Ok(id)
    }

    /// Set a custom field of an issue.
    pub async fn set_custom_field(&self, issue: u64, field: i64, value: &str) -> Result<()> {
        let body = json!({ "issue": { "custom_fields": [{ "id": field, "value": value }] } });
        self.call(reqwest::Method::PUT, &format!("/issues/{issue}.json"), Some(body)).await?;
        Ok(())
    }

    /// An issue with its journals, as Redmine's API returns it (`issue` object).
    pub async fn issue(&self, issue: u64) -> Result<Value> {
        let v = self.call(reqwest::Method::GET, &format!("/issues/{issue}.json?include=journals"), None).await?;
        v.map(|v| v["issue"].clone()).ok_or_else(|| anyhow!("Redmine: issue {issue} came back empty"))
    }

    fn data_dir(&self) -> Result<PathBuf> {
        self.data.clone().ok_or_else(|| anyhow!("REDMINE_DATA is not set: cannot stop or start Redmine"))
    }

    fn port(&self) -> Result<u16> {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .ok_or_else(|| anyhow!("no port in REDMINE_URL {}", self.url))
    }

    /// Stop the server. The returned guard starts it again (same port, same
    /// database, same API key) when dropped, also when the test fails.
    pub fn stop(&self) -> Result<Stopped<'_>> {
        let data = self.data_dir()?;
        run_script(&["stop", &data.display().to_string()], &[])?;
        Ok(Stopped { redmine: self, restarted: false })
    }

    fn restart(&self) -> Result<()> {
        let data = self.data_dir()?;
        let port = self.port()?.to_string();
        run_script(&["start", &data.display().to_string(), &port], &[("REDMINE_RESET", "0")])?;
        // REDMINE_RESET=0 keeps the database and the admin's API key, which
        // every test (and the app's stored source token) uses.
        let key = std::fs::read_to_string(data.join("api_key"))?;
        if key.trim() != self.key {
            bail!("Redmine came back with another API key");
        }
        Ok(())
    }
}

/// Redmine is stopped while this lives; dropping it restarts the server.
pub struct Stopped<'a> {
    redmine: &'a Redmine,
    restarted: bool,
}

impl Stopped<'_> {
    /// Start Redmine again now (same port, database and API key).
    pub fn restart(mut self) -> Result<()> {
        self.restarted = true;
        self.redmine.restart()
    }
}

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        if !self.restarted {
            if let Err(e) = self.redmine.restart() {
                eprintln!("restarting Redmine after the test failed: {e:?}");
            }
        }
    }
}

fn run_script(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let script = repo_root().join("tests/support/redmine.sh");
    let mut cmd = Command::new("timeout");
    cmd.arg("300").arg(&script).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().with_context(|| format!("running {}", script.display()))?;
    if !out.status.success() {
        bail!("redmine.sh {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
