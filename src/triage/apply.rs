//! Deciding and writing the automatic triage of loaded rows: each row is
//! classified by the embedding model when its text has a cached vector and
//! by the words model otherwise ([`super::models`]), and the basis is
//! stored with the result.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::classify::{Decision, TicketText, Triager};
use super::embed::embed_text;
use super::intake::load_intake;
use super::models::Models;
use super::priority::{Impact, PriorityMatrix, Urgency};
use super::text::{analyze, Analyzed};
use crate::model::Category;
use crate::store::to_ts;
use crate::{Error, Result};

/// A ticket (or survey comment) to triage.
pub(crate) struct Row {
    pub id: i64,
    pub text: TicketText,
}

impl Row {
    /// The text its embedding is computed from ([`embed_text`]).
    pub fn embed_text(&self) -> String {
        embed_text(&self.text.title, &self.text.description, self.text.channel.as_deref())
    }
}

/// What an automatic decision was made on (`triage.basis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The words-only model: the text had no embedding (yet).
    Words,
    /// Words and the text's sentence embedding.
    Embedding,
}

impl Basis {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Words => "words",
            Basis::Embedding => "embedding",
        }
    }
}

/// Non-deleted tickets (all, oldest first, or the given ids).
pub(crate) fn load_rows(c: &Connection, ids: Option<&[i64]>) -> Result<Vec<Row>> {
    let map = |r: &rusqlite::Row| -> rusqlite::Result<Row> {
        Ok(Row {
            id: r.get(0)?,
            text: TicketText { title: r.get(1)?, description: r.get(2)?, channel: r.get(3)?, server_priority: r.get(4)?, ..Default::default() },
        })
    };
    let sql = "SELECT id, title, description, tracker, priority FROM tickets WHERE deleted_at IS NULL";
    let mut intake = load_intake(c, ids)?;
    let mut rows = load_text_rows(c, sql, ids, map)?;
    if !intake.is_empty() {
        for r in &mut rows {
            if let Some(i) = intake.remove(&r.id) {
                r.text.intake = i;
            }
        }
    }
    Ok(rows)
}

fn load_text_rows(
    c: &Connection,
    sql: &str,
    ids: Option<&[i64]>,
    map: impl Fn(&rusqlite::Row) -> rusqlite::Result<Row>,
) -> Result<Vec<Row>> {
    // Oldest first: the theme detector samples evenly over time.
    match ids {
        None => {
            let mut st = c.prepare(&format!("{sql} ORDER BY created_at, id"))?;
            let rows = st.query_map([], &map)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        }
        Some(ids) => {
            let mut st = c.prepare_cached(&format!("{sql} AND id = ?1"))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(r) = st.query_row([id], &map).optional()? {
                    out.push(r);
                }
            }
            Ok(out)
        }
    }
}

/// One decided row.
pub(crate) struct Decided {
    pub analyzed: Analyzed,
    pub decision: Decision,
    pub basis: Basis,
}

/// Analyse and classify rows, split over the machine's cores: the
/// embedding model for a row with a vector (when there is one), the words
/// model otherwise.
pub(crate) fn decide_all(m: &Models, rows: &[Row], embs: &[Option<Vec<f32>>]) -> Vec<Decided> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = rows.len().div_ceil(threads).max(1);
    let one = |r: &Row, e: Option<&Vec<f32>>| {
        let a = analyze(&r.text.title, &r.text.description);
        let (t, e, basis): (&Triager, _, _) = match (e, m.embedded.as_deref()) {
            (Some(e), Some(t)) => (t, Some(e.as_slice()), Basis::Embedding),
            _ => (&m.words, None, Basis::Words),
        };
        let d = t.decide_with(&a, &r.text, e);
        Decided { analyzed: a, decision: d, basis }
    };
    let emb = |i: usize| embs.get(i).and_then(Option::as_ref);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| s.spawn(move || part.iter().enumerate().map(|(j, r)| one(r, emb(k * chunk + j))).collect::<Vec<_>>()))
            .collect();
        // A worker only panics on a bug; classify what it had on this thread then.
        let mut out = Vec::with_capacity(rows.len());
        for (k, (h, part)) in handles.into_iter().zip(rows.chunks(chunk)).enumerate() {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(_) => out.extend(part.iter().enumerate().map(|(j, r)| one(r, emb(k * chunk + j)))),
            }
        }
        out
    })
}

