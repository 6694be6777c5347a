//! The demo workspace's process area is the ticket's ERP module, held in
//! the issue category: the Validation view's area filter lists Warehouse,
//! Finance month-end, … rather than the trackers (Bug, Feature, Support),
//! on a fresh demo and on a demo workspace written before the change
//! (migration 106).

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use hypercare::demo::{load_demo, module_names};
use hypercare::store::migrations::MIGRATIONS;
use hypercare::validation::queue::{QueueFilter, QueueItem};
use hypercare::Store;

/// The demo company's ERP modules, sorted as the area filter lists them.
fn modules() -> BTreeSet<&'static str> {
    let names: BTreeSet<&str> = module_names().into_iter().collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(names.contains("Warehouse") && names.contains("Finance month-end"), "{names:?}");
    names
}

/// The end of the demo's six weeks: its fixes are waiting then.
fn demo_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 9, 17, 0, 0).unwrap()
}

fn areas(queue: &[QueueItem]) -> BTreeSet<&str> {
    queue.iter().map(|q| q.process_area.as_str()).collect()
}

fn area(store: &Store, area: &str) -> Vec<QueueItem> {
    let filter = QueueFilter { process_area: Some(area.into()), ..Default::default() };
    store.validation_queue(&filter, demo_end()).unwrap()
}

#[test]
fn the_demo_queue_offers_its_erp_modules_as_process_areas() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo(&store).unwrap();
    let queue = store.validation_queue(&QueueFilter::default(), demo_end()).unwrap();
    assert!(queue.len() > 50, "the demo has only {} fixes awaiting validation", queue.len());
    assert_eq!(areas(&queue), modules(), "the area filter's values");

    // Filtering by a module keeps exactly that module's fixes, and each one
    // is a ticket about that module (its description names the process).
    let warehouse = area(&store, "warehouse");
    assert!(!warehouse.is_empty() && warehouse.len() < queue.len(), "{} of {}", warehouse.len(), queue.len());
    assert_eq!(warehouse.len(), queue.iter().filter(|q| q.process_area == "Warehouse").count());
    for q in &warehouse {
        let d = store.ticket_detail(q.ticket_id).unwrap();
        assert!(d.description.contains("Process: Warehouse."), "{} is filed under Warehouse: {}", q.key, d.description);
    }
    assert!(area(&store, "Bug").is_empty(), "the tracker is no longer the demo's process area");
}

/// A demo workspace as the app wrote it before migration 106: the feedback
/// category in the issue category, no process-area setting. Beside it a
/// Redmine source whose categories are its own.
fn old_workspace(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= 101) {
        c.execute_batch(m.sql).unwrap();
    }
    c.pragma_update(None, "user_version", 101).unwrap();
    let demo_raw = |cat: &str, module: &str| {
        serde_json::json!({"generator": "hypercare demo", "category": cat, "theme": null, "module": module, "site": "Venlo"})
            .to_string()
    };
    let resolved = demo_end().timestamp() - 86_400;
    let mut insert = c
        .prepare(
            "INSERT INTO tickets (source_id, remote_id, key, title, status, status_class, priority, tracker,
                                  remote_category, created_at, updated_at, resolved_at, remote_version, raw)
             VALUES (?1, ?2, ?3, 'A fix', 'Resolved', 'resolved', 'Normal', ?4, ?5, 0, ?6, ?6, 'v', ?7)",
        )
        .unwrap();
    c.execute_batch(
        "INSERT INTO sources (name, kind, url, project, config, created_at) VALUES ('demo', 'demo', '', 'erp-go-live', '{}', 0);
         INSERT INTO sources (name, kind, url, project, config, created_at)
             VALUES ('erp', 'redmine', 'http://rm', 'erp', '{\"validation\": {\"process_area_field\": \"category\"}}', 0);",
    )
    .unwrap();
    let rows: [(i64, &str, &str, &str, Option<String>); 4] = [
        (1, "1001", "Bug", "Critical bug", Some(demo_raw("critical_bug", "Warehouse"))),
        (1, "1002", "Support", "Training", Some(demo_raw("training", "HR and payroll"))),
        (1, "1003", "Feature", "Enhancement", Some(demo_raw("enhancement", "Warehouse"))),
        (2, "7", "Bug", "Finance", Some(r#"{"module": "Ignored: not the demo's"}"#.into())),
    ];
    for (source, id, tracker, category, raw) in rows {
        insert.execute(rusqlite::params![source, id, format!("#{id}"), tracker, category, resolved, raw]).unwrap();
    }
}

#[test]
fn a_demo_workspace_from_before_opens_with_modules_as_process_areas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    old_workspace(&path);
    let store = Store::open(&path).unwrap();
    let queue = store.validation_queue(&QueueFilter::default(), demo_end()).unwrap();
    let by_key: BTreeSet<(&str, &str, &str)> =
        queue.iter().map(|q| (q.source.as_str(), q.key.as_str(), q.process_area.as_str())).collect();
    assert_eq!(
        by_key,
        BTreeSet::from([
            ("demo", "#1001", "Warehouse"),
            ("demo", "#1002", "HR and payroll"),
            ("demo", "#1003", "Warehouse"),
            ("erp", "#7", "Finance"),
        ]),
        "demo tickets take their module; another source's categories stay its own"
    );
    assert_eq!(area(&store, "Warehouse").len(), 2);
    let config: String = store
        .read(|c| Ok(c.query_row("SELECT config FROM sources WHERE name = 'demo'", [], |r| r.get(0))?))
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["validation"]["process_area_field"], "category");
}
