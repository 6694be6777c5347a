//! The Jira Cloud connector (REST v3, JSON), read-only.
//!
//! - **Auth**: the one secret string of a source. `email:api_token` (it
//!   contains a colon) is sent as HTTP basic auth, anything else as a bearer
//!   token (OAuth). It travels in a sensitive header and is never logged.
//! - **Changed tickets**: `GET /rest/api/3/search/jql?jql=project = "KEY" AND
//!   updated >= "yyyy-MM-dd HH:mm" ORDER BY updated ASC, key ASC&fields=updated
//!   &maxResults=100[&nextPageToken=…]` (the old `/rest/api/3/search` answers
//!   410). The date is the cursor minus [`jql::LAG`], in the searching user's
//!   time zone (`/rest/api/3/myself`), floored to the minute: minute
//!   precision and an eventually consistent index mean overlap, never a skip.
//!   Token paging is fitted to the engine's offset paging in [`jql`]; a page
//!   is filled up to [`PAGE_SIZE`] by following tokens (Jira may send fewer
//!   than asked), so a short page always means the end.
//! - **Version**: the issue id is the remote id (a key changes when an issue
//!   moves), `updated` (milliseconds) the version.
//! - **Details**: `GET /rest/api/3/issue/{id}?fields=…,comment&expand=changelog`,
//!   one request for most issues; comments beyond the first page from
//!   `/issue/{id}/comment` (startAt, 100 a page), a longer changelog from
//!   `/issue/{id}/changelog`. Descriptions and comments are ADF, flattened to
//!   plain text by [`adf`]. Status history comes from the changelog's
//!   `status` items, classified with `/rest/api/3/status` (fetched once per
//!   sync, only when an issue has status changes). Status class: a name in
//!   `resolved_statuses` is resolved, category `done` closed, else open.
//!   Custom fields named in the source's options (`impact_custom_field_id`,
//!   `urgency_custom_field_id`, `csat_custom_field_id`) are added to
//!   `fields` as `customfield_N`, and only those: they reach the raw record
//!   as `custom_fields` ([`record::raw_record`]).
//! - **Field names**: `GET /rest/api/3/field` (id → name of every custom
//!   field) on a first sync, with each census and while none are stored,
//!   for the field chooser and the triage signals.
//! - **Census**: the same search with `fields=id`, 1000 a page, tokens followed.
//! - **Connection test**: `/rest/api/3/myself` (the URL answers as Jira and
//!   the credentials are accepted), then `/rest/api/3/project/{key}`.
//!
//! Validations are pushed by [`crate::validation::push_jira`], confirmed
//! categories (to a custom field) by `validation::push_category_vendor`.

pub mod adf;
pub mod jql;
pub mod record;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::OnceCell;

use self::jql::{Continuation, Resume};
use self::record::{Changelog, Comment, CommentPage, History, Issue, StatusTable};
use super::connector::{Census, ChangedPage, Connector, FieldName, RemoteStub};
use super::http::{json_error, parse_json, HttpClient, RetryPolicy};
use super::plan::{next_cursor, Cursor};
use super::ConnectionInfo;
use crate::model::TicketRecord;
use crate::{Error, Result};

/// Issues per listing page (what the engine pages by).
pub const PAGE_SIZE: u64 = 100;
/// Ids per census page (Jira sends up to 5000 when only ids are asked for).
pub const CENSUS_PAGE: u64 = 1000;
/// Comments and changelog entries per page (Jira's cap).
const DETAIL_PAGE: u64 = 100;

/// A Jira Cloud project, seen through REST v3.
pub struct Jira {
    http: HttpClient,
    base: Url,
    project: String,
    resolved: Vec<String>,
    zone: OnceCell<Option<Tz>>,
    statuses: OnceCell<StatusTable>,
    resume: Continuation,
    /// Whether this connector (one sync run) listed before.
    listed: AtomicBool,
    /// The custom fields asked for with each issue (`customfield_N`).
    custom_fields: Vec<i64>,
}

#[derive(Deserialize)]
struct SearchPage<T> {
    issues: Vec<T>,
    #[serde(default, rename = "nextPageToken")]
    next_page_token: Option<String>,
    #[serde(default, rename = "isLast")]
    is_last: Option<bool>,
}

impl<T> SearchPage<T> {
    /// The token of the next page, `None` on the last one.
    fn next(self) -> (Vec<T>, Option<String>) {
        let token = if self.is_last == Some(true) { None } else { self.next_page_token.filter(|t| !t.is_empty()) };
        (self.issues, token)
    }
}

