//! A small Zendesk Support client (REST API v2) for the writes validation
//! needs: read a ticket's status, read its comments (with their
//! attachments), upload a file (`POST /api/v2/uploads.json?filename=…`,
//! the raw bytes as body → a token), read its audits (who changed what,
//! for the conflict check) and the token's own user, and update a ticket
//! (`PUT /api/v2/tickets/{id}.json`: comment, uploads and status in one
//! request).
//!
//! Requests are sent once, never retried here (a retry goes back through
//! push's marker check); statuses become [`HttpFailure`] in the same place
//! as Redmine's and Jira's ([`send_once`]). The secret is the connector's
//! (`EMAIL/token:API_TOKEN` → basic, anything else → bearer), sent in a
//! sensitive header.

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{RequestBuilder, Response, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::redmine::{bad_json, send_once, write_client, HttpFailure, HttpResult};
use crate::sync::zendesk_map::authorization;
use crate::Error;

/// A Zendesk account, authenticated with a source's secret.
pub struct ZendeskWriter {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    /// The id of the secret's user, read once.
    me: tokio::sync::OnceCell<i64>,
}

impl std::fmt::Debug for ZendeskWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZendeskWriter").field("base", &self.base.as_str()).finish()
    }
}

/// A ticket as push needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct ZdTicket {
    pub id: i64,
    /// `new`, `open`, `pending`, `hold`, `solved` or `closed`.
    pub status: String,
    pub updated_at: String,
    /// The custom ticket fields' values (drop-downs as tags).
    #[serde(default)]
    pub custom_fields: Vec<ZdField>,
}

/// One custom ticket field's value.
#[derive(Debug, Clone, Deserialize)]
pub struct ZdField {
    pub id: i64,
    #[serde(default)]
    pub value: Value,
}

/// A comment (public reply or internal note) with its attachments.
#[derive(Debug, Clone, Deserialize)]
pub struct ZdComment {
    pub id: i64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub plain_body: Option<String>,
    #[serde(default)]
    pub public: bool,
    pub created_at: String,
    #[serde(default)]
    pub attachments: Vec<ZdAttachment>,
}

impl ZdComment {
    /// Does the comment's text hold `needle` (plain or formatted body)?
    pub fn holds(&self, needle: &str) -> bool {
        [&self.plain_body, &self.body].iter().any(|b| b.as_deref().is_some_and(|t| t.contains(needle)))
    }
}

/// A ticket's audits are read as the sync reads them.
pub use crate::sync::zendesk_audits::{Audit as ZdAudit, Event as ZdEvent};

#[derive(Debug, Clone, Deserialize)]
pub struct ZdUser {
    pub id: i64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ZdAttachment {
    pub id: i64,
    pub file_name: String,
    #[serde(default)]
    pub size: i64,
}

/// The `meta` of a cursor page.
#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    after_cursor: Option<String>,
}

fn failure(error: Error) -> HttpFailure {
    HttpFailure { error, transient: false, retry_after: None, status: None }
}

impl ZendeskWriter {
    /// A client for the account at `base` (`https://SUBDOMAIN.zendesk.com`)
    /// with the source's `secret`.
    pub fn new(base: &str, secret: &str, timeout: Duration) -> crate::Result<Self> {
        let http = write_client(timeout)?;
        let mut base = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| Error::invalid(format!("the Zendesk URL {base:?} is not valid: {e}")))?;
        base.set_path("/");
        base.set_query(None);
        let mut auth = HeaderValue::from_str(&authorization(secret))
            .map_err(|_| Error::invalid("the API token contains characters that cannot be sent in a header"))?;
        auth.set_sensitive(true);
        Ok(ZendeskWriter { http, base, auth, me: tokio::sync::OnceCell::new() })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> HttpResult<Url> {
        let mut u = self
            .base
            .join(path)
            .map_err(|e| failure(Error::Internal(format!("cannot build a URL for {path}: {e}"))))?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        Ok(u)
    }

    async fn send(&self, req: RequestBuilder, what: &str) -> HttpResult<Response> {
        let req = req.header(AUTHORIZATION, self.auth.clone()).header(ACCEPT, "application/json");
        send_once(req, self.base.as_str().trim_end_matches('/'), what).await
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder, url: &Url, what: &str) -> HttpResult<T> {
        let resp = self.send(req, what).await?;
        resp.json().await.map_err(|e| bad_json(url.as_str(), e))
    }

    /// The ticket's status and last update.
    pub async fn ticket(&self, id: &str) -> HttpResult<ZdTicket> {
        #[derive(Deserialize)]
        struct Wrap {
            ticket: ZdTicket,
        }
        let url = self.url(&format!("api/v2/tickets/{}.json", numeric(id)?), &[])?;
        let w: Wrap = self.json(self.http.get(url.clone()), &url, &format!("reading ticket #{id}")).await?;
        Ok(w.ticket)
    }

    /// The ticket's custom field `field_id` as text ("" = empty, or not a
    /// field of this ticket); a drop-down's value is its option's tag.
    pub async fn custom_field(&self, id: &str, field_id: i64) -> HttpResult<String> {
        let t = self.ticket(id).await?;
        let f = t.custom_fields.iter().find(|f| f.id == field_id);
        Ok(f.map(|f| crate::triage::category_push::field_text(&f.value)).unwrap_or_default())
    }

    /// Every comment of the ticket, oldest first (cursor pages of 100).
    pub async fn comments(&self, id: &str) -> HttpResult<Vec<ZdComment>> {
        #[derive(Deserialize)]
        struct Page {
            comments: Vec<ZdComment>,
            #[serde(default)]
            meta: Option<Meta>,
        }
        let path = format!("api/v2/tickets/{}/comments.json", numeric(id)?);
        let mut out = Vec::new();
        self.pages(&path, &[], &format!("the comments of ticket #{id}"), |p: Page| {
            out.extend(p.comments);
            p.meta
        })
        .await?;
        Ok(out)
    }

