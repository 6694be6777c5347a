//! Search finds a word's other forms (migration 101: the full-text index
//! with the Porter stemmer): "invoice" finds "invoices", and a store written
//! before the change is reindexed when it opens, comments included.

use hypercare::model::TicketQuery;
use hypercare::store::migrations::MIGRATIONS;
use hypercare::Store;

fn keys(store: &Store, search: &str) -> Vec<String> {
    let q = TicketQuery { search: Some(search.into()), ..Default::default() };
    store.tickets(&q).unwrap().into_iter().map(|t| t.key).collect()
}

#[test]
fn a_store_from_before_the_stemmer_is_reindexed_and_finds_other_word_forms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        // The schema as it was at version 96, with rows written the old way.
        let c = rusqlite::Connection::open(&path).unwrap();
        for m in MIGRATIONS.iter().filter(|m| m.version <= 96) {
            c.execute_batch(m.sql).unwrap();
        }
        c.pragma_update(None, "user_version", 96).unwrap();
        c.execute_batch(
            "INSERT INTO sources (name, kind, url, created_at) VALUES ('s', 'demo', 'x', 0);
             INSERT INTO tickets (source_id, remote_id, key, title, description, status, status_class, created_at, updated_at, remote_version)
             VALUES (1, '1', '#1', 'Invoices missing for partial deliveries', 'Billing skipped them', 'New', 'open', 0, 0, 'v'),
                    (1, '2', '#2', 'Scanner slow', 'RF gun lag at wave release', 'New', 'open', 0, 0, 'v');
             INSERT INTO comments (ticket_id, remote_id, author, body, created_at) VALUES (1, 'a', 'agent', 'Fix posted to QA', 100);
             INSERT INTO ticket_fts (rowid, title, description, comments) VALUES
                 (1, 'Invoices missing for partial deliveries', 'Billing skipped them', 'Fix posted to QA'),
                 (2, 'Scanner slow', 'RF gun lag at wave release', '');",
        )
        .unwrap();
        let before: i64 = c
            .query_row("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '\"invoice\"'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(before, 0, "the old index knows only the exact word");
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(keys(&store, "invoice"), ["#1"]);
    assert_eq!(keys(&store, "delivery"), ["#1"]);
    assert_eq!(keys(&store, "skipping"), ["#1"]);
    assert_eq!(keys(&store, "posting"), ["#1"], "comments are indexed again too");
    assert_eq!(keys(&store, "scanners"), ["#2"]);
    assert_eq!(keys(&store, "releasing wave"), ["#2"]);
    assert_eq!(keys(&store, "invo*"), ["#1"], "a prefix still works");
    assert!(keys(&store, "invoiced payroll").is_empty(), "every word must match");
}
