//! Pushing confirmed triage categories (outbox rows of kind `category`).
//!
//! Per row: read the issue first; when it already shows the value (a push
//! that timed out after the server took it, or someone set it by hand), the
//! row is sent without writing again. When it shows another value than the
//! one the store had synced when the user confirmed (`base_value`), someone
//! else changed it in the meantime: nothing is written, the row becomes
//! `conflict` naming both values, and the user chooses to overwrite or keep
//! the server's ([`crate::triage::category_conflict`]). Otherwise resolve the name (an issue
//! category of the issue's project, by name), write it in one issue update,
//! and read back: Redmine silently ignores a custom field the issue's
//! tracker does not have, so a write only counts when the server shows it.
//! Failures are handled as for validations (`push::settle_failure`):
//! offline and 5xx stay pending with a backoff, other refusals are rejected
//! with the server's reason and never hold up the rest.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::json;

use super::outbox::{defer, set_conflict, set_state};
use super::push::{settle_failure, target_for, CategoryPushItem, PushOptions, PushReport, Server, Servers, Target, Writer};
use super::redmine::{HttpFailure, RemoteIssue};
use super::OutboxState;
use crate::model::Source;
use crate::store::{query_all, to_ts};
use crate::triage::category_push::{field_text, same_value, CategoryTarget};
use crate::{Result, Store};

/// One due category row.
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) source_id: i64,
    pub(super) remote_id: String,
    pub(super) ticket_key: String,
    pub(super) field: String,
    pub(super) value: String,
    /// The server's value the store had synced when the user confirmed
    /// ("" = none); `None`: unknown, no conflict check.
    pub(super) base_value: Option<String>,
    /// The user chose to overwrite whatever the server shows.
    pub(super) force: bool,
}

