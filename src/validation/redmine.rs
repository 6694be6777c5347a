//! A small Redmine client for the writes validation needs: read an issue
//! with its journals and attachments, upload a file, update an issue.
//!
//! Every request goes through [`RedmineClient::send`], the one place that
//! turns transport failures and HTTP statuses into [`HttpFailure`] (a core
//! [`Error`] plus whether retrying can help and the server's `Retry-After`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;

use crate::Error;

/// A failed request: the error to show, and how push should treat it.
#[derive(Debug)]
pub struct HttpFailure {
    pub error: Error,
    /// Network trouble, 5xx or 429: the same request may work later.
    pub transient: bool,
    /// The server's `Retry-After` (seconds), when it sent one.
    pub retry_after: Option<u64>,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl HttpFailure {
    /// The server cannot be reached or refuses our key: every other request
    /// to it would fail the same way, so a run stops talking to it.
    pub fn stops_server(&self) -> bool {
        matches!(self.error, Error::Offline { .. }) || self.status == Some(401)
    }
}

impl From<HttpFailure> for Error {
    fn from(f: HttpFailure) -> Error {
        f.error
    }
}

pub type HttpResult<T> = std::result::Result<T, HttpFailure>;

pub(super) fn bad_json(url: &str, e: impl std::fmt::Display) -> HttpFailure {
    HttpFailure {
        error: Error::BadResponse(format!("{url} answered with something that is not the expected JSON: {e}")),
        transient: false,
        retry_after: None,
        status: None,
    }
}

/// An issue as validation needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct RemoteIssue {
    pub id: i64,
    pub status: NamedRef,
    pub updated_on: DateTime<Utc>,
    #[serde(default)]
    pub journals: Vec<RemoteJournal>,
    #[serde(default)]
    pub attachments: Vec<RemoteAttachment>,
    #[serde(default)]
    pub project: Option<NamedRef>,
    /// The issue category, when one is set.
    #[serde(default)]
    pub category: Option<NamedRef>,
    #[serde(default)]
    pub custom_fields: Vec<RemoteCustomField>,
}

