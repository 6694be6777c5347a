//! What a trainer sees of the themes: count, weekly trend, categories,
//! examples, training markers and their before/after effect. A theme's
//! items are its tickets and its imported survey comments (dated when
//! answered); both count in the totals, the trend and before/after.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::survey_items::ItemOrigin;
use crate::store::from_ts;
use crate::Result;

/// Occurrences in the ISO week starting on `week` (a Monday).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WeekCount {
    pub week: NaiveDate,
    pub count: usize,
}

/// "Addressed by training / documentation on DATE" and what followed.
///
/// Both windows end where the data ends ([`data_end`]), not today: weeks
/// the store has no data for yet would count as weeks without a problem.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrainingEffect {
    pub marker_id: i64,
    pub kind: String,
    pub on: NaiveDate,
    pub note: String,
    /// Occurrences created before the marker date, and the weeks from the
    /// first data to the marker (0: the marker is not after the first data).
    pub before: usize,
    pub weeks_before: f64,
    /// Occurrences on or after the marker date up to `until`, and the weeks
    /// that spans (0: the marker is after the data's last day).
    pub after: usize,
    pub weeks_after: f64,
    /// Per week; `None` when its window has no days of data (never a rate
    /// over zero weeks).
    pub per_week_before: Option<f64>,
    pub per_week_after: Option<f64>,
    /// The last day counted after the marker: the data's last day.
    pub until: NaiveDate,
}

/// One example of a theme: a ticket, or an imported survey comment (not a
/// ticket: it has no key, its text is the comment).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ThemeExample {
    pub origin: ItemOrigin,
    /// The ticket's id and key (tickets only).
    pub ticket_id: Option<i64>,
    /// The survey answer's id (`survey_responses.id`; survey comments only).
    pub response_id: Option<i64>,
    pub key: Option<String>,
    /// The ticket's title, or the comment (at most [`EXAMPLE_CHARS`] characters).
    pub text: String,
    /// Created (ticket) or answered (survey comment), UTC day.
    pub date: NaiveDate,
}

/// Longest example text shown.
pub const EXAMPLE_CHARS: usize = 240;

/// One theme as listed for trainers.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ThemeView {
    pub id: i64,
    pub name: String,
    pub key_terms: Vec<String>,
    /// Tickets and survey comments in the theme.
    pub count: usize,
    /// Of which survey comments.
    pub survey_comments: usize,
    pub weekly: Vec<WeekCount>,
    pub categories: Vec<(String, usize)>,
    /// Up to five examples, oldest first; at least one survey comment when
    /// the theme has any.
    pub examples: Vec<ThemeExample>,
    pub effects: Vec<TrainingEffect>,
}

/// Monday of the ISO week of `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// Weekly counts of `dates` from `first` week to `last` week inclusive.
pub fn weekly(dates: &[NaiveDate], first: NaiveDate, last: NaiveDate) -> Vec<WeekCount> {
    let mut out = Vec::new();
    let mut w = week_start(first);
    let end = week_start(last);
    while w <= end {
        let count = dates.iter().filter(|d| week_start(**d) == w).count();
        out.push(WeekCount { week: w, count });
        w += Duration::days(7);
    }
    out
}

/// Before/after counts around a marker on `on`, over the data's days
/// `first..=end`: (before, weeks before, after, weeks after). A window
/// without a day of data spans 0 weeks.
pub fn effect_of(dates: &[NaiveDate], on: NaiveDate, first: NaiveDate, end: NaiveDate) -> (usize, f64, usize, f64) {
    let before = dates.iter().filter(|d| **d < on).count();
    let after = dates.iter().filter(|d| **d >= on && **d <= end).count();
    let before_end = on.min(end + Duration::days(1));
    let weeks_before = (before_end - first).num_days().max(0) as f64 / 7.0;
    let weeks_after = ((end - on).num_days() + 1).max(0) as f64 / 7.0;
    (before, weeks_before, after, weeks_after)
}

/// `n` per week over `weeks`, or `None` over no weeks.
fn rate(n: usize, weeks: f64) -> Option<f64> {
    (weeks > 0.0).then(|| n as f64 / weeks)
}

/// The last day the store has data for: the latest ticket created or
/// updated, comment, or survey answer, or the last successful sync (which
/// saw nothing newer); `today` when there is none, never after `today`.
pub fn data_end(c: &Connection, today: NaiveDate) -> Result<NaiveDate> {
    let last: Option<i64> = c.query_row(
        "SELECT MAX(at) FROM (
           SELECT MAX(MAX(created_at, updated_at)) AS at FROM tickets WHERE deleted_at IS NULL
           UNION ALL SELECT MAX(c.created_at) FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE t.deleted_at IS NULL
           UNION ALL SELECT MAX(answered_at) FROM survey_responses
           UNION ALL SELECT MAX(last_sync_at) FROM sources WHERE last_sync_status = 'ok')",
        [],
        |r| r.get(0),
    )?;
    Ok(last.map(|t| from_ts(t).date_naive().min(today)).unwrap_or(today))
}

struct Member {
    theme: i64,
    origin: ItemOrigin,
    id: i64,
    key: Option<String>,
    text: String,
    created: NaiveDate,
    category: Option<String>,
}

