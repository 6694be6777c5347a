//! The model off the sync path: after an incremental sync the changed
//! tickets are triaged at once on words (cached texts with their
//! embedding) and listed as pending; the background refinement embeds the
//! pending texts, triages those tickets again with the embedding model,
//! keeps overrides, can be interrupted and resumes where it stopped. An
//! import's survey comments go the same way: on words at once, refined
//! (and placed in their themes) by the next pass.
//!
//! Real SQLite stores in tempdirs; tests that need the sentence-embedding
//! model skip (with a message) when it is not installed, and fail on CI.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Duration;
use hypercare::import::surveys::import_surveys;
use hypercare::import::ImportOptions;
use hypercare::model::{Category, SourceKind};
use hypercare::store::tickets::upsert_tickets;
use hypercare::triage::embed;
use hypercare::triage::comment_triage::list_comment_triage;
use hypercare::triage::refine::{pending, pending_tickets, refine, RefineOptions, RefineProgress, Refined, ThemeUpdate};
use hypercare::triage::store::{list_triage, TicketTriage};
use hypercare::triage::theme_view::list_themes;
use hypercare::triage::{set_override, triage_all, triage_changed, triage_new_comments, Override};
use hypercare::Store;

#[path = "support/model.rs"]
mod model_check;
use model_check::model_installed;

#[path = "support/hr_fixture.rs"]
mod hr;
use hr::{hr_fixture, rec, store_with, survey_mapping, t0, theme_holding, SURVEY_CSV};
use rusqlite::OptionalExtension;

fn vectors(store: &Store) -> i64 {
    store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM text_embeddings", [], |r| r.get(0))?)).expect("count")
}

fn triage_of(store: &Store, id: i64) -> TicketTriage {
    store.read(list_triage).expect("list").into_iter().find(|t| t.ticket_id == id).expect("ticket has a triage")
}

/// Refine to the end, recording every progress report.
fn refine_all(store: &Store, batch: usize) -> (Refined, Vec<RefineProgress>) {
    let mut seen = Vec::new();
    let r = refine(store, t0(), RefineOptions { batch, ..Default::default() }, &AtomicBool::new(false), &mut |p| seen.push(p.clone())).expect("refine");
    (r, seen)
}

/// The `done` counts of the batch reports, and the totals they name.
fn counts(seen: &[RefineProgress]) -> (Vec<u64>, Vec<u64>) {
    seen.iter()
        .filter_map(|p| match p {
            RefineProgress::Embedded { done, total } => Some((*done, *total)),
            _ => None,
        })
        .unzip()
}

fn new_tickets() -> Vec<hypercare::model::TicketRecord> {
    let d = |days: i64| t0() + Duration::days(days);
    vec![
        rec("HR-20", "Overtime gone from the March payslip", "The approved overtime of March never made it onto my payslip.", d(30)),
        rec("HR-21", "Cannot approve leave as team lead", "The leave requests of my team do not appear anywhere for me to approve.", d(30)),
        rec("HR-22", "Payroll run very slow", "Starting the payroll run takes twenty minutes since the upgrade.", d(31)),
        rec("HR-23", "How do I change my bank account", "Where in the portal do I enter my new bank account for salary?", d(31)),
        rec("HR-24", "Headcount report shows wrong department", "The headcount report lists me under finance although I moved to sales.", d(32)),
    ]
}

