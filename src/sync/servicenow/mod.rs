//! The ServiceNow connector (REST Table API, JSON), read-only.
//!
//! **What a source syncs.** Its "project" is `TABLE` or `TABLE: ENCODED_QUERY`
//! ([`Target`]): `incident`, or `incident: assignment_group.name=Hypercare`
//! for the hypercare team's queue. The query narrows every listing and the
//! census, so a record that leaves the queue (reassigned to another group)
//! becomes a tombstone like a deleted one, and comes back if it returns.
//!
//! **Credentials.** One secret, as for every source: `user:password` is sent
//! as HTTP basic auth, anything else as an OAuth bearer token
//! (`Authorization: Bearer …`). It travels in a sensitive header and never
//! appears in a message or a log line.
//!
//! **Requests** (all `GET`, through [`HttpClient`]: retries, backoff,
//! `Retry-After` on 429/503):
//! - changed records: `/api/now/table/{table}?sysparm_query={filter}^sys_updated_on>=T
//!   ^ORDERBYsys_updated_on^ORDERBYsys_id&sysparm_fields=sys_id,sys_updated_on,sys_mod_count
//!   &sysparm_limit=100&sysparm_offset=O&sysparm_display_value=false`; the total from
//!   `X-Total-Count`. `sys_updated_on` is UTC to the second; the engine's
//!   (since, skip) cursor walks a second shared by many records by offset in
//!   the stable `sys_id` order, and re-lists the last second on the next run.
//! - the records a listing page changed, up to 100 in one request:
//!   `/api/now/table/{table}?sysparm_query=sys_idIN{id,id,…}&sysparm_display_value=all
//!   &sysparm_exclude_reference_link=true` (every field: values for times and
//!   ids, display values for names; the raw record keeps them all but the
//!   description and the journal fields). A record not returned (deleted,
//!   or no longer readable: the Table API leaves out rows an ACL hides) is
//!   gone for this workspace. Census revivals are read the same way; one
//!   record on its own (`fetch_ticket`) is `/api/now/table/{table}/{sys_id}`,
//!   403/404 meaning gone.
//! - their comments, in one query for the same records:
//!   `/api/now/table/sys_journal_field?sysparm_query=element_idIN{ids}
//!   ^name={table}^elementINcomments^ORDERBYsys_created_on^ORDERBYsys_id`,
//!   500 entries a page, grouped by `element_id`. So a page of 100 changed
//!   incidents costs two requests (plus journal pages), not two hundred.
//!   Only the customer-visible *additional comments* by default: work notes
//!   are internal, often long, and not what a business process owner
//!   validates; the source option `work_notes: true` adds them, marked
//!   "(work note)".
//! - census: `sysparm_query={filter}^ORDERBYsys_id&sysparm_fields=sys_id`,
//!   1,000 ids a page; ids gone from it become tombstones.
//! - connection test: one row of the table (`sysparm_limit=1`, `X-Total-Count`)
//!   and the table's label from `sys_db_object` (the table name when the
//!   user may not read it); HTTP 400 (ServiceNow's "Invalid table") is named.
//!
//! **Version** = `sys_mod_count@sys_updated_on`. **Status class** from the
//! state ([`record::StateRules`]): incident 6 Resolved → resolved, 7 Closed
//! and 8 Canceled → closed; any table: `active=false` → closed, a state label
//! in `resolved_statuses` → resolved. **Status history** from the record's
//! own `opened_at`, `resolved_at` and `closed_at` (not `sys_audit`, which
//! is large, slow and often closed to integration users): intermediate
//! moves are not known.
//!
//! Impact and urgency are read by triage from the raw record
//! (`triage::intake`), without any option. Validations are pushed by
//! `validation::push_servicenow`; categories are not pushed yet.

pub mod record;
pub mod target;

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use self::record::{JournalEntry, StateRules};
pub use self::target::Target;
use super::connector::{Census, ChangedPage, Connector, RemoteStub};
use super::http::{json_error, parse_json, HttpClient, RetryPolicy};
use super::plan::SLACK;
use super::ConnectionInfo;
use crate::model::TicketRecord;
use crate::{Error, Result};

/// Records per listing page.
pub const PAGE_SIZE: u64 = 100;
/// Ids per census page.
pub const CENSUS_PAGE: u64 = 1000;
/// Journal entries per page.
const JOURNAL_PAGE: u64 = 500;
/// Records read in one request by id (`sys_idIN…`): a listing page, and
/// 100 sys_ids keep the URL near 3.5 KB, well under an instance's limit.
const BATCH: usize = 100;

