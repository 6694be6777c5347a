//! The Redmine connector (REST API, JSON, `X-Redmine-API-Key`).
//!
//! - Changed tickets: `GET /issues.json?project_id=P&status_id=*&sort=updated_on
//!   &updated_on=>=T&offset=O&limit=100` (without `status_id=*` only open
//!   issues come back; `>=T` includes up to a second before T).
//! - Comments and status history come only from
//!   `GET /issues/:id.json?include=journals`, one issue at a time.
//! - Status names and `is_closed` from `GET /issue_statuses.json` (fetched
//!   once, only when a ticket needs it), so journal `status_id` values can
//!   be named and classified.
//! - Deletions have no feed: the census pages through every id.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::OnceCell;

use super::connector::{created_change, Census, ChangedPage, Connector, RemoteStub};
use super::http::{json_error, parse_json, HttpClient, RetryPolicy};
use super::plan::SLACK;
use super::ConnectionInfo;
use crate::model::{CommentRecord, StatusChangeRecord, StatusClass, TicketRecord};
use crate::{Error, Result};

/// The server's page cap.
pub const PAGE_SIZE: u64 = 100;

/// A Redmine project, seen through its REST API.
pub struct Redmine {
    http: HttpClient,
    base: Url,
    project: String,
    resolved: Vec<String>,
    statuses: OnceCell<HashMap<u64, Status>>,
}

#[derive(Debug, Clone, Deserialize)]
struct Status {
    id: u64,
    name: String,
    #[serde(default)]
    is_closed: bool,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Stub {
    id: u64,
    updated_on: String,
}

#[derive(Deserialize)]
struct IssueList<T> {
    issues: Vec<T>,
    #[serde(default)]
    total_count: Option<u64>,
}

#[derive(Deserialize)]
struct Issue {
    id: u64,
    tracker: Option<Named>,
    status: Status,
    priority: Option<Named>,
    author: Option<Named>,
    assigned_to: Option<Named>,
    category: Option<Named>,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: Option<String>,
    created_on: String,
    updated_on: String,
    #[serde(default)]
    closed_on: Option<String>,
    #[serde(default)]
    journals: Vec<Journal>,
}

#[derive(Deserialize)]
struct Journal {
    id: u64,
    user: Option<Named>,
    #[serde(default)]
    notes: Option<String>,
    created_on: String,
    #[serde(default)]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(default)]
    property: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    old_value: Option<String>,
    #[serde(default)]
    new_value: Option<String>,
}

#[derive(Deserialize)]
struct One<'a> {
    #[serde(borrow)]
    issue: &'a RawValue,
}

