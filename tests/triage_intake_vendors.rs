//! Impact and urgency recorded at intake in Jira and Zendesk custom fields
//! decide triage after a sync, against local Jira- and Zendesk-shaped
//! servers that replay the documented shapes (Jira: select options
//! `{"value", "id"}`, sent only when `fields` names them; Zendesk:
//! `custom_fields: [{id, value}]` with drop-down tags as values) and
//! record what they were asked. The field chooser lists both kinds' fields
//! by the names the servers' field lists give.

mod sync_common;
#[path = "sync_common/fake_zendesk.rs"]
mod fake_zendesk;

use hypercare::model::{Category, SourceKind};
use hypercare::store::fields::SourceFields;
use hypercare::store::sources::NewSource;
use hypercare::triage::store::{list_triage, save_matrix, TicketTriage};
use hypercare::triage::{triage_all, Impact, PriorityMatrix, Urgency};
use hypercare::Store;
use serde_json::{json, Value};
use sync_common::fake_jira::{self, generate, FakeJira, PROJECT};
use sync_common::now;

fn add(store: &Store, name: &str, kind: SourceKind, url: &str, project: &str, config: Value) {
    let source =
        NewSource { name: name.into(), kind, url: url.into(), project: project.into(), token_env: Some("HC_TEST_TOKEN".into()), config };
    store.add_source(&source, now()).expect("add source");
}

fn row(store: &Store, key: &str) -> TicketTriage {
    let rows = store.read(list_triage).expect("triage");
    rows.into_iter().find(|r| r.key == key).unwrap_or_else(|| panic!("no triage for {key}"))
}

/// The matrix these tests use: the default grid, no category with a fixed
/// priority, so that a stated impact and urgency alone decide the priority.
fn grid_only() -> PriorityMatrix {
    PriorityMatrix { by_category: vec![], ..PriorityMatrix::default() }
}

/// The priority the matrix gives these levels.
fn priority_of(impact: Impact, urgency: Urgency) -> String {
    grid_only().priority(Category::ALL[0], impact, urgency).as_str().to_string()
}

/// A store whose matrix is [`grid_only`].
fn open_store(dir: &std::path::Path) -> Store {
    let store = Store::open_dir(dir).unwrap();
    save_matrix(&store, &grid_only(), now()).unwrap();
    store
}

fn said(r: &TicketTriage, needle: &[&str]) -> bool {
    r.signals.iter().any(|s| needle.iter().all(|n| s.contains(n)))
}

/// Ticket `key` carries the impact and urgency its fields state, the
/// matrix's priority for them, and signals naming each field and value.
fn stated(store: &Store, key: &str, impact: (Impact, &[&str]), urgency: (Urgency, &[&str])) {
    let r = row(store, key);
    assert_eq!((r.impact.as_deref(), r.urgency.as_deref()), (Some(impact.0.as_str()), Some(urgency.0.as_str())), "{r:?}");
    assert_eq!(r.priority.as_deref(), Some(priority_of(impact.0, urgency.0).as_str()));
    let i = format!("impact {}", impact.0.as_str().replace('_', " "));
    let u = format!("urgency {}", urgency.0.as_str());
    assert!(said(&r, &[&[i.as_str()], impact.1].concat()), "{:?}", r.signals);
    assert!(said(&r, &[&[u.as_str()], urgency.1].concat()), "{:?}", r.signals);
}

fn field<'a>(f: &'a SourceFields, name: &str) -> &'a hypercare::store::fields::SeenField {
    f.seen.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no field {name:?} in {:?}", f.seen))
}

