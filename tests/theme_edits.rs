//! Trainer edits of themes in a real SQLite store: before/after windows end
//! where the data ends, markers in the future are refused and markers can be
//! removed, a merge can be undone, a split picks from every ticket.

use chrono::{Duration, NaiveDate};
use hypercare::triage::theme_store::{
    mark_training, merge_themes, remove_training_marker, split_theme, theme_items, unmerge_theme, SplitItems,
};
use hypercare::triage::theme_view::{list_themes, week_start, ThemeView};
use hypercare::triage::triage_all;
use hypercare::{Error, Store};

#[path = "support/hr_fixture.rs"]
mod hr;
use hr::{hr_fixture, store_with, t0, theme_holding};

/// A split of tickets only.
fn only_tickets(ids: &[i64]) -> SplitItems {
    SplitItems { tickets: ids.to_vec(), comments: Vec::new() }
}

fn day(days: i64) -> NaiveDate {
    (t0() + Duration::days(days)).date_naive()
}

fn themes_at(store: &Store, days: i64) -> Vec<ThemeView> {
    store.read(|c| list_themes(c, t0() + Duration::days(days))).expect("themes")
}

/// HR-1..HR-4 on days 0..10, HR-5 on day 22 (the last ticket of the store).
fn triaged(dir: &tempfile::TempDir) -> Store {
    let store = store_with(dir, &hr_fixture());
    triage_all(&store, t0()).expect("triage");
    store
}

/// The triaged store, its themes on day 30, and the payslip and leave themes.
fn payroll_and_leave(dir: &tempfile::TempDir) -> (Store, Vec<ThemeView>, ThemeView, ThemeView) {
    let store = triaged(dir);
    let themes = themes_at(&store, 30);
    let (pay, leave) = (theme_holding(&themes, "HR-1"), theme_holding(&themes, "HR-6"));
    (store, themes, pay, leave)
}

#[test]
fn the_after_window_and_the_sparkline_end_at_the_last_data_not_today() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = triaged(&dir);
    let pay = theme_holding(&themes_at(&store, 60), "HR-1");
    // Training on day 14; the data ends on day 22; today is day 60.
    mark_training(&store, pay.id, "training", day(14), "", t0() + Duration::days(60)).expect("mark");
    let pay = theme_holding(&themes_at(&store, 60), "HR-1");
    let e = &pay.effects[0];
    assert_eq!((e.before, e.after), (4, 1), "{e:?}");
    assert_eq!(e.until, day(22));
    // Days 14..=22 are 9 days; counting up to day 60 would make it 47.
    assert!((e.weeks_after - 9.0 / 7.0).abs() < 1e-9, "{e:?}");
    assert!((e.per_week_after.expect("rate after") - 7.0 / 9.0).abs() < 1e-9, "{e:?}");
    // No trailing weeks of zeros after the data: the trend ends in day 22's week.
    assert_eq!(pay.weekly.last().map(|w| w.week), Some(week_start(day(22))), "{:?}", pay.weekly);
    assert_eq!(pay.weekly.len(), 4);

    // A successful sync on day 40 saw no newer ticket: the data reaches day 40.
    store
        .with_tx(|tx| Ok(tx.execute("UPDATE sources SET last_sync_at = ?1, last_sync_status = 'ok'", [(t0() + Duration::days(40)).timestamp()])?))
        .expect("record a sync");
    let pay = theme_holding(&themes_at(&store, 60), "HR-1");
    assert_eq!(pay.effects[0].until, day(40));
    assert_eq!(pay.weekly.last().map(|w| w.week), Some(week_start(day(40))));
}

