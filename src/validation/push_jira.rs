//! Pushing one validation to Jira Cloud, exactly once.
//!
//! Jira has no atomic "comment + attachments + status" update, so the
//! writes go one by one, each behind a read of what is already there:
//!
//! 1. read the issue (status, attachments) and its comments; a comment
//!    holding the validation's marker is never posted again;
//! 2. attach the evidence files not there yet. Jira attachments carry no
//!    description, so the marker goes into the file name:
//!    `hc-<first 8 characters of the validation's uuid>-<file name>`; a row
//!    counts as there when an attachment of that name and size exists;
//! 3. post the comment (ADF: plain paragraphs, the marker in the text);
//! 4. move the ticket: `GET /transitions`, the one whose `to.name` is the
//!    target status (ids differ per site), skipped when the ticket already
//!    shows it; when none leads there the transition row is rejected naming
//!    the offered ones, and the comment still lands;
//! 5. read back and mark each row from what Jira shows (the same settling
//!    as Redmine's, over the issue seen as a [`RemoteIssue`]).
//!
//! Before any write, while the comment is not there: when the issue's
//! `updated` is newer than what the validator saw, the changelog and the
//! comments since then are read, and a change by another account (or a
//! comment of ours without the marker) holds the validation back as a
//! conflict, as for Redmine; this account's own attachments and
//! transitions (an earlier attempt's, cut short) are not a conflict.
//!
//! A timeout after Jira took a write leaves the rows pending; the retry
//! starts again at 1 and finds the marker.

use chrono::{DateTime, Utc};

use super::comment::{changed_by_others, comment_text, Change};
use super::jira::{JiraIssue, JiraWriter};
use super::push::{hold_back, item_of, Fail, PushItem, Work};
use super::settle::{commented, settle};
use super::push_vendor::{file_name, file_prefix, refusal, upload_missing};
use super::redmine::{HttpFailure, HttpResult, NamedRef, RemoteAttachment, RemoteIssue, RemoteJournal};
use super::{marker, OutboxKind};
use crate::{Error, Store};

/// Push one validation's pending rows to Jira. HTTP failures come back as
/// `Fail::Http` for the caller to defer or reject.
pub(super) async fn push_one(
    store: &Store,
    jira: &JiraWriter,
    w: &Work,
    now: DateTime<Utc>,
) -> std::result::Result<PushItem, Fail> {
    let mk = marker(&w.v.uuid);
    let rid = w.remote_id.as_str();
    let before = read(jira, w, &mk).await?;
    let on_server = commented(&before, &mk);
    if w.check_conflict(on_server) {
        if let Some(reason) = conflict(jira, w, &before).await? {
            return Ok(hold_back(store, w, reason, now)?);
        }
    }

    let attachments = w.attachment_rows();
    let uuid = w.v.uuid.as_str();
    let up = upload_missing(store, &before, &mk, &attachments, |name, media, content| async move {
        jira.upload(rid, &file_name(uuid, &name), &media, content).await
    })
    .await?;
    let mut rejected = up.rejected;
    let mut wrote = !up.sent.is_empty();
    if w.row(OutboxKind::Comment).is_some() && !on_server {
        let refused: Vec<&str> = up.refused.iter().map(String::as_str).collect();
        jira.add_comment(rid, &comment_text(&w.v, &mk, &refused)).await?;
        wrote = true;
    }
    let (transition_sent, transition_error) = transition(jira, w, &before, &mut rejected).await?;

    let after = if wrote || transition_sent { read(jira, w, &mk).await? } else { before };
    settle(store, w, &after, &mk, &attachments, rejected, transition_sent, transition_error, now)?;
    Ok(item_of(store, w, None)?)
}

/// Why pushing would overwrite someone else's change, if it would: when
/// the issue's `updated` is newer than what the validator saw, its
/// changelog and comments since then that are not this account's own
/// follow-ups (Redmine's rule, [`changed_by_others`]).
async fn conflict(jira: &JiraWriter, w: &Work, before: &RemoteIssue) -> HttpResult<Option<String>> {
    if before.updated_on.timestamp() <= w.seen_updated_at {
        return Ok(None);
    }
    let me = jira.me().await?.to_string();
    let mut changes: Vec<Change> = jira
        .changelog(&w.remote_id)
        .await?
        .into_iter()
        .map(|h| Change {
            at: h.created,
            by_me: h.author.account_id == me,
            who: h.author.display_name,
            notes: None,
            what: h.fields.iter().map(|f| field_change(f)).collect(),
        })
        .collect();
    changes.extend(jira.comments(&w.remote_id).await?.into_iter().map(|c| Change {
        at: c.created,
        by_me: c.author.account_id == me,
        who: c.author.display_name,
        notes: Some(c.text),
        what: vec![],
    }));
    Ok(changed_by_others(&format!("issue {}", w.v.ticket_key), before.updated_on, w.seen_updated_at, &changes))
}

/// A changelog item's field, said as the conflict message says it.
fn field_change(field: &str) -> &'static str {
    match field.to_ascii_lowercase().as_str() {
        "status" | "resolution" => "status changed",
        "assignee" => "reassigned",
        "priority" => "priority changed",
        "attachment" => "file attached",
        _ => "fields changed",
    }
}

