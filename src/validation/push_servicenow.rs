//! Pushing one validation to ServiceNow, exactly once.
//!
//! 1. read the record (state as value and label), its additional comments
//!    (`sys_journal_field`, `element=comments`) when the comment is
//!    pending, and its attachments when evidence is pending; a comment
//!    holding the validation's marker is never posted again;
//! 2. upload the evidence files not there yet (`POST /api/now/attachment/file`).
//!    Attachments carry no description, so the marker goes into the file
//!    name, as for Jira (the same naming): `hc-<first 8 characters of the uuid>-<file name>`;
//! 3. ONE `PATCH /api/now/table/{table}/{sys_id}` with `comments` (the text
//!    with the marker) and `state`, like Redmine's one update. The comment
//!    goes to **additional comments**, not work notes: the validator is the
//!    business process owner the incident is about, the sync reads
//!    `comments` by default (so the desk shows the validation), and the
//!    marker check reads the same journal. The state is the source's
//!    `validation.transitions` target: a number (`"6"`) is sent as the
//!    choice value, anything else (`"Resolved"`) as its label with
//!    `sysparm_input_display_value=true`. When the `PATCH` is refused with
//!    the state in it (a data policy, a mandatory close code), it is sent
//!    again without the state and the transition row is rejected with the
//!    reason;
//! 4. read back and mark each row from what ServiceNow shows (Redmine's
//!    settling, over the record seen as a [`RemoteIssue`]); a state the
//!    instance did not apply (business rules may silently ignore it) is
//!    rejected, naming the state the record stays in.
//!
//! Before any write, while the comment is not there: when `sys_updated_on`
//! is newer than what the validator saw, a comment or the record's last
//! update by another user (`sys_created_by`, `sys_updated_by`) holds the
//! validation back as a conflict, as for Redmine; the secret's own user's
//! writes (an earlier attempt's uploads) are not a conflict.
//!
//! A timeout after ServiceNow took the `PATCH` leaves the rows pending; the
//! retry starts again at 1 and finds the marker. sys_ids are not numbers:
//! the outbox records a comment's or attachment's position instead.

use chrono::{DateTime, Utc};
use serde_json::{json, Map};

use super::comment::{changed_by_others, comment_text, Change};
use super::push::{hold_back, item_of, Fail, PushItem, Work};
use super::settle::{commented, settle};
use super::push_vendor::{file_name, file_prefix, refusal, upload_missing};
use super::redmine::{HttpResult, NamedRef, RemoteAttachment, RemoteIssue, RemoteJournal};
use super::servicenow::SnWriter;
use super::{marker, OutboxKind};
use crate::Store;

/// Push one validation's pending rows to ServiceNow. HTTP failures come
/// back as `Fail::Http` for the caller to defer or reject.
pub(super) async fn push_one(
    store: &Store,
    sn: &SnWriter,
    w: &Work,
    now: DateTime<Utc>,
) -> std::result::Result<PushItem, Fail> {
    let mk = marker(&w.v.uuid);
    let rid = w.remote_id.as_str();
    let (before, updated_by) = read(sn, w, &mk).await?;
    let on_server = commented(&before, &mk);
    if w.check_conflict(on_server) {
        if let Some(reason) = conflict(sn, w, &before, &updated_by) {
            return Ok(hold_back(store, w, reason, now)?);
        }
    }

    let attachments = w.attachment_rows();
    let uuid = w.v.uuid.as_str();
    let up = upload_missing(store, &before, &mk, &attachments, |name, media, content| async move {
        sn.upload(rid, &file_name(uuid, &name), &media, content).await
    })
    .await?;
    let mut wrote = !up.sent.is_empty();

    let mut fields = Map::new();
    if w.row(OutboxKind::Comment).is_some() && !on_server {
        let refused: Vec<&str> = up.refused.iter().map(String::as_str).collect();
        fields.insert("comments".into(), json!(comment_text(&w.v, &mk, &refused)));
    }
    let state = w.row(OutboxKind::Transition).and_then(|r| r.target_status.as_deref());
    let state = state.filter(|s| !before.status.name.eq_ignore_ascii_case(s));
    let labels = state.is_some_and(|s| !is_value(s));
    if let Some(s) = state {
        fields.insert("state".into(), json!(s));
    }
    let mut transition_error = None;
    if !fields.is_empty() {
        match sn.update(rid, &fields, labels).await {
            Ok(()) => {}
            Err(f) if refusal(&f) && state.is_some() => {
                transition_error = Some(format!("{}; move the ticket by hand", f.error));
                fields.remove("state");
                if !fields.is_empty() {
                    sn.update(rid, &fields, false).await?;
                }
            }
            Err(f) => return Err(f.into()),
        }
        wrote = true;
    }

    let after = if wrote { read(sn, w, &mk).await?.0 } else { before };
    settle(store, w, &after, &mk, &attachments, up.rejected, state.is_some(), transition_error, now)?;
    Ok(item_of(store, w, None)?)
}

