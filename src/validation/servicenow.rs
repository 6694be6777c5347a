//! A small ServiceNow client (Table and Attachment APIs) for the writes
//! validation needs: read a record's state, read its additional comments
//! (`sys_journal_field`), list and upload attachments, and write a comment
//! and the state in one `PATCH`.
//!
//! Requests are sent once, never retried here (a retry goes back through
//! push's marker check); statuses become [`HttpFailure`] in
//! [`send_once`], as for Redmine and Jira. The secret (`user:password` →
//! basic, anything else → bearer, as the sync connector) travels in a
//! sensitive header.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::redmine::{bad_json, send_once, write_client, HttpFailure, HttpResult};
use crate::sync::servicenow::{authorization, record, Target};
use crate::Error;

/// Journal entries per page.
const JOURNAL_PAGE: usize = 500;

/// A ServiceNow table, authenticated with a source's secret.
pub struct SnWriter {
    http: reqwest::Client,
    base: String,
    table: String,
    auth: HeaderValue,
    /// The user name of a `user:password` secret (a bearer token names no one).
    user: Option<String>,
}

impl std::fmt::Debug for SnWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnWriter").field("base", &self.base).field("table", &self.table).finish()
    }
}

/// A record as push needs it: its state (value and label) and last update.
#[derive(Debug, Clone)]
pub struct SnRecord {
    pub state_value: String,
    pub state_label: String,
    pub updated: DateTime<Utc>,
    /// Who updated it last (`sys_updated_by`, a user name).
    pub updated_by: String,
}

/// One additional comment of a record.
#[derive(Debug, Clone)]
pub struct SnComment {
    pub sys_id: String,
    pub text: String,
    pub created: DateTime<Utc>,
    /// Who wrote it (`sys_created_by`, a user name).
    pub by: String,
}

/// One attachment of a record.
#[derive(Debug, Clone)]
pub struct SnAttachment {
    pub sys_id: String,
    pub file_name: String,
    pub size: i64,
}

#[derive(Deserialize)]
struct Reply<T> {
    result: T,
}

pub(super) fn failure(error: Error) -> HttpFailure {
    HttpFailure { error, transient: false, retry_after: None, status: None }
}

/// A field as a string, whether ServiceNow sent `"12"`, `12` or
/// `{"value": "12", "display_value": …}`.
fn text(v: Option<&Value>, key: &str) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Object(o)) => text(o.get(key), key),
        _ => String::new(),
    }
}

/// `url` with the query parameters, each encoded.
fn with_query(url: &str, q: &[(&str, &str)]) -> HttpResult<reqwest::Url> {
    reqwest::Url::parse_with_params(url, q).map_err(|e| failure(Error::invalid(format!("{url:?} is not a valid URL: {e}"))))
}

impl SnWriter {
    /// A client for the instance at `base`, writing to the table of the
    /// source's `project` (`TABLE[: QUERY]`), with the source's `secret`.
    pub fn new(base: &str, project: &str, secret: &str, timeout: Duration) -> crate::Result<Self> {
        let table = Target::parse(project)?.table;
        let http = write_client(timeout)?;
        let mut auth = HeaderValue::from_str(&authorization(secret))
            .map_err(|_| Error::invalid("the secret contains characters that cannot be sent in a header"))?;
        auth.set_sensitive(true);
        let user = secret.split_once(':').map(|(u, _)| u.to_string());
        Ok(SnWriter { http, base: base.trim_end_matches('/').to_string(), table, auth, user })
    }

