//! Deterministic demo feedback: survey answers, usage events and gateway
//! calls for the demo hypercare, so every chart has content on first run.
//!
//! The same `go_live` and `weeks` always write the same rows (a fixed-seed
//! SplitMix64, no system randomness). The story: adoption climbs from about
//! half of the licensed users to most of them, satisfaction recovers after a
//! rough first week, key calls get faster.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rusqlite::params;
use serde::Serialize;

use crate::{Error, Result, Store};

/// `source_file` of every demo row (replaced on reload).
pub const DEMO_FILE: &str = "demo";
/// Delete the demo's survey answers, usage events and gateway calls (their
/// comments' triage and theme rows go by cascade).
pub(crate) fn remove_demo_feedback(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    for t in ["survey_responses", "usage_events", "gateway_calls"] {
        tx.execute(&format!("DELETE FROM {t} WHERE source_file = ?1"), [DEMO_FILE])?;
    }
    Ok(())
}

/// Licensed population of the demo company.
pub const DEMO_LICENSED_USERS: u32 = 400;

/// What the demo feedback wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackSummary {
    pub survey_responses: u64,
    pub usage_events: u64,
    pub gateway_calls: u64,
}

/// A tiny deterministic generator (SplitMix64): the same seed gives the same
/// numbers on every platform and version, unlike `rand`'s default engines.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FEATURES: &[&str] = &[
    "Sales order entry",
    "Customer lookup",
    "Goods receipt",
    "Stock transfer",
    "Invoice posting",
    "Purchase order approval",
    "Pick list printing",
    "Month-end reports",
];
const PATHS: &[&str] = &["/api/orders", "/api/customers/search", "/api/stock/moves", "/api/invoices", "/api/auth/token"];
const COMMENTS: &[&str] = &[
    "Login loops sometimes, otherwise fine",
    "Scanner screens are too slow in the morning",
    "Much better since the fix last week",
    "Training videos helped a lot",
    "Cannot find where to print the pick list",
    "Invoices post correctly now",
    "Search for customers is slow",
    "The new order screen is easier than the old one",
];

/// Write the demo surveys, usage and gateway calls for `weeks` weeks from
/// `go_live`, replacing earlier demo rows; sets the licensed population to
/// [`DEMO_LICENSED_USERS`] when it is not configured.
pub fn load_demo_feedback(store: &Store, go_live: NaiveDate, weeks: u32) -> Result<FeedbackSummary> {
    if weeks == 0 || weeks > 104 {
        return Err(Error::invalid(format!("demo feedback needs 1 to 104 weeks, not {weeks}")));
    }
    load_demo_feedback_days(store, go_live, i64::from(weeks) * 7)
}

/// [`load_demo_feedback`] for the `days` days from `go_live` (a demo
/// window cut at its today), each day's rows before 17:00 UTC.
pub fn load_demo_feedback_days(store: &Store, go_live: NaiveDate, days: i64) -> Result<FeedbackSummary> {
    if !(1..=728).contains(&days) {
        return Err(Error::invalid(format!("demo feedback needs 1 to 728 days, not {days}")));
    }
    if store.kpi_settings()?.licensed_users.is_none() {
        store.set_kpi_setting("licensed_users", &DEMO_LICENSED_USERS.to_string())?;
    }
    let mut rng = Rng(0x4879_7065_7263_6172);
    let users: Vec<String> = (1..=DEMO_LICENSED_USERS).map(|i| format!("user{i:03}")).collect();
    // How early each user takes up the system: user k is active once the
    // adopted share passes engagement[k].
    let engagement: Vec<f64> = users.iter().map(|_| rng.unit()).collect();
    store.with_tx(|tx| {
        remove_demo_feedback(tx)?;
        let mut sum = FeedbackSummary::default();
        let mut ins_s = tx.prepare_cached(
            "INSERT OR IGNORE INTO survey_responses
                (source_file, line, respondent, submission, answered_at, scale, score, comment, imported_at)
             VALUES (?1, NULL, ?2, ?2, ?3, ?4, ?5, ?6, ?3)",
        )?;
        let mut ids = super::usage::NameIds::default();
        let mut ins_g = tx.prepare_cached(super::usage::INSERT_GATEWAY)?;
        for day in 0..days {
            let date = go_live + Duration::days(day);
            let progress = day as f64 / days as f64; // 0 → 1 over the window
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
            let work_time = |rng: &mut Rng| midnight + 7 * 3600 + rng.below(10 * 3600) as i64;

            // Usage: the adopted share climbs from ~55 % to ~90 % of the
            // licensed users; an adopted user works on ~75 % of workdays.
            let adopted = 0.55 + 0.35 * progress;
            let present = if weekend { 0.05 } else { 0.75 };
            for (user, e) in users.iter().zip(&engagement) {
                if *e >= adopted || rng.unit() >= present {
                    continue;
                }
                let n = 1 + rng.below(4);
                for _ in 0..n {
                    // Skewed: the first features are used far more than the last.
                    let f = FEATURES[((rng.unit().powi(2)) * FEATURES.len() as f64) as usize];
                    let ok = rng.unit() < 0.88 + 0.10 * progress;
                    let at = work_time(&mut rng);
                    sum.usage_events += super::usage::insert_usage(tx, &mut ids, DEMO_FILE, at, user, f, Some(ok))? as u64;
                }
            }
            // Gateway: fewer errors and lower latency as fixes land.
            let calls = if weekend { 40 } else { 400 };
            for _ in 0..calls {
                let p = rng.below(PATHS.len() as u64) as usize;
                let base = [180.0, 320.0, 260.0, 410.0, 90.0][p] * (1.6 - 0.8 * progress);
                let latency = base * (0.5 + rng.unit()) * if rng.unit() < 0.06 { 4.0 } else { 1.0 };
                let status = if rng.unit() < 0.05 * (1.0 - progress) + 0.005 { 503 } else { 200 };
                let consumer = ["web-client", "scanner-app", "edi-bridge"][rng.below(3) as usize];
                ins_g.execute(params![DEMO_FILE, work_time(&mut rng), consumer, PATHS[p], status, latency.round()])?;
                sum.gateway_calls += 1;
            }
            // Surveys on workdays: CSAT and NPS recover after week one.
            if !weekend {
                let mood = (progress * 1.6).min(1.0);
                for _ in 0..(10 + rng.below(6)) {
                    let who = &users[rng.below(users.len() as u64) as usize];
                    let csat = (3.0 + 1.5 * mood + rng.unit() * 2.2 - 1.1).round().clamp(1.0, 5.0) as i64;
                    let comment = (rng.unit() < 0.25).then(|| COMMENTS[rng.below(COMMENTS.len() as u64) as usize]);
                    sum.survey_responses +=
                        ins_s.execute(params![DEMO_FILE, who, work_time(&mut rng), "csat_1_5", csat, comment])? as u64;
                    if rng.unit() < 0.5 {
                        let nps = (5.5 + 3.5 * mood + rng.unit() * 4.0 - 2.0).round().clamp(0.0, 10.0) as i64;
                        sum.survey_responses +=
                            ins_s.execute(params![DEMO_FILE, who, work_time(&mut rng), "nps_0_10", nps, None::<&str>])? as u64;
                    }
                }
            }
        }
        Ok(sum)
    })
}
