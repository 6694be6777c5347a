//! Confirmed triage categories go back to the real Redmine through the
//! outbox: as the issue category (looked up by name in the issue's project)
//! or a custom field; once, even when a push is retried after the server
//! took the write; a category the server does not have is rejected with the
//! reason and does not hold up the rest; a source without a place for
//! categories queues nothing and says so.

#[path = "support/validation_fixture.rs"]
mod fixture;
#[path = "support/category_fixture.rs"]
mod cat;

use chrono::Duration;
use hypercare::model::{Category, SourceKind};
use hypercare::store::sources::NewSource;
use hypercare::triage::{set_override, Override};
use hypercare::validation::outbox::retry_category_write;
use hypercare::validation::{OutboxKind, OutboxState};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmed_categories_land_once_as_redmine_issue_categories() {
    let Some(rm) = fixture::redmine() else { return };
    let (_, project) = rm.project().await;
    cat::create_categories(&rm, &project, &["Usability", "Training need"]).await;
    let subjects = ["Cannot find the pick list button", "How do I post a credit note?", "Wrong VAT on imported invoices"];
    let (_dir, store, ids, tickets) = cat::mirrored_issues(&rm, &project, &subjects, json!({"target": "issue_category"})).await;
    let t0 = cat::now();

    let a = cat::confirm(&store, tickets[0], Category::Usability, t0);
    let b = cat::confirm(&store, tickets[1], Category::Training, t0);
    // The server has no "Data issue" category in this project.
    let c = cat::confirm(&store, tickets[2], Category::DataIssue, t0);
    let listed = store.outbox(false).unwrap();
    assert_eq!(listed.iter().filter(|r| r.kind == OutboxKind::Category).count(), 3, "{listed:?}");
    assert!(listed.iter().any(|r| r.id == a && r.detail.as_deref() == Some("Usability") && r.validation_id.is_none()));

    let report = cat::push(&store, &rm, t0).await;
    assert_eq!((report.sent, report.rejected, report.pending), (2, 1, 0), "{report:?}");
    assert_eq!(cat::category_of(&rm, ids[0]).await.as_deref(), Some("Usability"));
    assert_eq!(cat::category_of(&rm, ids[1]).await.as_deref(), Some("Training need"));
    assert_eq!(cat::category_of(&rm, ids[2]).await, None);
    let (state, why) = cat::row_state(&store, c);
    let why = why.unwrap_or_default();
    assert_eq!(state, "rejected");
    assert!(why.contains("no issue category named \"Data issue\"") && why.contains(&project), "{why}");
    assert_eq!(cat::row_state(&store, b).0, "sent");

    // A push that dies after the server took the write leaves the row
    // pending; the retry reads the issue back and writes nothing.
    store.with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'pending', remote_ref = NULL WHERE id = ?1", [a])?)).unwrap();
    let again = cat::push(&store, &rm, t0 + Duration::seconds(1)).await;
    assert_eq!((again.sent, again.rejected), (1, 0), "{again:?}");
    assert_eq!(cat::writes_of(&rm, ids[0], "attr", "category_id").await, 1, "the category was set exactly once");
    if let Some(puts) = cat::puts_to(&rm, ids[0]) {
        assert_eq!(puts, 1, "the retry read the issue and did not write again");
    }

    // The user creates the missing category on the server and retries.
    cat::create_categories(&rm, &project, &["Data issue"]).await;
    assert_eq!(retry_category_write(&store, c, t0).unwrap(), 1);
    let retried = cat::push(&store, &rm, t0 + Duration::seconds(2)).await;
    assert_eq!((retried.sent, retried.rejected), (1, 0), "{retried:?}");
    assert_eq!(cat::category_of(&rm, ids[2]).await.as_deref(), Some("Data issue"));

    // Confirming again while one is waiting keeps one write: the last one.
    let first = cat::confirm(&store, tickets[1], Category::Usability, t0);
    let second = cat::confirm(&store, tickets[1], Category::Training, t0);
    assert_ne!(first, second);
    assert_eq!(cat::row_state(&store, first).0, "discarded");
    // Training need is already there: sent without a write.
    let last = cat::push(&store, &rm, t0 + Duration::seconds(3)).await;
    assert_eq!(last.sent, 1, "{last:?}");
    assert_eq!(cat::writes_of(&rm, ids[1], "attr", "category_id").await, 1);
    if let Some(puts) = cat::puts_to(&rm, ids[1]) {
        assert_eq!(puts, 1, "a value the issue already shows is not written again");
    }
    assert!(store.outbox(false).unwrap().is_empty(), "nothing left to push");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_pushed_to_a_custom_field_is_read_back() {
    let Some(rm) = fixture::redmine() else { return };
    let Some(data) = rm.data.clone() else {
        eprintln!("skipped: REDMINE_DATA not set (needed to create a custom field)");
        return;
    };
    let (_, project) = rm.project().await;
    // The REST API cannot create custom fields: add one to the server's
    // database the way the admin screen would (for the Bug tracker only).
    let name = fixture::unique("Triage category ");
    let cf = {
        let db = rusqlite::Connection::open(data.join("db/redmine.sqlite3")).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
        db.execute(
            "INSERT INTO custom_fields (type, name, field_format, is_for_all, is_filter, position, searchable,
                editable, visible, multiple, format_store, description, is_required, default_value, possible_values)
             VALUES ('IssueCustomField', ?1, 'string', 1, 0, 1, 0, 1, 1, 0, '--- {}\n', '', 0, '', '')",
            [&name],
        )
        .unwrap();
        let id = db.last_insert_rowid();
        db.execute("INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?1, 1)", [id]).unwrap();
        id
    };
    let bug = rm.new_issue(&project, "Order screen freezes on save", 1).await;
    let feature = rm.new_issue(&project, "Feature tracker issue", 2).await;

    let dir = tempfile::tempdir().unwrap();
    let (store, source) = cat::store_pushing_to(
        dir.path(),
        &rm,
        &project,
        json!({"target": "custom_field", "custom_field_id": cf, "values": {"performance": "Perf"}}),
    );
    let on_bug = cat::confirm(&store, fixture::mirror(&store, source, &bug), Category::Performance, cat::now());
    let on_feature = cat::confirm(&store, fixture::mirror(&store, source, &feature), Category::Performance, cat::now());
    let report = cat::push(&store, &rm, cat::now()).await;
    assert_eq!((report.sent, report.rejected), (1, 1), "{report:?}");

    let bug_id = bug["id"].as_i64().unwrap();
    let fields = rm.issue(bug_id).await["custom_fields"].clone();
    let value = fields.as_array().unwrap().iter().find(|f| f["id"] == cf).map(|f| f["value"].clone());
    assert_eq!(value, Some(json!("Perf")), "{fields}");
    assert_eq!(cat::row_state(&store, on_bug).0, "sent");
    // Redmine ignores a field the issue's tracker does not have; the read-back sees it.
    let (state, why) = cat::row_state(&store, on_feature);
    assert_eq!(state, "rejected");
    assert!(why.unwrap_or_default().contains(&format!("custom field #{cf} is not enabled")));

    // Retrying the sent one writes nothing more.
    store.with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'pending' WHERE id = ?1", [on_bug])?)).unwrap();
    cat::push(&store, &rm, cat::now()).await;
    assert_eq!(cat::writes_of(&rm, bug_id, "cf", &cf.to_string()).await, 1);
    assert_eq!(cat::puts_to(&rm, bug_id), Some(1), "the retry found the value and wrote nothing");
}

