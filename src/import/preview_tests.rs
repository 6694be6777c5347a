use chrono_tz::Tz;

use super::*;

const MS_FORMS: &str = include_str!("../../tests/fixtures/surveys/ms-forms.csv");
const GOOGLE_FORMS: &str = include_str!("../../tests/fixtures/hr-survey-comments.csv");
const QUALTRICS: &[u8] = include_bytes!("../../tests/fixtures/surveys/qualtrics.csv");

fn score(column: &str, scale: Scale) -> ScoreColumn {
    ScoreColumn { column: column.into(), scale }
}

#[test]
fn microsoft_forms_guess_skips_the_id_and_the_anonymous_email() {
    let p = preview_text("ms.csv", MS_FORMS, Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(p.columns.len(), 9);
    assert_eq!((p.data_rows, p.rows.len()), (4, 4));
    assert_eq!(p.rows[0][0], "1");
    let g = &p.guess;
    assert_eq!(g.timestamp, "Completion time");
    assert_eq!(g.respondent, None, "every answer says \"anonymous\": not a respondent id");
    assert_eq!(
        g.scores,
        vec![
            score("How satisfied are you with the new ERP?", Scale::Csat15),
            score("How likely are you to recommend the new ERP to a colleague?", Scale::Nps010),
        ]
    );
    assert_eq!(g.comment.as_deref(), Some("What should we improve?"));
    assert_eq!((g.header_rows, g.delimiter), (1, None));
}

#[test]
fn google_forms_guess_takes_the_email_as_respondent() {
    let p = preview_text("hr.csv", GOOGLE_FORMS, Tz::UTC, FileLayout::default()).unwrap();
    let g = &p.guess;
    assert_eq!(g.timestamp, "Timestamp");
    assert_eq!(g.respondent.as_deref(), Some("Email Address"));
    assert_eq!(g.scores, vec![score("How satisfied are you with the new HR system?", Scale::Csat15)]);
    assert_eq!(g.comment.as_deref(), Some("Anything else?"));
    assert_eq!(p.data_rows, 5);
}

#[test]
fn qualtrics_guess_skips_two_header_lines_and_the_bookkeeping_columns() {
    let text = decode(QUALTRICS, Encoding::Utf8, "q.csv").unwrap();
    let p = preview_text("q.csv", &text, Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(p.columns[0], "StartDate", "the byte-order mark is not part of the name");
    assert_eq!(p.data_rows, 3);
    assert_eq!(p.rows[0][8], "R_1a2b3c", "the preview starts at the first answer, not the label lines");
    let g = &p.guess;
    assert_eq!(g.header_rows, 3);
    assert_eq!(g.timestamp, "RecordedDate");
    assert_eq!(g.respondent.as_deref(), Some("ResponseId"));
    assert_eq!(g.scores, vec![score("Q1", Scale::Csat15), score("Q2", Scale::Nps010)], "Status, Progress, Finished are not ratings");
    assert_eq!(g.comment.as_deref(), Some("Q3"));
}

#[test]
fn semicolons_are_detected_and_a_0_to_10_column_is_nps() {
    let text = "Submitted;Score;Remarks\n05.10.2026 09:00;0;Nothing works on the first day\n05.10.2026 10:00;7;ok now\n";
    let g = preview_text("eu.csv", text, Tz::UTC, FileLayout::default()).unwrap().guess;
    assert_eq!(g.delimiter, Some(';'));
    assert_eq!(g.timestamp, "Submitted");
    assert_eq!(g.scores, vec![score("Score", Scale::Nps010)]);
    assert_eq!(g.comment.as_deref(), Some("Remarks"));
}

#[test]
fn a_file_without_dates_or_ratings_gives_an_empty_guess_not_an_error() {
    let p = preview_text("x.csv", "Name,Team\nAna,Finance\n", Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(p.guess.timestamp, "");
    assert!(p.guess.scores.is_empty());
    assert!(p.guess.validate().is_err(), "the user must pick the columns before saving");
}

#[test]
fn empty_and_missing_files_fail_with_a_clear_message() {
    let e = preview_text("none.csv", "\n\n", Tz::UTC, FileLayout::default()).unwrap_err();
    assert!(e.to_string().contains("none.csv is empty"), "{e}");
    let e = preview_survey(Path::new("/nonexistent/x.csv"), Encoding::Utf8, Tz::UTC, FileLayout::default()).unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::NotFound);
}

#[test]
fn long_cells_are_cut_in_the_preview() {
    let long = "word ".repeat(100);
    let p = preview_text("x.csv", &format!("Timestamp,Rating,Comment\n2026-10-05 09:00,4,{long}\n"), Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(p.rows[0][2].chars().count(), MAX_CELL_CHARS + 1);
    assert!(p.rows[0][2].ends_with('…'));
}

#[test]
fn the_user_can_correct_the_header_lines_and_the_separator() {
    let text = "Survey export\nWhen\tRating\n2026-10-05 09:00\t4\n";
    let guessed = preview_text("t.tsv", text, Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(guessed.guess.delimiter, None, "the title line has no tab: the guess is a comma");
    let fixed = FileLayout { header_rows: Some(2), delimiter: Some('\t') };
    let p = preview_text("t.tsv", text, Tz::UTC, fixed).unwrap();
    assert_eq!(p.columns, ["Survey export"], "the column names are the first line's, as the import reads them");
    assert_eq!((p.data_rows, p.guess.header_rows, p.guess.delimiter), (1, 2, Some('\t')));
    let bad = FileLayout { header_rows: Some(0), delimiter: None };
    assert!(preview_text("t.tsv", text, Tz::UTC, bad).unwrap_err().to_string().contains("header lines"));
    let bad = FileLayout { header_rows: None, delimiter: Some('é') };
    assert_eq!(preview_text("t.tsv", text, Tz::UTC, bad).unwrap_err().code(), crate::ErrorCode::InvalidInput);
}

#[test]
fn tab_separated_files_are_detected() {
    let p = preview_text("t.tsv", "When\tRating\n2026-10-05 09:00\t4\n", Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!((p.guess.delimiter, p.guess.timestamp.as_str()), (Some('\t'), "When"));
}

#[test]
fn one_bad_rating_does_not_hide_a_score_column() {
    let csv = "Completion time,Email,CSAT,How likely are you to recommend us?,Comments\n\
               9/29/2026 10:00:00,a@x.com,5,9,Fine overall\n\
               9/29/2026 11:00:00,b@x.com,4,7,Slow reports\n\
               9/29/2026 12:00:00,c@x.com,abc,10,Login loops sometimes\n\
               9/29/2026 13:00:00,d@x.com,2,3,Cannot find the aging report\n\
               9/29/2026 14:00:00,e@x.com,3,6,Training was short\n";
    let p = preview_text("pulse.csv", csv, Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(
        p.guess.scores,
        vec![score("CSAT", Scale::Csat15), score("How likely are you to recommend us?", Scale::Nps010)],
        "the import then names line 4's bad value"
    );
    // A column of words is still no score column.
    let words = csv.replace(",5,9,", ",good,9,").replace(",4,7,", ",ok,7,");
    let p = preview_text("pulse.csv", &words, Tz::UTC, FileLayout::default()).unwrap();
    assert_eq!(p.guess.scores, vec![score("How likely are you to recommend us?", Scale::Nps010)]);
}