#[tokio::test]
async fn jira_service_management_impact_and_urgency_fields_decide_the_priority() {
    let mut issues = generate(3, 0);
    let select = |v: &str, id: &str| json!({"self": "https://x.atlassian.net/rest/api/3/customFieldOption/1", "value": v, "id": id});
    let set = |i: &mut fake_jira::Issue, pairs: &[(&str, Value)]| {
        for (k, v) in pairs {
            i.custom.insert(k.to_string(), v.clone());
        }
    };
    set(issues.get_mut(&10001).unwrap(), &[
        ("customfield_10004", select("Extensive / Widespread", "10021")),
        ("customfield_10005", select("Critical", "10031")),
        ("customfield_10006", json!(4.0)),
        ("customfield_10020", json!("Plant 7")),
    ]);
    set(issues.get_mut(&10002).unwrap(), &[("customfield_10004", select("High", "10022")), ("customfield_10005", select("Low", "10034"))]);
    let fake = FakeJira::start(issues);
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    add(&store, "jira", SourceKind::Jira, &fake.url, PROJECT, json!({}));
    let sync = || hypercare::sync::sync_source(&store, "jira", Some(fake_jira::secret()), now(), &|_| {});
    sync().await.expect("first sync");
    let asked = |l: &fake_jira::Logged| -> Vec<String> {
        let fields = l.query.get("fields").cloned().unwrap_or_default();
        fields.split(',').filter(|f| f.starts_with("customfield_")).map(String::from).collect()
    };
    assert!(fake.requests("/rest/api/3/issue/").iter().all(|l| asked(l).is_empty()), "no custom field asked while none is named");
    assert!(row(&store, "HC-1").signals.iter().all(|s| !s.contains("field")));
    // The chooser already knows Jira's custom fields by name, from its field list.
    let f = store.source_fields("jira").unwrap();
    let names: Vec<(i64, &str, u32)> = f.seen.iter().map(|s| (s.id, s.name.as_str(), s.tickets)).collect();
    assert_eq!(names, [(10020, "Affected plant", 0), (10004, "Impact", 0), (10006, "Satisfaction", 0), (10005, "Urgency", 0)]);
    assert!(f.on_request, "Jira sends a field only when asked: the app says so");

    // Named as Jira shows them, and as a bare number: the next sync reads every issue again.
    let choice = [
        ("impact_custom_field_id", Some(json!("customfield_10004"))),
        ("urgency_custom_field_id", Some(json!(10005))),
        ("csat_custom_field_id", Some(json!("10006"))),
    ];
    store.set_source_options("jira", &choice).unwrap();
    let src = store.source("jira").unwrap().id;
    assert_eq!(store.source_config(src).unwrap()["impact_custom_field_id"], json!(10004), "stored as the field's number");
    fake.clear_log();
    let s = sync().await.expect("sync");
    assert_eq!(s.updated, 3, "{s:?}");

    // Only the named custom fields are asked for, with every issue.
    let details = fake.requests("/rest/api/3/issue/");
    assert_eq!(details.len(), 3);
    for d in &details {
        assert_eq!(asked(d), ["customfield_10004", "customfield_10005", "customfield_10006"], "{:?}", d.query);
    }
    assert!(fake.requests("/rest/api/3/field").is_empty(), "names stored, census not due: not asked again");

    // The sync's own triage: the recorded values decide, named by the field's name.
    stated(&store, "HC-1", (Impact::Organization, &["Impact field", "Extensive / Widespread"]), (Urgency::Critical, &["Urgency field", "Critical"]));

    // "High" reach is not guessed: named with the option that maps it.
    let r = row(&store, "HC-2");
    assert_eq!(r.urgency.as_deref(), Some("low"));
    assert!(said(&r, &["Impact field", "\u{201c}High\u{201d}", "impact_values"]), "{:?}", r.signals);
    store.set_source_option("jira", "impact_values", Some(json!({"High": "department"}))).unwrap();
    triage_all(&store, now()).unwrap();
    let r = row(&store, "HC-2");
    assert_eq!(r.impact.as_deref(), Some("department"));
    assert_eq!(r.priority.as_deref(), Some(priority_of(Impact::Department, Urgency::Low).as_str()));
    assert!(!said(&r, &["impact_values"]), "{:?}", r.signals);

    // The satisfaction number reaches the CSAT ratings.
    let ratings = store.read(|c| hypercare::kpi::data::load_ticket_ratings(c, 0, i64::MAX)).unwrap();
    assert_eq!(ratings.iter().map(|r| r.score).collect::<Vec<_>>(), [Some(4)], "{ratings:?}");

    // The chooser lists Jira's custom fields by name, those never fetched too.
    let f = store.source_fields("jira").unwrap();
    assert_eq!((f.impact_field, f.urgency_field, f.csat_field), (Some(10004), Some(10005), Some(10006)));
    let names: Vec<&str> = f.seen.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Affected plant", "Impact", "Satisfaction", "Urgency"], "custom fields only, by name");
    let impact = field(&f, "Impact");
    assert_eq!((impact.id, impact.tickets), (10004, 2));
    assert_eq!(impact.examples, ["Extensive / Widespread", "High"]);
    assert_eq!((field(&f, "Affected plant").id, field(&f, "Affected plant").tickets), (10020, 0), "known by name, not fetched");
}

