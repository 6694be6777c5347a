//! Categories confirmed while the real Redmine is stopped wait in the
//! outbox (pending, with the reason), and land once each when it is back;
//! a second push writes nothing.
//!
//! Alone in its test binary: it stops the server for a while.

#[path = "support/validation_fixture.rs"]
mod fixture;
#[path = "support/category_fixture.rs"]
mod cat;

use chrono::Duration;
use hypercare::model::Category;
use hypercare::validation::{OutboxKind, OutboxState};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_confirmed_offline_are_pushed_once_when_the_server_is_back() {
    let Some(rm) = fixture::redmine() else { return };
    let (_, project) = rm.project().await;
    let names = ["Usability", "Training need", "Performance", "Integration"];
    cat::create_categories(&rm, &project, &names).await;
    let chosen = [Category::Usability, Category::Training, Category::Performance, Category::Integration];
    let mut issues = Vec::new();
    for i in 0..8 {
        issues.push(rm.new_issue(&project, &format!("Feedback {i} from the floor"), 1).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, source) = cat::store_pushing_to(dir.path(), &rm, &project, json!({"target": "issue_category"}));
    let tickets: Vec<i64> = issues.iter().map(|i| fixture::mirror(&store, source, i)).collect();

    fixture::stop_server(&rm);
    let t0 = cat::now();
    let rows: Vec<i64> = tickets.iter().enumerate().map(|(i, t)| cat::confirm(&store, *t, chosen[i % 4], t0)).collect();
    let report = cat::push(&store, &rm, t0).await;
    fixture::start_server(&rm);

    assert_eq!((report.sent, report.rejected, report.pending), (0, 0, 8), "{report:?}");
    assert!(report.stopped.iter().any(|s| s.contains("cannot reach")), "{report:?}");
    let waiting = store.outbox(false).unwrap();
    assert_eq!(waiting.len(), 8);
    assert!(waiting.iter().all(|r| r.kind == OutboxKind::Category
        && r.state == OutboxState::Pending
        && r.attempts == 1
        && r.last_error.as_deref().is_some_and(|e| e.contains("cannot reach"))));

    // Before the backoff expires nothing is tried; after it, everything lands.
    let early = cat::push(&store, &rm, t0 + Duration::seconds(1)).await;
    assert!(early.categories.is_empty(), "{early:?}");
    let later = t0 + Duration::hours(1);
    let report = cat::push(&store, &rm, later).await;
    assert_eq!((report.sent, report.rejected, report.pending), (8, 0, 0), "{report:?}");
    for (i, issue) in issues.iter().enumerate() {
        let id = issue["id"].as_i64().unwrap();
        assert_eq!(cat::category_of(&rm, id).await.as_deref(), Some(names[i % 4]), "issue {id}");
        assert_eq!(cat::writes_of(&rm, id, "attr", "category_id").await, 1, "issue {id}: one write");
        if let Some(puts) = cat::puts_to(&rm, id) {
            assert_eq!(puts, 1, "issue {id}: one update request, none while the server was down");
        }
    }
    assert!(rows.iter().all(|r| cat::row_state(&store, *r).0 == "sent"));

    let again = cat::push(&store, &rm, later + Duration::hours(1)).await;
    assert!(again.categories.is_empty() && again.items.is_empty(), "{again:?}");
    let first = issues[0]["id"].as_i64().unwrap();
    assert_eq!(cat::puts_to(&rm, first).unwrap_or(1), 1, "a second push wrote nothing");
}
