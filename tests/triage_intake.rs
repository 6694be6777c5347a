//! Impact and urgency stated at intake (Redmine custom fields named in the
//! source's options) decide a ticket's impact, urgency and so its priority
//! over what the text suggests; the decision says so; a value the app cannot
//! map is named with the option that maps it; the user's own correction
//! still wins. Against the real Redmine.

mod sync_common;

use hypercare::triage::store::{list_triage, TicketTriage};
use hypercare::triage::{set_override, triage_all, Impact, Override, PriorityMatrix, Urgency};
use hypercare::model::Category;
use hypercare::Store;
use serde_json::json;
use sync_common::redmine::Redmine;

fn row(store: &Store, title: &str) -> TicketTriage {
    let rows = store.read(list_triage).expect("triage");
    rows.into_iter().find(|r| r.title == title).unwrap_or_else(|| panic!("no triage for {title:?}"))
}

async fn sync(store: &Store, rm: &Redmine) -> hypercare::model::SyncSummary {
    hypercare::sync::sync_source(store, "rm", Some(rm.key.clone()), sync_common::now(), &|_| {}).await.expect("sync")
}

/// A level other than `from`, as the server's field would say it.
fn other_urgency(from: &str) -> (&'static str, Urgency) {
    if from == "critical" { ("4 - Low", Urgency::Low) } else { ("1 - Critical", Urgency::Critical) }
}

fn other_impact(from: &str) -> (&'static str, Impact) {
    if from == "organization" { ("Single user", Impact::SingleUser) } else { ("Company-wide", Impact::Organization) }
}

fn priority_of(r: &TicketTriage, impact: Impact, urgency: Urgency) -> String {
    let category = Category::parse(r.category.as_deref().expect("a category")).expect("known category");
    PriorityMatrix::default().priority(category, impact, urgency).as_str().to_string()
}

#[tokio::test]
async fn urgency_and_impact_stated_in_redmine_fields_decide_the_priority() {
    let Some(rm) = Redmine::from_env() else { return };
    let (project, project_id) = rm.create_project("intake").await;
    let impact_field = rm.create_custom_field(project_id, "Impact", "string");
    let urgency_field = rm.create_custom_field(project_id, "Urgency", "string");
    let titles = ["Bank file for the vendor payment run is rejected", "Open orders report shows the wrong warehouse"];
    let mut ids = Vec::new();
    for t in titles {
        let issue = json!({"issue": {"project_id": project_id, "subject": t, "tracker_id": 1,
            "description": "We noticed it this morning and worked around it by hand."}});
        ids.push(rm.post("/issues.json", issue).await["issue"]["id"].as_i64().expect("issue id"));
    }

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    sync_common::add_redmine(&store, "rm", &rm.url, &project, json!({}));
    sync(&store, &rm).await;
    let before = row(&store, titles[0]);
    let (from_i, from_u) = (before.impact.clone().unwrap(), before.urgency.clone().unwrap());
    assert!(before.signals.iter().all(|s| !s.contains("field")), "no intake yet: {:?}", before.signals);

    // The desk fills in both fields on the first issue with levels the text
    // did not suggest, and an unknown urgency on the second.
    let (said_u, urgency) = other_urgency(&from_u);
    let (said_i, impact) = other_impact(&from_i);
    let fields = |i: &str, u: &str| json!({"issue": {"custom_fields": [{"id": impact_field, "value": i}, {"id": urgency_field, "value": u}]}});
    rm.put(&format!("/issues/{}.json", ids[0]), fields(said_i, said_u)).await;
    rm.put(&format!("/issues/{}.json", ids[1]), fields("", "Sev 2")).await;

    // Without the options the fields are not read, even after a sync.
    sync(&store, &rm).await;
    assert_eq!(row(&store, titles[0]).urgency.as_deref(), Some(from_u.as_str()));

    store.set_source_option("rm", "impact_custom_field_id", Some(json!(impact_field))).unwrap();
    store.set_source_option("rm", "urgency_custom_field_id", Some(json!(urgency_field))).unwrap();
    triage_all(&store, sync_common::now()).unwrap();
    let r = row(&store, titles[0]);
    assert_eq!(r.urgency.as_deref(), Some(urgency.as_str()), "{r:?}");
    assert_eq!(r.impact.as_deref(), Some(impact.as_str()), "{r:?}");
    assert_eq!(r.priority.as_deref(), Some(priority_of(&r, impact, urgency).as_str()));
    assert!(!r.urgency_overridden && !r.impact_overridden, "stated at intake, not the user's correction");
    let said = |s: &str| r.signals.iter().any(|x| x.starts_with(s) && x.contains("field"));
    assert!(said(&format!("urgency {}", urgency.as_str())) && said("impact "), "the decision names its fields: {:?}", r.signals);

    // "Sev 2" is not a level: the text decides and the signal says how to map it.
    let second = row(&store, titles[1]);
    let note = second.signals.iter().find(|s| s.contains("Sev 2")).unwrap_or_else(|| panic!("{:?}", second.signals));
    assert!(note.contains("urgency_values"), "{note}");
    store.set_source_option("rm", "urgency_values", Some(json!({"Sev 2": "high"}))).unwrap();
    // A later sync of a changed ticket reads the fields too (one ticket's lookup).
    rm.put(&format!("/issues/{}.json", ids[1]), json!({"issue": {"notes": "still open"}})).await;
    let s = sync(&store, &rm).await;
    assert_eq!(s.updated, 1, "{s:?}");
    let second = row(&store, titles[1]);
    assert_eq!(second.urgency.as_deref(), Some("high"), "{second:?}");
    assert!(second.signals.iter().all(|s| !s.contains("urgency_values")), "{:?}", second.signals);

    // The user's own correction wins over the field and survives a re-run.
    let tid = r.ticket_id;
    let mine = if urgency == Urgency::Medium { Urgency::Low } else { Urgency::Medium };
    set_override(&store, tid, &Override { urgency: Some(mine), ..Default::default() }, sync_common::now()).unwrap();
    triage_all(&store, sync_common::now()).unwrap();
    let r = row(&store, titles[0]);
    assert_eq!(r.urgency.as_deref(), Some(mine.as_str()));
    assert_eq!(r.suggested_urgency.as_deref(), Some(urgency.as_str()), "the field still shows as the suggestion");

    // Bad options are refused by name, and nothing changes.
    let e = store.set_source_option("rm", "impact_values", Some(json!({"1 - High": "huge"}))).unwrap_err();
    assert!(e.to_string().contains("impact_values"), "{e}");
    let e = store.set_source_option("rm", "urgency_custom_field_id", Some(json!("Urgency"))).unwrap_err();
    assert!(e.to_string().contains("urgency_custom_field_id"), "{e}");
    let config = store.source_config(store.source("rm").unwrap().id).unwrap();
    assert_eq!(config["urgency_custom_field_id"], json!(urgency_field));
}
