//! Operations KPIs: volume, backlog, flow, response and resolution times,
//! reopen rate and SLA breaches — pure functions of the loaded rows.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::data::TicketRow;
use super::lifecycle::Lifecycle;
use super::period::{weeks_of, DayGrid, Period};
use super::priority::Priority;
use super::settings::KpiSettings;
use super::stats::{percentile, ratio, Distinct};
use crate::model::Category;

/// Days before the period loaded so the 7-day moving average is full.
pub const MA_LEAD_DAYS: usize = 6;
/// Category slots: the ten categories, then "uncategorised".
pub const CATEGORY_SLOTS: usize = 11;

pub const DEF_VOLUME: &str = "Incident volume: tickets created per local day (or ISO week, Monday first), by priority \
and by effective category (triage override, else automatic triage, else the server's category). Days without tickets count as zero.";
pub const DEF_MA7: &str = "7-day moving average: mean of tickets created on the day and the 6 days before it (days before the period included).";
pub const DEF_BACKLOG: &str = "Backlog: tickets open at the end of each local day (created, not yet resolved or closed, or reopened), by priority, rebuilt from the status history.";
pub const DEF_RESOLUTIONS: &str = "Resolutions: changes of a ticket from an open to a resolved or closed status in the period (a ticket resolved, reopened and resolved again counts twice).";
pub const DEF_NET_FLOW: &str = "Net flow: tickets created minus resolutions (changes from open to resolved/closed) per day; the backlog also grows by reopenings.";
pub const DEF_TTA: &str = "Time to acknowledge: created → first comment by someone other than the reporter or first status change, whichever is earlier; tickets acknowledged in the period; median and 90th percentile in hours.";
pub const DEF_TTR: &str = "Time to resolve (MTTR's R = resolve): created → first entry into a resolved or closed status; tickets first resolved in the period; median and 90th percentile in hours.";
pub const DEF_REOPEN: &str = "Reopen rate: tickets reopened (resolved/closed → open) at least once in the period ÷ tickets resolved or reopened in the period.";
pub const DEF_SLA: &str = "SLA breach rate: tickets first resolved in the period, plus tickets still unresolved at the period's end, whose time to resolve (or age) exceeds the resolution target of their priority (wall-clock hours). Unresolved tickets within target are not counted yet.";

/// Median and 90th percentile of a duration, for one priority (or all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationStats {
    pub priority: &'static str,
    pub count: u32,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    pub target_hours: Option<f64>,
}

/// SLA outcome for one priority (or all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaStats {
    pub priority: &'static str,
    pub target_hours: Option<f64>,
    pub measured: u32,
    pub breached: u32,
    /// breached ÷ measured.
    pub breach_rate: Option<f64>,
}

/// One week of the operations series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekOps {
    /// Monday of the week (days outside the period are not counted).
    pub start: NaiveDate,
    pub created_by_priority: [u32; 5],
    pub created_by_category: [u32; CATEGORY_SLOTS],
    pub resolved: u32,
    pub reopened_tickets: u32,
    pub resolved_or_reopened_tickets: u32,
    pub reopen_rate: Option<f64>,
}

/// Reopen counts over the whole period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReopenStats {
    pub reopened_tickets: u32,
    pub reopen_events: u32,
    pub resolved_or_reopened_tickets: u32,
    pub rate: Option<f64>,
}

/// All operations KPIs of a period. Daily vectors have one entry per day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operations {
    pub days: Vec<NaiveDate>,
    pub priorities: Vec<&'static str>,
    pub categories: Vec<&'static str>,
    pub created_by_priority: Vec<[u32; 5]>,
    pub created_by_category: Vec<[u32; CATEGORY_SLOTS]>,
    pub created: Vec<u32>,
    pub created_ma7: Vec<f64>,
    pub resolved: Vec<u32>,
    pub reopened: Vec<u32>,
    pub net_flow: Vec<i64>,
    pub backlog_by_priority: Vec<[u32; 5]>,
    pub backlog: Vec<u32>,
    pub weeks: Vec<WeekOps>,
    pub created_total: u32,
    pub resolved_total: u32,
    /// Per priority P1..P4, Unset, then "All".
    pub time_to_acknowledge: Vec<DurationStats>,
    pub time_to_resolve: Vec<DurationStats>,
    pub reopen: ReopenStats,
    /// Per priority with a target, then "All".
    pub sla: Vec<SlaStats>,
    /// SLA outcome of P1 and P2 together.
    pub sla_p1_p2: SlaStats,
}

fn category_slot(c: Option<Category>) -> usize {
    c.and_then(|c| Category::ALL.iter().position(|x| *x == c)).unwrap_or(CATEGORY_SLOTS - 1)
}

/// Category labels in slot order.
pub fn category_labels() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Category::ALL.iter().map(|c| c.label()).collect();
    v.push("Uncategorised");
    v
}

fn hours(secs: i64) -> f64 {
    secs as f64 / 3600.0
}

