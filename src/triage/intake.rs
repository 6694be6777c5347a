//! Impact and urgency stated at intake: fields of the ticket on the server.
//!
//! Many service desks ask the reporter (or the desk agent) for impact and
//! urgency when a ticket is raised: ServiceNow has the fields built in, Jira
//! Service Management ships them as custom fields, a Redmine or a Zendesk
//! usually has them as custom fields too. Where a source names those
//! fields, their value decides the ticket's impact or urgency instead of
//! the text (the user's own correction still wins), and the decision says
//! so in its signals.
//!
//! Source options (`hypercare source set NAME KEY=VALUE`):
//!
//! | key | meaning |
//! |---|---|
//! | `impact_custom_field_id` | (Redmine, Jira, Zendesk) the custom field holding the impact |
//! | `urgency_custom_field_id` | (Redmine, Jira, Zendesk) the custom field holding the urgency |
//! | `impact_values` | `{"server value": "team", …}`: values the built-in names don't cover |
//! | `urgency_values` | `{"server value": "high", …}` |
//!
//! A field is named by its number, `7`; Jira's `customfield_10004` (or
//! `"10004"`) is accepted and stored as `10004` ([`normalise_field_ids`]).
//! Every server's custom fields are read from the raw record's
//! `custom_fields: [{id, name?, value}]`:
//! - **Redmine** sends them so, with names.
//! - **Jira** sends a custom field only when the request names it: the
//!   connector asks for the named ones (`fields=…,customfield_10004`) and
//!   lists them as `custom_fields` in the raw record, a select option by
//!   its `value`, a user by name, a number as a number
//!   ([`crate::sync::jira::record::custom_value`]). Naming a new field has
//!   the next sync read every issue again
//!   ([`crate::sync::state::read_all_again`]).
//! - **Zendesk** sends `custom_fields: [{id, value}]` on every ticket; a
//!   drop-down's value is its tag (`dept_wide`), which no built-in name
//!   covers: map tags with `impact_values` / `urgency_values`.
//!
//! Jira and Zendesk tickets carry ids only: a field's name comes from the
//! server's field list, stored by the sync (`source_field_names`); a field
//! the list does not name is "custom field #10004".
//!
//! Built-in names cover this app's levels and the usual desk vocabularies
//! ("Single user", "Department", "Company-wide", Jira's "Extensive /
//! Widespread", "1 - Critical", "Urgent"). An impact of just "High" /
//! "Medium" / "Low" is not guessed (which of four reaches is "High"?): such a
//! value is reported in the signals with the option that maps it, and the
//! text decides meanwhile.
//!
//! Values are read from the server's raw record at triage time, only for
//! sources that name a field or have them natively: other sources cost nothing.
//!
//! **ServiceNow** records impact and urgency on every incident (`impact`,
//! `urgency`: 1 - High, 2 - Medium, 3 - Low), so a ServiceNow source reads
//! them without any option (`native_intake: false` turns it off, e.g. for
//! an instance where the desk never changes the defaults). A value is
//! looked up in `impact_values` / `urgency_values` (by label, "1 - High",
//! or value, "1"), then in the built-in names (an instance may label its
//! choices "Department"), then on ServiceNow's scale:
//! - urgency 1 → high, 2 → medium, 3 → low (critical is never stated: the
//!   scale has no fourth level);
//! - impact 1 → department, 2 → team, 3 → single_user. ServiceNow's High
//!   means "a department or more": department is the lower bound, and in the
//!   default matrix the department and organization rows are equal, so the
//!   priority does not depend on the choice; with the default matrix,
//!   1/1 gives P1, 2/2 P3 and 3/3 P4, ranked as ServiceNow's own priority
//!   lookup ranks them. Map `{"1 - High": "organization"}` where High means
//!   the whole company.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::priority::{Impact, Urgency};
use crate::{Error, Result};

/// The option keys.
pub const IMPACT_FIELD: &str = "impact_custom_field_id";
pub const URGENCY_FIELD: &str = "urgency_custom_field_id";
pub const IMPACT_VALUES: &str = "impact_values";
pub const URGENCY_VALUES: &str = "urgency_values";
/// (ServiceNow) `false`: the incident's own impact and urgency are not read.
pub const NATIVE_INTAKE: &str = "native_intake";
/// Every option this module reads.
pub const KEYS: [&str; 5] = [IMPACT_FIELD, URGENCY_FIELD, IMPACT_VALUES, URGENCY_VALUES, NATIVE_INTAKE];

