//! Rows the KPIs are computed from, and the queries that load them.
//!
//! Loaders select only what a period needs, through covering indexes
//! (migration 0003); the KPI functions themselves are pure.

use std::collections::HashMap;

use rusqlite::Connection;

use super::priority::Priority;
use crate::model::{Category, StatusClass};
use crate::Result;

/// One ticket, as the operations KPIs see it. As loaded, a ticket that is
/// not open has `resolved_at` = when it was last resolved (its last update
/// when the server did not say).
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

/// One status change of a ticket. Where it came from does not matter: the
/// lifecycle follows the ticket's state from its creation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusRow {
    pub ticket_id: i64,
    pub at: i64,
    /// Open, or resolved/closed (the KPIs treat both alike).
    pub to_class: StatusClass,
}

/// Rating scale of a survey question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
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
        // The stored spellings first: the survey loader parses one per row.
        match s {
            "csat_1_5" => return Some(Scale::Csat15),
            "nps_0_10" => return Some(Scale::Nps010),
            _ => {}
        }
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
    /// Interned submission: the respondent, or for an anonymous answer its
    /// file and line (`None` only for rows built by hand).
    pub respondent: Option<u32>,
}

/// A satisfaction rating kept on a ticket by its server (a Redmine custom
/// field named in the source's `csat_custom_field_id`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingRow {
    pub ticket_id: i64,
    /// When it counts: the ticket's resolution (its last update while open).
    pub at: i64,
    /// The rating; `None` when the field holds something that is not a whole number.
    pub score: Option<i64>,
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
    /// Names whose ids are their positions (empty names are gaps).
    pub fn from_names(names: Vec<String>) -> Interner {
        Interner { map: HashMap::new(), names }
    }

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

/// Tickets that can matter for `[start, end)`: created before its end and
/// not finally resolved before its start. Ordered by id. Deleted tickets
/// are left out. Triage categories and first responses are merged in from
/// their own tables (read in id order, no per-ticket lookups).
pub fn load_tickets(c: &Connection, start: i64, end: i64) -> Result<Vec<TicketRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, priority, remote_category, created_at,
                CASE WHEN status_class = 'open' THEN NULL ELSE COALESCE(resolved_at, updated_at) END
         FROM tickets INDEXED BY tickets_kpi
         WHERE deleted_at IS NULL AND created_at < ?2
           AND (status_class = 'open' OR resolved_at IS NULL OR resolved_at >= ?1)
         ORDER BY id",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    let mut prio_cache: HashMap<String, Priority> = HashMap::new();
    while let Some(r) = rows.next()? {
        let prio = match opt_str(r, 1)? {
            None => Priority::Unset,
            Some(p) => match prio_cache.get(p) {
                Some(x) => *x,
                None => {
                    let x = Priority::normalize(p);
                    prio_cache.insert(p.to_string(), x);
                    x
                }
            },
        };
        let closed_at: Option<i64> = r.get(4)?;
        out.push(TicketRow {
            id: r.get(0)?,
            priority: prio,
            category: opt_str(r, 2)?.and_then(Category::parse),
            // Resolved and closed are alike here: the lifecycle only needs "not open".
            status_class: if closed_at.is_some() { StatusClass::Resolved } else { StatusClass::Open },
            created_at: r.get(3)?,
            updated_at: closed_at.unwrap_or(0),
            resolved_at: closed_at,
            first_response_at: None,
        });
    }
    // Effective category: the user's override, else the automatic triage,
    // else the server's own category (kept from above).
    let mut tri = c.prepare_cached(
        "SELECT ticket_id, COALESCE(category_override, category) FROM triage
         WHERE COALESCE(category_override, category) IS NOT NULL ORDER BY ticket_id",
    )?;
    let mut rows = tri.query([])?;
    let mut i = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if let Some(t) = seek(&out, &mut i, id) {
            if let Some(cat) = Category::parse(text(r, 1)?) {
                out[t].category = Some(cat);
            }
        }
    }
    let mut fr = c.prepare_cached("SELECT ticket_id, at FROM ticket_first_response ORDER BY ticket_id")?;
    let mut rows = fr.query([])?;
    let mut i = 0;
    while let Some(r) = rows.next()? {
        if let Some(t) = seek(&out, &mut i, r.get(0)?) {
            out[t].first_response_at = Some(r.get(1)?);
        }
    }
    Ok(out)
}

/// Advance `i` through `tickets` (ordered by id) to `id`; its index if present.
fn seek(tickets: &[TicketRow], i: &mut usize, id: i64) -> Option<usize> {
    while *i < tickets.len() && tickets[*i].id < id {
        *i += 1;
    }
    (*i < tickets.len() && tickets[*i].id == id).then_some(*i)
}

/// Status changes before `end`, ordered by ticket and time.
pub fn load_status_changes(c: &Connection, end: i64) -> Result<Vec<StatusRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT ticket_id, at, to_class = 'open' FROM status_changes
         WHERE at < ?1 ORDER BY ticket_id, at, id",
    )?;
    let mut rows = stmt.query([end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(StatusRow {
            ticket_id: r.get(0)?,
            at: r.get(1)?,
            to_class: if r.get::<_, i64>(2)? != 0 { StatusClass::Open } else { StatusClass::Resolved },
        });
    }
    Ok(out)
}

