//! A small Jira Cloud client (REST v3) for the writes validation needs:
//! read an issue's status and attachments, read its comments, upload an
//! attachment, add a comment (ADF), list and perform transitions.
//!
//! Requests are sent once, never retried here (a retry goes back through
//! push's marker check); statuses become [`HttpFailure`] in the same place
//! as Redmine's ([`send_once`]). The secret (`email:api_token` → basic,
//! anything else → bearer) travels in a sensitive header.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::redmine::{bad_json, send_once, write_client, HttpFailure, HttpResult};
use crate::sync::jira::{adf, authorization, record, Jira};
use crate::Error;

/// Comments per page (Jira's cap).
const COMMENT_PAGE: usize = 100;

/// A Jira site, authenticated with a source's secret.
pub struct JiraWriter {
    http: reqwest::Client,
    base: String,
    auth: HeaderValue,
    /// The account id the secret belongs to, read once.
    me: tokio::sync::OnceCell<String>,
}

impl std::fmt::Debug for JiraWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraWriter").field("base", &self.base).finish()
    }
}

/// An issue as push needs it.
#[derive(Debug, Clone)]
pub struct JiraIssue {
    pub status: JiraStatus,
    pub updated: DateTime<Utc>,
    pub attachments: Vec<JiraAttachment>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JiraStatus {
    #[serde(default)]
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JiraAttachment {
    pub id: String,
    pub filename: String,
    #[serde(default)]
    pub size: i64,
}

/// A comment, its ADF body flattened to text.
#[derive(Debug, Clone)]
pub struct JiraComment {
    pub id: String,
    pub text: String,
    pub created: DateTime<Utc>,
    pub author: JiraUser,
}

/// A user as Jira names one in comments and the changelog.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraUser {
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub display_name: String,
}

/// One entry of an issue's changelog: who changed which fields when.
#[derive(Debug, Clone)]
pub struct JiraHistory {
    pub author: JiraUser,
    pub created: DateTime<Utc>,
    /// The changed fields' names (`status`, `assignee`, `Attachment`, ...).
    pub fields: Vec<String>,
}

/// A transition the issue offers now.
#[derive(Debug, Clone, Deserialize)]
pub struct JiraTransition {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub to: JiraStatus,
}

fn failure(error: Error) -> HttpFailure {
    HttpFailure { error, transient: false, retry_after: None, status: None }
}

impl JiraWriter {
    /// A client for the Jira site at `base` with the source's `secret`.
    pub fn new(base: &str, secret: &str, timeout: Duration) -> crate::Result<Self> {
        let http = write_client(timeout)?;
        let mut auth = HeaderValue::from_str(&authorization(secret))
            .map_err(|_| Error::invalid("the API token contains characters that cannot be sent in a header"))?;
        auth.set_sensitive(true);
        Ok(JiraWriter { http, base: base.trim_end_matches('/').to_string(), auth, me: tokio::sync::OnceCell::new() })
    }

    fn url(&self, remote_id: &str, rest: &str) -> HttpResult<String> {
        let path = Jira::issue_path(remote_id, rest).map_err(failure)?;
        Ok(format!("{}/{path}", self.base))
    }

    async fn send(&self, req: RequestBuilder, what: &str) -> HttpResult<Response> {
        let req = req.header(AUTHORIZATION, self.auth.clone()).header(ACCEPT, "application/json");
        send_once(req, &self.base, what).await
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder, url: &str, what: &str) -> HttpResult<T> {
        let resp = self.send(req, what).await?;
        resp.json().await.map_err(|e| bad_json(url, e))
    }

    /// The issue's status, last update and attachments.
    pub async fn issue(&self, id: &str) -> HttpResult<JiraIssue> {
        #[derive(Deserialize)]
        struct Fields {
            status: JiraStatus,
            updated: String,
            #[serde(default)]
            attachment: Vec<JiraAttachment>,
        }
        #[derive(Deserialize)]
        struct Wrap {
            fields: Fields,
        }
        let url = format!("{}?fields=status,updated,attachment", self.url(id, "")?);
        let w: Wrap = self.json(self.http.get(&url), &url, &format!("reading issue {id}")).await?;
        let updated = record::time(&w.fields.updated, "updated").map_err(failure)?;
        Ok(JiraIssue { status: w.fields.status, updated, attachments: w.fields.attachment })
    }

