//! Jira's issue JSON (REST v3) → [`TicketRecord`].
//!
//! One `GET /rest/api/3/issue/{id}?fields=…,comment&expand=changelog` brings
//! the fields, the first comments and the recent changelog; longer lists are
//! paged by the connector and passed in here complete.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::adf;
use crate::sync::connector::created_change;
use crate::model::{CommentRecord, StatusChangeRecord, StatusClass, TicketRecord};
use crate::{Error, Result};

/// The fields asked for with every issue (`comment` only on the detail request).
pub const FIELDS: &str =
    "summary,description,status,priority,issuetype,assignee,reporter,created,updated,resolutiondate,components,labels";

/// A user, component, priority…: anything with a display name or name.
#[derive(Debug, Default, Deserialize)]
pub struct Named {
    #[serde(default, rename = "displayName")]
    display_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

fn name(n: &Option<Named>) -> Option<String> {
    n.as_ref().and_then(|n| n.display_name.clone().or_else(|| n.name.clone()))
}

/// A status with its category (`new`, `indeterminate`, `done`).
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, rename = "statusCategory")]
    pub category: Option<Category>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    #[serde(default)]
    pub key: String,
}

#[derive(Debug, Deserialize)]
pub struct Fields {
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    description: Value,
    status: Status,
    #[serde(default)]
    priority: Option<Named>,
    #[serde(default)]
    issuetype: Option<Named>,
    #[serde(default)]
    assignee: Option<Named>,
    #[serde(default)]
    reporter: Option<Named>,
    created: String,
    updated: String,
    #[serde(default)]
    resolutiondate: Option<String>,
    #[serde(default)]
    components: Vec<Named>,
    #[serde(default)]
    pub comment: Option<CommentPage>,
}

/// A page of comments (`fields.comment`, or `/issue/{id}/comment`).
#[derive(Debug, Default, Deserialize)]
pub struct CommentPage {
    #[serde(default)]
    pub comments: Vec<Comment>,
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Comment {
    id: String,
    #[serde(default)]
    author: Option<Named>,
    #[serde(default)]
    body: Value,
    created: String,
}

/// The changelog (`expand=changelog` on the issue: `histories`;
/// `/issue/{id}/changelog`: `values`).
#[derive(Debug, Default, Deserialize)]
pub struct Changelog {
    #[serde(default, alias = "values")]
    pub histories: Vec<History>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default, rename = "isLast")]
    pub is_last: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct History {
    id: String,
    #[serde(default)]
    author: Option<Named>,
    created: String,
    #[serde(default)]
    items: Vec<HistoryItem>,
}

#[derive(Debug, Deserialize)]
struct HistoryItem {
    #[serde(default)]
    field: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default, rename = "fromString")]
    from_string: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default, rename = "toString")]
    to_string: Option<String>,
}

/// One issue as `/rest/api/3/issue/{id}` sends it.
#[derive(Debug, Deserialize)]
pub struct Issue {
    pub id: String,
    pub key: String,
    pub fields: Fields,
    #[serde(default)]
    pub changelog: Option<Changelog>,
}

/// Jira's times: `2026-01-05T10:07:59.123+0000` (no colon in the offset).
pub fn time(v: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(v))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::BadResponse(format!("Jira sent {what} {v:?}, which is not a time: {e}")))
}

/// The class of a status: a configured "resolved" name, else its category
/// (`done` is closed, anything else open).
pub fn class_of(name: &str, category: Option<&str>, resolved: &[String]) -> StatusClass {
    if resolved.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        StatusClass::Resolved
    } else if category == Some("done") {
        StatusClass::Closed
    } else {
        StatusClass::Open
    }
}