/// A ServiceNow table (optionally narrowed by a query), seen through the Table API.
pub struct ServiceNow {
    http: HttpClient,
    base: Url,
    target: Target,
    rules: StateRules,
    /// `comments`, or `comments,work_notes`.
    journal: &'static str,
}

/// A Table API reply: rows in `result`, or an `error`.
#[derive(Deserialize)]
struct Reply<T> {
    result: Option<T>,
    #[serde(default)]
    error: Option<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Deserialize)]
struct Stub {
    sys_id: String,
    sys_updated_on: String,
    #[serde(default)]
    sys_mod_count: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdOnly {
    sys_id: String,
}

/// The `Authorization` value for a secret: basic for `user:password`, else bearer.
pub fn authorization(secret: &str) -> String {
    if secret.contains(':') {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret))
    } else {
        format!("Bearer {secret}")
    }
}

/// Parse a Table API body: its `result`, or a clear error naming the URL.
fn parse_reply<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T> {
    let reply: Reply<T> = parse_json(url, body)?;
    match (reply.result, reply.error) {
        (Some(r), _) => Ok(r),
        (None, Some(e)) => Err(Error::BadResponse(format!(
            "{} answered with a ServiceNow error: {}{}",
            shown(url),
            e.message.unwrap_or_else(|| "(no message)".into()),
            e.detail.map(|d| format!(" ({d})")).unwrap_or_default()
        ))),
        (None, None) => Err(Error::BadResponse(format!(
            "{} answered JSON without `result`: not a ServiceNow Table API reply; check the instance URL",
            shown(url)
        ))),
    }
}

fn shown(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

fn total(headers: &HeaderMap) -> Option<u64> {
    headers.get("x-total-count")?.to_str().ok()?.trim().parse().ok()
}

/// A sys_id that can go into a URL path (32 hex digits on real instances).
fn checked_id(id: &str) -> Result<&str> {
    if !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Error::BadResponse(format!("ServiceNow listed a record whose sys_id {id:?} is not a sys_id")))
    }
}

