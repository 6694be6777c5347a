//! Confirmed triage categories pushed to Jira, ServiceNow and Zendesk
//! through the outbox, against local fakes that serve each API's documented
//! shapes and record what they receive: the category lands once with the
//! vendor's request body (a Jira select as `{"value": …}`, a ServiceNow
//! field by display value in one PATCH, a Zendesk custom field by its tag),
//! a repeated push writes nothing, a value someone else set since the
//! confirmation is held back as a conflict, a field the server does not
//! take is rejected naming it, a refused token stops the source and a rate
//! limit defers by Retry-After.

mod sync_common;
#[path = "sync_common/fake_servicenow_write.rs"]
mod fake_sn;
#[path = "sync_common/fake_zendesk_write.rs"]
mod fake_zd;

use chrono::{Duration, Utc};
use hypercare::model::Category;
use hypercare::triage::category_push::{CategoryPushConfig, CategoryTarget};
use hypercare::validation::OutboxState;
use reqwest::Method;
use serde_json::{json, Value};

use sync_common::fake_jira_write::{self as fj, FakeJiraWrite, SELECT_FIELD};
use sync_common::validation_world::World;
use sync_common::write_log::Fault;

fn jira_world(jira: &FakeJiraWrite, push: Value) -> World {
    jira.world(json!({"triage": {"category_push": push}}))
}

fn jira_select() -> Value {
    json!({"target": "custom_field", "custom_field_id": 10050, "values": {"usability": "UX"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_a_confirmed_category_lands_once_in_the_select_field() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, jira_select());
    let row = w.confirm(Category::Usability);
    let report = w.push(fj::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.conflicts), (1, 0, 0), "{report:?}");
    let puts: Vec<Value> = jira.requests("PUT", &format!("/issue/{}", fj::ISSUE_ID)).iter().map(|l| l.json()).collect();
    assert_eq!(puts, vec![json!({"fields": {SELECT_FIELD: {"value": "UX"}}})]);
    assert_eq!(jira.state().fields.get(SELECT_FIELD), Some(&json!({"value": "UX"})));
    assert_eq!(w.outbox_row(row).0, OutboxState::Sent);

    // A push that died after Jira took the write: the retry reads the field and writes nothing.
    w.make_pending(row);
    let again = w.push(fj::SECRET, 10, Utc::now()).await;
    assert_eq!(again.sent, 1, "{again:?}");
    assert_eq!(jira.requests("PUT", &format!("/issue/{}", fj::ISSUE_ID)).len(), 1, "written twice");
    // Nothing due: nothing asked at all.
    let before = jira.state().w.log.len();
    w.push(fj::SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert_eq!(jira.state().w.log.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_a_text_field_takes_the_label_as_text() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, json!({"target": "custom_field", "custom_field_id": 10051}));
    w.confirm(Category::Training);
    let report = w.push(fj::SECRET, 10, Utc::now()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let puts: Vec<Value> = jira.requests("PUT", &format!("/issue/{}", fj::ISSUE_ID)).iter().map(|l| l.json()).collect();
    assert_eq!(puts, vec![json!({"fields": {fj::TEXT_FIELD: "Training need"}})]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_a_value_set_by_someone_else_since_the_confirmation_is_a_conflict() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, jira_select());
    // The last sync saw the field empty.
    w.set_raw(json!({"id": fj::ISSUE_ID, "key": fj::ISSUE_KEY, "fields": {SELECT_FIELD: null}}));
    let row = w.confirm(Category::Usability);
    jira.state().set_field_by_other(SELECT_FIELD, json!({"value": "Defect"}));
    let report = w.push(fj::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.conflicts), (0, 1), "{report:?}");
    assert!(jira.requests("PUT", "").is_empty(), "nothing written");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Conflict);
    assert!(why.contains("\"Defect\"") && why.contains("\"UX\"") && why.contains("HC-1"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_a_field_not_on_the_edit_screen_is_rejected_and_named_without_a_write() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, json!({"target": "custom_field", "custom_field_id": 10099}));
    let row = w.confirm(Category::Usability);
    let report = w.push(fj::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected), (0, 1), "{report:?}");
    assert!(jira.requests("PUT", "").is_empty());
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Rejected);
    assert!(why.contains("customfield_10099") && why.contains("edit screen"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_a_refused_token_stops_the_source_and_a_rate_limit_defers() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, jira_select());
    let row = w.confirm(Category::Usability);
    let now = Utc::now();
    let report = w.push("someone@example.com:wrong", 10, now).await;
    assert_eq!((report.sent, report.pending, report.rejected), (0, 1, 0), "{report:?}");
    assert_eq!(report.stopped.len(), 1, "{report:?}");
    assert!(jira.requests("PUT", "").is_empty());
    assert_eq!(w.outbox_row(row).0, OutboxState::Pending);

    jira.fault(Method::PUT, "/issue/", Fault::Status(429, Some("120")));
    let later = now + Duration::hours(2);
    let report = w.push(fj::SECRET, 10, later).await;
    assert_eq!((report.sent, report.pending), (0, 1), "{report:?}");
    let (state, _, next) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Pending);
    // (the store keeps whole seconds)
    assert!(next >= later + Duration::seconds(119), "waits out Retry-After: {next} vs {later}");
    let report = w.push(fj::SECRET, 10, later + Duration::seconds(121)).await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(jira.state().fields.get(SELECT_FIELD), Some(&json!({"value": "UX"})));
}

