//! The sync engine: connectors fetch, a pure planner decides, the store applies.
//!
//! - [`connector`]: the interface every ticket server implements.
//! - [`http`]: the one place HTTP statuses become errors (retries, backoff, `Retry-After`).
//! - [`plan`]: pure functions (local state, remote page) → operations, and the cursor.
//! - [`engine`]: the pipelined run (fetch → plan → apply + cursor in one transaction), census.
//! - [`redmine`]: the Redmine connector.
//! - [`jira`]: the Jira Cloud connector (REST v3, read-only).
//! - [`zendesk`]: the Zendesk Support connector ([`zendesk_map`] reads its JSON,
//!   [`zendesk_audits`] a ticket's comments and status moves).
//! - [`servicenow`]: the ServiceNow connector (Table API).
//! - [`lease`]: one sync per source at a time, across processes.

pub mod connector;
pub mod engine;
pub mod http;
pub mod jira;
pub mod lease;
pub mod options;
pub mod plan;
pub mod redmine;
pub mod servicenow;
pub mod state;
pub mod zendesk;
pub mod zendesk_audits;
pub mod zendesk_map;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use options::SyncOptions;

use crate::model::{SourceKind, SyncProgress, SyncSummary};
use crate::{Error, Result, Store};

/// Sync one source (by name) into the store. `token` is the API credential
/// (from the OS credential store or the source's token environment variable);
/// it is never written anywhere. `progress` is called as pages are applied.
pub async fn sync_source(
    store: &Store,
    source: &str,
    token: Option<String>,
    now: DateTime<Utc>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<SyncSummary> {
    let read_state = || {
        let (store, name) = (store.clone(), source.to_string());
        async move {
            tokio::task::spawn_blocking(move || store.read(|c| state::source_state(c, &name)))
                .await
                .map_err(|e| Error::Internal(format!("a store task stopped: {e}")))?
        }
    };
    let id = read_state().await?.id;
    let _lease = lease::SyncLease::acquire(store, id, source)?;
    // Read again under the lock: a run that just finished moved the cursor.
    let state = read_state().await?;
    let opts = SyncOptions::from_config(&state.config)?;
    let kind = SourceKind::parse(&state.kind)
        .ok_or_else(|| Error::Internal(format!("source {source:?} has an unknown kind {:?}", state.kind)))?;
    let conn = connector(kind, &state.url, &state.project, token.as_deref(), &opts)?;
    engine::run(store, &state, conn, &opts, now, progress).await
}

/// The connector for a source kind.
pub fn connector(
    kind: SourceKind,
    url: &str,
    project: &str,
    token: Option<&str>,
    opts: &SyncOptions,
) -> Result<Arc<dyn connector::Connector>> {
    let (resolved, retry) = (opts.resolved_statuses.clone(), opts.retry.clone());
    match kind {
        SourceKind::Redmine => Ok(Arc::new(redmine::Redmine::new(url, project, token, resolved, retry)?)),
        SourceKind::Jira => Ok(Arc::new(jira::Jira::new(url, project, token, resolved, retry)?.with_custom_fields(&opts.custom_fields))),
        SourceKind::ServiceNow => {
            Ok(Arc::new(servicenow::ServiceNow::new(url, project, token, resolved, opts.work_notes, retry)?))
        }
        SourceKind::Zendesk => Ok(Arc::new(zendesk::Zendesk::new(url, project, token, opts.page_size, retry)?)),
        SourceKind::Demo => Err(Error::invalid("the demo source is built in and cannot be synced; run `hypercare demo`")),
    }
}

/// Check a source's project as its kind reads it, before anything is stored:
/// a ServiceNow table and query ([`servicenow::Target::parse`]); a Zendesk
/// scope, `*`, `group:ID`, `brand:ID` or `organization:ID`
/// ([`zendesk_map::Scope::parse`]).
pub fn check_project(kind: SourceKind, project: &str) -> Result<()> {
    if project.trim().is_empty() {
        return Err(Error::invalid_field("project", "the project is empty"));
    }
    match kind {
        SourceKind::ServiceNow => servicenow::Target::parse(project).map(|_| ()),
        SourceKind::Zendesk => zendesk_map::Scope::parse(project).map(|_| ()),
        _ => Ok(()),
    }
}

/// What a successful connection test found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionInfo {
    /// The project's display name on the server.
    pub project_name: String,
    /// How many tickets the first sync will fetch, when the server says.
    pub ticket_count: Option<u64>,
}

/// Check that `url` answers as a `kind` server, that `token` is accepted and
/// that `project` exists, without touching the store.
pub async fn test_connection(kind: SourceKind, url: &str, project: &str, token: Option<String>) -> Result<ConnectionInfo> {
    let mut opts = SyncOptions::default();
    opts.retry.max_retries = 1;
    opts.retry.timeout = std::time::Duration::from_secs(20);
    connector(kind, url, project, token.as_deref(), &opts)?.test_connection().await
}

/// A record's JSON object without the named fields, compact: the raw record
/// a connector keeps (Redmine drops the journals, Zendesk the description,
/// both stored apart). `what` opens the error ("Redmine sent an issue").
pub fn raw_without(obj: &serde_json::value::RawValue, drop: &[&str], what: &str) -> Result<String> {
    let fields: std::collections::BTreeMap<&str, &serde_json::value::RawValue> = serde_json::from_str(obj.get())
        .map_err(|e| Error::BadResponse(format!("{what} that is not a JSON object: {e}")))?;
    let mut out = String::with_capacity(obj.get().len());
    out.push('{');
    for (k, v) in fields.iter().filter(|(k, _)| !drop.contains(k)) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).map_err(|e| Error::Internal(format!("cannot write a field name: {e}")))?);
        out.push(':');
        out.push_str(v.get());
    }
    out.push('}');
    Ok(out)
}

/// The token for a source from its environment variable (the CLI route).
pub fn token_from_env(token_env: Option<&str>) -> Option<String> {
    token_env.and_then(|v| std::env::var(v).ok()).filter(|t| !t.is_empty())
}
