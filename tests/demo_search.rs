//! Inbox search over a scaled demo: every execution route of a filtered
//! search gives the same answer as filtering the plain search, and search is
//! driven by the full-text index in newest-first order.

use hypercare::demo::{load_demo_with, DemoConfig};
use hypercare::model::{StatusClass, TicketQuery, TicketSummary};
use hypercare::store::tickets::query_plan;
use hypercare::Store;
use tempfile::TempDir;

/// 12,000 tickets: "production" (in every ticket) then has more matches than a
/// filtered search collects at once, "scanner" fewer, so all routes run.
fn scaled_demo() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo_with(&store, &DemoConfig { tickets: 12_000, ..Default::default() }).unwrap();
    (dir, store)
}

type Filter = (&'static str, fn(&mut TicketQuery), fn(&TicketSummary) -> bool);

fn filters() -> Vec<Filter> {
    vec![
        ("open", |q| q.status_class = Some(StatusClass::Open), |t| t.status_class == StatusClass::Open),
        ("resolved", |q| q.status_class = Some(StatusClass::Resolved), |t| t.status_class == StatusClass::Resolved),
        ("Immediate", |q| q.priority = Some("Immediate".into()), |t| t.priority == "Immediate"),
        (
            "open Immediate",
            |q| {
                q.status_class = Some(StatusClass::Open);
                q.priority = Some("Immediate".into());
            },
            |t| t.status_class == StatusClass::Open && t.priority == "Immediate",
        ),
        ("assignee", |q| q.assignee = Some("Tomasz Nowak".into()), |t| t.assignee.as_deref() == Some("Tomasz Nowak")),
    ]
}

#[test]
fn filtered_search_equals_the_plain_search_filtered() {
    let (_dir, store) = scaled_demo();
    for search in ["production", "scanner", "inv*", "sales order", "Kronos"] {
        let all = store
            .tickets(&TicketQuery { search: Some(search.into()), limit: Some(10_000), ..Default::default() })
            .unwrap();
        assert!(!all.is_empty(), "{search}: no matches");
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "{search}: not newest first");
        for (name, narrow, keep) in filters() {
            let expected: Vec<i64> = all.iter().filter(|t| keep(t)).take(50).map(|t| t.id).collect();
            let mut q = TicketQuery { search: Some(search.into()), limit: Some(50), ..Default::default() };
            narrow(&mut q);
            let got: Vec<i64> = store.tickets(&q).unwrap().iter().map(|t| t.id).collect();
            assert_eq!(got, expected, "search {search:?} with filter {name}");
        }
    }
}

#[test]
fn the_total_count_is_what_paging_through_every_page_would_list() {
    let (_dir, store) = scaled_demo();
    let none: Filter = ("none", |_| {}, |_| true);
    for search in [None, Some("production"), Some("scanner"), Some("inv*"), Some("sales order")] {
        for (name, narrow, _) in std::iter::once(none).chain(filters()) {
            let mut q = TicketQuery { search: search.map(str::to_string), limit: Some(10_000), ..Default::default() };
            narrow(&mut q);
            let listed = store.tickets(&q).unwrap().len() as u64;
            let counted = store.count_tickets(&TicketQuery { limit: Some(50), offset: Some(100), ..q.clone() }).unwrap();
            if listed < 10_000 {
                assert_eq!(counted, listed, "search {search:?} with filter {name}");
            } else {
                assert!(counted >= listed, "search {search:?} with filter {name}: {counted} < {listed}");
            }
        }
    }
    // Nothing set: every live ticket of the demo.
    assert_eq!(store.count_tickets(&TicketQuery::default()).unwrap(), 12_000);
}

