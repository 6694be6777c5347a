//! KPIs that managers review offline: operations, satisfaction, adoption,
//! validation and the hypercare exit criteria.
//!
//! Loading ([`data`]) is separate from computing: [`operations`],
//! [`satisfaction`], [`adoption`] and [`exit`] are pure functions of rows, a
//! [`Period`] and `now`. [`compute`] ties them together for a store. Every
//! KPI carries its written definition (`DEF_*`), shown in the UI and the
//! report.

pub mod adoption;
pub mod data;
pub mod drill;
pub mod exit;
pub mod filter;
pub mod lifecycle;
pub mod operations;
pub mod period;
pub mod priority;
pub mod satisfaction;
pub mod settings;
pub mod settings_form;
pub mod stats;
pub mod validation;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use filter::KpiFilter;
pub use period::Period;
pub use priority::Priority;
pub use settings::{KpiSettingChange, KpiSettings};
pub use settings_form::{KpiSettingField, KpiSettingsForm};

use crate::{Result, Store};

/// A headline KPI: one value with its definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiValue {
    pub id: &'static str,
    pub label: &'static str,
    pub value: Option<f64>,
    /// `share` (0..1), `hours`, `tickets`, `score`, `users`, `ms`, `count`.
    pub unit: &'static str,
    pub definition: &'static str,
}

/// Everything the dashboard and the report show for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    pub period: Period,
    pub generated_at: DateTime<Utc>,
    /// The tickets the ticket-based KPIs count (empty: all).
    pub filter: KpiFilter,
    pub settings: KpiSettings,
    pub operations: operations::Operations,
    pub satisfaction: satisfaction::Satisfaction,
    pub adoption: adoption::Adoption,
    /// `None` until the fix-validation feature provides it.
    pub validation: Option<validation::ValidationKpis>,
    pub exit_criteria: Vec<exit::ExitCriterion>,
    pub exit_passed: Option<bool>,
    pub headline: Vec<KpiValue>,
}

/// Load the period's rows from `store` and compute every KPI over every
/// ticket ([`compute_with`] an empty filter).
pub fn compute(store: &Store, period: &Period, settings: &KpiSettings, now: DateTime<Utc>) -> Result<KpiReport> {
    compute_with(store, period, settings, &KpiFilter::default(), now)
}

/// Load the period's rows from `store` and compute every KPI, the
/// ticket-based ones over the tickets that pass `filter`. Tickets, usage
/// and surveys are loaded on three pooled connections at once.
pub fn compute_with(
    store: &Store,
    period: &Period,
    settings: &KpiSettings,
    filter: &KpiFilter,
    now: DateTime<Utc>,
) -> Result<KpiReport> {
    let now_ts = now.timestamp();
    let (ops, adopt, (sat, val)) = std::thread::scope(|s| {
        // Tickets and their status history load on two connections at once.
        let end = period.end_ts();
        let changes = s.spawn(move || store.read(|c| {
            map_store(c)?;
            data::load_status_changes(c, end)
        }));
        let ops = s.spawn(move || {
            let tickets = store.read(|c| {
                map_store(c)?;
                filter::apply(c, filter, data::load_tickets(c, lead_start(period), end)?)
            })?;
            let changes = joined(changes.join())?;
            let lc = lifecycle::reconstruct(&tickets, &changes, now_ts);
            Ok(operations::operations(&tickets, &lc, period, settings, now_ts))
        });
        let adopt = s.spawn(|| store.read(|c| adoption_on(c, period, settings, now_ts)));
        let rest = store.read(|c| rest_on(c, period, settings, filter, now_ts));
        Ok::<_, crate::Error>((joined(ops.join())?, joined(adopt.join())?, rest?))
    })?;
    Ok(assemble(period, settings, filter, now, ops, sat, adopt, val))
}

fn joined<T>(r: std::thread::Result<Result<T>>) -> Result<T> {
    r.unwrap_or_else(|_| Err(crate::Error::Internal("a KPI worker thread failed".into())))
}

