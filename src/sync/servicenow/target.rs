//! What a ServiceNow source's "project" names: a table and an optional
//! encoded query, written `TABLE` or `TABLE: ENCODED_QUERY`
//! (`incident: assignment_group.name=Hypercare`).

use crate::{Error, Result};

/// The records a ServiceNow source syncs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The table, e.g. `incident`.
    pub table: String,
    /// An encoded query every listing and the census are narrowed by (the
    /// hypercare team's queue), without a sort: the sync adds its own.
    pub filter: Option<String>,
}

/// The form field the errors are about (the UI marks it).
const FIELD: &str = "project";

impl Target {
    /// Read `TABLE` or `TABLE: ENCODED_QUERY`. Table names are ServiceNow's
    /// (lower-case letters, digits, `_`); the query must not sort (the sync
    /// orders by change time) nor hold `^NQ` (an OR of whole queries would
    /// escape the sync's own conditions).
    pub fn parse(project: &str) -> Result<Target> {
        let project = project.trim();
        let (table, filter) = match project.split_once(':') {
            Some((t, f)) => (t.trim(), f.trim()),
            None => (project, ""),
        };
        if table.is_empty() {
            return Err(Error::invalid_field(
                FIELD,
                "the ServiceNow table is empty: write the table, e.g. incident, optionally followed by ': ' and an encoded query",
            ));
        }
        if !table.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(Error::invalid_field(
                FIELD,
                format!(
                    "{table:?} is not a ServiceNow table name (lower-case letters, digits and '_', e.g. incident); \
                     put an encoded query after a ':', e.g. incident: assignment_group.name=Hypercare"
                ),
            ));
        }
        let filter = filter.trim_start_matches('^');
        let filter = filter.strip_suffix("^EQ").unwrap_or(filter).trim_end_matches('^').trim();
        if filter.contains("ORDERBY") {
            return Err(Error::invalid_field(
                FIELD,
                "the encoded query must not sort (ORDERBY…): the sync orders by sys_updated_on itself; remove the ORDERBY part",
            ));
        }
        if filter.contains("^NQ") {
            return Err(Error::invalid_field(
                FIELD,
                "the encoded query must not contain ^NQ (a new query): the sync adds its own conditions to every query; \
                 write the queue as one query, e.g. with IN or ^OR",
            ));
        }
        Ok(Target { table: table.to_string(), filter: Some(filter.to_string()).filter(|f| !f.is_empty()) })
    }

    /// The source's filter followed by `conditions`, joined with `^`.
    pub fn query(&self, conditions: &[&str]) -> String {
        self.filter.iter().map(String::as_str).chain(conditions.iter().copied()).collect::<Vec<_>>().join("^")
    }

    /// "Incident" or "Incident where active=true" for messages and the connection test.
    pub fn describe(&self, label: &str) -> String {
        match &self.filter {
            Some(f) => format!("{label} where {f}"),
            None => label.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_alone_or_with_an_encoded_query() {
        assert_eq!(Target::parse(" incident ").unwrap(), Target { table: "incident".into(), filter: None });
        let t = Target::parse("incident: assignment_group.name=Hypercare Team^active=true^EQ").unwrap();
        assert_eq!(t.filter.as_deref(), Some("assignment_group.name=Hypercare Team^active=true"));
        assert_eq!(t.query(&["ORDERBYsys_id"]), "assignment_group.name=Hypercare Team^active=true^ORDERBYsys_id");
        assert_eq!(Target::parse("incident").unwrap().query(&["ORDERBYsys_id"]), "ORDERBYsys_id");
        // A ':' inside the query (javascript: values) stays in the query.
        let t = Target::parse("incident:opened_at>=javascript:gs.daysAgoStart(30)").unwrap();
        assert_eq!(t.filter.as_deref(), Some("opened_at>=javascript:gs.daysAgoStart(30)"));
    }

    #[test]
    fn what_the_sync_cannot_honour_is_refused_naming_the_field() {
        for (bad, says) in [
            ("", "table is empty"),
            ("Incident", "not a ServiceNow table name"),
            ("incident^active=true", "not a ServiceNow table name"),
            ("incident: active=true^ORDERBYDESCnumber", "must not sort"),
            ("incident: priority=1^NQpriority=2", "^NQ"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.field(), Some("project"), "{bad}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }
}
