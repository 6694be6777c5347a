//! The tickets behind a point of a KPI chart.
//!
//! A [`KpiTicketSelector`] names a point the way the KPIs count it (tickets
//! created in a range, open at an instant, first resolved in a range,
//! reopened in a range...) together with the report it belongs to (period,
//! time zone, filter and the `now` it was computed at). [`ticket_ids`]
//! answers it by loading and rebuilding the tickets' lives exactly as
//! [`super::compute`] does and applying the same rule the chart's count
//! used, so the list has as many tickets as the point says. The inbox query
//! (`TicketQuery::kpi`) uses it, so every other inbox filter still combines.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::data::TicketRow;
use super::filter::KpiFilter;
use super::lifecycle::Lifecycle;
use super::priority::Priority;
use super::Period;
use crate::Result;

/// How a chart counts tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TicketMeasure {
    /// Created in `[from, to)` (and not after the report's `now`).
    Created,
    /// Open at the instant `to` (the end of a local day): the backlog.
    OpenAtEnd,
    /// First entered a resolved or closed status in `[from, to)`: time to resolve.
    FirstResolved,
    /// Reopened (resolved/closed → open) at least once in `[from, to)`.
    Reopened,
    /// Resolved or reopened in `[from, to)`: the reopen rate's denominator.
    ResolvedOrReopened,
}

/// The report a point belongs to: the same period, zone, filter and `now`
/// give the same tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KpiScope {
    /// First and last local day of the period.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// IANA zone of the days.
    pub timezone: String,
    /// The `now` the report was computed at.
    pub as_of: DateTime<Utc>,
    pub filter: KpiFilter,
}

impl KpiScope {
    /// The scope of a computed report.
    pub fn of(period: &Period, filter: &KpiFilter, as_of: DateTime<Utc>) -> KpiScope {
        KpiScope { from: period.from, to: period.to, timezone: period.tz.name().to_string(), as_of, filter: filter.clone() }
    }

    pub fn period(&self) -> Result<Period> {
        Period::new(self.from, self.to, Period::parse_tz(&self.timezone)?)
    }
}

/// The tickets behind one chart point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KpiTicketSelector {
    pub measure: TicketMeasure,
    /// Half-open range `[from, to)`; for `open_at_end`, `to` is the instant.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only this (normalised) priority; `None`: every priority.
    pub priority: Option<Priority>,
    pub scope: KpiScope,
}

/// Ids (ascending) of the tickets behind `sel`.
pub fn ticket_ids(c: &Connection, sel: &KpiTicketSelector) -> Result<Vec<i64>> {
    let period = sel.scope.period()?;
    let now = sel.scope.as_of.timestamp();
    let (tickets, lc) = super::load_lifecycles(c, &period, &sel.scope.filter, now)?;
    Ok(select(&tickets, &lc, sel.measure, (sel.from.timestamp(), sel.to.timestamp()), sel.priority, now))
}

/// The rule each chart counts by, over loaded tickets and their lifecycles
/// (`range` in unix seconds). Ids ascending, each once.
pub fn select(
    tickets: &[TicketRow],
    lc: &Lifecycle,
    measure: TicketMeasure,
    range: (i64, i64),
    priority: Option<Priority>,
    now: i64,
) -> Vec<i64> {
    let (from, to) = range;
    let inside = |at: i64| at >= from && at < to;
    let mut hit = vec![false; tickets.len()];
    match measure {
        TicketMeasure::Created => {
            for (i, t) in tickets.iter().enumerate() {
                hit[i] = t.created_at <= now && inside(t.created_at);
            }
        }
        // The backlog's difference array counts an interval [s, e) at the
        // end of day d when s < end(d) <= e.
        TicketMeasure::OpenAtEnd => {
            for (i, s, e) in &lc.open_intervals {
                if *s < to && *e >= to {
                    hit[*i as usize] = true;
                }
            }
        }
        TicketMeasure::FirstResolved => {
            for (i, r) in lc.first_resolved.iter().enumerate() {
                hit[i] = r.is_some_and(inside);
            }
        }
        TicketMeasure::Reopened | TicketMeasure::ResolvedOrReopened => {
            for (i, at) in &lc.reopens {
                hit[*i as usize] |= inside(*at);
            }
            if measure == TicketMeasure::ResolvedOrReopened {
                for (i, at) in &lc.resolutions {
                    hit[*i as usize] |= inside(*at);
                }
            }
        }
    }
    tickets
        .iter()
        .zip(hit)
        .filter(|(t, h)| *h && priority.is_none_or(|p| t.priority == p))
        .map(|(t, _)| t.id)
        .collect()
}
