//! Hypercare exit criteria: pass/fail with the measured values.

use serde::Serialize;

use super::operations::Operations;
use super::satisfaction::Satisfaction;
use super::settings::KpiSettings;
use super::validation::ValidationKpis;

/// One exit criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExitCriterion {
    pub id: &'static str,
    pub label: String,
    pub definition: &'static str,
    /// The measured value (`None`: no data).
    pub value: Option<f64>,
    pub threshold: f64,
    pub unit: &'static str,
    /// `None` when there is no data to decide.
    pub passed: Option<bool>,
}

pub const DEF_EXIT_P1: &str = "No open P1: P1 tickets open at the end of the period must not exceed the allowed number (default 0).";
pub const DEF_EXIT_SLA: &str = "P1/P2 within SLA: 1 − SLA breach rate of P1 and P2 tickets (see SLA breach rate) must reach the threshold.";
pub const DEF_EXIT_BACKLOG: &str = "Backlog trend down: the backlog at the end of the period is lower than 7 days earlier (or than at the period's first day if shorter), or already zero.";
pub const DEF_EXIT_CSAT: &str = "CSAT at or above the threshold over the period.";
pub const DEF_EXIT_FTF: &str = "First-time-fix rate at or above 80 % (from fix validation).";

/// Evaluate the exit criteria.
pub fn exit_criteria(
    ops: &Operations,
    sat: &Satisfaction,
    validation: Option<&ValidationKpis>,
    s: &KpiSettings,
) -> Vec<ExitCriterion> {
    let mut out = Vec::new();
    let open_p1 = ops.backlog_by_priority.last().map(|r| r[0] as f64);
    out.push(ExitCriterion {
        id: "no_open_p1",
        label: "Open P1 tickets".into(),
        definition: DEF_EXIT_P1,
        value: open_p1,
        threshold: s.exit_max_open_p1 as f64,
        unit: "tickets",
        passed: open_p1.map(|v| v <= s.exit_max_open_p1 as f64),
    });
    let met = ops.sla_p1_p2.breach_rate.map(|b| 1.0 - b);
    out.push(ExitCriterion {
        id: "p1_p2_within_sla",
        label: "P1/P2 within SLA".into(),
        definition: DEF_EXIT_SLA,
        value: met,
        threshold: s.exit_sla_met_min,
        unit: "share",
        passed: met.map(|m| m >= s.exit_sla_met_min - 1e-9),
    });
    let n = ops.backlog.len();
    let trend = (n > 1).then(|| {
        let last = ops.backlog[n - 1] as f64;
        let earlier = ops.backlog[n.saturating_sub(8)] as f64;
        (last - earlier, last)
    });
    out.push(ExitCriterion {
        id: "backlog_trend_down",
        label: "Backlog change over the last 7 days".into(),
        definition: DEF_EXIT_BACKLOG,
        value: trend.map(|t| t.0),
        threshold: 0.0,
        unit: "tickets",
        passed: trend.map(|(delta, last)| delta < 0.0 || last == 0.0),
    });
    out.push(ExitCriterion {
        id: "csat",
        label: "CSAT".into(),
        definition: DEF_EXIT_CSAT,
        value: sat.csat.csat,
        threshold: s.exit_csat_min,
        unit: "share",
        passed: sat.csat.csat.map(|c| c >= s.exit_csat_min - 1e-9),
    });
    if let Some(v) = validation {
        out.push(ExitCriterion {
            id: "first_time_fix",
            label: "First-time-fix rate".into(),
            definition: DEF_EXIT_FTF,
            value: v.first_time_fix_rate,
            threshold: 0.8,
            unit: "share",
            passed: v.first_time_fix_rate.map(|r| r >= 0.8 - 1e-9),
        });
    }
    out
}

/// Whether every criterion passed (`None` if any lacks data and none failed).
pub fn overall(criteria: &[ExitCriterion]) -> Option<bool> {
    if criteria.iter().any(|c| c.passed == Some(false)) {
        return Some(false);
    }
    criteria.iter().all(|c| c.passed == Some(true)).then_some(true)
}