/// [`compute`] on one open connection.
pub fn compute_on(
    c: &rusqlite::Connection,
    period: &Period,
    settings: &KpiSettings,
    now: DateTime<Utc>,
) -> Result<KpiReport> {
    let now_ts = now.timestamp();
    let filter = KpiFilter::default();
    let (tickets, lc) = load_lifecycles(c, period, &filter, now_ts)?;
    let ops = operations::operations(&tickets, &lc, period, settings, now_ts);
    let (sat, val) = rest_on(c, period, settings, &filter, now_ts)?;
    let adopt = adoption_on(c, period, settings, now_ts)?;
    Ok(assemble(period, settings, &filter, now, ops, sat, adopt, val))
}

/// The tickets of `period` that pass `filter` (ordered by id) and their
/// lifecycles, as the operations KPIs and the chart drill-down see them.
pub(crate) fn load_lifecycles(
    c: &rusqlite::Connection,
    period: &Period,
    filter: &KpiFilter,
    now: i64,
) -> Result<(Vec<data::TicketRow>, lifecycle::Lifecycle)> {
    map_store(c)?;
    let end = period.end_ts();
    let tickets = filter::apply(c, filter, data::load_tickets(c, lead_start(period), end)?)?;
    let changes = data::load_status_changes(c, end)?;
    let lc = lifecycle::reconstruct(&tickets, &changes, now);
    Ok((tickets, lc))
}

/// Satisfaction and validation; with a filter, the ticket ratings and the
/// validations of tickets outside it are left out.
fn rest_on(
    c: &rusqlite::Connection,
    period: &Period,
    settings: &KpiSettings,
    filter: &KpiFilter,
    now: i64,
) -> Result<(satisfaction::Satisfaction, Option<validation::ValidationKpis>)> {
    let allowed = filter::matching_ids(c, filter)?;
    let sat = satisfaction_on(c, period, settings, allowed.as_ref(), now)?;
    let val = validation::validation_kpis(c, period, allowed.as_ref(), now)?;
    Ok((sat, val))
}

/// First instant loaded for the operations KPIs: the 7-day average needs
/// the 6 days before the period.
fn lead_start(period: &Period) -> i64 {
    let lead = chrono::Duration::days(operations::MA_LEAD_DAYS as i64);
    period::local_midnight(period.tz, period.from - lead)
}

/// Let this connection read the store through a memory map: the KPI queries
/// scan large indexes, and a pooled connection's own page cache may be cold
/// (the map shares the operating system's cache between connections).
fn map_store(c: &rusqlite::Connection) -> Result<()> {
    c.pragma_update(None, "mmap_size", 1i64 << 30)?;
    Ok(())
}

fn satisfaction_on(
    c: &rusqlite::Connection,
    period: &Period,
    settings: &KpiSettings,
    allowed: Option<&std::collections::HashSet<i64>>,
    now: i64,
) -> Result<satisfaction::Satisfaction> {
    map_store(c)?;
    let grid = period::DayGrid::new(period.from, period.to, period.tz);
    let mut people = data::Interner::default();
    let (start, end) = (period.start_ts(), period.end_ts().min(now + 1));
    let surveys = data::load_surveys(c, start, end, &mut people)?;
    let mut ratings = data::load_ticket_ratings(c, start, end)?;
    if let Some(ids) = allowed {
        ratings.retain(|r| ids.contains(&r.ticket_id));
    }
    Ok(satisfaction::satisfaction_with(&surveys, &ratings, &grid, settings.licensed_users))
}

