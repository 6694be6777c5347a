//! The dashboard's filter: which tickets the ticket-based KPIs count.
//!
//! A filter narrows by source, priority (normalised, P1..P4/Unset) and
//! effective category (the user's triage override, else the automatic
//! triage, else the server's own category — the category the volume chart
//! shows). Within one field the values are alternatives (P1 *or* P2);
//! fields combine (P1 *and* usability). An empty field does not narrow.
//!
//! The filter applies to the operations KPIs, to the validation KPIs
//! (through the validated ticket) and to satisfaction ratings kept on
//! tickets. Survey answers and usage are not tickets: they are never
//! filtered, and [`applies_to`] says so for each chart.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::data::{self, TicketRow};
use super::priority::Priority;
use crate::charts::ChartKind;
use crate::model::Category;
use crate::{Error, Result};

/// Which tickets count. `Default` (all fields empty) counts every ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KpiFilter {
    /// Source names (`hypercare source list`).
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Effective triage categories.
    #[serde(default)]
    pub categories: Vec<Category>,
}

impl KpiFilter {
    /// A filter from words as people type them (`--priority p1`,
    /// `--category usability`); a word that is not a priority or category
    /// is an error listing the valid ones. Duplicates are dropped.
    pub fn parse(sources: &[String], priorities: &[String], categories: &[String]) -> Result<KpiFilter> {
        let mut f = KpiFilter::default();
        for s in sources.iter().map(|s| s.trim()) {
            if !f.sources.iter().any(|x| x == s) {
                f.sources.push(s.to_string());
            }
        }
        for p in priorities {
            let v = Priority::parse(p)
                .ok_or_else(|| Error::invalid(format!("priority {p:?}: use P1, P2, P3, P4 or Unset")))?;
            if !f.priorities.contains(&v) {
                f.priorities.push(v);
            }
        }
        for c in categories {
            let v = Category::parse(c.trim()).ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                Error::invalid(format!("category {c:?}: use one of {}", names.join(", ")))
            })?;
            if !f.categories.contains(&v) {
                f.categories.push(v);
            }
        }
        Ok(f)
    }

    /// True when the filter narrows nothing.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty() && self.priorities.is_empty() && self.categories.is_empty()
    }

    /// The filter in words (`source erp; P1 or P2; Usability`), empty when it narrows nothing.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.sources.is_empty() {
            parts.push(format!("source {}", self.sources.join(" or ")));
        }
        if !self.priorities.is_empty() {
            parts.push(self.priorities.iter().map(|p| p.label()).collect::<Vec<_>>().join(" or "));
        }
        if !self.categories.is_empty() {
            parts.push(self.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(" or "));
        }
        parts.join("; ")
    }

    /// Whether a loaded ticket passes the priority and category fields
    /// (sources are checked by id, see [`source_ticket_ids`]).
    fn keeps(&self, t: &TicketRow) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&t.priority))
            && (self.categories.is_empty() || t.category.is_some_and(|c| self.categories.contains(&c)))
    }
}

/// Ids (ascending) of the live tickets of the named sources. An unknown
/// name is an error naming it.
pub fn source_ticket_ids(c: &Connection, names: &[String]) -> Result<Vec<i64>> {
    let mut source_ids = Vec::with_capacity(names.len());
    for n in names {
        let id: Option<i64> =
            c.prepare_cached("SELECT id FROM sources WHERE name = ?1")?.query_row([n], |r| r.get(0)).optional()?;
        let id = id.ok_or_else(|| {
            Error::invalid(format!("no source named {n:?} to filter by; `hypercare source list` shows the configured ones"))
        })?;
        source_ids.push(id);
    }
    let mut ids = Vec::new();
    let mut st = c.prepare_cached("SELECT id FROM tickets WHERE source_id = ?1 AND deleted_at IS NULL")?;
    for s in source_ids {
        let rows = st.query_map([s], |r| r.get::<_, i64>(0))?;
        for r in rows {
            ids.push(r?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Keep the tickets (ordered by id, as loaded) that pass `f`. An empty
/// filter returns them untouched without reading anything.
pub fn apply(c: &Connection, f: &KpiFilter, mut tickets: Vec<TicketRow>) -> Result<Vec<TicketRow>> {
    if f.is_empty() {
        return Ok(tickets);
    }
    let by_source = if f.sources.is_empty() { None } else { Some(source_ticket_ids(c, &f.sources)?) };
    tickets.retain(|t| f.keeps(t) && by_source.as_ref().is_none_or(|ids| ids.binary_search(&t.id).is_ok()));
    Ok(tickets)
}

/// Every live ticket that passes `f`, for the KPIs that refer to tickets
/// by id (validations, ratings). `None` when the filter narrows nothing.
pub fn matching_ids(c: &Connection, f: &KpiFilter) -> Result<Option<HashSet<i64>>> {
    if f.is_empty() {
        return Ok(None);
    }
    let all = data::load_tickets(c, i64::MIN, i64::MAX)?;
    Ok(Some(apply(c, f, all)?.into_iter().map(|t| t.id).collect()))
}

/// Whether the filter applies to `kind`, and if not (or only in part), why.
pub fn applies_to(kind: ChartKind) -> (bool, Option<&'static str>) {
    match kind {
        ChartKind::IncidentTrend | ChartKind::Backlog | ChartKind::TimeToResolve => (true, None),
        ChartKind::Reopen => (true, Some("First-time fix follows the filter through the validated ticket.")),
        ChartKind::Satisfaction => (
            false,
            Some("Survey answers are not tickets: the filter does not apply to them. Ratings kept on tickets follow it."),
        ),
        ChartKind::Adoption => (false, Some("Usage is not made of tickets: the filter does not apply to this chart.")),
        ChartKind::ExitCriteria => {
            (true, Some("Ticket criteria follow the filter; the CSAT criterion counts every survey answer."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_narrows_nothing_and_says_nothing() {
        let f = KpiFilter::default();
        assert!(f.is_empty());
        assert_eq!(f.describe(), "");
    }

    #[test]
    fn the_description_names_every_field() {
        let f = KpiFilter {
            sources: vec!["erp".into()],
            priorities: vec![Priority::P1, Priority::P2],
            categories: vec![Category::Usability],
        };
        assert_eq!(f.describe(), "source erp; P1 or P2; Usability");
    }

    #[test]
    fn typed_words_parse_and_a_wrong_one_is_named() {
        let f = KpiFilter::parse(&["erp".into()], &["p1".into(), "P1".into()], &["usability".into()]).unwrap();
        assert_eq!(f.priorities, vec![Priority::P1], "case-insensitive, duplicates dropped");
        assert_eq!(f.categories, vec![Category::Usability]);
        let e = KpiFilter::parse(&[], &["urgent-ish".into()], &[]).unwrap_err();
        assert!(e.to_string().contains("\"urgent-ish\"") && e.to_string().contains("P1"), "{e}");
        let e = KpiFilter::parse(&[], &[], &["ux".into()]).unwrap_err();
        assert!(e.to_string().contains("usability"), "{e}");
    }

    #[test]
    fn the_filter_crosses_ipc_as_plain_lists() {
        let f: KpiFilter = serde_json::from_str(r#"{"priorities":["P1"],"categories":["usability"]}"#).unwrap();
        assert_eq!(f.priorities, vec![Priority::P1]);
        assert_eq!(f.categories, vec![Category::Usability]);
        assert!(f.sources.is_empty());
    }
}