fn duration_stats(samples: &mut [Vec<f64>; 5], targets: &[Option<f64>; 5]) -> Vec<DurationStats> {
    let mut all: Vec<f64> = samples.iter().flatten().copied().collect();
    let mut out: Vec<DurationStats> = Priority::ALL
        .iter()
        .zip(samples.iter_mut())
        .map(|(p, v)| DurationStats {
            priority: p.label(),
            count: v.len() as u32,
            median_hours: percentile(v, 0.5),
            p90_hours: percentile(v, 0.9),
            target_hours: targets[p.index()],
        })
        .collect();
    out.push(DurationStats {
        priority: "All",
        count: all.len() as u32,
        median_hours: percentile(&mut all, 0.5),
        p90_hours: percentile(&mut all, 0.9),
        target_hours: None,
    });
    out
}

/// Compute the operations KPIs. `lc` comes from [`super::lifecycle::reconstruct`]
/// over the same `tickets`.
pub fn operations(tickets: &[TicketRow], lc: &Lifecycle, period: &Period, settings: &KpiSettings, now: i64) -> Operations {
    let grid = DayGrid::new(period.from - Duration::days(MA_LEAD_DAYS as i64), period.to, period.tz);
    let n = grid.len();
    let out_days = grid.dates[MA_LEAD_DAYS..].to_vec();
    let (start, end) = (period.start_ts(), period.end_ts());
    let in_period = |t: i64| t >= start && t < end;

    let mut created_p = vec![[0u32; 5]; n];
    let mut created_c = vec![[0u32; CATEGORY_SLOTS]; n];
    for t in tickets.iter().filter(|t| t.created_at <= now) {
        if let Some(d) = grid.day(t.created_at) {
            created_p[d][t.priority.index()] += 1;
            created_c[d][category_slot(t.category)] += 1;
        }
    }
    let totals: Vec<u32> = created_p.iter().map(|r| r.iter().sum()).collect();
    let ma7: Vec<f64> = (MA_LEAD_DAYS..n)
        .map(|i| totals[i - MA_LEAD_DAYS..=i].iter().sum::<u32>() as f64 / 7.0)
        .collect();

    let mut resolved = vec![0u32; n];
    for (_, at) in &lc.resolutions {
        if let Some(d) = grid.day(*at) {
            resolved[d] += 1;
        }
    }
    let mut reopened = vec![0u32; n];
    for (_, at) in &lc.reopens {
        if let Some(d) = grid.day(*at) {
            reopened[d] += 1;
        }
    }

    // Backlog by a difference array: an interval [s, e) is open at the end
    // of day d when day(s) <= d < day(e).
    let mut diff = vec![[0i64; 5]; n + 1];
    for (i, s, e) in &lc.open_intervals {
        let p = tickets[*i as usize].priority.index();
        let lo = grid.index(*s).max(0) as usize;
        let hi = if *e == super::lifecycle::OPEN_END { n } else { (grid.index(*e).max(0) as usize).min(n) };
        if lo < hi {
            diff[lo][p] += 1;
            diff[hi][p] -= 1;
        }
    }
    let mut backlog_p = Vec::with_capacity(n);
    let mut run = [0i64; 5];
    for row in diff.iter().take(n) {
        for k in 0..5 {
            run[k] += row[k];
        }
        backlog_p.push(run.map(|x| x.max(0) as u32));
    }

    let cut = |v: &[u32]| v[MA_LEAD_DAYS..].to_vec();
    let created = cut(&totals);
    let resolved_out = cut(&resolved);
    let reopened_out = cut(&reopened);
    let net_flow = created.iter().zip(&resolved_out).map(|(c, r)| *c as i64 - *r as i64).collect();
    let backlog_by_priority: Vec<[u32; 5]> = backlog_p[MA_LEAD_DAYS..].to_vec();
    let backlog = backlog_by_priority.iter().map(|r| r.iter().sum()).collect();

    let weeks = weekly(&grid, &out_days, &created_p, &created_c, &resolved, lc);

    // Durations.
    let mut tta: [Vec<f64>; 5] = Default::default();
    let mut ttr: [Vec<f64>; 5] = Default::default();
    for (i, t) in tickets.iter().enumerate() {
        let p = t.priority.index();
        if let Some(a) = lc.ack[i].filter(|a| in_period(*a)) {
            tta[p].push(hours(a - t.created_at));
        }
        if let Some(r) = lc.first_resolved[i].filter(|r| in_period(*r)) {
            ttr[p].push(hours(r - t.created_at));
        }
    }
    let sla = sla_stats(tickets, lc, settings, start, end.min(now));

    Operations {
        created_total: created.iter().sum(),
        resolved_total: resolved_out.iter().sum(),
        days: out_days,
        priorities: Priority::ALL.iter().map(|p| p.label()).collect(),
        categories: category_labels(),
        created_by_priority: created_p[MA_LEAD_DAYS..].to_vec(),
        created_by_category: created_c[MA_LEAD_DAYS..].to_vec(),
        created,
        created_ma7: ma7,
        resolved: resolved_out,
        reopened: reopened_out,
        net_flow,
        backlog_by_priority,
        backlog,
        weeks,
        time_to_acknowledge: duration_stats(&mut tta, &settings.sla_ack_hours),
        time_to_resolve: duration_stats(&mut ttr, &settings.sla_resolve_hours),
        reopen: reopen_stats(lc, &|t| in_period(t)),
        sla_p1_p2: sla.1,
        sla: sla.0,
    }
}