/// ServiceNow's impact scale (choice value → level).
pub const SERVICENOW_IMPACT: [(&str, Impact); 3] = [("1", Impact::Department), ("2", Impact::Team), ("3", Impact::SingleUser)];
/// ServiceNow's urgency scale (choice value → level).
pub const SERVICENOW_URGENCY: [(&str, Urgency); 3] = [("1", Urgency::High), ("2", Urgency::Medium), ("3", Urgency::Low)];

/// A level stated in a field: the level, the field's name on the server
/// ("Urgency") and its own words ("1 - Critical").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stated<T> {
    pub level: T,
    pub field: String,
    pub value: String,
}

/// What a ticket's intake fields say (empty when its source names none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Intake {
    pub impact: Option<Stated<Impact>>,
    pub urgency: Option<Stated<Urgency>>,
    /// Signals for values that could not be mapped (shown to the user).
    pub unmapped: Vec<String>,
}

impl Intake {
    /// Nothing stated.
    pub fn is_empty(&self) -> bool {
        self.impact.is_none() && self.urgency.is_none() && self.unmapped.is_empty()
    }
}

/// A source's intake options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeFields {
    pub impact_field: Option<i64>,
    pub urgency_field: Option<i64>,
    /// Normalised server value → level name.
    pub impact_values: BTreeMap<String, Impact>,
    pub urgency_values: BTreeMap<String, Urgency>,
    /// `native_intake` as set (`None`: the default, on for ServiceNow).
    pub native: Option<bool>,
}

/// The number of a custom field as an option gives it: `7`, `"7"` or Jira's
/// `"customfield_10004"`; `None` for anything else.
pub fn field_number(v: &serde_json::Value) -> Option<i64> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => {
            let s = s.trim();
            let digits = s.strip_prefix("customfield_").unwrap_or(s);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        }
        _ => None,
    };
    n.filter(|n| *n > 0)
}

/// The options naming a custom field (impact, urgency, satisfaction),
/// written as numbers: `"customfield_10004"` is stored as `10004`. Values
/// that are no field number are left for the option checks to refuse.
pub fn normalise_field_ids(key: &str, value: serde_json::Value) -> serde_json::Value {
    if FIELD_KEYS.contains(&key) {
        if let Some(n) = field_number(&value) {
            return n.into();
        }
    }
    value
}

/// The options that name a custom field by its number.
pub const FIELD_KEYS: [&str; 3] = [IMPACT_FIELD, URGENCY_FIELD, crate::store::fields::CSAT_FIELD];

fn field_id(config: &serde_json::Value, key: &str) -> Result<Option<i64>> {
    match config.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => match field_number(v) {
            Some(n) => Ok(Some(n)),
            _ => Err(Error::invalid(format!(
                "{key} must be the number of the server's custom field, e.g. 7 or (Jira) customfield_10004 (got {v})"
            ))),
        },
    }
}

fn value_map<T>(config: &serde_json::Value, key: &str, parse: impl Fn(&str) -> Option<T>, levels: &str) -> Result<BTreeMap<String, T>> {
    let mut out = BTreeMap::new();
    match config.get(key) {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(m)) => {
            for (k, v) in m {
                let level = v.as_str().and_then(&parse).ok_or_else(|| {
                    Error::invalid(format!("{key}: {k:?} maps to {v}, which is not one of {levels}"))
                })?;
                out.insert(normalise(k), level);
            }
        }
        Some(v) => {
            return Err(Error::invalid(format!(
                "{key} must be an object from the server's values to {levels}, e.g. {{\"Sev 2\": \"{}\"}} (got {v})",
                levels.split(", ").nth(2).unwrap_or("high")
            )))
        }
    }
    Ok(out)
}

const IMPACT_LEVELS: &str = "single_user, team, department, organization";
const URGENCY_LEVELS: &str = "low, medium, high, critical";

