//! Pushing a confirmed category to Jira, ServiceNow and Zendesk, with
//! Redmine's steps ([`super::push_category`]):
//!
//! 1. read the field; when it already holds the value, the row is sent
//!    without writing (a push that timed out after the server took it);
//! 2. when it holds another value than the store had synced when the user
//!    confirmed (`base_value`), someone else changed it: nothing is
//!    written, the row becomes `conflict`;
//! 3. write it in one request, read it back, and count it only when the
//!    server shows it (ServiceNow ignores a field its table does not have,
//!    Zendesk one that is not in the ticket's form): otherwise the row is
//!    rejected naming the field and what to check.
//!
//! Where it goes: Jira `customfield_<id>` (`PUT /rest/api/3/issue/{id}`;
//! a select list as `{"value": …}`, a multi-select as a list of those, a
//! text field as text, read from the issue's `editmeta`); ServiceNow a field
//! of the record by name (one `PATCH` with `sysparm_input_display_value=true`,
//! so a choice field takes its label); Zendesk a custom ticket field by id
//! (`PUT /api/v2/tickets/{id}.json` with `custom_fields`; a drop-down takes
//! the option's tag, which `values` maps a category to). HTTP failures go
//! back to the caller: 401 stops the source, 429 and 5xx defer, other
//! refusals reject the row with the server's reason.

use serde_json::{json, Map, Value};

use super::push::Writer;
use super::push_category::{conflict, Outcome, Row};
use super::redmine::HttpResult;
use crate::triage::category_push::{same_value, CategoryTarget};

/// Push one category row to a Jira, ServiceNow or Zendesk server.
pub(super) async fn push_one(w: &mut Writer, row: &Row, target: &CategoryTarget) -> HttpResult<Outcome> {
    let (rid, key, value) = (row.remote_id.as_str(), row.ticket_key.as_str(), row.value.as_str());
    match (&*w, target) {
        (Writer::Jira(j), CategoryTarget::CustomField(id)) => {
            let field = format!("customfield_{id}");
            let place = Place {
                ticket: format!("issue {key}"),
                check: format!("check that {field} takes {value:?} on this issue's project and issue type"),
            };
            let write = async || {
                let Some(kind) = j.field_type(rid, &field).await? else {
                    return Ok(Some(format!(
                        "{field} is not on the edit screen of issue {key}: add it to the project's edit screen \
                         (or check the id in the source's triage.category_push), then retry"
                    )));
                };
                let v = match kind.as_str() {
                    "option" => json!({ "value": value }),
                    "array" => json!([{ "value": value }]),
                    "string" => json!(value),
                    other => {
                        return Ok(Some(format!(
                            "{field} is a field of type {other:?}: a category goes into a select list or a text field"
                        )))
                    }
                };
                j.set_fields(rid, Value::Object(Map::from_iter([(field.clone(), v)]))).await?;
                Ok(None)
            };
            steps(row, target, &place, async || j.field_text(rid, &field).await, write).await
        }
        (Writer::ServiceNow(sn), CategoryTarget::Field(name)) => {
            let place = Place {
                ticket: format!("{} {key}", sn.table()),
                check: format!(
                    "check that the {} table has a field named {name} that this account may write \
                     (ServiceNow ignores fields it does not know), and for a choice field that {value:?} is one of \
                     its choices' labels (map the category to one in the source's triage.category_push.values)",
                    sn.table()
                ),
            };
            let write = async || {
                sn.update(rid, &Map::from_iter([(name.clone(), json!(value))]), true).await?;
                Ok(None)
            };
            steps(row, target, &place, async || sn.field_text(rid, name).await, write).await
        }
        (Writer::Zendesk(zd), CategoryTarget::CustomField(id)) => {
            let place = Place {
                ticket: format!("ticket {key}"),
                check: format!(
                    "check that ticket field {id} exists, is active and is in this ticket's form; a drop-down \
                     takes one of its options' tags (map the category to one in the source's triage.category_push.values)"
                ),
            };
            let write = async || {
                zd.update(rid, json!({ "custom_fields": [{ "id": id, "value": value }] })).await?;
                Ok(None)
            };
            steps(row, target, &place, async || zd.custom_field(rid, *id).await, write).await
        }
        (_, t) => Ok(Outcome::Refused(format!(
            "this source has no {}: set its place again with `hypercare source category-push`",
            t.describe().trim_start_matches("the ")
        ))),
    }
}

/// The ticket as messages name it, and what to check when the server did
/// not apply the write.
struct Place {
    ticket: String,
    check: String,
}

/// Read, compare, write, read back. `read` gives the field's value as
/// text ("" = none); `write` sets it, or says why it cannot before sending
/// anything.
async fn steps(
    row: &Row,
    target: &CategoryTarget,
    place: &Place,
    read: impl AsyncFn() -> HttpResult<String>,
    write: impl AsyncFn() -> HttpResult<Option<String>>,
) -> HttpResult<Outcome> {
    let before = read().await?;
    if same_value(&before, &row.value) {
        return Ok(Outcome::Sent(target.as_field()));
    }
    if let Some(c) = conflict(before, target, &place.ticket, row) {
        return Ok(c);
    }
    if let Some(why) = write().await? {
        return Ok(Outcome::Refused(why));
    }
    let after = read().await?;
    if same_value(&after, &row.value) {
        return Ok(Outcome::Sent(target.as_field()));
    }
    let shows = if after.trim().is_empty() { "nothing".to_string() } else { format!("{after:?}") };
    Ok(Outcome::Refused(format!(
        "the server did not apply {} = {:?} to {} (it shows {shows}): {}",
        target.describe(),
        row.value,
        place.ticket,
        place.check
    )))
}
