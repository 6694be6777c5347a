//! Imported survey comments take part in the themes: a comment that
//! describes a ticket theme's problem joins it (in its count, weekly trend,
//! categories and before/after), shows as "survey comment" with its date
//! rather than as a ticket, importing comments keeps the trainer's theme
//! ids and names, and a split moves the comments the trainer picked.

use chrono::{Duration, NaiveDate};
use hypercare::import::surveys::import_surveys;
use hypercare::import::ImportOptions;
use hypercare::triage::survey_items::ItemOrigin;
use hypercare::triage::theme_store::{mark_training, rename_theme, split_theme, theme_items, SplitItems};
use hypercare::triage::theme_view::{list_themes, ThemeView};
use hypercare::triage::triage_all;
use hypercare::Store;

#[path = "support/hr_fixture.rs"]
mod hr;
use hr::{survey_mapping as mapping, t0, theme_holding as holding, SURVEY_CSV as CSV};

/// The HR go-live of `triage_store.rs`: overtime missing from payslips,
/// leave approvals managers cannot find, and one-offs.
fn store(dir: &tempfile::TempDir) -> Store {
    hr::store_with(dir, &hr::hr_fixture())
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

/// The HR store triaged on its tickets, then the survey comments imported
/// (not yet triaged); returns the store and the import's `now`.
fn triaged_then_imported(dir: &tempfile::TempDir) -> (Store, chrono::DateTime<chrono::Utc>) {
    let store = store(dir);
    let now = t0() + Duration::days(27);
    triage_all(&store, t0()).expect("triage");
    import_surveys(&store, std::path::Path::new(CSV), &mapping(), ImportOptions::default(), now).expect("import");
    (store, now)
}

#[test]
fn an_import_places_its_comments_in_the_existing_themes_at_once() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, now) = triaged_then_imported(&dir);
    let t = hypercare::triage::triage_new_comments(&store, now).expect("new comments");
    assert_eq!((t.comments, t.placed_in_themes), (4, 3), "{t:?}");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    assert_eq!(holding(&themes, "HR-1").survey_comments, 2);
    assert_eq!(holding(&themes, "HR-6").survey_comments, 1);
    // Nothing new the second time.
    assert_eq!(hypercare::triage::triage_new_comments(&store, now).expect("again").comments, 0);
}

/// A theme's items as (origin, ticket or response id).
fn members(store: &Store, theme: i64) -> Vec<(ItemOrigin, i64)> {
    let items = store.read(|c| theme_items(c, theme)).expect("theme items");
    items.iter().filter_map(|i| Some((i.origin, i.ticket_id.or(i.response_id)?))).collect()
}

#[test]
fn a_split_moves_the_picked_survey_comments_and_reruns_keep_them_moved() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, now) = triaged_then_imported(&dir);
    triage_all(&store, now).expect("re-run with the comments");
    let pay = holding(&store.read(|c| list_themes(c, now)).expect("themes"), "HR-1").id;
    let before = members(&store, pay);
    let comments: Vec<i64> = before.iter().filter(|m| m.0 == ItemOrigin::SurveyComment).map(|m| m.1).collect();
    assert_eq!(comments.len(), 2, "the split picks from the theme's comments too: {before:?}");
    let hr5 = store.ticket_id_by_key("HR-5").expect("HR-5");

    let picked = SplitItems { tickets: vec![hr5], comments: vec![comments[1]] };
    let late = split_theme(&store, pay, &picked, "Overtime missing again", now).expect("split");
    let moved = vec![(ItemOrigin::Ticket, hr5), (ItemOrigin::SurveyComment, comments[1])];
    let stayed: Vec<(ItemOrigin, i64)> = before.iter().filter(|m| !moved.contains(m)).copied().collect();
    assert_eq!((members(&store, late), members(&store, pay)), (moved.clone(), stayed.clone()));

    // Re-runs of triage cluster the comment with the payslip tickets again,
    // but the trainer's split wins.
    triage_all(&store, now).expect("re-run");
    triage_all(&store, now).expect("re-run again");
    assert_eq!((members(&store, late), members(&store, pay)), (moved, stayed), "the split did not survive a re-run");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    let shown = themes.iter().find(|t| t.id == late).expect("the new theme is listed");
    assert_eq!((shown.count, shown.survey_comments), (2, 1));

    // A comment that is not in the theme is named.
    let err = split_theme(&store, pay, &SplitItems { tickets: vec![], comments: vec![comments[1]] }, "x", now).expect_err("moved already");
    assert_eq!(err.to_string(), format!("survey comment {} is not in theme {pay}", comments[1]));

    // The CLI lists each comment with its id and splits comments alone with --comment.
    let hc = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare")).args(args).env("HYPERCARE_DATA_DIR", dir.path()).output();
        let out = out.expect("run hypercare");
        assert!(out.status.success(), "hypercare {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(hc(&["themes"]).contains(&format!("survey comment {}, ", comments[0])), "the comment's id is not listed");
    let out = hc(&["themes", "split", &pay.to_string(), "--name", "Asked in the survey", "--comment", &comments[0].to_string()]);
    let cli_theme: i64 = out.trim().trim_start_matches("new theme #").parse().expect("new theme id");
    assert_eq!(members(&store, cli_theme), [(ItemOrigin::SurveyComment, comments[0])]);
}