fn adoption_on(c: &rusqlite::Connection, period: &Period, settings: &KpiSettings, now: i64) -> Result<adoption::Adoption> {
    map_store(c)?;
    let grid = period::DayGrid::new(period.from, period.to, period.tz);
    let (start, end) = (period.start_ts(), period.end_ts().min(now + 1));
    let mut paths = data::Interner::default();
    let (usage, features) = data::load_usage(c, start, end)?;
    let gateway = data::load_gateway(c, start, end, &mut paths)?;
    Ok(adoption::adoption(&usage, &features, &gateway, &paths, &grid, settings.licensed_users))
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    period: &Period,
    settings: &KpiSettings,
    filter: &KpiFilter,
    now: DateTime<Utc>,
    ops: operations::Operations,
    sat: satisfaction::Satisfaction,
    adopt: adoption::Adoption,
    val: Option<validation::ValidationKpis>,
) -> KpiReport {
    let exit_criteria = exit::exit_criteria(&ops, &sat, val.as_ref(), settings);
    KpiReport {
        period: *period,
        generated_at: now,
        filter: filter.clone(),
        settings: settings.clone(),
        headline: headline(&ops, &sat, &adopt, val.as_ref()),
        exit_passed: exit::overall(&exit_criteria),
        operations: ops,
        satisfaction: sat,
        adoption: adopt,
        validation: val,
        exit_criteria,
    }
}

fn all_row(v: &[operations::DurationStats]) -> (Option<f64>, Option<f64>) {
    v.last().map(|d| (d.median_hours, d.p90_hours)).unwrap_or((None, None))
}

/// The headline values with their definitions (report tables, `--json`).
pub fn headline(
    ops: &operations::Operations,
    sat: &satisfaction::Satisfaction,
    ad: &adoption::Adoption,
    val: Option<&validation::ValidationKpis>,
) -> Vec<KpiValue> {
    use adoption as a;
    use operations as o;
    use satisfaction as s;
    let k = |id, label, value, unit, definition| KpiValue { id, label, value, unit, definition };
    let (tta_med, tta_p90) = all_row(&ops.time_to_acknowledge);
    let (ttr_med, ttr_p90) = all_row(&ops.time_to_resolve);
    let sla_all = ops.sla.last().and_then(|s| s.breach_rate);
    let p95 = ad.key_calls.first().map(|c| c.p95_ms);
    let mut v = vec![
        k("created", "Tickets created", Some(ops.created_total as f64), "tickets", o::DEF_VOLUME),
        k("created_ma7_last", "7-day average created (last day)", ops.created_ma7.last().copied(), "tickets", o::DEF_MA7),
        k("resolved", "Resolutions", Some(ops.resolved_total as f64), "tickets", o::DEF_RESOLUTIONS),
        k("net_flow", "Net flow", Some(ops.net_flow.iter().sum::<i64>() as f64), "tickets", o::DEF_NET_FLOW),
        k("backlog_end", "Backlog at end", ops.backlog.last().map(|b| *b as f64), "tickets", o::DEF_BACKLOG),
        k("tta_median", "Time to acknowledge, median", tta_med, "hours", o::DEF_TTA),
        k("tta_p90", "Time to acknowledge, p90", tta_p90, "hours", o::DEF_TTA),
        k("ttr_median", "Time to resolve, median", ttr_med, "hours", o::DEF_TTR),
        k("ttr_p90", "Time to resolve, p90", ttr_p90, "hours", o::DEF_TTR),
        k("reopen_rate", "Reopen rate", ops.reopen.rate, "share", o::DEF_REOPEN),
        k("sla_breach_rate", "SLA breach rate", sla_all, "share", o::DEF_SLA),
        k("csat", "CSAT", sat.csat.csat, "share", s::DEF_CSAT),
        k("csat_survey", "CSAT from surveys", sat.csat_survey.csat, "share", s::DEF_CSAT_ORIGIN),
        k("csat_tickets", "CSAT from ticket ratings", sat.csat_tickets.csat, "share", s::DEF_CSAT_ORIGIN),
        k("nps", "NPS", sat.nps.nps, "score", s::DEF_NPS),
        k("survey_responses", "Survey answers", Some((sat.csat_survey.responses + sat.nps.responses) as f64), "count", s::DEF_SURVEY_ANSWERS),
        k("survey_out_of_range", "Survey answers out of range (excluded)", Some((sat.csat_survey.out_of_range + sat.nps.out_of_range) as f64), "count", s::DEF_SURVEY_ANSWERS),
        k("ticket_ratings", "Ratings on tickets", Some(sat.csat_tickets.responses as f64), "count", s::DEF_CSAT_ORIGIN),
        k("response_rate", "Survey response rate", sat.response_rate, "share", s::DEF_RESPONSE_RATE),
        k("avg_dau", "Average DAU", ad.avg_dau, "users", a::DEF_DAU),
        k("avg_wau", "Average WAU", ad.avg_wau, "users", a::DEF_DAU),
        k("stickiness", "DAU/WAU", ad.stickiness, "share", a::DEF_STICKINESS),
        k("active_share", "Active users of licensed", ad.active_share, "share", a::DEF_ACTIVE_SHARE),
        k("success_rate", "Transaction success rate", ad.success_rate, "share", a::DEF_SUCCESS),
        k("gateway_success_rate", "Gateway success rate", ad.gateway_success_rate, "share", a::DEF_SUCCESS),
        k("p95_latency_top_call", "p95 latency, most-called path", p95, "ms", a::DEF_P95),
    ];
    if let Some(val) = val {
        v.push(k("first_time_fix", "First-time-fix rate", val.first_time_fix_rate, "share", validation::DEF_FIRST_TIME_FIX));
        v.push(k("validation_lead_time", "Validation lead time, median", val.lead_time_median_hours, "hours", validation::DEF_VALIDATION_LEAD_TIME));
        v.push(k("validation_backlog", "Validation backlog", Some(val.backlog as f64), "tickets", validation::DEF_VALIDATION_BACKLOG));
    }
    v
}

