//! Every chart's points as data: where each x bucket is drawn, what each
//! series shows there, and the ticket query behind it. The app overlays
//! hit areas on the chart image from this (the image itself stays an
//! `<img>`), and opens the tickets behind a point through the inbox query.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use plotters::prelude::DrawingBackend;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::bars::ttr_shown;
use super::lines::shown_priorities;
use super::panels::format_value;
use super::{style, ChartKind};
use crate::kpi::drill::{KpiScope, KpiTicketSelector, TicketMeasure};
use crate::kpi::period::local_midnight;
use crate::kpi::{KpiReport, Priority};
use crate::store::from_ts;

/// The plotting area inside the chart image, in the image's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlotArea {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// The plotting area of a drawn chart.
pub(crate) fn plot_area<DB: DrawingBackend>(chart: &style::Chart<'_, DB>) -> PlotArea {
    let (x, y) = chart.plotting_area().get_pixel_range();
    PlotArea { left: x.start as f64, top: y.start as f64, right: x.end as f64, bottom: y.end as f64 }
}

/// One series' value at one x bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartPoint {
    /// The series as its legend names it (`P1`, `All open`, `Median`...).
    pub series: String,
    pub value: Option<f64>,
    /// The value as people read it (`12`, `4.2 h`, `25.0 %`).
    pub display: String,
    /// How many tickets are behind the point; `None` when it is not made of tickets.
    pub tickets: Option<u32>,
    /// The inbox query (`TicketQuery::kpi`) that lists exactly those tickets.
    pub query: Option<KpiTicketSelector>,
    /// What the list shows, or why there is none.
    pub note: Option<String>,
}

/// One x position of a chart: a day, a week or a priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartBucket {
    pub label: String,
    /// The time the bucket covers, `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Horizontal extent of the bucket in the image's pixels.
    pub x0: f64,
    pub x1: f64,
    pub points: Vec<ChartPoint>,
}

/// A chart's points. `plot` is `None` (and `buckets` empty) for a chart
/// without axes: the empty state and the exit-criteria table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChartPoints {
    pub chart: String,
    pub width: u32,
    pub height: u32,
    pub plot: Option<PlotArea>,
    pub buckets: Vec<ChartBucket>,
    /// Whether the dashboard's filter narrows this chart.
    pub filter_applies: bool,
    /// Where the filter does not apply (or only in part), why.
    pub filter_note: Option<String>,
}

/// What a bucket is before it is placed.
struct Raw {
    label: String,
    from: i64,
    to: i64,
    points: Vec<ChartPoint>,
}

/// The points of `kind` as drawn on `plot` in an image of `size`.
pub fn chart_points(kind: ChartKind, r: &KpiReport, size: (u32, u32), plot: Option<PlotArea>) -> ChartPoints {
    let (filter_applies, note) = crate::kpi::filter::applies_to(kind);
    let raw = match plot {
        None => Vec::new(),
        Some(_) => match kind {
            ChartKind::IncidentTrend => incident_trend(r),
            ChartKind::Backlog => backlog(r),
            ChartKind::TimeToResolve => time_to_resolve(r),
            ChartKind::Reopen => reopen(r),
            ChartKind::Satisfaction => satisfaction(r),
            ChartKind::Adoption => adoption(r),
            ChartKind::ExitCriteria => Vec::new(),
        },
    };
    let n = raw.len().max(1) as f64;
    let buckets = raw
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let (x0, x1) = plot.map(|p| {
                let w = (p.right - p.left) / n;
                (p.left + w * i as f64, p.left + w * (i + 1) as f64)
            }).unwrap_or((0.0, 0.0));
            ChartBucket { label: b.label, from: from_ts(b.from), to: from_ts(b.to), x0, x1, points: b.points }
        })
        .collect();
    ChartPoints {
        chart: kind.stem().into(),
        width: size.0,
        height: size.1,
        plot,
        buckets,
        filter_applies,
        filter_note: note.map(String::from),
    }
}

fn scope(r: &KpiReport) -> KpiScope {
    KpiScope::of(&r.period, &r.filter, r.generated_at)
}

fn ticket_point(series: &str, value: Option<f64>, unit: &str, tickets: u32, query: KpiTicketSelector, note: Option<String>) -> ChartPoint {
    ChartPoint {
        series: series.into(),
        value,
        display: format_value(value, unit),
        tickets: Some(tickets),
        query: (tickets > 0).then_some(query),
        note,
    }
}

fn no_ticket_point(series: &str, value: Option<f64>, unit: &str, note: &str) -> ChartPoint {
    ChartPoint { series: series.into(), value, display: format_value(value, unit), tickets: None, query: None, note: Some(note.into()) }
}

fn selector(s: &KpiScope, measure: TicketMeasure, from: i64, to: i64, priority: Option<Priority>) -> KpiTicketSelector {
    KpiTicketSelector { measure, from: from_ts(from), to: from_ts(to), priority, scope: s.clone() }
}

/// The local days of the report as (label, start, end).
fn days(r: &KpiReport, dates: &[NaiveDate]) -> Vec<(String, i64, i64)> {
    let tz = r.period.tz;
    dates
        .iter()
        .map(|d| (d.format("%b %d").to_string(), local_midnight(tz, *d), local_midnight(tz, *d + Duration::days(1))))
        .collect()
}

/// The report's weeks (by their Monday), cut to the period, as (label, start, end).
fn weeks(r: &KpiReport, mondays: &[NaiveDate]) -> Vec<(String, i64, i64)> {
    let p = &r.period;
    mondays
        .iter()
        .map(|w| {
            let from = local_midnight(p.tz, (*w).max(p.from));
            let to = local_midnight(p.tz, (*w + Duration::days(7)).min(p.to + Duration::days(1)));
            (format!("wk {}", w.format("%b %d")), from, to)
        })
        .collect()
}