fn due_rows(c: &Connection, now: DateTime<Utc>, force: bool) -> Result<Vec<Row>> {
    query_all(
        c,
        "SELECT o.id, t.source_id, t.remote_id, t.key, o.target_field, o.target_value, o.base_value, o.force
         FROM outbox o JOIN tickets t ON t.id = o.ticket_id
         WHERE o.kind = 'category' AND o.state = 'pending' AND (o.next_attempt_at <= ?1 OR ?2)
         ORDER BY o.id",
        rusqlite::params![to_ts(now), force],
        |r| {
            let (id, source_id, remote_id, ticket_key) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let (field, value, base_value, force) = (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
            Ok(Row { id, source_id, remote_id, ticket_key, field, value, base_value, force })
        },
    )
}

/// Push every due category row, adding to `report`.
pub(super) async fn push_categories(
    store: &Store,
    servers: &mut Servers,
    token_for: &(dyn Fn(&Source) -> Option<String> + Sync),
    opts: &PushOptions,
    now: DateTime<Utc>,
    report: &mut PushReport,
) -> Result<()> {
    for row in store.read(|c| due_rows(c, now, opts.force))? {
        let target = target_for(store, servers, row.source_id, token_for, opts.timeout)?;
        let (state, message) = match target {
            Target::Unsupported(reason) => {
                set_state(store, &[row.id], OutboxState::Rejected, Some(reason), None, now)?;
                (OutboxState::Rejected, Some(reason.clone()))
            }
            Target::Stopped(reason) => {
                // Each waiting row says why, and waits out the backoff.
                let msg = reason.clone();
                defer(store, &[row.id], &msg, None, now)?;
                report.stop(&msg);
                (OutboxState::Pending, Some(msg))
            }
            Target::Ready(w) => match push_one(w, &row).await {
                Ok(Outcome::Sent(remote_ref)) => {
                    set_state(store, &[row.id], OutboxState::Sent, None, Some(&remote_ref), now)?;
                    (OutboxState::Sent, None)
                }
                Ok(Outcome::Conflict { server, reason }) => {
                    set_conflict(store, row.id, &reason, &server, now)?;
                    (OutboxState::Conflict, Some(reason))
                }
                Ok(Outcome::Refused(reason)) => {
                    set_state(store, &[row.id], OutboxState::Rejected, Some(&reason), None, now)?;
                    (OutboxState::Rejected, Some(reason))
                }
                Err(f) => {
                    let msg = settle_failure(store, &[row.id], &f, target, report, now)?;
                    let state = if f.transient || f.stops_server() { OutboxState::Pending } else { OutboxState::Rejected };
                    (state, Some(msg))
                }
            },
        };
        report.count(state);
        report.categories.push(CategoryPushItem {
            outbox_id: row.id,
            ticket_key: row.ticket_key,
            value: row.value,
            state,
            message,
        });
    }
    Ok(())
}

pub(super) enum Outcome {
    /// On the server now; the reference (category id or field) to keep.
    Sent(String),
    /// The server cannot take it as configured; why.
    Refused(String),
    /// Someone else set another value on the server since the user confirmed.
    Conflict { server: String, reason: String },
}

/// What the issue shows for the target, as a reference when it holds `value`.
fn shows(issue: &RemoteIssue, target: &CategoryTarget, value: &str) -> Option<String> {
    match target {
        CategoryTarget::IssueCategory => {
            issue.category.as_ref().filter(|c| c.name.eq_ignore_ascii_case(value)).map(|c| format!("issue_category:{}", c.id))
        }
        CategoryTarget::CustomField(id) => {
            issue.custom_fields.iter().find(|f| f.id == *id && f.holds(value)).map(|_| format!("custom_field:{id}"))
        }
        CategoryTarget::Field(_) => None,
    }
}

/// The issue's value for the target ("" = none).
fn current_value(issue: &RemoteIssue, target: &CategoryTarget) -> String {
    match target {
        CategoryTarget::IssueCategory => issue.category.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        CategoryTarget::CustomField(id) => {
            issue.custom_fields.iter().find(|f| f.id == *id).map(|f| field_text(&f.value)).unwrap_or_default()
        }
        CategoryTarget::Field(_) => String::new(),
    }
}

/// A conflict when `ticket` (not showing ours) shows `server`, another
/// value than the store had synced when the user confirmed, unless the
/// user chose to overwrite it.
pub(super) fn conflict(server: String, target: &CategoryTarget, ticket: &str, row: &Row) -> Option<Outcome> {
    let base = row.base_value.as_deref().filter(|_| !row.force)?;
    if same_value(&server, base) {
        return None;
    }
    let shown = |v: &str| if v.trim().is_empty() { "none".to_string() } else { format!("{v:?}") };
    let reason = format!(
        "{} of {ticket} was changed on the server to {} after you confirmed {:?} (it was {} when you confirmed): \
         overwrite it with yours, or keep the server's",
        capitalised(&target.describe()),
        shown(&server),
        row.value,
        shown(base),
    );
    Some(Outcome::Conflict { server, reason })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Push one row to its source's server: Redmine here, the others in
/// [`super::push_category_vendor`].
async fn push_one(w: &mut Writer, row: &Row) -> std::result::Result<Outcome, HttpFailure> {
    let Some(target) = CategoryTarget::parse_field(&row.field) else {
        return Ok(Outcome::Refused(format!("unknown category target {:?} in the outbox row", row.field)));
    };
    match w {
        Writer::Redmine(srv) => push_redmine(srv, row, &target).await,
        w => super::push_category_vendor::push_one(w, row, &target).await,
    }
}

async fn push_redmine(srv: &mut Server, row: &Row, target: &CategoryTarget) -> std::result::Result<Outcome, HttpFailure> {
    let rid = row.remote_id.as_str();
    let issue = srv.client.issue(rid).await?;
    if let Some(r) = shows(&issue, target, &row.value) {
        return Ok(Outcome::Sent(r));
    }
    if let Some(c) = conflict(current_value(&issue, target), target, &format!("issue #{rid}"), row) {
        return Ok(c);
    }
    let fields = match target {
        CategoryTarget::IssueCategory => {
            let Some(project) = issue.project.as_ref() else {
                return Ok(Outcome::Refused(format!("issue #{rid} shows no project to look its categories up in")));
            };
            if !srv.categories.contains_key(&project.id) {
                let list = srv.client.issue_categories(&project.id.to_string()).await?;
                srv.categories.insert(project.id, list);
            }
            let found = srv.categories.get(&project.id).and_then(|l| l.iter().find(|c| c.name.eq_ignore_ascii_case(&row.value)));
            match found {
                Some(c) => json!({ "category_id": c.id }),
                None => {
                    return Ok(Outcome::Refused(format!(
                        "project {:?} has no issue category named {:?}: create it on the server \
                         (project settings → issue categories), or map the category to an existing name \
                         in the source's triage.category_push.values; then retry",
                        project.name, row.value
                    )))
                }
            }
        }
        CategoryTarget::CustomField(id) => json!({ "custom_fields": [{ "id": id, "value": row.value }] }),
        CategoryTarget::Field(name) => {
            return Ok(Outcome::Refused(format!("a Redmine issue has no field {name:?}: use issue_category or custom_field:ID")))
        }
    };
    srv.client.update_issue(rid, fields).await?;
    let after = srv.client.issue(rid).await?;
    if let Some(r) = shows(&after, target, &row.value) {
        return Ok(Outcome::Sent(r));
    }
    Ok(Outcome::Refused(format!(
        "the server did not apply {} = {:?} to issue #{rid}: {}",
        target.describe(),
        row.value,
        match target {
            CategoryTarget::IssueCategory => "this account may not set the category".to_string(),
            CategoryTarget::CustomField(id) =>
                format!("custom field #{id} is not enabled for this issue's tracker and project, or this account may not edit it"),
            CategoryTarget::Field(_) => String::new(),
        }
    )))
}