/// The period a report covers when the user does not say: from the first
/// to the last day with any activity (tickets, surveys, usage), never past
/// today and at most a year; the last 4 weeks when the store is empty.
/// `from` / `to` given by the user win.
pub fn default_period(
    store: &Store,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Period> {
    let today = now.with_timezone(&tz).date_naive();
    let bounds: [Option<i64>; 6] = store.read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT MIN(created_at) FROM tickets WHERE deleted_at IS NULL),
                    (SELECT MAX(updated_at) FROM tickets WHERE deleted_at IS NULL),
                    (SELECT MIN(answered_at) FROM survey_responses), (SELECT MAX(answered_at) FROM survey_responses),
                    (SELECT MIN(at) FROM usage_events), (SELECT MAX(at) FROM usage_events)",
            [],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?]),
        )?)
    })?;
    let day = |ts: i64| crate::store::from_ts(ts).with_timezone(&tz).date_naive();
    let first = [bounds[0], bounds[2], bounds[4]].into_iter().flatten().min().map(day);
    let last = [bounds[1], bounds[3], bounds[5]].into_iter().flatten().max().map(day);
    let to = to.unwrap_or_else(|| last.map(|l| l.min(today)).unwrap_or(today));
    let from = from.unwrap_or_else(|| {
        let earliest = to - chrono::Duration::days(364);
        first.map(|f| f.max(earliest).min(to)).unwrap_or(to - chrono::Duration::days(27))
    });
    Period::new(from, to, tz)
}

