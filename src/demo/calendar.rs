//! Business hours of the demo company, and when tickets are created.
//!
//! Everything happens on weekdays between 08:00 and 18:00 local time in
//! Europe/Amsterdam (the window crosses the end of daylight saving time on
//! 25 October 2026, so UTC offsets change mid-hypercare, as in real life).
//! Times are computed locally and stored in UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Local opening hour of the support desk.
const OPEN_HOUR: u32 = 8;
/// Seconds of business time in a working day (08:00-18:00).
pub const DAY_SECONDS: i64 = 10 * 3600;

/// Relative ticket volume per weekday (Mon-Fri) of each hypercare week:
/// the go-live peak, then a decay with a bump at the October month-end close.
const DAY_WEIGHTS: [[u32; 5]; 6] = [
    [300, 270, 240, 215, 190],
    [165, 150, 135, 125, 110],
    [105, 98, 90, 84, 76],
    [72, 68, 64, 62, 60],
    [58, 56, 55, 60, 72],
    [66, 54, 44, 40, 36],
];

/// The demo company's working calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    go_live: NaiveDate,
    /// The first day after the window (local midnight ends it).
    end: NaiveDate,
}

fn at(d: NaiveDate, hour: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN))
}

fn is_workday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// The calendar of a window from `go_live` up to (not including) `end`.
    pub fn new(tz: Tz, go_live: NaiveDate, end: NaiveDate) -> Calendar {
        Calendar { tz, go_live, end }
    }

    /// The end of the hypercare window (exclusive), local time.
    pub fn end(&self) -> NaiveDateTime {
        at(self.end, 0)
    }

    /// The working days of the window, in order.
    pub fn workdays(&self) -> Vec<NaiveDate> {
        self.go_live.iter_days().take_while(|d| *d < self.end).filter(|d| is_workday(*d)).collect()
    }

    /// Relative ticket volume on the `index`-th working day.
    pub fn day_weight(&self, index: usize) -> u32 {
        let week = (index / 5).min(DAY_WEIGHTS.len() - 1);
        DAY_WEIGHTS[week][index % 5]
    }

    /// Local time `offset` business seconds after the opening of `day`.
    pub fn on_day(&self, day: NaiveDate, offset: i64) -> NaiveDateTime {
        at(day, OPEN_HOUR) + Duration::seconds(offset.clamp(0, DAY_SECONDS - 1))
    }

    /// `t` if it is within business hours, else the next opening.
    fn next_open(&self, t: NaiveDateTime) -> NaiveDateTime {
        let mut d = t.date();
        if is_workday(d) && t < at(d, OPEN_HOUR) {
            return at(d, OPEN_HOUR);
        }
        if is_workday(d) && t < at(d, OPEN_HOUR) + Duration::seconds(DAY_SECONDS) {
            return t;
        }
        loop {
            d += Duration::days(1);
            if is_workday(d) {
                return at(d, OPEN_HOUR);
            }
        }
    }

    /// `t` plus `seconds` of business time (nights and weekends skipped).
    pub fn add_business(&self, t: NaiveDateTime, seconds: f64) -> NaiveDateTime {
        let mut left = seconds.max(1.0) as i64;
        let mut t = self.next_open(t);
        loop {
            let close = at(t.date(), OPEN_HOUR) + Duration::seconds(DAY_SECONDS);
            let room = (close - t).num_seconds();
            if left < room {
                return t + Duration::seconds(left);
            }
            left -= room;
            t = self.next_open(close);
        }
    }

    /// The UTC instant of a local time (business hours never fall in a DST gap).
    pub fn to_utc(&self, t: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&t).earliest() {
            Some(local) => local.with_timezone(&Utc),
            None => Utc.from_utc_datetime(&t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::new(
            chrono_tz::Europe::Amsterdam,
            NaiveDate::from_ymd_opt(2026, 9, 28).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
        )
    }

    #[test]
    fn business_time_skips_the_weekend() {
        let c = cal();
        // Friday 2 Oct 17:00 + 2 business hours = Monday 5 Oct 09:00.
        let fri = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap().and_hms_opt(17, 0, 0).unwrap();
        let t = c.add_business(fri, 7200.0);
        assert_eq!(t, NaiveDate::from_ymd_opt(2026, 10, 5).unwrap().and_hms_opt(9, 0, 0).unwrap());
    }

    #[test]
    fn utc_offset_follows_daylight_saving() {
        let c = cal();
        let before = c.to_utc(NaiveDate::from_ymd_opt(2026, 10, 23).unwrap().and_hms_opt(9, 0, 0).unwrap());
        let after = c.to_utc(NaiveDate::from_ymd_opt(2026, 10, 26).unwrap().and_hms_opt(9, 0, 0).unwrap());
        assert_eq!(before.format("%H").to_string(), "07");
        assert_eq!(after.format("%H").to_string(), "08");
    }

    #[test]
    fn window_has_thirty_workdays() {
        assert_eq!(cal().workdays().len(), 30);
    }
}
