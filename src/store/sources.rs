//! Sources: the ticket servers a workspace syncs from.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{opt_from_ts, to_ts, Store};
use crate::model::{Source, SourceKind};
use crate::{Error, Result};

/// What the user gives to add a source.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub name: String,
    pub kind: SourceKind,
    pub url: String,
    pub project: String,
    pub token_env: Option<String>,
    /// Connector options (JSON object), never secrets.
    pub config: serde_json::Value,
}

const COLS: &str = "id, name, kind, url, project, token_env, last_sync_at, last_sync_status, last_sync_error";

fn row_to_source(r: &Row<'_>) -> rusqlite::Result<Source> {
    let kind: String = r.get(2)?;
    Ok(Source {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: SourceKind::parse(&kind).unwrap_or(SourceKind::Demo),
        url: r.get(3)?,
        project: r.get(4)?,
        token_env: r.get(5)?,
        last_sync_at: opt_from_ts(r.get(6)?),
        last_sync_status: r.get(7)?,
        last_sync_error: r.get(8)?,
    })
}

/// A URL as a server identity: scheme, host (lower case), port (the
/// scheme's default when absent) and path without trailing slashes; the
/// trimmed text when it does not parse.
fn server_identity(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match reqwest::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}:{}{}",
            u.scheme(),
            u.host_str().unwrap_or_default().to_ascii_lowercase(),
            u.port_or_known_default().unwrap_or(0),
            u.path().trim_end_matches('/')
        ),
        Err(_) => url.to_ascii_lowercase(),
    }
}