/// Every KPI definition, in the order of the docs: (id, name, definition).
/// The UI shows them next to the values; `docs/kpis.md` is generated from
/// this list (a test keeps it in step).
pub fn definitions() -> Vec<(&'static str, &'static str, &'static str)> {
    use adoption as a;
    use exit as e;
    use operations as o;
    use satisfaction as s;
    use validation as v;
    vec![
        ("volume", "Incident volume", o::DEF_VOLUME),
        ("ma7", "7-day moving average", o::DEF_MA7),
        ("backlog", "Backlog (burn-down)", o::DEF_BACKLOG),
        ("resolutions", "Resolutions", o::DEF_RESOLUTIONS),
        ("net_flow", "Net flow", o::DEF_NET_FLOW),
        ("tta", "Time to acknowledge", o::DEF_TTA),
        ("ttr", "Time to resolve", o::DEF_TTR),
        ("reopen_rate", "Reopen rate", o::DEF_REOPEN),
        ("sla_breach_rate", "SLA breach rate", o::DEF_SLA),
        ("first_time_fix", "First-time-fix rate", v::DEF_FIRST_TIME_FIX),
        ("validation_lead_time", "Validation lead time", v::DEF_VALIDATION_LEAD_TIME),
        ("validation_backlog", "Validation backlog", v::DEF_VALIDATION_BACKLOG),
        ("csat", "CSAT", s::DEF_CSAT),
        ("csat_origin", "CSAT by origin", s::DEF_CSAT_ORIGIN),
        ("nps", "NPS", s::DEF_NPS),
        ("survey_answers", "Survey answers", s::DEF_SURVEY_ANSWERS),
        ("response_rate", "Survey response rate", s::DEF_RESPONSE_RATE),
        ("dau_wau", "DAU / WAU", a::DEF_DAU),
        ("stickiness", "Stickiness", a::DEF_STICKINESS),
        ("active_share", "Active share", a::DEF_ACTIVE_SHARE),
        ("feature_adoption", "Feature adoption", a::DEF_FEATURE),
        ("success_rate", "Transaction success rate", a::DEF_SUCCESS),
        ("p95_latency", "p95 latency of key calls", a::DEF_P95),
        ("exit_no_open_p1", "Exit: no open P1", e::DEF_EXIT_P1),
        ("exit_sla", "Exit: P1/P2 within SLA", e::DEF_EXIT_SLA),
        ("exit_backlog", "Exit: backlog trend down", e::DEF_EXIT_BACKLOG),
        ("exit_csat", "Exit: CSAT", e::DEF_EXIT_CSAT),
        ("exit_ftf", "Exit: first-time fix", e::DEF_EXIT_FTF),
    ]
}

/// `docs/kpis.md`: the definitions as a document.
pub fn definitions_markdown() -> String {
    let mut s = String::from(
        "# KPI definitions\n\n<!-- Generated from `hypercare::kpi::definitions()`; \
         `UPDATE_DOCS=1 cargo test --lib kpi::tests` rewrites it. -->\n\n\
         Every value in the dashboard, the report and `hypercare report --json` is computed \
         from the local store for a period of local days in the workspace's time zone \
         (setting `timezone`), with empty days counted as zero. Times are wall-clock hours. \
         Priorities are normalised to P1–P4 from the server's names (Immediate/Urgent → P1, \
         High → P2, Normal/Medium → P3, Low → P4). Defaults: SLA resolution targets P1 4 h, \
         P2 24 h, P3 72 h, P4 120 h; exit thresholds: 0 open P1, 90 % of P1/P2 within SLA, \
         CSAT 80 %. Change them with `hypercare import settings --set KEY=VALUE` or the dashboard's \
         KPI settings; each is refused outside its range: SLA targets 0.1 to 8,760 hours (a year), \
         licensed users 1 to 10,000,000, open P1 tickets at the exit 0 to 10,000, thresholds 0 to 100 %. \
         A filter (dashboard, or `hypercare report --source NAME --priority P1 --category usability`, each \
         repeatable) narrows the ticket KPIs, the validation KPIs and ratings kept on tickets to tickets of \
         those sources, normalised priorities and effective categories; survey answers and usage are never \
         filtered.\n\n",
    );
    for (id, name, def) in definitions() {
        s.push_str(&format!("## {name}\n\n`{id}` — {def}\n\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn docs_kpis_md_lists_every_definition() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/kpis.md");
        let want = super::definitions_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(have == want, "docs/kpis.md is stale: run UPDATE_DOCS=1 cargo test --lib kpi::tests");
    }
}