#[test]
fn jira_and_zendesk_refuse_the_redmine_issue_category_and_servicenow_wants_a_field_name() {
    let jira = FakeJiraWrite::start();
    let w = jira_world(&jira, jira_select());
    let cfg = |target| CategoryPushConfig { target, values: Default::default() };
    let e = w.store.set_category_push("jira", Some(&cfg(CategoryTarget::IssueCategory))).unwrap_err().to_string();
    assert!(e.contains("custom_field:ID") && e.contains("jira"), "{e}");
    let e = w.store.set_category_push("jira", Some(&cfg(CategoryTarget::Field("category".into())))).unwrap_err().to_string();
    assert!(e.contains("custom_field:ID"), "{e}");
    assert!(w.store.set_category_push("jira", Some(&cfg(CategoryTarget::CustomField(10050)))).is_ok());
}

// ---- ServiceNow ----

fn sn_world(sn: &fake_sn::FakeServiceNowWrite, field: &str) -> World {
    sn.world(json!({"triage": {"category_push": {"target": "field", "field": field}}}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servicenow_a_confirmed_category_is_one_patch_of_the_field_by_label() {
    let sn = fake_sn::FakeServiceNowWrite::start();
    let w = sn_world(&sn, "u_hypercare_category");
    let row = w.confirm(Category::Performance);
    let report = w.push(fake_sn::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected), (1, 0), "{report:?}");
    let patches = sn.requests("PATCH", fake_sn::SYS_ID);
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].json(), json!({"u_hypercare_category": "Performance"}));
    assert_eq!(patches[0].query.get("sysparm_input_display_value").map(String::as_str), Some("true"));
    assert_eq!(sn.state().fields.get("u_hypercare_category").map(String::as_str), Some("Performance"));

    w.make_pending(row);
    let again = w.push(fake_sn::SECRET, 10, Utc::now()).await;
    assert_eq!(again.sent, 1, "{again:?}");
    assert_eq!(sn.requests("PATCH", "").len(), 1, "written twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servicenow_a_field_the_table_does_not_have_is_rejected_and_named() {
    let sn = fake_sn::FakeServiceNowWrite::start();
    let w = sn_world(&sn, "u_triage_category");
    let row = w.confirm(Category::Performance);
    let report = w.push(fake_sn::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected), (0, 1), "{report:?}");
    assert_eq!(sn.requests("PATCH", "").len(), 1, "ServiceNow took the PATCH and ignored the field");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Rejected);
    assert!(why.contains("u_triage_category") && why.contains("incident") && why.contains("did not apply"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servicenow_a_value_set_by_someone_else_since_the_confirmation_is_a_conflict() {
    let sn = fake_sn::FakeServiceNowWrite::start();
    let w = sn_world(&sn, "u_hypercare_category");
    w.set_raw(json!({"u_hypercare_category": {"value": "", "display_value": ""}}));
    let row = w.confirm(Category::Performance);
    sn.state().fields.insert("u_hypercare_category".into(), "Hardware".into());
    let report = w.push(fake_sn::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.conflicts), (0, 1), "{report:?}");
    assert!(sn.requests("PATCH", "").is_empty(), "nothing written");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Conflict);
    assert!(why.contains("\"Hardware\"") && why.contains("\"Performance\"") && why.contains("INC0010001"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servicenow_a_refused_write_rejects_the_row_with_the_server_reason() {
    let sn = fake_sn::FakeServiceNowWrite::start();
    let w = sn_world(&sn, "u_hypercare_category");
    let row = w.confirm(Category::Performance);
    sn.fault(Method::PATCH, fake_sn::SYS_ID, fake_sn::Fault::Status(403, None));
    let report = w.push(fake_sn::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.pending), (0, 1, 0), "{report:?}");
    assert!(report.stopped.is_empty(), "a refused write does not stop the source: {report:?}");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Rejected);
    assert!(why.contains("forbidden (403)") && why.contains("updating incident"), "{why}");
    assert_eq!(sn.state().fields.get("u_hypercare_category").map(String::as_str), Some(""));
}

// ---- Zendesk ----

fn zd_world(zd: &fake_zd::FakeZendeskWrite, field_id: i64) -> World {
    zd.world(json!({"triage": {"category_push": {"target": "custom_field", "custom_field_id": field_id,
        "values": {"usability": "hc_usability", "data_issue": "hc_data"}}}}))
}

fn zd_puts(zd: &fake_zd::FakeZendeskWrite) -> Vec<Value> {
    zd.requests("PUT", &format!("/tickets/{}.json", fake_zd::TICKET_ID)).iter().map(|l| l.json()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zendesk_a_confirmed_category_lands_once_as_the_drop_down_tag() {
    let zd = fake_zd::FakeZendeskWrite::start();
    let w = zd_world(&zd, fake_zd::CATEGORY_FIELD);
    let row = w.confirm(Category::Usability);
    let report = w.push(fake_zd::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected), (1, 0), "{report:?}");
    assert_eq!(zd_puts(&zd), vec![json!({"ticket": {"custom_fields": [{"id": fake_zd::CATEGORY_FIELD, "value": "hc_usability"}]}})]);
    assert_eq!(zd.state().fields.get(&fake_zd::CATEGORY_FIELD), Some(&json!("hc_usability")));

    w.make_pending(row);
    let again = w.push(fake_zd::SECRET, 10, Utc::now()).await;
    assert_eq!(again.sent, 1, "{again:?}");
    assert_eq!(zd_puts(&zd).len(), 1, "written twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zendesk_a_value_set_by_someone_else_since_the_confirmation_is_a_conflict() {
    let zd = fake_zd::FakeZendeskWrite::start();
    let w = zd_world(&zd, fake_zd::CATEGORY_FIELD);
    w.set_raw(json!({"id": 4711, "custom_fields": [{"id": fake_zd::CATEGORY_FIELD, "value": null}]}));
    let row = w.confirm(Category::DataIssue);
    zd.state().fields.insert(fake_zd::CATEGORY_FIELD, json!("hc_hardware"));
    let report = w.push(fake_zd::SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.conflicts), (0, 1), "{report:?}");
    assert!(zd_puts(&zd).is_empty(), "nothing written");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Conflict);
    assert!(why.contains("\"hc_hardware\"") && why.contains("\"hc_data\"") && why.contains("#4711"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zendesk_a_field_not_in_the_form_is_rejected_and_named_after_a_bad_token_and_a_rate_limit() {
    let zd = fake_zd::FakeZendeskWrite::start();
    let w = zd_world(&zd, 360_999);
    let row = w.confirm(Category::Usability);
    let report = w.push("agent@acme.test/token:wrong", 10, Utc::now()).await;
    assert_eq!((report.pending, report.stopped.len()), (1, 1), "{report:?}");
    assert!(zd_puts(&zd).is_empty());

    // A rate limit defers it by Retry-After, writing nothing.
    zd.fault(Method::GET, "/tickets/", fake_zd::Fault::Status(429, Some("60")));
    let later = Utc::now() + Duration::hours(1);
    let report = w.push(fake_zd::SECRET, 10, later).await;
    assert_eq!((report.pending, report.stopped.len()), (1, 0), "{report:?}");
    assert!(w.outbox_row(row).2 >= later + Duration::seconds(59));
    assert!(zd_puts(&zd).is_empty());

    let report = w.push(fake_zd::SECRET, 10, later + Duration::seconds(61)).await;
    assert_eq!((report.sent, report.rejected), (0, 1), "{report:?}");
    assert_eq!(zd_puts(&zd).len(), 1, "Zendesk took the update and ignored the field");
    let (state, why, _) = w.outbox_row(row);
    assert_eq!(state, OutboxState::Rejected);
    assert!(why.contains("ticket field 360999") && why.contains("form"), "{why}");
}
