//! Which "today" a demo is anchored on, and where its window starts and ends.
//!
//! The CLI, the tests and the end-to-end runs use [`FIXED_TODAY`] so their
//! fixtures never move; the app's first run anchors the demo on the real
//! today ([`first_run_today`]) so a manager trying it sees a hypercare that
//! is still going on, with tickets from yesterday.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::{Error, Result};

/// The fixed today of the reproducible demo: Monday 9 November 2026, so the
/// go-live is Monday 28 September 2026 and the data ends on Friday 6 November.
pub const FIXED_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 9) {
    Some(d) => d,
    None => panic!("the fixed demo today is a valid date"),
};

/// Environment variable that pins the app's first-run demo to a given
/// today (`YYYY-MM-DD`), e.g. `2026-11-09` for the end-to-end runs, whose
/// expectations name dates of the fixed demo.
pub const DEMO_TODAY_ENV: &str = "HYPERCARE_DEMO_TODAY";

/// The Monday a `weeks`-week demo seen on `today` went live: five weeks
/// (for six) before the Monday of yesterday's week, so the last hypercare
/// week holds yesterday.
pub(super) fn go_live_for(today: NaiveDate, weeks: u32) -> NaiveDate {
    let yesterday = today - Duration::days(1);
    let monday = yesterday - Duration::days(i64::from(yesterday.weekday().num_days_from_monday()));
    monday - Duration::days(7 * i64::from(weeks.saturating_sub(1)))
}

/// The instant a demo window ending before `end` ends: midnight at the
/// start of `end` in the demo company's time zone.
pub(super) fn window_end_utc(end: NaiveDate) -> DateTime<Utc> {
    let local = end.and_time(chrono::NaiveTime::MIN);
    match super::DEMO_TZ.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => local.and_utc(),
    }
}

/// The today the app anchors a first-run demo on: `pinned` (the value of
/// [`DEMO_TODAY_ENV`]) when set, else `now`'s date in the demo company's
/// time zone. Not the user's own zone: the demo's business hours are in
/// Europe/Amsterdam, and its data ends at midnight there, so taking today
/// there guarantees that nothing in the demo lies after `now`, wherever
/// the user is. Fails when `pinned` is not a date.
pub fn first_run_today(now: DateTime<Utc>, pinned: Option<&str>) -> Result<NaiveDate> {
    match pinned.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => NaiveDate::parse_from_str(p, "%Y-%m-%d").map_err(|e| {
            Error::invalid(format!("{DEMO_TODAY_ENV}={p:?} is not a date like 2026-11-09 ({e})"))
        }),
        None => Ok(now.with_timezone(&super::DEMO_TZ).date_naive()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_fixed_today_keeps_the_go_live_of_the_fixtures() {
        assert_eq!(go_live_for(FIXED_TODAY, 6), d(2026, 9, 28));
        assert_eq!(super::super::DemoConfig::default().end(), FIXED_TODAY, "the fixed demo is a whole six weeks");
    }

    #[test]
    fn the_go_live_is_a_monday_five_to_six_weeks_ago() {
        for day in 0..14 {
            let today = d(2026, 11, 23) + Duration::days(day);
            let go_live = go_live_for(today, 6);
            assert_eq!(go_live.weekday(), chrono::Weekday::Mon, "{today}");
            let ago = (today - go_live).num_days();
            assert!((36..=42).contains(&ago), "{today}: go-live {go_live} is {ago} days before");
        }
        // Saturday 28 November 2026: go-live Monday 19 October.
        assert_eq!(go_live_for(d(2026, 11, 28), 6), d(2026, 10, 19));
    }

    #[test]
    fn the_app_takes_today_in_the_demo_companys_zone() {
        // 23:30 UTC on 27 November is already the 28th in Amsterdam (UTC+1).
        let late = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
        assert_eq!(first_run_today(late, None).unwrap(), d(2026, 11, 28));
        let morning = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        assert_eq!(first_run_today(morning, None).unwrap(), d(2026, 11, 28));
        assert_eq!(first_run_today(morning, Some("")).unwrap(), d(2026, 11, 28), "an empty pin is no pin");
        // The window ends at that day's local midnight: never after `now`.
        assert!(window_end_utc(first_run_today(late, None).unwrap()) <= late);
    }

    #[test]
    fn a_pinned_today_wins_and_a_bad_one_is_named() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        assert_eq!(first_run_today(now, Some("2026-11-09")).unwrap(), FIXED_TODAY);
        let e = first_run_today(now, Some("9/11/2026")).unwrap_err().to_string();
        assert!(e.contains(DEMO_TODAY_ENV) && e.contains("9/11/2026"), "{e}");
    }
}