/// A custom field's value on an issue (a string, or a list for multi-value fields).
#[derive(Debug, Clone, Deserialize)]
pub struct RemoteCustomField {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

impl RemoteCustomField {
    /// Does the field hold `want` (alone, or among a list's values)?
    pub fn holds(&self, want: &str) -> bool {
        match &self.value {
            serde_json::Value::String(s) => s == want,
            serde_json::Value::Array(a) => a.iter().any(|v| v.as_str() == Some(want)),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct NamedRef {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RemoteJournal {
    pub id: i64,
    pub user: Option<NamedRef>,
    #[serde(default)]
    pub notes: Option<String>,
    pub created_on: DateTime<Utc>,
    #[serde(default)]
    pub details: Vec<JournalDetail>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JournalDetail {
    #[serde(default)]
    pub property: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RemoteAttachment {
    pub id: i64,
    pub filename: String,
    pub filesize: i64,
    #[serde(default)]
    pub description: Option<String>,
}

/// A Redmine server, authenticated with an API key (`X-Redmine-API-Key`).
#[derive(Clone)]
pub struct RedmineClient {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl std::fmt::Debug for RedmineClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedmineClient").field("base", &self.base).finish()
    }
}

impl RedmineClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:3000`).
    pub fn new(base: &str, key: &str, timeout: Duration) -> crate::Result<Self> {
        let http = write_client(timeout)?;
        Ok(RedmineClient { http, base: base.trim_end_matches('/').to_string(), key: key.to_string() })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Send a request; map transport failures and non-2xx statuses.
    pub async fn send(&self, req: RequestBuilder, what: &str) -> HttpResult<Response> {
        send_once(req.header("X-Redmine-API-Key", &self.key), &self.base, what).await
    }

    /// An issue with its journals and attachments.
    pub async fn issue(&self, id: &str) -> HttpResult<RemoteIssue> {
        let url = self.url(&format!("/issues/{id}.json?include=journals,attachments"));
        #[derive(Deserialize)]
        struct Wrap {
            issue: RemoteIssue,
        }
        let resp = self.send(self.http.get(&url), &format!("reading issue #{id}")).await?;
        let w: Wrap = resp.json().await.map_err(|e| bad_json(&url, e))?;
        Ok(w.issue)
    }

    /// Status names → ids.
    pub async fn statuses(&self) -> HttpResult<Vec<NamedRef>> {
        let url = self.url("/issue_statuses.json");
        #[derive(Deserialize)]
        struct Wrap {
            issue_statuses: Vec<NamedRef>,
        }
        let resp = self.send(self.http.get(&url), "reading the issue statuses").await?;
        let w: Wrap = resp.json().await.map_err(|e| bad_json(&url, e))?;
        Ok(w.issue_statuses)
    }

    /// The issue categories of a project (by numeric id or identifier).
    pub async fn issue_categories(&self, project: &str) -> HttpResult<Vec<NamedRef>> {
        let url = self.url(&format!("/projects/{project}/issue_categories.json"));
        #[derive(Deserialize)]
        struct Wrap {
            issue_categories: Vec<NamedRef>,
        }
        let resp = self.send(self.http.get(&url), &format!("reading the issue categories of project {project}")).await?;
        let w: Wrap = resp.json().await.map_err(|e| bad_json(&url, e))?;
        Ok(w.issue_categories)
    }

    /// The id of the account the key belongs to.
    pub async fn current_user_id(&self) -> HttpResult<i64> {
        let url = self.url("/users/current.json");
        #[derive(Deserialize)]
        struct Wrap {
            user: NamedRef,
        }
        let resp = self.send(self.http.get(&url), "reading the current user").await?;
        let w: Wrap = resp.json().await.map_err(|e| bad_json(&url, e))?;
        Ok(w.user.id)
    }

    /// Upload a file; returns the token to reference it in an issue update.
    pub async fn upload(&self, file_name: &str, content: Vec<u8>) -> HttpResult<String> {
        let url = self.url("/uploads.json");
        #[derive(Deserialize)]
        struct Upload {
            token: String,
        }
        #[derive(Deserialize)]
        struct Wrap {
            upload: Upload,
        }
        let with_name = reqwest::Url::parse_with_params(&url, &[("filename", file_name)])
            .map_err(|e| Error::invalid(format!("server address {url:?} is not a URL: {e}")));
        let with_name = match with_name {
            Ok(u) => u,
            Err(error) => return Err(HttpFailure { error, transient: false, retry_after: None, status: None }),
        };
        let req =
            self.http.post(with_name).header(reqwest::header::CONTENT_TYPE, "application/octet-stream").body(content);
        let resp = self.send(req, &format!("uploading {file_name}")).await?;
        let w: Wrap = resp.json().await.map_err(|e| bad_json(&url, e))?;
        Ok(w.upload.token)
    }

    /// `PUT /issues/:id.json` with `{"issue": fields}`.
    pub async fn update_issue(&self, id: &str, fields: serde_json::Value) -> HttpResult<()> {
        let url = self.url(&format!("/issues/{id}.json"));
        let body = serde_json::json!({ "issue": fields });
        self.send(self.http.put(&url).json(&body), &format!("updating issue #{id}")).await?;
        Ok(())
    }
}

/// The HTTP client of a write client: `timeout` per request, connecting
/// within at most 10 s.
pub(super) fn write_client(timeout: Duration) -> crate::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// Send one request, never retried here: transport failures become
/// `Offline` (transient), non-2xx statuses the matching error. The one
/// place the write clients (Redmine, Jira) turn HTTP answers into
/// [`HttpFailure`]; `base` names the server in messages.
pub async fn send_once(req: RequestBuilder, base: &str, what: &str) -> HttpResult<Response> {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            let reason = if e.is_timeout() { "timed out".to_string() } else { root_cause(&e) };
            return Err(HttpFailure {
                error: Error::Offline { url: base.to_string(), reason },
                transient: true,
                retry_after: None,
                status: None,
            });
        }
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = resp.text().await.unwrap_or_default();
    let reason = server_reason(&body);
    let (error, transient) = match status {
        StatusCode::UNAUTHORIZED => {
            (Error::Auth(format!("{what}: the server refused the API key (401); check the source's token")), false)
        }
        StatusCode::FORBIDDEN => {
            (Error::Auth(format!("{what}: forbidden (403): this account may not do that on the server")), false)
        }
        StatusCode::NOT_FOUND => (Error::NotFound(format!("{what}: not found on the server (404); was it deleted?")), false),
        StatusCode::CONFLICT => (Error::Conflict(format!("{what}: the server reports a conflict (409){reason}")), false),
        StatusCode::UNPROCESSABLE_ENTITY => {
            (Error::InvalidInput(format!("{what}: the server refused it (422){reason}")), false)
        }
        StatusCode::TOO_MANY_REQUESTS => (Error::BadResponse(format!("{what}: rate limited by the server (429)")), true),
        s if s.is_server_error() => (Error::BadResponse(format!("{what}: server error ({}){reason}", s.as_u16())), true),
        s => (Error::BadResponse(format!("{what}: unexpected answer ({}){reason}", s.as_u16())), false),
    };
    Err(HttpFailure { error, transient, retry_after, status: Some(status.as_u16()) })
}

/// The server's reasons as `: a; b`, or nothing: Redmine's
/// `{"errors": [...]}`, Jira's `{"errorMessages": [...], "errors": {field: msg}}`,
/// Zendesk's `details`.
fn server_reason(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let mut errors: Vec<String> = Vec::new();
    let mut take = |x: Option<&serde_json::Value>| match x {
        Some(serde_json::Value::Array(a)) => errors.extend(a.iter().filter_map(|e| e.as_str().map(String::from))),
        Some(serde_json::Value::Object(o)) => {
            errors.extend(o.iter().filter_map(|(k, e)| e.as_str().map(|e| format!("{k}: {e}"))))
        }
        _ => {}
    };
    take(v.get("errorMessages"));
    take(v.get("errors"));
    // Zendesk: {"error": "RecordInvalid", "details": {field: [{"description": msg}]}}
    let details = v.get("details").and_then(|d| d.as_object()).into_iter().flat_map(|d| d.values());
    errors.extend(details.filter_map(|a| a.as_array()).flatten().filter_map(|e| e["description"].as_str().map(String::from)));
    if errors.is_empty() {
        String::new()
    } else {
        format!(": {}", errors.join("; "))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_reason_joins_redmine_errors() {
        assert_eq!(
            server_reason(r#"{"errors":["Status is invalid","Subject cannot be blank"]}"#),
            ": Status is invalid; Subject cannot be blank"
        );
        assert_eq!(server_reason("<html>oops</html>"), "");
        assert_eq!(
            server_reason(r#"{"errorMessages":["No transition"],"errors":{"resolution":"Resolution is required."}}"#),
            ": No transition; resolution: Resolution is required."
        );
        assert_eq!(
            server_reason(r#"{"error":"RecordInvalid","details":{"status":[{"description":"Status: closed prevents ticket update"}]}}"#),
            ": Status: closed prevents ticket update"
        );
    }
}