#[test]
fn a_comments_category_is_shown_with_its_signals_and_a_correction_wins_and_teaches() {
    use hypercare::model::Category;
    use hypercare::triage::comment_triage::{list_comment_triage, set_comment_category};
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store(&dir);
    let now = t0() + Duration::days(27);
    import_surveys(&store, std::path::Path::new(CSV), &mapping(), ImportOptions::default(), now).expect("import");
    triage_all(&store, now).expect("triage");
    let listed = store.read(list_comment_triage).expect("list");
    assert_eq!(listed.len(), 4, "the blank comment is not listed: {listed:#?}");
    for c in &listed {
        assert!(c.category.is_some() && c.confidence.is_some() && !c.signals.is_empty() && !c.category_overridden, "{c:#?}");
    }
    let find = |rows: &[hypercare::triage::comment_triage::CommentTriage], start: &str| {
        rows.iter().find(|c| c.text.starts_with(start)).cloned().expect("comment")
    };
    let dora = find(&listed, "Overtime hours");
    let eli_before = find(&listed, "Night shift");
    let target = if dora.category.as_deref() == Some("data_issue") { Category::Integration } else { Category::DataIssue };

    set_comment_category(&store, dora.response_id, target, now).expect("correct");
    // Shown as the user's at once, before any re-run.
    let at_once = find(&store.read(list_comment_triage).expect("list"), "Overtime hours");
    assert_eq!((at_once.category.as_deref(), at_once.category_overridden), (Some(target.as_str()), true));
    assert_eq!((&at_once.suggested_category, at_once.confidence), (&dora.category, dora.confidence), "the model's category is kept apart");

    let run = triage_all(&store, now + Duration::hours(1)).expect("re-run");
    assert_eq!(run.corrections_used, 1, "the comment's correction is a training example");
    let rows = store.read(list_comment_triage).expect("list");
    let dora2 = find(&rows, "Overtime hours");
    assert_eq!((dora2.category.as_deref(), dora2.category_overridden), (Some(target.as_str()), true), "kept on re-run");
    // The similar, uncorrected comment moved towards the corrected category.
    let eli = find(&rows, "Night shift");
    let moved = eli.category.as_deref() == Some(target.as_str())
        || (eli.category == eli_before.category && eli.confidence < eli_before.confidence);
    assert!(moved, "before {eli_before:?} after {eli:?}");
    // The theme counts the comment under the user's category.
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    if let Some(t) = themes.iter().find(|t| comments(t).iter().any(|(text, _)| text.starts_with("Overtime hours"))) {
        assert!(t.categories.iter().any(|(c, _)| c == target.as_str()), "{t:#?}");
    }

    let err = set_comment_category(&store, 987_654, Category::Training, now).unwrap_err();
    assert!(err.to_string().contains("survey comment 987654 is not in the store"), "{err}");
}

