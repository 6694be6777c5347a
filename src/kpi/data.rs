//! Rows the KPIs are computed from, and the queries that load them.
//!
//! Loaders select only what a period needs, through covering indexes
//! (migration 0003); the KPI functions themselves are pure.

use std::collections::HashMap;

use rusqlite::Connection;

use super::priority::Priority;
use crate::model::{Category, StatusClass};
use crate::Result;

/// One ticket, as the operations KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRow {
    pub id: i64,
    pub priority: Priority,
    /// Effective category: the user's triage override, else the automatic
    /// triage, else the server's own category when it is one of ours.
    pub category: Option<Category>,
    pub status_class: StatusClass,
    pub created_at: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
    /// First comment by someone other than the reporter.
    pub first_response_at: Option<i64>,
}

/// One status change of a ticket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusRow {
    pub ticket_id: i64,
    pub at: i64,
    pub from_class: Option<StatusClass>,
    pub to_class: StatusClass,
}

/// Rating scale of a survey question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 1..=5, CSAT.
    Csat15,
    /// 0..=10, NPS.
    Nps010,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Csat15 => "csat_1_5",
            Scale::Nps010 => "nps_0_10",
        }
    }
    pub fn parse(s: &str) -> Option<Scale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csat_1_5" | "csat" => Some(Scale::Csat15),
            "nps_0_10" | "nps" => Some(Scale::Nps010),
            _ => None,
        }
    }
    /// Whether `score` is a valid answer on this scale.
    pub fn in_range(self, score: i64) -> bool {
        match self {
            Scale::Csat15 => (1..=5).contains(&score),
            Scale::Nps010 => (0..=10).contains(&score),
        }
    }
}

/// One survey answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub at: i64,
    pub scale: Scale,
    pub score: i64,
    /// Interned respondent; an anonymous submission is identified by its
    /// file and line (`None`: anonymous and untraceable).
    pub respondent: Option<u32>,
}

/// One usage event; users and features are interned to small numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageRow {
    pub at: i64,
    pub user: u32,
    pub feature: u32,
    /// `Some(true)` success, `Some(false)` failure, `None` not recorded.
    pub ok: Option<bool>,
}

/// One API-gateway call; the path is interned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GatewayRow {
    pub at: i64,
    pub path: u32,
    pub status: u16,
    pub latency_ms: f64,
}

/// Strings interned while loading (`names[i]` is the string of id `i`).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    map: HashMap<String, u32>,
    pub names: Vec<String>,
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(i) = self.map.get(s) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.map.insert(s.to_string(), i);
        self.names.push(s.to_string());
        i
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> Result<&'a str> {
    r.get_ref(i)?.as_str().map_err(|e| rusqlite::Error::from(e).into())
}

fn opt_str<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> Result<Option<&'a str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| rusqlite::Error::from(e).into())
}

fn class(s: &str) -> StatusClass {
    StatusClass::parse(s).unwrap_or(StatusClass::Open)
}

/// Tickets that can matter for `[start, end)`: created before its end and
/// not finally resolved before its start. Ordered by id. Deleted tickets
/// are left out.
pub fn load_tickets(c: &Connection, start: i64, end: i64) -> Result<Vec<TicketRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT t.id, t.priority, COALESCE(tr.category_override, tr.category, t.remote_category),
                t.status_class, t.created_at, t.updated_at, t.resolved_at,
                (SELECT MIN(c.created_at) FROM comments c
                  WHERE c.ticket_id = t.id AND c.author IS NOT t.reporter)
         FROM tickets t LEFT JOIN triage tr ON tr.ticket_id = t.id
         WHERE t.deleted_at IS NULL AND t.created_at < ?2
           AND (t.status_class = 'open' OR t.resolved_at IS NULL OR t.resolved_at >= ?1)
         ORDER BY t.id",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let prio = opt_str(r, 1)?.map(Priority::normalize).unwrap_or(Priority::Unset);
        let cat = opt_str(r, 2)?.and_then(Category::parse);
        out.push(TicketRow {
            id: r.get(0)?,
            priority: prio,
            category: cat,
            status_class: class(text(r, 3)?),
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            resolved_at: r.get(6)?,
            first_response_at: r.get(7)?,
        });
    }
    Ok(out)
}

/// Status changes before `end`, ordered by ticket and time.
pub fn load_status_changes(c: &Connection, end: i64) -> Result<Vec<StatusRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT ticket_id, at, from_class, to_class FROM status_changes
         WHERE at < ?1 ORDER BY ticket_id, at, id",
    )?;
    let mut rows = stmt.query([end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StatusRow {
            ticket_id: r.get(0)?,
            at: r.get(1)?,
            from_class: opt_str(r, 2)?.map(class),
            to_class: class(text(r, 3)?),
        });
    }
    Ok(out)
}

/// Survey answers in `[start, end)`.
pub fn load_surveys(c: &Connection, start: i64, end: i64, people: &mut Interner) -> Result<Vec<SurveyRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT answered_at, scale, score,
                COALESCE(NULLIF(TRIM(respondent), ''), '#' || source_file || ':' || line)
         FROM survey_responses
         WHERE answered_at >= ?1 AND answered_at < ?2",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let Some(scale) = Scale::parse(text(r, 1)?) else { continue };
        let respondent = opt_str(r, 3)?.filter(|s| !s.trim().is_empty()).map(|s| people.id(s));
        out.push(SurveyRow { at: r.get(0)?, scale, score: r.get(2)?, respondent });
    }
    Ok(out)
}

/// Usage events in `[start, end)`.
pub fn load_usage(
    c: &Connection,
    start: i64,
    end: i64,
    users: &mut Interner,
    features: &mut Interner,
) -> Result<Vec<UsageRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT at, user, feature, IFNULL(outcome, '') FROM usage_events WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let user = users.id(text(r, 1)?);
        let feature = features.id(text(r, 2)?);
        let ok = match text(r, 3)? {
            "" => None,
            o => Some(o == "success"),
        };
        out.push(UsageRow { at: r.get(0)?, user, feature, ok });
    }
    Ok(out)
}

/// Gateway calls in `[start, end)`.
pub fn load_gateway(c: &Connection, start: i64, end: i64, paths: &mut Interner) -> Result<Vec<GatewayRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT at, path, status, latency_ms FROM gateway_calls WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let path = paths.id(text(r, 1)?);
        let status: i64 = r.get(2)?;
        out.push(GatewayRow { at: r.get(0)?, path, status: status.clamp(0, 999) as u16, latency_ms: r.get(3)? });
    }
    Ok(out)
}
