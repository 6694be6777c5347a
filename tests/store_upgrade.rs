//! Opening a store reports each pending migration to an observer (what the
//! app's "Upgrading the workspace" screen and the CLI's stderr line show),
//! nothing when the store is up to date, and refuses a store it must not
//! touch (a newer schema, a file that is no store) leaving it byte for byte.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hypercare::store::migrations::{
    latest_version, migrate_paced, MigrationObserver, MigrationPhase, MigrationProgress, MIGRATIONS,
};
use hypercare::{Error, Store, StoreProblem};

/// A store file at schema `version`, as an older build left it, with
/// `tickets` tickets in it.
fn old_store(path: &Path, version: i64, tickets: u32) {
    let c = rusqlite::Connection::open(path).unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= version) {
        c.execute_batch(m.sql).unwrap();
    }
    c.pragma_update(None, "user_version", version).unwrap();
    c.execute_batch("INSERT INTO sources (name, kind, url, created_at) VALUES ('s', 'demo', 'x', 0);").unwrap();
    c.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO tickets (source_id, remote_id, key, title, description, status, status_class, created_at, updated_at, remote_version)
         SELECT 1, i, '#' || i, 'Invoices missing for order ' || i, 'Billing skipped delivery ' || i || ' at wave release', 'New', 'open', i, i, 'v' FROM n",
        [tickets],
    )
    .unwrap();
}

/// An observer that keeps what it was told.
fn recorder() -> (MigrationObserver, Arc<Mutex<Vec<MigrationProgress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    (Arc::new(move |p: &MigrationProgress| kept.lock().unwrap().push(p.clone())), seen)
}

#[test]
fn each_pending_migration_is_reported_in_order_and_an_up_to_date_store_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    old_store(&path, 63, 3);
    let (observer, seen) = recorder();
    let store = Store::open_with(&path, Some(observer)).unwrap();

    let pending: Vec<i64> = MIGRATIONS.iter().filter(|m| m.version > 63).map(|m| m.version).collect();
    assert!(pending.contains(&101), "the search index rebuild is among them: {pending:?}");
    let seen = seen.lock().unwrap().clone();
    let bounds: Vec<(MigrationPhase, i64, u32, u32)> = seen
        .iter()
        .filter(|p| p.phase != MigrationPhase::Working)
        .map(|p| (p.phase, p.version, p.step, p.steps))
        .collect();
    let n = pending.len() as u32;
    let expected: Vec<(MigrationPhase, i64, u32, u32)> = pending
        .iter()
        .enumerate()
        .flat_map(|(i, &v)| [(MigrationPhase::Started, v, i as u32 + 1, n), (MigrationPhase::Finished, v, i as u32 + 1, n)])
        .collect();
    assert_eq!(bounds, expected, "every pending migration starts and finishes, in order, step k of n");
    let rebuild = seen.iter().find(|p| p.version == 101).unwrap();
    assert_eq!((rebuild.title.as_str(), rebuild.tickets), ("rebuilding the search index", Some(3)));
    assert!(seen.iter().filter(|p| p.version != 101).all(|p| p.tickets.is_none()));
    assert!(seen.iter().all(|p| !p.creating), "an upgrade, not a new workspace");
    assert_eq!(store.count_tickets(&Default::default()).unwrap(), 3, "the tickets are intact");
    drop(store);

    let (observer, again) = recorder();
    Store::open_with(&path, Some(observer)).unwrap();
    assert!(again.lock().unwrap().is_empty(), "an up-to-date store reports nothing");
}

#[test]
fn a_new_workspace_is_reported_as_being_created_not_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let (observer, seen) = recorder();
    Store::open_with(dir.path().join("new.sqlite3"), Some(observer)).unwrap();
    let seen = seen.lock().unwrap().clone();
    let finished = seen.iter().filter(|p| p.phase == MigrationPhase::Finished).count();
    assert_eq!(finished, MIGRATIONS.len(), "every migration runs on a new store");
    assert!(seen.iter().all(|p| p.creating), "{seen:?}");
}

