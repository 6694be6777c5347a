//! Imported survey comments take part in the themes: a comment that
//! describes a ticket theme's problem joins it (in its count, weekly trend,
//! categories and before/after), shows as "survey comment" with its date
//! rather than as a ticket, and importing comments keeps the trainer's
//! theme ids and names.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use hypercare::import::surveys::{import_surveys, ScoreColumn, SurveyMapping};
use hypercare::import::ImportOptions;
use hypercare::kpi::data::Scale;
use hypercare::model::{SourceKind, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use hypercare::triage::evaluate::plain_record;
use hypercare::triage::survey_items::ItemOrigin;
use hypercare::triage::theme_store::{mark_training, rename_theme};
use hypercare::triage::theme_view::{list_themes, ThemeView};
use hypercare::triage::triage_all;
use hypercare::Store;

const CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hr-survey-comments.csv");

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 4, 14, 0, 0).single().expect("valid time")
}

fn rec(key: &str, title: &str, desc: &str, days: i64) -> TicketRecord {
    let mut r = plain_record(key, title, desc, "ticket", t0() + Duration::days(days));
    r.priority = "Normal".into();
    r
}

/// The HR go-live of `triage_store.rs`: overtime missing from payslips,
/// leave approvals managers cannot find, and one-offs.
fn store(dir: &tempfile::TempDir) -> Store {
    let store = Store::open_dir(dir.path()).expect("open store");
    let src = store
        .add_source(
            &NewSource { name: "hr".into(), kind: SourceKind::Demo, url: "demo:".into(), project: String::new(), token_env: None, config: serde_json::json!({}) },
            t0(),
        )
        .expect("source");
    let records = vec![
        rec("HR-1", "Overtime missing from payslip", "My payslip shows no overtime hours for last month although my timesheet was approved.", 0),
        rec("HR-2", "payslip overtime not paid", "overtime hours from the timesheet did not reach the payslip again", 3),
        rec("HR-3", "Overtime hours not on payslip", "Three of us on night shift got payslips without the overtime from approved timesheets.", 8),
        rec("HR-4", "where is overtime on my payslip", "Approved timesheet overtime is not on the payslip.", 10),
        rec("HR-5", "Payslip overtime missing", "Overtime from my timesheet is missing on this payslip too.", 22),
        rec("HR-6", "Leave request stuck", "My annual leave request has been pending approval for two weeks; my manager cannot see it in the approvals inbox.", 1),
        rec("HR-7", "manager can't find leave approvals", "As a manager I cannot find the leave requests waiting for my approval in the inbox.", 9),
        rec("HR-8", "Leave approval inbox empty", "Leave requests pending approval do not show in the approvals inbox for managers.", 15),
        rec("HR-9", "Typo on the login page", "The login page says 'Pasword'.", 2),
        rec("HR-10", "Please add export of headcount to Excel", "Can we get an Excel export of the headcount report?", 5),
        rec("HR-11", "Pension file rejected by provider", "The monthly pension contribution file was rejected by the provider's interface.", 12),
    ];
    store.with_tx(|tx| upsert_tickets(tx, src.id, &records)).expect("upsert");
    store
}

fn mapping() -> SurveyMapping {
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

fn holding(themes: &[ThemeView], key: &str) -> ThemeView {
    themes
        .iter()
        .find(|t| t.examples.iter().any(|e| e.key.as_deref() == Some(key)))
        .cloned()
        .unwrap_or_else(|| panic!("no theme holds {key}: {themes:#?}"))
}

fn comments(t: &ThemeView) -> Vec<(String, NaiveDate)> {
    t.examples.iter().filter(|e| e.origin == ItemOrigin::SurveyComment).map(|e| (e.text.clone(), e.date)).collect()
}

#[test]
fn survey_comments_join_the_ticket_themes_they_describe() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store(&dir);
    let now = t0() + Duration::days(27);
    triage_all(&store, t0()).expect("triage");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    let pay = holding(&themes, "HR-1");
    let leave = holding(&themes, "HR-6");
    assert_eq!((pay.count, pay.survey_comments, leave.count), (5, 0, 3), "{themes:#?}");
    rename_theme(&store, pay.id, "Overtime not reaching payslips", now).expect("rename");
    let on = NaiveDate::from_ymd_opt(2024, 3, 18).expect("date");
    mark_training(&store, pay.id, "training", on, "payroll refresher", now).expect("mark");

    let s = import_surveys(&store, std::path::Path::new(CSV), &mapping(), ImportOptions::default(), now).expect("import");
    assert_eq!(s.imported, 5);
    let run = triage_all(&store, now).expect("re-run with the comments");
    assert_eq!((run.tickets, run.survey_comments), (11, 4), "the blank comment is not an item");

    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    let pay2 = holding(&themes, "HR-1");
    assert_eq!((pay2.id, pay2.name.as_str()), (pay.id, "Overtime not reaching payslips"), "the trainer's theme is kept");
    assert_eq!(pay2.survey_comments, 2, "{pay2:#?}");
    let day = |d: u32| NaiveDate::from_ymd_opt(2024, 3, d).expect("date");
    let got = comments(&pay2);
    assert!(got.contains(&("Overtime hours from my approved timesheet are missing on my payslip again.".into(), day(20))), "{got:?}");
    assert!(pay2.examples.iter().filter(|e| e.origin == ItemOrigin::SurveyComment).all(|e| e.key.is_none() && e.ticket_id.is_none()));
    // Counted everywhere a ticket is: trend, categories, before/after.
    assert_eq!(pay2.weekly.iter().map(|w| w.count).sum::<usize>(), pay2.count);
    assert_eq!(pay2.categories.iter().map(|(_, n)| n).sum::<usize>(), pay2.count);
    let e = &pay2.effects[0];
    assert_eq!((e.before, e.after), (pay2.count - 3, 3), "HR-5 and both comments come after the training: {e:?}");

    let leave2 = holding(&themes, "HR-6");
    assert_eq!((leave2.id, leave2.survey_comments), (leave.id, 1));
    assert_eq!(comments(&leave2)[0].1, day(12));
    // Praise describes no recurring problem.
    assert!(themes.iter().all(|t| comments(t).iter().all(|(text, _)| !text.contains("mobile app"))));

    // A re-run changes nothing.
    triage_all(&store, now).expect("re-run");
    let again = store.read(|c| list_themes(c, now)).expect("themes");
    let ids = |ts: &[ThemeView]| ts.iter().map(|t| (t.id, t.count, t.survey_comments)).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&themes));
}

#[test]
fn an_import_places_its_comments_in_the_existing_themes_at_once() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store(&dir);
    let now = t0() + Duration::days(27);
    triage_all(&store, t0()).expect("triage");
    import_surveys(&store, std::path::Path::new(CSV), &mapping(), ImportOptions::default(), now).expect("import");
    let t = hypercare::triage::triage_new_comments(&store, now).expect("new comments");
    assert_eq!((t.comments, t.placed_in_themes), (4, 3), "{t:?}");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    assert_eq!(holding(&themes, "HR-1").survey_comments, 2);
    assert_eq!(holding(&themes, "HR-6").survey_comments, 1);
    // Nothing new the second time.
    assert_eq!(hypercare::triage::triage_new_comments(&store, now).expect("again").comments, 0);
}
