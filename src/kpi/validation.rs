//! Validation KPIs (first-time-fix rate, validation lead time, validation
//! backlog) as the report, the charts and the exit criteria show them. The
//! arithmetic lives with the fix-validation feature (`crate::validation::kpi`);
//! this module adapts it to the reporting period (local days in a zone).

use chrono::{Datelike, Duration};
use rusqlite::Connection;
use serde::Serialize;

use super::period::week_start;
use super::Period;
use crate::store::from_ts;
use crate::validation::kpi as vk;
use crate::Result;

pub const DEF_FIRST_TIME_FIX: &str = "First-time-fix rate: fixes validated in the period that passed on their first validation ÷ fixes validated in the period.";
pub const DEF_VALIDATION_LEAD_TIME: &str = "Validation lead time: resolved → validated, median hours, for validations recorded in the period.";
pub const DEF_VALIDATION_BACKLOG: &str = "Validation backlog: resolved tickets waiting for a validation at the end of the period.";

/// What the validation feature measures. Weekly series are optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValidationKpis {
    pub validated: u32,
    pub passed_first_time: u32,
    pub first_time_fix_rate: Option<f64>,
    pub lead_time_median_hours: Option<f64>,
    pub backlog: u32,
    /// (Monday of the week, first-time-fix rate of that week).
    pub weekly_first_time_fix: Vec<(chrono::NaiveDate, Option<f64>)>,
}

/// Validation KPIs of `period`, counting only the tickets in `allowed`
/// when given (the dashboard's filter). `None` when nobody has validated
/// anything and nothing waits for validation (the workspace does not use
/// the feature).
pub fn validation_kpis(
    c: &Connection,
    period: &Period,
    allowed: Option<&std::collections::HashSet<i64>>,
    now: i64,
) -> Result<Option<ValidationKpis>> {
    let now_t = from_ts(now);
    let mut rows = vk::load_kpi_rows(c, now_t)?;
    if let Some(ids) = allowed {
        rows.validations.retain(|v| ids.contains(&v.ticket_id));
        rows.awaiting.retain(|a| ids.contains(&a.ticket_id));
    }
    if rows.validations.is_empty() && rows.awaiting.is_empty() {
        return Ok(None);
    }
    let whole = vk::Period { from: from_ts(period.start_ts()), to: from_ts(period.end_ts()) };
    let in_period: Vec<_> = rows
        .validations
        .iter()
        .filter(|v| whole.contains(v.recorded_at) && !v.superseded && v.outcome != crate::validation::Outcome::Blocked)
        .collect();
    let first = vk::first_time_fix_rate(&rows, whole);
    let validated = in_period.iter().map(|v| v.ticket_id).collect::<std::collections::HashSet<_>>().len() as u32;
    let passed_first_time = first.map(|r| (r * validated as f64).round() as u32).unwrap_or(0);
    // Weekly first-time-fix rate over the weeks that overlap the period.
    let mut weekly = Vec::new();
    let mut week = week_start(period.from);
    while week <= period.to {
        let next = week + Duration::days(7);
        let from = super::period::local_midnight(period.tz, week.max(period.from));
        let to = super::period::local_midnight(period.tz, next.min(period.to + Duration::days(1)));
        let p = vk::Period { from: from_ts(from), to: from_ts(to) };
        weekly.push((week, vk::first_time_fix_rate(&rows, p)));
        week = next;
    }
    debug_assert!(weekly.iter().all(|(w, _)| w.weekday() == chrono::Weekday::Mon));
    Ok(Some(ValidationKpis {
        validated,
        passed_first_time,
        first_time_fix_rate: first,
        lead_time_median_hours: vk::validation_lead_time(&rows, whole).map(|l| l.median_hours),
        backlog: vk::validation_backlog(&rows, now_t).count as u32,
        weekly_first_time_fix: weekly,
    }))
}