/// Survey answers in `[start, end)`.
pub fn load_surveys(c: &Connection, start: i64, end: i64, people: &mut Interner) -> Result<Vec<SurveyRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT answered_at, scale, score, submission FROM survey_responses
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

/// Ratings kept on tickets whose resolution (last update while open) lies
/// in `[start, end)`: for the sources whose config names a rating field
/// (`csat_custom_field_id`), read from the server's raw record
/// (`custom_fields[].value`; a blank field is no rating); and Zendesk's own
/// satisfaction rating on the sources of that kind that name no field
/// ([`zendesk_ratings`]). Sources with neither cost nothing.
pub fn load_ticket_ratings(c: &Connection, start: i64, end: i64) -> Result<Vec<RatingRow>> {
    let mut out = zendesk_ratings(c, start, end)?;
    let configured: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM sources
             WHERE json_valid(config) AND json_type(config, '$.csat_custom_field_id') = 'integer'",
        )?
        .query_row([], |r| r.get(0))?;
    if configured == 0 {
        return Ok(out);
    }
    let mut stmt = c.prepare_cached(
        "SELECT t.id, COALESCE(t.resolved_at, t.updated_at), json_extract(cf.value, '$.value')
         FROM sources s
         JOIN tickets t ON t.source_id = s.id
         JOIN json_each(CASE WHEN json_valid(t.raw) THEN t.raw ELSE '{}' END, '$.custom_fields') cf
         WHERE json_valid(s.config) AND json_type(s.config, '$.csat_custom_field_id') = 'integer'
           AND t.deleted_at IS NULL
           AND json_extract(cf.value, '$.id') = json_extract(s.config, '$.csat_custom_field_id')
           AND COALESCE(t.resolved_at, t.updated_at) >= ?1 AND COALESCE(t.resolved_at, t.updated_at) < ?2
         ORDER BY t.id",
    )?;
    let mut rows = stmt.query([start, end])?;
    while let Some(r) = rows.next()? {
        use rusqlite::types::ValueRef;
        let score = match r.get_ref(2)? {
            ValueRef::Null => continue,
            ValueRef::Integer(i) => Some(i),
            ValueRef::Text(t) => match std::str::from_utf8(t).unwrap_or("").trim() {
                "" => continue,
                v => v.parse::<i64>().ok(),
            },
            _ => None,
        };
        out.push(RatingRow { ticket_id: r.get(0)?, at: r.get(1)?, score });
    }
    out.sort_by_key(|r| r.ticket_id);
    Ok(out)
}

/// Zendesk's satisfaction rating (`satisfaction_rating.score` in the raw
/// ticket the connector keeps): `good` counts as a 5 and `bad` as a 1, so
/// the share of 4–5 is good ÷ (good + bad), Zendesk's own CSAT; `offered`
/// and `unoffered` are no answer. Read only on Zendesk sources that name no
/// `csat_custom_field_id` (a named field wins, and is read above).
fn zendesk_ratings(c: &Connection, start: i64, end: i64) -> Result<Vec<RatingRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT t.id, COALESCE(t.resolved_at, t.updated_at), json_extract(t.raw, '$.satisfaction_rating.score')
         FROM sources s
         JOIN tickets t ON t.source_id = s.id
         WHERE s.kind = 'zendesk'
           AND NOT (json_valid(s.config) AND json_type(s.config, '$.csat_custom_field_id') IS NOT NULL)
           AND t.deleted_at IS NULL AND json_valid(t.raw)
           AND COALESCE(t.resolved_at, t.updated_at) >= ?1 AND COALESCE(t.resolved_at, t.updated_at) < ?2
           AND json_extract(t.raw, '$.satisfaction_rating.score') IN ('good', 'bad')
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([start, end], |r| {
        let score: String = r.get(2)?;
        Ok(RatingRow { ticket_id: r.get(0)?, at: r.get(1)?, score: Some(if score == "good" { 5 } else { 1 }) })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Usage events in `[start, end)`, and the feature names by number.
/// Users and features are the store's own numbers (`usage_users.id`,
/// `usage_features.id`): no strings are read per event.
pub fn load_usage(c: &Connection, start: i64, end: i64) -> Result<(Vec<UsageRow>, Interner)> {
    let mut stmt = c.prepare_cached(
        "SELECT at, user_id, feature_id, outcome FROM usage_events WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = stmt.query([start, end])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let outcome: i64 = r.get(3)?;
        out.push(UsageRow {
            at: r.get(0)?,
            user: r.get::<_, i64>(1)?.clamp(0, u32::MAX as i64) as u32,
            feature: r.get::<_, i64>(2)?.clamp(0, u32::MAX as i64) as u32,
            ok: match outcome {
                1 => Some(true),
                0 => Some(false),
                _ => None,
            },
        });
    }
    let mut names = Vec::new();
    let mut st = c.prepare_cached("SELECT id, name FROM usage_features ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id = r.get::<_, i64>(0)?.clamp(0, 1 << 24) as usize;
        if names.len() <= id {
            names.resize(id + 1, String::new());
        }
        names[id] = text(r, 1)?.to_string();
    }
    Ok((out, Interner::from_names(names)))
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