fn reopen_stats(lc: &Lifecycle, in_period: &dyn Fn(i64) -> bool) -> ReopenStats {
    let mut reopened: Vec<u32> = lc.reopens.iter().filter(|(_, at)| in_period(*at)).map(|(i, _)| *i).collect();
    let events = reopened.len() as u32;
    let mut both: Vec<u32> = lc.resolutions.iter().filter(|(_, at)| in_period(*at)).map(|(i, _)| *i).collect();
    both.extend(&reopened);
    reopened.sort_unstable();
    reopened.dedup();
    both.sort_unstable();
    both.dedup();
    ReopenStats {
        reopened_tickets: reopened.len() as u32,
        reopen_events: events,
        resolved_or_reopened_tickets: both.len() as u32,
        rate: ratio(reopened.len() as u64, both.len() as u64),
    }
}

fn weekly(
    grid: &DayGrid,
    out_days: &[NaiveDate],
    created_p: &[[u32; 5]],
    created_c: &[[u32; CATEGORY_SLOTS]],
    resolved: &[u32],
    lc: &Lifecycle,
) -> Vec<WeekOps> {
    let (starts, idx) = weeks_of(out_days);
    let mut weeks: Vec<WeekOps> = starts
        .iter()
        .map(|s| WeekOps {
            start: *s,
            created_by_priority: [0; 5],
            created_by_category: [0; CATEGORY_SLOTS],
            resolved: 0,
            reopened_tickets: 0,
            resolved_or_reopened_tickets: 0,
            reopen_rate: None,
        })
        .collect();
    for (k, w) in idx.iter().enumerate() {
        let d = k + MA_LEAD_DAYS;
        let wk = &mut weeks[*w];
        for p in 0..5 {
            wk.created_by_priority[p] += created_p[d][p];
        }
        for c in 0..CATEGORY_SLOTS {
            wk.created_by_category[c] += created_c[d][c];
        }
        wk.resolved += resolved[d];
    }
    let week_of = |at: i64| grid.day(at).filter(|d| *d >= MA_LEAD_DAYS).map(|d| idx[d - MA_LEAD_DAYS] as u32);
    let n_tickets = lc.ack.len();
    let mut reo = Distinct::new(weeks.len(), n_tickets);
    let mut any = Distinct::new(weeks.len(), n_tickets);
    for (i, at) in &lc.reopens {
        if let Some(w) = week_of(*at) {
            reo.add(w as usize, *i);
            any.add(w as usize, *i);
        }
    }
    for (i, at) in &lc.resolutions {
        if let Some(w) = week_of(*at) {
            any.add(w as usize, *i);
        }
    }
    let (reo, any) = (reo.counts(), any.counts());
    for (k, w) in weeks.iter_mut().enumerate() {
        w.reopened_tickets = reo[k];
        w.resolved_or_reopened_tickets = any[k];
        w.reopen_rate = ratio(reo[k] as u64, any[k] as u64);
    }
    weeks
}

fn sla_stats(tickets: &[TicketRow], lc: &Lifecycle, s: &KpiSettings, start: i64, cutoff: i64) -> (Vec<SlaStats>, SlaStats) {
    let mut measured = [0u32; 5];
    let mut breached = [0u32; 5];
    for (i, t) in tickets.iter().enumerate() {
        let p = t.priority.index();
        let Some(target) = s.sla_resolve_hours[p] else { continue };
        let limit = (target * 3600.0).round() as i64;
        match lc.first_resolved[i] {
            Some(r) if r >= start && r < cutoff => {
                measured[p] += 1;
                if r - t.created_at > limit {
                    breached[p] += 1;
                }
            }
            Some(r) if r < cutoff => {}
            _ => {
                if t.created_at < cutoff && cutoff - t.created_at > limit {
                    measured[p] += 1;
                    breached[p] += 1;
                }
            }
        }
    }
    let row = |label: &'static str, target: Option<f64>, m: u32, b: u32| SlaStats {
        priority: label,
        target_hours: target,
        measured: m,
        breached: b,
        breach_rate: ratio(b as u64, m as u64),
    };
    let mut out: Vec<SlaStats> = Priority::ALL
        .iter()
        .filter(|p| s.sla_resolve_hours[p.index()].is_some())
        .map(|p| row(p.label(), s.sla_resolve_hours[p.index()], measured[p.index()], breached[p.index()]))
        .collect();
    out.push(row("All", None, measured.iter().sum(), breached.iter().sum()));
    let p12 = row("P1+P2", None, measured[0] + measured[1], breached[0] + breached[1]);
    (out, p12)
}