#[tokio::test]
async fn zendesk_drop_down_tags_mapped_by_impact_values_decide_the_priority() {
    let mut tickets = fake_zendesk::generate(3);
    let cf = |pairs: &[(i64, Value)]| pairs.to_vec();
    tickets.get_mut(&1).unwrap().custom_fields = cf(&[(360001, json!("dept_wide")), (360002, json!("urg_now")), (27642, json!("745"))]);
    tickets.get_mut(&2).unwrap().custom_fields = cf(&[(360001, json!("impact_one")), (360002, json!("urg_soonish")), (27642, Value::Null)]);
    tickets.get_mut(&3).unwrap().custom_fields = cf(&[(360001, Value::Null), (360002, Value::Null), (27642, json!("900"))]);
    let fake = fake_zendesk::FakeZendesk::start(tickets);
    fake.state().fields_cap = 4; // two pages of fields
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    let config = json!({"impact_custom_field_id": 360001, "urgency_custom_field_id": 360002,
                        "impact_values": {"dept_wide": "department", "impact_one": "single_user"},
                        "urgency_values": {"urg_now": "critical"}});
    add(&store, "zd", SourceKind::Zendesk, &fake.url, "*", config);
    hypercare::sync::sync_source(&store, "zd", Some(fake_zendesk::secret()), now(), &|_| {}).await.expect("sync");

    let pages = fake.requests("/api/v2/ticket_fields.json");
    assert_eq!(pages.len(), 2, "cursor pages followed");
    assert_eq!(pages[1].query.get("page[after]").map(String::as_str), Some("c4"));

    stated(&store, "#1", (Impact::Department, &["Business impact field", "dept_wide"]), (Urgency::Critical, &["How urgent field", "urg_now"]));

    // A tag no mapping covers: named, with the option; the text decides meanwhile.
    let r = row(&store, "#2");
    assert_eq!(r.impact.as_deref(), Some("single_user"));
    assert!(said(&r, &["How urgent field", "urg_soonish", "urgency_values"]), "{:?}", r.signals);
    store.set_source_option("zd", "urgency_values", Some(json!({"urg_now": "critical", "urg_soonish": "medium"}))).unwrap();
    triage_all(&store, now()).unwrap();
    let r = row(&store, "#2");
    assert_eq!(r.urgency.as_deref(), Some("medium"));
    assert_eq!(r.priority.as_deref(), Some(priority_of(Impact::SingleUser, Urgency::Medium).as_str()));

    // Empty fields state nothing.
    assert!(!said(&row(&store, "#3"), &["field"]), "{:?}", row(&store, "#3").signals);

    // The chooser names Zendesk's custom fields (not its system fields) with their tags.
    let f = store.source_fields("zd").unwrap();
    let names: Vec<&str> = f.seen.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Business impact", "Cost centre", "How urgent"]);
    let impact = field(&f, "Business impact");
    assert_eq!((impact.id, impact.tickets), (360001, 2));
    assert_eq!(impact.examples, ["dept_wide", "impact_one"]);
    assert_eq!(field(&f, "Cost centre").tickets, 2);
    assert_eq!((f.impact_field, f.urgency_field), (Some(360001), Some(360002)));
    assert!(!f.on_request, "Zendesk tickets carry every field");

    // A second sync, census not due and names stored: no field request.
    hypercare::sync::sync_source(&store, "zd", Some(fake_zendesk::secret()), now(), &|_| {}).await.expect("sync");
    assert_eq!(fake.requests("/api/v2/ticket_fields.json").len(), 2);
}

#[tokio::test]
async fn a_field_list_the_server_refuses_leaves_the_sync_and_the_ids_standing() {
    let mut issues = generate(1, 0);
    issues.get_mut(&10001).unwrap().custom.insert("customfield_10005".into(), json!({"value": "High", "id": "10032"}));
    let fake = FakeJira::start(issues);
    fake.fault("/rest/api/3/field", fake_jira::Fault::Status(403, None));
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path());
    add(&store, "jira", SourceKind::Jira, &fake.url, PROJECT, json!({"urgency_custom_field_id": 10005}));
    let s = hypercare::sync::sync_source(&store, "jira", Some(fake_jira::secret()), now(), &|_| {}).await.expect("sync");
    assert_eq!(s.created, 1);
    let r = row(&store, "HC-1");
    assert_eq!(r.urgency.as_deref(), Some("high"));
    assert!(said(&r, &["custom field #10005", "High"]), "named by its number: {:?}", r.signals);
    let f = store.source_fields("jira").unwrap();
    assert_eq!(f.seen.iter().map(|s| (s.id, s.name.as_str())).collect::<Vec<_>>(), [(10005, "custom field #10005")]);
}