#[test]
fn an_incremental_batch_is_triaged_on_words_at_once_and_refined_later_keeping_overrides() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let (first, _) = refine_all(&store, 8);
    assert_eq!((first.tickets, first.themes), (11, ThemeUpdate::Reclustered), "{first:?}");
    assert!(pending_tickets(&store).expect("pending").is_empty());

    // An incremental sync brings five tickets with new texts.
    let src = store.sources().expect("sources").into_iter().find(|s| s.kind == SourceKind::Demo).expect("source").id;
    store.with_tx(|tx| upsert_tickets(tx, src, &new_tickets())).expect("sync page");
    let ids: Vec<i64> = (20..25).map(|k| store.ticket_id_by_key(&format!("HR-{k}")).expect("key")).collect();
    let before = vectors(&store);
    let run = triage_changed(&store, &ids, t0()).expect("sync path");
    assert_eq!((run.tickets, run.pending), (5, 5));
    assert_eq!(vectors(&store), before, "the sync path never runs the model");
    for id in &ids {
        let t = triage_of(&store, *id);
        assert!(t.category.is_some() && t.priority.is_some(), "triaged at once: {t:?}");
        assert_eq!(t.basis.as_deref(), Some("words"));
    }
    let mut pending = pending_tickets(&store).expect("pending");
    pending.sort();
    assert_eq!(pending, ids, "exactly the new tickets wait for the model");

    // The user corrects one before the refinement gets to it.
    let corrected = ids[2];
    set_override(&store, corrected, &Override { category: Some(Category::Training), ..Default::default() }, t0()).expect("override");

    let (r, seen) = refine_all(&store, 2);
    assert_eq!((r.total, r.embedded, r.tickets, r.cancelled), (5, 5, 5, false), "{r:?}");
    assert_eq!(r.themes, ThemeUpdate::Placed, "a few tickets join the embedded themes");
    let (done, totals) = counts(&seen);
    assert_eq!(done, vec![2, 4, 5], "progress counts up to the total");
    assert!(totals.iter().all(|t| *t == 5));
    assert!(matches!(seen.first(), Some(RefineProgress::Started { total: 5 })));
    assert!(matches!(seen.last(), Some(RefineProgress::Finished { .. })));
    assert_eq!(vectors(&store), before + 5);
    for id in &ids {
        assert_eq!(triage_of(&store, *id).basis.as_deref(), Some("embedding"), "ticket {id}");
    }
    let c = triage_of(&store, corrected);
    assert_eq!((c.category.as_deref(), c.category_overridden), (Some("training"), true), "the override survives");
    assert!(pending_tickets(&store).expect("pending").is_empty());
    let (again, _) = refine_all(&store, 2);
    assert_eq!((again.total, again.tickets, again.themes), (0, 0, ThemeUpdate::Unchanged), "nothing left: {again:?}");
}

#[test]
fn an_interrupted_refinement_resumes_where_it_stopped() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    let run = triage_all(&store, t0()).expect("words pass");
    assert_eq!(run.pending, 11, "no ticket text is embedded yet");

    // The app quits after the first batch.
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let r = refine(&store, t0(), RefineOptions { batch: 4, ..Default::default() }, &cancel, &mut |p| {
        if matches!(p, RefineProgress::Embedded { .. }) {
            cancel.store(true, Ordering::Relaxed);
        }
        seen.push(p.clone());
    })
    .expect("refine");
    assert!(r.cancelled, "{r:?}");
    assert_eq!((r.total, r.embedded, r.tickets, r.themes), (11, 4, 4, ThemeUpdate::Unchanged));
    let left = pending_tickets(&store).expect("pending");
    assert_eq!(left.len(), 7, "the four refined tickets are done, the rest wait");
    let refined: Vec<i64> = store.read(list_triage).expect("list").into_iter().filter(|t| t.basis.as_deref() == Some("embedding")).map(|t| t.ticket_id).collect();
    assert_eq!(refined.len(), 4);
    assert!(refined.iter().all(|id| !left.contains(id)));

    // The next pass starts where this one stopped.
    let (r2, seen2) = refine_all(&store, 4);
    assert!(matches!(seen2.first(), Some(RefineProgress::Started { total: 7 })), "{seen2:?}");
    assert_eq!((r2.embedded, r2.tickets, r2.cancelled), (7, 7, false));
    assert_eq!(counts(&seen2).0, vec![4, 7]);
    assert_eq!(r2.themes, ThemeUpdate::Reclustered, "the words-only themes are recomputed with embeddings");
    assert!(pending_tickets(&store).expect("pending").is_empty());
    assert!(store.read(list_triage).expect("list").iter().all(|t| t.basis.as_deref() == Some("embedding")));
}

#[test]
fn cli_triage_run_prints_a_progress_line_per_batch_on_stderr() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    let mut recs = hr_fixture();
    // 40 distinct texts: two batches of the default 32.
    for i in 0..29 {
        recs.push(rec(&format!("HR-{}", 100 + i), &format!("Question {i} about the portal"), &format!("Where do I find form number {i} in the new HR portal?"), t0()));
    }
    let _ = store_with(&dir, &recs);
    let out = Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["triage", "run"])
        .env("HYPERCARE_EMBED_MODEL", embed::model_dir())
        .output()
        .expect("run the CLI");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("40 on words, waiting for the language model"), "{stdout}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(" / 40 texts")).collect();
    assert_eq!(lines, ["refining triage with the language model: 32 / 40 texts (8 left)", "refining triage with the language model: 40 / 40 texts (0 left)"], "{stderr}");
    assert!(stdout.contains("refined 40 tickets"), "{stdout}");
}