#[derive(Deserialize)]
struct Stub {
    id: String,
    fields: StubFields,
}

#[derive(Deserialize)]
struct StubFields {
    updated: String,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct Myself {
    #[serde(default, rename = "accountId")]
    account_id: Option<String>,
    #[serde(default, rename = "timeZone")]
    time_zone: Option<String>,
}

/// The `Authorization` value for a source's secret.
pub(crate) fn authorization(secret: &str) -> String {
    if secret.contains(':') {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret.as_bytes()))
    } else {
        format!("Bearer {secret}")
    }
}

impl Jira {
    /// A connector for project `project` (its key) on the Jira site at `url`.
    /// `resolved` are the status names that mean "resolved" (not closed).
    pub fn new(url: &str, project: &str, token: Option<&str>, resolved: Vec<String>, policy: RetryPolicy) -> Result<Jira> {
        let mut base = Url::parse(url.trim_end_matches('/'))
            .map_err(|e| Error::invalid(format!("the server URL {url:?} is not valid: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        jql::project_literal(project)?;
        let auth = token.map(authorization);
        let http = HttpClient::new(policy, "Authorization", auth.as_deref())?;
        Ok(Jira {
            http,
            base,
            project: project.trim().to_string(),
            resolved,
            zone: OnceCell::new(),
            statuses: OnceCell::new(),
            resume: Continuation::default(),
            listed: AtomicBool::new(false),
            custom_fields: Vec::new(),
        })
    }

    /// Also fetch these custom fields with each issue (the ones a source's
    /// options name: [`super::options::SyncOptions::custom_fields`]); they
    /// reach the raw record as `custom_fields` ([`record::raw_record`]).
    pub fn with_custom_fields(mut self, ids: &[i64]) -> Jira {
        self.custom_fields = ids.iter().copied().filter(|id| *id > 0).collect();
        self
    }

    /// The `fields` of an issue request: ours, the named custom fields, `comment`.
    fn detail_fields(&self) -> String {
        let mut f = record::FIELDS.to_string();
        for id in &self.custom_fields {
            f.push_str(&format!(",customfield_{id}"));
        }
        f.push_str(",comment");
        f
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<String> {
        let mut u = self.base.join(path).map_err(|e| Error::Internal(format!("cannot build a URL for {path}: {e}")))?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        Ok(u.to_string())
    }

    /// `/myself`, checked to be Jira's answer (it names an account).
    async fn myself(&self) -> Result<Myself> {
        let url = self.url("rest/api/3/myself", &[])?;
        let me: Myself = self.http.get_json(&url).await?;
        if me.account_id.is_none() {
            return Err(Error::BadResponse(format!(
                "{} answered without an accountId: this does not look like Jira Cloud; check the URL (https://YOUR-SITE.atlassian.net)",
                url
            )));
        }
        Ok(me)
    }

    /// The searching user's time zone (JQL dates are read in it); `None`
    /// when Jira does not say or names a zone this build does not know.
    async fn zone(&self) -> Result<Option<Tz>> {
        self.zone
            .get_or_try_init(|| async {
                let me = self.myself().await?;
                let zone = me.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok());
                if zone.is_none() {
                    tracing::warn!(zone = ?me.time_zone, "Jira did not name a known time zone; querying 12 hours wider");
                }
                Ok(zone)
            })
            .await
            .copied()
    }

    async fn statuses(&self) -> Result<&StatusTable> {
        self.statuses
            .get_or_try_init(|| async {
                let list: Vec<record::Status> = self.http.get_json(&self.url("rest/api/3/status", &[])?).await?;
                Ok(list
                    .into_iter()
                    .filter_map(|s| {
                        let class = record::class_of(&s.name, s.category.as_ref().map(|c| c.key.as_str()), &self.resolved);
                        Some((s.id?, (s.name, class)))
                    })
                    .collect())
            })
            .await
    }

    /// One search page.
    async fn search<T: serde::de::DeserializeOwned>(
        &self,
        jql: &str,
        fields: &str,
        max: u64,
        token: Option<&str>,
    ) -> Result<(Vec<T>, Option<String>)> {
        let max = max.to_string();
        let mut q = vec![("jql", jql), ("fields", fields), ("maxResults", max.as_str())];
        if let Some(t) = token {
            q.push(("nextPageToken", t));
        }
        let page: SearchPage<T> = self.http.get_json(&self.url("rest/api/3/search/jql", &q)?).await?;
        Ok(page.next())
    }

    /// An issue path segment: ids come from Jira's own listings, but are
    /// checked so that nothing else ends up in a URL path.
    pub(crate) fn issue_path(remote_id: &str, rest: &str) -> Result<String> {
        if remote_id.is_empty() || !remote_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Error::BadResponse(format!("Jira listed an issue id {remote_id:?}, which is not an id")));
        }
        Ok(format!("rest/api/3/issue/{remote_id}{rest}"))
    }

    /// Every comment, when the issue's first page did not hold them all.
    async fn all_comments(&self, remote_id: &str, first: CommentPage) -> Result<Vec<Comment>> {
        let mut all = first.comments;
        let total = first.total.unwrap_or(0);
        while (all.len() as u64) < total {
            let start = all.len().to_string();
            let max = DETAIL_PAGE.to_string();
            let q = [("startAt", start.as_str()), ("maxResults", max.as_str()), ("orderBy", "created")];
            let page: CommentPage = self.http.get_json(&self.url(&Self::issue_path(remote_id, "/comment")?, &q)?).await?;
            if page.comments.is_empty() {
                break;
            }
            all.extend(page.comments);
        }
        Ok(all)
    }

    /// The whole changelog, when the issue's expansion held only part of it.
    async fn all_histories(&self, remote_id: &str, first: Option<Changelog>) -> Result<Vec<History>> {
        let first = first.unwrap_or_default();
        let total = first.total.unwrap_or(0);
        if (first.histories.len() as u64) >= total {
            return Ok(first.histories);
        }
        let mut all = Vec::new();
        loop {
            let start = all.len().to_string();
            let max = DETAIL_PAGE.to_string();
            let q = [("startAt", start.as_str()), ("maxResults", max.as_str())];
            let page: Changelog = self.http.get_json(&self.url(&Self::issue_path(remote_id, "/changelog")?, &q)?).await?;
            let (n, last) = (page.histories.len(), page.is_last);
            all.extend(page.histories);
            if n == 0 || last == Some(true) || (all.len() as u64) >= page.total.unwrap_or(total) {
                return Ok(all);
            }
        }
    }
}

#[async_trait]
impl Connector for Jira {
    fn page_size(&self) -> u64 {
        PAGE_SIZE
    }

    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> Result<ChangedPage> {
        let asked = Cursor { since, skip: offset };
        let resumed = self.resume.take(&asked);
        // A run's first listing re-lists the whole lag window (overlap, never
        // a skip). A later request without a kept token (not expected: the
        // engine asks for the predicted cursor) still makes progress: it
        // drops what the engine's `(since, offset)` says was applied.
        let first = !self.listed.swap(true, Ordering::Relaxed);
        let mut drop = match (&resumed, first) {
            (None, false) => Some((since, offset)),
            _ => None,
        };
        let (jql, mut token) = match resumed {
            Some(Resume::End) => return Ok(ChangedPage::default()),
            Some(Resume::Token { jql, token }) => (jql, Some(token)),
            None => {
                let zone = match since {
                    Some(_) => self.zone().await?,
                    None => None,
                };
                (jql::changed(&self.project, since, zone)?, None)
            }
        };
        let mut items = Vec::new();
        loop {
            let want = PAGE_SIZE - items.len() as u64;
            let (stubs, next): (Vec<Stub>, _) = self.search(&jql, "updated", want, token.as_deref()).await?;
            if stubs.is_empty() && next.is_some() {
                return Err(Error::BadResponse(
                    "Jira's search answered an empty page that claims more pages follow; try the sync again".into(),
                ));
            }
            for s in stubs {
                let updated_at = record::time(&s.fields.updated, "updated")?;
                if let Some((since, left)) = drop.as_mut() {
                    if since.is_some_and(|t| updated_at < t) {
                        continue;
                    }
                    if *left > 0 {
                        *left -= 1;
                        continue;
                    }
                    drop = None;
                }
                items.push(RemoteStub { remote_id: s.id, version: s.fields.updated, updated_at });
            }
            token = next;
            if token.is_none() || items.len() as u64 >= PAGE_SIZE {
                break;
            }
        }
        let page = ChangedPage { items, total: None };
        let done = (page.items.len() as u64) < PAGE_SIZE;
        if !done {
            let resume = match token {
                Some(token) => Resume::Token { jql, token },
                None => Resume::End,
            };
            self.resume.keep(next_cursor(&asked, &page, done), resume);
        }
        Ok(page)
    }

