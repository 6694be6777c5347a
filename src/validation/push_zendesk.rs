//! Pushing one validation to Zendesk Support, exactly once.
//!
//! Zendesk writes a comment, its files and a status change in ONE ticket
//! update, like Redmine's issue update, so the steps are Redmine's:
//!
//! 1. read the ticket (status) and its comments; a comment holding the
//!    validation's marker is never posted again, and the files attached to
//!    a marked comment are the validation's evidence (matched by name and
//!    size, so they need no marker of their own);
//! 2. upload the evidence not there yet (`POST /api/v2/uploads.json`,
//!    tokens are not kept: an unused upload expires on its own);
//! 3. `PUT /api/v2/tickets/{id}.json` with the comment (marker in the
//!    text, the upload tokens) and the status. The comment is an **internal
//!    note** (`public: false`): a fix validation is the project team's
//!    business, and a public reply would e-mail the requester;
//! 4. read back and mark each row from what Zendesk shows.
//!
//! Status: `validation.transitions` names map to Zendesk's fixed statuses
//! by [`zendesk_status`] ("Closed" → solved, as closed cannot be set by the
//! API; "In Progress" → open); a name with no Zendesk status rejects the
//! transition row, naming the valid ones, and the comment still lands. A
//! 422 on the update with a status is retried once without it (the status
//! row is rejected with Zendesk's reason); a 422 without one (a closed
//! ticket) rejects the validation with the reason.
//!
//! Before any write, while the comment is not there: when the ticket's
//! `updated_at` is newer than what the validator saw, its audits since then
//! are read, and an update by another user (or a comment of ours without
//! the marker) holds the validation back as a conflict, as for Redmine.
//!
//! A timeout after Zendesk took the update leaves the rows pending; the
//! retry starts again at 1 and finds the marker.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::comment::{changed_by_others, comment_text, Change};
use super::push::{hold_back, item_of, Fail, PushItem, Work};
use super::settle::{commented, settle};
use super::push_vendor::upload_missing;
use super::redmine::{HttpFailure, HttpResult, NamedRef, RemoteAttachment, RemoteIssue, RemoteJournal};
use super::zendesk::{zendesk_status, ZdComment, ZdTicket, ZendeskWriter};
use super::{marker, OutboxKind};
use crate::{Error, ErrorCode, Store};

/// Zendesk's statuses, in order; a status's reference is its place here.
const STATUSES: [&str; 6] = ["new", "open", "pending", "hold", "solved", "closed"];

/// Push one validation's pending rows to Zendesk. HTTP failures come back
/// as `Fail::Http` for the caller to defer or reject.
pub(super) async fn push_one(
    store: &Store,
    zd: &ZendeskWriter,
    w: &Work,
    now: DateTime<Utc>,
) -> std::result::Result<PushItem, Fail> {
    let mk = marker(&w.v.uuid);
    let rid = w.remote_id.as_str();
    let mut rejected: Vec<(i64, String)> = Vec::new();
    let target = target(w, &mut rejected);
    let before = read(zd, w, &mk, target).await?;
    let comment_pending = w.row(OutboxKind::Comment).is_some();
    let on_server = commented(&before, &mk);

    if w.check_conflict(on_server) {
        if let Some(reason) = conflict(zd, w, &before).await? {
            return Ok(hold_back(store, w, reason, now)?);
        }
    }

    let attachments = w.attachment_rows();
    let up = upload_missing(store, &before, &mk, &attachments, |name, media, content| async move {
        zd.upload(&name, &media, content).await
    })
    .await?;
    rejected.extend(up.rejected);
    let (names, tokens): (Vec<String>, Vec<String>) = up.sent.into_iter().unzip();
    let refused = up.refused;

    let body = if comment_pending && !on_server {
        let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
        Some(comment_text(&w.v, &mk, &refused))
    } else if !tokens.is_empty() {
        // The comment is there but files are missing: they need a comment to land with.
        Some(format!("Evidence: {}\n\n{mk}", names.join(", ")))
    } else {
        None
    };
    let mut fields = serde_json::Map::new();
    if let Some(body) = body {
        fields.insert("comment".into(), json!({"body": body, "public": false, "uploads": tokens}));
    }
    let status = target.filter(|_| !before.status.name.eq_ignore_ascii_case(target_name(w)));
    let wrote = !fields.is_empty() || status.is_some();
    let (status_sent, transition_error) = update(zd, rid, fields, status).await?;
    let after = if wrote { read(zd, w, &mk, target).await? } else { before };
    settle(store, w, &after, &mk, &attachments, rejected, status_sent, transition_error, now)?;
    Ok(item_of(store, w, None)?)
}

