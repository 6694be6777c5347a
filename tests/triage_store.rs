//! Triage and themes in a real SQLite store: overrides, re-runs, trainer
//! edits and training markers.

use chrono::{Duration, NaiveDate};
use hypercare::model::Category;
use hypercare::store::tickets::upsert_tickets;
use hypercare::triage::store::list_triage;
use hypercare::triage::theme_store::{mark_training, merge_themes, rename_theme, split_theme, SplitItems};
use hypercare::triage::theme_view::list_themes;
use hypercare::triage::{set_override, triage_all, triage_changed, Override, Urgency};
use hypercare::Store;

#[path = "support/hr_fixture.rs"]
mod hr;
use hr::{hr_fixture, rec, store_with, t0, theme_holding};

#[test]
fn an_override_wins_survives_reruns_and_teaches_the_classifier() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let id = store.ticket_id_by_key("HR-9").expect("HR-9");
    let probe = store.ticket_id_by_key("HR-1").expect("HR-1");
    let conf_before = store.read(list_triage).expect("list").into_iter().find(|r| r.ticket_id == probe).expect("row");

    // The trainer says the payslip tickets are data issues, with high urgency.
    for key in ["HR-2", "HR-3"] {
        let tid = store.ticket_id_by_key(key).expect("key");
        set_override(&store, tid, &Override { category: Some(Category::DataIssue), impact: None, urgency: Some(Urgency::High) }, t0()).expect("override");
    }
    set_override(&store, id, &Override { category: Some(Category::Usability), ..Default::default() }, t0()).expect("override");
    let run = triage_all(&store, t0() + Duration::hours(1)).expect("re-run");
    assert_eq!(run.corrections_used, 3);

    let rows = store.read(list_triage).expect("list");
    let hr9 = rows.iter().find(|r| r.ticket_id == id).expect("HR-9 row");
    assert_eq!(hr9.category.as_deref(), Some("usability"));
    assert!(hr9.category_overridden);
    // The inbox filter reads COALESCE(category_override, category).
    let filtered: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM triage WHERE COALESCE(category_override, category) = 'usability' AND ticket_id = ?1", [id], |r| r.get(0))?))
        .expect("count");
    assert_eq!(filtered, 1);

    // The similar, uncorrected HR-1 moved towards the corrected category.
    let after = rows.iter().find(|r| r.ticket_id == probe).expect("row");
    let moved = after.category.as_deref() == Some("data_issue")
        || (conf_before.category == after.category && after.confidence < conf_before.confidence);
    assert!(moved, "before {conf_before:?} after {after:?}");
    // The override's priority follows the matrix from effective values.
    let hr2 = rows.iter().find(|r| r.key == "HR-2").expect("HR-2");
    assert_eq!(hr2.urgency.as_deref(), Some("high"));
    assert!(matches!(hr2.priority.as_deref(), Some("P1") | Some("P2")), "{hr2:?}");
}

/// The queue shows the user's choice as the user's: the model's category,
/// confidence, signals, impact and urgency are listed apart and unchanged.
#[test]
fn an_override_keeps_the_models_suggestion_apart_from_the_users_choice() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let id = store.ticket_id_by_key("HR-9").expect("HR-9");
    let row = |store: &Store| store.read(list_triage).expect("list").into_iter().find(|r| r.ticket_id == id).expect("row");
    let model = row(&store);
    assert!(!model.category_overridden && !model.impact_overridden && !model.urgency_overridden, "{model:?}");
    assert_eq!((&model.suggested_category, &model.suggested_impact, &model.suggested_urgency), (&model.category, &model.impact, &model.urgency));
    let mine = if model.category.as_deref() == Some("training") { Category::Performance } else { Category::Training };
    let urgency = if model.urgency.as_deref() == Some("critical") { Urgency::Low } else { Urgency::Critical };
    set_override(&store, id, &Override { category: Some(mine), impact: None, urgency: Some(urgency) }, t0()).expect("override");

    let after = row(&store);
    assert_eq!((after.category.as_deref(), after.category_overridden), (Some(mine.as_str()), true));
    assert_eq!(after.suggested_category, model.category, "the model's category stays the model's");
    assert_eq!((after.confidence, &after.signals), (model.confidence, &model.signals), "confidence and signals are the model's");
    assert_eq!((after.urgency.as_deref(), after.urgency_overridden), (Some(urgency.as_str()), true));
    assert_eq!(after.suggested_urgency, model.urgency);
    assert_eq!((&after.impact, after.impact_overridden, &after.suggested_impact), (&model.impact, false, &model.impact), "impact untouched");
}

