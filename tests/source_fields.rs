//! A source's custom fields as its synced tickets show them, picked by
//! name to hold impact, urgency and satisfaction: the choice is stored in
//! one change, refused whole when a field would hold two things, and
//! triage follows it.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::store::fields::{FieldChoice, SeenField};
use hypercare::store::tickets::upsert_tickets;
use hypercare::triage::store::list_triage;
use hypercare::triage::triage_all;
use serde_json::{json, Value};

/// A ticket whose raw record carries these custom fields (id, name, value).
fn ticket(id: &str, fields: &[(i64, &str, Value)]) -> hypercare::model::TicketRecord {
    let mut r = Tk::new(id, "Normal", "2026-10-05T08:00:00Z").record();
    r.title = format!("Invoice posting fails for batch {id}");
    let cf: Vec<_> = fields.iter().map(|(fid, name, v)| json!({"id": fid, "name": name, "value": v})).collect();
    r.raw = Some(json!({"id": id, "subject": r.title, "custom_fields": cf}).to_string());
    r
}

#[test]
fn fields_are_listed_by_name_and_the_choice_drives_triage() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    let recs = vec![
        ticket("1", &[(8, "Urgency", json!("Critical")), (7, "Impact", json!("Department")), (9, "Satisfaction", json!("5"))]),
        ticket("2", &[(8, "Urgency", json!("Critical")), (7, "Impact", json!("")), (11, "Modules", json!(["AP", "GL"]))]),
        ticket("3", &[(8, "Urgency", json!("Low")), (11, "Modules", json!([]))]),
        ticket("4", &[]),
    ];
    store.with_tx(|tx| upsert_tickets(tx, src, &recs)).unwrap();

    let f = store.source_fields("fixture").unwrap();
    assert_eq!(f.sampled, 4);
    let names: Vec<&str> = f.seen.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Impact", "Modules", "Satisfaction", "Urgency"], "by name");
    let urgency: &SeenField = f.seen.iter().find(|s| s.id == 8).unwrap();
    assert_eq!((urgency.tickets, urgency.examples.clone()), (3, vec!["Critical".to_string(), "Low".to_string()]), "most frequent first");
    let impact = f.seen.iter().find(|s| s.id == 7).unwrap();
    assert_eq!(impact.tickets, 1, "a blank value is no value");
    let modules = f.seen.iter().find(|s| s.id == 11).unwrap();
    assert_eq!(modules.tickets, 1, "an empty list is no value: {modules:?}");
    assert_eq!((f.impact_field, f.urgency_field, f.csat_field), (None, None, None));

    // One field for two things: refused whole, nothing stored.
    let e = store.set_source_fields("fixture", FieldChoice { impact: Some(7), urgency: Some(8), csat: Some(8) }).unwrap_err();
    assert!(e.to_string().contains("#8") && e.to_string().contains("urgency") && e.to_string().contains("satisfaction"), "{e}");
    assert_eq!(store.source_fields("fixture").unwrap().urgency_field, None);

    let f = store.set_source_fields("fixture", FieldChoice { impact: Some(7), urgency: Some(8), csat: Some(9) }).unwrap();
    assert_eq!((f.impact_field, f.urgency_field, f.csat_field), (Some(7), Some(8), Some(9)));
    triage_all(&store, t("2026-10-06T08:00:00Z")).unwrap();
    let rows = store.read(list_triage).unwrap();
    let urgency_of = |title: &str| rows.iter().find(|r| r.title.ends_with(title)).and_then(|r| r.urgency.clone());
    assert_eq!(urgency_of("batch 1").as_deref(), Some("critical"));
    assert_eq!(urgency_of("batch 2").as_deref(), Some("critical"));
    assert_eq!(urgency_of("batch 3").as_deref(), Some("low"));
    let first = rows.iter().find(|r| r.title.ends_with("batch 1")).unwrap();
    assert_eq!(first.impact.as_deref(), Some("department"));

    // Clearing the choice clears the options.
    let f = store.set_source_fields("fixture", FieldChoice::default()).unwrap();
    assert_eq!((f.impact_field, f.urgency_field, f.csat_field), (None, None, None));
    let config = store.source_config(src).unwrap();
    assert!(config.get("urgency_custom_field_id").is_none() && config.get("csat_custom_field_id").is_none(), "{config}");

    let e = store.source_fields("nowhere").unwrap_err();
    assert!(e.to_string().contains("nowhere"), "{e}");
}

#[test]
fn the_cli_lists_the_fields_with_ids_and_marks_the_ones_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    {
        let store = hypercare::Store::open_dir(&data).unwrap();
        let src = store
            .add_source(
                &hypercare::store::sources::NewSource {
                    name: "erp".into(),
                    kind: hypercare::model::SourceKind::Redmine,
                    url: "http://redmine.invalid".into(),
                    project: "erp".into(),
                    token_env: None,
                    config: json!({}),
                },
                t("2026-10-01T00:00:00Z"),
            )
            .unwrap();
        let recs = vec![ticket("1", &[(8, "Urgency", json!("High"))]), ticket("2", &[(8, "Urgency", json!("High")), (7, "Impact", json!("Team"))])];
        store.with_tx(|tx| upsert_tickets(tx, src.id, &recs)).unwrap();
    }
    let hc = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare")).arg("--data-dir").arg(&data).args(args).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, out, err) = hc(&["source", "set", "erp", "urgency_custom_field_id=8"]);
    assert!(ok, "{err}");
    assert!(err.contains("hypercare triage run"), "says how to apply it to stored tickets: {err}");
    let (ok, out2, err) = hc(&["source", "fields", "erp"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out2.lines().collect();
    assert_eq!(lines, ["7\tImpact\t1 tickets\tTeam\t", "8\tUrgency\t2 tickets\tHigh\turgency_custom_field_id"], "{out}");
    let (ok, json_out, _) = hc(&["source", "fields", "erp", "--json"]);
    let v: Value = serde_json::from_str(&json_out).unwrap();
    assert!(ok && v["urgency_field"] == 8 && v["seen"].as_array().unwrap().len() == 2, "{v}");
    let (ok, _, err) = hc(&["source", "set", "erp", "urgency_custom_field_id=Urgency"]);
    assert!(!ok && err.contains("urgency_custom_field_id"), "{err}");
}