/// The issue object without `description` and `comment` (kept as text
/// elsewhere) and without the changelog, compact, as the raw record. The
/// custom fields the issue was asked for (`customfield_10004`) are also
/// listed as `custom_fields: [{"id": 10004, "value": "High"}]`, their
/// values as text or number ([`custom_value`]): the shape every reader of
/// custom fields (intake, the field chooser, CSAT) reads for every server.
pub fn raw_record(issue: &RawValue) -> Result<String> {
    #[derive(Deserialize)]
    struct Parts<'a> {
        #[serde(borrow)]
        id: &'a RawValue,
        #[serde(borrow)]
        key: &'a RawValue,
        #[serde(borrow)]
        fields: BTreeMap<String, &'a RawValue>,
    }
    let p: Parts<'_> = serde_json::from_str(issue.get())
        .map_err(|e| Error::BadResponse(format!("Jira sent an issue that is not the expected object: {e}")))?;
    let fields: BTreeMap<&str, &RawValue> =
        p.fields.iter().filter(|(k, _)| !matches!(k.as_str(), "description" | "comment")).map(|(k, v)| (k.as_str(), *v)).collect();
    let custom: Vec<Value> = fields
        .iter()
        .filter_map(|(k, v)| {
            let id: i64 = k.strip_prefix("customfield_")?.parse().ok()?;
            let value = custom_value(&serde_json::from_str(v.get()).ok()?)?;
            Some(serde_json::json!({"id": id, "value": value}))
        })
        .collect();
    let asked = fields.keys().any(|k| k.starts_with("customfield_"));
    let fields = serde_json::to_string(&fields).map_err(|e| Error::Internal(format!("cannot write a raw record: {e}")))?;
    let custom = if asked {
        let list = serde_json::to_string(&custom).map_err(|e| Error::Internal(format!("cannot write a raw record: {e}")))?;
        format!(",\"custom_fields\":{list}")
    } else {
        String::new()
    };
    Ok(format!("{{\"id\":{},\"key\":{},\"fields\":{}{custom}}}", p.id.get(), p.key.get(), fields))
}

/// A Jira custom field's value as text or number: a select option's
/// `value` (`{"value": "High", "id": "10021"}`), a user's or version's
/// name, a satisfaction `rating`, a string, a number (whole numbers as
/// integers: `4.0` is 4); a multi-select as the list of its values.
/// `None` for an empty field or a shape that holds no single value.
pub fn custom_value(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(_) => Some(v.clone()),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(Value::from(f as i64)),
            _ => Some(v.clone()),
        },
        Value::Array(items) => {
            let values: Vec<Value> = items.iter().filter_map(custom_value).collect();
            (!values.is_empty()).then_some(Value::Array(values))
        }
        Value::Object(o) => ["value", "displayName", "name", "rating"].iter().find_map(|k| o.get(*k).and_then(custom_value)),
    }
}

/// Statuses by id: name and class (from `/rest/api/3/status`).
pub type StatusTable = HashMap<String, (String, StatusClass)>;

