//! Pushing the outbox to the ticket server, exactly once.
//!
//! Per validation: read the issue (journals, attachments) first; what
//! carries the validation's marker is already there and is never written
//! again. Otherwise check for a conflict (someone else changed the ticket
//! since the validator saw it), upload the evidence, and write the comment,
//! the attachments and the status transition in ONE issue update (Redmine
//! saves them atomically). Then read back and compare: Redmine silently
//! ignores a status it does not allow, so a transition only counts as sent
//! when the server shows it. Jira, ServiceNow and Zendesk sources go
//! through [`super::push_jira`], [`super::push_servicenow`] and
//! [`super::push_zendesk`] (the same steps and the same conflict rule,
//! [`super::comment::changed_by_others`], over each server's history).
//!
//! Temporary failures keep rows pending with a backoff; permanent ones mark
//! the validation's rows rejected with the server's reason and the queue
//! goes on.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::comment::{comment_text, conflict_reason};
use super::outbox::{defer, set_state, set_upload_token, PushLock};
use super::settle::{commented, evidence, match_attachments, settle};
use super::record::load_validation;
use super::jira::JiraWriter;
use super::redmine::{HttpFailure, NamedRef, RedmineClient};
use super::{marker, OutboxKind, OutboxState, Validation};
use crate::model::{Source, SourceKind};
use crate::store::sources::source_by_id;
use crate::{Error, Result, Store};

/// How to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Push validations in conflict anyway, and retry rows now even if
    /// their backoff has not expired.
    pub force: bool,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions { force: false, timeout: Duration::from_secs(30) }
    }
}

/// What happened to one validation in a push run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PushItem {
    pub validation_id: i64,
    pub ticket_key: String,
    pub uuid: String,
    /// The validation's overall state after this run (worst row wins).
    pub state: OutboxState,
    /// The reason when not everything was sent.
    pub message: Option<String>,
}

/// What happened to one confirmed category in a push run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CategoryPushItem {
    pub outbox_id: i64,
    pub ticket_key: String,
    /// The name written on the server.
    pub value: String,
    pub state: OutboxState,
    /// The reason when it was not sent.
    pub message: Option<String>,
}

/// What a push run did (`hypercare push --json`). The totals count
/// validations and categories alike.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PushReport {
    pub items: Vec<PushItem>,
    pub categories: Vec<CategoryPushItem>,
    pub sent: u64,
    pub rejected: u64,
    pub conflicts: u64,
    pub pending: u64,
    /// Sources that could not be reached at all this run, with the reason.
    pub stopped: Vec<String>,
}

/// One outbox row to work on.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) kind: OutboxKind,
    pub(super) evidence_id: Option<i64>,
    pub(super) target_status: Option<String>,
    upload_token: Option<String>,
    force: bool,
}

/// One validation and its pending rows.
pub(super) struct Work {
    pub(super) v: Validation,
    source_id: i64,
    pub(super) remote_id: String,
    /// The ticket's last update (seconds) when the validator saw it.
    pub(super) seen_updated_at: i64,
    pub(super) rows: Vec<Row>,
}

impl Work {
    fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.id).collect()
    }
    pub(super) fn row(&self, kind: OutboxKind) -> Option<&Row> {
        self.rows.iter().find(|r| r.kind == kind)
    }
    /// The pending evidence rows.
    pub(super) fn attachment_rows(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.kind == OutboxKind::Attachment).collect()
    }
    /// Whether to look for a conflict before writing: the comment is still
    /// to be written (`on_server`: its marker is not there) and the user
    /// did not push this validation anyway.
    pub(super) fn check_conflict(&self, on_server: bool) -> bool {
        self.row(OutboxKind::Comment).is_some() && !on_server && !self.rows.iter().any(|r| r.force)
    }
}

/// Hold a validation back: all its pending rows become `Conflict` with `reason`.
pub(super) fn hold_back(store: &Store, w: &Work, reason: String, now: DateTime<Utc>) -> Result<PushItem> {
    set_state(store, &w.ids(), OutboxState::Conflict, Some(&reason), None, now)?;
    item_of(store, w, Some(reason))
}

pub(super) enum Fail {
    Http(HttpFailure),
    Store(Error),
}
impl From<HttpFailure> for Fail {
    fn from(f: HttpFailure) -> Self {
        Fail::Http(f)
    }
}
impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Store(e)
    }
}

/// A source's server for this run.
pub(super) struct Server {
    pub(super) client: RedmineClient,
    statuses: Option<Vec<NamedRef>>,
    me: Option<i64>,
    /// Issue categories per project id, read once per run.
    pub(super) categories: HashMap<i64, Vec<NamedRef>>,
}

