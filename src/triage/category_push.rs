//! Pushing a confirmed category back to the ticket server, through the same
//! outbox the validations use.
//!
//! Where a category goes is a per-source setting (`sources.config` →
//! `"triage"` → `"category_push"`):
//!
//! ```json
//! {"triage": {"category_push": {"target": "issue_category"}}}
//! {"triage": {"category_push": {"target": "custom_field", "custom_field_id": 7,
//!                               "values": {"usability": "UX"}}}}
//! ```
//!
//! `issue_category` sets the Redmine issue category whose name is the value
//! (looked up in the issue's project at push time); `custom_field` sets that
//! custom field to the value: on Redmine a custom field, on Jira
//! `customfield_<id>` (a select list or a text field), on Zendesk a custom
//! ticket field (a drop-down takes its tags: map the categories to them).
//! ServiceNow sets a field of the record by name:
//! `{"target": "field", "field": "u_hypercare_category"}` (or the built-in
//! `category`), written as a display value. Each kind accepts only the
//! targets it has ([`CategoryPushConfig::check_for`]). The value is the category's label ("Usability",
//! "Critical bug", ...) unless `values` maps the category to a name of the
//! server's own. Without the setting, nothing is queued and the caller says so.
//!
//! The outbox row is written in the transaction that records the override
//! ([`crate::triage::set_override`]); the field and the value are fixed then,
//! and `validation::push` sends them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Category, SourceKind};
use crate::store::to_ts;
use crate::{Error, Result, Store};

/// Where on the server a confirmed category is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryTarget {
    /// Redmine's issue category, chosen by name.
    IssueCategory,
    /// A custom field, by id (Redmine, Jira's `customfield_<id>`, Zendesk).
    CustomField(i64),
    /// A field of the record, by name (ServiceNow: `category`, `u_…`).
    Field(String),
}

impl CategoryTarget {
    /// The form kept in the outbox row: `issue_category`,
    /// `custom_field:<id>` or `field:<name>`.
    pub fn as_field(&self) -> String {
        match self {
            CategoryTarget::IssueCategory => "issue_category".into(),
            CategoryTarget::CustomField(id) => format!("custom_field:{id}"),
            CategoryTarget::Field(name) => format!("field:{name}"),
        }
    }

    /// Parse `issue_category` / `issue-category`, `custom_field:<id>` or
    /// `field:<name>` (a name of lower-case letters, digits and `_`).
    pub fn parse_field(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("issue_category") || s.eq_ignore_ascii_case("issue-category") {
            return Some(CategoryTarget::IssueCategory);
        }
        if let Some(name) = s.strip_prefix("field:") {
            return field_name(name).map(CategoryTarget::Field);
        }
        let id = s.strip_prefix("custom_field:").or_else(|| s.strip_prefix("custom-field:"))?;
        id.trim().parse::<i64>().ok().filter(|id| *id > 0).map(CategoryTarget::CustomField)
    }

    /// "the issue category" / "custom field #7" / "field u_category", for messages.
    pub fn describe(&self) -> String {
        match self {
            CategoryTarget::IssueCategory => "the issue category".into(),
            CategoryTarget::CustomField(id) => format!("custom field #{id}"),
            CategoryTarget::Field(name) => format!("field {name}"),
        }
    }
}

/// A record field's name as ServiceNow spells them (`category`,
/// `u_hypercare_category`): a letter, then letters, digits or `_`, at most
/// 80; `None` for anything else.
fn field_name(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = s.len() <= 80
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then(|| s.to_string())
}

/// What a source of `kind` can take, for messages (`None`: nothing).
fn targets_of(kind: SourceKind) -> Option<&'static str> {
    Some(match kind {
        SourceKind::Redmine => "issue_category or custom_field:ID (a Redmine custom field)",
        SourceKind::Jira => "custom_field:ID, the number of a customfield_ID select list or text field",
        SourceKind::Zendesk => {
            "custom_field:ID, a custom ticket field's id (a drop-down takes its tags: map categories to them with --map)"
        }
        SourceKind::ServiceNow => "field:NAME, a field of the record such as field:category or field:u_hypercare_category",
        _ => return None,
    })
}

