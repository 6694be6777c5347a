//! The validation queue: tickets whose server status means "fixed, awaiting
//! business validation" (per source, `validation.awaiting_statuses` in the
//! source's config; Redmine default Resolved and Feedback), most urgent
//! first, then oldest fix first.
//!
//! A ticket leaves the queue once a validation (not superseded, not
//! `blocked`) was recorded since it was last resolved, even before that
//! validation is pushed.

use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, types::Value, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::record::{source_validation_config, ticket_validations};
use super::Validation;
use crate::model::Comment;
use crate::store::{from_ts, opt_from_ts};
use crate::{Result, Store};

/// Filters of the queue; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueFilter {
    /// Process area: the tracker, or the server's category when the source
    /// is configured with `validation.process_area_field = "category"`.
    pub process_area: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    pub source: Option<String>,
}

/// One ticket waiting for validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueueItem {
    pub ticket_id: i64,
    pub source: String,
    pub key: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    /// Where `priority` sorts, most severe first ([`crate::kpi::Priority::severity_rank`]).
    pub priority_rank: u32,
    pub process_area: String,
    pub assignee: Option<String>,
    /// When the fix was delivered (the ticket last entered a resolved status).
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Days the fix has been waiting at `now`.
    pub waiting_days: i64,
    /// The latest comments, newest first: what the developers say they
    /// fixed (our own validation comments left out).
    pub fix_notes: Vec<Comment>,
    /// Earlier validation rounds of this ticket, oldest first.
    pub history: Vec<Validation>,
    /// Why a validation recorded here can never reach a server (a demo
    /// ticket: [`super::DEMO_STAYS_LOCAL`]), said before the user records one.
    pub stays_local: Option<String>,
}

/// Rank of a priority name: lower is more urgent. Unknown names rank last.
pub fn priority_rank(name: &str) -> u8 {
    match name.trim().to_ascii_lowercase().as_str() {
        "immediate" | "critical" | "blocker" | "highest" | "p1" | "1 - critical" => 0,
        "urgent" | "p2" | "2 - high" => 1,
        "high" | "major" | "p3" => 2,
        "normal" | "medium" | "moderate" | "p4" | "3 - moderate" => 3,
        "low" | "minor" | "lowest" | "trivial" | "p5" | "4 - low" => 4,
        _ => 5,
    }
}

/// How many fix notes each queue item carries.
const FIX_NOTES: usize = 3;

/// The queue at `now`, filtered.
pub fn validation_queue(c: &Connection, filter: &QueueFilter, now: DateTime<Utc>) -> Result<Vec<QueueItem>> {
    let mut out = Vec::new();
    let sources: Vec<(i64, String, String)> = c
        .prepare("SELECT id, name, kind FROM sources ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (source_id, source_name, kind) in sources {
        let stays_local = super::stays_local(&kind).map(str::to_string);
        if filter.source.as_ref().is_some_and(|s| *s != source_name) {
            continue;
        }
        let config = source_validation_config(c, source_id)?;
        if config.awaiting_statuses.is_empty() {
            continue;
        }
        let mut args: Vec<Value> = vec![Value::Integer(source_id)];
        let marks: Vec<String> = config
            .awaiting_statuses
            .iter()
            .map(|s| {
                args.push(Value::Text(s.clone()));
                format!("?{}", args.len())
            })
            .collect();
        let sql = format!(
            "SELECT t.id, t.key, t.title, t.status, t.priority, t.tracker, t.remote_category, t.assignee,
                    t.resolved_at, t.updated_at
             FROM tickets t
             WHERE t.source_id = ?1 AND t.deleted_at IS NULL AND t.status IN ({})
               AND NOT EXISTS (
                   SELECT 1 FROM validations v
                   WHERE v.ticket_id = t.id AND v.outcome != 'blocked'
                     AND v.recorded_at >= COALESCE(t.resolved_at, t.updated_at)
                     AND NOT EXISTS (SELECT 1 FROM validations n WHERE n.supersedes = v.id))",
            marks.join(", ")
        );
        let mut st = c.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                let tracker: String = r.get(5)?;
                let category: Option<String> = r.get(6)?;
                let resolved_at = opt_from_ts(r.get(8)?);
                let updated_at = from_ts(r.get(9)?);
                Ok(QueueItem {
                    ticket_id: r.get(0)?,
                    source: source_name.clone(),
                    key: r.get(1)?,
                    title: r.get(2)?,
                    status: r.get(3)?,
                    priority_rank: crate::kpi::Priority::severity_rank(&r.get::<_, String>(4)?),
                    priority: r.get(4)?,
                    process_area: if config.process_area_field == "category" {
                        category.unwrap_or_default()
                    } else {
                        tracker
                    },
                    assignee: r.get(7)?,
                    resolved_at,
                    updated_at,
                    waiting_days: (now - resolved_at.unwrap_or(updated_at)).num_days().max(0),
                    fix_notes: Vec::new(),
                    history: Vec::new(),
                    stays_local: stays_local.clone(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(rows.into_iter().filter(|q| {
            filter.process_area.as_ref().is_none_or(|p| q.process_area.eq_ignore_ascii_case(p))
                && filter.priority.as_ref().is_none_or(|p| q.priority.eq_ignore_ascii_case(p))
                && filter.assignee.as_ref().is_none_or(|a| q.assignee.as_deref() == Some(a.as_str()))
        }));
    }
    out.sort_by(|a, b| {
        priority_rank(&a.priority)
            .cmp(&priority_rank(&b.priority))
            .then(a.resolved_at.unwrap_or(a.updated_at).cmp(&b.resolved_at.unwrap_or(b.updated_at)))
            .then(a.ticket_id.cmp(&b.ticket_id))
    });
    for item in &mut out {
        item.fix_notes = c
            .prepare_cached(
                "SELECT remote_id, author, body, created_at FROM comments
                 WHERE ticket_id = ?1 AND trim(body) != '' AND instr(body, ?3) = 0
                 ORDER BY created_at DESC, id DESC LIMIT ?2",
            )?
            .query_map(rusqlite::params![item.ticket_id, FIX_NOTES as i64, super::MARKER_PREFIX], |r| {
                Ok(Comment { remote_id: r.get(0)?, author: r.get(1)?, body: r.get(2)?, created_at: from_ts(r.get(3)?) })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        item.history = ticket_validations(c, item.ticket_id)?;
    }
    Ok(out)
}

impl Store {
    /// The validation queue (see [`validation_queue`]).
    pub fn validation_queue(&self, filter: &QueueFilter, now: DateTime<Utc>) -> Result<Vec<QueueItem>> {
        self.read(|c| validation_queue(c, filter, now))
    }

    /// How many tickets await validation (the count in the navigation).
    pub fn validation_queue_count(&self, filter: &QueueFilter, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.validation_queue(filter, now)?.len())
    }
}