impl Server {
    async fn status_id(&mut self, name: &str) -> Result<Option<i64>, HttpFailure> {
        if self.statuses.is_none() {
            self.statuses = Some(self.client.statuses().await?);
        }
        Ok(self.statuses.iter().flatten().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.id))
    }
    async fn me(&mut self) -> Result<i64, HttpFailure> {
        if let Some(id) = self.me {
            return Ok(id);
        }
        let id = self.client.current_user_id().await?;
        self.me = Some(id);
        Ok(id)
    }
}

/// The servers of one push run, by source id.
pub(super) type Servers = HashMap<i64, Target>;

/// Push every due outbox row: the validations' writes, then the confirmed
/// categories. `token_for` gives a source's API token. Only one push per
/// workspace runs at a time; a second one fails with `Conflict` at once.
pub async fn push_outbox(
    store: &Store,
    token_for: &(dyn Fn(&Source) -> Option<String> + Sync),
    opts: &PushOptions,
    now: DateTime<Utc>,
) -> Result<PushReport> {
    let _lock = PushLock::acquire(store)?;
    if opts.force {
        super::outbox::force_conflicts(store, now)?;
    }
    let due = store.read(|c| due_validations(c, now, opts.force))?;
    let mut servers: Servers = HashMap::new();
    let mut report = PushReport::default();
    for vid in due {
        let work = store.read(|c| load_work(c, vid))?;
        if work.rows.is_empty() {
            continue;
        }
        let target = target_for(store, &mut servers, work.source_id, token_for, opts.timeout)?;
        let item = match target {
            Target::Unsupported(reason) => {
                // Nothing to reach, ever: reject so the queue does not wait forever.
                set_state(store, &work.ids(), OutboxState::Rejected, Some(reason), None, now)?;
                item_of(store, &work, Some(reason.clone()))?
            }
            Target::Stopped(reason) => {
                let msg = reason.clone();
                report.stop(&msg);
                item_of(store, &work, Some(msg))?
            }
            Target::Ready(writer) => match writer.push(store, &work, now).await {
                Ok(item) => item,
                Err(Fail::Store(e)) => return Err(e),
                Err(Fail::Http(f)) => {
                    let msg = settle_failure(store, &work.ids(), &f, target, &mut report, now)?;
                    item_of(store, &work, Some(msg))?
                }
            },
        };
        report.count(item.state);
        report.items.push(item);
    }
    super::push_category::push_categories(store, &mut servers, token_for, opts, now, &mut report).await?;
    Ok(report)
}

impl PushReport {
    /// Count one item's state in the totals.
    pub(super) fn count(&mut self, state: OutboxState) {
        match state {
            OutboxState::Sent => self.sent += 1,
            OutboxState::Rejected => self.rejected += 1,
            OutboxState::Conflict => self.conflicts += 1,
            OutboxState::Pending => self.pending += 1,
            OutboxState::Discarded => {}
        }
    }
    /// Note a source that stopped answering (once per reason).
    pub(super) fn stop(&mut self, reason: &str) {
        if !self.stopped.iter().any(|s| s == reason) {
            self.stopped.push(reason.to_string());
        }
    }
}

/// The run's server for a source, opened on first use.
pub(super) fn target_for<'a>(
    store: &Store,
    servers: &'a mut Servers,
    source_id: i64,
    token_for: &(dyn Fn(&Source) -> Option<String> + Sync),
    timeout: Duration,
) -> Result<&'a mut Target> {
    Ok(match servers.entry(source_id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            let source = store.read(|c| source_by_id(c, source_id))?;
            e.insert(open_server(&source, token_for, timeout)?)
        }
    })
}

/// A failed request for outbox rows `ids`: temporary failures (and an
/// unreachable server) keep them pending with a backoff, others reject them
/// with the server's reason; a server that cannot be reached is not asked
/// again in this run. Returns the message shown to the user.
pub(super) fn settle_failure(
    store: &Store,
    ids: &[i64],
    f: &HttpFailure,
    target: &mut Target,
    report: &mut PushReport,
    now: DateTime<Utc>,
) -> Result<String> {
    let msg = f.error.to_string();
    if f.transient || f.stops_server() {
        defer(store, ids, &msg, f.retry_after, now)?;
    } else {
        set_state(store, ids, OutboxState::Rejected, Some(&msg), None, now)?;
    }
    if f.stops_server() {
        report.stop(&msg);
        *target = Target::Stopped(msg.clone());
    }
    Ok(msg)
}

