//! The Zendesk Support connector (REST API v2, JSON; read-only).
//!
//! - **Listing** (`list_changed(since, skip)`): the *time-based* incremental
//!   export, `GET /api/v2/incremental/tickets.json?start_time=S&per_page=N
//!   &include=metric_sets`, with `S` the cursor's `since` (0 on a first sync).
//!   It lists every ticket whose `generated_timestamp` (moved by every change)
//!   is at or after `S`, deleted ones included (status `deleted`), and leaves
//!   out the last minute by design. The cursor's time is that
//!   `generated_timestamp`, so "at or after `since`" is exactly what the
//!   server filters on. Replies overlap (the next one starts at the previous
//!   `end_time`, so that second comes twice): entries are de-duplicated by id,
//!   sorted by `(generated_timestamp, id)` here — whatever order Zendesk gives
//!   a tie — and the skip is applied to that order. Only entries strictly
//!   before the last reply's `end_time` are used (that second may go on in
//!   the next reply) unless the reply ends the stream, so a skip never jumps
//!   over a ticket not yet seen. A listing page is half an export reply
//!   ([`Zendesk::page_size`]), so one export request usually serves a page.
//!   The cursor is made of the data's times, never of the clock: a change in
//!   the minute the export leaves out has a later time and comes next run.
//!   The cursor-based export was not used: its opaque `after_cursor` does not
//!   fit the engine's `(since, skip)` cursor, which all connectors share.
//! - **Rate limit**: the export allows 10 requests a minute; a 429 carries
//!   `Retry-After`, which [`super::http`] honours (capped by `max_wait_secs`,
//!   default 60 s, the cap Zendesk's waits stay under).
//! - **Details**: the export already holds each ticket's fields, so
//!   `fetch_ticket` takes them from the listing it just read (a deleted
//!   ticket there is `None`, a tombstone, without a request) and asks only
//!   for the ticket's audits, `GET /api/v2/tickets/{id}/audits.json
//!   ?page[size]=100` (cursor pagination, `meta.has_more`), which give its
//!   comments and every status move ([`super::zendesk_audits`]): a solved
//!   ticket reopened and solved again shows both solves, and the KPIs count
//!   the reopen. Authors, requester and assignee are named from sideloaded
//!   users where a reply carries them, else by `users/show_many` (once per
//!   user per run). A ticket not listed in this run
//!   (a census revival) is read by `GET /api/v2/tickets/{id}.json` (404: gone).
//!   Public replies and internal notes are both kept: the desk is the
//!   project team's tool, and internal notes carry the diagnosis and the fix.
//!   The first comment is the description and is not repeated.
//! - **Census**: the export from 0, ids whose status is not `deleted`, plus the
//!   tickets changed since the export's end (`GET /api/v2/tickets.json?sort=
//!   -updated_at`, cursor pages while they are newer), which the export leaves
//!   out for a minute and must not become tombstones.
//! - **Project**: `*` (every ticket), `group:ID`, `brand:ID` or
//!   `organization:ID`, filtered here on the export's fields: a ticket that
//!   moves out of the scope stops being listed and the census tombstones it.
//! - **Credentials**: `EMAIL/token:API_TOKEN` is sent as basic auth, any other
//!   secret as an OAuth bearer token; marked sensitive, never logged.
//! - **Satisfaction**: `satisfaction_rating {score, comment}` stays in the raw
//!   record; the KPIs read it as CSAT from ticket ratings
//!   (`kpi::data::load_ticket_ratings`).
//! - **Custom fields**: every ticket carries `custom_fields: [{id, value}]`
//!   (a drop-down's value is its tag, `dept_wide`), kept in the raw record
//!   and read by intake, the field chooser and CSAT; their names come from
//!   `GET /api/v2/ticket_fields.json?page[size]=100` (the `removable` ones,
//!   by `title`), asked on a first sync, with each census and while none
//!   are stored.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Url;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::connector::{Census, ChangedPage, Connector, FieldName, RemoteStub};
use super::http::{parse_json, HttpClient, RetryPolicy};
use super::zendesk_audits::{Audited, AuditsPage};
use super::zendesk_map::{self as map, authorization, parse_export, Scope, Stub};
use super::ConnectionInfo;
use crate::model::TicketRecord;
use crate::{Error, Result};