/// Import `rows` (date, comment) as a survey export in the fixture's layout.
fn import_comments(store: &Store, dir: &tempfile::TempDir, rows: &[(&str, &str)], now: chrono::DateTime<chrono::Utc>) {
    let mut csv = String::from("Timestamp,Email Address,How satisfied are you with the new HR system?,Anything else?\n");
    for (i, (at, text)) in rows.iter().enumerate() {
        csv.push_str(&format!("{at},u{i}@example.com,4,\"{text}\"\n"));
    }
    let path = dir.path().join("praise.csv");
    std::fs::write(&path, csv).expect("write csv");
    let s = import_surveys(store, &path, &mapping(), ImportOptions::default(), now).expect("import");
    assert_eq!(s.imported, rows.len() as u64);
}

/// The survey comments that are members of any theme.
fn grouped_comments(store: &Store) -> Vec<String> {
    store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT s.comment FROM theme_comment_members m JOIN survey_responses s ON s.id = m.response_id ORDER BY s.id",
            )?;
            let v = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(v)
        })
        .expect("members")
}

const PRAISE: &[(&str, &str)] = &[
    ("2024-03-12 09:00", "great training, thanks"),
    ("2024-03-13 09:00", "Great training, thanks!"),
    ("2024-03-14 09:00", "great training thanks a lot"),
    ("2024-03-19 09:00", "All good, thank you"),
    ("2024-03-21 09:00", "all good"),
    ("2024-03-22 09:00", "Great training, thanks"),
];

#[test]
fn praise_comments_form_no_theme_while_a_problem_comment_joins_its_theme() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store(&dir);
    let now = t0() + Duration::days(27);
    triage_all(&store, t0()).expect("triage");
    let before = store.read(|c| list_themes(c, now)).expect("themes");
    let mut rows = PRAISE.to_vec();
    rows.push(("2024-03-26 10:00", "can't find where to approve leave"));
    import_comments(&store, &dir, &rows, now);

    // Placed at once after the import.
    let t = hypercare::triage::triage_new_comments(&store, now).expect("new comments");
    assert_eq!((t.comments, t.placed_in_themes), (7, 1), "{t:?}");
    assert_eq!(grouped_comments(&store), vec!["can't find where to approve leave".to_string()]);

    // And on a full re-run, which re-clusters everything: six near-identical
    // praise comments would make a theme of their own if they could.
    let run = triage_all(&store, now).expect("re-run");
    assert_eq!(run.survey_comments, 7, "praise is still triaged as a survey item");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    assert_eq!(themes.len(), before.len(), "no new theme: {themes:#?}");
    assert!(themes.iter().all(|t| t.survey_comments < t.count), "no comment-only theme: {themes:#?}");
    let leave = holding(&themes, "HR-6");
    assert_eq!(comments(&leave).iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), vec!["can't find where to approve leave"]);
    assert_eq!(grouped_comments(&store), vec!["can't find where to approve leave".to_string()]);
    let triaged: i64 = store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM survey_comment_triage", [], |r| r.get(0))?)).expect("count");
    assert_eq!(triaged, 7);
}

#[test]
fn the_demo_shows_no_theme_made_of_praise() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = Store::open_dir(dir.path()).expect("store");
    hypercare::demo::load_demo(&store).expect("demo");
    let themes = store.read(|c| list_themes(c, t0())).expect("themes");
    let grouped = grouped_comments(&store);
    assert!(!grouped.is_empty(), "the demo's problem comments still join themes");
    for praise in ["Training videos helped a lot", "Much better since the fix last week", "Invoices post correctly now"] {
        assert!(!grouped.iter().any(|c| c == praise), "{praise:?} is in a theme");
    }
    for t in themes.iter().filter(|t| t.survey_comments == t.count) {
        for (text, _) in comments(t) {
            assert_ne!(hypercare::triage::polarity::stance(&text), hypercare::triage::polarity::Stance::NoProblem, "{t:#?}");
        }
    }
}