/// A source's setting for pushing confirmed categories.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryPushConfig {
    pub target: CategoryTarget,
    /// Server names for categories (`usability` → `UX`); unmapped ones use their label.
    pub values: BTreeMap<Category, String>,
}

#[derive(Serialize, Deserialize)]
struct RawConfig {
    target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    custom_field_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    values: BTreeMap<String, String>,
}

impl CategoryPushConfig {
    /// Read `triage.category_push` from a source's config; `None` when absent.
    /// A present but malformed value is an error naming it.
    pub fn from_source_config(config: &serde_json::Value) -> Result<Option<Self>> {
        let Some(v) = config.get("triage").and_then(|t| t.get("category_push")) else { return Ok(None) };
        if v.is_null() {
            return Ok(None);
        }
        let bad = |why: &str| Error::invalid(format!("source config: triage.category_push {why}"));
        let raw: RawConfig = serde_json::from_value(v.clone())
            .map_err(|e| bad(&format!("is not valid ({e}); use {{\"target\": \"issue_category\"}}")))?;
        let target = match raw.target.as_str() {
            "issue_category" => CategoryTarget::IssueCategory,
            "custom_field" => match raw.custom_field_id {
                Some(id) if id > 0 => CategoryTarget::CustomField(id),
                _ => return Err(bad("needs a positive custom_field_id with target \"custom_field\"")),
            },
            "field" => match raw.field.as_deref().and_then(field_name) {
                Some(name) => CategoryTarget::Field(name),
                None => return Err(bad("needs a field name (such as \"u_hypercare_category\") with target \"field\"")),
            },
            t => {
                return Err(bad(&format!(
                    "has an unknown target {t:?}: use \"issue_category\", \"custom_field\" or \"field\""
                )))
            }
        };
        let mut values = BTreeMap::new();
        for (k, name) in raw.values {
            let c = Category::parse(&k).ok_or_else(|| bad(&format!("maps an unknown category {k:?}")))?;
            if name.trim().is_empty() {
                return Err(bad(&format!("maps {k:?} to an empty name")));
            }
            values.insert(c, name.trim().to_string());
        }
        Ok(Some(CategoryPushConfig { target, values }))
    }

    /// The JSON kept under `triage.category_push`.
    pub fn to_json(&self) -> serde_json::Value {
        let (target, custom_field_id, field) = match &self.target {
            CategoryTarget::IssueCategory => ("issue_category", None, None),
            CategoryTarget::CustomField(id) => ("custom_field", Some(*id), None),
            CategoryTarget::Field(name) => ("field", None, Some(name.clone())),
        };
        let values = self.values.iter().map(|(c, n)| (c.as_str().to_string(), n.clone())).collect();
        serde_json::to_value(RawConfig { target: target.into(), custom_field_id, field, values }).unwrap_or_default()
    }

    /// Whether a source of `kind` has the configured target; the error
    /// says what that kind takes instead.
    pub fn check_for(&self, kind: SourceKind) -> Result<()> {
        let fits = matches!(
            (kind, &self.target),
            (SourceKind::Redmine, CategoryTarget::IssueCategory | CategoryTarget::CustomField(_))
                | (SourceKind::Jira | SourceKind::Zendesk, CategoryTarget::CustomField(_))
                | (SourceKind::ServiceNow, CategoryTarget::Field(_))
        );
        if fits {
            return Ok(());
        }
        let k = kind.as_str();
        Err(Error::invalid(match targets_of(kind) {
            Some(takes) => format!("a {k} source has no {}: use {takes}", self.target.describe().trim_start_matches("the ")),
            None => format!("a {k} source has no server to push categories to"),
        }))
    }

    /// The name written on the server for `c`.
    pub fn server_value(&self, c: Category) -> String {
        self.values.get(&c).cloned().unwrap_or_else(|| c.label().to_string())
    }
}

/// What became of the push of a confirmed category (shown after a confirm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CategoryPushStatus {
    /// True when an outbox row waits to write it (`hypercare push` sends it).
    pub queued: bool,
    /// The outbox row, when queued.
    pub outbox_id: Option<i64>,
    /// Where it goes: "the issue category", "custom field #7".
    pub target: Option<String>,
    /// The name written there.
    pub value: Option<String>,
    /// Why nothing was queued (no place configured, the demo, ...).
    pub reason: Option<String>,
}