/// A source's server that validations can be pushed to.
pub(super) enum Writer {
    Redmine(Server),
    Jira(JiraWriter),
    ServiceNow(super::servicenow::SnWriter),
    Zendesk(super::zendesk::ZendeskWriter),
}

impl Writer {
    async fn push(&mut self, store: &Store, work: &Work, now: DateTime<Utc>) -> std::result::Result<PushItem, Fail> {
        match self {
            Writer::Redmine(srv) => push_one(store, srv, work, now).await,
            Writer::Jira(jira) => super::push_jira::push_one(store, jira, work, now).await,
            Writer::ServiceNow(sn) => super::push_servicenow::push_one(store, sn, work, now).await,
            Writer::Zendesk(zd) => super::push_zendesk::push_one(store, zd, work, now).await,
        }
    }
}

/// Where a source's writes go in this run.
pub(super) enum Target {
    Ready(Writer),
    /// No server of a kind we can write to (the demo, a connector without push).
    Unsupported(String),
    /// Unreachable or refusing us this run (no token, offline, 401).
    Stopped(String),
}

fn open_server(
    source: &Source,
    token_for: &(dyn Fn(&Source) -> Option<String> + Sync),
    timeout: Duration,
) -> Result<Target> {
    if !matches!(source.kind, SourceKind::Redmine | SourceKind::Jira | SourceKind::ServiceNow | SourceKind::Zendesk) {
        return Ok(Target::Unsupported(match source.kind {
            SourceKind::Demo => super::DEMO_STAYS_LOCAL.to_string(),
            k => format!("pushing to {} servers is not supported yet", k.as_str()),
        }));
    }
    let Some(token) = token_for(source) else {
        let var = source.token_env.as_deref().unwrap_or("the token variable");
        return Ok(Target::Stopped(format!("no API token for source {:?}: set {var}", source.name)));
    };
    if source.kind == SourceKind::Jira {
        return Ok(Target::Ready(Writer::Jira(JiraWriter::new(&source.url, &token, timeout)?)));
    }
    if source.kind == SourceKind::ServiceNow {
        let sn = super::servicenow::SnWriter::new(&source.url, &source.project, &token, timeout)?;
        return Ok(Target::Ready(Writer::ServiceNow(sn)));
    }
    if source.kind == SourceKind::Zendesk {
        return Ok(Target::Ready(Writer::Zendesk(super::zendesk::ZendeskWriter::new(&source.url, &token, timeout)?)));
    }
    let client = RedmineClient::new(&source.url, &token, timeout)?;
    Ok(Target::Ready(Writer::Redmine(Server { client, statuses: None, me: None, categories: HashMap::new() })))
}

pub(super) fn item_of(store: &Store, work: &Work, message: Option<String>) -> Result<PushItem> {
    let v = store.read(|c| load_validation(c, work.v.id))?;
    let state = v.push_state.unwrap_or(OutboxState::Sent);
    let message = if state == OutboxState::Sent { None } else { message.or_else(|| first_error(store, work.v.id)) };
    Ok(PushItem { validation_id: v.id, ticket_key: v.ticket_key, uuid: v.uuid, state, message })
}

fn first_error(store: &Store, vid: i64) -> Option<String> {
    store
        .read(|c| {
            Ok(c.query_row(
                "SELECT last_error FROM outbox WHERE validation_id = ?1 AND state != 'sent' AND last_error IS NOT NULL
                 ORDER BY id LIMIT 1",
                [vid],
                |r| r.get::<_, String>(0),
            )
            .optional()?)
        })
        .ok()
        .flatten()
}