/// Each imported comment's text and stored basis, by response id.
fn comment_bases(store: &Store) -> Vec<(i64, String, Option<String>)> {
    let rows = store.read(list_comment_triage).expect("comments");
    rows.into_iter().map(|c| (c.response_id, c.text, c.basis)).collect()
}

/// The HR go-live triaged and refined: every ticket decided on its
/// embedding, the themes clustered with embeddings.
fn refined_hr_store(dir: &tempfile::TempDir) -> Store {
    let store = store_with(dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    refine_all(&store, 8);
    store
}

/// The theme a survey comment belongs to, if any.
fn theme_of_comment(store: &Store, response_id: i64) -> Option<i64> {
    store
        .read(|c| Ok(c.query_row("SELECT theme_id FROM theme_comment_members WHERE response_id = ?1", [response_id], |r| r.get(0)).optional()?))
        .expect("membership")
}

#[test]
fn imported_survey_comments_are_triaged_on_words_at_once_and_refined_into_their_themes() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = refined_hr_store(&dir);
    let now = t0() + Duration::days(27);
    let pay = theme_holding(&store.read(|c| list_themes(c, now)).expect("themes"), "HR-1").id;

    // The import path: the comments are triaged on words, the model does not run.
    let before = vectors(&store);
    import_surveys(&store, Path::new(SURVEY_CSV), &survey_mapping(), ImportOptions::default(), now).expect("import");
    let t = triage_new_comments(&store, now).expect("new comments");
    assert_eq!((t.comments, t.pending), (4, 4), "{t:?}");
    assert_eq!(vectors(&store), before, "an import never runs the model");
    let imported = comment_bases(&store);
    assert!(imported.iter().all(|(_, _, b)| b.as_deref() == Some("words")), "{imported:?}");
    let mut waiting = store.read(pending).expect("pending").comments;
    waiting.sort();
    let mut ids: Vec<i64> = imported.iter().map(|c| c.0).collect();
    ids.sort();
    assert_eq!(waiting, ids, "the new comments wait for the model");

    let (r, _) = refine_all(&store, 2);
    assert_eq!((r.embedded, r.tickets, r.comments, r.themes), (4, 0, 4, ThemeUpdate::Placed), "{r:?}");
    let refined = comment_bases(&store);
    assert!(refined.iter().all(|(_, _, b)| b.as_deref() == Some("embedding")), "{refined:?}");
    let overtime = refined.iter().find(|c| c.1.starts_with("Overtime hours")).expect("the overtime comment").0;
    assert_eq!(theme_of_comment(&store, overtime), Some(pay), "placed in the payslip theme with its embedding");
    let praise = refined.iter().find(|c| c.1.contains("mobile app")).expect("the praise").0;
    assert_eq!(theme_of_comment(&store, praise), None, "praise joins no theme");
    assert!(store.read(pending).expect("pending").is_empty());

    // A comment triaged by an older version (no basis) is triaged again from
    // its cached vector: the model does not run for it.
    store.with_tx(|tx| Ok(tx.execute("UPDATE survey_comment_triage SET basis = NULL WHERE response_id = ?1", [overtime])?)).expect("forget basis");
    let (again, _) = refine_all(&store, 2);
    assert_eq!((again.total, again.embedded, again.comments), (0, 0, 1), "{again:?}");
    assert_eq!(theme_of_comment(&store, overtime), Some(pay));
    assert!(comment_bases(&store).iter().all(|(_, _, b)| b.as_deref() == Some("embedding")));
}

#[test]
fn cli_import_surveys_says_what_waits_for_triage_refine_which_refines_it() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = refined_hr_store(&dir);
    store.save_survey_mapping("hr", &survey_mapping(), t0()).expect("mapping");
    let hc = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_hypercare"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("HYPERCARE_EMBED_MODEL", embed::model_dir())
            .output()
            .expect("run the CLI");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = hc(&["import", "surveys", SURVEY_CSV, "--mapping", "hr"]);
    assert!(out.contains("4 new survey comments triaged"), "{out}");
    assert!(out.contains("4 of them triaged on words for now; `hypercare triage refine` embeds their texts"), "{out}");
    let out = hc(&["triage", "refine"]);
    assert!(out.contains("refined 0 tickets and 4 survey comments: 4 texts embedded"), "{out}");
    let out = hc(&["triage", "refine"]);
    assert!(out.contains("refined 0 tickets and 0 survey comments: 0 texts embedded"), "nothing waits any more: {out}");
}
