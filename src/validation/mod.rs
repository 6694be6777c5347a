//! Fix validation: the queue of tickets awaiting business validation,
//! recording validations offline (append-only), and pushing them back to the
//! ticket server exactly once through an outbox.
//!
//! Data walks one way: screen → [`record::record_validation`] (validation +
//! outbox rows in one transaction) → [`push::push_outbox`] → server.
//!
//! **Invariant:** a validation is never overwritten, only superseded (SQLite
//! triggers refuse UPDATE and DELETE on `validations`).
//! **Invariant:** before writing, push looks on the server for the
//! validation's marker `[hypercare-validation:<uuid>]`; what is there is
//! never written again.
//!
//! Evidence bytes are kept inside the store (`validation_evidence.content`):
//! one file to back up, no dangling paths, and the recording transaction
//! covers them. Files are capped at [`record::MAX_EVIDENCE_BYTES`].
//!
//! Per-source settings live in `sources.config` (all keys optional):
//!
//! ```json
//! {"validation": {
//!     "awaiting_statuses": ["Resolved", "Feedback"],
//!     "transitions": {"passed": "Closed", "failed": "In Progress", "blocked": null},
//!     "process_area_field": "tracker"}}
//! ```
//!
//! The transition's target status is fixed when the validation is recorded
//! (the outbox row carries its name); the name is resolved to the server's
//! id at push time (Redmine: the status id; Jira: the transition whose
//! target status has that name; ServiceNow: sent as the state's label, or
//! as its choice value when the name is a number; Zendesk: the fixed status
//! it maps to, [`zendesk::zendesk_status`]).

pub mod comment;
pub mod draft;
pub mod jira;
pub mod kpi;
pub mod outbox;
pub mod push;
pub mod push_category;
mod push_category_vendor;
pub mod push_jira;
pub mod push_servicenow;
pub mod push_vendor;
pub mod push_zendesk;
pub mod queue;
pub mod record;
pub mod redmine;
pub mod servicenow;
mod settle;
pub mod zendesk;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::SourceKind;
use crate::{Error, Result};

/// What the user is told about a validation on a demo ticket: it is
/// recorded, but there is no server it could ever reach.
pub const DEMO_STAYS_LOCAL: &str = "Demo validations stay on this machine: the demo has no server to push to.";

/// Why validations of a source's tickets can never be pushed (the built-in
/// demo), or `None` when they can. `kind` is the source's stored kind
/// (`sources.kind`). The outbox offers no Retry for these.
pub fn stays_local(kind: &str) -> Option<&'static str> {
    (SourceKind::parse(kind) == Some(SourceKind::Demo)).then_some(DEMO_STAYS_LOCAL)
}

/// The result of one validation round (TestRail's and Xray's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    Passed,
    Failed,
    Blocked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Blocked => "blocked",
        }
    }
    /// Parse `passed|failed|blocked` (case-insensitive); a clear error otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "passed" => Ok(Outcome::Passed),
            "failed" => Ok(Outcome::Failed),
            "blocked" => Ok(Outcome::Blocked),
            _ => Err(Error::invalid(format!("outcome {s:?} is not valid: use passed, failed or blocked"))),
        }
    }
}

/// State of one outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    /// Not on the server yet; push will try (again) at `next_attempt_at`.
    Pending,
    /// On the server (found there or written).
    Sent,
    /// The server refused it for good; `last_error` says why.
    Rejected,
    /// The ticket changed on the server since the validator opened it; the
    /// user pushes anyway (`push --force`), revises or discards.
    Conflict,
    /// The user dropped it. Nothing is deleted.
    Discarded,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Rejected => "rejected",
            OutboxState::Conflict => "conflict",
            OutboxState::Discarded => "discarded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(OutboxState::Pending),
            "sent" => Some(OutboxState::Sent),
            "rejected" => Some(OutboxState::Rejected),
            "conflict" => Some(OutboxState::Conflict),
            "discarded" => Some(OutboxState::Discarded),
            _ => None,
        }
    }
}

/// What kind of server write an outbox row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxKind {
    Comment,
    Attachment,
    Transition,
    /// A ticket's confirmed triage category (not part of a validation).
    Category,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Comment => "comment",
            OutboxKind::Attachment => "attachment",
            OutboxKind::Transition => "transition",
            OutboxKind::Category => "category",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "comment" => Some(OutboxKind::Comment),
            "attachment" => Some(OutboxKind::Attachment),
            "transition" => Some(OutboxKind::Transition),
            "category" => Some(OutboxKind::Category),
            _ => None,
        }
    }
}