#[test]
fn a_source_without_a_place_for_categories_queues_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = hypercare::Store::open_dir(dir.path()).unwrap();
    let src = store
        .add_source(
            &NewSource {
                name: "erp".into(),
                kind: SourceKind::Redmine,
                url: "http://127.0.0.1:9".into(),
                project: "erp".into(),
                token_env: None,
                config: json!({}),
            },
            cat::now(),
        )
        .unwrap();
    let rec = hypercare::triage::evaluate::plain_record("#1", "Where is the print button?", "", "Support", cat::now());
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, src.id, &[rec])).unwrap();
    let id = store.ticket_id_by_key("#1").unwrap();
    let o = Override { category: Some(Category::Training), ..Default::default() };
    let done = set_override(&store, id, &o, cat::now()).unwrap();
    let push = done.category_push.unwrap();
    assert!(!push.queued);
    assert!(push.reason.unwrap().contains("no place for categories"));
    assert!(store.outbox(true).unwrap().is_empty());

    // Impact alone is not a category: nothing to push, nothing said.
    let only_impact = Override { impact: Some(hypercare::triage::Impact::Team), ..Default::default() };
    assert!(set_override(&store, id, &only_impact, cat::now()).unwrap().category_push.is_none());

    // With a place configured, the same confirmation is queued.
    let cfg = hypercare::triage::category_push::CategoryPushConfig {
        target: hypercare::triage::category_push::CategoryTarget::IssueCategory,
        values: Default::default(),
    };
    store.set_category_push("erp", Some(&cfg)).unwrap();
    let done = set_override(&store, id, &o, cat::now()).unwrap();
    assert_eq!(done.category_push.unwrap().value.as_deref(), Some("Training need"));
    let rows = store.outbox(true).unwrap();
    assert_eq!((rows.len(), rows[0].state), (1, OutboxState::Pending));
    // The setting reads back as saved.
    assert_eq!(store.category_push("erp").unwrap(), Some(cfg));
    let err = store.set_category_push("nope", None).unwrap_err();
    assert_eq!(err.code(), hypercare::ErrorCode::NotFound);
}