#[test]
fn an_override_of_an_unknown_value_or_nothing_is_refused() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    let err = set_override(&store, 9999, &Override { category: Some(Category::Training), ..Default::default() }, t0()).unwrap_err();
    assert!(err.to_string().contains("9999"), "{err}");
    let id = store.ticket_id_by_key("HR-1").expect("HR-1");
    assert!(set_override(&store, id, &Override::default(), t0()).is_err());
}

/// The HR fixture triaged into themes, as a trainer sees them 30 days later.
fn hr_themes(dir: &tempfile::TempDir) -> (Store, chrono::DateTime<chrono::Utc>, Vec<hypercare::triage::theme_view::ThemeView>) {
    let store = store_with(dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let now = t0() + Duration::days(30);
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    (store, now, themes)
}

#[test]
fn recurring_problems_become_themes_and_trainer_edits_survive_reruns() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, now, themes) = hr_themes(&dir);
    let pay = theme_holding(&themes, "HR-1");
    let keys: Vec<&str> = pay.examples.iter().filter_map(|e| e.key.as_deref()).collect();
    assert_eq!(keys, ["HR-1", "HR-2", "HR-3", "HR-4", "HR-5"], "{themes:#?}");
    assert!(pay.key_terms.iter().any(|t| t.contains("overtime") || t.contains("payslip")), "{pay:?}");
    let leave = theme_holding(&themes, "HR-6");
    let keys: Vec<&str> = leave.examples.iter().filter_map(|e| e.key.as_deref()).collect();
    assert_eq!(keys, ["HR-6", "HR-7", "HR-8"]);
    // One-offs are in no theme.
    assert!(themes.iter().all(|t| !t.examples.iter().any(|e| matches!(e.key.as_deref(), Some("HR-9" | "HR-11")))));

    rename_theme(&store, pay.id, "Overtime not reaching payslips", now).expect("rename");
    let hr5 = store.ticket_id_by_key("HR-5").expect("HR-5");
    let split = split_theme(&store, pay.id, &SplitItems { tickets: vec![hr5], comments: vec![] }, "Late overtime", now).expect("split");
    merge_themes(&store, leave.id, pay.id, now).expect("merge");

    triage_all(&store, now).expect("re-run");
    triage_all(&store, now).expect("re-run again");
    let themes = store.read(|c| list_themes(c, now)).expect("themes");
    let renamed = themes.iter().find(|t| t.id == pay.id).expect("renamed theme kept");
    assert_eq!(renamed.name, "Overtime not reaching payslips");
    assert!(renamed.examples.iter().any(|e| e.key.as_deref() == Some("HR-6")), "merge kept: {renamed:?}");
    assert!(themes.iter().all(|t| t.id != leave.id), "merged theme hidden");
    let late = themes.iter().find(|t| t.id == split).expect("split theme kept");
    assert_eq!(late.count, 1);
    assert!(!renamed.examples.iter().any(|e| e.key.as_deref() == Some("HR-5")));
}