impl Member {
    fn example(&self) -> ThemeExample {
        let ticket = self.origin == ItemOrigin::Ticket;
        ThemeExample {
            origin: self.origin,
            ticket_id: ticket.then_some(self.id),
            response_id: (!ticket).then_some(self.id),
            key: self.key.clone(),
            text: self.text.chars().take(EXAMPLE_CHARS).collect(),
            date: self.created,
        }
    }
}

/// Up to five examples in date order; when none of those is a survey
/// comment but the theme has one, the earliest comment takes the last place.
fn examples(ms: &[&Member]) -> Vec<ThemeExample> {
    let mut out: Vec<&Member> = ms.iter().take(5).copied().collect();
    let has_comment = out.iter().any(|m| m.origin == ItemOrigin::SurveyComment);
    if !has_comment {
        if let Some(c) = ms.iter().find(|m| m.origin == ItemOrigin::SurveyComment) {
            if out.len() == 5 {
                out.pop();
            }
            out.push(c);
        }
    }
    out.iter().map(|m| m.example()).collect()
}

/// Every active theme, biggest first, with trend and markers up to the
/// data's last day ([`data_end`], at most `now`'s day).
pub fn list_themes(c: &Connection, now: DateTime<Utc>) -> Result<Vec<ThemeView>> {
    // The trend starts with the first ticket or grouped survey comment.
    let first: Option<i64> = c.query_row(
        "SELECT MIN(at) FROM (SELECT MIN(created_at) AS at FROM tickets WHERE deleted_at IS NULL
           UNION ALL SELECT MIN(s.answered_at) FROM theme_comment_members m JOIN survey_responses s ON s.id = m.response_id)",
        [],
        |r| r.get(0),
    )?;
    let end = data_end(c, now.date_naive())?;
    let first = first.map(|t| from_ts(t).date_naive()).unwrap_or(end).min(end);
    let mut st = c.prepare(
        "SELECT m.theme_id, 0, t.id, t.key, t.title, t.created_at, COALESCE(tr.category_override, tr.category)
         FROM theme_members m JOIN tickets t ON t.id = m.ticket_id
         LEFT JOIN triage tr ON tr.ticket_id = t.id
         WHERE t.deleted_at IS NULL
         UNION ALL
         SELECT m.theme_id, 1, s.id, NULL, s.comment, s.answered_at, COALESCE(sc.category_override, sc.category)
         FROM theme_comment_members m JOIN survey_responses s ON s.id = m.response_id
         LEFT JOIN survey_comment_triage sc ON sc.response_id = s.id
         ORDER BY 6, 2, 3",
    )?;
    let members = st
        .query_map([], |r| {
            let comment: i64 = r.get(1)?;
            Ok(Member {
                theme: r.get(0)?,
                origin: if comment == 1 { ItemOrigin::SurveyComment } else { ItemOrigin::Ticket },
                id: r.get(2)?,
                key: r.get(3)?,
                text: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                created: from_ts(r.get(5)?).date_naive(),
                category: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut by_theme: BTreeMap<i64, Vec<&Member>> = BTreeMap::new();
    for m in &members {
        by_theme.entry(m.theme).or_default().push(m);
    }
    let mut st = c.prepare("SELECT id, name, key_terms FROM themes WHERE merged_into IS NULL")?;
    let themes = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut mk = c.prepare("SELECT id, kind, on_date, note FROM training_markers WHERE theme_id = ?1 ORDER BY on_date, id")?;
    let mut out = Vec::new();
    for (id, name, terms) in themes {
        let ms = by_theme.remove(&id).unwrap_or_default();
        // A theme whose tickets are all gone (their source removed) recurs no more.
        if ms.is_empty() {
            continue;
        }
        let dates: Vec<NaiveDate> = ms.iter().map(|m| m.created).collect();
        let mut cats: BTreeMap<String, usize> = BTreeMap::new();
        for m in &ms {
            *cats.entry(m.category.clone().unwrap_or_else(|| "untriaged".into())).or_default() += 1;
        }
        let mut categories: Vec<(String, usize)> = cats.into_iter().collect();
        categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let markers = mk
            .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut effects = Vec::new();
        for (marker_id, kind, on, note) in markers {
            let Ok(on) = NaiveDate::parse_from_str(&on, "%Y-%m-%d") else { continue };
            let (before, weeks_before, after, weeks_after) = effect_of(&dates, on, first, end);
            effects.push(TrainingEffect {
                marker_id,
                kind,
                on,
                note,
                before,
                weeks_before,
                after,
                weeks_after,
                per_week_before: rate(before, weeks_before),
                per_week_after: rate(after, weeks_after),
                until: end,
            });
        }
        out.push(ThemeView {
            id,
            name,
            key_terms: serde_json::from_str(&terms).unwrap_or_default(),
            count: ms.len(),
            survey_comments: ms.iter().filter(|m| m.origin == ItemOrigin::SurveyComment).count(),
            weekly: weekly(&dates, first, end),
            categories,
            examples: examples(&ms),
            effects,
        });
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    Ok(out)
}
