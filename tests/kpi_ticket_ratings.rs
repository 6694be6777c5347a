//! Satisfaction ratings kept on tickets by the server (a Redmine custom
//! field named in the source's `csat_custom_field_id`) count in CSAT beside
//! survey answers, labelled by origin, and follow the dashboard's filter.
//! Once on records as the sync stores them, once against the real Redmine.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;
mod sync_common;

use fixtures::*;
use hypercare::kpi::{compute_with, KpiFilter, KpiReport, KpiSettings, Period, Priority};
use hypercare::model::StatusClass::{Open, Resolved};
use hypercare::model::TicketRecord;
use hypercare::store::tickets::upsert_tickets;
use hypercare::Store;
use rusqlite::params;
use serde_json::json;

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// The raw record as the Redmine connector keeps it: the issue without its
/// journals, custom fields included.
fn with_fields(mut r: TicketRecord, fields: &[(i64, &str)]) -> TicketRecord {
    let cf: Vec<_> = fields.iter().map(|(id, v)| json!({"id": id, "name": format!("field {id}"), "value": v})).collect();
    r.raw = Some(json!({"id": r.remote_id, "subject": r.title, "custom_fields": cf}).to_string());
    r
}

fn report(store: &Store, from: chrono::NaiveDate, to: chrono::NaiveDate, f: &KpiFilter, now: chrono::DateTime<chrono::Utc>) -> KpiReport {
    let p = Period::new(from, to, "UTC".parse().unwrap()).unwrap();
    compute_with(store, &p, &KpiSettings::default(), f, now).unwrap()
}

#[test]
fn ticket_ratings_count_in_csat_beside_surveys_and_follow_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    let recs = vec![
        // 5 on a P1 resolved Oct 5: satisfied.
        with_fields(Tk::new("R1", "P1", "2026-10-05T08:00:00Z").change("2026-10-05T10:00:00Z", Open, Resolved).record(), &[(7, "5")]),
        // 2 on a P3 resolved Oct 6: not satisfied.
        with_fields(Tk::new("R2", "P3", "2026-10-05T09:00:00Z").change("2026-10-06T09:00:00Z", Open, Resolved).record(), &[(7, "2")]),
        // Blank rating field: no rating; the 5 is in another field.
        with_fields(Tk::new("R3", "P3", "2026-10-06T09:00:00Z").change("2026-10-07T09:00:00Z", Open, Resolved).record(), &[(7, ""), (8, "5")]),
        // 4 on a ticket still open: counted on its last update (Oct 6).
        with_fields(Tk::new("R4", "P3", "2026-10-06T12:00:00Z").record(), &[(7, "4")]),
        // 9 is out of the 1–5 range: reported, left out.
        with_fields(Tk::new("R5", "P3", "2026-10-07T12:00:00Z").change("2026-10-08T09:00:00Z", Open, Resolved).record(), &[(7, "9")]),
        // Resolved before the period.
        with_fields(Tk::new("R6", "P3", "2026-09-01T12:00:00Z").change("2026-09-02T09:00:00Z", Open, Resolved).record(), &[(7, "5")]),
    ];
    store.with_tx(|tx| upsert_tickets(tx, src, &recs)).unwrap();
    store
        .with_tx(|tx| {
            let mut ins = tx.prepare(
                "INSERT INTO survey_responses (source_file, line, respondent, submission, answered_at, scale, score, imported_at)
                 VALUES ('forms.csv', ?1, ?2, ?2, ?3, 'csat_1_5', ?4, 0)",
            )?;
            ins.execute(params![2, "ana", t("2026-10-06T10:00:00Z").timestamp(), 4])?;
            ins.execute(params![3, "ben", t("2026-10-07T10:00:00Z").timestamp(), 1])?;
            Ok(())
        })
        .unwrap();
    let (from, to, now) = (day(2026, 10, 5), day(2026, 10, 11), t("2026-11-27T12:00:00Z"));

    // Without the option the ratings are not read.
    let r = report(&store, from, to, &KpiFilter::default(), now);
    assert_eq!(r.satisfaction.csat_tickets.responses, 0);
    assert_eq!((r.satisfaction.csat.responses, r.satisfaction.csat.satisfied), (2, 1));

    store.set_source_option("fixture", "csat_custom_field_id", Some(json!(7))).unwrap();
    let r = report(&store, from, to, &KpiFilter::default(), now);
    let s = &r.satisfaction;
    // Tickets: 5, 2, 4 valid (2 satisfied), 9 out of range → 2/3.
    assert_eq!((s.csat_tickets.responses, s.csat_tickets.satisfied, s.csat_tickets.out_of_range), (3, 2, 1));
    assert!(close(s.csat_tickets.csat, 2.0 / 3.0));
    // Surveys: 4 and 1 → 1/2. Together: 3 of 5.
    assert!(close(s.csat_survey.csat, 0.5));
    assert!(close(s.csat.csat, 0.6));
    assert_eq!(s.respondents, 2, "ticket ratings are not survey respondents");
    let tile = |id: &str| r.headline.iter().find(|k| k.id == id).unwrap().value;
    assert!(close(tile("csat_tickets"), 2.0 / 3.0) && close(tile("csat_survey"), 0.5) && close(tile("csat"), 0.6));
    assert_eq!(tile("ticket_ratings"), Some(3.0));
    // The week's CSAT point holds both origins.
    assert_eq!(s.weeks[0].csat.responses, 5);

    // The filter narrows the ratings (they are tickets), not the surveys.
    let p1 = KpiFilter { priorities: vec![Priority::P1], ..Default::default() };
    let r = report(&store, from, to, &p1, now);
    assert_eq!((r.satisfaction.csat_tickets.responses, r.satisfaction.csat_tickets.satisfied), (1, 1));
    assert!(close(r.satisfaction.csat_survey.csat, 0.5));
    assert!(close(r.satisfaction.csat.csat, 2.0 / 3.0));

    // A bad option is refused and changes nothing.
    let e = store.set_source_option("fixture", "csat_custom_field_id", Some(json!("seven"))).unwrap_err();
    assert!(e.to_string().contains("csat_custom_field_id"), "{e}");
    let still = report(&store, from, to, &KpiFilter::default(), now);
    assert_eq!(still.satisfaction.csat_tickets.responses, 3);
}

