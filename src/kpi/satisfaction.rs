//! Satisfaction KPIs from survey answers and from ratings kept on tickets:
//! CSAT (by origin and together), NPS, response counts.

use chrono::NaiveDate;
use serde::Serialize;

use super::data::{RatingRow, Scale, SurveyRow};
use super::period::{weeks_of, DayGrid};
use super::stats::ratio;

pub const DEF_CSAT: &str = "CSAT: share of answers of 4 or 5 on the 1–5 scale (not the mean score, as ServiceNow reports it). Answers outside 1–5 are reported and left out.";
pub const DEF_CSAT_ORIGIN: &str = "CSAT by origin: the same share of 4–5 answers, once over survey answers and once over the 1–5 ratings the ticket server keeps on tickets (a custom field — Redmine, Jira or Zendesk — named in the source's csat_custom_field_id, or else Zendesk's satisfaction rating: good counts as 5, bad as 1), counted on the day the ticket was resolved (its last update while open). CSAT counts both together.";
pub const DEF_SURVEY_ANSWERS: &str = "Survey answers: CSAT (1–5) and NPS (0–10) answers given in the period; answers outside their scale are counted apart and left out of CSAT and NPS.";
pub const DEF_NPS: &str = "NPS: % of answers 9–10 (promoters) minus % of answers 0–6 (detractors) on the 0–10 scale, from −100 to +100. Answers outside 0–10 are reported and left out.";
pub const DEF_RESPONSE_RATE: &str = "Response rate: distinct respondents in the period (an anonymous submission counts as one) ÷ licensed users.";

/// CSAT over some answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CsatStats {
    /// Valid answers (1..=5).
    pub responses: u32,
    /// Answers of 4 or 5.
    pub satisfied: u32,
    /// Answers outside 1..=5, left out.
    pub out_of_range: u32,
    /// satisfied ÷ responses (0..1).
    pub csat: Option<f64>,
}

/// NPS over some answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NpsStats {
    pub responses: u32,
    pub promoters: u32,
    pub passives: u32,
    pub detractors: u32,
    pub out_of_range: u32,
    /// %promoters − %detractors (−100..100).
    pub nps: Option<f64>,
}

impl CsatStats {
    fn add(&mut self, score: i64) {
        if !Scale::Csat15.in_range(score) {
            self.out_of_range += 1;
            return;
        }
        self.responses += 1;
        if score >= 4 {
            self.satisfied += 1;
        }
    }
    fn finish(&mut self) {
        self.csat = ratio(self.satisfied as u64, self.responses as u64);
    }
}

impl NpsStats {
    fn add(&mut self, score: i64) {
        if !Scale::Nps010.in_range(score) {
            self.out_of_range += 1;
            return;
        }
        self.responses += 1;
        match score {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            _ => self.detractors += 1,
        }
    }
    fn finish(&mut self) {
        if self.responses > 0 {
            let n = self.responses as f64;
            self.nps = Some(100.0 * (self.promoters as f64 - self.detractors as f64) / n);
        }
    }
}

/// One week of satisfaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekSatisfaction {
    pub start: NaiveDate,
    pub csat: CsatStats,
    pub nps: NpsStats,
}

/// Satisfaction over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    /// Survey answers and ticket ratings together.
    pub csat: CsatStats,
    /// Survey answers only.
    pub csat_survey: CsatStats,
    /// Ratings kept on tickets by their server only.
    pub csat_tickets: CsatStats,
    pub nps: NpsStats,
    /// Distinct respondents; an anonymous submission counts as one.
    pub respondents: u32,
    pub licensed_users: Option<u32>,
    pub response_rate: Option<f64>,
    pub weeks: Vec<WeekSatisfaction>,
}

/// Compute satisfaction over the answers in `grid` (the period's days).
pub fn satisfaction(rows: &[SurveyRow], grid: &DayGrid, licensed_users: Option<u32>) -> Satisfaction {
    satisfaction_with(rows, &[], grid, licensed_users)
}

/// [`satisfaction`] with ratings kept on tickets: they count in CSAT (and
/// in `csat_tickets`), not in the survey's respondents or response rate.
pub fn satisfaction_with(rows: &[SurveyRow], ratings: &[RatingRow], grid: &DayGrid, licensed_users: Option<u32>) -> Satisfaction {
    let (starts, idx) = weeks_of(&grid.dates);
    let mut weeks: Vec<WeekSatisfaction> = starts
        .iter()
        .map(|s| WeekSatisfaction { start: *s, csat: CsatStats::default(), nps: NpsStats::default() })
        .collect();
    let mut csat = CsatStats::default();
    let mut csat_survey = CsatStats::default();
    let mut csat_tickets = CsatStats::default();
    let mut nps = NpsStats::default();
    let mut named: Vec<u32> = Vec::new();
    let mut anonymous = 0u32;
    for r in rows {
        let Some(d) = grid.day(r.at) else { continue };
        let w = &mut weeks[idx[d]];
        match r.scale {
            Scale::Csat15 => {
                csat.add(r.score);
                csat_survey.add(r.score);
                w.csat.add(r.score);
            }
            Scale::Nps010 => {
                nps.add(r.score);
                w.nps.add(r.score);
            }
        }
        match r.respondent {
            Some(p) => named.push(p),
            None => anonymous += 1,
        }
    }
    for r in ratings {
        let Some(d) = grid.day(r.at) else { continue };
        // A rating that is not a whole number is out of range like 7 is.
        let score = r.score.unwrap_or(i64::MIN);
        csat.add(score);
        csat_tickets.add(score);
        weeks[idx[d]].csat.add(score);
    }
    csat.finish();
    csat_survey.finish();
    csat_tickets.finish();
    nps.finish();
    for w in &mut weeks {
        w.csat.finish();
        w.nps.finish();
    }
    named.sort_unstable();
    named.dedup();
    let respondents = named.len() as u32 + anonymous;
    Satisfaction {
        csat,
        csat_survey,
        csat_tickets,
        nps,
        respondents,
        licensed_users,
        response_rate: licensed_users.and_then(|l| ratio(respondents as u64, l as u64)),
        weeks,
    }
}
