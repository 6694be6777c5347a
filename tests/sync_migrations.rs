//! The schema: an empty database migrates to the latest version, with every
//! table the sync writes; opening it again changes nothing.

use hypercare::store::migrations::{latest_version, migrate};
use hypercare::Store;

#[test]
fn an_empty_database_migrates_to_latest_and_reopening_is_a_no_op() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite3");
    let mut conn = rusqlite::Connection::open(&path).expect("open");
    let applied = migrate(&mut conn, "test").expect("migrate");
    assert_eq!(applied.last().copied(), Some(latest_version()));
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, latest_version());
    for table in ["sources", "tickets", "comments", "status_changes", "sync_runs", "ticket_fts"] {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0))
            .expect("table");
        assert_eq!(n, 1, "table {table} exists");
    }
    for column in ["cursor", "census_at", "last_sync_status"] {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM pragma_table_info('sources') WHERE name = ?1", [column], |r| r.get(0))
            .expect("column");
        assert_eq!(n, 1, "sources.{column} exists");
    }
    assert_eq!(migrate(&mut conn, "test").expect("again"), Vec::<i64>::new(), "nothing left to apply");
    drop(conn);
    let schema = |p: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(p).expect("open");
        let mut st = c.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").expect("prepare");
        st.query_map([], |r| r.get(0)).expect("query").collect::<rusqlite::Result<_>>().expect("rows")
    };
    let before = schema(&path);
    Store::open(&path).expect("reopen through the store");
    assert_eq!(schema(&path), before, "reopening changed the schema");
}

#[test]
fn a_store_from_a_newer_build_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite3");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", latest_version() + 1).expect("bump");
    drop(conn);
    let e = Store::open(&path).expect_err("too new");
    assert!(e.to_string().contains("newer"), "{e}");
}