    /// The user name the secret writes as (`sys_updated_by` of our own
    /// writes), when the secret is `user:password`.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// A sys_id checked before it goes into a path or a query.
    fn checked(sys_id: &str) -> HttpResult<&str> {
        if !sys_id.is_empty() && sys_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(sys_id)
        } else {
            Err(failure(Error::invalid(format!("{sys_id:?} is not a ServiceNow sys_id"))))
        }
    }

    async fn send(&self, req: RequestBuilder, what: &str) -> HttpResult<Response> {
        let req = req.header(AUTHORIZATION, self.auth.clone()).header(ACCEPT, "application/json");
        send_once(req, &self.base, what).await
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder, url: &str, what: &str) -> HttpResult<T> {
        let resp = self.send(req, what).await?;
        let r: Reply<T> = resp.json().await.map_err(|e| bad_json(url, e))?;
        Ok(r.result)
    }

    fn record_url(&self, sys_id: &str) -> HttpResult<String> {
        Ok(format!("{}/api/now/table/{}/{}", self.base, self.table, Self::checked(sys_id)?))
    }

    /// The record's state (value and label) and last update.
    pub async fn record(&self, sys_id: &str) -> HttpResult<SnRecord> {
        let url = self.record_url(sys_id)?;
        let q = [("sysparm_display_value", "all"), ("sysparm_fields", "sys_id,state,sys_updated_on,sys_updated_by")];
        let what = format!("reading {} {sys_id}", self.table);
        let rec: Map<String, Value> = self.json(self.http.get(with_query(&url, &q)?), &url, &what).await?;
        let updated = record::time(&text(rec.get("sys_updated_on"), "value"), "sys_updated_on").map_err(failure)?;
        Ok(SnRecord {
            state_value: text(rec.get("state"), "value"),
            state_label: text(rec.get("state"), "display_value"),
            updated,
            updated_by: text(rec.get("sys_updated_by"), "value"),
        })
    }

    /// The record's field `name` as text: its display value, else its
    /// value; "" when empty (or when the table has no such field, which
    /// ServiceNow leaves out of the answer).
    pub async fn field_text(&self, sys_id: &str, name: &str) -> HttpResult<String> {
        let url = self.record_url(sys_id)?;
        let q = [("sysparm_display_value", "all"), ("sysparm_fields", name)];
        let what = format!("reading {name} of {} {sys_id}", self.table);
        let rec: Map<String, Value> = self.json(self.http.get(with_query(&url, &q)?), &url, &what).await?;
        Ok(crate::triage::category_push::record_text(rec.get(name)))
    }

    /// Every additional comment of the record, oldest first.
    pub async fn comments(&self, sys_id: &str) -> HttpResult<Vec<SnComment>> {
        let id = Self::checked(sys_id)?;
        let url = format!("{}/api/now/table/sys_journal_field", self.base);
        let query = format!("element_id={id}^name={}^element=comments^ORDERBYsys_created_on^ORDERBYsys_id", self.table);
        let mut out = Vec::new();
        loop {
            let offset = out.len().to_string();
            let limit = JOURNAL_PAGE.to_string();
            let q = [
                ("sysparm_query", query.as_str()),
                ("sysparm_fields", "sys_id,value,sys_created_on,sys_created_by"),
                ("sysparm_limit", limit.as_str()),
                ("sysparm_offset", offset.as_str()),
            ];
            let what = format!("reading the comments of {} {id}", self.table);
            let page: Vec<Map<String, Value>> = self.json(self.http.get(with_query(&url, &q)?), &url, &what).await?;
            let n = page.len();
            for e in page {
                let created = record::time(&text(e.get("sys_created_on"), "value"), "sys_created_on").map_err(failure)?;
                out.push(SnComment {
                    sys_id: text(e.get("sys_id"), "value"),
                    text: text(e.get("value"), "value"),
                    created,
                    by: text(e.get("sys_created_by"), "value"),
                });
            }
            if n < JOURNAL_PAGE {
                return Ok(out);
            }
        }
    }

    /// The record's attachments.
    pub async fn attachments(&self, sys_id: &str) -> HttpResult<Vec<SnAttachment>> {
        let id = Self::checked(sys_id)?;
        let url = format!("{}/api/now/attachment", self.base);
        let query = format!("table_name={}^table_sys_id={id}", self.table);
        let q = [("sysparm_query", query.as_str()), ("sysparm_fields", "sys_id,file_name,size_bytes")];
        let what = format!("listing the attachments of {} {id}", self.table);
        let list: Vec<Map<String, Value>> = self.json(self.http.get(with_query(&url, &q)?), &url, &what).await?;
        list.into_iter()
            .map(|a| {
                let size = text(a.get("size_bytes"), "value");
                let size = size.parse().map_err(|_| {
                    failure(Error::BadResponse(format!("ServiceNow sent an attachment size {size:?}, which is not a number")))
                })?;
                Ok(SnAttachment { sys_id: text(a.get("sys_id"), "value"), file_name: text(a.get("file_name"), "value"), size })
            })
            .collect()
    }

    /// Attach a file (binary body, its media type as `Content-Type`).
    pub async fn upload(&self, sys_id: &str, file_name: &str, media: &str, content: Vec<u8>) -> HttpResult<()> {
        let id = Self::checked(sys_id)?;
        let url = format!("{}/api/now/attachment/file", self.base);
        let q = [("table_name", self.table.as_str()), ("table_sys_id", id), ("file_name", file_name)];
        let media = HeaderValue::from_str(media).unwrap_or(HeaderValue::from_static("application/octet-stream"));
        let req = self.http.post(with_query(&url, &q)?).header(CONTENT_TYPE, media).body(content);
        let _: Value = self.json(req, &url, &format!("attaching {file_name} to {} {id}", self.table)).await?;
        Ok(())
    }

    /// Write `fields` (`comments`, `state`) in one `PATCH`. With `labels`,
    /// values are display values (a state given by its label).
    pub async fn update(&self, sys_id: &str, fields: &Map<String, Value>, labels: bool) -> HttpResult<()> {
        let url = self.record_url(sys_id)?;
        let q = [("sysparm_input_display_value", if labels { "true" } else { "false" }), ("sysparm_fields", "sys_id")];
        let req = self.http.patch(with_query(&url, &q)?).json(fields);
        let _: Value = self.json(req, &url, &format!("updating {} {sys_id}", self.table)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_read_as_text_in_every_shape_and_bad_ids_are_refused() {
        let rec = json!({"state": {"value": "6", "display_value": "Resolved"}, "size_bytes": 42, "n": "7"});
        assert_eq!(text(rec.get("state"), "value"), "6");
        assert_eq!(text(rec.get("state"), "display_value"), "Resolved");
        assert_eq!(text(rec.get("size_bytes"), "value"), "42");
        assert_eq!(text(rec.get("n"), "display_value"), "7");
        assert_eq!(text(rec.get("missing"), "value"), "");
        assert!(SnWriter::checked("46d44a5fdb3a1300f8cb1d1ad3961995").is_ok());
        assert!(SnWriter::checked("../sys_user").is_err());
        assert!(SnWriter::checked("").is_err());
    }
}