    async fn fetch_ticket(&self, remote_id: &str) -> Result<Option<TicketRecord>> {
        let fields = self.detail_fields();
        let url = self.url(&Self::issue_path(remote_id, "")?, &[("fields", fields.as_str()), ("expand", "changelog")])?;
        // 404: deleted meanwhile, or no longer visible to this user (Jira
        // does not tell the two apart); 403 likewise. Either way it is gone
        // for this workspace and must not stop the others.
        let parsed = self
            .http
            .get_unless(&url, &[403, 404], |body| {
                let raw: Box<RawValue> = parse_json(&url, body)?;
                let issue: Issue = serde_json::from_str(raw.get()).map_err(|e| json_error(&url, &e))?;
                Ok((issue, record::raw_record(&raw)?))
            })
            .await?;
        let Some((mut issue, raw)) = parsed else { return Ok(None) };
        let first = issue.fields.comment.take().unwrap_or_default();
        let comments = self.all_comments(remote_id, first).await?;
        let histories = self.all_histories(remote_id, issue.changelog.take()).await?;
        let empty = StatusTable::new();
        let statuses = if histories.is_empty() { &empty } else { self.statuses().await? };
        record::to_record(issue, raw, comments, histories, statuses, &self.resolved).map(Some)
    }

    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Census> {
        let jql = jql::census(&self.project)?;
        let mut ids: HashSet<String> = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let (page, next): (Vec<IdOnly>, _) = self.search(&jql, "id", CENSUS_PAGE, token.as_deref()).await?;
            if page.is_empty() && next.is_some() {
                return Err(Error::BadResponse("Jira's search answered an empty page that claims more pages follow".into()));
            }
            ids.extend(page.into_iter().map(|i| i.id));
            progress(ids.len() as u64);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(Census { ids: ids.into_iter().collect() })
    }