#[test]
fn an_overlong_theme_name_is_refused_by_rename_and_split_and_changes_nothing() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, now, themes) = hr_themes(&dir);
    let pay = theme_holding(&themes, "HR-1");
    let before = pay.name.clone();
    // 81 characters, emoji counted as one each (not bytes).
    let long = format!("🐢{}", "x".repeat(80));
    let err = rename_theme(&store, pay.id, &long, now).expect_err("an 81-character name is refused").to_string();
    assert!(err.contains("at most 80 characters") && err.contains("has 81"), "{err}");
    let hr5 = store.ticket_id_by_key("HR-5").expect("HR-5");
    let err = split_theme(&store, pay.id, &SplitItems { tickets: vec![hr5], comments: vec![] }, &long, now).expect_err("an 81-character split name is refused").to_string();
    assert!(err.contains("at most 80 characters"), "{err}");
    let after = store.read(|c| list_themes(c, now)).expect("themes");
    assert_eq!(after.len(), themes.len(), "no theme was split off");
    assert_eq!(theme_holding(&after, "HR-1").name, before);
    // 80 characters with padding around them are fine, stored trimmed.
    let fits = format!("  🐢{}  ", "x".repeat(79));
    rename_theme(&store, pay.id, &fits, now).expect("an 80-character name");
    let after = store.read(|c| list_themes(c, now)).expect("themes");
    assert_eq!(theme_holding(&after, "HR-1").name, fits.trim());
}

#[test]
fn training_effect_counts_occurrences_before_and_after_the_marker() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let now = t0() + Duration::days(27);
    let pay = theme_holding(&store.read(|c| list_themes(c, now)).expect("themes"), "HR-1");
    let members: Vec<String> = pay.examples.iter().filter_map(|e| e.key.clone()).collect();
    // HR-1..HR-4 are on days 0..10, HR-5 on day 22; training on day 14.
    let on = NaiveDate::from_ymd_opt(2024, 3, 18).expect("date");
    mark_training(&store, pay.id, "training", on, "payroll refresher", now).expect("mark");
    assert!(mark_training(&store, pay.id, "webinar", on, "", now).is_err());
    let pay = theme_holding(&store.read(|c| list_themes(c, now)).expect("themes"), "HR-1");
    let e = &pay.effects[0];
    let before = members.iter().filter(|k| ["HR-1", "HR-2", "HR-3", "HR-4"].contains(&k.as_str())).count();
    let after = members.iter().filter(|k| *k == "HR-5").count();
    assert_eq!((e.before, e.after), (before, after), "{e:?}");
    assert_eq!(e.weeks_before, 2.0);
    let (per_before, per_after) = (e.per_week_before.expect("rate before"), e.per_week_after.expect("rate after"));
    assert!((per_before - before as f64 / 2.0).abs() < 1e-9);
    assert!(per_after < per_before);
    // Weekly trend from the first ticket's week to the last ticket's week.
    assert_eq!(pay.weekly.len(), 4);
    assert_eq!(pay.weekly.iter().map(|w| w.count).sum::<usize>(), pay.count);
}

#[test]
fn triage_changed_handles_only_the_synced_tickets_and_places_them_in_themes() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let src = store.source("hr").expect("source");
    let new = rec("HR-12", "overtime not on payslip", "My approved overtime from the timesheet is not on my payslip this month.", t0() + Duration::days(20));
    store.with_tx(|tx| upsert_tickets(tx, src.id, &[new])).expect("upsert");
    let id = store.ticket_id_by_key("HR-12").expect("HR-12");
    let later = t0() + Duration::days(21);
    let run = triage_changed(&store, &[id], later).expect("incremental");
    assert_eq!(run.tickets, 1);
    let (updated, untouched): (i64, i64) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT SUM(updated_at = ?1), SUM(updated_at <> ?1) FROM triage",
                [later.timestamp()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("counts");
    assert_eq!((updated, untouched), (1, 11));
    let themes = store.read(|c| list_themes(c, later)).expect("themes");
    let pay = theme_holding(&themes, "HR-1");
    assert_eq!(pay.count, 6, "{pay:?}");
    assert!(themes.iter().all(|t| t.id == pay.id || t.count < 6));
}

