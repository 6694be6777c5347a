//! Migration 0060 rebuilds the outbox so it can carry confirmed categories:
//! a store from version 32 keeps every validation write (ids, states,
//! attempts, errors) and its constraints, and takes category rows after it.

use hypercare::store::migrations::{latest_version, MIGRATIONS};
use hypercare::validation::{OutboxKind, OutboxState};
use hypercare::Store;

#[test]
fn a_version_32_outbox_keeps_its_validation_writes_and_takes_categories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v32.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for m in MIGRATIONS.iter().filter(|m| m.version <= 32) {
            c.execute_batch(m.sql).unwrap();
        }
        c.pragma_update(None, "user_version", 32).unwrap();
        c.execute_batch(
            "INSERT INTO sources (name, kind, url, created_at) VALUES ('erp', 'redmine', 'http://127.0.0.1:9', 0);
             INSERT INTO tickets (source_id, remote_id, key, title, status, status_class, created_at, updated_at, remote_version)
             VALUES (1, '7', '#7', 'Invoice posting fails', 'Resolved', 'resolved', 0, 0, 'v');
             INSERT INTO validations (uuid, ticket_id, round, outcome, validator, recorded_at, seen_remote_version, seen_updated_at, seen_status)
             VALUES ('u-1', 1, 1, 'passed', 'po', 10, 'v', 0, 'Resolved');
             INSERT INTO validation_evidence (validation_id, file_name, media_type, size, sha256, content)
             VALUES (1, 'gr.png', 'image/png', 3, 'x', x'010203');
             INSERT INTO outbox (id, validation_id, kind, state, attempts, next_attempt_at, last_error, remote_ref, created_at, updated_at)
             VALUES (5, 1, 'comment', 'sent', 1, 10, NULL, '901', 10, 11);
             INSERT INTO outbox (id, validation_id, kind, evidence_id, state, attempts, next_attempt_at, last_error, upload_token, created_at, updated_at)
             VALUES (6, 1, 'attachment', 1, 'pending', 3, 500, 'server error (503)', 'tok-1', 10, 12);
             INSERT INTO outbox (id, validation_id, kind, target_status, state, next_attempt_at, last_error, created_at, updated_at)
             VALUES (7, 1, 'transition', 'Closed', 'rejected', 10, 'workflow forbids it', 10, 13);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert_eq!(version, latest_version());
    let rows = store.outbox(true).unwrap();
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.id, r.validation_id, r.kind, r.state, r.attempts, r.detail.clone(), r.last_error.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (5, Some(1), OutboxKind::Comment, OutboxState::Sent, 1, None, None),
            (6, Some(1), OutboxKind::Attachment, OutboxState::Pending, 3, Some("gr.png".into()), Some("server error (503)".into())),
            (7, Some(1), OutboxKind::Transition, OutboxState::Rejected, 0, Some("Closed".into()), Some("workflow forbids it".into())),
        ]
    );
    let token: Option<String> =
        store.read(|c| Ok(c.query_row("SELECT upload_token FROM outbox WHERE id = 6", [], |r| r.get(0))?)).unwrap();
    assert_eq!(token.as_deref(), Some("tok-1"), "an upload not yet attached is reused after the upgrade");

    let insert = |sql: &str| store.with_tx(|tx| Ok(tx.execute(sql, [])?));
    // A category row belongs to a ticket, not to a validation, and says where it goes.
    insert(
        "INSERT INTO outbox (ticket_id, kind, target_field, target_value, next_attempt_at, created_at, updated_at)
         VALUES (1, 'category', 'issue_category', 'Usability', 0, 0, 0)",
    )
    .unwrap();
    for bad in [
        "INSERT INTO outbox (validation_id, ticket_id, kind, target_field, target_value, next_attempt_at, created_at, updated_at)
         VALUES (1, 1, 'category', 'issue_category', 'Usability', 0, 0, 0)",
        "INSERT INTO outbox (ticket_id, kind, next_attempt_at, created_at, updated_at) VALUES (1, 'category', 0, 0, 0)",
        "INSERT INTO outbox (kind, next_attempt_at, created_at, updated_at) VALUES ('comment', 0, 0, 0)",
        "INSERT INTO outbox (validation_id, kind, next_attempt_at, created_at, updated_at) VALUES (1, 'transition', 0, 0, 0)",
    ] {
        assert!(insert(bad).is_err(), "the schema refuses {bad}");
    }
    let category = store.outbox(true).unwrap().into_iter().find(|r| r.kind == OutboxKind::Category).unwrap();
    assert_eq!((category.ticket_key.as_str(), category.detail.as_deref(), category.validation_id), ("#7", Some("Usability"), None));
    // Removing the ticket's source takes its category writes with it.
    store.remove_source("erp").unwrap();
    assert!(store.outbox(true).unwrap().is_empty());
}
