//! The connector interface: what the engine asks of a ticket server.
//!
//! A connector knows one server's API; the engine knows none. Every method
//! is a read; the engine decides what to fetch and applies the results.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ConnectionInfo;
use crate::model::{StatusChangeRecord, StatusClass, TicketRecord};
use crate::Result;

/// One ticket as the "changed since" listing shows it: enough to decide
/// whether its details must be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteStub {
    pub remote_id: String,
    /// Changes whenever the server's record changes (compared with the stored
    /// `remote_version`).
    pub version: String,
    /// The server's last-change time (what the cursor is made of).
    pub updated_at: DateTime<Utc>,
}

/// One page of the "changed since" listing, oldest change first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedPage {
    pub items: Vec<RemoteStub>,
    /// How many tickets the whole listing holds, when the server says.
    pub total: Option<u64>,
}

/// What the census found: every ticket id currently on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    pub ids: Vec<String>,
}

/// A custom field the server defines: its number and its name ("Impact").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldName {
    pub id: i64,
    pub name: String,
}

/// The entry that opens a ticket's status history: created at `at` in
/// `status`, by `author` (every connector starts the history with it).
pub fn created_change(at: DateTime<Utc>, status: (String, StatusClass), author: Option<String>) -> StatusChangeRecord {
    StatusChangeRecord {
        remote_id: "created".into(),
        at,
        from_status: None,
        from_class: None,
        to_status: status.0,
        to_class: status.1,
        author,
    }
}

/// A ticket server, seen by the engine.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The most tickets one listing page holds (the server's cap).
    fn page_size(&self) -> u64;

    /// Tickets changed at or after `since` (all tickets when `None`), sorted by
    /// change time ascending with a stable tie order, skipping the first
    /// `offset`. A connector may include some tickets changed slightly before
    /// `since` (an overlap); the engine de-duplicates.
    async fn list_changed(&self, since: Option<DateTime<Utc>>, offset: u64) -> Result<ChangedPage>;

    /// The complete record of one ticket, comments and status history
    /// included; `None` when the server no longer has it.
    async fn fetch_ticket(&self, remote_id: &str) -> Result<Option<TicketRecord>>;

    /// The complete records of several tickets (the part of a listing page
    /// that must be fetched), in the order of `ids`; `None` for a ticket the
    /// server no longer has. The default asks [`Connector::fetch_ticket`]
    /// for each, at most `concurrency` at once; a connector whose API reads
    /// many records in one request overrides it.
    async fn fetch_tickets(&self, ids: Vec<String>, concurrency: usize) -> Result<Vec<(String, Option<TicketRecord>)>> {
        use futures::{StreamExt, TryStreamExt};
        futures::stream::iter(ids)
            .map(|id| async move {
                let r = self.fetch_ticket(&id).await?;
                Ok::<_, crate::Error>((id, r))
            })
            .buffered(concurrency.max(1))
            .try_collect()
            .await
    }

    /// Every ticket id on the server (ids only, as cheaply as the API allows).
    /// `progress` gets the number of ids seen so far.
    async fn census(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<Census>;

    /// Check URL, credentials and project without changing anything.
    async fn test_connection(&self) -> Result<ConnectionInfo>;

    /// HTTP requests made so far (retries included).
    fn requests(&self) -> u64;

    /// The server's clock as its latest answer gave it (the HTTP `Date`,
    /// whole seconds); `None` when no answer carried one. The server stamps
    /// changes with this clock, which may differ from this machine's.
    fn server_time(&self) -> Option<DateTime<Utc>>;

    /// The custom fields the server defines, for servers whose tickets carry
    /// field ids without names (Jira, Zendesk); `None`: the tickets name
    /// their fields, nothing to ask.
    async fn field_names(&self) -> Result<Option<Vec<FieldName>>> {
        Ok(None)
    }
}
