//! A sync triages what it brought in: new tickets get a category and a
//! priority at once, and a later sync re-triages only the tickets it changed.
//! The demo arrives triaged too, so its inbox shows categories and themes.

mod sync_common;

use hypercare::triage::store::list_triage;
use hypercare::Store;
use sync_common::fake_redmine::{generate, FakeRedmine, KEY, T0};
use sync_common::{add_redmine, now};

async fn sync(store: &Store) {
    hypercare::sync::sync_source(store, "fake", Some(KEY.into()), now(), &|_| {}).await.expect("sync");
}

fn triaged_keys(store: &Store) -> Vec<String> {
    let mut keys: Vec<String> = store.read(list_triage).expect("triage").into_iter().map(|t| t.key).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn synced_tickets_arrive_triaged_and_a_resync_triages_only_the_changed_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let fake = FakeRedmine::start(generate(30, 0));
    add_redmine(&store, "fake", &fake.url, "fake", serde_json::json!({}));
    sync(&store).await;
    let rows = store.read(list_triage).expect("triage");
    assert_eq!(rows.len(), 30, "every synced ticket is triaged");
    assert!(rows.iter().all(|r| r.category.is_some() && r.priority.is_some() && r.confidence.is_some()));

    // Forget the triage, change one issue on the server, sync again: only
    // that ticket is triaged (the others were not changed by this sync).
    store.with_tx(|tx| Ok(tx.execute("DELETE FROM triage", [])?)).expect("clear triage");
    {
        let mut st = fake.state();
        st.issues.get_mut(&7).expect("issue 7").subject = "Payment run fails with error F110 for every vendor".into();
        st.comment(7, "still failing", None, T0 + 10_000);
    }
    sync(&store).await;
    let keys = triaged_keys(&store);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let row = &store.read(list_triage).expect("triage")[0];
    assert_eq!(row.title, "Payment run fails with error F110 for every vendor");
}

#[test]
fn the_demo_inbox_shows_categories_and_themes_from_the_first_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    let demo = hypercare::demo::load_demo(&store).expect("demo");
    let inbox = store
        .tickets(&hypercare::model::TicketQuery { limit: Some(10_000), ..Default::default() })
        .expect("inbox");
    assert_eq!(inbox.len() as u64, demo.tickets);
    let categories: std::collections::BTreeSet<_> = inbox.iter().filter_map(|t| t.category).collect();
    assert!(inbox.iter().all(|t| t.category.is_some()), "every demo ticket has a category in the inbox");
    assert!(categories.len() >= 8, "the demo spreads over the categories: {categories:?}");
    let themes = store.read(|c| hypercare::triage::theme_view::list_themes(c, now())).expect("themes");
    assert!(themes.len() >= 10 && themes[0].count >= 10, "{} themes", themes.len());
}
