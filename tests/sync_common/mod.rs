//! Shared helpers of the sync tests.
#![allow(dead_code)]

pub mod fake_jira;
pub mod fake_jira_write;
pub mod fake_redmine;
pub mod fake_servicenow;
pub mod redmine;
pub mod validation_world;
pub mod write_log;

use chrono::{DateTime, Utc};
use hypercare::model::{SourceKind, TicketQuery, TicketSummary};
use hypercare::store::sources::NewSource;
use hypercare::Store;
use std::collections::BTreeMap;

/// The "now" the tests hand to the sync (the wall clock: the fake and real
/// servers stamp changes with real times).
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A Redmine source named `name` with connector options `config`.
pub fn add_redmine(store: &Store, name: &str, url: &str, project: &str, config: serde_json::Value) {
    store
        .add_source(
            &NewSource {
                name: name.into(),
                kind: SourceKind::Redmine,
                url: url.into(),
                project: project.into(),
                token_env: Some("HC_TEST_TOKEN".into()),
                config,
            },
            now(),
        )
        .expect("add source");
}

/// Every stored ticket of the store (tombstones included), by remote id.
pub fn stored(store: &Store) -> BTreeMap<String, TicketSummary> {
    let q = TicketQuery { include_deleted: true, limit: Some(10_000), ..Default::default() };
    store.tickets(&q).expect("tickets").into_iter().map(|t| (t.remote_id.clone(), t)).collect()
}

/// The stored sync cursor of a source (JSON text).
pub fn cursor(store: &Store, name: &str) -> Option<String> {
    store
        .read(|c| Ok(c.query_row("SELECT cursor FROM sources WHERE name = ?1", [name], |r| r.get(0))?))
        .expect("cursor")
}
