//! A ServiceNow record (`sysparm_display_value=all`) and its journal
//! entries → a [`TicketRecord`].
//!
//! With `display_value=all` every field is `{"display_value", "value"}`
//! (plus `link` for references unless `sysparm_exclude_reference_link`):
//! times, ids and choice values are read from `value` (times are UTC there,
//! while `display_value` is in the API user's zone and format), names and
//! labels from `display_value`. A plain string field is read as both.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{CommentRecord, StatusChangeRecord, StatusClass, TicketRecord};
use crate::{Error, Result};

/// Fields left out of the stored raw record: the description has its own
/// column, and the journal fields (`comments`, `work_notes`) repeat the
/// whole journal as display text (work notes included).
const NOT_RAW: [&str; 4] = ["description", "comments", "work_notes", "comments_and_work_notes"];

/// One `sys_journal_field` row.
#[derive(Debug, Clone, Deserialize)]
pub struct JournalEntry {
    pub sys_id: String,
    /// The record the entry belongs to.
    #[serde(default)]
    pub element_id: String,
    /// `comments` (customer-visible) or `work_notes` (internal).
    pub element: String,
    #[serde(default)]
    pub value: String,
    pub sys_created_on: String,
    #[serde(default)]
    pub sys_created_by: Option<String>,
}

/// How a table's states are classified.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRules {
    /// The table is `incident`: states 6 Resolved, 7 Closed, 8 Canceled are known.
    pub incident: bool,
    /// State labels that count as resolved (the source option `resolved_statuses`).
    pub resolved: Vec<String>,
}

impl StateRules {
    /// Resolved: a label in `resolved`, or incident state 6. Closed: incident
    /// state 7 (Closed) or 8 (Canceled), or any record with `active=false`
    /// (how every task table marks a finished record). Else open.
    pub fn class(&self, value: Option<&str>, label: Option<&str>, active: Option<&str>) -> StatusClass {
        let named_resolved = label.is_some_and(|l| self.resolved.iter().any(|r| r.eq_ignore_ascii_case(l.trim())));
        if named_resolved || (self.incident && value == Some("6")) {
            StatusClass::Resolved
        } else if (self.incident && matches!(value, Some("7" | "8"))) || active == Some("false") {
            StatusClass::Closed
        } else {
            StatusClass::Open
        }
    }
}

/// A field's machine value (`value`, or the plain string), `None` when empty.
pub fn value<'a>(rec: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    let v = match rec.get(name)? {
        Value::Object(o) => o.get("value")?,
        v => v,
    };
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A field's display value (`display_value`, or the plain string), `None` when empty.
pub fn display<'a>(rec: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    match rec.get(name)? {
        Value::Object(o) => o.get("display_value")?.as_str().map(str::trim).filter(|s| !s.is_empty()),
        _ => value(rec, name),
    }
}

/// A Table API time (`YYYY-MM-DD hh:mm:ss`, UTC, no zone).
pub fn time(v: &str, what: &str) -> Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(v.trim(), "%Y-%m-%d %H:%M:%S").map(|t| t.and_utc()).map_err(|e| {
        Error::BadResponse(format!("ServiceNow sent {what} {v:?}, which is not a time like 2026-01-05 08:00:00 ({e})"))
    })
}

fn time_field(rec: &Map<String, Value>, name: &str) -> Result<Option<DateTime<Utc>>> {
    value(rec, name).map(|v| time(v, name)).transpose()
}

/// The version the listing and the record agree on: `sys_mod_count` and
/// `sys_updated_on` (a change bumps both; either alone would do on a
/// well-behaved instance).
pub fn version(mod_count: Option<&str>, updated_on: &str) -> String {
    format!("{}@{}", mod_count.unwrap_or("0"), updated_on.trim())
}

