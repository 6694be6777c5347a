//! Adoption KPIs from usage events and API-gateway calls.

use chrono::NaiveDate;
use serde::Serialize;

use super::data::{GatewayRow, Interner, UsageRow};
use super::period::{weeks_of, DayGrid};
use super::stats::{percentile, ratio, Distinct};

pub const DEF_DAU: &str = "DAU / WAU: distinct users with at least one usage event per local day / per ISO week; compared with the licensed users.";
pub const DEF_STICKINESS: &str = "Stickiness: average DAU ÷ average WAU over the period's weeks (1 = everyone every day).";
pub const DEF_ACTIVE_SHARE: &str = "Active share: distinct users active in the period ÷ licensed users.";
pub const DEF_FEATURE: &str = "Feature adoption: distinct users of each feature or action in the period ÷ licensed users (÷ active users when no licence count is set).";
pub const DEF_SUCCESS: &str = "Transaction success rate: usage events recorded as success ÷ events with a recorded outcome; for the gateway, calls with HTTP status below 400 ÷ all calls.";
pub const DEF_P95: &str = "p95 latency of key calls: 95th percentile of gateway latency (ms) for the five most-called paths.";

/// Users of one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureAdoption {
    pub feature: String,
    pub users: u32,
    pub share: Option<f64>,
}

/// Latency and errors of one gateway path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyCall {
    pub path: String,
    pub calls: u32,
    pub p95_ms: f64,
    pub success_rate: f64,
}

/// Adoption over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adoption {
    pub licensed_users: Option<u32>,
    pub days: Vec<NaiveDate>,
    pub dau: Vec<u32>,
    pub weeks: Vec<NaiveDate>,
    pub wau: Vec<u32>,
    pub avg_dau: Option<f64>,
    pub avg_wau: Option<f64>,
    pub stickiness: Option<f64>,
    pub active_users: u32,
    pub active_share: Option<f64>,
    /// Most used first.
    pub features: Vec<FeatureAdoption>,
    pub events: u32,
    pub events_with_outcome: u32,
    pub success_rate: Option<f64>,
    pub gateway_calls: u32,
    pub gateway_success_rate: Option<f64>,
    pub key_calls: Vec<KeyCall>,
}

fn mean(v: &[u32]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().map(|x| *x as f64).sum::<f64>() / v.len() as f64)
}

/// Compute adoption over the rows inside `grid` (the period's days).
pub fn adoption(
    usage: &[UsageRow],
    features: &Interner,
    gateway: &[GatewayRow],
    paths: &Interner,
    grid: &DayGrid,
    licensed_users: Option<u32>,
) -> Adoption {
    let (weeks, widx) = weeks_of(&grid.dates);
    let n_users = usage.iter().map(|u| u.user as usize + 1).max().unwrap_or(0);
    let mut per_day = Distinct::new(grid.len(), n_users);
    let mut per_week = Distinct::new(weeks.len(), n_users);
    let mut per_feature = Distinct::new(features.len(), n_users);
    let mut active = Distinct::new(1, n_users);
    let (mut events, mut with_outcome, mut ok) = (0u32, 0u32, 0u32);
    for u in usage {
        let Some(d) = grid.day(u.at) else { continue };
        events += 1;
        per_day.add(d, u.user);
        per_week.add(widx[d], u.user);
        per_feature.add(u.feature as usize, u.user);
        active.add(0, u.user);
        if let Some(good) = u.ok {
            with_outcome += 1;
            ok += good as u32;
        }
    }
    let dau = per_day.counts();
    let wau = per_week.counts();
    let per_feature = per_feature.counts();
    let active_users = active.counts().first().copied().unwrap_or(0);
    let feature_den = licensed_users.unwrap_or(active_users) as u64;
    let mut feats: Vec<FeatureAdoption> = per_feature
        .iter()
        .enumerate()
        .filter(|(i, n)| **n > 0 && !features.names[*i].is_empty())
        .map(|(i, n)| FeatureAdoption { feature: features.names[i].clone(), users: *n, share: ratio(*n as u64, feature_den) })
        .collect();
    feats.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.feature.cmp(&b.feature)));

    let (avg_dau, avg_wau) = (mean(&dau), mean(&wau));
    let (calls, gw_ok, key_calls) = gateway_stats(gateway, paths, grid);
    Adoption {
        licensed_users,
        days: grid.dates.clone(),
        dau,
        weeks,
        wau,
        avg_dau,
        avg_wau,
        stickiness: match (avg_dau, avg_wau) {
            (Some(d), Some(w)) if w > 0.0 => Some(d / w),
            _ => None,
        },
        active_users,
        active_share: licensed_users.and_then(|l| ratio(active_users as u64, l as u64)),
        features: feats,
        events,
        events_with_outcome: with_outcome,
        success_rate: ratio(ok as u64, with_outcome as u64),
        gateway_calls: calls,
        gateway_success_rate: ratio(gw_ok as u64, calls as u64),
        key_calls,
    }
}

fn gateway_stats(gateway: &[GatewayRow], paths: &Interner, grid: &DayGrid) -> (u32, u32, Vec<KeyCall>) {
    let mut per_path: Vec<(Vec<f64>, u32)> = vec![(Vec::new(), 0); paths.len()];
    let (mut calls, mut ok) = (0u32, 0u32);
    for g in gateway {
        if grid.day(g.at).is_none() {
            continue;
        }
        calls += 1;
        let good = g.status < 400;
        ok += good as u32;
        if let Some(slot) = per_path.get_mut(g.path as usize) {
            slot.0.push(g.latency_ms);
            slot.1 += good as u32;
        }
    }
    let mut order: Vec<usize> = (0..per_path.len()).filter(|i| !per_path[*i].0.is_empty()).collect();
    order.sort_by(|a, b| per_path[*b].0.len().cmp(&per_path[*a].0.len()).then_with(|| paths.names[*a].cmp(&paths.names[*b])));
    let key = order
        .into_iter()
        .take(5)
        .filter_map(|i| {
            let (lat, good) = &mut per_path[i];
            let n = lat.len();
            Some(KeyCall {
                path: paths.names[i].clone(),
                calls: n as u32,
                p95_ms: percentile(lat, 0.95)?,
                success_rate: *good as f64 / n as f64,
            })
        })
        .collect();
    (calls, ok, key)
}