impl IntakeFields {
    /// Read the options from a source's config; a wrongly typed option is
    /// refused with its key named.
    pub fn from_config(config: &serde_json::Value) -> Result<IntakeFields> {
        Ok(IntakeFields {
            impact_field: field_id(config, IMPACT_FIELD)?,
            urgency_field: field_id(config, URGENCY_FIELD)?,
            impact_values: value_map(config, IMPACT_VALUES, Impact::parse, IMPACT_LEVELS)?,
            urgency_values: value_map(config, URGENCY_VALUES, Urgency::parse, URGENCY_LEVELS)?,
            native: match config.get(NATIVE_INTAKE) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Bool(b)) => Some(*b),
                Some(v) => return Err(Error::invalid(format!("{NATIVE_INTAKE} must be true or false (got {v})"))),
            },
        })
    }

    /// A ServiceNow impact (choice `value` "1", `label` "1 - High"): the
    /// user's map, a built-in name, then ServiceNow's scale.
    pub fn servicenow_impact(&self, value: &str, label: &str) -> Option<Impact> {
        mapped(&self.impact_values, value, label)
            .or_else(|| builtin_impact(&normalise(label)))
            .or_else(|| SERVICENOW_IMPACT.iter().find(|(v, _)| *v == value.trim()).map(|(_, l)| *l))
    }

    /// A ServiceNow urgency, read as [`IntakeFields::servicenow_impact`].
    pub fn servicenow_urgency(&self, value: &str, label: &str) -> Option<Urgency> {
        mapped(&self.urgency_values, value, label)
            .or_else(|| builtin_urgency(&normalise(label)))
            .or_else(|| SERVICENOW_URGENCY.iter().find(|(v, _)| *v == value.trim()).map(|(_, l)| *l))
    }

    /// The impact a server value means, if it can be told.
    pub fn impact(&self, value: &str) -> Option<Impact> {
        let v = normalise(value);
        self.impact_values.get(&v).copied().or_else(|| builtin_impact(&v))
    }

    /// The urgency a server value means, if it can be told.
    pub fn urgency(&self, value: &str) -> Option<Urgency> {
        let v = normalise(value);
        self.urgency_values.get(&v).copied().or_else(|| builtin_urgency(&v))
    }
}

/// The user's mapping of a value, by its label or its machine value.
fn mapped<T: Copy>(map: &BTreeMap<String, T>, value: &str, label: &str) -> Option<T> {
    map.get(&normalise(label)).or_else(|| map.get(&normalise(value))).copied()
}

/// Lower case, single spaces, `_`/`-` as spaces, and a leading rank such as
/// ServiceNow's "1 - " dropped.
fn normalise(v: &str) -> String {
    let lower = v.trim().to_lowercase().replace(['_', '-'], " ");
    let words: Vec<&str> = lower.split_whitespace().collect();
    let start = match words.first() {
        Some(w) if words.len() > 1 && w.trim_end_matches(['.', ')', ':']).chars().all(|c| c.is_ascii_digit()) => 1,
        _ => 0,
    };
    words[start..].join(" ")
}

fn builtin_impact(v: &str) -> Option<Impact> {
    Some(match v {
        "single user" | "one user" | "individual" | "one person" | "a single user" | "user" | "minor / localized"
        | "localized" | "localised" | "personal" => Impact::SingleUser,
        "team" | "group" | "a team" | "several users" | "multiple users" | "shift" | "moderate / limited" | "limited" => Impact::Team,
        "department" | "dept" | "site" | "business unit" | "function" | "significant / large" | "significant" | "large" => {
            Impact::Department
        }
        "organization" | "organisation" | "company" | "enterprise" | "company wide" | "organization wide"
        | "organisation wide" | "everyone" | "all users" | "global" | "extensive / widespread" | "extensive"
        | "widespread" => Impact::Organization,
        _ => return None,
    })
}

fn builtin_urgency(v: &str) -> Option<Urgency> {
    Some(match v {
        "low" | "minor" | "not urgent" | "whenever" => Urgency::Low,
        "medium" | "moderate" | "normal" => Urgency::Medium,
        "high" | "major" => Urgency::High,
        "critical" | "urgent" | "immediate" | "blocker" => Urgency::Critical,
        _ => return None,
    })
}

