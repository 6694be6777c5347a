//! The small HR/payroll go-live the triage tests share: two recurring
//! problems worded differently, spread over weeks, and some one-offs.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use hypercare::import::surveys::{ScoreColumn, SurveyMapping};
use hypercare::kpi::data::Scale;
use hypercare::model::{SourceKind, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use hypercare::triage::evaluate::plain_record;
use hypercare::triage::theme_view::ThemeView;
use hypercare::Store;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 14, 0, 0).single().expect("valid time")
}

pub fn rec(key: &str, title: &str, desc: &str, created: DateTime<Utc>) -> TicketRecord {
    let mut r = plain_record(key, title, desc, "ticket", created);
    r.priority = "Normal".into();
    r
}

pub fn store_with(dir: &tempfile::TempDir, records: &[TicketRecord]) -> Store {
    store_with_source(dir, records).0
}

/// A source with no server behind it (demo kind) named `name`.
pub fn serverless_source(name: &str) -> NewSource {
    NewSource { name: name.into(), kind: SourceKind::Demo, url: "demo:".into(), project: String::new(), token_env: None, config: serde_json::json!({}) }
}

/// [`store_with`], and the id of its one (demo-kind) source "hr".
pub fn store_with_source(dir: &tempfile::TempDir, records: &[TicketRecord]) -> (Store, i64) {
    // The workspace's store file, so the CLI (HYPERCARE_DATA_DIR) sees it too.
    let store = Store::open_dir(dir.path()).expect("open store");
    let src = store
        .add_source(&serverless_source("hr"), t0())
        .expect("source");
    store.with_tx(|tx| upsert_tickets(tx, src.id, records)).expect("upsert");
    (store, src.id)
}

/// A small HR/payroll go-live: two recurring problems, worded differently,
/// spread over weeks, and some one-offs.
pub fn hr_fixture() -> Vec<TicketRecord> {
    let d = |days: i64| t0() + Duration::days(days);
    vec![
        rec("HR-1", "Overtime missing from payslip", "My payslip shows no overtime hours for last month although my timesheet was approved.", d(0)),
        rec("HR-2", "payslip overtime not paid", "overtime hours from the timesheet did not reach the payslip again", d(3)),
        rec("HR-3", "Overtime hours not on payslip", "Three of us on night shift got payslips without the overtime from approved timesheets.", d(8)),
        rec("HR-4", "where is overtime on my payslip", "Approved timesheet overtime is not on the payslip.", d(10)),
        rec("HR-5", "Payslip overtime missing", "Overtime from my timesheet is missing on this payslip too.", d(22)),
        rec("HR-6", "Leave request stuck", "My annual leave request has been pending approval for two weeks; my manager cannot see it in the approvals inbox.", d(1)),
        rec("HR-7", "manager can't find leave approvals", "As a manager I cannot find the leave requests waiting for my approval in the inbox.", d(9)),
        rec("HR-8", "Leave approval inbox empty", "Leave requests pending approval do not show in the approvals inbox for managers.", d(15)),
        rec("HR-9", "Typo on the login page", "The login page says 'Pasword'.", d(2)),
        rec("HR-10", "Please add export of headcount to Excel", "Can we get an Excel export of the headcount report?", d(5)),
        rec("HR-11", "Pension file rejected by provider", "The monthly pension contribution file was rejected by the provider's interface.", d(12)),
    ]
}


/// The theme whose examples include the ticket `key` (panics with the list otherwise).
pub fn theme_holding(themes: &[ThemeView], key: &str) -> ThemeView {
    themes
        .iter()
        .find(|t| t.examples.iter().any(|e| e.key.as_deref() == Some(key)))
        .cloned()
        .unwrap_or_else(|| panic!("no theme holds {key}: {themes:#?}"))
}

/// Survey answers of the same go-live: four comments (two about overtime,
/// one about leave approvals, one praise) and one blank.
pub const SURVEY_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hr-survey-comments.csv");

/// The mapping of [`SURVEY_CSV`] (a Google Forms export).
pub fn survey_mapping() -> SurveyMapping {
    SurveyMapping {
        timestamp: "Timestamp".into(),
        respondent: Some("Email Address".into()),
        scores: vec![ScoreColumn { column: "How satisfied are you with the new HR system?".into(), scale: Scale::Csat15 }],
        comment: Some("Anything else?".into()),
        timestamp_format: None,
        header_rows: 1,
        delimiter: None,
    }
}