    async fn test_connection(&self) -> Result<ConnectionInfo> {
        #[derive(Deserialize)]
        struct Project {
            #[serde(default)]
            name: Option<String>,
        }
        let me = self.myself().await?;
        let _ = self.zone.set(me.time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok()));
        let url = self.url(&format!("rest/api/3/project/{}", self.project), &[])?;
        let p: Project = match self.http.get_json(&url).await {
            Err(Error::NotFound(_)) => {
                return Err(Error::not_found(format!(
                    "Jira has no project {:?} (or the token's user cannot see it); check the project key",
                    self.project
                )))
            }
            other => other?,
        };
        Ok(ConnectionInfo { project_name: p.name.unwrap_or_else(|| self.project.clone()), ticket_count: None })
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.http.server_time()
    }

    /// `/rest/api/3/field`: every field, the custom ones kept by number.
    async fn field_names(&self) -> Result<Option<Vec<FieldName>>> {
        #[derive(Deserialize)]
        struct Field {
            id: String,
            #[serde(default)]
            name: Option<String>,
        }
        let list: Vec<Field> = self.http.get_json(&self.url("rest/api/3/field", &[])?).await?;
        Ok(Some(
            list.into_iter()
                .filter_map(|f| {
                    let id = f.id.strip_prefix("customfield_")?.parse().ok()?;
                    Some(FieldName { id, name: f.name? })
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_and_token_is_basic_auth_anything_else_a_bearer_token() {
        assert_eq!(authorization("ann@example.com:tok3n"), "Basic YW5uQGV4YW1wbGUuY29tOnRvazNu");
        assert_eq!(authorization("oauth-access-token"), "Bearer oauth-access-token");
    }

    #[test]
    fn a_bad_project_key_or_url_is_refused_before_any_request() {
        let p = RetryPolicy::default;
        assert!(Jira::new("https://x.atlassian.net", "ERP", None, vec![], p()).is_ok());
        assert!(Jira::new("https://x.atlassian.net", "ERP/../x", None, vec![], p()).is_err());
        assert!(Jira::new("not a url", "ERP", None, vec![], p()).is_err());
    }

    #[test]
    fn odd_issue_ids_never_reach_a_url_path() {
        assert_eq!(Jira::issue_path("10042", "/comment").unwrap(), "rest/api/3/issue/10042/comment");
        assert!(Jira::issue_path("../../myself", "").is_err());
    }
}