#[test]
fn a_marker_after_the_data_has_no_rate_after_and_one_in_the_future_is_refused() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = triaged(&dir);
    let now = t0() + Duration::days(30);
    let pay = theme_holding(&themes_at(&store, 30), "HR-1");
    // Day 25: after the last ticket (day 22), before today (day 30).
    mark_training(&store, pay.id, "documentation", day(25), "", now).expect("mark");
    let e = &theme_holding(&themes_at(&store, 30), "HR-1").effects[0];
    assert_eq!((e.after, e.weeks_after, e.per_week_after), (0, 0.0, None), "never a rate over zero weeks: {e:?}");
    assert_eq!(e.before, 5);
    // The before window ends with the data too (days 0..=22 are 23 days).
    assert!((e.weeks_before - 23.0 / 7.0).abs() < 1e-9, "{e:?}");

    let err = mark_training(&store, pay.id, "training", day(32), "", now).expect_err("future refused");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains(&day(32).to_string()) && err.to_string().contains("future"), "{err}");
    // Today is fine, and so is tomorrow's date where the user already is (UTC+14).
    mark_training(&store, pay.id, "training", day(30), "", now).expect("today");
    mark_training(&store, pay.id, "training", day(31), "", t0() + Duration::days(30) + Duration::hours(10)).expect("tomorrow in Kiribati");
    assert_eq!(theme_holding(&themes_at(&store, 30), "HR-1").effects.len(), 3);
}

#[test]
fn a_training_marker_can_be_removed() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = triaged(&dir);
    let pay = theme_holding(&themes_at(&store, 30), "HR-1");
    let keep = mark_training(&store, pay.id, "training", day(14), "", t0() + Duration::days(30)).expect("mark");
    let gone = mark_training(&store, pay.id, "documentation", day(16), "", t0() + Duration::days(30)).expect("mark");
    remove_training_marker(&store, gone).expect("remove");
    let effects = theme_holding(&themes_at(&store, 30), "HR-1").effects;
    assert_eq!(effects.iter().map(|e| e.marker_id).collect::<Vec<_>>(), [keep]);
    let err = remove_training_marker(&store, gone).expect_err("gone already");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[test]
fn a_merge_is_undone_even_after_a_rerun() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, themes, pay, leave) = payroll_and_leave(&dir);
    let now = t0() + Duration::days(30);
    let marker = mark_training(&store, leave.id, "training", day(12), "", now).expect("mark");
    merge_themes(&store, leave.id, pay.id, now).expect("merge");
    assert_eq!(themes_at(&store, 30).len(), themes.len() - 1);
    // A re-run in between keeps the merge (the leave tickets now vote for `pay`).
    triage_all(&store, now).expect("re-run");

    assert_eq!(unmerge_theme(&store, leave.id, now).expect("unmerge"), pay.id);
    let after = themes_at(&store, 30);
    assert_eq!(after.len(), themes.len(), "the merged theme is back");
    let back = after.iter().find(|t| t.id == leave.id).expect("leave theme back");
    assert_eq!((back.name.as_str(), back.count), (leave.name.as_str(), leave.count));
    assert_eq!(back.effects.iter().map(|e| e.marker_id).collect::<Vec<_>>(), [marker], "its marker went back with it");
    let pay_after = after.iter().find(|t| t.id == pay.id).expect("pay");
    assert_eq!((pay_after.count, pay_after.effects.len()), (pay.count, 0));

    let err = unmerge_theme(&store, leave.id, now).expect_err("not merged any more");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    // Re-runs keep the restored theme.
    triage_all(&store, now).expect("re-run");
    assert!(themes_at(&store, 30).iter().any(|t| t.id == leave.id && t.count == leave.count));
}