/// Why pushing would overwrite someone else's change, if it would: when
/// the ticket's `updated_at` is newer than what the validator saw, its
/// audits since then that are not this account's own follow-ups
/// (Redmine's rule, [`changed_by_others`]). An audit is one update: its
/// comment event is the change's notes, its field changes the rest.
async fn conflict(zd: &ZendeskWriter, w: &Work, before: &RemoteIssue) -> HttpResult<Option<String>> {
    if before.updated_on.timestamp() <= w.seen_updated_at {
        return Ok(None);
    }
    let me = zd.me().await?;
    let (audits, users) = zd.audits(&w.remote_id).await?;
    let mut changes = Vec::new();
    for a in audits {
        let comment = a.events.iter().find(|e| e.kind == "Comment").and_then(|e| e.body.clone());
        let what = a
            .events
            .iter()
            .filter(|e| e.kind == "Change")
            .map(|e| match e.field_name.as_deref().unwrap_or("") {
                "status" => "status changed",
                "assignee_id" | "group_id" => "reassigned",
                "priority" => "priority changed",
                _ => "fields changed",
            })
            .collect();
        let author = a.author_id.unwrap_or_default();
        let who = users.iter().find(|u| u.id == author).map_or_else(|| format!("user {author}"), |u| u.name.clone());
        changes.push(Change { at: time(&a.created_at)?, by_me: author == me, who, notes: comment, what });
    }
    Ok(changed_by_others(&format!("ticket {}", w.v.ticket_key), before.updated_on, w.seen_updated_at, &changes))
}

/// The configured name of the transition row's target (what settle compares).
fn target_name(w: &Work) -> &str {
    w.row(OutboxKind::Transition).and_then(|r| r.target_status.as_deref()).unwrap_or("")
}

/// The transition row's target as a Zendesk status; a name Zendesk has no status for rejects the row.
fn target(w: &Work, rejected: &mut Vec<(i64, String)>) -> Option<&'static str> {
    let row = w.row(OutboxKind::Transition)?;
    let name = row.target_status.as_deref()?;
    match zendesk_status(name) {
        Ok(s) => Some(s),
        Err(reason) => {
            rejected.push((row.id, reason));
            None
        }
    }
}

/// The one ticket update. Returns whether a status was sent and, when
/// Zendesk refused the update because of it, why (the rest is then sent
/// without it).
async fn update(
    zd: &ZendeskWriter,
    rid: &str,
    mut fields: serde_json::Map<String, Value>,
    status: Option<&str>,
) -> HttpResult<(bool, Option<String>)> {
    if fields.is_empty() && status.is_none() {
        return Ok((false, None));
    }
    if let Some(s) = status {
        fields.insert("status".into(), json!(s));
    }
    match zd.update(rid, Value::Object(fields.clone())).await {
        Ok(()) => Ok((status.is_some(), None)),
        Err(f) if status.is_some() && !f.transient && f.error.code() == ErrorCode::InvalidInput => {
            fields.remove("status");
            if !fields.is_empty() {
                zd.update(rid, Value::Object(fields)).await?;
            }
            Ok((true, Some(f.error.to_string())))
        }
        Err(f) => Err(f),
    }
}

/// The ticket and its comments, seen as the [`RemoteIssue`] push settles
/// over: comments are journals; the files of comments holding the marker
/// are the validation's (the marker as description). The status shows as
/// the configured target name when Zendesk's status is the one it maps to.
async fn read(zd: &ZendeskWriter, w: &Work, mk: &str, target: Option<&'static str>) -> HttpResult<RemoteIssue> {
    let ticket = zd.ticket(&w.remote_id).await?;
    let comments = zd.comments(&w.remote_id).await?;
    let shown = match target {
        Some(s) if s == ticket.status => target_name(w).to_string(),
        _ => ticket.status.clone(),
    };
    as_remote(ticket, comments, mk, shown)
}

fn as_remote(ticket: ZdTicket, comments: Vec<ZdComment>, mk: &str, shown: String) -> HttpResult<RemoteIssue> {
    let status_id = STATUSES.iter().position(|s| *s == ticket.status).map_or(0, |i| i as i64 + 1);
    let mut attachments = Vec::new();
    let mut journals = Vec::new();
    for c in comments {
        if c.holds(mk) {
            attachments.extend(c.attachments.iter().map(|a| RemoteAttachment {
                id: a.id,
                filename: a.file_name.clone(),
                filesize: a.size,
                description: Some(mk.to_string()),
            }));
        }
        let text = c.plain_body.clone().or(c.body.clone());
        journals.push(RemoteJournal { id: c.id, user: None, notes: text, created_on: time(&c.created_at)?, details: vec![] });
    }
    Ok(RemoteIssue {
        id: ticket.id,
        status: NamedRef { id: status_id, name: shown },
        updated_on: time(&ticket.updated_at)?,
        journals,
        attachments,
        project: None,
        category: None,
        custom_fields: vec![],
    })
}

fn time(v: &str) -> HttpResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v).map(|t| t.with_timezone(&Utc)).map_err(|e| HttpFailure {
        error: Error::BadResponse(format!("Zendesk sent the time {v:?}, which is not an ISO-8601 time: {e}")),
        transient: false,
        retry_after: None,
        status: None,
    })
}
