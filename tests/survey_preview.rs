//! The import dialog's route: preview a real export, take the guessed
//! mapping as is, save it, import with the saved mapping.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};

use fixtures::*;
use hypercare::import::preview::{preview_survey, FileLayout};
use hypercare::import::surveys::import_surveys;
use hypercare::import::{Encoding, ImportOptions};
use hypercare::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn answers(store: &Store) -> (i64, i64) {
    store
        .read(|c| Ok(c.query_row("SELECT count(*), count(comment) FROM survey_responses", [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap()
}

/// Preview, save the guess as `name`, import with the saved mapping.
fn import_with_guess(store: &Store, file: &Path, name: &str) -> hypercare::import::ImportSummary {
    let p = preview_survey(file, Encoding::Utf8, chrono_tz::Tz::UTC, FileLayout::default()).unwrap();
    store.save_survey_mapping(name, &p.guess, t("2026-11-27T12:00:00Z")).unwrap();
    let saved = store.survey_mapping(name).unwrap();
    import_surveys(store, file, &saved, ImportOptions::default(), t("2026-11-27T12:00:00Z")).unwrap()
}

#[test]
fn the_guessed_mapping_imports_every_answer_of_each_survey_tool() {
    // (file, answers = rows × rated questions, comments)
    let cases = [("surveys/ms-forms.csv", 8, 3), ("hr-survey-comments.csv", 5, 4), ("surveys/qualtrics.csv", 6, 2)];
    for (file, want, comments) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_with_source(dir.path());
        let s = import_with_guess(&store, &fixture(file), "tool");
        assert_eq!((s.imported, s.skipped, s.out_of_range), (want, 0, 0), "{file}: {s:?}");
        assert_eq!(answers(&store), (want as i64, comments), "{file}");
        assert_eq!(store.survey_mapping_names().unwrap(), vec!["tool".to_string()]);
    }
}