#[test]
fn a_merge_into_a_theme_merged_further_is_undone_in_order() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let (store, _, pay, leave) = payroll_and_leave(&dir);
    let now = t0() + Duration::days(30);
    let split = split_theme(&store, pay.id, &only_tickets(&[store.ticket_id_by_key("HR-5").expect("HR-5")]), "Late overtime", now).expect("split");
    merge_themes(&store, leave.id, pay.id, now).expect("merge 1");
    merge_themes(&store, pay.id, split, now).expect("merge 2");
    let err = unmerge_theme(&store, leave.id, now).expect_err("pay is merged further");
    assert!(matches!(err, Error::Conflict(_)) && err.to_string().contains("undo that merge first"), "{err}");
    unmerge_theme(&store, pay.id, now).expect("undo merge 2");
    unmerge_theme(&store, leave.id, now).expect("undo merge 1");
    let counts: Vec<(i64, usize)> = themes_at(&store, 30).iter().map(|t| (t.id, t.count)).filter(|(id, _)| [pay.id, leave.id, split].contains(id)).collect();
    assert_eq!(counts, [(pay.id, 4), (leave.id, 3), (split, 1)]);
}

#[test]
fn a_split_picks_from_every_ticket_of_the_theme() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let store = triaged(&dir);
    let pay = theme_holding(&themes_at(&store, 30), "HR-1");
    let tickets = store.read(|c| theme_items(c, pay.id)).expect("tickets");
    let keys: Vec<&str> = tickets.iter().filter_map(|t| t.key.as_deref()).collect();
    assert_eq!(keys, ["HR-1", "HR-2", "HR-3", "HR-4", "HR-5"]);
    let ids: Vec<i64> = tickets[3..].iter().filter_map(|t| t.ticket_id).collect();
    let new = split_theme(&store, pay.id, &only_tickets(&ids), "Payslips late in the month", t0()).expect("split");
    let left = store.read(|c| theme_items(c, pay.id)).expect("tickets");
    assert_eq!(left.len(), 3);
    assert_eq!(store.read(|c| theme_items(c, new)).expect("tickets").len(), 2);
    assert!(matches!(store.read(|c| theme_items(c, 424242)), Err(Error::NotFound(_))));
}

/// A QA pass found a one-ticket "theme" listed after the demo source was
/// removed. Themes are groups of at least three: removing a source dissolves
/// the themes it leaves with fewer, unless a trainer's edit holds them.
#[test]
fn removing_a_source_dissolves_the_themes_it_leaves_too_small_unless_a_trainer_edited_them() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    // HR-1..HR-3 (payslips) and HR-6, HR-7 (leave) come from a second source.
    let elsewhere = ["HR-1", "HR-2", "HR-3", "HR-6", "HR-7"];
    let (kept, moved): (Vec<_>, Vec<_>) = hr_fixture().into_iter().partition(|r| !elsewhere.contains(&r.key.as_str()));
    let store = store_with(&dir, &kept);
    let other = store.add_source(&hr::serverless_source("other"), t0()).expect("second source");
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, other.id, &moved)).expect("upsert");
    triage_all(&store, t0()).expect("triage");
    let themes = themes_at(&store, 30);
    let (pay, leave) = (theme_holding(&themes, "HR-1"), theme_holding(&themes, "HR-6"));
    assert!(pay.count >= 4 && leave.count == 3, "{themes:#?}");
    // The trainer renamed the payslip theme: it stays theirs, however small.
    hypercare::triage::theme_store::rename_theme(&store, pay.id, "Overtime on payslips", t0()).expect("rename");

    store.remove_source("other").expect("remove");
    let themes = themes_at(&store, 30);
    let listed: Vec<(&str, usize)> = themes.iter().map(|t| (t.name.as_str(), t.count)).collect();
    assert!(themes.iter().all(|t| t.id != leave.id), "the one-ticket leave theme is still listed: {listed:?}");
    assert!(themes.iter().all(|t| t.examples.iter().all(|e| e.key.as_deref() != Some("HR-8"))), "{listed:?}");
    let pay_after = theme_holding(&themes, "HR-4");
    assert_eq!((pay_after.id, pay_after.name.as_str(), pay_after.count), (pay.id, "Overtime on payslips", 2), "{listed:?}");
    assert!(themes.iter().all(|t| t.count >= 3 || t.id == pay.id), "only a trainer's theme may be smaller than 3: {listed:?}");
}