/// A per-priority ticket chart over days (created or open at the end).
fn by_priority_days(r: &KpiReport, rows: &[[u32; 5]], measure: TicketMeasure) -> Vec<Raw> {
    let s = scope(r);
    let shown = shown_priorities(r, rows);
    days(r, &r.operations.days)
        .into_iter()
        .zip(rows)
        .map(|((label, from, to), row)| {
            let points = shown
                .iter()
                .map(|p| {
                    let prio = Priority::ALL[*p];
                    let q = selector(&s, measure, from, to, Some(prio));
                    ticket_point(prio.label(), Some(row[*p] as f64), "tickets", row[*p], q, None)
                })
                .collect();
            Raw { label, from, to, points }
        })
        .collect()
}

fn incident_trend(r: &KpiReport) -> Vec<Raw> {
    let o = &r.operations;
    let mut raw = by_priority_days(r, &o.created_by_priority, TicketMeasure::Created);
    let s = scope(r);
    for (b, (day, ma)) in raw.iter_mut().zip(o.days.iter().zip(&o.created_ma7)) {
        let week_from = local_midnight(r.period.tz, *day - Duration::days(6));
        let n = (ma * 7.0).round() as u32;
        let q = selector(&s, TicketMeasure::Created, week_from, b.to, None);
        let note = format!("the {n} tickets created in the 7 days ending {}", day.format("%b %d"));
        b.points.push(ticket_point("All priorities, 7-day average", Some(*ma), "", n, q, Some(note)));
    }
    raw
}

fn backlog(r: &KpiReport) -> Vec<Raw> {
    let o = &r.operations;
    let mut raw = by_priority_days(r, &o.backlog_by_priority, TicketMeasure::OpenAtEnd);
    let s = scope(r);
    for (b, total) in raw.iter_mut().zip(&o.backlog) {
        let q = selector(&s, TicketMeasure::OpenAtEnd, b.from, b.to, None);
        b.points.push(ticket_point("All open", Some(*total as f64), "tickets", *total, q, None));
    }
    raw
}

fn time_to_resolve(r: &KpiReport) -> Vec<Raw> {
    let s = scope(r);
    let (from, to) = (r.period.start_ts(), r.period.end_ts());
    ttr_shown(r)
        .into_iter()
        .map(|(p, d)| {
            let prio = Priority::ALL[p];
            let q = selector(&s, TicketMeasure::FirstResolved, from, to, Some(prio));
            let note = Some(format!("the {} {} tickets first resolved in the period", d.count, prio.label()));
            let points = vec![
                ticket_point("Median", d.median_hours, "hours", d.count, q.clone(), note.clone()),
                ticket_point("90th percentile", d.p90_hours, "hours", d.count, q, note),
            ];
            Raw { label: prio.label().into(), from, to, points }
        })
        .collect()
}

fn reopen(r: &KpiReport) -> Vec<Raw> {
    let s = scope(r);
    let ws = &r.operations.weeks;
    let ftf = r.validation.as_ref().map(|v| &v.weekly_first_time_fix);
    let mondays: Vec<NaiveDate> = ws.iter().map(|w| w.start).collect();
    weeks(r, &mondays)
        .into_iter()
        .zip(ws)
        .map(|((label, from, to), w)| {
            let reopened = selector(&s, TicketMeasure::Reopened, from, to, None);
            let either = selector(&s, TicketMeasure::ResolvedOrReopened, from, to, None);
            let mut points = vec![
                ticket_point(
                    "Reopen rate",
                    w.reopen_rate,
                    "share",
                    w.reopened_tickets,
                    reopened,
                    Some(format!("the {} tickets reopened this week", w.reopened_tickets)),
                ),
                ticket_point(
                    "Resolved or reopened",
                    Some(w.resolved_or_reopened_tickets as f64),
                    "tickets",
                    w.resolved_or_reopened_tickets,
                    either,
                    Some("the reopen rate's denominator".into()),
                ),
            ];
            if let Some(series) = ftf {
                let v = series.iter().find(|(d, _)| *d == w.start).and_then(|(_, v)| *v);
                points.push(no_ticket_point("First-time-fix rate", v, "share", "Counts validations: the Validation view lists them."));
            }
            Raw { label, from, to, points }
        })
        .collect()
}

fn satisfaction(r: &KpiReport) -> Vec<Raw> {
    let sat = &r.satisfaction;
    let mondays: Vec<NaiveDate> = sat.weeks.iter().map(|w| w.start).collect();
    let note = "Survey answers and ratings, not a ticket list: no tickets behind this point.";
    weeks(r, &mondays)
        .into_iter()
        .zip(&sat.weeks)
        .map(|((label, from, to), w)| Raw {
            label,
            from,
            to,
            points: vec![
                no_ticket_point(&format!("CSAT (n={})", w.csat.responses), w.csat.csat, "share", note),
                no_ticket_point(&format!("NPS (n={})", w.nps.responses), w.nps.nps, "score", note),
            ],
        })
        .collect()
}

fn adoption(r: &KpiReport) -> Vec<Raw> {
    let a = &r.adoption;
    let (_, widx) = crate::kpi::period::weeks_of(&a.days);
    let note = "Usage rows, not tickets: no tickets behind this point.";
    days(r, &a.days)
        .into_iter()
        .enumerate()
        .map(|(i, (label, from, to))| Raw {
            label,
            from,
            to,
            points: vec![
                no_ticket_point("Daily active users", a.dau.get(i).map(|v| *v as f64), "users", note),
                no_ticket_point("Weekly active users", widx.get(i).and_then(|w| a.wau.get(*w)).map(|v| *v as f64), "users", note),
            ],
        })
        .collect()
}