impl CategoryPushStatus {
    fn not_queued(reason: String) -> Self {
        CategoryPushStatus { queued: false, outbox_id: None, target: None, value: None, reason: Some(reason) }
    }
}

/// Queue the push of `category` for a ticket, inside the caller's
/// transaction. An identical write already waiting is kept (not doubled); an
/// older, different one still unsent is discarded (the last confirmation
/// wins). Where the source has no place for categories, nothing is queued.
pub fn queue_category_push(c: &Connection, ticket_id: i64, category: Category, now: DateTime<Utc>) -> Result<CategoryPushStatus> {
    let (source, kind, config): (String, String, String) = c
        .query_row(
            "SELECT s.name, s.kind, s.config FROM tickets t JOIN sources s ON s.id = t.source_id WHERE t.id = ?1",
            [ticket_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("ticket {ticket_id} is not in the store")))?;
    let kind = SourceKind::parse(&kind);
    if kind == Some(SourceKind::Demo) {
        return Ok(CategoryPushStatus::not_queued(format!(
            "source {source:?} is the demo: it has no server to push the category to"
        )));
    }
    let json: serde_json::Value =
        serde_json::from_str(&config).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
    let Some(cfg) = CategoryPushConfig::from_source_config(&json)? else {
        let example = match kind {
            Some(SourceKind::ServiceNow) => "field:u_hypercare_category",
            Some(SourceKind::Jira | SourceKind::Zendesk) => "custom_field:ID",
            _ => "issue_category",
        };
        return Ok(CategoryPushStatus::not_queued(format!(
            "source {source:?} has no place for categories: the category is kept here only \
             (set one with `hypercare source category-push {source} --to {example}`)"
        )));
    };
    let Some(kind) = kind else {
        return Ok(CategoryPushStatus::not_queued(format!("source {source:?} is of an unknown kind")));
    };
    if let Err(e) = cfg.check_for(kind) {
        return Ok(CategoryPushStatus::not_queued(format!("source {source:?}: {e}")));
    }
    let field = cfg.target.as_field();
    let value = cfg.server_value(category);
    let base = synced_value(c, ticket_id, &cfg.target)?;
    let queued = |id: i64| CategoryPushStatus {
        queued: true,
        outbox_id: Some(id),
        target: Some(cfg.target.describe()),
        value: Some(value.clone()),
        reason: None,
    };
    let same: Option<i64> = c
        .query_row(
            "SELECT id FROM outbox WHERE kind = 'category' AND ticket_id = ?1 AND state = 'pending'
               AND target_field = ?2 AND target_value = ?3 ORDER BY id DESC LIMIT 1",
            params![ticket_id, field, value],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = same {
        return Ok(queued(id));
    }
    let ts = to_ts(now);
    c.execute(
        "UPDATE outbox SET state = 'discarded', last_error = 'replaced by a later confirmation', updated_at = ?2
         WHERE kind = 'category' AND ticket_id = ?1 AND state IN ('pending', 'rejected', 'conflict')",
        params![ticket_id, ts],
    )?;
    c.execute(
        "INSERT INTO outbox (ticket_id, kind, target_field, target_value, base_value, state, next_attempt_at, created_at, updated_at)
         VALUES (?1, 'category', ?2, ?3, ?4, 'pending', ?5, ?5, ?5)",
        params![ticket_id, field, value, base, ts],
    )?;
    Ok(queued(c.last_insert_rowid()))
}

/// The text of a custom field's value: a string, or a list's strings
/// joined with ", "; anything else is none ("").
pub fn field_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

/// Whether two server values are the same (names compare without case).
pub fn same_value(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The server's value for `target` as the store last saw it (the synced
/// issue): the issue category's name, the custom field's value in the raw
/// record (`custom_fields: [{id, value}]`, as Redmine, Zendesk and the Jira
/// connector keep it), or the named field of a ServiceNow record (its
/// display value); "" when it showed none. `None` when the store cannot
/// tell (a ticket without a raw record): push then skips the conflict check.
fn synced_value(c: &Connection, ticket_id: i64, target: &CategoryTarget) -> Result<Option<String>> {
    let (category, raw): (Option<String>, Option<String>) =
        c.query_row("SELECT remote_category, raw FROM tickets WHERE id = ?1", [ticket_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let raw = || raw.as_deref().and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok());
    Ok(match target {
        CategoryTarget::IssueCategory => Some(category.unwrap_or_default()),
        CategoryTarget::CustomField(id) => raw().and_then(|v| {
            let listed = v
                .get("custom_fields")
                .and_then(|f| f.as_array())
                .and_then(|fields| fields.iter().find(|f| f.get("id").and_then(|i| i.as_i64()) == Some(*id)))
                .map(|f| field_text(f.get("value").unwrap_or(&serde_json::Value::Null)));
            match (listed, v.get("fields").and_then(|f| f.as_object())) {
                (Some(t), _) => Some(t),
                // A Jira issue: its fields hold customfield_<id> (null when
                // empty) when the sync asked for it; else the store cannot tell.
                (None, Some(fields)) => fields.get(&format!("customfield_{id}")).map(crate::validation::jira::value_text),
                (None, None) => Some(String::new()),
            }
        }),
        CategoryTarget::Field(name) => raw().map(|v| record_text(v.get(name.as_str()))),
    })
}

/// A ServiceNow field's text: its display value when it has one, else its
/// value (`"x"` or `{"value", "display_value"}`); "" for none.
pub fn record_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::Object(o)) => {
            let shown = record_text(o.get("display_value"));
            if shown.is_empty() { record_text(o.get("value")) } else { shown }
        }
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(v) => field_text(v),
        None => String::new(),
    }
}