/// The name of a source of the same kind that already syncs `new`'s server
/// and project (the URL compared as [`server_identity`], the project without
/// regard to case), if any. A project named once by identifier and once by
/// numeric id is not caught (that needs the server).
fn same_server_source(c: &Connection, new: &NewSource) -> Result<Option<String>> {
    if new.kind == SourceKind::Demo {
        return Ok(None); // built-in sample data, no server behind it
    }
    let wanted = (server_identity(&new.url), new.project.trim().to_lowercase());
    let mut st = c.prepare("SELECT name, url, project FROM sources WHERE kind = ?1")?;
    let rows = st
        .query_map([new.kind.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .find(|(_, url, project)| (server_identity(url), project.trim().to_lowercase()) == wanted)
        .map(|(name, _, _)| name))
}

pub fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Error::invalid(format!(
            "source name {name:?} is not valid: use 1-64 letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(())
}

impl Store {
    /// Add a source. Fails with `InvalidInput` if the name is taken.
    pub fn add_source(&self, new: &NewSource, now: DateTime<Utc>) -> Result<Source> {
        validate_name(&new.name)?;
        self.with_tx(|tx| {
            let exists: Option<i64> =
                tx.query_row("SELECT id FROM sources WHERE name = ?1", [&new.name], |r| r.get(0)).optional()?;
            if exists.is_some() {
                return Err(Error::invalid(format!(
                    "a source named {:?} already exists; pick another name or remove it first",
                    new.name
                )));
            }
            if let Some(existing) = same_server_source(tx, new)? {
                return Err(Error::invalid(format!(
                    "the source {existing:?} already syncs project {:?} from {}; adding it again would show every \
                     ticket twice. Use {existing:?}, or remove it first",
                    new.project.trim(),
                    new.url.trim().trim_end_matches('/')
                )));
            }
            tx.execute(
                "INSERT INTO sources (name, kind, url, project, token_env, config, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.name,
                    new.kind.as_str(),
                    new.url.trim_end_matches('/'),
                    new.project,
                    new.token_env,
                    normalised_config(&new.config).to_string(),
                    to_ts(now)
                ],
            )?;
            let id = tx.last_insert_rowid();
            source_by_id(tx, id)
        })
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        self.read(|c| {
            let mut st = c.prepare(&format!("SELECT {COLS} FROM sources ORDER BY name"))?;
            let rows = st.query_map([], row_to_source)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    pub fn source(&self, name: &str) -> Result<Source> {
        self.read(|c| source_by_name(c, name))
    }

    /// Remove a source and everything synced from it; for the demo source,
    /// also the demo's survey answers and usage logs, so no KPI keeps
    /// counting demo data once it is gone. Themes left with fewer than
    /// three items (and no trainer's edit) are dissolved in the same
    /// transaction: no one-ticket "theme" is listed.
    pub fn remove_source(&self, name: &str) -> Result<()> {
        self.with_tx(|tx| {
            let found: Option<(i64, String)> =
                tx.query_row("SELECT id, kind FROM sources WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let Some((id, kind)) = found else {
                return Err(Error::not_found(format!("no source named {name:?}")));
            };
            delete_source_rows(tx, id)?;
            if kind == SourceKind::Demo.as_str() && name == crate::demo::DEMO_SOURCE {
                crate::import::demo::remove_demo_feedback(tx)?;
            }
            crate::triage::theme_store::dissolve_small_themes(tx)?;
            Ok(())
        })
    }

    /// Set one key of a source's options (`None`: remove it, back to the
    /// default); returns the new options. Options that the sync could not
    /// read are refused and nothing changes.
    pub fn set_source_option(&self, name: &str, key: &str, value: Option<serde_json::Value>) -> Result<serde_json::Value> {
        self.set_source_options(name, &[(key, value)])
    }

    /// Set several options of a source at once: all of them, or (when one
    /// is refused) none.
    pub fn set_source_options(&self, name: &str, changes: &[(&str, Option<serde_json::Value>)]) -> Result<serde_json::Value> {
        // A field named as Jira does, `customfield_10004`, is stored as 10004.
        let changes: Vec<(&str, Option<serde_json::Value>)> =
            changes.iter().map(|(k, v)| (*k, v.clone().map(|v| crate::triage::intake::normalise_field_ids(k, v)))).collect();
        for (key, value) in &changes {
            if key.trim().is_empty() {
                return Err(Error::invalid("the option name is empty"));
            }
            if *key == "csat_custom_field_id" && value.as_ref().is_some_and(|v| v.as_i64().is_none_or(|n| n <= 0)) {
                return Err(Error::invalid("csat_custom_field_id must be the number of the server's custom field, e.g. 7"));
            }
        }
        self.with_tx(|tx| {
            let source = source_by_name(tx, name)?;
            let text: String = tx.query_row("SELECT config FROM sources WHERE id = ?1", [source.id], |r| r.get(0))?;
            let mut config: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
            let asked_before = crate::sync::options::SyncOptions::from_config(&config).map(|o| o.custom_fields).unwrap_or_default();
            let obj = config.as_object_mut().ok_or_else(|| Error::Internal("source config is not a JSON object".into()))?;
            for (key, value) in &changes {
                match value {
                    Some(v) => obj.insert(key.to_string(), v.clone()),
                    None => obj.remove(*key),
                };
            }
            let asked = crate::sync::options::SyncOptions::from_config(&config)?.custom_fields;
            crate::triage::intake::IntakeFields::from_config(&config)?;
            tx.execute("UPDATE sources SET config = ?1 WHERE id = ?2", params![config.to_string(), source.id])?;
            if source.kind == SourceKind::Jira && asked.iter().any(|id| !asked_before.contains(id)) {
                // Jira sends a custom field only when asked: the stored
                // issues lack a newly named one until read again.
                crate::sync::state::read_all_again(tx, source.id)?;
            }
            Ok(config)
        })
    }

    /// Connector options of a source (JSON object).
    pub fn source_config(&self, source_id: i64) -> Result<serde_json::Value> {
        self.read(|c| {
            let s: String = c.query_row("SELECT config FROM sources WHERE id = ?1", [source_id], |r| r.get(0))?;
            serde_json::from_str(&s).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))
        })
    }
}

/// A new source's options with its custom fields written as numbers
/// (`"customfield_10004"` → `10004`, [`crate::triage::intake::normalise_field_ids`]).
fn normalised_config(config: &serde_json::Value) -> serde_json::Value {
    match config {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter().map(|(k, v)| (k.clone(), crate::triage::intake::normalise_field_ids(k, v.clone()))).collect(),
        ),
        other => other.clone(),
    }
}

/// Delete source `id` and everything synced from it: its full-text rows
/// explicitly (the index is contentless), the rest by cascade.
pub(crate) fn delete_source_rows(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM ticket_fts WHERE rowid IN (SELECT id FROM tickets WHERE source_id = ?1)", [id])?;
    tx.execute("DELETE FROM sources WHERE id = ?1", [id])?;
    Ok(())
}

pub fn source_by_id(c: &Connection, id: i64) -> Result<Source> {
    c.query_row(&format!("SELECT {COLS} FROM sources WHERE id = ?1"), [id], row_to_source)
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no source with id {id}")))
}

pub fn source_by_name(c: &Connection, name: &str) -> Result<Source> {
    c.query_row(&format!("SELECT {COLS} FROM sources WHERE name = ?1"), [name], row_to_source)
        .optional()?
        .ok_or_else(|| {
            Error::not_found(format!("no source named {name:?}; `hypercare source list` shows the configured ones"))
        })
}
