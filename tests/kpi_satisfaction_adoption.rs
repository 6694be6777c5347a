//! Satisfaction and adoption KPIs against hand-computed values, fed through
//! the real importers (a Microsoft Forms style CSV, usage CSV, gateway log).

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::import::surveys::{import_surveys, ScoreColumn, SurveyMapping};
use hypercare::import::usage::{import_usage, UsageFormat};
use hypercare::import::ImportOptions;
use hypercare::kpi::data::Scale;
use hypercare::kpi::{compute, Period};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

const FORMS_CSV: &str = "\
ID,Start time,Completion time,Email,Name,How satisfied are you with the new system?,How likely are you to recommend it?,Anything else?
1,10/5/2026 8:59:00,10/5/2026 9:01:10,u1@example.com,U1,5,10,\"Great, works\"
2,10/5/2026 9:58:00,10/5/2026 10:02:00,u2@example.com,U2,4,9,
3,10/6/2026 10:59:00,10/6/2026 11:00:30,u3@example.com,U3,3,9,Slow
4,10/7/2026 11:59:00,10/7/2026 12:01:00,u1@example.com,U1,1,8,
5,10/8/2026 12:59:00,10/8/2026 13:00:10,,,4,6,
6,10/9/2026 13:59:00,10/9/2026 14:00:00,u4@example.com,U4,0,3,
7,10/9/2026 14:59:00,10/9/2026 15:00:00,u5@example.com,U5,6,11,
8,10/10/2026 15:59:00,10/10/2026 16:00:00,u6@example.com,U6,,,
9,10/20/2026 15:59:00,10/20/2026 16:00:00,u7@example.com,U7,5,,
";

pub fn forms_mapping() -> SurveyMapping {
    SurveyMapping {
        timestamp: "Completion time".into(),
        respondent: Some("Email".into()),
        scores: vec![
            ScoreColumn { column: "How satisfied are you with the new system?".into(), scale: Scale::Csat15 },
            ScoreColumn { column: "How likely are you to recommend it?".into(), scale: Scale::Nps010 },
        ],
        comment: Some("Anything else?".into()),
        timestamp_format: None,
        header_rows: 1,
        delimiter: None,
    }
}

#[test]
fn csat_nps_counts_and_out_of_range_answers_match_hand_values() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    store.set_kpi_setting("licensed_users", "60").unwrap();
    let file = dir.path().join("forms.csv");
    std::fs::write(&file, FORMS_CSV).unwrap();
    let now = t("2026-11-27T12:00:00Z");
    let s = import_surveys(&store, &file, &forms_mapping(), ImportOptions::default(), now).unwrap();
    // Rows 1–7: two answers each (14); row 9: CSAT only (1); row 8 blank.
    // Out of range: row 6 CSAT 0, row 7 CSAT 6 and NPS 11.
    assert_eq!((s.imported, s.blank, s.out_of_range, s.skipped), (15, 1, 3, 0));

    let period = Period::new(day(2026, 10, 5), day(2026, 10, 11), chrono_tz::Tz::UTC).unwrap();
    let r = compute(&store, &period, &store.kpi_settings().unwrap(), now).unwrap();
    let sat = &r.satisfaction;
    // CSAT valid answers (rows 1–5): 5, 4, 3, 1, 4 → 4–5 are 3 of 5 = 60 %.
    assert_eq!((sat.csat.responses, sat.csat.satisfied, sat.csat.out_of_range), (5, 3, 2));
    assert!(close(sat.csat.csat, 0.6));
    // NPS valid answers (rows 1–6): 10, 9, 9, 8, 6, 3 → promoters 3, passives 1,
    // detractors 2 → (3 − 2) / 6 × 100 = 16.67.
    assert_eq!((sat.nps.promoters, sat.nps.passives, sat.nps.detractors, sat.nps.out_of_range), (3, 1, 2, 1));
    assert!(close(sat.nps.nps, 100.0 / 6.0));
    // Respondents: u1..u5 plus one anonymous answer = 6 of 60 licensed = 10 %.
    assert_eq!(sat.respondents, 6);
    assert!(close(sat.response_rate, 0.1));
    // Comments are kept for theme detection, once per submission.
    let comments: Vec<String> = store
        .read(|c| {
            let mut st = c.prepare("SELECT comment FROM survey_responses WHERE comment IS NOT NULL ORDER BY line")?;
            let v = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(v)
        })
        .unwrap();
    assert_eq!(comments, vec!["Great, works", "Slow"]);
    // CSAT 60 % is below the 80 % exit threshold.
    let csat = r.exit_criteria.iter().find(|c| c.id == "csat").unwrap();
    assert_eq!(csat.passed, Some(false));
}