/// The intake of the given tickets (all when `ids` is `None`), for those
/// whose source names an impact or urgency field. Tickets without any are
/// absent from the map.
pub(crate) fn load_intake(c: &Connection, ids: Option<&[i64]>) -> Result<HashMap<i64, Intake>> {
    let mut sources = c.prepare_cached(
        "SELECT id, config, kind = 'service_now' FROM sources
         WHERE json_valid(config)
           AND (json_type(config, '$.impact_custom_field_id') IN ('integer', 'text')
                OR json_type(config, '$.urgency_custom_field_id') IN ('integer', 'text')
                OR kind = 'service_now')",
    )?;
    let configured = sources
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = HashMap::new();
    if configured.is_empty() {
        return Ok(out);
    }
    let mut by_source = HashMap::new();
    let mut native = HashMap::new();
    for (source, config, servicenow) in configured {
        // Stored options were checked when set; one broken by hand is named.
        let json: serde_json::Value =
            serde_json::from_str(&config).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
        let fields = IntakeFields::from_config(&json)?;
        if servicenow && fields.native != Some(false) {
            native.insert(source, fields.clone());
        }
        by_source.insert(source, fields);
    }
    load_native(c, &native, ids, &mut out)?;
    // A field's name: from the ticket (Redmine sends it), else from the
    // server's field list (Jira, Zendesk send only ids on tickets).
    const FIELDS: &str = "SELECT t.id, t.source_id, json_extract(cf.value, '$.id'),
                                 COALESCE(json_extract(cf.value, '$.name'), n.name), json_extract(cf.value, '$.value')
                          FROM tickets t
                          JOIN json_each(CASE WHEN json_valid(t.raw) THEN t.raw ELSE '{}' END, '$.custom_fields') cf
                          LEFT JOIN source_field_names n
                            ON n.source_id = t.source_id AND n.field_id = json_extract(cf.value, '$.id')";
    let add = |r: &rusqlite::Row| -> rusqlite::Result<()> {
        let (ticket, source, field): (i64, i64, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (Some(fields), Some(field)) = (by_source.get(&source), field) else { return Ok(()) };
        let value = match r.get_ref(4)? {
            rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
            rusqlite::types::ValueRef::Integer(i) => i.to_string(),
            rusqlite::types::ValueRef::Real(f) => f.to_string(),
            _ => String::new(),
        };
        if value.is_empty() || (Some(field) != fields.impact_field && Some(field) != fields.urgency_field) {
            return Ok(());
        }
        let name = r.get::<_, Option<String>>(3)?.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| format!("custom field #{field}"));
        let entry: &mut Intake = out.entry(ticket).or_default();
        if Some(field) == fields.impact_field {
            match fields.impact(&value) {
                Some(level) => entry.impact = Some(Stated { level, field: name.clone(), value: value.clone() }),
                None => entry.unmapped.push(unmapped(&name, &value, IMPACT_VALUES, IMPACT_LEVELS)),
            }
        }
        if Some(field) == fields.urgency_field {
            match fields.urgency(&value) {
                Some(level) => entry.urgency = Some(Stated { level, field: name, value }),
                None => entry.unmapped.push(unmapped(&name, &value, URGENCY_VALUES, URGENCY_LEVELS)),
            }
        }
        Ok(())
    };
    each_row(c, &format!("{FIELDS} WHERE t.deleted_at IS NULL"), by_source.keys().copied(), ids, add)?;
    Ok(out)
}