impl ServiceNow {
    /// A connector for `project` ([`Target`]) on the instance at `url`.
    /// `resolved` are state labels that mean resolved; `work_notes` adds the
    /// internal work notes to the comments.
    pub fn new(url: &str, project: &str, secret: Option<&str>, resolved: Vec<String>, work_notes: bool, policy: RetryPolicy) -> Result<ServiceNow> {
        let mut base = Url::parse(url.trim().trim_end_matches('/'))
            .map_err(|e| Error::invalid(format!("the instance URL {url:?} is not valid: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let target = Target::parse(project)?;
        let auth = secret.map(authorization);
        let http = HttpClient::new(policy, "Authorization", auth.as_deref())?;
        let rules = StateRules { incident: target.table == "incident", resolved };
        let journal = if work_notes { "comments,work_notes" } else { "comments" };
        Ok(ServiceNow { http, base, target, rules, journal })
    }

    fn url(&self, table: &str, id: Option<&str>, query: &[(&str, &str)]) -> Result<String> {
        let path = match id {
            Some(id) => format!("api/now/table/{table}/{id}"),
            None => format!("api/now/table/{table}"),
        };
        let mut u = self.base.join(&path).map_err(|e| Error::Internal(format!("cannot build a URL for {path}: {e}")))?;
        u.query_pairs_mut().extend_pairs(query);
        Ok(u.to_string())
    }

    /// One page of `table` rows and the `X-Total-Count`.
    async fn rows<T: DeserializeOwned>(&self, url: &str) -> Result<(Vec<T>, Option<u64>)> {
        self.http
            .get_unless_with_headers(url, &[], |body, headers| Ok((parse_reply(url, body)?, total(headers))))
            .await?
            .ok_or_else(|| Error::Internal(format!("{} gave no answer", shown(url))))
    }

    /// The journal entries kept as comments of the records `ids`, oldest
    /// first, by record: one query for them all (`element_idIN…`), paged.
    async fn journals(&self, ids: &[&str]) -> Result<HashMap<String, Vec<JournalEntry>>> {
        let q = format!(
            "element_idIN{}^name={}^elementIN{}^ORDERBYsys_created_on^ORDERBYsys_id",
            ids.join(","),
            self.target.table,
            self.journal
        );
        let mut out: HashMap<String, Vec<JournalEntry>> = HashMap::new();
        let mut read = 0u64;
        loop {
            let (offset, limit) = (read.to_string(), JOURNAL_PAGE.to_string());
            let url = self.url(
                "sys_journal_field",
                None,
                &[
                    ("sysparm_query", q.as_str()),
                    ("sysparm_fields", "sys_id,element_id,element,value,sys_created_on,sys_created_by"),
                    ("sysparm_limit", limit.as_str()),
                    ("sysparm_offset", offset.as_str()),
                ],
            )?;
            let (page, _): (Vec<JournalEntry>, _) = self.rows(&url).await?;
            let n = page.len() as u64;
            read += n;
            for e in page {
                out.entry(e.element_id.clone()).or_default().push(e);
            }
            if n < JOURNAL_PAGE {
                return Ok(out);
            }
        }
    }

    /// Up to [`BATCH`] records by id, in one request (`sys_idIN…`), with
    /// their journals in another: a record the instance does not return
    /// (deleted, or no longer readable by this user) is `None`.
    async fn batch(&self, ids: &[String]) -> Result<Vec<(String, Option<TicketRecord>)>> {
        let checked = ids.iter().map(|id| checked_id(id)).collect::<Result<Vec<&str>>>()?;
        let (q, limit) = (format!("sys_idIN{}", checked.join(",")), checked.len().to_string());
        let url = self.url(
            &self.target.table,
            None,
            &[
                ("sysparm_query", q.as_str()),
                ("sysparm_display_value", "all"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_limit", limit.as_str()),
            ],
        )?;
        let (rows, journals) = tokio::join!(self.rows::<Map<String, Value>>(&url), self.journals(&checked));
        let (rows, mut journals) = (rows?.0, journals?);
        let mut found: HashMap<String, Map<String, Value>> = HashMap::with_capacity(rows.len());
        for rec in rows {
            let id = record::value(&rec, "sys_id")
                .ok_or_else(|| Error::BadResponse(format!("{} sent a record without sys_id", shown(&url))))?
                .to_string();
            found.insert(id, rec);
        }
        ids.iter()
            .map(|id| {
                let rec = match found.remove(id) {
                    Some(rec) => Some(record::to_record(rec, journals.remove(id).unwrap_or_default(), &self.target.table, &self.rules)?),
                    None => None,
                };
                Ok((id.clone(), rec))
            })
            .collect()
    }
}

#[async_trait]
impl Connector for ServiceNow {
    fn page_size(&self) -> u64 {
        PAGE_SIZE
    }

    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> Result<ChangedPage> {
        let after = since.map(|t| format!("sys_updated_on>={}", t.format("%Y-%m-%d %H:%M:%S")));
        let mut conditions: Vec<&str> = after.iter().map(String::as_str).collect();
        conditions.extend(["ORDERBYsys_updated_on", "ORDERBYsys_id"]);
        let (q, o, l) = (self.target.query(&conditions), offset.to_string(), PAGE_SIZE.to_string());
        let url = self.url(
            &self.target.table,
            None,
            &[
                ("sysparm_query", q.as_str()),
                ("sysparm_fields", "sys_id,sys_updated_on,sys_mod_count"),
                ("sysparm_limit", l.as_str()),
                ("sysparm_offset", o.as_str()),
                ("sysparm_display_value", "false"),
            ],
        )?;
        let (rows, total): (Vec<Stub>, _) = self.rows(&url).await?;
        let items = rows
            .into_iter()
            .map(|s| {
                Ok(RemoteStub {
                    updated_at: record::time(&s.sys_updated_on, "sys_updated_on")?,
                    version: record::version(s.sys_mod_count.as_deref(), &s.sys_updated_on),
                    remote_id: s.sys_id,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ChangedPage { items, total })
    }

    async fn fetch_ticket(&self, remote_id: &str) -> Result<Option<TicketRecord>> {
        let id = checked_id(remote_id)?;
        let url = self.url(
            &self.target.table,
            Some(id),
            &[("sysparm_display_value", "all"), ("sysparm_exclude_reference_link", "true")],
        )?;
        let rec = self
            .http
            .get_unless(&url, &[403, 404], |body| {
                let rec: Value = parse_reply(&url, body)?;
                match rec {
                    Value::Object(m) => Ok(m),
                    other => Err(json_error(&url, &serde::de::Error::custom(format!("`result` is {other}, not one record")))),
                }
            })
            .await?;
        let Some(rec): Option<Map<String, Value>> = rec else { return Ok(None) };
        let journal = self.journals(&[id]).await?.remove(id).unwrap_or_default();
        record::to_record(rec, journal, &self.target.table, &self.rules).map(Some)
    }

    /// A listing page's records in requests of [`BATCH`]: two requests per
    /// hundred records instead of two per record.
    async fn fetch_tickets(&self, ids: Vec<String>, concurrency: usize) -> Result<Vec<(String, Option<TicketRecord>)>> {
        use futures::{StreamExt, TryStreamExt};
        let chunks: Vec<Vec<String>> = ids.chunks(BATCH).map(<[String]>::to_vec).collect();
        let done: Vec<Vec<(String, Option<TicketRecord>)>> = futures::stream::iter(chunks)
            .map(|c| async move { self.batch(&c).await })
            .buffered(concurrency.max(1))
            .try_collect()
            .await?;
        Ok(done.into_iter().flatten().collect())
    }

    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Census> {
        let mut ids: HashSet<String> = HashSet::new();
        let q = self.target.query(&["ORDERBYsys_id"]);
        let mut offset = 0u64;
        loop {
            let (o, l) = (offset.to_string(), CENSUS_PAGE.to_string());
            let url = self.url(
                &self.target.table,
                None,
                &[
                    ("sysparm_query", q.as_str()),
                    ("sysparm_fields", "sys_id"),
                    ("sysparm_limit", l.as_str()),
                    ("sysparm_offset", o.as_str()),
                    ("sysparm_display_value", "false"),
                ],
            )?;
            let (page, _): (Vec<IdOnly>, _) = self.rows(&url).await?;
            let n = page.len() as u64;
            ids.extend(page.into_iter().map(|r| r.sys_id));
            progress(ids.len() as u64);
            if n < CENSUS_PAGE {
                break;
            }
            // Re-read a few ids per page: deletions meanwhile cannot hide one.
            offset += n - SLACK;
        }
        Ok(Census { ids: ids.into_iter().collect() })
    }

    async fn test_connection(&self) -> Result<ConnectionInfo> {
        let q = self.target.query(&[]);
        let url = self.url(
            &self.target.table,
            None,
            &[("sysparm_query", q.as_str()), ("sysparm_fields", "sys_id"), ("sysparm_limit", "1")],
        )?;
        // ServiceNow answers an unknown table (and a query it cannot read) with HTTP 400.
        let first = self
            .http
            .get_unless_with_headers(&url, &[400], |body, headers| {
                let _: Vec<IdOnly> = parse_reply(&url, body)?;
                Ok(total(headers))
            })
            .await?;
        let Some(count) = first else {
            return Err(Error::invalid_field(
                "project",
                format!(
                    "the instance refused the table {:?} (HTTP 400: no such table, or an encoded query it cannot read); \
                     check the table name, e.g. incident, and the query",
                    self.target.table
                ),
            ));
        };
        let label_url = self.url(
            "sys_db_object",
            None,
            &[
                ("sysparm_query", format!("name={}", self.target.table).as_str()),
                ("sysparm_fields", "name,label"),
                ("sysparm_limit", "1"),
            ],
        )?;
        // The label is a courtesy: a user who may not read sys_db_object sees the table name.
        let label = self
            .http
            .get_unless(&label_url, &[403, 404], |body| parse_reply::<Vec<Map<String, Value>>>(&label_url, body))
            .await?
            .and_then(|rows| rows.into_iter().next())
            .and_then(|r| record::value(&r, "label").map(str::to_string))
            .unwrap_or_else(|| self.target.table.clone());
        Ok(ConnectionInfo { project_name: self.target.describe(&label), ticket_count: count })
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

    #[test]
    fn user_and_password_are_basic_auth_anything_else_a_bearer_token() {
        assert_eq!(authorization("admin:s3cr:et"), format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("admin:s3cr:et")));
        assert_eq!(authorization("abc.DEF-123"), "Bearer abc.DEF-123");
    }

    #[test]
    fn replies_without_result_are_named() {
        let e = parse_reply::<Vec<IdOnly>>("http://i/api/now/table/incident?x=1", br#"{"records": []}"#).unwrap_err();
        assert!(e.to_string().contains("without `result`") && e.to_string().contains("http://i/api/now/table/incident"), "{e}");
        assert!(!e.to_string().contains("x=1"));
        let e = parse_reply::<Vec<IdOnly>>("http://i/t", br#"{"error":{"message":"Invalid table nope","detail":null},"status":"failure"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("ServiceNow error: Invalid table nope"), "{e}");
        assert!(checked_id("../sys_user").is_err());
    }
}
