//! A confirmed category meets a change someone else made on the real
//! Redmine between the confirmation and the push: nothing is written, the
//! outbox row is a conflict naming both values, and the user's choice
//! decides: overwrite (exactly one write, even when the push is repeated
//! after the server took it) or keep the server's (no write; the local
//! category follows the server's value, or is dropped when the server's
//! value is none of ours).

#[path = "support/validation_fixture.rs"]
mod fixture;
#[path = "support/category_fixture.rs"]
mod cat;

use chrono::Duration;
use hypercare::model::Category;
use hypercare::triage::category_conflict::{resolve_category_conflict, ConflictChoice};
use hypercare::validation::OutboxState;
use hypercare::{ErrorCode, Store};
use serde_json::json;

/// Someone else sets an issue's category on the server (by id).
async fn set_on_server(rm: &fixture::Redmine, issue: i64, category_id: i64) {
    let (s, v) =
        rm.call(reqwest::Method::PUT, &format!("/issues/{issue}.json"), Some(json!({"issue": {"category_id": category_id}}))).await;
    assert!(s == 204 || s == 200, "set category of #{issue}: {s} {v}");
}

fn category_override(store: &Store, ticket: i64) -> Option<String> {
    store
        .read(|c| Ok(c.query_row("SELECT category_override FROM triage WHERE ticket_id = ?1", [ticket], |r| r.get(0))?))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_changed_on_the_server_after_the_confirmation_is_not_overwritten_unless_the_user_says_so() {
    let Some(rm) = fixture::redmine() else { return };
    let (_, project) = rm.project().await;
    let ids = cat::create_categories(&rm, &project, &["Usability", "Training need", "Hardware"]).await;
    let cat_id = |n: &str| ids.iter().find(|(name, _)| name == n).map(|(_, id)| *id).unwrap();
    let subjects = ["Cannot find the approve button", "How do I approve leave?", "Where is the leave inbox?", "Print button hidden"];
    let (dir, store, rid, tickets) = cat::mirrored_issues(&rm, &project, &subjects, json!({"target": "issue_category"})).await;
    let t0 = cat::now();
    // The store synced each issue without a category; the user confirms "Usability" on all four.
    let rows: Vec<i64> = tickets.iter().map(|t| cat::confirm(&store, *t, Category::Usability, t0)).collect();

    // Meanwhile someone else sets categories on the server (not on the last issue).
    set_on_server(&rm, rid[0], cat_id("Hardware")).await;
    set_on_server(&rm, rid[1], cat_id("Training need")).await;
    set_on_server(&rm, rid[2], cat_id("Hardware")).await;

    let report = cat::push(&store, &rm, t0).await;
    assert_eq!((report.sent, report.conflicts, report.rejected), (1, 3, 0), "{report:?}");
    assert_eq!(cat::category_of(&rm, rid[3]).await.as_deref(), Some("Usability"), "no change on the server: written");
    for (i, theirs) in [(0, "Hardware"), (1, "Training need"), (2, "Hardware")] {
        assert_eq!(cat::category_of(&rm, rid[i]).await.as_deref(), Some(theirs), "#{} kept the other person's value", rid[i]);
        assert_eq!(cat::writes_of(&rm, rid[i], "attr", "category_id").await, 1, "only the other person's write");
        let (state, why) = cat::row_state(&store, rows[i]);
        let why = why.unwrap_or_default();
        assert_eq!(state, "conflict");
        assert!(
            why.contains(&format!("to \"{theirs}\"")) && why.contains("confirmed \"Usability\"") && why.contains("it was none"),
            "{why}"
        );
    }
    let listed = store.outbox(false).unwrap();
    let entry = listed.iter().find(|e| e.id == rows[0]).unwrap();
    assert_eq!((entry.state, entry.server_value.as_deref()), (OutboxState::Conflict, Some("Hardware")));
    // A later push leaves conflicts alone.
    let again = cat::push(&store, &rm, t0 + Duration::seconds(1)).await;
    assert_eq!((again.sent, again.conflicts), (0, 0), "{again:?}");
    assert_eq!(cat::writes_of(&rm, rid[0], "attr", "category_id").await, 1);

    // Overwrite: exactly one write, also when the push is repeated after the server took it.
    let r = resolve_category_conflict(&store, rows[0], ConflictChoice::Overwrite, t0).unwrap();
    assert_eq!((r.value.as_str(), r.server_value.as_str(), r.category), ("Usability", "Hardware", None));
    let pushed = cat::push(&store, &rm, t0 + Duration::seconds(2)).await;
    assert_eq!(pushed.sent, 1, "{pushed:?}");
    assert_eq!(cat::category_of(&rm, rid[0]).await.as_deref(), Some("Usability"));
    store.with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'pending', remote_ref = NULL WHERE id = ?1", [rows[0]])?)).unwrap();
    let repeated = cat::push(&store, &rm, t0 + Duration::seconds(3)).await;
    assert_eq!((repeated.sent, repeated.conflicts), (1, 0), "{repeated:?}");
    assert_eq!(cat::writes_of(&rm, rid[0], "attr", "category_id").await, 2, "the other person's write and ours, once");
    if let Some(puts) = cat::puts_to(&rm, rid[0]) {
        assert_eq!(puts, 2, "the other person's PUT and ours");
    }

    // Keep the server's, which is one of our categories: nothing written,
    // the local category follows the server.
    let r = resolve_category_conflict(&store, rows[1], ConflictChoice::KeepServer, t0).unwrap();
    assert_eq!(r.category, Some(Category::Training));
    assert_eq!(category_override(&store, tickets[1]).as_deref(), Some("training"));
    assert_eq!(cat::row_state(&store, rows[1]).0, "discarded");

    // Keep the server's "Hardware" (none of ours), through the CLI: the confirmation is dropped.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(["outbox", "--keep-server", &rows[2].to_string()])
        .env("HYPERCARE_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("kept the server's \"Hardware\"") && text.contains("dropped"), "{text}");
    assert_eq!(category_override(&store, tickets[2]), None);

    let last = cat::push(&store, &rm, t0 + Duration::seconds(4)).await;
    assert_eq!((last.sent, last.conflicts), (0, 0), "{last:?}");
    for i in [1, 2] {
        assert_eq!(cat::writes_of(&rm, rid[i], "attr", "category_id").await, 1, "keep-server writes nothing");
    }
    assert_eq!(cat::category_of(&rm, rid[1]).await.as_deref(), Some("Training need"));
    assert!(store.outbox(false).unwrap().is_empty(), "nothing left to push");

    // Only a row in conflict takes a choice.
    let e = resolve_category_conflict(&store, rows[3], ConflictChoice::Overwrite, t0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("sent, not in conflict"), "{e}");
}