#[tokio::test]
async fn ratings_in_a_real_redmine_custom_field_reach_csat_after_a_sync() {
    let Some(rm) = sync_common::redmine::Redmine::from_env() else { return };
    let (project, project_id) = rm.create_project("kpi-csat").await;
    let field = rm.create_custom_field(project_id, "Satisfaction", "int");
    let listed = rm.get("/custom_fields.json").await;
    assert!(
        listed["custom_fields"].as_array().unwrap().iter().any(|f| f["id"] == field),
        "Redmine does not list the new field: {listed}"
    );
    // Urgent (→ P1) rated 5 and resolved; Normal (→ P3) rated 2 and resolved,
    // rated 4 and open, and one without a rating.
    let mut ids = Vec::new();
    for (subject, priority, rating) in [("Posting fails", 4, Some("5")), ("Slow scan", 2, Some("2")), ("Label layout", 2, Some("4")), ("No rating", 2, None)] {
        let mut issue = json!({"project_id": project_id, "subject": subject, "priority_id": priority, "tracker_id": 1});
        if let Some(v) = rating {
            issue["custom_fields"] = json!([{"id": field, "value": v}]);
        }
        let created = rm.post("/issues.json", json!({ "issue": issue })).await;
        ids.push(created["issue"]["id"].as_i64().expect("issue id"));
    }
    for id in &ids[..2] {
        rm.put(&format!("/issues/{id}.json"), json!({"issue": {"status_id": 3}})).await;
    }
    let seen = rm.get(&format!("/issues/{}.json", ids[0])).await;
    let kept = seen["issue"]["custom_fields"].as_array().and_then(|fs| fs.iter().find(|f| f["id"] == field)).map(|f| f["value"].clone());
    assert_eq!(kept, Some(json!("5")), "the server kept the rating: {seen}");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("hc.sqlite3")).unwrap();
    sync_common::add_redmine(&store, "rm", &rm.url, &project, json!({ "csat_custom_field_id": field }));
    hypercare::sync::sync_source(&store, "rm", Some(rm.key.clone()), sync_common::now(), &|_| {}).await.expect("sync");

    let now = chrono::Utc::now() + chrono::Duration::minutes(1);
    let today = now.date_naive();
    let (from, to) = (today - chrono::Duration::days(1), today + chrono::Duration::days(1));
    let r = report(&store, from, to, &KpiFilter::default(), now);
    let s = &r.satisfaction.csat_tickets;
    assert_eq!((s.responses, s.satisfied), (3, 2), "5, 2 and 4 from Redmine: {s:?}");
    assert!(close(r.satisfaction.csat.csat, 2.0 / 3.0), "no surveys: CSAT is the tickets' {:?}", r.satisfaction.csat);
    let p1 = KpiFilter { priorities: vec![Priority::P1], ..Default::default() };
    let r = report(&store, from, to, &p1, now);
    assert_eq!((r.satisfaction.csat_tickets.responses, r.satisfaction.csat_tickets.satisfied), (1, 1), "the Urgent issue's 5");
}