#[test]
fn dau_wau_feature_adoption_success_and_latency_match_hand_values() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    store.set_kpi_setting("licensed_users", "50").unwrap();
    let usage = dir.path().join("usage.csv");
    std::fs::write(
        &usage,
        "user,timestamp,feature,outcome
u1,2026-10-05T08:00:00Z,Orders,success
u1,2026-10-05T09:00:00Z,Orders,ok
u2,2026-10-05T10:00:00Z,Invoices,error
u3,2026-10-06T10:00:00Z,Orders,
u1,2026-10-12T08:00:00Z,Orders,success
u4,2026-10-12T09:00:00Z,Reports,true
u9,2026-10-13T09:00:00Z,Reports,success
",
    )
    .unwrap();
    let gw = dir.path().join("gateway.jsonl");
    let mut lines = String::new();
    for (i, (path, lat, status)) in
        [("/a", 100, 200), ("/a", 200, 200), ("/a", 300, 500), ("/a", 400, 200), ("/a", 1000, 404), ("/b", 50, 200)].iter().enumerate()
    {
        lines.push_str(&format!(
            "{{\"requestTime\":\"06/Oct/2026:10:0{i}:00 +0000\",\"apiKeyId\":\"web\",\"resourcePath\":\"{path}\",\"status\":\"{status}\",\"responseLatency\":{lat}}}\n"
        ));
    }
    std::fs::write(&gw, lines).unwrap();
    let now = t("2026-11-27T12:00:00Z");
    assert_eq!(import_usage(&store, &usage, UsageFormat::Csv, ImportOptions::default(), now).unwrap().imported, 7);
    assert_eq!(import_usage(&store, &gw, UsageFormat::Gateway, ImportOptions::default(), now).unwrap().imported, 6);

    // Mon Oct 5 .. Mon Oct 12: 8 days, two ISO weeks.
    let period = Period::new(day(2026, 10, 5), day(2026, 10, 12), chrono_tz::Tz::UTC).unwrap();
    let r = compute(&store, &period, &store.kpi_settings().unwrap(), now).unwrap();
    let a = &r.adoption;
    assert_eq!(a.dau, vec![2, 1, 0, 0, 0, 0, 0, 2], "u1+u2, u3, nothing, u1+u4");
    assert_eq!(a.wau, vec![3, 2], "week of Oct 5: u1 u2 u3; week of Oct 12: u1 u4");
    // Average DAU 5/8; average WAU 5/2; stickiness 0.625 / 2.5 = 0.25.
    assert!(close(a.avg_dau, 0.625) && close(a.avg_wau, 2.5) && close(a.stickiness, 0.25));
    // Active 4 of 50 licensed = 8 %.
    assert_eq!(a.active_users, 4);
    assert!(close(a.active_share, 0.08));
    // Orders: u1, u3 → 2/50; Invoices u2, Reports u4 → 1/50 each.
    let f: Vec<(&str, u32)> = a.features.iter().map(|f| (f.feature.as_str(), f.users)).collect();
    assert_eq!(f, vec![("Orders", 2), ("Invoices", 1), ("Reports", 1)]);
    assert!(close(a.features[0].share, 0.04));
    // Outcomes recorded: 5 (u3's is blank), 4 successes → 80 %.
    assert_eq!((a.events, a.events_with_outcome), (6, 5));
    assert!(close(a.success_rate, 0.8));
    // Gateway: statuses < 400 are 4 of 6. /a p95: rank 0.95 × 4 = 3.8 →
    // 400 + 0.8 × 600 = 880 ms; /a succeeded 3 of 5.
    assert_eq!(a.gateway_calls, 6);
    assert!(close(a.gateway_success_rate, 4.0 / 6.0));
    assert_eq!(a.key_calls[0].path, "/a");
    assert!((a.key_calls[0].p95_ms - 880.0).abs() < 1e-9 && (a.key_calls[0].success_rate - 0.6).abs() < 1e-9);
    assert_eq!((a.key_calls[1].path.as_str(), a.key_calls[1].p95_ms), ("/b", 50.0));
}

#[test]
fn demo_feedback_is_deterministic_replaces_itself_and_fills_every_kpi() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let go_live = day(2026, 9, 28);
    let first = hypercare::import::demo::load_demo_feedback(&store, go_live, 6).unwrap();
    let again = hypercare::import::demo::load_demo_feedback(&store, go_live, 6).unwrap();
    assert_eq!(first, again, "same inputs, same rows");
    let n: i64 = store.read(|c| Ok(c.query_row("SELECT count(*) FROM survey_responses", [], |r| r.get(0))?)).unwrap();
    assert_eq!(n as u64, first.survey_responses, "a reload replaces the demo rows");
    assert!(first.usage_events > 10_000 && first.gateway_calls > 10_000 && first.survey_responses > 300, "{first:?}");
    let settings = store.kpi_settings().unwrap();
    assert_eq!(settings.licensed_users, Some(400));
    let period = Period::new(go_live, day(2026, 11, 8), chrono_tz::Tz::UTC).unwrap();
    let r = compute(&store, &period, &settings, t("2026-11-27T12:00:00Z")).unwrap();
    let s = &r.satisfaction;
    let (w0, w5) = (&s.weeks[0], &s.weeks[5]);
    assert!(w0.csat.csat.unwrap() < w5.csat.csat.unwrap(), "satisfaction recovers over hypercare");
    assert!(w0.nps.nps.unwrap() < w5.nps.nps.unwrap());
    assert!(r.adoption.wau[0] < r.adoption.wau[5] && r.adoption.wau[5] <= 400, "{:?}", r.adoption.wau);
    assert_eq!(r.adoption.key_calls.len(), 5);
}