fn due_validations(c: &Connection, now: DateTime<Utc>, force: bool) -> Result<Vec<i64>> {
    let mut st = c.prepare(
        "SELECT DISTINCT validation_id FROM outbox
         WHERE state = 'pending' AND validation_id IS NOT NULL AND (next_attempt_at <= ?1 OR ?2)
         ORDER BY validation_id",
    )?;
    let ids = st
        .query_map(rusqlite::params![crate::store::to_ts(now), force], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

fn load_work(c: &Connection, vid: i64) -> Result<Work> {
    let v = load_validation(c, vid)?;
    let (source_id, remote_id, seen_updated_at): (i64, String, i64) = c.query_row(
        "SELECT t.source_id, t.remote_id, v.seen_updated_at FROM validations v JOIN tickets t ON t.id = v.ticket_id
         WHERE v.id = ?1",
        [vid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let rows = c
        .prepare(
            "SELECT id, kind, evidence_id, target_status, upload_token, force FROM outbox
             WHERE validation_id = ?1 AND state = 'pending' ORDER BY id",
        )?
        .query_map([vid], |r| {
            let kind: String = r.get(1)?;
            Ok(Row {
                id: r.get(0)?,
                kind: OutboxKind::parse(&kind).unwrap_or(OutboxKind::Comment),
                evidence_id: r.get(2)?,
                target_status: r.get(3)?,
                upload_token: r.get(4)?,
                force: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Work { v, source_id, remote_id, seen_updated_at, rows })
}

/// Push one validation's pending rows. HTTP failures come back as `Fail::Http`
/// for the caller to defer or reject; everything else is settled here.
async fn push_one(
    store: &Store,
    srv: &mut Server,
    w: &Work,
    now: DateTime<Utc>,
) -> std::result::Result<PushItem, Fail> {
    let mk = marker(&w.v.uuid);
    let rid = w.remote_id.as_str();
    let issue = srv.client.issue(rid).await?;
    let comment_pending = w.row(OutboxKind::Comment).is_some();
    let on_server = commented(&issue, &mk);
    if w.check_conflict(on_server) {
        let me = srv.me().await?;
        if let Some(reason) = conflict_reason(&issue, w.seen_updated_at, me) {
            return Ok(hold_back(store, w, reason, now)?);
        }
    }

    let mut rejected: Vec<(i64, String)> = Vec::new();
    let attachments = w.attachment_rows();
    let found = match_attachments(store, &issue, &mk, &attachments)?;
    let mut uploads = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for row in attachments.iter().filter(|r| !found.iter().any(|(id, _)| *id == r.id)) {
        let (name, media, content) = store.read(|c| evidence(c, row.evidence_id))?;
        let token = match &row.upload_token {
            Some(t) => t.clone(),
            None => match srv.client.upload(&name, content).await {
                Ok(t) => {
                    set_upload_token(store, row.id, Some(&t), now)?;
                    t
                }
                Err(f) if !f.transient => {
                    rejected.push((row.id, f.error.to_string()));
                    refused.push(name);
                    continue;
                }
                Err(f) => return Err(f.into()),
            },
        };
        uploads.push(
            json!({"token": token, "filename": name, "content_type": media, "description": format!("{mk} evidence")}),
        );
    }

    let transition = w.row(OutboxKind::Transition);
    let target = transition.and_then(|t| t.target_status.clone());
    let mut target_id = None;
    if let (Some(t), Some(name)) = (transition, &target) {
        if !issue.status.name.eq_ignore_ascii_case(name) {
            match srv.status_id(name).await? {
                Some(id) => target_id = Some(id),
                None => rejected.push((
                    t.id,
                    format!(
                        "the server has no status named {name:?}; fix validation.transitions in the source's config"
                    ),
                )),
            }
        }
    }

    let mut fields = serde_json::Map::new();
    if comment_pending && !on_server {
        let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
        fields.insert("notes".into(), json!(comment_text(&w.v, &mk, &refused)));
    }
    if !uploads.is_empty() {
        fields.insert("uploads".into(), json!(uploads));
    }
    let mut transition_error = None;
    let wrote = !fields.is_empty() || target_id.is_some();
    if wrote {
        if let Some(id) = target_id {
            fields.insert("status_id".into(), json!(id));
        }
        match srv.client.update_issue(rid, serde_json::Value::Object(fields.clone())).await {
            Ok(()) => {}
            Err(f) if !f.transient && target_id.is_some() && f.error.code() == crate::ErrorCode::InvalidInput => {
                // The transition made the update invalid: send the rest without it.
                transition_error = Some(f.error.to_string());
                fields.remove("status_id");
                if !fields.is_empty() {
                    srv.client.update_issue(rid, serde_json::Value::Object(fields)).await.inspect_err(|_| {
                        clear_tokens(store, &attachments, now);
                    })?;
                }
            }
            Err(f) => {
                if !f.transient {
                    clear_tokens(store, &attachments, now);
                }
                return Err(f.into());
            }
        }
    }

    let after = if wrote { srv.client.issue(rid).await? } else { issue };
    settle(store, w, &after, &mk, &attachments, rejected, target_id.is_some(), transition_error, now)?;
    Ok(item_of(store, w, None)?)
}

fn clear_tokens(store: &Store, rows: &[&Row], now: DateTime<Utc>) {
    for r in rows {
        let _ = set_upload_token(store, r.id, None, now);
    }
}
