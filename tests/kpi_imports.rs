//! Imports: good files, bad rows (with line numbers), all-or-nothing,
//! skipping bad rows, wrong encodings, Qualtrics headers, a 200,000-row file.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::import::surveys::{import_surveys, ScoreColumn, SurveyMapping};
use hypercare::import::usage::{import_usage, UsageFormat};
use hypercare::import::{Encoding, ImportOptions};
use hypercare::kpi::data::Scale;
use hypercare::{ErrorCode, Store};

fn count(store: &Store, table: &str) -> i64 {
    store.read(|c| Ok(c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)).unwrap()
}

fn mapping() -> SurveyMapping {
    SurveyMapping {
        timestamp: "Timestamp".into(),
        respondent: Some("Email Address".into()),
        scores: vec![ScoreColumn { column: "Rating".into(), scale: Scale::Csat15 }],
        comment: Some("Comment".into()),
        timestamp_format: None,
        header_rows: 1,
        delimiter: None,
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    t("2026-11-27T12:00:00Z")
}

const SKIP: ImportOptions = ImportOptions { skip_bad_rows: true, encoding: Encoding::Utf8 };

#[test]
fn a_bad_survey_row_names_its_line_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let file = dir.path().join("google.csv");
    // Line 3 holds a quoted comment spanning two lines, so the bad row
    // ("very good") starts on physical line 5.
    std::fs::write(
        &file,
        "Timestamp,Email Address,Rating,Comment\n\
         2026/10/05 09:00:00,a@x.com,5,fine\n\
         2026/10/05 10:00:00,b@x.com,4,\"two\nlines\"\n\
         2026/10/05 11:00:00,c@x.com,very good,\n\
         2026/10/05 12:00:00,d@x.com,3,\n\
         not a date,e@x.com,2,\n",
    )
    .unwrap();
    let e = import_surveys(&store, &file, &mapping(), ImportOptions::default(), now()).unwrap_err();
    assert_eq!((e.code(), e.import_problem()), (ErrorCode::InvalidInput, Some(hypercare::ImportProblem::BadRow)));
    let msg = e.to_string();
    assert!(msg.contains("line 5") && msg.contains("very good") && msg.contains("Nothing was imported"), "{msg}");
    assert!(!msg.contains("--"), "the core names no CLI flag; each front end adds its own hint: {msg}");
    assert_eq!(count(&store, "survey_responses"), 0, "all or nothing");

    let s = import_surveys(&store, &file, &mapping(), SKIP, now()).unwrap();
    assert_eq!((s.imported, s.skipped), (3, 2));
    assert_eq!(s.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![5, 7]);
    assert!(s.errors[1].reason.contains("not a date"), "{:?}", s.errors[1]);
    assert_eq!(count(&store, "survey_responses"), 3);
}

#[test]
fn a_missing_column_lists_the_columns_the_file_has() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "When,Who,Score\n2026-10-05 09:00,a,5\n").unwrap();
    let msg = import_surveys(&store, &file, &mapping(), ImportOptions::default(), now()).unwrap_err().to_string();
    assert!(msg.contains("no column \"Timestamp\"") && msg.contains("When, Who, Score"), "{msg}");
}

#[test]
fn latin1_files_fail_clearly_unless_latin1_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let file = dir.path().join("excel.csv");
    let mut bytes = b"Timestamp,Email Address,Rating,Comment\n2026-10-05 09:00,a@x.com,5,\"Tr".to_vec();
    bytes.extend_from_slice(b"\xE8s bien, Jos\xE9\"\n");
    std::fs::write(&file, &bytes).unwrap();
    let e = import_surveys(&store, &file, &mapping(), ImportOptions::default(), now()).unwrap_err();
    assert_eq!(e.import_problem(), Some(hypercare::ImportProblem::Encoding));
    let msg = e.to_string();
    assert!(msg.contains("not UTF-8") && msg.contains("line 2") && msg.contains("Latin-1") && !msg.contains("--"), "{msg}");
    assert_eq!(count(&store, "survey_responses"), 0);
    let opts = ImportOptions { skip_bad_rows: false, encoding: Encoding::Latin1 };
    assert_eq!(import_surveys(&store, &file, &mapping(), opts, now()).unwrap().imported, 1);
    let comment: String = store.read(|c| Ok(c.query_row("SELECT comment FROM survey_responses", [], |r| r.get(0))?)).unwrap();
    assert_eq!(comment, "Très bien, José");
}