/// Write the automatic columns (and basis) of `decided` rows, overrides
/// untouched; returns each row's effective category.
pub(crate) fn write_decisions(
    tx: &Transaction<'_>,
    m: &PriorityMatrix,
    rows: &[Row],
    decided: &[Decided],
    now: DateTime<Utc>,
) -> Result<Vec<Category>> {
    let mut up = tx.prepare_cached(
        "INSERT INTO triage(ticket_id, category, confidence, impact, urgency, priority, signals, basis, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(ticket_id) DO UPDATE SET category = excluded.category,
           confidence = excluded.confidence, impact = excluded.impact, urgency = excluded.urgency,
           priority = excluded.priority, signals = excluded.signals, basis = excluded.basis,
           updated_at = excluded.updated_at",
    )?;
    // A re-run after a sync mostly reproduces the stored values: skip those
    // writes (updated_at then says when the automatic result last changed).
    let mut old = tx.prepare_cached(
        "SELECT category, confidence, impact, urgency, priority, signals, basis FROM triage WHERE ticket_id = ?1",
    )?;
    type Stored = (Option<String>, Option<f64>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let overrides = load_overrides(tx)?;
    let mut effective = Vec::with_capacity(rows.len());
    for (r, x) in rows.iter().zip(decided) {
        let d = &x.decision;
        let o = overrides.get(&r.id);
        effective.push(o.and_then(|x| x.0.as_deref()).and_then(Category::parse).unwrap_or(d.category));
        let priority = match o {
            Some((c, i, u)) => m.priority(
                c.as_deref().and_then(Category::parse).unwrap_or(d.category),
                i.as_deref().and_then(Impact::parse).unwrap_or(d.impact),
                u.as_deref().and_then(Urgency::parse).unwrap_or(d.urgency),
            ),
            None => m.most_likely(&d.probs.0, &d.probs.1, &d.probs.2),
        };
        let signals = serde_json::to_string(&d.signals).map_err(|e| Error::Internal(e.to_string()))?;
        let stored: Option<Stored> = old
            .query_row([r.id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?, x.get(6)?)))
            .optional()?;
        if let Some((c, conf, i, u, p, sig, basis)) = stored {
            let same = c.as_deref() == Some(d.category.as_str())
                && conf.is_some_and(|x| (x - d.confidence as f64).abs() < 1e-6)
                && i.as_deref() == Some(d.impact.as_str())
                && u.as_deref() == Some(d.urgency.as_str())
                && p.as_deref() == Some(priority.as_str())
                && sig.as_deref() == Some(signals.as_str())
                && basis.as_deref() == Some(x.basis.as_str());
            if same {
                continue;
            }
        }
        up.execute(params![
            r.id,
            d.category.as_str(),
            d.confidence as f64,
            d.impact.as_str(),
            d.urgency.as_str(),
            priority.as_str(),
            signals,
            x.basis.as_str(),
            to_ts(now)
        ])?;
    }
    Ok(effective)
}

type Overrides = (Option<String>, Option<String>, Option<String>);

/// Overrides are few: load them once instead of asking per ticket.
fn load_overrides(c: &Connection) -> Result<std::collections::HashMap<i64, Overrides>> {
    let mut ov = c.prepare_cached(
        "SELECT ticket_id, category_override, impact_override, urgency_override FROM triage
         WHERE category_override IS NOT NULL OR impact_override IS NOT NULL OR urgency_override IS NOT NULL",
    )?;
    let rows = ov.query_map([], |x| Ok((x.get(0)?, (x.get(1)?, x.get(2)?, x.get(3)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