impl Redmine {
    /// A connector for `project` (the identifier) on the server at `url`.
    /// `resolved` are the status names that mean "resolved" (not closed).
    pub fn new(url: &str, project: &str, token: Option<&str>, resolved: Vec<String>, policy: RetryPolicy) -> Result<Redmine> {
        let mut base = Url::parse(url.trim_end_matches('/'))
            .map_err(|e| Error::invalid(format!("the server URL {url:?} is not valid: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        if project.trim().is_empty() {
            return Err(Error::invalid("the Redmine project identifier is empty"));
        }
        let http = HttpClient::new(policy, "X-Redmine-API-Key", token)?;
        Ok(Redmine { http, base, project: project.to_string(), resolved, statuses: OnceCell::new() })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<String> {
        let mut u = self.base.join(path).map_err(|e| Error::Internal(format!("cannot build a URL for {path}: {e}")))?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        Ok(u.to_string())
    }

    fn issues_url(&self, extra: &[(&str, &str)]) -> Result<String> {
        let mut q = vec![("project_id", self.project.as_str()), ("status_id", "*")];
        q.extend_from_slice(extra);
        self.url("issues.json", &q)
    }

    async fn statuses(&self) -> Result<&HashMap<u64, Status>> {
        self.statuses
            .get_or_try_init(|| async {
                #[derive(Deserialize)]
                struct List {
                    issue_statuses: Vec<Status>,
                }
                let list: List = self.http.get_json(&self.url("issue_statuses.json", &[])?).await?;
                Ok(list.issue_statuses.into_iter().map(|s| (s.id, s)).collect())
            })
            .await
    }

    fn class_of(&self, s: &Status) -> StatusClass {
        if self.resolved.iter().any(|r| r.eq_ignore_ascii_case(&s.name)) {
            StatusClass::Resolved
        } else if s.is_closed {
            StatusClass::Closed
        } else {
            StatusClass::Open
        }
    }
}

fn time(v: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::BadResponse(format!("Redmine sent {what} {v:?}, which is not an ISO-8601 time: {e}")))
}

fn lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

fn name(n: &Option<Named>) -> Option<String> {
    n.as_ref().and_then(|n| n.name.clone())
}

/// The issue object without its journals, compact, as the raw record.
fn raw_without_journals(issue: &RawValue) -> Result<String> {
    super::raw_without(issue, &["journals"], "Redmine sent an issue")
}

impl Redmine {
    fn to_record(&self, issue: Issue, raw: String, statuses: &HashMap<u64, Status>) -> Result<TicketRecord> {
        let status_class = self.class_of(&issue.status);
        let created_at = time(&issue.created_on, "created_on")?;
        let updated_at = time(&issue.updated_on, "updated_on")?;
        let status_name = |id: &Option<String>| -> Option<(String, StatusClass)> {
            let id: u64 = id.as_deref()?.parse().ok()?;
            Some(match statuses.get(&id) {
                Some(s) => (s.name.clone(), self.class_of(s)),
                None => (format!("status {id}"), StatusClass::Open),
            })
        };
        let mut comments = Vec::new();
        let mut changes = Vec::new();
        let mut initial = None;
        for j in &issue.journals {
            let at = time(&j.created_on, "a journal's created_on")?;
            let author = name(&j.user);
            if let Some(notes) = j.notes.as_deref().filter(|n| !n.trim().is_empty()) {
                comments.push(CommentRecord { remote_id: j.id.to_string(), author: author.clone(), body: lf(notes), created_at: at });
            }
            for d in j.details.iter().filter(|d| d.property == "attr" && d.name == "status_id") {
                let from = status_name(&d.old_value);
                if initial.is_none() {
                    initial = Some(from.clone());
                }
                let Some((to_status, to_class)) = status_name(&d.new_value) else { continue };
                changes.push(StatusChangeRecord {
                    remote_id: j.id.to_string(),
                    at,
                    from_class: from.as_ref().map(|f| f.1),
                    from_status: from.map(|f| f.0),
                    to_status,
                    to_class,
                    author: author.clone(),
                });
            }
        }
        // The status the ticket was created in opens its history.
        let first = initial.flatten().unwrap_or_else(|| (issue.status.name.clone(), status_class));
        changes.insert(0, created_change(created_at, first, name(&issue.author)));
        let resolved_at = if status_class == StatusClass::Open {
            None
        } else {
            let entered = changes
                .iter()
                .rev()
                .find(|c| c.to_class != StatusClass::Open && c.from_class.is_none_or(|f| f == StatusClass::Open))
                .map(|c| c.at);
            match entered {
                Some(t) => Some(t),
                None => Some(issue.closed_on.as_deref().map(|c| time(c, "closed_on")).transpose()?.unwrap_or(updated_at)),
            }
        };
        Ok(TicketRecord {
            remote_id: issue.id.to_string(),
            key: format!("#{}", issue.id),
            title: issue.subject.clone(),
            description: lf(issue.description.as_deref().unwrap_or("")),
            status: issue.status.name.clone(),
            status_class,
            priority: name(&issue.priority).unwrap_or_default(),
            tracker: name(&issue.tracker).unwrap_or_default(),
            category: name(&issue.category),
            assignee: name(&issue.assigned_to),
            reporter: name(&issue.author),
            created_at,
            updated_at,
            resolved_at,
            remote_version: issue.updated_on.clone(),
            raw: Some(raw),
            comments: Some(comments),
            status_changes: Some(changes),
        })
    }
}

#[async_trait]
impl Connector for Redmine {
    fn page_size(&self) -> u64 {
        PAGE_SIZE
    }

    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> Result<ChangedPage> {
        let offset = offset.to_string();
        let limit = PAGE_SIZE.to_string();
        let filter = since.map(|t| format!(">={}", t.format("%Y-%m-%dT%H:%M:%SZ")));
        let mut q = vec![("sort", "updated_on"), ("offset", offset.as_str()), ("limit", limit.as_str())];
        if let Some(f) = &filter {
            q.push(("updated_on", f.as_str()));
        }
        let list: IssueList<Stub> = self.http.get_json(&self.issues_url(&q)?).await?;
        let items = list
            .issues
            .into_iter()
            .map(|s| {
                Ok(RemoteStub { remote_id: s.id.to_string(), updated_at: time(&s.updated_on, "updated_on")?, version: s.updated_on })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ChangedPage { items, total: list.total_count })
    }

    async fn fetch_ticket(&self, remote_id: &str) -> Result<Option<TicketRecord>> {
        let url = self.url(&format!("issues/{remote_id}.json"), &[("include", "journals")])?;
        // 404: deleted meanwhile; 403: no longer visible to this token's user
        // (a private issue). Either way it is gone for this workspace, and it
        // must not stop the sync of the others.
        let parsed = self
            .http
            .get_unless(&url, &[403, 404, 410], |body| {
                let one: One<'_> = parse_json(&url, body)?;
                let issue: Issue = serde_json::from_str(one.issue.get()).map_err(|e| json_error(&url, &e))?;
                Ok((issue, raw_without_journals(one.issue)?))
            })
            .await?;
        let Some((issue, raw)) = parsed else { return Ok(None) };
        let statuses = self.statuses().await?;
        self.to_record(issue, raw, statuses).map(Some)
    }

    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Census> {
        let mut ids: HashSet<u64> = HashSet::new();
        let mut offset = 0u64;
        loop {
            let (o, l) = (offset.to_string(), PAGE_SIZE.to_string());
            let url = self.issues_url(&[("sort", "id"), ("offset", o.as_str()), ("limit", l.as_str())])?;
            let list: IssueList<Stub> = self.http.get_json(&url).await?;
            let n = list.issues.len() as u64;
            ids.extend(list.issues.iter().map(|s| s.id));
            progress(ids.len() as u64);
            if n < PAGE_SIZE {
                break;
            }
            // Re-read a few ids per page: deletions meanwhile cannot hide one.
            offset += n - SLACK;
        }
        Ok(Census { ids: ids.into_iter().map(|i| i.to_string()).collect() })
    }

    async fn test_connection(&self) -> Result<ConnectionInfo> {
        #[derive(Deserialize)]
        struct Project {
            project: Named,
        }
        let url = self.url(&format!("projects/{}.json", self.project), &[])?;
        let p: Project = match self.http.get_json(&url).await {
            Err(Error::NotFound(_)) => {
                return Err(Error::not_found(format!(
                    "the server has no project {:?} (or the token's user cannot see it); check the project identifier",
                    self.project
                )))
            }
            other => other?,
        };
        let count: IssueList<serde::de::IgnoredAny> = self.http.get_json(&self.issues_url(&[("limit", "1")])?).await?;
        Ok(ConnectionInfo { project_name: p.project.name.unwrap_or_else(|| self.project.clone()), ticket_count: count.total_count })
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.http.server_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector() -> Redmine {
        Redmine::new("http://127.0.0.1:9/", "p", None, vec!["Resolved".into()], RetryPolicy::default()).unwrap()
    }

    fn statuses() -> HashMap<u64, Status> {
        [(1, "New", false), (3, "Resolved", false), (5, "Closed", true)]
            .into_iter()
            .map(|(id, n, c)| (id, Status { id, name: n.into(), is_closed: c }))
            .collect()
    }

    const ISSUE: &str = r#"{"id":7,"tracker":{"id":1,"name":"Bug"},"status":{"id":1,"name":"New","is_closed":false},
        "priority":{"id":2,"name":"Normal"},"author":{"id":1,"name":"Ann"},"subject":"Invoice totals",
        "description":"line 1\r\nline 2","created_on":"2026-01-01T10:00:00Z","updated_on":"2026-01-03T10:00:00Z",
        "closed_on":"2026-01-02T10:00:00Z","journals":[
        {"id":11,"user":{"id":2,"name":"Bob"},"notes":"Fixed in build 4\r\nplease check","created_on":"2026-01-02T10:00:00Z",
         "details":[{"property":"attr","name":"status_id","old_value":"1","new_value":"3"}]},
        {"id":12,"user":{"id":2,"name":"Bob"},"notes":"","created_on":"2026-01-02T11:00:00Z",
         "details":[{"property":"attr","name":"status_id","old_value":"3","new_value":"5"}]},
        {"id":13,"user":{"id":1,"name":"Ann"},"notes":"still broken","created_on":"2026-01-03T10:00:00Z",
         "details":[{"property":"attr","name":"status_id","old_value":"5","new_value":"1"}]}]}"#;

    #[test]
    fn journals_become_comments_with_text_and_a_status_history() {
        let c = connector();
        let raw: Box<RawValue> = serde_json::from_str(ISSUE).unwrap();
        let issue: Issue = serde_json::from_str(ISSUE).unwrap();
        let r = c.to_record(issue, raw_without_journals(&raw).unwrap(), &statuses()).unwrap();
        assert_eq!(r.description, "line 1\nline 2");
        assert_eq!(r.comments.as_ref().unwrap().len(), 2, "the journal without notes is not a comment");
        assert_eq!(r.comments.as_ref().unwrap()[0].body, "Fixed in build 4\nplease check");
        let h = r.status_changes.unwrap();
        let path: Vec<_> = h.iter().map(|s| s.to_status.as_str()).collect();
        assert_eq!(path, ["New", "Resolved", "Closed", "New"]);
        assert_eq!(h[2].to_class, StatusClass::Closed);
        assert_eq!(r.status_class, StatusClass::Open);
        assert_eq!(r.resolved_at, None, "a reopened ticket is not resolved");
        assert!(!r.raw.unwrap().contains("journals"));
    }

    #[test]
    fn resolved_names_are_configurable_and_closed_follows_is_closed() {
        let mut c = connector();
        let resolved = Status { id: 3, name: "Resolved".into(), is_closed: false };
        let feedback = Status { id: 4, name: "Feedback".into(), is_closed: false };
        let closed = Status { id: 5, name: "Closed".into(), is_closed: true };
        assert_eq!(c.class_of(&resolved), StatusClass::Resolved);
        assert_eq!(c.class_of(&feedback), StatusClass::Open);
        assert_eq!(c.class_of(&closed), StatusClass::Closed);
        c.resolved = vec!["Feedback".into()];
        assert_eq!(c.class_of(&feedback), StatusClass::Resolved);
        assert_eq!(c.class_of(&resolved), StatusClass::Open);
    }

    #[test]
    fn resolved_at_is_when_the_ticket_left_the_open_statuses() {
        let c = connector();
        let text = ISSUE.replace(r#""status":{"id":1,"name":"New","is_closed":false}"#, r#""status":{"id":5,"name":"Closed","is_closed":true}"#);
        let text = text.replace(r#""old_value":"5","new_value":"1""#, r#""old_value":"5","new_value":"5""#);
        let issue: Issue = serde_json::from_str(&text).unwrap();
        let r = c.to_record(issue, "{}".into(), &statuses()).unwrap();
        assert_eq!(r.resolved_at, Some(time("2026-01-02T10:00:00Z", "t").unwrap()));
    }
}
