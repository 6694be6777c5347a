//! The values the inbox's filters offer: what the stored tickets actually use.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Store;
use crate::Result;

/// Distinct filter values over the live (not deleted) tickets: priorities
/// most severe first, the others by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TicketFacets {
    pub priorities: Vec<String>,
    pub assignees: Vec<String>,
    pub sources: Vec<String>,
}

fn distinct(c: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut st = c.prepare_cached(sql)?;
    let values = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(values)
}

impl Store {
    /// The priorities, assignees and source names the inbox can filter on.
    pub fn ticket_facets(&self) -> Result<TicketFacets> {
        self.read(|c| {
            let mut priorities =
                distinct(c, "SELECT DISTINCT priority FROM tickets WHERE deleted_at IS NULL AND priority <> ''")?;
            crate::kpi::Priority::sort_by_severity(&mut priorities);
            Ok(TicketFacets {
                priorities,
                assignees: distinct(
                    c,
                    "SELECT DISTINCT assignee FROM tickets WHERE deleted_at IS NULL AND assignee IS NOT NULL ORDER BY 1",
                )?,
                sources: distinct(c, "SELECT name FROM sources ORDER BY name")?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceKind, StatusClass, TicketRecord};
    use crate::store::sources::NewSource;
    use crate::store::tickets::upsert_tickets;
    use chrono::{TimeZone, Utc};

    fn record(id: &str, priority: &str, assignee: Option<&str>) -> TicketRecord {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        TicketRecord {
            remote_id: id.into(),
            key: format!("#{id}"),
            title: format!("ticket {id}"),
            description: String::new(),
            status: "New".into(),
            status_class: StatusClass::Open,
            priority: priority.into(),
            tracker: "Bug".into(),
            category: None,
            assignee: assignee.map(str::to_string),
            reporter: None,
            created_at: t,
            updated_at: t,
            resolved_at: None,
            remote_version: "1".into(),
            raw: None,
            comments: None,
            status_changes: None,
        }
    }

    #[test]
    fn facets_list_each_used_value_once_in_order() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        let src = store
            .add_source(
                &NewSource {
                    name: "erp".into(),
                    kind: SourceKind::Redmine,
                    url: "http://127.0.0.1:1".into(),
                    project: "erp".into(),
                    token_env: None,
                    config: serde_json::json!({}),
                },
                Utc::now(),
            )
            .unwrap();
        let records = [
            record("1", "High", Some("Zoe")),
            record("2", "Low", Some("Adam")),
            record("3", "High", None),
            record("4", "Urgent", None),
            record("5", "Normal", None),
            record("6", "Immediate", None),
        ];
        store.with_tx(|tx| upsert_tickets(tx, src.id, &records)).unwrap();
        let f = store.ticket_facets().unwrap();
        // Most severe first, as Redmine's own list reads, not alphabetically.
        assert_eq!(f.priorities, ["Immediate", "Urgent", "High", "Normal", "Low"]);
        assert_eq!(f.assignees, ["Adam", "Zoe"]);
        assert_eq!(f.sources, ["erp"]);
    }
}