#[test]
fn a_version_1_store_migrates_to_the_triage_schema() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let path = dir.path().join("v1.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        let v1 = &hypercare::store::migrations::MIGRATIONS[0];
        conn.execute_batch(v1.sql).expect("0001");
        conn.pragma_update(None, "user_version", v1.version).expect("version");
    }
    let store = Store::open(&path).expect("migrate");
    let n: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('themes', 'theme_members', 'theme_edits', 'training_markers', 'triage_corrections', 'triage_settings')", [], |r| r.get(0))?))
        .expect("tables");
    assert_eq!(n, 6);
    assert!(hypercare::store::migrations::latest_version() >= 4);
}

fn cli(dir: &tempfile::TempDir, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .args(args)
        .env("HYPERCARE_DATA_DIR", dir.path())
        .output()
        .expect("run hypercare");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_cli_triages_overrides_and_edits_themes() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    drop(store_with(&dir, &hr_fixture()));
    let (ok, out, err) = cli(&dir, &["triage", "run", "--json"]);
    assert!(ok, "{err}");
    let run: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(run["tickets"], 11);

    let (ok, out, err) = cli(&dir, &["triage", "set", "HR-9", "--category", "usability", "--urgency", "low"]);
    assert!(ok, "{err}");
    assert!(out.contains("priority P4"), "{out}");
    let (ok, _, err) = cli(&dir, &["triage", "set", "HR-9", "--category", "cosmetic"]);
    assert!(!ok && err.contains("unknown category") && err.contains("minor_bug"), "{err}");

    let (ok, out, _) = cli(&dir, &["triage", "list", "--json"]);
    assert!(ok);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let hr9 = rows.iter().find(|r| r["key"] == "HR-9").expect("HR-9");
    assert_eq!((hr9["category"].as_str(), hr9["category_overridden"].as_bool()), (Some("usability"), Some(true)));
    assert!(hr9["signals"].as_array().is_some_and(|s| !s.is_empty()), "{hr9}");

    let (ok, out, _) = cli(&dir, &["themes", "--json"]);
    assert!(ok);
    let themes: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let first = themes[0]["id"].as_i64().expect("theme id");
    let (ok, _, err) = cli(&dir, &["themes", "rename", &first.to_string(), "Payslip overtime"]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&dir, &["themes", "mark-training", &first.to_string(), "2024-03-18", "--note", "refresher"]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&dir, &["themes", "mark-training", &first.to_string(), "18/03/2024"]);
    assert!(!ok && err.contains("YYYY-MM-DD"), "{err}");
    let (ok, out, _) = cli(&dir, &["themes"]);
    assert!(ok && out.contains("Payslip overtime") && out.contains("training on 2024-03-18"), "{out}");
}

#[test]
fn a_changed_priority_matrix_is_stored_and_reprioritises_tickets() {
    use hypercare::triage::store::{load_matrix, save_matrix};
    use hypercare::triage::{Impact, Priority};
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = store_with(&dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    let id = store.ticket_id_by_key("HR-7").expect("HR-7");
    let o = Override { category: Some(Category::Usability), impact: Some(Impact::Team), urgency: Some(Urgency::Low) };
    assert_eq!(set_override(&store, id, &o, t0()).expect("override").priority, Priority::P4);
    let mut m = store.read(load_matrix).expect("matrix");
    assert_eq!(m, hypercare::triage::PriorityMatrix::default());
    m.grid[Impact::Team.index()][Urgency::Low.index()] = Priority::P3;
    save_matrix(&store, &m, t0()).expect("save");
    assert_eq!(store.read(load_matrix).expect("reload"), m);
    let rows = store.read(list_triage).expect("list");
    assert_eq!(rows.iter().find(|r| r.ticket_id == id).and_then(|r| r.priority.clone()).as_deref(), Some("P3"));
}
