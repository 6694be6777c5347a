//! The local store on real SQLite files: migrations, upserts, search.

use chrono::{TimeZone, Utc};
use hypercare::model::{CommentRecord, StatusClass, TicketQuery, TicketRecord};
use hypercare::store::migrations::latest_version;
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use hypercare::model::SourceKind;
use hypercare::{ErrorCode, Store};

fn t(h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, h, 0, 0).unwrap()
}

fn record(id: u32, title: &str, version: &str) -> TicketRecord {
    TicketRecord {
        remote_id: id.to_string(),
        key: format!("#{id}"),
        title: title.into(),
        description: format!("description of {title}"),
        status: "New".into(),
        status_class: StatusClass::Open,
        priority: "Normal".into(),
        tracker: "Bug".into(),
        category: None,
        assignee: None,
        reporter: Some("Dana".into()),
        created_at: t(8),
        updated_at: t(9),
        resolved_at: None,
        remote_version: version.into(),
        raw: None,
        comments: Some(vec![
            CommentRecord { remote_id: "1".into(), author: None, body: "the pallet label is crooked".into(), created_at: t(9) },
            CommentRecord { remote_id: "2".into(), author: None, body: "   ".into(), created_at: t(9) },
        ]),
        status_changes: Some(vec![]),
    }
}

fn store_with_source() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let src = store
        .add_source(
            &NewSource {
                name: "rm".into(),
                kind: SourceKind::Redmine,
                url: "http://127.0.0.1:1/".into(),
                project: "p".into(),
                token_env: None,
                config: serde_json::json!({}),
            },
            t(7),
        )
        .unwrap();
    (dir, store, src.id)
}

#[test]
fn an_empty_database_migrates_to_the_latest_schema_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite3");
    Store::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, latest_version());
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name IN ('tickets','comments','status_changes','sources','sync_runs','ticket_fts')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 6);
    drop(conn);
    Store::open(&path).unwrap();
}

#[test]
fn a_store_from_a_newer_version_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 9999).unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Internal);
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn upserts_create_update_and_skip_unchanged_records() {
    let (_d, store, sid) = store_with_source();
    let s = store.with_tx(|tx| upsert_tickets(tx, sid, &[record(1, "Label crooked", "v1"), record(2, "Login loop", "v1")])).unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (2, 0, 0));
    let s = store.with_tx(|tx| upsert_tickets(tx, sid, &[record(1, "Label crooked", "v1"), record(2, "Login loop again", "v2")])).unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (0, 1, 1));
    let rows = store.tickets(&TicketQuery::default()).unwrap();
    assert_eq!(rows.len(), 2);
    let two = rows.iter().find(|r| r.remote_id == "2").unwrap();
    assert_eq!(two.title, "Login loop again");
    assert_eq!(two.comment_count, 1, "a blank comment does not count");
}

#[test]
fn search_finds_words_in_titles_descriptions_and_comments_and_follows_updates() {
    let (_d, store, sid) = store_with_source();
    store.with_tx(|tx| upsert_tickets(tx, sid, &[record(1, "Label crooked", "v1"), record(2, "Login loop", "v1")])).unwrap();
    let q = |s: &str| {
        store
            .tickets(&TicketQuery { search: Some(s.into()), ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|t| t.remote_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(q("login"), vec!["2"]);
    assert_eq!(q("pallet"), vec!["2", "1"], "comment text is searchable, newest first");
    assert_eq!(q("log*"), vec!["2"]);
    assert_eq!(q("login loop"), vec!["2"], "two words are ANDed");
    assert!(q("nothing-like-this").is_empty());
    // FTS syntax typed by a user is treated as words, never as a query error.
    assert!(q("\"label AND (NEAR").is_empty());
    assert_eq!(q("   "), vec!["2", "1"], "blank search lists everything");
    // An update re-indexes: the old title no longer matches.
    store.with_tx(|tx| upsert_tickets(tx, sid, &[record(2, "Password reset", "v2")])).unwrap();
    assert!(q("login").is_empty());
    assert_eq!(q("password"), vec!["2"]);
}

#[test]
fn a_key_shared_by_two_sources_must_be_qualified() {
    let (_d, store, sid) = store_with_source();
    let other = store
        .add_source(
            &NewSource { name: "rm2".into(), kind: SourceKind::Redmine, url: "http://x".into(), project: "q".into(), token_env: None, config: serde_json::json!({}) },
            t(7),
        )
        .unwrap();
    store.with_tx(|tx| upsert_tickets(tx, sid, &[record(1, "A", "v1")])).unwrap();
    store.with_tx(|tx| upsert_tickets(tx, other.id, &[record(1, "B", "v1")])).unwrap();
    let err = store.ticket_id_by_key("#1").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let id = store.ticket_id_by_key("rm2:#1").unwrap();
    assert_eq!(store.ticket_detail(id).unwrap().summary.title, "B");
    assert_eq!(store.ticket_id_by_key("#7").unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn the_same_server_and_project_cannot_be_added_twice_under_another_name() {
    let (_d, store, _) = store_with_source();
    let add = |name: &str, url: &str, project: &str| {
        store.add_source(
            &NewSource {
                name: name.into(),
                kind: SourceKind::Redmine,
                url: url.into(),
                project: project.into(),
                token_env: None,
                config: serde_json::json!({}),
            },
            t(8),
        )
    };
    // "rm" syncs http://127.0.0.1:1/ project "p": spelled differently, it is still the same server.
    for (url, project) in [("http://127.0.0.1:1", "p"), ("HTTP://127.0.0.1:1//", " P "), ("http://127.0.0.1:1/", "p")] {
        let e = add("rm-again", url, project).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{url} {project}");
        let msg = e.to_string();
        assert!(msg.contains("\"rm\"") && msg.contains("twice"), "names the existing source: {msg}");
    }
    assert_eq!(store.sources().unwrap().len(), 1, "nothing was added");
    // Another project on the same server, or the same project elsewhere, is another source.
    add("rm-q", "http://127.0.0.1:1", "q").unwrap();
    add("rm-other-host", "http://127.0.0.2:1", "p").unwrap();
    add("rm-sub", "http://127.0.0.1:1/redmine", "p").unwrap();
    assert_eq!(store.sources().unwrap().len(), 4);
}