    /// Walk cursor pages of 100 of `path` (with the `extra` query), handing
    /// each page to `take`, which returns the page's `meta`.
    async fn pages<P: DeserializeOwned>(
        &self,
        path: &str,
        extra: &[(&str, &str)],
        what: &str,
        mut take: impl FnMut(P) -> Option<Meta>,
    ) -> HttpResult<()> {
        let mut after: Option<String> = None;
        loop {
            let mut q = vec![("page[size]", "100")];
            q.extend_from_slice(extra);
            if let Some(a) = &after {
                q.push(("page[after]", a.as_str()));
            }
            let url = self.url(path, &q)?;
            let page: P = self.json(self.http.get(url.clone()), &url, &format!("reading {what}")).await?;
            match take(page) {
                Some(Meta { has_more: true, after_cursor: Some(c) }) if after.as_ref() != Some(&c) => after = Some(c),
                Some(Meta { has_more: true, .. }) => {
                    return Err(failure(Error::BadResponse(format!("{url} says it has more {what} but gives no new cursor"))))
                }
                _ => return Ok(()),
            }
        }
    }

    /// The id of the secret's user (`GET /api/v2/users/me.json`), read once.
    pub async fn me(&self) -> HttpResult<i64> {
        #[derive(Deserialize)]
        struct Wrap {
            user: ZdUser,
        }
        let id = self
            .me
            .get_or_try_init(|| async {
                let url = self.url("api/v2/users/me.json", &[])?;
                let w: Wrap = self.json(self.http.get(url.clone()), &url, "reading the account of the API token").await?;
                Ok::<_, HttpFailure>(w.user.id)
            })
            .await?;
        Ok(*id)
    }

    /// Every audit of the ticket, oldest first, and the users they name
    /// (sideloaded), by cursor pages of 100.
    pub async fn audits(&self, id: &str) -> HttpResult<(Vec<ZdAudit>, Vec<ZdUser>)> {
        #[derive(Deserialize)]
        struct Page {
            audits: Vec<ZdAudit>,
            #[serde(default)]
            users: Vec<ZdUser>,
            #[serde(default)]
            meta: Option<Meta>,
        }
        let path = format!("api/v2/tickets/{}/audits.json", numeric(id)?);
        let (mut audits, mut users) = (Vec::new(), Vec::new());
        self.pages(&path, &[("include", "users")], &format!("the audits of ticket #{id}"), |p: Page| {
            audits.extend(p.audits);
            users.extend(p.users);
            p.meta
        })
        .await?;
        Ok((audits, users))
    }

    /// Upload a file; returns the token an update attaches it with.
    pub async fn upload(&self, file_name: &str, media: &str, content: Vec<u8>) -> HttpResult<String> {
        #[derive(Deserialize)]
        struct Upload {
            token: String,
        }
        #[derive(Deserialize)]
        struct Wrap {
            upload: Upload,
        }
        let url = self.url("api/v2/uploads.json", &[("filename", file_name)])?;
        let media = HeaderValue::from_str(media).unwrap_or(HeaderValue::from_static("application/octet-stream"));
        let req = self.http.post(url.clone()).header(CONTENT_TYPE, media).body(content);
        let w: Wrap = self.json(req, &url, &format!("uploading {file_name}")).await?;
        Ok(w.upload.token)
    }

    /// `PUT /api/v2/tickets/{id}.json` with `{"ticket": fields}`.
    pub async fn update(&self, id: &str, fields: Value) -> HttpResult<()> {
        let url = self.url(&format!("api/v2/tickets/{}.json", numeric(id)?), &[])?;
        let body = serde_json::json!({ "ticket": fields });
        self.send(self.http.put(url).json(&body), &format!("updating ticket #{id}")).await?;
        Ok(())
    }
}

/// A ticket id is a number; anything else never reaches a URL.
fn numeric(id: &str) -> HttpResult<u64> {
    id.parse().map_err(|_| failure(Error::invalid(format!("{id:?} is not a Zendesk ticket id"))))
}

/// The Zendesk status a configured target status name means, or why none
/// does. Zendesk's statuses are fixed: `new`, `open`, `pending`, `hold`
/// (shown "On-hold"), `solved` — matched case-insensitively. `closed`
/// cannot be set through the API (Zendesk closes solved tickets itself after
/// its automation's delay), so "Closed" means `solved`; "In Progress" and
/// "Reopened" (the Redmine-style defaults) mean `open`.
pub fn zendesk_status(name: &str) -> std::result::Result<&'static str, String> {
    let n = name.trim().to_ascii_lowercase();
    Ok(match n.as_str() {
        "new" => "new",
        "open" | "in progress" | "reopened" => "open",
        "pending" => "pending",
        "hold" | "on-hold" | "on hold" => "hold",
        "solved" | "closed" | "resolved" => "solved",
        _ => {
            return Err(format!(
                "Zendesk has no status {name:?} (it has new, open, pending, on-hold, solved; closed is set by Zendesk \
                 itself); fix validation.transitions in the source's config"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_names_map_to_zendesk_statuses_and_unknown_ones_are_named() {
        assert_eq!(zendesk_status("Closed"), Ok("solved"));
        assert_eq!(zendesk_status("In Progress"), Ok("open"));
        assert_eq!(zendesk_status("On-hold"), Ok("hold"));
        assert_eq!(zendesk_status("pending"), Ok("pending"));
        let e = zendesk_status("Done").unwrap_err();
        assert!(e.contains("\"Done\"") && e.contains("validation.transitions"), "{e}");
    }
}
