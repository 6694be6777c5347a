//! Timestamps as survey tools and log shippers write them.
//!
//! With an offset (`Z`, `+02:00`, `+0200`) the instant is exact. Without
//! one, the time is local to the workspace's zone; in the repeated hour of a
//! daylight-saving change the earlier instant is taken, and a time inside
//! the skipped hour is an error.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// Local formats tried in order (Microsoft Forms, Google Forms, Qualtrics, ISO).
const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];

/// Parse `s` into unix seconds. `format` (chrono strftime), when given, is
/// the only format tried.
pub fn parse_timestamp(s: &str, tz: Tz, format: Option<&str>) -> Result<i64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("the timestamp is empty".into());
    }
    if let Some(f) = format {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Ok(dt.timestamp());
        }
        return match NaiveDateTime::parse_from_str(s, f) {
            Ok(n) => local(n, tz),
            Err(_) => Err(format!("timestamp {s:?} does not match the mapping's format {f:?}")),
        };
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.timestamp());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%d/%b/%Y:%H:%M:%S %z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Ok(dt.timestamp());
        }
    }
    if let Some(rest) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        return parse_timestamp(rest, Tz::UTC, None);
    }
    for f in LOCAL_FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return local(n, tz);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local(d.and_time(chrono::NaiveTime::MIN), tz);
    }
    Err(format!("cannot read {s:?} as a date and time (expected e.g. 2026-09-29 14:05:00 or 9/29/2026 2:05:00 PM)"))
}

fn local(n: NaiveDateTime, tz: Tz) -> Result<i64, String> {
    tz.from_local_datetime(&n)
        .earliest()
        .map(|d| d.timestamp())
        .ok_or_else(|| format!("{n} does not exist in {} (skipped by a daylight-saving change)", tz.name()))
}

/// Parse a JSON time: a string, or unix seconds / milliseconds.
pub fn parse_json_time(v: &serde_json::Value, tz: Tz) -> Result<i64, String> {
    match v {
        serde_json::Value::String(s) => parse_timestamp(s, tz, None),
        serde_json::Value::Number(n) => {
            let x = n.as_f64().ok_or("the time is not a number")?;
            if !x.is_finite() || x < 0.0 {
                return Err(format!("time {x} is not a unix time"));
            }
            Ok(if x > 1e11 { (x / 1000.0) as i64 } else { x as i64 })
        }
        _ => Err("the time is neither text nor a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_tool_formats_parse_in_the_workspace_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let utc = |s| parse_timestamp(s, Tz::UTC, None).unwrap();
        // 2026-09-29 14:05 EDT = 18:05 UTC.
        assert_eq!(parse_timestamp("9/29/2026 2:05:00 PM", ny, None).unwrap(), utc("2026-09-29T18:05:00Z"));
        assert_eq!(parse_timestamp("2026-09-29 14:05:00", ny, None).unwrap(), utc("2026-09-29 18:05:00"));
        assert_eq!(parse_timestamp("2026/09/29 14:05:00", Tz::UTC, None).unwrap(), utc("2026-09-29 14:05"));
        assert_eq!(parse_timestamp("29/Sep/2026:14:05:00 +0000", ny, None).unwrap(), utc("2026-09-29 14:05"));
        assert!(parse_timestamp("2026-03-08 02:30", ny, None).unwrap_err().contains("does not exist"));
        assert!(parse_timestamp("yesterday", ny, None).is_err());
    }
}