#[test]
fn a_rebuild_sends_heartbeats_with_the_time_spent_inside_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.sqlite3");
    old_store(&path, 96, 30_000);
    let (observer, seen) = recorder();
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    // Every look of SQLite's progress handler reports (the app's pace,
    // HEARTBEAT, would make this depend on the machine's speed).
    let applied = migrate_paced(&mut conn, "big.sqlite3", Some(observer), Duration::ZERO).unwrap();
    assert_eq!(applied.first(), Some(&101), "{applied:?}");
    let steps = applied.len() as u32;
    let kept = seen;
    let seen = kept.lock().unwrap().clone();
    let phases: Vec<MigrationPhase> = seen.iter().map(|p| p.phase).collect();
    assert_eq!(phases.first(), Some(&MigrationPhase::Started));
    assert_eq!(phases.last(), Some(&MigrationPhase::Finished));
    // The rebuild (step 1 of the pending ones) is the long migration.
    let working: Vec<&MigrationProgress> =
        seen.iter().filter(|p| p.phase == MigrationPhase::Working && p.version == 101).collect();
    assert!(working.len() > 10, "heartbeats come from inside the rebuild: {phases:?}");
    assert!(working.iter().all(|p| (p.step, p.steps, p.tickets) == (1, steps, Some(30_000))));
    assert!(working.windows(2).all(|w| w[0].elapsed_ms <= w[1].elapsed_ms), "time only moves on");
    let done = seen.iter().find(|p| p.phase == MigrationPhase::Finished && p.version == 101).unwrap();
    assert!(done.elapsed_ms >= working.last().unwrap().elapsed_ms);
    // The handler is gone with the migration: later statements report nothing.
    let hits: i64 =
        conn.query_row("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'invoice'", [], |r| r.get(0)).unwrap();
    assert_eq!(hits, 30_000);
    assert_eq!(kept.lock().unwrap().len(), seen.len(), "the progress handler is removed after the migration");
}

fn assert_untouched(path: &Path, before: &[u8]) {
    assert_eq!(std::fs::read(path).unwrap(), before, "the file is left exactly as it was");
}

#[test]
fn a_store_from_a_newer_build_is_refused_untouched_and_says_update_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    old_store(&path, latest_version(), 2);
    let newer = latest_version() + 5;
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", newer).unwrap();
    let before = std::fs::read(&path).unwrap();
    let (observer, seen) = recorder();
    let err = Store::open_with(&path, Some(observer)).unwrap_err();
    assert_eq!(err.store_problem(), Some(StoreProblem::TooNew));
    let text = err.to_string();
    assert!(text.contains(&format!("schema {newer}")) && text.contains("update the app"), "{text}");
    assert!(text.contains(&path.display().to_string()), "names the file: {text}");
    assert!(seen.lock().unwrap().is_empty());
    assert_untouched(&path, &before);
}

#[test]
fn a_file_that_is_no_store_is_refused_at_once_untouched_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hypercare.sqlite3");
    let before = b"PK\x03\x04 this is a zip someone renamed, not a store".repeat(100);
    std::fs::write(&path, &before).unwrap();
    let started = std::time::Instant::now();
    let err = Store::open(&path).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "no wait on a bad file: {:?}", started.elapsed());
    assert!(matches!(err, Error::StoreOpen { problem: StoreProblem::NotAStore, .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    assert_untouched(&path, &before);
}

#[test]
fn an_upgrade_blocked_by_another_program_says_locked_and_leaves_the_store_at_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("held.sqlite3");
    old_store(&path, 96, 2);
    // Another program holds the write lock for longer than opening waits
    // (hypercare::store::open::BUSY_WAIT).
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, Error::StoreOpen { problem: StoreProblem::Locked, .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    let version: i64 = holder.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 96, "nothing was migrated");
}