/// Build the record from the issue and its complete comments and changelog.
pub fn to_record(
    issue: Issue,
    raw: String,
    comments: Vec<Comment>,
    histories: Vec<History>,
    statuses: &StatusTable,
    resolved: &[String],
) -> Result<TicketRecord> {
    let f = issue.fields;
    let status_class = class_of(&f.status.name, f.status.category.as_ref().map(|c| c.key.as_str()), resolved);
    let created_at = time(&f.created, "created")?;
    let updated_at = time(&f.updated, "updated")?;
    let named = |id: &Option<String>, shown: &Option<String>| -> Option<(String, StatusClass)> {
        if let Some(s) = id.as_ref().and_then(|id| statuses.get(id)) {
            return Some(s.clone());
        }
        let n = shown.clone().or_else(|| id.clone())?;
        let class = if n == f.status.name { status_class } else { class_of(&n, None, resolved) };
        Some((n, class))
    };
    let comments = comments
        .into_iter()
        .map(|c| {
            Ok(CommentRecord {
                remote_id: c.id,
                author: name(&c.author),
                body: adf::to_text(&c.body),
                created_at: time(&c.created, "a comment's created")?,
            })
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|c| !c.body.trim().is_empty())
        .collect();
    let mut histories = histories
        .into_iter()
        .map(|h| Ok((time(&h.created, "a changelog entry's created")?, h)))
        .collect::<Result<Vec<_>>>()?;
    histories.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let mut changes = Vec::new();
    let mut initial = None;
    for (at, h) in &histories {
        for item in h.items.iter().filter(|i| i.field == "status") {
            let from = named(&item.from, &item.from_string);
            if initial.is_none() {
                initial = Some(from.clone());
            }
            let Some((to_status, to_class)) = named(&item.to, &item.to_string) else { continue };
            changes.push(StatusChangeRecord {
                remote_id: h.id.clone(),
                at: *at,
                from_class: from.as_ref().map(|f| f.1),
                from_status: from.map(|f| f.0),
                to_status,
                to_class,
                author: name(&h.author),
            });
        }
    }
    let first = initial.flatten().unwrap_or_else(|| (f.status.name.clone(), status_class));
    changes.insert(0, created_change(created_at, first, name(&f.reporter)));
    let resolved_at = if status_class == StatusClass::Open {
        None
    } else {
        // The last real transition into a resolved or closed class; else
        // Jira's resolution date; else creation (created that way) or the
        // last change.
        let entered = changes
            .iter()
            .skip(1)
            .rev()
            .find(|c| c.to_class != StatusClass::Open && c.from_class.is_none_or(|f| f == StatusClass::Open))
            .map(|c| c.at);
        match (entered, f.resolutiondate.as_deref()) {
            (Some(t), _) => Some(t),
            (None, Some(r)) => Some(time(r, "resolutiondate")?),
            (None, None) if changes.len() == 1 => Some(created_at),
            (None, None) => Some(updated_at),
        }
    };
    Ok(TicketRecord {
        remote_id: issue.id,
        key: issue.key,
        title: f.summary.unwrap_or_default(),
        description: adf::to_text(&f.description),
        status: f.status.name.clone(),
        status_class,
        priority: name(&f.priority).unwrap_or_default(),
        tracker: name(&f.issuetype).unwrap_or_default(),
        category: f.components.first().and_then(|c| c.name.clone()),
        assignee: name(&f.assignee),
        reporter: name(&f.reporter),
        created_at,
        updated_at,
        resolved_at,
        remote_version: f.updated,
        raw: Some(raw),
        comments: Some(comments),
        status_changes: Some(changes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn custom_field_values_become_text_or_numbers() {
        assert_eq!(custom_value(&json!({"self": "…", "value": "High", "id": "10021"})), Some(json!("High")));
        assert_eq!(custom_value(&json!({"accountId": "a1", "displayName": "Ann Lee"})), Some(json!("Ann Lee")));
        assert_eq!(custom_value(&json!({"rating": 4})), Some(json!(4)));
        assert_eq!(custom_value(&json!(4.0)), Some(json!(4)));
        assert_eq!(custom_value(&json!(2.5)), Some(json!(2.5)));
        assert_eq!(custom_value(&json!("Plant 7")), Some(json!("Plant 7")));
        assert_eq!(custom_value(&json!([{"value": "AP"}, {"value": "GL"}])), Some(json!(["AP", "GL"])));
        for empty in [json!(null), json!(""), json!([]), json!({"id": "1"})] {
            assert_eq!(custom_value(&empty), None, "{empty}");
        }
    }

    #[test]
    fn the_raw_record_lists_asked_custom_fields_and_nothing_when_none_was_asked() {
        let issue = |fields: serde_json::Value| serde_json::value::to_raw_value(&json!({"id": "10001", "key": "HC-1", "fields": fields})).unwrap();
        let raw = raw_record(&issue(json!({"summary": "x", "customfield_10004": {"value": "High"}, "customfield_10005": null}))).unwrap();
        let v: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(v["custom_fields"], json!([{"id": 10004, "value": "High"}]), "{raw}");
        assert_eq!(v["fields"]["customfield_10004"]["value"], "High", "the server's own shape kept");
        let raw = raw_record(&issue(json!({"summary": "x"}))).unwrap();
        assert!(!raw.contains("custom_fields"), "unchanged for sources that name no field: {raw}");
    }
}
