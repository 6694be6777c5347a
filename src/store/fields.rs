//! The server's custom fields as the synced tickets show them, and which of
//! them the app reads: the impact and urgency recorded at intake
//! ([`crate::triage::intake`]) and a 1–5 satisfaction rating (the KPIs'
//! CSAT from tickets). Users pick fields by name from what their tickets
//! carry, instead of looking up ids in the server's administration.

use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use serde::Serialize;
use ts_rs::TS;

use super::sources::source_by_name;
use crate::sync::connector::FieldName;
use super::Store;
use crate::triage::intake::{IMPACT_FIELD, URGENCY_FIELD};
use crate::{Error, Result};

/// The source option naming the satisfaction field.
pub const CSAT_FIELD: &str = "csat_custom_field_id";

/// How many of a source's most recently updated tickets are read to find
/// its fields: enough to see every field in use, cheap at any store size.
pub const SAMPLE: i64 = 2_000;

/// Example values kept per field.
const EXAMPLES: usize = 4;

/// A custom field seen on synced tickets.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SeenField {
    pub id: i64,
    /// Its name on the server ("Urgency").
    pub name: String,
    /// Sampled tickets where it holds a value.
    pub tickets: u32,
    /// Its most frequent values, most frequent first.
    pub examples: Vec<String>,
}

/// A source's custom fields and the ones the app reads.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceFields {
    pub source: String,
    /// Fields seen on the sampled tickets, by name.
    pub seen: Vec<SeenField>,
    /// Tickets read to find them (the most recently updated, at most [`SAMPLE`]).
    pub sampled: u32,
    pub impact_field: Option<i64>,
    pub urgency_field: Option<i64>,
    pub csat_field: Option<i64>,
    /// The server sends a custom field only when asked for it (Jira): the
    /// fields not chosen show no tickets, and a newly chosen one arrives
    /// with the next sync, which reads every ticket again.
    pub on_request: bool,
}

/// Which field holds what (`None`: the app reads none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldChoice {
    pub impact: Option<i64>,
    pub urgency: Option<i64>,
    pub csat: Option<i64>,
}

/// The custom field names the server's field list gave for `source`.
fn field_names(c: &rusqlite::Connection, source: i64) -> Result<Vec<(i64, String)>> {
    let mut st = c.prepare_cached("SELECT field_id, name FROM source_field_names WHERE source_id = ?1")?;
    let rows = st.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether the server's field names are stored for `source`.
pub(crate) fn has_field_names(c: &rusqlite::Connection, source: i64) -> Result<bool> {
    Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM source_field_names WHERE source_id = ?1)", [source], |r| r.get(0))?)
}

/// Replace `source`'s stored field names with the server's current list
/// (blank names are skipped).
pub(crate) fn save_field_names(tx: &rusqlite::Transaction<'_>, source: i64, names: &[FieldName]) -> Result<()> {
    tx.execute("DELETE FROM source_field_names WHERE source_id = ?1", [source])?;
    let mut st = tx.prepare_cached("INSERT OR REPLACE INTO source_field_names (source_id, field_id, name) VALUES (?1, ?2, ?3)")?;
    for f in names.iter().filter(|f| !f.name.trim().is_empty()) {
        st.execute(rusqlite::params![source, f.id, f.name.trim()])?;
    }
    Ok(())
}

fn text_of(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        _ => String::new(),
    }
}

impl Store {
    /// The custom fields on a source's most recently updated tickets, and
    /// the ones its options name.
    pub fn source_fields(&self, name: &str) -> Result<SourceFields> {
        self.read(|c| {
            let source = source_by_name(c, name)?;
            let config: String = c.query_row("SELECT config FROM sources WHERE id = ?1", [source.id], |r| r.get(0))?;
            let config: serde_json::Value =
                serde_json::from_str(&config).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
            let sampled: u32 = c.query_row(
                "SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE source_id = ?1 AND deleted_at IS NULL LIMIT ?2)",
                rusqlite::params![source.id, SAMPLE],
                |r| r.get(0),
            )?;
            let mut st = c.prepare_cached(
                "WITH recent AS (
                     SELECT raw FROM tickets WHERE source_id = ?1 AND deleted_at IS NULL
                     ORDER BY updated_at DESC LIMIT ?2)
                 SELECT json_extract(cf.value, '$.id'), json_extract(cf.value, '$.name'), json_extract(cf.value, '$.value')
                 FROM recent JOIN json_each(CASE WHEN json_valid(recent.raw) THEN recent.raw ELSE '{}' END, '$.custom_fields') cf",
            )?;
            let mut rows = st.query(rusqlite::params![source.id, SAMPLE])?;
            let mut fields: BTreeMap<i64, (String, u32, BTreeMap<String, u32>)> = BTreeMap::new();
            while let Some(r) = rows.next()? {
                let Some(id) = r.get::<_, Option<i64>>(0)? else { continue };
                let name = text_of(r.get_ref(1)?);
                let value = text_of(r.get_ref(2)?);
                let f = fields.entry(id).or_insert_with(|| (name.clone(), 0, BTreeMap::new()));
                if f.0.is_empty() {
                    f.0 = name;
                }
                if !value.is_empty() && value != "[]" {
                    f.1 += 1;
                    *f.2.entry(value).or_default() += 1;
                }
            }
            // Fields the server defines but the sampled tickets do not show
            // (Jira sends only the fields asked for), and names for fields
            // the tickets carry by id only (Jira, Zendesk).
            for (id, name) in field_names(c, source.id)? {
                let f = fields.entry(id).or_insert_with(|| (String::new(), 0, BTreeMap::new()));
                if f.0.is_empty() {
                    f.0 = name;
                }
            }
            let mut seen: Vec<SeenField> = fields
                .into_iter()
                .map(|(id, (name, tickets, values))| {
                    let mut values: Vec<(String, u32)> = values.into_iter().collect();
                    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    let name = if name.is_empty() { format!("custom field #{id}") } else { name };
                    SeenField { id, name, tickets, examples: values.into_iter().take(EXAMPLES).map(|v| v.0).collect() }
                })
                .collect();
            seen.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
            let id = |key: &str| config.get(key).and_then(crate::triage::intake::field_number);
            Ok(SourceFields {
                source: source.name,
                seen,
                sampled,
                impact_field: id(IMPACT_FIELD),
                urgency_field: id(URGENCY_FIELD),
                csat_field: id(CSAT_FIELD),
                on_request: source.kind == crate::model::SourceKind::Jira,
            })
        })
    }

    /// Choose which fields hold impact, urgency and satisfaction, in one
    /// change (all or nothing). One field cannot hold two of them. Triage
    /// reads the new choice from its next run; the KPIs at once.
    pub fn set_source_fields(&self, name: &str, choice: FieldChoice) -> Result<SourceFields> {
        let picked = [("impact", choice.impact), ("urgency", choice.urgency), ("satisfaction", choice.csat)];
        for (i, (what, id)) in picked.iter().enumerate() {
            if let Some((other, _)) = id.and_then(|id| picked[..i].iter().find(|(_, o)| *o == Some(id))) {
                return Err(Error::invalid(format!(
                    "custom field #{} cannot hold both {other} and {what}: choose another field for one of them",
                    id.unwrap_or_default()
                )));
            }
        }
        let v = |id: Option<i64>| id.map(serde_json::Value::from);
        self.set_source_options(name, &[(IMPACT_FIELD, v(choice.impact)), (URGENCY_FIELD, v(choice.urgency)), (CSAT_FIELD, v(choice.csat))])?;
        self.source_fields(name)
    }
}