    /// Every comment of the issue, oldest first.
    pub async fn comments(&self, id: &str) -> HttpResult<Vec<JiraComment>> {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            #[serde(default)]
            body: Value,
            created: String,
            #[serde(default)]
            author: JiraUser,
        }
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            comments: Vec<Raw>,
            #[serde(default)]
            total: Option<usize>,
        }
        let mut out = Vec::new();
        loop {
            let url = format!(
                "{}?startAt={}&maxResults={COMMENT_PAGE}&orderBy=created",
                self.url(id, "/comment")?,
                out.len()
            );
            let page: Page = self.json(self.http.get(&url), &url, &format!("reading the comments of issue {id}")).await?;
            let n = page.comments.len();
            for c in page.comments {
                let created = record::time(&c.created, "created").map_err(failure)?;
                out.push(JiraComment { id: c.id, text: adf::to_text(&c.body), created, author: c.author });
            }
            if n == 0 || out.len() >= page.total.unwrap_or(0) {
                return Ok(out);
            }
        }
    }

    /// The account id of the secret's user (`GET /myself`), read once.
    pub async fn me(&self) -> HttpResult<&str> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Me {
            account_id: String,
        }
        let me = self
            .me
            .get_or_try_init(|| async {
                let url = format!("{}/rest/api/3/myself", self.base);
                let m: Me = self.json(self.http.get(&url), &url, "reading the account of the API token").await?;
                Ok::<_, HttpFailure>(m.account_id)
            })
            .await?;
        Ok(me.as_str())
    }

    /// The issue's whole changelog, oldest first (`GET /changelog`, pages of 100).
    pub async fn changelog(&self, id: &str) -> HttpResult<Vec<JiraHistory>> {
        #[derive(Deserialize)]
        struct Item {
            #[serde(default)]
            field: String,
        }
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            author: JiraUser,
            created: String,
            #[serde(default)]
            items: Vec<Item>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            values: Vec<Raw>,
            #[serde(default)]
            is_last: Option<bool>,
            #[serde(default)]
            total: Option<usize>,
        }
        let mut out = Vec::new();
        loop {
            let url = format!("{}?startAt={}&maxResults={COMMENT_PAGE}", self.url(id, "/changelog")?, out.len());
            let page: Page = self.json(self.http.get(&url), &url, &format!("reading the changelog of issue {id}")).await?;
            let n = page.values.len();
            for h in page.values {
                let created = record::time(&h.created, "created").map_err(failure)?;
                out.push(JiraHistory { author: h.author, created, fields: h.items.into_iter().map(|i| i.field).collect() });
            }
            let last = page.is_last.unwrap_or_else(|| out.len() >= page.total.unwrap_or(0));
            if n == 0 || last {
                return Ok(out);
            }
        }
    }

    /// Add a comment; returns its id.
    pub async fn add_comment(&self, id: &str, text: &str) -> HttpResult<String> {
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let url = self.url(id, "/comment")?;
        let body = json!({ "body": adf_doc(text) });
        let c: Created = self.json(self.http.post(&url).json(&body), &url, &format!("commenting on issue {id}")).await?;
        Ok(c.id)
    }

    /// Attach a file (multipart field `file`, with the XSRF opt-out header
    /// Jira requires).
    pub async fn upload(&self, id: &str, file_name: &str, media: &str, content: Vec<u8>) -> HttpResult<()> {
        let url = self.url(id, "/attachments")?;
        let media = HeaderValue::from_str(media).unwrap_or(HeaderValue::from_static("application/octet-stream"));
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::CONTENT_TYPE, media);
        let part = reqwest::multipart::Part::bytes(content).file_name(file_name.to_string()).headers(headers);
        let form = reqwest::multipart::Form::new().part("file", part);
        let req = self.http.post(&url).header("X-Atlassian-Token", "no-check").multipart(form);
        let _: Vec<JiraAttachment> = self.json(req, &url, &format!("attaching {file_name} to issue {id}")).await?;
        Ok(())
    }

    /// The transitions the issue offers this account now.
    pub async fn transitions(&self, id: &str) -> HttpResult<Vec<JiraTransition>> {
        #[derive(Deserialize)]
        struct Wrap {
            transitions: Vec<JiraTransition>,
        }
        let url = self.url(id, "/transitions")?;
        let w: Wrap = self.json(self.http.get(&url), &url, &format!("reading the transitions of issue {id}")).await?;
        Ok(w.transitions)
    }

    /// The issue's `field` (`customfield_<id>`) as text, "" when empty: a
    /// select option's value, a text, a list's values joined with ", ".
    pub async fn field_text(&self, id: &str, field: &str) -> HttpResult<String> {
        let url = format!("{}?fields={field}", self.url(id, "")?);
        let v: Value = self.json(self.http.get(&url), &url, &format!("reading {field} of issue {id}")).await?;
        Ok(value_text(&v["fields"][field]))
    }

    /// How `field` is set on this issue (its schema type: `option`,
    /// `string`, `array`, ...), from `GET /editmeta`; `None` when the field
    /// is not on the issue's edit screen (Jira would refuse to set it).
    pub async fn field_type(&self, id: &str, field: &str) -> HttpResult<Option<String>> {
        let url = self.url(id, "/editmeta")?;
        let v: Value = self.json(self.http.get(&url), &url, &format!("reading the editable fields of issue {id}")).await?;
        let meta = &v["fields"][field];
        Ok(meta.is_object().then(|| meta["schema"]["type"].as_str().unwrap_or("").to_string()))
    }

    /// `PUT /issue/{id}` with `{"fields": fields}`.
    pub async fn set_fields(&self, id: &str, fields: Value) -> HttpResult<()> {
        let url = self.url(id, "")?;
        let body = json!({ "fields": fields });
        self.send(self.http.put(&url).json(&body), &format!("updating issue {id}")).await?;
        Ok(())
    }

    /// Perform transition `transition_id`.
    pub async fn transition(&self, id: &str, transition_id: &str) -> HttpResult<()> {
        let url = self.url(id, "/transitions")?;
        let body = json!({ "transition": { "id": transition_id } });
        self.send(self.http.post(&url).json(&body), &format!("moving issue {id}")).await?;
        Ok(())
    }
}

