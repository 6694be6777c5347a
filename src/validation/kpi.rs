//! Validation KPIs for the KPI engine: pure functions of store rows, a
//! period and `now`. [`load_kpi_rows`] reads the rows; everything else is
//! arithmetic, tested on hand-computed fixtures.
//!
//! Definitions (shown in the UI as such):
//! - Only *effective* validations count: not superseded by a correction.
//! - `blocked` means "could not test"; it is not a verdict and is left out
//!   of every rate and lead time.
//! - First-time-fix rate: of the tickets whose first verdict (passed or
//!   failed) falls in the period, the share that passed.
//! - Reopen rate: failed verdicts / all verdicts recorded in the period.
//! - Validation lead time: from the moment the ticket last became resolved
//!   before the verdict to the verdict; median and 90th percentile (nearest
//!   rank), in hours.
//! - Backlog: tickets awaiting validation at `now` (the queue), and the age
//!   of the oldest.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::queue::{validation_queue, QueueFilter};
use super::Outcome;
use crate::store::{from_ts, opt_from_ts};
use crate::Result;

/// A half-open time range `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        t >= self.from && t < self.to
    }
}

/// One validation, as the KPIs need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationFact {
    pub ticket_id: i64,
    pub outcome: Outcome,
    pub recorded_at: DateTime<Utc>,
    /// A later validation corrects this one.
    pub superseded: bool,
    /// When the ticket last became resolved before this validation.
    pub resolved_before: Option<DateTime<Utc>>,
}

/// A ticket awaiting validation now.
#[derive(Debug, Clone, PartialEq)]
pub struct AwaitingFact {
    pub ticket_id: i64,
    pub waiting_since: DateTime<Utc>,
}

/// What the KPI functions read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiRows {
    pub validations: Vec<ValidationFact>,
    pub awaiting: Vec<AwaitingFact>,
}

/// Lead time statistics in hours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LeadTime {
    pub count: u64,
    pub median_hours: f64,
    pub p90_hours: f64,
}

/// The backlog at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Backlog {
    pub count: u64,
    /// Days the oldest waiting fix has waited (0 when empty).
    pub oldest_days: i64,
}

fn verdicts(rows: &KpiRows) -> impl Iterator<Item = &ValidationFact> {
    rows.validations.iter().filter(|v| !v.superseded && v.outcome != Outcome::Blocked)
}

/// Share of tickets passed at their first verdict, among tickets whose
/// first verdict is in `period`. `None` when there is none.
pub fn first_time_fix_rate(rows: &KpiRows, period: Period) -> Option<f64> {
    let mut first: HashMap<i64, &ValidationFact> = HashMap::new();
    for v in verdicts(rows) {
        let e = first.entry(v.ticket_id).or_insert(v);
        if v.recorded_at < e.recorded_at {
            *e = v;
        }
    }
    let in_period: Vec<_> = first.values().filter(|v| period.contains(v.recorded_at)).collect();
    if in_period.is_empty() {
        return None;
    }
    let passed = in_period.iter().filter(|v| v.outcome == Outcome::Passed).count();
    Some(passed as f64 / in_period.len() as f64)
}

/// Failed verdicts / all verdicts in `period`. `None` when there is none.
pub fn reopen_rate(rows: &KpiRows, period: Period) -> Option<f64> {
    let all: Vec<_> = verdicts(rows).filter(|v| period.contains(v.recorded_at)).collect();
    if all.is_empty() {
        return None;
    }
    Some(all.iter().filter(|v| v.outcome == Outcome::Failed).count() as f64 / all.len() as f64)
}

/// Resolved → verdict, for verdicts in `period` with a known resolve time.
pub fn validation_lead_time(rows: &KpiRows, period: Period) -> Option<LeadTime> {
    let mut hours: Vec<f64> = verdicts(rows)
        .filter(|v| period.contains(v.recorded_at))
        .filter_map(|v| v.resolved_before.map(|r| (v.recorded_at - r).num_seconds().max(0) as f64 / 3600.0))
        .collect();
    if hours.is_empty() {
        return None;
    }
    hours.sort_by(f64::total_cmp);
    let n = hours.len();
    let median = if n % 2 == 1 { hours[n / 2] } else { (hours[n / 2 - 1] + hours[n / 2]) / 2.0 };
    let p90 = hours[((0.9 * n as f64).ceil() as usize).clamp(1, n) - 1];
    Some(LeadTime { count: n as u64, median_hours: median, p90_hours: p90 })
}

/// Tickets awaiting validation at `now`.
pub fn validation_backlog(rows: &KpiRows, now: DateTime<Utc>) -> Backlog {
    let oldest = rows.awaiting.iter().map(|a| a.waiting_since).min();
    Backlog { count: rows.awaiting.len() as u64, oldest_days: oldest.map(|o| (now - o).num_days().max(0)).unwrap_or(0) }
}

