//! After a push's writes: each outbox row is marked from what the server
//! shows now (sent with the server's reference, rejected with its reason,
//! or left pending), over the issue as a [`RemoteIssue`] whatever the server.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::outbox::{defer, set_state, set_upload_token};
use super::push::{Row, Work};
use super::redmine::RemoteIssue;
use super::{OutboxKind, OutboxState};
use crate::{Result, Store};

/// Whether the issue shows a comment holding the validation's marker `mk`.
pub(super) fn commented(issue: &RemoteIssue, mk: &str) -> bool {
    issue.journals.iter().any(|j| j.notes.as_deref().is_some_and(|n| n.contains(mk)))
}

/// After the write: mark each row from what the server shows now.
#[allow(clippy::too_many_arguments)]
pub(super) fn settle(
    store: &Store,
    w: &Work,
    after: &RemoteIssue,
    mk: &str,
    attachments: &[&Row],
    rejected: Vec<(i64, String)>,
    transition_sent: bool,
    transition_error: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let journal = after.journals.iter().find(|j| j.notes.as_deref().is_some_and(|n| n.contains(mk)));
    for (id, reason) in &rejected {
        set_state(store, &[*id], OutboxState::Rejected, Some(reason), None, now)?;
    }
    if let Some(row) = w.row(OutboxKind::Comment) {
        match journal {
            Some(j) => set_state(store, &[row.id], OutboxState::Sent, None, Some(&j.id.to_string()), now)?,
            None => defer(store, &[row.id], "the server accepted the comment but does not show it yet", None, now)?,
        }
    }
    let found = match_attachments(store, after, mk, attachments)?;
    for row in attachments {
        if let Some((_, att)) = found.iter().find(|(id, _)| *id == row.id) {
            set_state(store, &[row.id], OutboxState::Sent, None, Some(&att.to_string()), now)?;
        } else if !rejected.iter().any(|(id, _)| *id == row.id) {
            set_upload_token(store, row.id, None, now)?;
            defer(store, &[row.id], "the server accepted the upload but does not show the attachment yet", None, now)?;
        }
    }
    if let (Some(row), Some(name)) =
        (w.row(OutboxKind::Transition), w.row(OutboxKind::Transition).and_then(|r| r.target_status.as_deref()))
    {
        if rejected.iter().any(|(id, _)| *id == row.id) {
            return Ok(());
        }
        if after.status.name.eq_ignore_ascii_case(name) {
            set_state(store, &[row.id], OutboxState::Sent, None, Some(&after.status.id.to_string()), now)?;
        } else if transition_sent {
            let reason = transition_error.unwrap_or_else(|| {
                format!(
                    "the server did not apply the status change to {name:?} (the ticket stays {:?}): its workflow does not allow this transition for this account",
                    after.status.name
                )
            });
            set_state(store, &[row.id], OutboxState::Rejected, Some(&reason), None, now)?;
        } else {
            defer(store, &[row.id], "the status transition has not been applied yet", None, now)?;
        }
    }
    Ok(())
}

/// Which pending attachment rows are already on the server: an attachment
/// whose description carries the marker, with the same file name and size.
/// Each server attachment matches at most one row.
pub(super) fn match_attachments(store: &Store, issue: &RemoteIssue, mk: &str, rows: &[&Row]) -> Result<Vec<(i64, i64)>> {
    let mut taken = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        let (name, size): (String, i64) = store.read(|c| {
            Ok(c.query_row("SELECT file_name, size FROM validation_evidence WHERE id = ?1", [row.evidence_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })?;
        let hit = issue.attachments.iter().find(|a| {
            !taken.contains(&a.id)
                && a.filename == name
                && a.filesize == size
                && a.description.as_deref().is_some_and(|d| d.contains(mk))
        });
        if let Some(a) = hit {
            taken.push(a.id);
            out.push((row.id, a.id));
        }
    }
    Ok(out)
}

pub(super) fn evidence(c: &Connection, id: Option<i64>) -> Result<(String, String, Vec<u8>)> {
    Ok(c.query_row("SELECT file_name, media_type, content FROM validation_evidence WHERE id = ?1", [id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?)
}