/// A Jira field value as text: a string, an option's `value` (or a
/// user's/version's `name`), a list's joined with ", "; "" for none.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => o.get("value").or_else(|| o.get("name")).map(value_text).unwrap_or_default(),
        Value::Array(a) => a.iter().map(value_text).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

/// Plain text as an ADF document: blank lines separate paragraphs, single
/// line breaks become `hardBreak`s. Nothing is interpreted as markup.
pub fn adf_doc(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut content = Vec::new();
            for (i, line) in p.trim_matches('\n').split('\n').enumerate() {
                if i > 0 {
                    content.push(json!({"type": "hardBreak"}));
                }
                if !line.is_empty() {
                    content.push(json!({"type": "text", "text": line}));
                }
            }
            json!({"type": "paragraph", "content": content})
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_paragraphs_and_reads_back_the_same() {
        let text = "Validation PASSED (round 1)\n\nWorks now.\n\n* Outcome: passed\n* Steps: post\n\n[hypercare-validation:u-1]";
        let doc = adf_doc(text);
        assert_eq!(doc["content"].as_array().map(Vec::len), Some(4));
        assert_eq!(doc["content"][2]["content"][1], json!({"type": "hardBreak"}));
        let back = adf::to_text(&doc);
        assert!(back.contains("* Outcome: passed\n* Steps: post"), "{back}");
        assert!(back.trim_end().ends_with("[hypercare-validation:u-1]"), "{back}");
    }
}
