//! The demo anchored on a "today": the app's first run shows a hypercare
//! that is still going on (newest tickets from the working day before),
//! nothing in it lies after today, the same today gives the same demo, and
//! a demo already in a workspace is never re-dated.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;
use hypercare::demo::{ensure_demo, load_demo_config, DemoConfig, Generator, FIXED_TODAY};
use hypercare::model::{TicketDetail, TicketQuery};
use hypercare::{ErrorCode, Store};
use tempfile::TempDir;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Midnight at the start of `today` in the demo company's zone, in UTC.
fn start_of(today: NaiveDate) -> DateTime<Utc> {
    Amsterdam.from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap()).unwrap().with_timezone(&Utc)
}

fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Amsterdam).date_naive()
}

/// The last Monday-to-Friday day before `today`.
fn last_workday_before(today: NaiveDate) -> NaiveDate {
    let mut day = today - Duration::days(1);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day -= Duration::days(1);
    }
    day
}

fn all_details(store: &Store) -> Vec<TicketDetail> {
    let q = TicketQuery { limit: Some(10_000), ..Default::default() };
    let mut out = Vec::new();
    for t in store.tickets(&q).unwrap() {
        out.push(store.ticket_detail(t.id).unwrap());
    }
    out
}

fn newest_created(store: &Store) -> DateTime<Utc> {
    let q = TicketQuery { limit: Some(10_000), ..Default::default() };
    store.tickets(&q).unwrap().iter().map(|t| t.created_at).max().expect("the demo has tickets")
}

fn hc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hypercare")).arg("--data-dir").arg(dir).args(args).output().expect("run hypercare")
}

#[test]
fn on_every_weekday_the_newest_tickets_are_from_the_working_day_before_and_none_later() {
    // A fortnight of todays (every weekday twice, across a month end), and
    // one in summer time.
    let todays: Vec<NaiveDate> = (0..14).map(|i| d(2026, 11, 23) + Duration::days(i)).chain([d(2027, 6, 16)]).collect();
    for today in todays {
        let cfg = DemoConfig { tickets: 600, ..DemoConfig::as_of(today) };
        assert_eq!(cfg.go_live.weekday(), Weekday::Mon, "{today}: go-live {}", cfg.go_live);
        let ago = (today - cfg.go_live).num_days();
        assert!((36..=42).contains(&ago), "{today}: go-live {} is {ago} days before", cfg.go_live);
        let g = Generator::new(&cfg).unwrap();
        let tickets = g.tickets(0..g.len());
        assert_eq!(tickets.len(), 600, "{today}");
        let newest = tickets.iter().map(|t| t.created_at).max().unwrap();
        assert_eq!(local_day(newest), last_workday_before(today), "{today}: the newest ticket is from {newest}");
        if !matches!(today.weekday(), Weekday::Sun | Weekday::Mon) {
            assert_eq!(local_day(newest), today - Duration::days(1), "{today}: yesterday was a working day");
        }
        assert_eq!(local_day(tickets[0].created_at), cfg.go_live, "{today}: the first ticket is from the go-live day");
        let cut = start_of(today);
        for t in &tickets {
            let mut times = vec![t.created_at, t.updated_at];
            times.extend(t.resolved_at);
            times.extend(t.comments.iter().flatten().map(|c| c.created_at));
            times.extend(t.status_changes.iter().flatten().map(|c| c.at));
            let late = times.iter().find(|x| **x >= cut);
            assert!(late.is_none(), "{today}: {} has a time {late:?} on or after today", t.key);
        }
    }
}

