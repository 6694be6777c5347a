//! Against the real Redmine: a first sync of 320 issues with journals, then
//! edits, comments, status changes (resolve, reopen, close), 160 issues
//! updated within one second across a page boundary and deleted issues; the
//! incremental sync must then mirror the server exactly, checked against
//! Redmine's own API.

mod sync_common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use hypercare::model::{StatusClass, SyncSummary};
use hypercare::Store;
use rusqlite::params;
use serde_json::json;
use sync_common::redmine::Redmine;
use sync_common::{add_redmine, now, stored};

const ISSUES: i64 = 320;

fn db_time(t: chrono::DateTime<Utc>, micros: i64) -> String {
    format!("{}.{:06}", t.format("%Y-%m-%d %H:%M:%S"), micros)
}

/// Write `ISSUES` issues with two journals each straight into Redmine's
/// database (the API creates ~5 issues/s). Every tenth issue is Resolved,
/// every tenth plus one Closed. Returns the issue ids.
fn seed(rm: &Redmine, project_id: i64) -> Vec<i64> {
    let mut db = rm.db();
    let tx = db.transaction().expect("tx");
    let base = Utc::now() - Duration::days(3);
    let mut ids = Vec::new();
    for k in 0..ISSUES {
        let created = base + Duration::minutes(k);
        let updated = created + Duration::minutes(30);
        let status = match k % 10 {
            0 => 3,
            1 => 5,
            _ => 2,
        };
        tx.execute(
            "INSERT INTO issues (tracker_id, project_id, subject, description, status_id, priority_id, author_id,
                lock_version, created_on, updated_on, done_ratio, is_private, lft, rgt, closed_on)
             VALUES (1, ?1, ?2, ?3, ?4, 2, 1, 0, ?5, ?6, 0, 0, 1, 2, ?7)",
            params![
                project_id,
                format!("Seeded issue {k}: posting fails"),
                format!("Steps:\r\n1. open invoice {k}\r\n2. post"),
                status,
                db_time(created, 0),
                db_time(updated, k),
                if status == 5 { Some(db_time(updated, k)) } else { None }
            ],
        )
        .expect("insert issue");
        let id = tx.last_insert_rowid();
        tx.execute("UPDATE issues SET root_id = id WHERE id = ?1", [id]).expect("root");
        tx.execute(
            "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes)
             VALUES (?1, 'Issue', 1, ?2, ?3, 0)",
            params![id, format!("First answer on {k}: please attach a screenshot"), db_time(created + Duration::minutes(10), 0)],
        )
        .expect("journal");
        tx.execute(
            "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes)
             VALUES (?1, 'Issue', 1, '', ?2, 0)",
            params![id, db_time(updated, k)],
        )
        .expect("journal");
        let jid = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO journal_details (journal_id, property, prop_key, old_value, value) VALUES (?1, 'attr', 'status_id', '1', ?2)",
            params![jid, status.to_string()],
        )
        .expect("detail");
        ids.push(id);
    }
    tx.commit().expect("commit");
    ids
}

async fn sync(store: &Store, rm: &Redmine) -> SyncSummary {
    hypercare::sync::sync_source(store, "rm", Some(rm.key.clone()), now(), &|_| {}).await.expect("sync")
}

