//! The product's vocabulary: tickets, comments, status changes, sources.
//!
//! Types here cross every boundary (store, connectors, CLI JSON, IPC), so
//! they derive `Serialize` and `ts_rs::TS`; the desktop UI's TypeScript
//! bindings are generated from them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The coarse meaning of a server status, independent of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StatusClass {
    Open,
    Resolved,
    Closed,
}

impl StatusClass {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusClass::Open => "open",
            StatusClass::Resolved => "resolved",
            StatusClass::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(StatusClass::Open),
            "resolved" => Some(StatusClass::Resolved),
            "closed" => Some(StatusClass::Closed),
            _ => None,
        }
    }
}

/// Kind of ticket server a source talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SourceKind {
    Redmine,
    Jira,
    ServiceNow,
    Zendesk,
    /// The built-in sample hypercare (`hypercare demo`); never synced.
    Demo,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Redmine => "redmine",
            SourceKind::Jira => "jira",
            SourceKind::ServiceNow => "service_now",
            SourceKind::Zendesk => "zendesk",
            SourceKind::Demo => "demo",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "redmine" => Some(SourceKind::Redmine),
            "jira" => Some(SourceKind::Jira),
            "service_now" | "servicenow" => Some(SourceKind::ServiceNow),
            "zendesk" => Some(SourceKind::Zendesk),
            "demo" => Some(SourceKind::Demo),
            _ => None,
        }
    }
}

/// A configured ticket server (or the demo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub kind: SourceKind,
    pub url: String,
    /// Redmine project identifier, Jira JQL filter, ... (connector-specific).
    pub project: String,
    /// Name of the environment variable that holds the API token (CLI route).
    /// The token itself is never stored.
    pub token_env: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// `ok` or `failed` after the last sync; `None` before the first.
    pub last_sync_status: Option<String>,
    pub last_sync_error: Option<String>,
}

/// The feedback categories of a hypercare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Category {
    CriticalBug,
    MajorBug,
    Performance,
    Usability,
    Integration,
    MinorBug,
    Documentation,
    Training,
    Enhancement,
    DataIssue,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::CriticalBug,
        Category::MajorBug,
        Category::Performance,
        Category::Usability,
        Category::Integration,
        Category::MinorBug,
        Category::Documentation,
        Category::Training,
        Category::Enhancement,
        Category::DataIssue,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::CriticalBug => "critical_bug",
            Category::MajorBug => "major_bug",
            Category::Performance => "performance",
            Category::Usability => "usability",
            Category::Integration => "integration",
            Category::MinorBug => "minor_bug",
            Category::Documentation => "documentation",
            Category::Training => "training",
            Category::Enhancement => "enhancement",
            Category::DataIssue => "data_issue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Category::CriticalBug => "Critical bug",
            Category::MajorBug => "Major bug",
            Category::Performance => "Performance",
            Category::Usability => "Usability",
            Category::Integration => "Integration",
            Category::MinorBug => "Minor bug",
            Category::Documentation => "Documentation gap",
            Category::Training => "Training need",
            Category::Enhancement => "Enhancement",
            Category::DataIssue => "Data issue",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A ticket as a connector delivers it: the server's full current state.
///
/// `comments` and `status_changes` are `None` when the connector did not
/// fetch them this time (the stored ones are kept), `Some` with the complete
/// list otherwise (the stored ones are replaced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRecord {
    pub remote_id: String,
    pub key: String,
    pub title: String,
    pub description: String,
    /// The server's own status name ("Resolved", "In Progress", ...).
    pub status: String,
    pub status_class: StatusClass,
    pub priority: String,
    /// Tracker / issue type ("Bug", "Support", "Incident", ...).
    pub tracker: String,
    /// The server's own category field, if it has one.
    pub category: Option<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the ticket last entered a resolved or closed status, if it is in one.
    pub resolved_at: Option<DateTime<Utc>>,
    /// A token that changes whenever the server's record changes
    /// (Redmine: `updated_on`). Equal tokens let the store skip the write.
    pub remote_version: String,
    /// The server's raw record (JSON), kept for fields the app does not model.
    pub raw: Option<String>,
    pub comments: Option<Vec<CommentRecord>>,
    pub status_changes: Option<Vec<StatusChangeRecord>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentRecord {
    pub remote_id: String,
    pub author: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChangeRecord {
    pub remote_id: String,
    pub at: DateTime<Utc>,
    pub from_status: Option<String>,
    pub from_class: Option<StatusClass>,
    pub to_status: String,
    pub to_class: StatusClass,
    pub author: Option<String>,
}

/// One row of the inbox (`hypercare tickets --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TicketSummary {
    /// Local id (stable for the life of the store).
    pub id: i64,
    /// Name of the source.
    pub source: String,
    pub remote_id: String,
    pub key: String,
    pub title: String,
    pub status: String,
    pub status_class: StatusClass,
    pub priority: String,
    pub tracker: String,
    /// Effective triage category (a user's override wins), if triaged.
    pub category: Option<Category>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Comments with text.
    pub comment_count: i64,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Comment {
    pub remote_id: String,
    pub author: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub to_class: StatusClass,
    pub author: Option<String>,
}

/// Everything the ticket detail view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TicketDetail {
    pub summary: TicketSummary,
    pub description: String,
    pub url: Option<String>,
    pub comments: Vec<Comment>,
    pub status_history: Vec<StatusChange>,
}

/// Filters of the inbox. Every field narrows; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TicketQuery {
    /// Full-text search over title, description and comments. Words are
    /// ANDed; a trailing `*` makes a prefix.
    pub search: Option<String>,
    pub status_class: Option<StatusClass>,
    pub source: Option<String>,
    pub priority: Option<String>,
    pub category: Option<Category>,
    pub assignee: Option<String>,
    /// Only tickets updated at or after this instant.
    pub updated_from: Option<DateTime<Utc>>,
    /// Only tickets updated before this instant.
    pub updated_to: Option<DateTime<Utc>>,
    /// Include tickets deleted on the server (tombstones).
    #[serde(default)]
    pub include_deleted: bool,
    /// Page size (default 200).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// Only the tickets behind a point of a KPI chart (the dashboard's
    /// drill-down); the other fields narrow further.
    #[serde(default)]
    pub kpi: Option<crate::kpi::drill::KpiTicketSelector>,
}

/// What a sync run did (`hypercare sync --json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    pub source: String,
    pub fetched: u64,
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
    pub requests: u64,
    /// The sync itself: listing, fetching, writing, census.
    pub duration_ms: u64,
    /// Triage of the created and updated tickets after the sync (category,
    /// priority, themes), not counted in `duration_ms`.
    #[serde(default)]
    pub triage_ms: u64,
    /// Of the changed tickets, those triaged on words because their text has
    /// no sentence embedding yet (the background refinement takes them on).
    #[serde(default)]
    pub triage_pending: u64,
}

/// Progress of long work, streamed to the CLI's bar and the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[ts(export)]
pub enum SyncProgress {
    Started { source: String },
    /// A page of tickets was applied. `total` is the server's count when known.
    Page { source: String, pages: u64, tickets: u64, total: Option<u64> },
    Census { source: String, checked: u64 },
    Finished { summary: SyncSummary },
}