#[test]
fn a_demo_created_today_ends_before_today_in_every_table_and_its_kpis_end_yesterday() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let today = d(2026, 11, 28); // a Saturday
    load_demo_config(&store, &DemoConfig::as_of(today)).unwrap();
    assert_eq!(local_day(newest_created(&store)), d(2026, 11, 27), "the newest ticket is from Friday");

    let cut = start_of(today).timestamp();
    let later: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT COUNT(*) FROM tickets WHERE created_at >= ?1 OR updated_at >= ?1 OR resolved_at >= ?1)
                      + (SELECT COUNT(*) FROM comments WHERE created_at >= ?1)
                      + (SELECT COUNT(*) FROM status_changes WHERE at >= ?1)
                      + (SELECT COUNT(*) FROM survey_responses WHERE answered_at >= ?1)
                      + (SELECT COUNT(*) FROM usage_events WHERE at >= ?1)
                      + (SELECT COUNT(*) FROM gateway_calls WHERE at >= ?1)",
                [cut],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(later, 0, "rows dated on or after {today}");
    let recent: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM tickets WHERE updated_at >= ?1", [cut - 86_400], |r| r.get(0))?))
        .unwrap();
    assert!(recent >= 20, "only {recent} tickets changed in the last day: the demo does not look alive");

    // The KPIs' default period runs from the go-live to yesterday.
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let p = hypercare::kpi::default_period(&store, Amsterdam, now, None, None).unwrap();
    assert_eq!((p.from, p.to), (d(2026, 10, 19), d(2026, 11, 27)));
    // Theme trends run to the current week.
    let themes = store.read(|c| hypercare::triage::theme_view::list_themes(c, now)).unwrap();
    assert!(!themes.is_empty(), "the demo has themes");
    for t in &themes {
        let last = t.weekly.last().map(|w| w.week);
        assert_eq!(last, Some(d(2026, 11, 23)), "{}'s trend ends in week {last:?}", t.name);
    }
}

#[test]
fn two_demos_on_the_same_today_are_identical() {
    let (a, b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let cfg = DemoConfig::as_of(d(2026, 11, 28));
    let (sa, sb) = (Store::open_dir(a.path()).unwrap(), Store::open_dir(b.path()).unwrap());
    let (la, lb) = (load_demo_config(&sa, &cfg).unwrap(), load_demo_config(&sb, &cfg).unwrap());
    assert_eq!(la, lb);
    let (da, db) = (all_details(&sa), all_details(&sb));
    assert!(da.len() >= 2_500, "{} tickets", da.len());
    assert!(da == db, "ticket details differ between two demos of the same today");
    // Another today moves the dates, not the story.
    let other = DemoConfig { tickets: 300, ..DemoConfig::as_of(d(2026, 12, 2)) };
    let (g1, g2) = (Generator::new(&DemoConfig { tickets: 300, ..cfg }).unwrap(), Generator::new(&other).unwrap());
    assert_ne!(g1.ticket(0).created_at, g2.ticket(0).created_at);
    assert_eq!(g1.ticket(0).title, g2.ticket(0).title);
}

#[test]
fn a_demo_already_in_the_workspace_is_not_re_dated() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    assert!(ensure_demo(&store, &DemoConfig::default()).unwrap());
    let before = newest_created(&store);
    assert_eq!(local_day(before), d(2026, 11, 6), "the fixed demo ends on Friday 6 November");
    // The app starts again three weeks later: the demo stays as created.
    assert!(!ensure_demo(&store, &DemoConfig::as_of(d(2026, 11, 28))).unwrap());
    assert_eq!(newest_created(&store), before);
}

#[test]
fn a_today_that_leaves_no_working_day_is_refused_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let monday = d(2026, 11, 30);
    let cfg = DemoConfig { go_live: monday, until: Some(monday), ..DemoConfig::default() };
    let e = load_demo_config(&store, &cfg).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("2026-11-30"), "{e}");
    assert!(store.sources().unwrap().is_empty(), "a refused demo left a source behind");
}

#[test]
fn the_cli_keeps_the_fixed_demo_and_anchors_on_a_given_today() {
    let (fixed, dated) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    assert!(hc(fixed.path(), &["demo", "--json"]).status.success());
    assert_eq!(local_day(newest_created(&Store::open_dir(fixed.path()).unwrap())), FIXED_TODAY - Duration::days(3));
    assert!(hc(dated.path(), &["demo", "--today", "2026-11-28", "--json"]).status.success());
    assert_eq!(local_day(newest_created(&Store::open_dir(dated.path()).unwrap())), d(2026, 11, 27));

    let bad = hc(dated.path(), &["demo", "--force", "--today", "28.11.2026"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("28.11.2026") && err.contains("--today"), "{err}");
}