#[test]
fn search_is_driven_by_the_full_text_index_newest_first() {
    let (_dir, store) = scaled_demo();
    let q = TicketQuery { search: Some("production".into()), limit: Some(50), ..Default::default() };
    let plans = store.read(|c| query_plan(c, &q)).unwrap();
    assert_eq!(plans.len(), 1);
    // The matches are the outer loop and their rowid order is the answer's: no sort, no scan of tickets.
    assert!(plans[0].starts_with("SCAN f VIRTUAL TABLE"), "{plans:?}");
    assert!(!plans[0].contains("TEMP B-TREE") && !plans[0].contains("SCAN t"), "{plans:?}");
    // Filters alone use an index, never a scan of every ticket.
    let q = TicketQuery { priority: Some("Immediate".into()), limit: Some(50), ..Default::default() };
    let plans = store.read(|c| query_plan(c, &q)).unwrap();
    assert!(plans[0].contains("USING INDEX tickets_priority_updated"), "{plans:?}");
    // The default view (newest first, nothing set) walks an index in order: no sort of every ticket.
    let q = TicketQuery { limit: Some(50), ..Default::default() };
    let plans = store.read(|c| query_plan(c, &q)).unwrap();
    assert!(plans[0].contains("USING INDEX tickets_inbox_newest") && !plans[0].contains("TEMP B-TREE"), "{plans:?}");
}

#[test]
fn a_ticket_number_finds_that_ticket_first() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo_with(&store, &DemoConfig { tickets: 400, ..Default::default() }).unwrap();
    let all = store.tickets(&TicketQuery { limit: Some(1000), ..Default::default() }).unwrap();
    let target = &all[all.len() / 2];
    let number = target.key.trim_start_matches('#');
    assert!(number.chars().all(|c| c.is_ascii_digit()), "demo keys are Redmine numbers: {}", target.key);
    for typed in [format!("#{number}"), number.to_string(), format!("  {number} ")] {
        let got = store.tickets(&TicketQuery { search: Some(typed.clone()), ..Default::default() }).unwrap();
        assert_eq!(got.first().map(|t| t.id), Some(target.id), "search {typed:?} finds {} first", target.key);
        assert_eq!(got.iter().filter(|t| t.id == target.id).count(), 1, "listed once");
        let all = store.tickets(&TicketQuery { search: Some(typed.clone()), limit: Some(1000), ..Default::default() }).unwrap();
        let counted = store.count_tickets(&TicketQuery { search: Some(typed.clone()), ..Default::default() }).unwrap();
        assert_eq!(counted, all.len() as u64, "the count of {typed:?} includes the ticket found by its number once");
    }
    // Filters still apply: a status the ticket does not have hides it.
    let other = if target.status_class == StatusClass::Open { StatusClass::Closed } else { StatusClass::Open };
    let q = TicketQuery { search: Some(format!("#{number}")), status_class: Some(other), ..Default::default() };
    assert!(store.tickets(&q).unwrap().iter().all(|t| t.id != target.id));
    // A later page does not list it again.
    let q = TicketQuery { search: Some(number.to_string()), offset: Some(1), ..Default::default() };
    assert!(store.tickets(&q).unwrap().iter().all(|t| t.id != target.id));
    // Words are not keys: no digit, no key lookup.
    let q = TicketQuery { search: Some("#scanner".into()), ..Default::default() };
    let words = store.tickets(&q).unwrap();
    assert!(words.iter().all(|t| t.key != "scanner"));
}

#[test]
fn removing_a_source_removes_its_words_from_search() {
    use hypercare::model::SourceKind;
    use hypercare::store::sources::NewSource;
    use hypercare::store::tickets::upsert_tickets;
    use hypercare::triage::evaluate::plain_record;

    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo_with(&store, &DemoConfig { tickets: 300, ..Default::default() }).unwrap();
    let scanner = TicketQuery { search: Some("scanner".into()), ..Default::default() };
    assert!(!store.tickets(&scanner).unwrap().is_empty());
    store.remove_source("demo").unwrap();
    // A server's tickets arrive next; SQLite may give them the removed tickets' ids.
    let now = chrono::Utc::now();
    let src = store
        .add_source(&NewSource { name: "erp".into(), kind: SourceKind::Demo, url: "demo:".into(), project: String::new(), token_env: None, config: serde_json::json!({}) }, now)
        .unwrap();
    let recs: Vec<_> = (1..=300).map(|i| plain_record(&format!("#{i}"), "Invoice layout", "The invoice footer is cut off.", "Bug", now)).collect();
    store.with_tx(|tx| upsert_tickets(tx, src.id, &recs)).unwrap();
    assert_eq!(store.tickets(&scanner).unwrap().len(), 0, "no ticket says scanner any more");
    assert_eq!(store.tickets(&TicketQuery { search: Some("footer".into()), limit: Some(1000), ..Default::default() }).unwrap().len(), 300);
}