/// ServiceNow's own `impact` / `urgency` of the tickets of `sources`: the
/// raw record's `{display_value, value}` objects (or plain strings).
fn load_native(c: &Connection, sources: &HashMap<i64, IntakeFields>, ids: Option<&[i64]>, out: &mut HashMap<i64, Intake>) -> Result<()> {
    const NATIVE: &str = "SELECT t.id, t.source_id,
            COALESCE(json_extract(t.raw, '$.impact.value'), json_extract(t.raw, '$.impact')),
            COALESCE(json_extract(t.raw, '$.impact.display_value'), json_extract(t.raw, '$.impact')),
            COALESCE(json_extract(t.raw, '$.urgency.value'), json_extract(t.raw, '$.urgency')),
            COALESCE(json_extract(t.raw, '$.urgency.display_value'), json_extract(t.raw, '$.urgency'))
        FROM tickets t
        WHERE t.deleted_at IS NULL AND json_valid(t.raw)";
    if sources.is_empty() {
        return Ok(());
    }
    let text = |r: &rusqlite::Row, i: usize| -> rusqlite::Result<String> {
        Ok(match r.get_ref(i)? {
            rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
            _ => String::new(),
        })
    };
    let add = |r: &rusqlite::Row| -> rusqlite::Result<()> {
        let (ticket, source): (i64, i64) = (r.get(0)?, r.get(1)?);
        let Some(fields) = sources.get(&source) else { return Ok(()) };
        let (iv, il, uv, ul) = (text(r, 2)?, text(r, 3)?, text(r, 4)?, text(r, 5)?);
        let shown = |v: &str, l: &str| if l.is_empty() { v.to_string() } else { l.to_string() };
        if !iv.is_empty() || !il.is_empty() {
            let entry = out.entry(ticket).or_default();
            match fields.servicenow_impact(&iv, &il) {
                Some(level) => entry.impact = Some(Stated { level, field: "Impact".into(), value: shown(&iv, &il) }),
                None => entry.unmapped.push(unmapped("Impact", &shown(&iv, &il), IMPACT_VALUES, IMPACT_LEVELS)),
            }
        }
        if !uv.is_empty() || !ul.is_empty() {
            let entry = out.entry(ticket).or_default();
            match fields.servicenow_urgency(&uv, &ul) {
                Some(level) => entry.urgency = Some(Stated { level, field: "Urgency".into(), value: shown(&uv, &ul) }),
                None => entry.unmapped.push(unmapped("Urgency", &shown(&uv, &ul), URGENCY_VALUES, URGENCY_LEVELS)),
            }
        }
        Ok(())
    };
    each_row(c, NATIVE, sources.keys().copied(), ids, add)?;
    Ok(())
}

/// Hand each row of `sql` (a query ending in a `WHERE` clause) to `add`:
/// for every ticket of `sources` (a full run), or for the tickets `ids` (a
/// sync's changed tickets: one lookup each).
fn each_row(
    c: &Connection,
    sql: &str,
    sources: impl Iterator<Item = i64>,
    ids: Option<&[i64]>,
    mut add: impl FnMut(&rusqlite::Row) -> rusqlite::Result<()>,
) -> Result<()> {
    let (filter, keys): (&str, Vec<i64>) = match ids {
        None => ("t.source_id", sources.collect()),
        Some(ids) => ("t.id", ids.to_vec()),
    };
    let mut st = c.prepare_cached(&format!("{sql} AND {filter} = ?1"))?;
    for key in keys {
        let mut rows = st.query([key])?;
        while let Some(r) = rows.next()? {
            add(r)?;
        }
    }
    Ok(())
}

fn unmapped(name: &str, value: &str, key: &str, levels: &str) -> String {
    format!(
        "the server's {name} field says \u{201c}{}\u{201d}, which is not one of {levels}: map it with the source option {key}",
        value.trim()
    )
}

