//! The JQL the Jira connector sends, and how its token paging meets the
//! engine's offset paging.
//!
//! **Dates.** JQL compares `updated` with a wall-clock time to the minute
//! (`"yyyy-MM-dd HH:mm"`), read in the *searching user's* time zone (from
//! `/rest/api/3/myself`). The cursor is a UTC instant; [`since_clause`]
//! renders `cursor − LAG` in that zone and floors it to the minute, so the
//! query always starts at or before what the cursor asks: changes within the
//! same minute as the cursor, and changes the eventually consistent search
//! index shows late (up to [`LAG`]), are listed again rather than skipped.
//! Idempotent upserts and the engine's version check make the overlap cost a
//! comparison, not a write. A wall time that occurs twice (the hour a clock
//! goes back) is moved one hour earlier, since Jira may read it as the later
//! instant. Without a known zone the UTC time minus 12 hours is sent: every
//! zone from UTC−12 to UTC+14 then reads it at or before the cursor.
//!
//! **Pages.** The engine asks for `(since, offset)`; Jira pages with an
//! opaque `nextPageToken`. After each page the connector predicts the
//! cursor the engine will ask for next — the same pure
//! [`plan::next_cursor`](crate::sync::plan::next_cursor) the engine uses —
//! and keeps the token under it ([`Resume`]). A run's first request (the
//! stored cursor, also after a crash) starts the query afresh from
//! `since − LAG` and ignores the offset: it re-lists rather than skips. A
//! later request with no token kept for it (not expected) also starts
//! afresh, but drops the entries the engine's `(since, offset)` says were
//! applied (changed before `since`, then `offset` more), so a run always
//! moves on instead of re-reading the same window.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::sync::plan::Cursor;
use crate::{Error, Result};

/// How far before the cursor each incremental query starts: Jira's search
/// index shows an edit seconds to minutes after it is made.
pub const LAG: Duration = Duration::minutes(5);

/// Where the next listing page continues, kept under the cursor the engine
/// will ask for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// More pages: this query, from this token.
    Token { jql: String, token: String },
    /// The listing ended exactly at a full page: the next page is empty.
    End,
}

/// The continuation of the listing, for one predicted cursor.
#[derive(Debug, Default)]
pub struct Continuation {
    slot: std::sync::Mutex<Option<(Cursor, Resume)>>,
}

impl Continuation {
    /// The continuation kept for exactly `cursor`, taken out; `None` means
    /// start afresh.
    pub fn take(&self, cursor: &Cursor) -> Option<Resume> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        match slot.take() {
            Some((c, r)) if &c == cursor => Some(r),
            _ => None,
        }
    }

    /// Keep `resume` for the cursor the engine will ask for next.
    pub fn keep(&self, next: Cursor, resume: Resume) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((next, resume));
    }
}

/// A project key or id as a JQL string literal. Keys are letters, digits
/// and `_`; anything else is refused rather than escaped into a query.
pub fn project_literal(project: &str) -> Result<String> {
    let p = project.trim();
    if p.is_empty() {
        return Err(Error::invalid("the Jira project key is empty"));
    }
    if !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::invalid(format!(
            "{project:?} is not a Jira project key (letters, digits and '_', like ERP or HC_2)"
        )));
    }
    Ok(format!("\"{p}\""))
}

/// `cursor − LAG`, as a JQL date literal in the searching user's zone,
/// floored to the minute (see the module doc).
pub fn since_clause(since: DateTime<Utc>, zone: Option<Tz>) -> String {
    let from = since - LAG;
    let wall: NaiveDateTime = match zone {
        Some(z) => {
            let wall = floor_minute(from.with_timezone(&z).naive_local());
            match z.from_local_datetime(&wall) {
                LocalResult::Single(_) => wall,
                // Twice on the clock (or never): an hour earlier is safe.
                _ => wall - Duration::hours(1),
            }
        }
        None => floor_minute((from - Duration::hours(12)).naive_utc()),
    };
    format!("\"{}\"", wall.format("%Y-%m-%d %H:%M"))
}

fn floor_minute(t: NaiveDateTime) -> NaiveDateTime {
    let secs = t.and_utc().timestamp();
    DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).map(|d| d.naive_utc()).unwrap_or(t)
}

/// The "changed since" query: bounded by the project, oldest change first,
/// ties by key.
pub fn changed(project: &str, since: Option<DateTime<Utc>>, zone: Option<Tz>) -> Result<String> {
    let p = project_literal(project)?;
    Ok(match since {
        None => format!("project = {p} ORDER BY updated ASC, key ASC"),
        Some(s) => format!("project = {p} AND updated >= {} ORDER BY updated ASC, key ASC", since_clause(s, zone)),
    })
}

/// The census query: every issue of the project.
pub fn census(project: &str) -> Result<String> {
    Ok(format!("project = {} ORDER BY key ASC", project_literal(project)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_date_is_the_cursor_minus_the_lag_in_the_users_zone_floored_to_the_minute() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 10:07:59 UTC = 11:07:59 in Berlin (winter); minus 5 minutes, floored.
        assert_eq!(since_clause(utc("2026-01-05T10:07:59Z"), Some(berlin)), "\"2026-01-05 11:02\"");
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        assert_eq!(since_clause(utc("2026-01-05T10:07:00Z"), Some(la)), "\"2026-01-05 02:02\"", "UTC−8");
        // Unknown zone: 12 hours earlier in UTC, before the cursor in any zone.
        assert_eq!(since_clause(utc("2026-01-05T10:07:00Z"), None), "\"2026-01-04 22:02\"");
    }

    #[test]
    fn a_wall_time_that_occurs_twice_is_moved_an_hour_earlier() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-10-25 00:35 UTC = 02:35 CEST, the first of two 02:35s that night.
        assert_eq!(since_clause(utc("2026-10-25T00:40:00Z"), Some(berlin)), "\"2026-10-25 01:35\"");
    }

    #[test]
    fn queries_are_bounded_by_the_project_and_refuse_odd_keys() {
        assert_eq!(changed("ERP", None, None).unwrap(), "project = \"ERP\" ORDER BY updated ASC, key ASC");
        assert!(changed("ERP", Some(utc("2026-01-05T10:07:00Z")), None).unwrap().contains("AND updated >= \"2026-01-04 22:02\""));
        assert_eq!(census("HC_2").unwrap(), "project = \"HC_2\" ORDER BY key ASC");
        let e = changed("ERP\" OR project = X", None, None).unwrap_err();
        assert!(e.to_string().contains("not a Jira project key"), "{e}");
    }

    #[test]
    fn a_continuation_is_given_only_for_the_cursor_it_was_kept_for() {
        let c = Continuation::default();
        let at = Cursor { since: Some(utc("2026-01-05T10:07:00Z")), skip: 3 };
        c.keep(at.clone(), Resume::End);
        assert_eq!(c.take(&Cursor { skip: 4, ..at.clone() }), None, "another cursor starts afresh");
        c.keep(at.clone(), Resume::End);
        assert_eq!(c.take(&at), Some(Resume::End));
        assert_eq!(c.take(&at), None, "taken once");
    }
}
