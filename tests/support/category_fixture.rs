//! Shared by the `triage_push*` tests: issues and issue categories in a
//! project of the real Redmine, a store whose source pushes categories
//! there, and the journal count that proves a write happened once.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use hypercare::model::Category;
use hypercare::triage::{set_override, Override};
use hypercare::validation::push::{push_outbox, PushOptions, PushReport};
use hypercare::Store;
use serde_json::{json, Value};

use crate::fixture::{self, Redmine};

/// Create issue categories in a project; returns their ids by name.
pub async fn create_categories(rm: &Redmine, project: &str, names: &[&str]) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for n in names {
        let (s, v) = rm
            .call(
                reqwest::Method::POST,
                &format!("/projects/{project}/issue_categories.json"),
                Some(json!({"issue_category": {"name": n}})),
            )
            .await;
        assert_eq!(s, 201, "create issue category {n}: {v}");
        out.push((n.to_string(), v["issue_category"]["id"].as_i64().unwrap()));
    }
    out
}

/// The issue's category name on the server.
pub async fn category_of(rm: &Redmine, id: i64) -> Option<String> {
    rm.issue(id).await["category"]["name"].as_str().map(String::from)
}

/// How many journals changed the issue's `attr` (e.g. `category_id`) or
/// custom field `cf` (its id as text): each is one server write.
pub async fn writes_of(rm: &Redmine, id: i64, property: &str, name: &str) -> usize {
    let issue = rm.issue(id).await;
    issue["journals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| {
            j["details"].as_array().is_some_and(|d| d.iter().any(|x| x["property"] == property && x["name"] == name))
        })
        .count()
}

/// How many times the server was asked to update the issue (`PUT
/// /issues/ID.json` in its request log): a write skipped because the issue
/// already shows the value never appears there. `None` without REDMINE_DATA.
pub fn puts_to(rm: &Redmine, id: i64) -> Option<usize> {
    let log = std::fs::read_to_string(rm.data.as_ref()?.join("log/production.log")).ok()?;
    let needle = format!("Started PUT \"/issues/{id}.json\"");
    Some(log.lines().filter(|l| l.contains(&needle)).count())
}

/// A store whose Redmine source writes confirmed categories per `push_cfg`.
pub fn store_pushing_to(dir: &std::path::Path, rm: &Redmine, project: &str, push_cfg: Value) -> (Store, i64) {
    fixture::store_with_source(dir, rm, "erp", project, "TRIAGE_PUSH_UNUSED_TOKEN", json!({"triage": {"category_push": push_cfg}}))
}

/// New Bug issues with these subjects in `project`, mirrored into a fresh
/// store whose source pushes categories per `push_cfg`: the store's
/// folder, the store, the issue ids and the local ticket ids.
pub async fn mirrored_issues(
    rm: &Redmine,
    project: &str,
    subjects: &[&str],
    push_cfg: Value,
) -> (tempfile::TempDir, Store, Vec<i64>, Vec<i64>) {
    let mut issues = Vec::new();
    for s in subjects {
        issues.push(rm.new_issue(project, s, 1).await);
    }
    let ids: Vec<i64> = issues.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();
    let (store, source) = store_pushing_to(dir.path(), rm, project, push_cfg);
    let tickets: Vec<i64> = issues.iter().map(|i| fixture::mirror(&store, source, i)).collect();
    (dir, store, ids, tickets)
}

/// Confirm a ticket's category; returns its outbox row id (it must be queued).
pub fn confirm(store: &Store, ticket: i64, c: Category, now: DateTime<Utc>) -> i64 {
    let done = set_override(store, ticket, &Override { category: Some(c), ..Default::default() }, now).unwrap();
    let push = done.category_push.expect("a category was given");
    assert!(push.queued, "{push:?}");
    push.outbox_id.unwrap()
}

/// Push with the test server's key.
pub async fn push(store: &Store, rm: &Redmine, now: DateTime<Utc>) -> PushReport {
    let key = rm.key.clone();
    let token_for = move |_: &hypercare::model::Source| Some(key.clone());
    let opts = PushOptions { timeout: std::time::Duration::from_secs(10), ..PushOptions::default() };
    push_outbox(store, &token_for, &opts, now).await.unwrap()
}

/// The state and error of one outbox row.
pub fn row_state(store: &Store, id: i64) -> (String, Option<String>) {
    store
        .read(|c| Ok(c.query_row("SELECT state, last_error FROM outbox WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}