/// The signal shown for a stated value: "urgency critical from the
/// ticket's Urgency field (“1 - Critical”)".
pub fn stated_signal(what: &str, level: &str, field: &str, value: &str) -> String {
    format!("{what} {} from the ticket's {field} field (\u{201c}{value}\u{201d})", level.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usual_desk_vocabularies_map_to_the_four_levels() {
        let f = IntakeFields::default();
        assert_eq!(f.impact("Single user"), Some(Impact::SingleUser));
        assert_eq!(f.impact("single_user"), Some(Impact::SingleUser));
        assert_eq!(f.impact("Moderate / Limited"), Some(Impact::Team));
        assert_eq!(f.impact("Department"), Some(Impact::Department));
        assert_eq!(f.impact("Company-wide"), Some(Impact::Organization));
        assert_eq!(f.impact("Extensive / Widespread"), Some(Impact::Organization));
        assert_eq!(f.urgency("1 - Critical"), Some(Urgency::Critical));
        assert_eq!(f.urgency("2 - High"), Some(Urgency::High));
        assert_eq!(f.urgency(" medium "), Some(Urgency::Medium));
        assert_eq!(f.urgency("Urgent"), Some(Urgency::Critical));
        assert_eq!(f.urgency("Low"), Some(Urgency::Low));
    }

    #[test]
    fn an_impact_of_just_high_is_not_guessed_until_mapped() {
        let f = IntakeFields::default();
        assert_eq!(f.impact("1 - High"), None);
        assert_eq!(f.urgency("Sev 2"), None);
        let f = IntakeFields::from_config(&json!({"impact_values": {"1 - High": "organization", "Medium": "department"},
                                                  "urgency_values": {"Sev 2": "high"}}))
        .unwrap();
        assert_eq!(f.impact("1 - high"), Some(Impact::Organization));
        assert_eq!(f.impact("medium"), Some(Impact::Department));
        assert_eq!(f.urgency("SEV 2"), Some(Urgency::High));
        // Built-in names still apply beside the map.
        assert_eq!(f.impact("Team"), Some(Impact::Team));
    }

    #[test]
    fn servicenow_scales_map_by_default_and_the_user_map_wins() {
        let f = IntakeFields::default();
        assert_eq!(f.servicenow_urgency("1", "1 - High"), Some(Urgency::High));
        assert_eq!(f.servicenow_urgency("2", "2 - Medium"), Some(Urgency::Medium));
        assert_eq!(f.servicenow_urgency("3", "3 - Low"), Some(Urgency::Low));
        assert_eq!(f.servicenow_impact("1", "1 - High"), Some(Impact::Department));
        assert_eq!(f.servicenow_impact("2", "2 - Medium"), Some(Impact::Team));
        assert_eq!(f.servicenow_impact("3", "3 - Low"), Some(Impact::SingleUser));
        // Values alone (a record read without display values) follow the scale.
        assert_eq!(f.servicenow_urgency("1", ""), Some(Urgency::High));
        assert_eq!(f.servicenow_impact("1", ""), Some(Impact::Department));
        // An instance that labels its choices in words, and one with a fourth level.
        assert_eq!(f.servicenow_impact("1", "1 - Enterprise"), Some(Impact::Organization));
        assert_eq!(f.servicenow_urgency("4", "4 - Whenever"), Some(Urgency::Low));
        assert_eq!(f.servicenow_impact("4", "4 - Unknown"), None);
        let f = IntakeFields::from_config(&json!({"impact_values": {"1 - High": "organization"}, "urgency_values": {"3": "medium"}})).unwrap();
        assert_eq!(f.servicenow_impact("1", "1 - High"), Some(Impact::Organization));
        assert_eq!(f.servicenow_urgency("3", "3 - Low"), Some(Urgency::Medium), "mapped by its value");
        assert_eq!(IntakeFields::from_config(&json!({"native_intake": false})).unwrap().native, Some(false));
        assert!(IntakeFields::from_config(&json!({"native_intake": "no"})).unwrap_err().to_string().contains("native_intake"));
    }

    #[test]
    fn a_field_is_named_by_number_or_as_jira_shows_it() {
        assert_eq!(field_number(&json!(7)), Some(7));
        assert_eq!(field_number(&json!("customfield_10004")), Some(10004));
        assert_eq!(field_number(&json!(" 10004 ")), Some(10004));
        for bad in [json!("Urgency"), json!("customfield_"), json!("customfield_x1"), json!(0), json!(-3), json!(1.5), json!(true)] {
            assert_eq!(field_number(&bad), None, "{bad}");
        }
        assert_eq!(normalise_field_ids(IMPACT_FIELD, json!("customfield_10004")), json!(10004));
        assert_eq!(normalise_field_ids(IMPACT_VALUES, json!("customfield_10004")), json!("customfield_10004"), "other keys untouched");
        assert_eq!(normalise_field_ids(URGENCY_FIELD, json!("Urgency")), json!("Urgency"), "left for the check to refuse");
        let f = IntakeFields::from_config(&json!({"impact_custom_field_id": "customfield_10004"})).unwrap();
        assert_eq!(f.impact_field, Some(10004));
    }

    #[test]
    fn wrong_options_are_refused_with_the_key_named() {
        for (config, key) in [
            (json!({"impact_custom_field_id": "seven"}), IMPACT_FIELD),
            (json!({"urgency_custom_field_id": 0}), URGENCY_FIELD),
            (json!({"impact_values": {"High": "huge"}}), IMPACT_VALUES),
            (json!({"urgency_values": ["high"]}), URGENCY_VALUES),
        ] {
            let e = IntakeFields::from_config(&config).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
        let e = IntakeFields::from_config(&json!({"impact_values": {"High": "huge"}})).unwrap_err().to_string();
        assert!(e.contains("single_user, team, department, organization"), "{e}");
    }
}