fn cli(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(args)
        .env("HYPERCARE_DATA_DIR", dir)
        .envs(env.iter().copied())
        .output()
        .expect("run hypercare");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sets_the_place_says_what_it_queued_and_pushes() {
    let Some(rm) = fixture::redmine() else { return };
    let (_, project) = rm.project().await;
    cat::create_categories(&rm, &project, &["Usability"]).await;
    let issue = rm.new_issue(&project, "Cannot find the print button", 1).await;
    let id = issue["id"].as_i64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, source) = fixture::store_with_source(dir.path(), &rm, "erp", &project, "TRIAGE_CLI_TOKEN", json!({}));
        fixture::mirror(&store, source, &issue);
    }
    let key = format!("#{id}");
    let (ok, out, err) = cli(dir.path(), &["triage", "set", &key, "--category", "usability"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("not pushed") && out.contains("no place for categories"), "{out}");

    let (ok, _, err) = cli(dir.path(), &["source", "category-push", "erp", "--to", "tracker"], &[]);
    assert!(!ok && err.contains("\"tracker\" is not a place"), "{err}");
    let (ok, _, err) = cli(dir.path(), &["source", "category-push", "erp", "--to", "issue_category"], &[]);
    assert!(ok, "{err}");
    let (ok, out, err) = cli(dir.path(), &["triage", "set", &key, "--category", "usability"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("\"Usability\" will be written to the issue category"), "{out}");
    let (ok, out, _) = cli(dir.path(), &["outbox"], &[]);
    assert!(ok && out.contains("pending") && out.contains("category Usability"), "{out}");

    let (ok, out, err) = cli(dir.path(), &["push"], &[("TRIAGE_CLI_TOKEN", rm.key.as_str())]);
    assert!(ok, "{err}");
    assert!(out.contains("sent") && out.contains("category \"Usability\"") && out.contains("1 sent"), "{out}");
    assert_eq!(cat::category_of(&rm, id).await.as_deref(), Some("Usability"));
}