/// Read the rows the KPIs need. The resolve time before a validation is
/// the latest status change into a resolved status at or before it (or
/// the ticket's `resolved_at` when no history was synced).
pub fn load_kpi_rows(c: &Connection, now: DateTime<Utc>) -> Result<KpiRows> {
    let validations = c
        .prepare(
            "SELECT v.ticket_id, v.outcome, v.recorded_at,
                    EXISTS (SELECT 1 FROM validations n WHERE n.supersedes = v.id),
                    COALESCE(
                        (SELECT MAX(s.at) FROM status_changes s
                         WHERE s.ticket_id = v.ticket_id AND s.to_class = 'resolved' AND s.at <= v.recorded_at),
                        (SELECT t.resolved_at FROM tickets t WHERE t.id = v.ticket_id AND t.resolved_at <= v.recorded_at))
             FROM validations v ORDER BY v.recorded_at, v.id",
        )?
        .query_map([], |r| {
            let outcome: String = r.get(1)?;
            Ok(ValidationFact {
                ticket_id: r.get(0)?,
                outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Blocked),
                recorded_at: from_ts(r.get(2)?),
                superseded: r.get(3)?,
                resolved_before: opt_from_ts(r.get(4)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let awaiting = validation_queue(c, &QueueFilter::default(), now)?
        .into_iter()
        .map(|q| AwaitingFact { ticket_id: q.ticket_id, waiting_since: q.resolved_at.unwrap_or(q.updated_at) })
        .collect();
    Ok(KpiRows { validations, awaiting })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }
    fn v(ticket: i64, outcome: Outcome, at: DateTime<Utc>, resolved: Option<DateTime<Utc>>) -> ValidationFact {
        ValidationFact { ticket_id: ticket, outcome, recorded_at: at, superseded: false, resolved_before: resolved }
    }

    /// Ticket 1: passed first time. Ticket 2: failed, then passed.
    /// Ticket 3: blocked, then passed (blocked is no verdict → first-time fix).
    /// Ticket 4: failed, corrected to passed (the failed one is superseded).
    /// Ticket 5: first verdict before the period (failed), passed inside.
    fn fixture() -> KpiRows {
        let mut corrected = v(4, Outcome::Failed, t(3, 10), Some(t(3, 8)));
        corrected.superseded = true;
        KpiRows {
            validations: vec![
                v(1, Outcome::Passed, t(2, 12), Some(t(2, 10))), // 2 h
                v(2, Outcome::Failed, t(2, 9), Some(t(1, 9))),   // 24 h
                v(2, Outcome::Passed, t(4, 9), Some(t(3, 21))),  // 12 h
                v(3, Outcome::Blocked, t(2, 8), Some(t(2, 0))),
                v(3, Outcome::Passed, t(3, 8), Some(t(2, 0))), // 32 h
                corrected,
                v(4, Outcome::Passed, t(3, 11), Some(t(3, 8))), // 3 h
                v(5, Outcome::Failed, t(1, 0) - chrono::Duration::hours(1), None),
                v(5, Outcome::Passed, t(5, 0), Some(t(4, 0))), // 24 h
            ],
            awaiting: vec![
                AwaitingFact { ticket_id: 6, waiting_since: t(1, 0) },
                AwaitingFact { ticket_id: 7, waiting_since: t(6, 0) },
            ],
        }
    }

    fn march() -> Period {
        Period { from: t(1, 0), to: t(31, 0) }
    }

    #[test]
    fn first_time_fix_counts_first_verdicts_in_the_period() {
        // First verdicts in March: t1 passed, t2 failed, t3 passed, t4 passed (correction wins).
        // t5's first verdict was in February: not counted. 3 of 4.
        assert_eq!(first_time_fix_rate(&fixture(), march()), Some(0.75));
        let empty = Period { from: t(20, 0), to: t(21, 0) };
        assert_eq!(first_time_fix_rate(&fixture(), empty), None);
    }

    #[test]
    fn reopen_rate_is_failed_over_verdicts() {
        // Verdicts in March: t1 P, t2 F, t2 P, t3 P, t4 P, t5 P → 1 / 6.
        let r = reopen_rate(&fixture(), march()).unwrap();
        assert!((r - 1.0 / 6.0).abs() < 1e-12, "{r}");
    }

    #[test]
    fn lead_time_median_and_p90() {
        // Hours: 2, 24, 12, 32, 3, 24 → sorted 2 3 12 24 24 32; median (12+24)/2 = 18;
        // p90 nearest rank: ceil(0.9*6) = 6th → 32.
        let l = validation_lead_time(&fixture(), march()).unwrap();
        assert_eq!(l, LeadTime { count: 6, median_hours: 18.0, p90_hours: 32.0 });
    }

    #[test]
    fn backlog_counts_and_ages() {
        assert_eq!(validation_backlog(&fixture(), t(11, 0)), Backlog { count: 2, oldest_days: 10 });
        assert_eq!(validation_backlog(&KpiRows::default(), t(11, 0)), Backlog { count: 0, oldest_days: 0 });
    }
}
