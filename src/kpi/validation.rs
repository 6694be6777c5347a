//! Validation KPIs (first-time-fix rate, validation lead time, validation
//! backlog). **Place-holder for the fix-validation feature**: it replaces
//! [`validation_kpis`] with a query over its own tables; the report, the
//! charts and the exit criteria already show these values when present.

use rusqlite::Connection;
use serde::Serialize;

use super::Period;
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

/// Validation KPIs of `period`; `None` until the validation feature lands.
pub fn validation_kpis(_c: &Connection, _period: &Period, _now: i64) -> Result<Option<ValidationKpis>> {
    Ok(None)
}