fn lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// Build the ticket. `table` names the tracker when the record has no
/// `sys_class_name`; `journal` holds the entries to keep as comments.
pub fn to_record(rec: Map<String, Value>, journal: Vec<JournalEntry>, table: &str, rules: &StateRules) -> Result<TicketRecord> {
    let sys_id = value(&rec, "sys_id")
        .ok_or_else(|| Error::BadResponse("ServiceNow sent a record without sys_id".into()))?
        .to_string();
    let updated_on = value(&rec, "sys_updated_on")
        .ok_or_else(|| Error::BadResponse(format!("ServiceNow sent record {sys_id} without sys_updated_on")))?;
    let updated_at = time(updated_on, "sys_updated_on")?;
    let created_at = match time_field(&rec, "opened_at")? {
        Some(t) => t,
        None => time_field(&rec, "sys_created_on")?.unwrap_or(updated_at),
    };
    let (state_value, state_label) = (value(&rec, "state"), display(&rec, "state"));
    let status_class = rules.class(state_value, state_label, value(&rec, "active"));
    let status = state_label.or(state_value).unwrap_or_default().to_string();
    let resolved_field = time_field(&rec, "resolved_at")?;
    let closed_field = time_field(&rec, "closed_at")?;
    let resolved_at = match status_class {
        StatusClass::Open => None,
        _ => Some(resolved_field.or(closed_field).unwrap_or(updated_at)),
    };
    let history = history(created_at, updated_at, resolved_field, closed_field, (&status, status_class));
    let comments = journal
        .into_iter()
        .filter(|j| !j.value.trim().is_empty())
        .map(|j| {
            let body = if j.element == "work_notes" { format!("(work note) {}", lf(&j.value)) } else { lf(&j.value) };
            Ok(CommentRecord {
                created_at: time(&j.sys_created_on, "a journal entry's sys_created_on")?,
                remote_id: j.sys_id,
                author: j.sys_created_by.filter(|a| !a.trim().is_empty()),
                body,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let text = |name: &str| display(&rec, name).map(str::to_string);
    let record = TicketRecord {
        key: value(&rec, "number").unwrap_or(&sys_id).to_string(),
        title: value(&rec, "short_description").unwrap_or_default().to_string(),
        description: lf(value(&rec, "description").unwrap_or_default()),
        status,
        status_class,
        priority: text("priority").unwrap_or_default(),
        tracker: text("sys_class_name").unwrap_or_else(|| table.to_string()),
        category: text("category"),
        assignee: text("assigned_to"),
        reporter: text("caller_id").or_else(|| text("opened_by")),
        created_at,
        updated_at,
        resolved_at,
        remote_version: version(value(&rec, "sys_mod_count"), updated_on),
        raw: None,
        comments: Some(comments),
        status_changes: Some(history),
        remote_id: sys_id,
    };
    let raw: Map<String, Value> = rec.into_iter().filter(|(k, _)| !NOT_RAW.contains(&k.as_str())).collect();
    Ok(TicketRecord { raw: Some(Value::Object(raw).to_string()), ..record })
}

/// The status history the record itself tells (no `sys_audit` read): opened
/// as New, resolved at `resolved_at`, closed at `closed_at`; a current status
/// that the history does not end in (reopened, canceled, on hold) is entered
/// at the last update. Moves in between (New → In Progress → On Hold) are
/// not known.
fn history(
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    resolved: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    (status, class): (&str, StatusClass),
) -> Vec<StatusChangeRecord> {
    let change = |id: &str, at, from: Option<(&str, StatusClass)>, to: (&str, StatusClass)| StatusChangeRecord {
        remote_id: id.to_string(),
        at,
        from_status: from.map(|f| f.0.to_string()),
        from_class: from.map(|f| f.1),
        to_status: to.0.to_string(),
        to_class: to.1,
        author: None,
    };
    let first = if class == StatusClass::Open { (status, class) } else { ("New", StatusClass::Open) };
    let mut out = vec![change("created", created, None, first)];
    let mut last = first;
    for (id, at, to) in [("resolved", resolved, ("Resolved", StatusClass::Resolved)), ("closed", closed, ("Closed", StatusClass::Closed))] {
        if let Some(at) = at.filter(|at| *at >= created) {
            out.push(change(id, at, Some(last), to));
            last = to;
        }
    }
    if last.0 != status || last.1 != class {
        out.push(change("current", updated.max(created), Some(last), (status, class)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> StateRules {
        StateRules { incident: true, resolved: vec!["Resolved".into()] }
    }

    fn f(d: &str, v: &str) -> Value {
        json!({"display_value": d, "value": v})
    }

    fn incident(state: (&str, &str), resolved_at: &str, closed_at: &str) -> Map<String, Value> {
        let v = json!({
            "sys_id": f("a1", "a1"), "number": f("INC0010001", "INC0010001"),
            "short_description": f("Invoice posting fails", "Invoice posting fails"),
            "description": f("line 1\r\nline 2", "line 1\r\nline 2"),
            "state": f(state.0, state.1), "active": f("true", "true"),
            "priority": f("2 - High", "2"), "category": f("Software", "software"),
            "assigned_to": {"display_value": "Beth Anglin", "value": "46d44a23", "link": "https://x/api/now/table/sys_user/46d44a23"},
            "caller_id": f("Abel Tuter", "62826bf0"), "sys_class_name": f("Incident", "incident"),
            "opened_at": f("05/01/2026 09:00:00", "2026-01-05 08:00:00"),
            "resolved_at": f("", resolved_at), "closed_at": f("", closed_at),
            "sys_updated_on": f("07/01/2026 10:00:00", "2026-01-07 09:00:00"), "sys_mod_count": f("4", "4"),
            "comments": f("2026-01-06 08:00:00 - Abel Tuter (Additional comments)\nstill broken", ""),
        });
        v.as_object().cloned().unwrap()
    }

    fn entry(id: &str, element: &str, text: &str, at: &str) -> JournalEntry {
        JournalEntry { sys_id: id.into(), element_id: String::new(), element: element.into(), value: text.into(), sys_created_on: at.into(), sys_created_by: Some("abel.tuter".into()) }
    }

    #[test]
    fn fields_come_from_values_and_names_from_display_values() {
        let j = vec![entry("j1", "comments", "Still broken\r\nafter the patch", "2026-01-06 08:00:00"), entry("j2", "comments", " ", "2026-01-06 08:01:00")];
        let r = to_record(incident(("In Progress", "2"), "", ""), j, "incident", &rules()).unwrap();
        assert_eq!((r.key.as_str(), r.title.as_str(), r.description.as_str()), ("INC0010001", "Invoice posting fails", "line 1\nline 2"));
        assert_eq!((r.status.as_str(), r.status_class, r.priority.as_str()), ("In Progress", StatusClass::Open, "2 - High"));
        assert_eq!((r.assignee.as_deref(), r.reporter.as_deref(), r.tracker.as_str()), (Some("Beth Anglin"), Some("Abel Tuter"), "Incident"));
        assert_eq!(r.created_at, time("2026-01-05 08:00:00", "t").unwrap(), "UTC value, not the user's display time");
        assert_eq!(r.remote_version, "4@2026-01-07 09:00:00");
        let c = r.comments.unwrap();
        assert_eq!(c.len(), 1, "an empty entry is no comment");
        assert_eq!((c[0].body.as_str(), c[0].author.as_deref()), ("Still broken\nafter the patch", Some("abel.tuter")));
        let raw = r.raw.unwrap();
        assert!(raw.contains("\"impact\"") || raw.contains("\"priority\""));
        assert!(!raw.contains("line 2") && !raw.contains("still broken"), "description and journal text are not kept twice: {raw}");
    }

    #[test]
    fn incident_states_resolve_close_and_cancel() {
        let resolved = to_record(incident(("Resolved", "6"), "2026-01-06 12:00:00", ""), vec![], "incident", &rules()).unwrap();
        assert_eq!((resolved.status_class, resolved.resolved_at), (StatusClass::Resolved, Some(time("2026-01-06 12:00:00", "t").unwrap())));
        let path: Vec<_> = resolved.status_changes.unwrap().iter().map(|s| s.to_status.clone()).collect();
        assert_eq!(path, ["New", "Resolved"]);
        let closed = to_record(incident(("Closed", "7"), "2026-01-06 12:00:00", "2026-01-07 09:00:00"), vec![], "incident", &rules()).unwrap();
        assert_eq!(closed.status_class, StatusClass::Closed);
        assert_eq!(closed.resolved_at, Some(time("2026-01-06 12:00:00", "t").unwrap()), "resolved when it was resolved, not closed");
        let canceled = to_record(incident(("Canceled", "8"), "", ""), vec![], "incident", &rules()).unwrap();
        assert_eq!((canceled.status_class, canceled.resolved_at), (StatusClass::Closed, Some(canceled.updated_at)));
        let h = canceled.status_changes.unwrap();
        assert_eq!((h[1].to_status.as_str(), h[1].at), ("Canceled", canceled.updated_at));
        // Reopened: resolved once, open again now.
        let reopened = to_record(incident(("In Progress", "2"), "2026-01-06 12:00:00", ""), vec![], "incident", &rules()).unwrap();
        assert_eq!(reopened.resolved_at, None);
        let path: Vec<_> = reopened.status_changes.unwrap().iter().map(|s| (s.to_status.clone(), s.to_class)).collect();
        assert_eq!(path.last(), Some(&("In Progress".to_string(), StatusClass::Open)));
        assert_eq!(path.len(), 3);
    }

    #[test]
    fn other_tables_close_on_active_false_and_resolve_by_name() {
        let r = StateRules { incident: false, resolved: vec!["Resolved".into()] };
        assert_eq!(r.class(Some("6"), Some("Something"), Some("true")), StatusClass::Open, "6 means Resolved only on incident");
        assert_eq!(r.class(Some("3"), Some("Closed Complete"), Some("false")), StatusClass::Closed);
        assert_eq!(r.class(Some("6"), Some("resolved"), Some("true")), StatusClass::Resolved);
    }

    #[test]
    fn work_notes_are_marked_and_bad_times_are_named() {
        let j = vec![entry("j1", "work_notes", "checked the logs", "2026-01-06 08:00:00")];
        let r = to_record(incident(("New", "1"), "", ""), j, "incident", &rules()).unwrap();
        assert_eq!(r.comments.unwrap()[0].body, "(work note) checked the logs");
        let mut bad = incident(("New", "1"), "", "");
        bad.insert("sys_updated_on".into(), f("x", "07/01/2026"));
        let e = to_record(bad, vec![], "incident", &rules()).unwrap_err();
        assert!(e.to_string().contains("sys_updated_on") && e.to_string().contains("07/01/2026"), "{e}");
        let mut none = incident(("New", "1"), "", "");
        none.remove("sys_id");
        assert!(to_record(none, vec![], "incident", &rules()).unwrap_err().to_string().contains("without sys_id"));
    }
}