#[test]
fn qualtrics_exports_skip_their_two_extra_header_rows_and_semicolons_work() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let file = dir.path().join("qualtrics.csv");
    std::fs::write(
        &file,
        "StartDate;RecordedDate;ResponseId;Q1;Q2\n\
         Start Date;Recorded Date;Response ID;How satisfied?;Comments\n\
         {\"ImportId\":\"startDate\"};{\"ImportId\":\"recordedDate\"};{\"ImportId\":\"_recordId\"};{\"ImportId\":\"QID1\"};{\"ImportId\":\"QID2\"}\n\
         2026-10-05 09:00:00;2026-10-05 09:02:00;R_1;4;ok\n",
    )
    .unwrap();
    let m = SurveyMapping {
        timestamp: "RecordedDate".into(),
        respondent: Some("ResponseId".into()),
        scores: vec![ScoreColumn { column: "Q1".into(), scale: Scale::Csat15 }],
        comment: Some("Q2".into()),
        timestamp_format: None,
        header_rows: 3,
        delimiter: Some(';'),
    };
    store.save_survey_mapping("qualtrics", &m, now()).unwrap();
    let saved = store.survey_mapping("qualtrics").unwrap();
    assert_eq!(saved, m, "a saved mapping reads back unchanged");
    let s = import_surveys(&store, &file, &saved, ImportOptions::default(), now()).unwrap();
    assert_eq!((s.imported, s.skipped), (1, 0));
    assert_eq!(store.survey_mapping("nope").unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn usage_jsonl_and_gateway_csv_report_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let jl = dir.path().join("usage.jsonl");
    std::fs::write(
        &jl,
        "{\"user\":\"u1\",\"time\":1791190800,\"action\":\"Orders\",\"outcome\":\"success\"}\n\
         {\"user\":\"u2\",\"time\":\"2026-10-05T10:00:00Z\"\n\
         \n\
         {\"user\":\"u3\",\"time\":\"2026-10-05T11:00:00Z\",\"action\":\"Orders\",\"outcome\":\"maybe\"}\n\
         {\"time\":\"2026-10-05T11:00:00Z\",\"action\":\"Orders\"}\n",
    )
    .unwrap();
    let msg = import_usage(&store, &jl, UsageFormat::Jsonl, ImportOptions::default(), now()).unwrap_err().to_string();
    assert!(msg.contains("line 2") && msg.contains("not valid JSON"), "{msg}");
    let s = import_usage(&store, &jl, UsageFormat::Jsonl, SKIP, now()).unwrap();
    assert_eq!(s.imported, 1);
    let lines: Vec<(u64, bool)> = s.errors.iter().map(|e| (e.line, e.reason.is_empty())).collect();
    assert_eq!(lines, vec![(2, false), (4, false), (5, false)]);
    assert!(s.errors[1].reason.contains("\"maybe\"") && s.errors[2].reason.contains("missing user"), "{:?}", s.errors);

    let gw = dir.path().join("gateway.csv");
    std::fs::write(&gw, "timestamp,consumer,path,status,latency_ms\n2026-10-05T09:00:00Z,web,/api/orders,200,120\n2026-10-05T09:00:01Z,web,/api/orders,700,80\n").unwrap();
    let msg = import_usage(&store, &gw, UsageFormat::Gateway, ImportOptions::default(), now()).unwrap_err().to_string();
    assert!(msg.contains("line 3") && msg.contains("700 is not an HTTP status"), "{msg}");
    assert_eq!(count(&store, "gateway_calls"), 0);
}

#[test]
fn two_hundred_thousand_usage_rows_import_in_one_go_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let file = dir.path().join("big.csv");
    let mut text = String::with_capacity(200_000 * 60);
    text.push_str("user,timestamp,feature,outcome\n");
    for i in 0..200_000u32 {
        let (d, s) = (5 + i % 7, i % 86_400);
        text.push_str(&format!(
            "user{},2026-10-{:02}T{:02}:{:02}:{:02}Z,feature{},{}\n",
            i % 997, d, s / 3600, s / 60 % 60, s % 60, i % 13, if i % 10 == 0 { "failure" } else { "success" }
        ));
    }
    std::fs::write(&file, &text).unwrap();
    let started = std::time::Instant::now();
    let s = import_usage(&store, &file, UsageFormat::Csv, ImportOptions::default(), now()).unwrap();
    eprintln!("200,000 usage rows imported in {:?} (debug build)", started.elapsed());
    assert_eq!(s.imported, 200_000);
    assert_eq!(count(&store, "usage_events"), 200_000);

    // The same file with one bad row at the very end: nothing more is written.
    text.push_str("user1,2026-10-05T09:00:00Z,feature1,perhaps\n");
    std::fs::write(&file, &text).unwrap();
    let msg = import_usage(&store, &file, UsageFormat::Csv, ImportOptions::default(), now()).unwrap_err().to_string();
    assert!(msg.contains("line 200002"), "{msg}");
    assert_eq!(count(&store, "usage_events"), 200_000, "the failed import left no rows behind");
}

#[test]
fn the_same_file_twice_is_refused_and_a_cumulative_export_adds_only_new_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let week1 = dir.path().join("week1.csv");
    let rows = "Timestamp,Email Address,Rating,Comment\n2026/10/05 09:00:00,a@x.com,5,\n2026/10/06 09:00:00,b@x.com,3,\n";
    std::fs::write(&week1, rows).unwrap();
    assert_eq!(import_surveys(&store, &week1, &mapping(), ImportOptions::default(), now()).unwrap().imported, 2);
    let e = import_surveys(&store, &week1, &mapping(), ImportOptions::default(), now()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains("already imported"), "{e}");
    // Next week's export holds last week's answers too.
    let week2 = dir.path().join("week2.csv");
    std::fs::write(&week2, format!("{rows}2026/10/12 09:00:00,c@x.com,4,\n")).unwrap();
    let s = import_surveys(&store, &week2, &mapping(), ImportOptions::default(), now()).unwrap();
    assert_eq!((s.imported, s.duplicates), (1, 2));
    assert_eq!(count(&store, "survey_responses"), 3);
}