/// Move the ticket to the transition row's target status, if it is not
/// there yet. Returns whether a transition was posted and, when Jira
/// refused it, why. No transition leading there rejects the row.
async fn transition(
    jira: &JiraWriter,
    w: &Work,
    before: &RemoteIssue,
    rejected: &mut Vec<(i64, String)>,
) -> HttpResult<(bool, Option<String>)> {
    let Some(row) = w.row(OutboxKind::Transition) else { return Ok((false, None)) };
    let Some(name) = row.target_status.as_deref() else { return Ok((false, None)) };
    if before.status.name.eq_ignore_ascii_case(name) {
        return Ok((false, None));
    }
    let offered = jira.transitions(&w.remote_id).await?;
    let Some(t) = offered.iter().find(|t| t.to.name.eq_ignore_ascii_case(name)) else {
        let list: Vec<String> = offered.iter().map(|t| format!("{:?} → {:?}", t.name, t.to.name)).collect();
        let list = if list.is_empty() { "none".to_string() } else { list.join(", ") };
        rejected.push((
            row.id,
            format!(
                "Jira offers no transition to {name:?} from {:?} to this account (offered: {list}); move the ticket by hand, or fix validation.transitions in the source's config",
                before.status.name
            ),
        ));
        return Ok((false, None));
    };
    match jira.transition(&w.remote_id, &t.id).await {
        Ok(()) => Ok((true, None)),
        Err(f) if refusal(&f) => Ok((
            true,
            Some(format!("{} (a transition screen may require fields); move the ticket by hand", f.error)),
        )),
        Err(f) => Err(f),
    }
}

/// The issue and (when the comment is pending) its comments, seen as the
/// [`RemoteIssue`] push settles over: comments are journals, and an
/// attachment named with this validation's prefix is one of its files
/// (original name, the marker as description).
async fn read(jira: &JiraWriter, w: &Work, mk: &str) -> HttpResult<RemoteIssue> {
    let issue = jira.issue(&w.remote_id).await?;
    let comments = if w.row(OutboxKind::Comment).is_some() { jira.comments(&w.remote_id).await? } else { vec![] };
    let journals = comments
        .into_iter()
        .map(|c| {
            Ok(RemoteJournal { id: id_of(&c.id, "comment")?, user: None, notes: Some(c.text), created_on: c.created, details: vec![] })
        })
        .collect::<HttpResult<Vec<_>>>()?;
    as_remote(issue, journals, &file_prefix(&w.v.uuid), mk)
}

fn as_remote(issue: JiraIssue, journals: Vec<RemoteJournal>, prefix: &str, mk: &str) -> HttpResult<RemoteIssue> {
    let attachments = issue
        .attachments
        .into_iter()
        .map(|a| {
            let ours = a.filename.strip_prefix(prefix).map(String::from);
            Ok(RemoteAttachment {
                id: id_of(&a.id, "attachment")?,
                description: ours.as_ref().map(|_| mk.to_string()),
                filename: ours.unwrap_or(a.filename),
                filesize: a.size,
            })
        })
        .collect::<HttpResult<Vec<_>>>()?;
    Ok(RemoteIssue {
        id: 0,
        status: NamedRef { id: id_of(&issue.status.id, "status")?, name: issue.status.name },
        updated_on: issue.updated,
        journals,
        attachments,
        project: None,
        category: None,
        custom_fields: vec![],
    })
}

fn id_of(id: &str, what: &str) -> HttpResult<i64> {
    id.parse().map_err(|_| HttpFailure {
        error: Error::BadResponse(format!("Jira sent a {what} id {id:?}, which is not a number")),
        transient: false,
        retry_after: None,
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::jira::{JiraAttachment, JiraStatus};

    #[test]
    fn only_files_named_with_this_validations_prefix_are_its_evidence() {
        let prefix = file_prefix("0b7e21c4-9f3a-4d5e-8c1b-2a3b4c5d6e7f");
        assert_eq!(file_name("0b7e21c4-9f3a", "shot.png"), "hc-0b7e21c4-shot.png");
        let att = |id: &str, name: &str| JiraAttachment { id: id.into(), filename: name.into(), size: 3 };
        let issue = JiraIssue {
            status: JiraStatus { id: "3".into(), name: "Resolved".into() },
            updated: Utc::now(),
            attachments: vec![att("1", "hc-0b7e21c4-shot.png"), att("2", "shot.png"), att("3", "hc-ffffffff-shot.png")],
        };
        let r = as_remote(issue, vec![], &prefix, "[mk]").unwrap();
        let ours: Vec<(i64, &str)> =
            r.attachments.iter().filter(|a| a.description.is_some()).map(|a| (a.id, a.filename.as_str())).collect();
        assert_eq!(ours, vec![(1, "shot.png")]);
        let bad = JiraIssue { status: JiraStatus { id: "x".into(), name: "Done".into() }, updated: Utc::now(), attachments: vec![] };
        assert!(as_remote(bad, vec![], &prefix, "[mk]").is_err());
    }
}