impl CategoryPushConfig {
    /// The category a server value stands for: a name mapped in `values`,
    /// else a category's label or id (without case); `None` for any other
    /// name (one of the server's own) or none.
    pub fn category_of(&self, server_value: &str) -> Option<Category> {
        let v = server_value.trim();
        if v.is_empty() {
            return None;
        }
        self.values
            .iter()
            .find(|(_, name)| same_value(name, v))
            .map(|(c, _)| *c)
            .or_else(|| Category::ALL.into_iter().find(|c| same_value(c.label(), v) || same_value(c.as_str(), v)))
    }
}

impl Store {
    /// Set (or with `None`, remove) where a source pushes confirmed categories.
    /// The rest of the source's config is kept.
    pub fn set_category_push(&self, source: &str, cfg: Option<&CategoryPushConfig>) -> Result<()> {
        self.with_tx(|tx| {
            let (id, kind, raw): (i64, String, String) = tx
                .query_row("SELECT id, kind, config FROM sources WHERE name = ?1", [source], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?
                .ok_or_else(|| Error::not_found(format!("no source named {source:?}; `hypercare source list` shows them")))?;
            if let Some(cfg) = cfg {
                let Some(k) = SourceKind::parse(&kind) else {
                    return Err(Error::invalid(format!("source {source:?} is of an unknown kind {kind:?}")));
                };
                cfg.check_for(k).map_err(|e| Error::invalid(format!("source {source:?}: {e}")))?;
            }
            let mut json: serde_json::Value =
                serde_json::from_str(&raw).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
            if !json.is_object() {
                json = serde_json::json!({});
            }
            let triage = json
                .as_object_mut()
                .map(|o| o.entry("triage").or_insert_with(|| serde_json::json!({})))
                .ok_or_else(|| Error::Internal("source config is not an object".into()))?;
            if !triage.is_object() {
                *triage = serde_json::json!({});
            }
            if let Some(t) = triage.as_object_mut() {
                match cfg {
                    Some(c) => t.insert("category_push".into(), c.to_json()),
                    None => t.remove("category_push"),
                };
            }
            tx.execute("UPDATE sources SET config = ?2 WHERE id = ?1", params![id, json.to_string()])?;
            Ok(())
        })
    }

    /// Where a source pushes confirmed categories, if anywhere.
    pub fn category_push(&self, source: &str) -> Result<Option<CategoryPushConfig>> {
        let raw: String = self.read(|c| {
            c.query_row("SELECT config FROM sources WHERE name = ?1", [source], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::not_found(format!("no source named {source:?}")))
        })?;
        let json: serde_json::Value =
            serde_json::from_str(&raw).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
        CategoryPushConfig::from_source_config(&json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_both_targets_and_names_what_is_wrong() {
        let none = CategoryPushConfig::from_source_config(&serde_json::json!({"validation": {}})).unwrap();
        assert_eq!(none, None);
        let ic = CategoryPushConfig::from_source_config(&serde_json::json!({"triage": {"category_push": {"target": "issue_category"}}}))
            .unwrap()
            .unwrap();
        assert_eq!(ic.target, CategoryTarget::IssueCategory);
        assert_eq!(ic.server_value(Category::Training), "Training need");
        let cf = CategoryPushConfig::from_source_config(&serde_json::json!({"triage": {"category_push":
            {"target": "custom_field", "custom_field_id": 7, "values": {"usability": "UX"}}}}))
        .unwrap()
        .unwrap();
        assert_eq!(cf.target, CategoryTarget::CustomField(7));
        assert_eq!(cf.server_value(Category::Usability), "UX");
        assert_eq!(CategoryPushConfig::from_source_config(&cf.to_json_in_source()).unwrap(), Some(cf));
        let e = CategoryPushConfig::from_source_config(&serde_json::json!({"triage": {"category_push": {"target": "custom_field"}}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("custom_field_id"), "{e}");
        let e = CategoryPushConfig::from_source_config(&serde_json::json!({"triage": {"category_push":
            {"target": "issue_category", "values": {"bugs": "Bug"}}}}))
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"bugs\""), "{e}");
    }

    #[test]
    fn field_forms_round_trip() {
        for t in [CategoryTarget::IssueCategory, CategoryTarget::CustomField(12), CategoryTarget::Field("u_hc_category".into())] {
            assert_eq!(CategoryTarget::parse_field(&t.as_field()), Some(t));
        }
        assert_eq!(CategoryTarget::parse_field("field:../sys_user"), None);
        assert_eq!(CategoryTarget::parse_field("field:"), None);
        assert_eq!(CategoryTarget::parse_field("custom_field:0"), None);
        assert_eq!(CategoryTarget::parse_field("tracker"), None);
    }

    #[test]
    fn each_kind_takes_its_own_targets_and_says_what_to_use() {
        let cfg = |target| CategoryPushConfig { target, values: BTreeMap::new() };
        let field = cfg(CategoryTarget::Field("u_hypercare_category".into()));
        assert!(field.check_for(SourceKind::ServiceNow).is_ok());
        assert!(cfg(CategoryTarget::CustomField(10050)).check_for(SourceKind::Jira).is_ok());
        assert!(cfg(CategoryTarget::CustomField(360)).check_for(SourceKind::Zendesk).is_ok());
        let e = cfg(CategoryTarget::IssueCategory).check_for(SourceKind::Jira).unwrap_err().to_string();
        assert!(e.contains("jira") && e.contains("custom_field:ID"), "{e}");
        let e = cfg(CategoryTarget::IssueCategory).check_for(SourceKind::ServiceNow).unwrap_err().to_string();
        assert!(e.contains("field:NAME") && e.contains("u_hypercare_category"), "{e}");
        let e = cfg(CategoryTarget::CustomField(7)).check_for(SourceKind::ServiceNow).unwrap_err().to_string();
        assert!(e.contains("field:NAME"), "{e}");
        let e = field.check_for(SourceKind::Redmine).unwrap_err().to_string();
        assert!(e.contains("issue_category"), "{e}");
        let json = serde_json::json!({"triage": {"category_push": {"target": "field", "field": "u_hypercare_category"}}});
        assert_eq!(CategoryPushConfig::from_source_config(&json).unwrap(), Some(field));
        let e = CategoryPushConfig::from_source_config(&serde_json::json!({"triage": {"category_push": {"target": "field"}}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("field name"), "{e}");
        assert_eq!(record_text(Some(&serde_json::json!({"value": "ux", "display_value": "UX"}))), "UX");
        assert_eq!(record_text(Some(&serde_json::json!({"value": "ux", "display_value": ""}))), "ux");
    }

    impl CategoryPushConfig {
        fn to_json_in_source(&self) -> serde_json::Value {
            serde_json::json!({"triage": {"category_push": self.to_json()}})
        }
    }
}
