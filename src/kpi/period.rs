//! Reporting periods and day/week buckets in the workspace's time zone.
//!
//! A day is a local calendar day: from local midnight to the next local
//! midnight, converted to UTC with the zone's rules, so a day that changes to
//! or from daylight-saving time is 23 or 25 hours long. Weeks start on Monday.

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use crate::{Error, Result};

/// Longest period a report covers (days).
pub const MAX_DAYS: i64 = 3 * 366;

/// A reporting period: the local days `from..=to` in zone `tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tz: Tz,
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct P {
            from: NaiveDate,
            to: NaiveDate,
            tz: String,
        }
        P { from: self.from, to: self.to, tz: self.tz.name().to_string() }.serialize(s)
    }
}

impl Period {
    /// A period of whole local days; `from` must not be after `to`.
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> Result<Period> {
        if from > to {
            return Err(Error::invalid(format!("the period starts ({from}) after it ends ({to}); swap --from and --to")));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(Error::invalid(format!(
                "the period {from}..{to} is longer than {MAX_DAYS} days; choose a shorter one"
            )));
        }
        Ok(Period { from, to, tz })
    }

    /// Parse a zone name such as `Europe/Berlin`.
    pub fn parse_tz(name: &str) -> Result<Tz> {
        name.parse::<Tz>()
            .map_err(|_| Error::invalid(format!("unknown time zone {name:?}; use an IANA name such as Europe/Berlin")))
    }

    /// Number of days in the period.
    pub fn len_days(&self) -> usize {
        ((self.to - self.from).num_days() + 1) as usize
    }

    /// UTC instant (unix seconds) of the period's first local midnight.
    pub fn start_ts(&self) -> i64 {
        local_midnight(self.tz, self.from)
    }

    /// UTC instant (unix seconds) just after the period: the local midnight
    /// ending its last day.
    pub fn end_ts(&self) -> i64 {
        local_midnight(self.tz, self.to + Duration::days(1))
    }
}

/// Unix seconds of the first instant of local day `d` in `tz`. When midnight
/// does not exist (a zone that springs forward at 00:00) the day starts at the
/// first local time that does.
pub fn local_midnight(tz: Tz, d: NaiveDate) -> i64 {
    let mut t = d.and_time(chrono::NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.timestamp();
        }
        t += Duration::minutes(30);
    }
    // No zone has a gap longer than two hours; fall back to UTC midnight.
    t.and_utc().timestamp()
}

/// Local days with their UTC boundaries, for bucketing instants.
#[derive(Debug, Clone)]
pub struct DayGrid {
    /// The local dates, in order.
    pub dates: Vec<NaiveDate>,
    /// `starts[i]` is the first instant of `dates[i]`; `starts[n]` ends the last day.
    pub starts: Vec<i64>,
}

impl DayGrid {
    /// The days `from..=to` in `tz`.
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> DayGrid {
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let mut starts: Vec<i64> = dates.iter().map(|d| local_midnight(tz, *d)).collect();
        starts.push(local_midnight(tz, to + Duration::days(1)));
        DayGrid { dates, starts }
    }

    pub fn len(&self) -> usize {
        self.dates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// Index of the day containing instant `ts`: `-1` before the first day,
    /// `len()` after the last.
    pub fn index(&self, ts: i64) -> isize {
        self.starts.partition_point(|&s| s <= ts) as isize - 1
    }

    /// Index of the day containing `ts`, if inside the grid.
    pub fn day(&self, ts: i64) -> Option<usize> {
        let i = self.index(ts);
        (i >= 0 && (i as usize) < self.len()).then_some(i as usize)
    }
}

/// Monday of the week containing `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The weeks (by their Monday) touched by `dates`, and for each date the
/// index of its week. Weeks at the period's edges may be partial.
pub fn weeks_of(dates: &[NaiveDate]) -> (Vec<NaiveDate>, Vec<usize>) {
    let mut weeks: Vec<NaiveDate> = Vec::new();
    let mut idx = Vec::with_capacity(dates.len());
    for d in dates {
        let w = week_start(*d);
        if weeks.last() != Some(&w) {
            weeks.push(w);
        }
        idx.push(weeks.len() - 1);
    }
    (weeks, idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dst_days_are_23_and_25_hours_long() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let g = DayGrid::new(d(2026, 3, 7), d(2026, 3, 9), tz);
        let lens: Vec<i64> = g.starts.windows(2).map(|w| (w[1] - w[0]) / 3600).collect();
        assert_eq!(lens, vec![24, 23, 24]);
        let g = DayGrid::new(d(2026, 10, 31), d(2026, 11, 2), tz);
        let lens: Vec<i64> = g.starts.windows(2).map(|w| (w[1] - w[0]) / 3600).collect();
        assert_eq!(lens, vec![24, 25, 24]);
        assert_eq!(g.index(g.starts[0] - 1), -1);
        assert_eq!(g.index(g.starts[3]), 3);
        assert_eq!(g.day(g.starts[1] + 88_200), Some(1), "24.5 h into 1 Nov is still 1 Nov");
    }

    #[test]
    fn period_rejects_reversed_dates() {
        let d = |dd| NaiveDate::from_ymd_opt(2026, 10, dd).unwrap();
        let e = Period::new(d(5), d(1), Tz::UTC).unwrap_err();
        assert!(e.to_string().contains("swap --from and --to"));
    }
}