/// The raw record as the Zendesk connector keeps it: the ticket without its
/// description, `satisfaction_rating` included (or none at all).
fn zendesk_rated(mut r: TicketRecord, rating: Option<&str>) -> TicketRecord {
    let sr = rating.map(|score| json!({"id": 1, "score": score, "comment": null}));
    r.raw = Some(json!({"id": r.remote_id, "subject": r.title, "satisfaction_rating": sr, "custom_fields": []}).to_string());
    r
}

#[test]
fn zendesk_satisfaction_ratings_count_good_as_satisfied_and_bad_as_not() {
    let dir = tempfile::tempdir().unwrap();
    let (store, demo) = store_with_source(dir.path());
    let zd = store
        .add_source(
            &hypercare::store::sources::NewSource {
                name: "helpdesk".into(),
                kind: hypercare::model::SourceKind::Zendesk,
                url: "https://acme.zendesk.invalid".into(),
                project: "*".into(),
                token_env: None,
                config: json!({}),
            },
            t("2026-01-01T00:00:00Z"),
        )
        .unwrap()
        .id;
    let resolved = |id: &'static str, on: &'static str| Tk::new(id, "P3", "2026-10-05T08:00:00Z").change(on, Open, Resolved).record();
    let recs = vec![
        zendesk_rated(resolved("Z1", "2026-10-05T10:00:00Z"), Some("good")),
        zendesk_rated(resolved("Z2", "2026-10-06T10:00:00Z"), Some("bad")),
        zendesk_rated(resolved("Z3", "2026-10-06T11:00:00Z"), Some("good")),
        // Offered but not answered, never offered, no rating at all: no answer.
        zendesk_rated(resolved("Z4", "2026-10-07T10:00:00Z"), Some("offered")),
        zendesk_rated(resolved("Z5", "2026-10-07T11:00:00Z"), Some("unoffered")),
        zendesk_rated(resolved("Z6", "2026-10-07T12:00:00Z"), None),
        // Rated good, but solved before the period.
        zendesk_rated(Tk::new("Z7", "P3", "2026-09-01T08:00:00Z").change("2026-09-02T10:00:00Z", Open, Resolved).record(), Some("bad")),
    ];
    store.with_tx(|tx| upsert_tickets(tx, zd, &recs)).unwrap();
    // The same shape on a source of another kind is not Zendesk's rating.
    store.with_tx(|tx| upsert_tickets(tx, demo, &[zendesk_rated(resolved("D1", "2026-10-06T10:00:00Z"), Some("bad"))])).unwrap();
    let (from, to, now) = (day(2026, 10, 5), day(2026, 10, 11), t("2026-11-27T12:00:00Z"));

    let s = report(&store, from, to, &KpiFilter::default(), now).satisfaction;
    // good, bad, good → 2 of 3 satisfied; nothing else counted.
    assert_eq!((s.csat_tickets.responses, s.csat_tickets.satisfied, s.csat_tickets.out_of_range), (3, 2, 0));
    assert!(close(s.csat_tickets.csat, 2.0 / 3.0));

    // A rating field named on the source wins: the native rating is not read
    // (these tickets carry no field 7, so no rating at all).
    store.set_source_option("helpdesk", "csat_custom_field_id", Some(json!(7))).unwrap();
    let s = report(&store, from, to, &KpiFilter::default(), now).satisfaction;
    assert_eq!(s.csat_tickets.responses, 0);
}
