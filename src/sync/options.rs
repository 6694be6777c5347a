//! Per-source sync options, read from the source's `config` JSON.
//!
//! Every key is optional; unknown keys are ignored. Secrets never live here.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `resolved_statuses` | `["Resolved"]` | status names that count as resolved (not closed) |
//! | `concurrency` | 4 | ticket detail requests in flight |
//! | `census_interval_secs` | 21600 | how often the id census looks for deleted tickets |
//! | `timeout_secs` | 60 | whole-request timeout |
//! | `connect_timeout_secs` | 10 | connect timeout |
//! | `max_retries` | 4 | retries of a transient failure |
//! | `backoff_ms` | 500 | first backoff delay (doubles, plus jitter) |
//! | `max_wait_secs` | 60 | cap of any single wait, `Retry-After` included |
//! | `page_size` | server's | (Zendesk) tickets per export request, 20–1000 (default 1000); a listing page is half of it |
//! | `csat_custom_field_id` | none | (Redmine, Jira, Zendesk) custom field holding a 1–5 satisfaction rating; read by the KPIs from the raw record |
//! | `impact_custom_field_id`, `urgency_custom_field_id` | none | (Redmine, Jira, Zendesk) custom fields where the desk records impact / urgency at intake; they decide triage over the text (`triage::intake`). A number, or Jira's `customfield_10004` (stored as 10004); Jira fetches only the fields named here |
//! | `impact_values`, `urgency_values` | none | `{"server value": "level"}` for values the built-in names don't cover |
//! | `work_notes` | false | (ServiceNow) also sync work notes (internal) as comments, marked "(work note)" |
//! | `native_intake` | true | (ServiceNow) the incident's own `impact` / `urgency` decide triage (`triage::intake`); `false`: the text decides |

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::http::RetryPolicy;
use crate::{Error, Result};

/// How one source is synced.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOptions {
    pub resolved_statuses: Vec<String>,
    pub concurrency: usize,
    pub census_interval: chrono::Duration,
    pub retry: RetryPolicy,
    /// Listing page size where the connector lets it be chosen (Zendesk's export `per_page`).
    pub page_size: Option<u64>,
    /// (ServiceNow) work notes are synced as comments too.
    pub work_notes: bool,
    /// The custom fields the options name (impact, urgency, satisfaction),
    /// ascending: what a connector that asks for fields by name (Jira)
    /// fetches beside its own.
    pub custom_fields: Vec<i64>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            resolved_statuses: vec!["Resolved".to_string()],
            concurrency: 4,
            census_interval: chrono::Duration::hours(6),
            retry: RetryPolicy::default(),
            page_size: None,
            work_notes: false,
            custom_fields: Vec::new(),
        }
    }
}

/// One key of the config, `None` when absent; a wrongly typed value names the key.
fn get<T: DeserializeOwned>(config: &serde_json::Value, key: &str) -> Result<Option<T>> {
    match config.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| Error::invalid(format!("source config: {key} is not valid ({e})"))),
    }
}

fn secs(v: f64, key: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(v).map_err(|_| Error::invalid(format!("source config: {key} must be a positive number of seconds")))
}

impl SyncOptions {
    /// Read options from a source's config JSON (missing keys keep defaults).
    pub fn from_config(config: &serde_json::Value) -> Result<SyncOptions> {
        if !config.is_object() {
            return Err(Error::invalid("source config must be a JSON object"));
        }
        let mut o = SyncOptions::default();
        if let Some(v) = get(config, "resolved_statuses")? {
            o.resolved_statuses = v;
        }
        if let Some(v) = get::<usize>(config, "concurrency")? {
            o.concurrency = v.clamp(1, 64);
        }
        if let Some(v) = get::<u32>(config, "census_interval_secs")? {
            o.census_interval = chrono::Duration::seconds(v as i64);
        }
        if let Some(v) = get(config, "timeout_secs")? {
            o.retry.timeout = secs(v, "timeout_secs")?;
        }
        if let Some(v) = get(config, "connect_timeout_secs")? {
            o.retry.connect_timeout = secs(v, "connect_timeout_secs")?;
        }
        if let Some(v) = get::<u32>(config, "max_retries")? {
            o.retry.max_retries = v.min(20);
        }
        if let Some(v) = get(config, "backoff_ms")? {
            o.retry.base_delay = Duration::from_millis(v);
        }
        if let Some(v) = get(config, "max_wait_secs")? {
            o.retry.max_delay = secs(v, "max_wait_secs")?;
        }
        if let Some(v) = get::<u64>(config, "page_size")? {
            o.page_size = Some(v);
        }
        if let Some(v) = get(config, "work_notes")? {
            o.work_notes = v;
        }
        let mut fields: Vec<i64> =
            crate::triage::intake::FIELD_KEYS.iter().filter_map(|k| config.get(*k).and_then(crate::triage::intake::field_number)).collect();
        fields.sort_unstable();
        fields.dedup();
        o.custom_fields = fields;

        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_defaults_and_keys_override() {
        assert_eq!(SyncOptions::from_config(&serde_json::json!({})).unwrap(), SyncOptions::default());
        let o = SyncOptions::from_config(&serde_json::json!({"resolved_statuses": ["Done", "Fixed"], "timeout_secs": 0.5, "max_retries": 1}))
            .unwrap();
        assert_eq!(o.resolved_statuses, ["Done", "Fixed"]);
        assert_eq!(o.retry.timeout, Duration::from_millis(500));
        assert_eq!(o.retry.max_retries, 1);
    }

    #[test]
    fn a_wrongly_typed_key_is_a_clear_error() {
        let e = SyncOptions::from_config(&serde_json::json!({"concurrency": "four"})).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("concurrency"), "{e}");
    }
}