/// The store equals the server: every issue with its subject, status and
/// comment count; every other stored ticket a tombstone.
async fn assert_mirrors(store: &Store, rm: &Redmine, project: &str, deleted: &BTreeSet<String>) {
    let server = rm.issues(project).await;
    let local = stored(store);
    for (id, seen) in &server {
        let t = local.get(id).unwrap_or_else(|| panic!("issue {id} is missing from the store"));
        assert_eq!((&t.title, &t.status, t.comment_count, t.deleted), (&seen.subject, &seen.status, seen.comments, false), "issue {id}");
    }
    let tombstones: BTreeSet<String> = local.values().filter(|t| t.deleted).map(|t| t.remote_id.clone()).collect();
    assert_eq!(&tombstones, deleted);
    assert_eq!(local.len(), server.len() + deleted.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_mirrors_a_real_redmine_after_edits_bulk_updates_and_deletions() {
    let Some(rm) = Redmine::from_env() else { return };
    let (project, project_id) = rm.create_project("sync").await;
    let ids = seed(&rm, project_id);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    add_redmine(&store, "rm", &rm.url, &project, json!({"census_interval_secs": 0}));

    let first = sync(&store, &rm).await;
    assert_eq!((first.created, first.fetched), (ISSUES as u64, ISSUES as u64));
    assert_mirrors(&store, &rm, &project, &BTreeSet::new()).await;
    let t = &stored(&store)[&ids[0].to_string()];
    assert_eq!((t.status_class, t.comment_count), (StatusClass::Resolved, 1));
    let detail = store.ticket_detail(t.id).expect("detail");
    assert_eq!(detail.description, "Steps:\n1. open invoice 0\n2. post", "CRLF became LF");

    // Changes through the API.
    let id = |k: usize| ids[k];
    let mut changed: BTreeSet<i64> = BTreeSet::new();
    for k in [2, 3, 4] {
        rm.put(&format!("/issues/{}.json", id(k)), json!({"issue": {"subject": format!("Edited subject {k}")}})).await;
        changed.insert(id(k));
    }
    for k in [5, 6, 7] {
        rm.put(&format!("/issues/{}.json", id(k)), json!({"issue": {"notes": format!("New comment on {k}\nsecond line")}})).await;
        changed.insert(id(k));
    }
    for k in [8, 9, 12] {
        rm.put(&format!("/issues/{}.json", id(k)), json!({"issue": {"status_id": 3, "notes": "Fixed, please validate"}})).await;
        changed.insert(id(k));
    }
    let (reopened, reopened_closed) = (id(10), id(11));
    for i in [reopened, reopened_closed] {
        rm.put(&format!("/issues/{i}.json"), json!({"issue": {"status_id": 2, "notes": "Still failing in production"}})).await;
        changed.insert(i);
    }
    for k in [13, 14] {
        rm.put(&format!("/issues/{}.json", id(k)), json!({"issue": {"status_id": 5}})).await;
        changed.insert(id(k));
    }
    // 160 issues updated within one second, 20 more in the second before:
    // the listing's page boundary falls inside the tie.
    let second = Utc::now() - Duration::minutes(5);
    {
        let mut db = rm.db();
        let tx = db.transaction().expect("tx");
        for (n, i) in ids[40..220].iter().enumerate() {
            let at = if n < 20 { db_time(second - Duration::seconds(1), n as i64) } else { db_time(second, n as i64 * 1000) };
            tx.execute("UPDATE issues SET subject = subject || ' [bulk]', updated_on = ?2 WHERE id = ?1", params![i, at])
                .expect("bulk update");
            changed.insert(*i);
        }
        tx.commit().expect("commit");
    }
    let mut deleted = BTreeSet::new();
    for k in [300, 301, 302, 45] {
        rm.delete(&format!("/issues/{}.json", id(k))).await;
        deleted.insert(id(k).to_string());
        changed.remove(&id(k));
    }

    let second_sync = sync(&store, &rm).await;
    assert_eq!(second_sync.fetched, changed.len() as u64, "exactly the changed issues were fetched");
    assert_eq!(second_sync.deleted, 4);
    assert_mirrors(&store, &rm, &project, &deleted).await;
    let local = stored(&store);
    assert_eq!(local[&reopened.to_string()].status_class, StatusClass::Open);
    assert_eq!(local[&id(8).to_string()].status_class, StatusClass::Resolved);
    assert_eq!(local[&id(13).to_string()].status_class, StatusClass::Closed);
    let history: Vec<String> =
        store.ticket_detail(local[&reopened.to_string()].id).expect("detail").status_history.into_iter().map(|s| s.to_status).collect();
    assert_eq!(history, ["New", "Resolved", "In Progress"], "the reopen is in the status history");
    let comment = store.ticket_detail(local[&id(5).to_string()].id).expect("detail").comments;
    assert!(comment.iter().any(|c| c.body == "New comment on 5\nsecond line"));

    // Nothing changed. At once, the issues changed in the last seconds are
    // fetched again (a change in the same second would not show in their
    // version) and nothing is written; seconds later (on the server's clock,
    // which judges what is recent) one listing request plus the census
    // pages, and nothing fetched.
    let again = sync(&store, &rm).await;
    assert_eq!((again.created, again.updated, again.deleted), (0, 0, 0), "{again:?}");
    tokio::time::sleep(std::time::Duration::from_secs(hypercare::sync::engine::FRESH_SECS as u64 + 1)).await;
    let settled = sync(&store, &rm).await;
    assert_eq!((settled.created, settled.updated, settled.deleted), (0, 0, 0), "{settled:?}");
    let idle = sync(&store, &rm).await;
    assert_eq!((idle.fetched, idle.created, idle.updated, idle.deleted), (0, 0, 0, 0), "{idle:?}");
    let census_pages = (ISSUES as u64 - 4).div_ceil(95);
    assert!(idle.requests <= 1 + census_pages, "{} requests", idle.requests);
    let by_status: BTreeMap<String, usize> = local.values().fold(BTreeMap::new(), |mut m, t| {
        *m.entry(t.status.clone()).or_default() += 1;
        m
    });
    assert!(by_status.len() >= 3, "{by_status:?}");
}

#[tokio::test]
async fn a_wrong_api_key_is_an_auth_error_and_the_connection_test_finds_the_project() {
    let Some(rm) = Redmine::from_env() else { return };
    let (project, _) = rm.create_project("conn").await;
    let info = hypercare::sync::test_connection(hypercare::model::SourceKind::Redmine, &rm.url, &project, Some(rm.key.clone()))
        .await
        .expect("connection test");
    assert_eq!((info.project_name.as_str(), info.ticket_count), (project.as_str(), Some(0)));
    // Redmine's `Date` is the server's clock (here the same machine's).
    let opts = hypercare::sync::SyncOptions::default();
    let conn = hypercare::sync::connector(hypercare::model::SourceKind::Redmine, &rm.url, &project, Some(&rm.key), &opts).expect("connector");
    assert_eq!(conn.server_time(), None, "nothing asked yet");
    conn.test_connection().await.expect("connection test");
    let server = conn.server_time().expect("Redmine sends a Date");
    assert!((server - now()).num_seconds().abs() <= 2, "Date {server} vs {}", now());
    let e = hypercare::sync::test_connection(hypercare::model::SourceKind::Redmine, &rm.url, &project, Some("0".repeat(40)))
        .await
        .expect_err("bad key");
    assert_eq!(e.code(), hypercare::ErrorCode::Auth);
    let e = hypercare::sync::test_connection(hypercare::model::SourceKind::Redmine, &rm.url, "no-such-project", Some(rm.key.clone()))
        .await
        .expect_err("no project");
    assert_eq!(e.code(), hypercare::ErrorCode::NotFound);
}