/// Why pushing would overwrite someone else's change, if it would
/// (Redmine's rule, [`changed_by_others`]): the comments since the
/// validator saw the record, and the record's last update
/// (`sys_updated_on` by `sys_updated_by`) when no comment explains it.
/// Ours are by the secret's user; a bearer token names no user, so then
/// every change counts as someone else's.
fn conflict(sn: &SnWriter, w: &Work, before: &RemoteIssue, updated_by: &str) -> Option<String> {
    let mine = |who: &str| sn.user().is_some_and(|me| me.eq_ignore_ascii_case(who));
    let mut changes: Vec<Change> = before
        .journals
        .iter()
        .map(|j| {
            let who = j.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
            Change { at: j.created_on, by_me: mine(&who), who, notes: j.notes.clone(), what: vec![] }
        })
        .collect();
    let explained =
        changes.iter().any(|c| c.who == updated_by && (c.at - before.updated_on).num_seconds().abs() <= 1);
    if !explained {
        let who = if updated_by.is_empty() { "someone".to_string() } else { updated_by.to_string() };
        changes.push(Change { at: before.updated_on, by_me: mine(updated_by), who, notes: None, what: vec!["fields changed"] });
    }
    changed_by_others(&format!("{} {}", sn.table(), w.v.ticket_key), before.updated_on, w.seen_updated_at, &changes)
}

/// A state written as its choice value (a number) rather than its label.
fn is_value(state: &str) -> bool {
    !state.is_empty() && state.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// The record, its comments and attachments (each only when a row needs
/// them) seen as the [`RemoteIssue`] push settles over, and who updated
/// the record last. The status name is the state's value when the target
/// state is written as a value, else its label, so settling compares like
/// with like; a comment's author is its journal's user (by name).
async fn read(sn: &SnWriter, w: &Work, mk: &str) -> HttpResult<(RemoteIssue, String)> {
    let rid = w.remote_id.as_str();
    let rec = sn.record(rid).await?;
    let comments = if w.row(OutboxKind::Comment).is_some() { sn.comments(rid).await? } else { vec![] };
    let files = if w.row(OutboxKind::Attachment).is_some() { sn.attachments(rid).await? } else { vec![] };
    let by_value = w.row(OutboxKind::Transition).and_then(|r| r.target_status.as_deref()).is_some_and(is_value);
    let prefix = file_prefix(&w.v.uuid);
    let journals = (1..)
        .zip(comments)
        .map(|(i, c)| RemoteJournal {
            id: i,
            user: Some(NamedRef { id: 0, name: c.by }),
            notes: Some(c.text),
            created_on: c.created,
            details: vec![],
        })
        .collect();
    let attachments = (1..)
        .zip(files)
        .map(|(i, a)| {
            let ours = a.file_name.strip_prefix(&prefix).map(String::from);
            RemoteAttachment {
                id: i,
                description: ours.as_ref().map(|_| mk.to_string()),
                filename: ours.unwrap_or(a.file_name),
                filesize: a.size,
            }
        })
        .collect();
    let name = if by_value { rec.state_value.clone() } else { rec.state_label.clone() };
    let issue = RemoteIssue {
        id: 0,
        status: NamedRef { id: rec.state_value.parse().unwrap_or(0), name },
        updated_on: rec.updated,
        journals,
        attachments,
        project: None,
        category: None,
        custom_fields: vec![],
    };
    Ok((issue, rec.updated_by))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_values_when_numeric() {
        assert!(is_value("6") && is_value("-5"));
        assert!(!is_value("Resolved") && !is_value("") && !is_value("In Progress"));
    }
}