/// Tickets per export request: Zendesk's cap and default.
pub const PER_PAGE: u64 = 1000;
/// The smallest export page accepted (a listing page of 10).
pub const MIN_PER_PAGE: u64 = 20;
/// Listings whose tickets `fetch_ticket` can still take without a request
/// (the engine fetches one page's details while it lists the next).
const KEPT_LISTINGS: usize = 4;

/// One ticket as the export showed it.
#[derive(Clone)]
struct Listed {
    stub: Stub,
    time: i64,
    raw: Arc<RawValue>,
    solved_at: Option<String>,
}

/// A Zendesk Support account, seen through its REST API.
pub struct Zendesk {
    http: HttpClient,
    base: Url,
    scope: Scope,
    per_page: u64,
    listed: Mutex<VecDeque<HashMap<u64, Listed>>>,
    /// User names read so far in this run (requesters and assignees).
    names: Mutex<HashMap<i64, String>>,
}

/// What one pass over the export gathered.
struct Gathered {
    /// Latest entry per id.
    entries: HashMap<u64, Listed>,
    /// Entries at or after this time may go on in a reply not read yet.
    complete_before: i64,
    end_of_stream: bool,
}

impl Zendesk {
    /// A connector for the account at `url` (`https://SUBDOMAIN.zendesk.com`).
    /// `per_page` is the export's page size (20 to 1000).
    pub fn new(url: &str, project: &str, token: Option<&str>, per_page: Option<u64>, policy: RetryPolicy) -> Result<Zendesk> {
        let mut base = Url::parse(url.trim_end_matches('/'))
            .map_err(|e| Error::invalid(format!("the Zendesk URL {url:?} is not valid: {e}")))?;
        base.set_path("/");
        base.set_query(None);
        let scope = Scope::parse(project)?;
        let auth = token.map(authorization);
        let http = HttpClient::new(policy, "Authorization", auth.as_deref())?;
        // A listing page must be well above the engine's SLACK, or a second
        // shared by a page's worth of tickets would be walked without progress.
        let per_page = per_page.unwrap_or(PER_PAGE).clamp(MIN_PER_PAGE, PER_PAGE);
        Ok(Zendesk { http, base, scope, per_page, listed: Mutex::new(VecDeque::new()), names: Mutex::new(HashMap::new()) })
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<String> {
        let mut u = self.base.join(path).map_err(|e| Error::Internal(format!("cannot build a URL for {path}: {e}")))?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        Ok(u.to_string())
    }

    /// One export request from `start` (unix seconds), with its entries.
    async fn export(&self, start: i64) -> Result<(Vec<Listed>, Option<i64>, bool)> {
        let (s, n) = (start.to_string(), self.per_page.to_string());
        let url = self.url(
            "api/v2/incremental/tickets.json",
            &[("start_time", s.as_str()), ("per_page", n.as_str()), ("include", "metric_sets")],
        )?;
        let page = self.http.get_with(&url, |body| parse_export(&url, body)).await?;
        let solved: HashMap<u64, String> =
            page.metric_sets.into_iter().filter_map(|m| Some((m.ticket_id, m.solved_at?))).collect();
        let mut out = Vec::with_capacity(page.tickets.len());
        for raw in page.tickets {
            let stub = map::stub(&url, &raw)?;
            let time = stub.change_time()?;
            out.push(Listed { solved_at: solved.get(&stub.id).cloned(), stub, time, raw: Arc::from(raw) });
        }
        Ok((out, page.end_time, page.end_of_stream))
    }

    /// Read the export from `start` until `enough` in-scope entries are
    /// complete (or the stream ends).
    async fn gather(&self, start: i64, enough: u64, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Gathered> {
        let mut g = Gathered { entries: HashMap::new(), complete_before: start, end_of_stream: false };
        let mut start = start;
        loop {
            let (items, end_time, end) = self.export(start).await?;
            let last = items.iter().map(|i| i.time).max();
            for item in items {
                match g.entries.get(&item.stub.id) {
                    Some(old) if old.time > item.time => {}
                    _ => {
                        g.entries.insert(item.stub.id, item);
                    }
                }
            }
            g.end_of_stream = end || last.is_none();
            g.complete_before = if g.end_of_stream { i64::MAX } else { end_time.or(last).unwrap_or(start) };
            progress(g.entries.len() as u64);
            let ready = g.entries.values().filter(|e| e.time < g.complete_before && self.scope.contains(&e.stub)).count();
            if g.end_of_stream || ready as u64 >= enough {
                return Ok(g);
            }
            if g.complete_before <= start {
                return Err(Error::BadResponse(format!(
                    "Zendesk's export holds more than {} tickets changed in the same second ({start}); the time-based \
                     export cannot page through them. Raise page_size in the source's options (up to 1000)",
                    self.per_page
                )));
            }
            start = g.complete_before;
        }
    }

    /// Keep a listing's tickets for `fetch_ticket`.
    fn remember(&self, items: &[Listed]) {
        let mut kept = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        kept.push_back(items.iter().map(|i| (i.stub.id, i.clone())).collect());
        while kept.len() > KEPT_LISTINGS {
            kept.pop_front();
        }
    }

    fn recall(&self, id: u64) -> Option<Listed> {
        let kept = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().rev().find_map(|m| m.get(&id).cloned())
    }

    /// What a ticket's audits tell (comments, status moves, sideloaded
    /// names), every page; `None` when the ticket is gone (404).
    async fn audits(&self, id: u64) -> Result<Option<Audited>> {
        let path = format!("api/v2/tickets/{id}/audits.json");
        let mut audited = Audited::default();
        let mut after: Option<String> = None;
        loop {
            let mut q = vec![("page[size]", "100")];
            if let Some(a) = &after {
                q.push(("page[after]", a.as_str()));
            }
            let url = self.url(&path, &q)?;
            let page = self.http.get_unless(&url, &[404], |b| parse_json::<AuditsPage>(&url, b)).await?;
            let Some(mut page) = page else { return Ok(None) };
            let meta = page.meta.take();
            audited.add(page);
            match meta {
                Some(m) if m.has_more => match m.after_cursor {
                    Some(c) if after.as_ref() != Some(&c) => after = Some(c),
                    _ => return Err(Error::BadResponse(format!("{} says it has more audits but gives no new cursor", self.url(&path, &[])?))),
                },
                _ => return Ok(Some(audited)),
            }
        }
    }

    /// Add the names of `ids` to `users`: from this run's earlier answers,
    /// else one `GET /api/v2/users/show_many.json?ids=…` (agents are few, so
    /// after the first tickets this costs nothing). A user Zendesk does not
    /// return stays "user ID".
    async fn name_users(&self, ids: &[Option<i64>], users: &mut HashMap<i64, String>) -> Result<()> {
        #[derive(Deserialize)]
        struct Many {
            users: Vec<map::User>,
        }
        let missing: Vec<String> = {
            let mut known = self.names.lock().unwrap_or_else(|e| e.into_inner());
            known.extend(users.iter().map(|(k, v)| (*k, v.clone())));
            let mut missing = Vec::new();
            for id in ids.iter().flatten().filter(|id| **id > 0) {
                match known.get(id) {
                    Some(n) => {
                        users.entry(*id).or_insert_with(|| n.clone());
                    }
                    None => missing.push(id.to_string()),
                }
            }
            missing
        };
        if missing.is_empty() {
            return Ok(());
        }
        // `show_many` takes at most 100 ids.
        for chunk in missing.chunks(100) {
            let list = chunk.join(",");
            let url = self.url("api/v2/users/show_many.json", &[("ids", list.as_str())])?;
            let many: Many = self.http.get_json(&url).await?;
            let mut found: Vec<(i64, String)> = many.users.into_iter().filter_map(|u| Some((u.id, u.name?))).collect();
            // A user Zendesk does not return (deleted, say) is not asked for again in this run.
            let returned: HashSet<i64> = found.iter().map(|f| f.0).collect();
            found.extend(chunk.iter().filter_map(|id| id.parse::<i64>().ok()).filter(|id| !returned.contains(id)).map(|id| (id, format!("user {id}"))));
            self.names.lock().unwrap_or_else(|e| e.into_inner()).extend(found.iter().cloned());
            users.extend(found);
        }
        Ok(())
    }

    /// The ticket by its own endpoint (not from a listing); `None` on 404.
    async fn ticket(&self, id: u64) -> Result<Option<Listed>> {
        #[derive(Deserialize)]
        struct One {
            ticket: Box<RawValue>,
        }
        let url = self.url(&format!("api/v2/tickets/{id}.json"), &[])?;
        let Some(one) = self.http.get_unless(&url, &[404], |b| parse_json::<One>(&url, b)).await? else { return Ok(None) };
        let stub = map::stub(&url, &one.ticket)?;
        let time = stub.change_time()?;
        Ok(Some(Listed { stub, time, raw: Arc::from(one.ticket), solved_at: None }))
    }

    /// Tickets changed at or after `since` (read newest first), which the
    /// export leaves out for a minute: id → in the scope.
    async fn recent(&self, since: i64) -> Result<HashMap<u64, bool>> {
        #[derive(Deserialize)]
        struct Page {
            tickets: Vec<Stub>,
            #[serde(default)]
            meta: Option<map::Meta>,
        }
        let mut out = HashMap::new();
        let mut after: Option<String> = None;
        loop {
            let mut q = vec![("sort", "-updated_at"), ("page[size]", "100")];
            if let Some(a) = &after {
                q.push(("page[after]", a.as_str()));
            }
            let url = self.url("api/v2/tickets.json", &q)?;
            let page: Page = self.http.get_json(&url).await?;
            let mut older = false;
            for t in &page.tickets {
                older |= t.change_time()? < since;
                out.entry(t.id).or_insert(self.scope.contains(t));
            }
            match page.meta {
                Some(m) if m.has_more && !older => match m.after_cursor {
                    Some(c) if after.as_ref() != Some(&c) => after = Some(c),
                    _ => return Ok(out),
                },
                _ => return Ok(out),
            }
        }
    }

    fn page_size_of(&self) -> u64 {
        (self.per_page / 2).max(1)
    }
}

#[async_trait]
impl Connector for Zendesk {
    /// Half an export reply: an export request usually serves a whole page.
    fn page_size(&self) -> u64 {
        self.page_size_of()
    }

    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> Result<ChangedPage> {
        let start = since.map(|t| t.timestamp()).unwrap_or(0).max(0);
        let size = self.page_size_of();
        let g = self.gather(start, offset + size, &|_| {}).await?;
        let mut listing: Vec<Listed> =
            g.entries.into_values().filter(|e| e.time < g.complete_before && self.scope.contains(&e.stub)).collect();
        listing.sort_by_key(|e| (e.time, e.stub.id));
        let page: Vec<Listed> = listing.into_iter().skip(offset as usize).take(size as usize).collect();
        self.remember(&page);
        let items = page
            .iter()
            .map(|e| {
                let updated_at = DateTime::from_timestamp(e.time, 0)
                    .ok_or_else(|| Error::BadResponse(format!("Zendesk sent a change time {} out of range", e.time)))?;
                // A deleted ticket's version differs from any stored one, so it
                // is "fetched" (answered from the listing: gone, a tombstone).
                let version = if e.stub.status == "deleted" { format!("deleted {}", e.stub.updated_at) } else { e.stub.updated_at.clone() };
                Ok(RemoteStub { remote_id: e.stub.id.to_string(), version, updated_at })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ChangedPage { items, total: None })
    }

    async fn fetch_ticket(&self, remote_id: &str) -> Result<Option<TicketRecord>> {
        let id: u64 = remote_id.parse().map_err(|_| Error::invalid(format!("{remote_id:?} is not a Zendesk ticket id")))?;
        let listed = match self.recall(id) {
            Some(l) => l,
            None => match self.ticket(id).await? {
                Some(l) => l,
                None => return Ok(None),
            },
        };
        if listed.stub.status == "deleted" {
            return Ok(None);
        }
        let Some(mut audited) = self.audits(id).await? else { return Ok(None) };
        let mut users = std::mem::take(&mut audited.users);
        let mut named = vec![listed.stub.requester_id, listed.stub.assignee_id];
        named.extend(audited.comments.iter().map(|c| c.author_id));
        named.extend(audited.moves.iter().map(|m| m.author_id));
        named.sort_unstable();
        named.dedup();
        self.name_users(&named, &mut users).await?;
        map::to_record(&listed.raw, listed.solved_at.as_deref(), audited, &users).map(Some)
    }

    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Census> {
        let g = self.gather(0, u64::MAX, progress).await?;
        let end = g.entries.values().map(|e| e.time).max().unwrap_or(0);
        let mut live: HashSet<u64> =
            g.entries.values().filter(|e| e.stub.status != "deleted" && self.scope.contains(&e.stub)).map(|e| e.stub.id).collect();
        for (id, in_scope) in self.recent(end).await? {
            if in_scope {
                live.insert(id);
            } else {
                live.remove(&id);
            }
        }
        progress(live.len() as u64);
        Ok(Census { ids: live.into_iter().map(|i| i.to_string()).collect() })
    }

    async fn test_connection(&self) -> Result<ConnectionInfo> {
        #[derive(Deserialize)]
        struct Me {
            user: MeUser,
        }
        #[derive(Deserialize)]
        struct MeUser {
            id: Option<i64>,
            #[serde(default)]
            role: Option<String>,
        }
        #[derive(Deserialize)]
        struct Count {
            count: CountValue,
        }
        #[derive(Deserialize)]
        struct CountValue {
            value: u64,
        }
        let me: Me = self.http.get_json(&self.url("api/v2/users/me.json", &[])?).await?;
        if me.user.id.is_none() {
            return Err(Error::Auth(
                "Zendesk answered as an anonymous user: the credentials were not accepted; write EMAIL/token:API_TOKEN \
                 or an OAuth access token"
                    .into(),
            ));
        }
        if me.user.role.as_deref() == Some("end-user") {
            return Err(Error::Auth("the credentials belong to an end user; the ticket export needs an admin (or an agent allowed to export)".into()));
        }
        let ticket_count = match self.scope {
            Scope::All => {
                let c: Count = self.http.get_json(&self.url("api/v2/tickets/count.json", &[])?).await?;
                Some(c.count.value)
            }
            _ => None,
        };
        let host = self.base.host_str().unwrap_or("Zendesk").to_string();
        Ok(ConnectionInfo { project_name: format!("{host}: {}", self.scope.describe()), ticket_count })
    }

    fn requests(&self) -> u64 {
        self.http.requests()
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.http.server_time()
    }

    /// `/api/v2/ticket_fields.json` (cursor pages): the custom ones
    /// (`removable`), by `title`.
    async fn field_names(&self) -> Result<Option<Vec<FieldName>>> {
        #[derive(Deserialize)]
        struct Field {
            id: i64,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            removable: bool,
        }
        #[derive(Deserialize)]
        struct Page {
            ticket_fields: Vec<Field>,
            #[serde(default)]
            meta: Option<map::Meta>,
        }
        let (mut out, mut after) = (Vec::new(), None::<String>);
        loop {
            let mut q = vec![("page[size]", "100")];
            if let Some(a) = &after {
                q.push(("page[after]", a.as_str()));
            }
            let page: Page = self.http.get_json(&self.url("api/v2/ticket_fields.json", &q)?).await?;
            out.extend(page.ticket_fields.into_iter().filter(|f| f.removable).filter_map(|f| Some(FieldName { id: f.id, name: f.title? })));
            match page.meta {
                Some(m) if m.has_more => match m.after_cursor {
                    Some(c) if after.as_ref() != Some(&c) => after = Some(c),
                    _ => return Ok(Some(out)),
                },
                _ => return Ok(Some(out)),
            }
        }
    }
}