/// Metadata of one evidence file (the bytes stay in the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EvidenceInfo {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// One recorded validation round, as the history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Validation {
    pub id: i64,
    /// Marker posted to the server: `[hypercare-validation:<uuid>]`.
    pub uuid: String,
    pub ticket_id: i64,
    pub ticket_key: String,
    pub round: i64,
    pub outcome: Outcome,
    pub steps: String,
    pub environment: String,
    pub test_data: String,
    pub notes: String,
    pub validator: String,
    pub recorded_at: DateTime<Utc>,
    /// The validation this one corrects.
    pub supersedes: Option<i64>,
    /// Set when a later validation corrects this one.
    pub superseded_by: Option<i64>,
    pub evidence: Vec<EvidenceInfo>,
    /// Summary of the outbox rows: `pending`, `sent`, ... (the "worst" state wins).
    pub push_state: Option<OutboxState>,
    /// Why this validation can never reach a server (its ticket is the
    /// demo's: [`DEMO_STAYS_LOCAL`]); `None` when it can be pushed.
    pub stays_local: Option<String>,
}

/// The text that identifies a validation's writes on the server.
pub fn marker(uuid: &str) -> String {
    format!("[hypercare-validation:{uuid}]")
}

/// Prefix shared by every marker (to tell our journals from others').
pub const MARKER_PREFIX: &str = "[hypercare-validation:";

/// Per-source validation settings, from `sources.config` → `"validation"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValidationConfig {
    /// Server statuses meaning "fixed, awaiting validation".
    pub awaiting_statuses: Vec<String>,
    /// Server status to move to on `passed` (None: no transition).
    pub on_passed: Option<String>,
    /// Server status to move to on `failed` (reopen).
    pub on_failed: Option<String>,
    /// Server status to move to on `blocked`.
    pub on_blocked: Option<String>,
    /// Which ticket field is the "process area": `tracker` or `category`.
    pub process_area_field: String,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        ValidationConfig {
            awaiting_statuses: vec!["Resolved".into(), "Feedback".into()],
            on_passed: Some("Closed".into()),
            on_failed: Some("In Progress".into()),
            on_blocked: None,
            process_area_field: "tracker".into(),
        }
    }
}

impl ValidationConfig {
    /// Read the `"validation"` object of a source's config; absent keys keep
    /// their defaults. A present but malformed value is an error.
    pub fn from_source_config(config: &serde_json::Value) -> Result<Self> {
        let mut out = ValidationConfig::default();
        let Some(v) = config.get("validation") else { return Ok(out) };
        let bad = |what: &str| Error::invalid(format!("source config: validation.{what} is not valid"));
        if let Some(a) = v.get("awaiting_statuses") {
            out.awaiting_statuses = serde_json::from_value(a.clone()).map_err(|_| bad("awaiting_statuses"))?;
        }
        if let Some(t) = v.get("transitions") {
            let t: std::collections::HashMap<String, Option<String>> =
                serde_json::from_value(t.clone()).map_err(|_| bad("transitions"))?;
            for (k, s) in t {
                let s = s.filter(|s| !s.trim().is_empty());
                match Outcome::parse(&k)? {
                    Outcome::Passed => out.on_passed = s,
                    Outcome::Failed => out.on_failed = s,
                    Outcome::Blocked => out.on_blocked = s,
                }
            }
        }
        if let Some(f) = v.get("process_area_field") {
            let f = f.as_str().ok_or_else(|| bad("process_area_field"))?;
            if f != "tracker" && f != "category" {
                return Err(bad("process_area_field (use \"tracker\" or \"category\")"));
            }
            out.process_area_field = f.to_string();
        }
        Ok(out)
    }

    /// The server status an outcome moves the ticket to, if any.
    pub fn target_status(&self, outcome: Outcome) -> Option<&str> {
        match outcome {
            Outcome::Passed => self.on_passed.as_deref(),
            Outcome::Failed => self.on_failed.as_deref(),
            Outcome::Blocked => self.on_blocked.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_and_overrides() {
        let d = ValidationConfig::from_source_config(&serde_json::json!({})).unwrap();
        assert_eq!(d.awaiting_statuses, vec!["Resolved", "Feedback"]);
        assert_eq!(d.target_status(Outcome::Passed), Some("Closed"));
        assert_eq!(d.target_status(Outcome::Blocked), None);
        let c = ValidationConfig::from_source_config(&serde_json::json!({"validation": {
            "awaiting_statuses": ["Ready for UAT"],
            "transitions": {"passed": "Done", "failed": null, "blocked": "On Hold"},
            "process_area_field": "category"}}))
        .unwrap();
        assert_eq!(c.awaiting_statuses, vec!["Ready for UAT"]);
        assert_eq!(c.target_status(Outcome::Passed), Some("Done"));
        assert_eq!(c.target_status(Outcome::Failed), None);
        assert_eq!(c.target_status(Outcome::Blocked), Some("On Hold"));
        let e =
            ValidationConfig::from_source_config(&serde_json::json!({"validation": {"transitions": {"maybe": "X"}}}));
        assert_eq!(e.unwrap_err().code(), crate::ErrorCode::InvalidInput);
    }

    #[test]
    fn outcome_parse_names_the_bad_value() {
        assert_eq!(Outcome::parse("Passed").unwrap(), Outcome::Passed);
        let e = Outcome::parse("ok").unwrap_err().to_string();
        assert!(e.contains("\"ok\"") && e.contains("passed, failed or blocked"), "{e}");
    }
}
