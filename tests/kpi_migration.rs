//! Migration 0003 (KPI tables) applies to an empty store and to a store
//! written by the previous schema version, keeping its data.

use hypercare::store::migrations::MIGRATIONS;
use hypercare::Store;

#[test]
fn a_version_1_store_migrates_to_the_kpi_schema_and_keeps_its_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(MIGRATIONS[0].sql).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(
            "INSERT INTO sources (name, kind, url, created_at) VALUES ('s', 'demo', 'x', 0);
             INSERT INTO tickets (source_id, remote_id, key, title, status, status_class, created_at, updated_at, remote_version)
             VALUES (1, '1', 'K-1', 't', 'New', 'open', 0, 0, 'v');
             UPDATE tickets SET reporter = 'rita';
             INSERT INTO comments (ticket_id, remote_id, author, body, created_at) VALUES
                 (1, 'a', 'rita', 'me again', 100), (1, 'b', 'agent', 'on it', 200), (1, 'c', 'agent', 'done', 300);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let (version, tickets, kpi_tables): (i64, i64, i64) = store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN
                     ('survey_responses', 'survey_mappings', 'usage_events', 'gateway_calls', 'kpi_settings')",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .unwrap();
    assert!(version >= 3);
    let first: i64 = store.read(|c| Ok(c.query_row("SELECT at FROM ticket_first_response WHERE ticket_id = 1", [], |r| r.get(0))?)).unwrap();
    assert_eq!(first, 200, "the migration derives first responses from existing comments");
    assert_eq!((tickets, kpi_tables), (1, 5));
    // The scale constraint holds.
    let bad = store.with_tx(|tx| {
        tx.execute(
            "INSERT INTO survey_responses (source_file, submission, answered_at, scale, score, imported_at) VALUES ('f', 'x', 0, 'stars', 3, 0)",
            [],
        )?;
        Ok(())
    });
    assert!(bad.is_err(), "unknown scales are refused by the schema");
    // An empty store migrates too, and the settings start at their defaults.
    let fresh = Store::open(dir.path().join("new.sqlite3")).unwrap();
    assert_eq!(fresh.kpi_settings().unwrap(), hypercare::kpi::KpiSettings::default());
    assert!(fresh.set_kpi_setting("exit.csat_min", "85").unwrap_err().to_string().contains("between 0 and 1"));
    assert!(fresh.set_kpi_setting("timezone", "Mars/Olympus").is_err());
    assert_eq!(fresh.set_kpi_setting("sla_resolve_hours.P2", "8").unwrap().sla_resolve_hours[1], Some(8.0));
}

#[test]
fn a_version_3_store_keeps_its_usage_events_when_users_and_features_get_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for m in MIGRATIONS.iter().filter(|m| m.version <= 3) {
            c.execute_batch(m.sql).unwrap();
        }
        c.pragma_update(None, "user_version", 3).unwrap();
        c.execute_batch(
            "INSERT INTO usage_events (source_file, at, user, feature, outcome) VALUES
                ('u.csv', 100, 'ann', 'Orders', 'success'),
                ('u.csv', 200, 'bob', 'Orders', 'failure'),
                ('u.csv', 300, 'ann', 'Invoices', '');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let rows: Vec<(i64, String, String, i64)> = store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT e.at, u.name, f.name, e.outcome FROM usage_events e
                 JOIN usage_users u ON u.id = e.user_id JOIN usage_features f ON f.id = e.feature_id ORDER BY e.at",
            )?;
            let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
        .unwrap();
    let want = vec![
        (100, "ann".to_string(), "Orders".to_string(), 1),
        (200, "bob".to_string(), "Orders".to_string(), 0),
        (300, "ann".to_string(), "Invoices".to_string(), 2),
    ];
    assert_eq!(rows, want);
    let version: i64 = store.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert_eq!(version, hypercare::store::migrations::latest_version());
}
