//! Zendesk Support's JSON, and how one ticket becomes a [`TicketRecord`].
//!
//! Pure: no I/O. The connector ([`super::zendesk`]) fetches, this module
//! reads what came back: the incremental export's page, a ticket, a page of
//! comments; the project scope; the credential header.

use std::collections::HashMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::connector::created_change;
use super::http::{json_error, parse_json};
use super::zendesk_audits::Audited;
use crate::model::{CommentRecord, StatusChangeRecord, StatusClass, TicketRecord};
use crate::{Error, Result};

/// Longest description or comment kept, in bytes; a longer text is cut at a
/// character boundary and says so (the store, the full-text index and the
/// ticket view stay usable; the server keeps the whole text).
pub const MAX_TEXT: usize = 256 * 1024;

/// Which tickets of the account a source syncs (the source's "project").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `*`: every ticket of the account.
    All,
    /// `group:ID`: tickets assigned to one group.
    Group(u64),
    /// `brand:ID`: tickets of one brand.
    Brand(u64),
    /// `organization:ID`: tickets of one organization.
    Organization(u64),
}

impl Scope {
    /// Read the project text: `*`, `group:ID`, `brand:ID` or `organization:ID`.
    pub fn parse(project: &str) -> Result<Scope> {
        let p = project.trim();
        if p == "*" || p.eq_ignore_ascii_case("all") {
            return Ok(Scope::All);
        }
        let bad = || {
            Error::invalid(format!(
                "the Zendesk project {project:?} is not understood: write * for all tickets, or group:ID, brand:ID or \
                 organization:ID (the number from the group's, brand's or organization's admin page)"
            ))
        };
        let (kind, id) = p.split_once(':').ok_or_else(bad)?;
        let id: u64 = id.trim().parse().map_err(|_| bad())?;
        match kind.trim().to_ascii_lowercase().as_str() {
            "group" => Ok(Scope::Group(id)),
            "brand" => Ok(Scope::Brand(id)),
            "organization" | "org" => Ok(Scope::Organization(id)),
            _ => Err(bad()),
        }
    }

    /// Does a ticket with these ids belong to the scope?
    pub fn contains(self, t: &Stub) -> bool {
        match self {
            Scope::All => true,
            Scope::Group(g) => t.group_id == Some(g),
            Scope::Brand(b) => t.brand_id == Some(b),
            Scope::Organization(o) => t.organization_id == Some(o),
        }
    }

    /// How the scope reads in a connection test.
    pub fn describe(self) -> String {
        match self {
            Scope::All => "all tickets".into(),
            Scope::Group(g) => format!("tickets of group {g}"),
            Scope::Brand(b) => format!("tickets of brand {b}"),
            Scope::Organization(o) => format!("tickets of organization {o}"),
        }
    }
}

/// The `Authorization` value for the one secret string a source has:
/// `EMAIL/token:API_TOKEN` is an API token (basic auth, as Zendesk documents
/// it), anything else an OAuth access token (bearer).
pub fn authorization(secret: &str) -> String {
    let secret = secret.trim();
    if secret.contains("/token:") {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(secret))
    } else {
        format!("Bearer {secret}")
    }
}

/// One page of `GET /api/v2/incremental/tickets.json` (time-based export).
#[derive(Deserialize)]
pub struct ExportPage {
    pub tickets: Vec<Box<RawValue>>,
    #[serde(default)]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub end_of_stream: bool,
    /// Sideloaded with `include=metric_sets`: when each ticket was solved.
    #[serde(default)]
    pub metric_sets: Vec<MetricSet>,
}

/// The part of a ticket's metric set this client reads.
#[derive(Deserialize)]
pub struct MetricSet {
    pub ticket_id: u64,
    #[serde(default)]
    pub solved_at: Option<String>,
}

/// What the listing needs of a ticket: id, change time, status, scope ids.
#[derive(Debug, Clone, Deserialize)]
pub struct Stub {
    pub id: u64,
    pub updated_at: String,
    /// Seconds; the export sorts and filters by it (it moves with every
    /// change, system updates included). Absent outside the export.
    #[serde(default)]
    pub generated_timestamp: Option<i64>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub group_id: Option<u64>,
    #[serde(default)]
    pub brand_id: Option<u64>,
    #[serde(default)]
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub requester_id: Option<i64>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
}

impl Stub {
    /// The listing's sort key: `generated_timestamp`, else `updated_at`.
    pub fn change_time(&self) -> Result<i64> {
        match self.generated_timestamp {
            Some(t) => Ok(t),
            None => Ok(time(&self.updated_at, "updated_at")?.timestamp()),
        }
    }
}

/// Parse an export page, naming a reply that is JSON but not an export.
pub fn parse_export(url: &str, body: &[u8]) -> Result<ExportPage> {
    parse_json::<ExportPage>(url, body).map_err(|e| match e {
        Error::BadResponse(m) if m.contains("missing field `tickets`") => Error::BadResponse(format!(
            "{} answered JSON without a `tickets` list, so it is not Zendesk's incremental export; check that the URL \
             is the account's address (https://SUBDOMAIN.zendesk.com)",
            url.split('?').next().unwrap_or(url)
        )),
        other => other,
    })
}

/// Read a ticket's listing fields out of its raw JSON.
pub fn stub(url: &str, raw: &RawValue) -> Result<Stub> {
    serde_json::from_str(raw.get()).map_err(|e| json_error(url, &e))
}

#[derive(Deserialize)]
struct Ticket {
    id: u64,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    assignee_id: Option<i64>,
    #[serde(default)]
    requester_id: Option<i64>,
    created_at: String,
    updated_at: String,
}

/// One comment (a public reply or an internal note), from a `Comment`
/// event of the ticket's audits ([`super::zendesk_audits`]).
#[derive(Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub author_id: Option<i64>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub plain_body: Option<String>,
    pub created_at: String,
}

/// A sideloaded user (names for authors, requester and assignee).
#[derive(Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
}

/// Cursor pagination's `meta`.
#[derive(Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub after_cursor: Option<String>,
}

fn time(v: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::BadResponse(format!("Zendesk sent {what} {v:?}, which is not an ISO-8601 time: {e}")))
}

/// CRLF to LF, and a text longer than [`MAX_TEXT`] cut with a note.
pub fn text(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    if s.len() <= MAX_TEXT {
        return s;
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… cut by Hypercare Desk: the text has {} bytes; the whole text is on the server]", &s[..end], s.len())
}

/// `solved` is resolved, `closed` closed, everything else (`new`, `open`,
/// `pending`, `hold`) open.
pub fn status_class(status: &str) -> StatusClass {
    match status {
        "solved" => StatusClass::Resolved,
        "closed" => StatusClass::Closed,
        _ => StatusClass::Open,
    }
}

/// Zendesk's lower-case values as the app shows them (`hold` is "On-hold").
pub fn display(v: &str) -> String {
    if v == "hold" {
        return "On-hold".into();
    }
    let mut c = v.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Build the record: the ticket's raw JSON (kept as `raw` without its
/// description, so `satisfaction_rating`, `custom_fields` and `tags` stay
/// readable), when it was solved (from its metric set, if known), what its
/// audits tell (comments after the first — the first one is the
/// description — and every status move) and the users' names.
///
/// The status history is the audits' moves. A solved or closed ticket whose
/// audits show no move out of the open statuses (a status set by an
/// import, say) gets one: to the current status at the metric set's
/// `solved_at` (else `updated_at`).
pub fn to_record(raw: &RawValue, solved_at: Option<&str>, audited: Audited, users: &HashMap<i64, String>) -> Result<TicketRecord> {
    let t: Ticket = serde_json::from_str(raw.get())
        .map_err(|e| Error::BadResponse(format!("Zendesk sent a ticket this client cannot read: {e}")))?;
    let created_at = time(&t.created_at, "created_at")?;
    let updated_at = time(&t.updated_at, "updated_at")?;
    let class = status_class(&t.status);
    let name = |id: Option<i64>| id.filter(|a| *a > 0).map(|id| users.get(&id).cloned().unwrap_or_else(|| format!("user {id}")));
    let first = audited.created_status.as_deref().unwrap_or("new");
    let mut history = vec![created_change(created_at, (display(first), status_class(first)), name(t.requester_id))];
    for m in &audited.moves {
        history.push(StatusChangeRecord {
            remote_id: m.id.to_string(),
            at: time(&m.at, "an audit's created_at")?,
            from_status: m.from.as_deref().map(display),
            from_class: m.from.as_deref().map(status_class),
            to_status: display(&m.to),
            to_class: status_class(&m.to),
            author: name(m.author_id),
        });
    }
    let mut resolved_at = None;
    if class != StatusClass::Open {
        // When it last left the open statuses (as for Redmine: solved then
        // closed counts from the solve); else the metric set's time.
        resolved_at = history
            .iter()
            .rev()
            .find(|h| h.to_class != StatusClass::Open && h.from_class.is_none_or(|f| f == StatusClass::Open))
            .map(|h| h.at);
        if resolved_at.is_none() {
            let at = match solved_at {
                Some(s) => time(s, "solved_at")?,
                None => updated_at,
            };
            let from = history.last().map(|h| (h.to_status.clone(), h.to_class));
            history.push(StatusChangeRecord {
                remote_id: "solved".into(),
                at,
                from_status: from.as_ref().map(|f| f.0.clone()),
                from_class: from.map(|f| f.1),
                to_status: display(&t.status),
                to_class: class,
                author: name(t.assignee_id),
            });
            resolved_at = Some(at);
        }
    }
    let comments = audited.comments;
    let mut records = Vec::with_capacity(comments.len());
    for c in comments.into_iter().skip(1) {
        let body = c.plain_body.or(c.body).unwrap_or_default();
        if body.trim().is_empty() {
            continue;
        }
        records.push(CommentRecord {
            remote_id: c.id.to_string(),
            author: name(c.author_id),
            body: text(&body),
            created_at: time(&c.created_at, "a comment's created_at")?,
        });
    }
    Ok(TicketRecord {
        remote_id: t.id.to_string(),
        key: format!("#{}", t.id),
        title: t.subject.unwrap_or_default(),
        description: text(t.description.as_deref().unwrap_or("")),
        status: display(&t.status),
        status_class: class,
        priority: t.priority.as_deref().map(display).unwrap_or_default(),
        tracker: t.kind.as_deref().map(display).unwrap_or_default(),
        category: None,
        assignee: name(t.assignee_id),
        reporter: name(t.requester_id),
        created_at,
        updated_at,
        resolved_at,
        remote_version: t.updated_at.clone(),
        raw: Some(super::raw_without(raw, &["description"], "Zendesk sent a ticket")?),
        comments: Some(records),
        status_changes: Some(history),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str = r#"{"id":35436,"url":"https://acme.zendesk.com/api/v2/tickets/35436.json","subject":"Printer on fire",
        "description":"The fire is\r\nvery colourful.","status":"solved","priority":"high","type":"incident",
        "assignee_id":235323,"requester_id":20978392,"created_at":"2026-01-05T08:00:00Z","updated_at":"2026-01-06T09:00:00Z",
        "tags":["enterprise"],"custom_fields":[{"id":27642,"value":"745"}],
        "satisfaction_rating":{"id":1234,"score":"good","comment":"Great support!"}}"#;

    fn comment(id: u64, author: i64, body: &str) -> Comment {
        Comment { id, author_id: Some(author), body: Some(body.into()), plain_body: None, created_at: "2026-01-05T09:00:00Z".into() }
    }

    #[test]
    fn a_solved_ticket_maps_status_priority_type_names_and_keeps_the_rating_in_raw() {
        let raw: Box<RawValue> = serde_json::from_str(TICKET).unwrap();
        let users = HashMap::from([(235323, "Agent Ann".to_string())]);
        let comments = vec![comment(1, 20978392, "The fire is very colourful."), comment(2, 235323, "Put it out\r\nwith foam")];
        let audited = Audited { comments, ..Default::default() };
        let r = to_record(&raw, Some("2026-01-06T08:30:00Z"), audited, &users).unwrap();
        assert_eq!((r.status.as_str(), r.status_class), ("Solved", StatusClass::Resolved));
        assert_eq!((r.priority.as_str(), r.tracker.as_str()), ("High", "Incident"));
        assert_eq!(r.assignee.as_deref(), Some("Agent Ann"));
        assert_eq!(r.reporter.as_deref(), Some("user 20978392"), "no name sideloaded: the id");
        assert_eq!(r.description, "The fire is\nvery colourful.");
        assert_eq!(r.resolved_at, Some(time("2026-01-06T08:30:00Z", "t").unwrap()));
        let c = r.comments.unwrap();
        assert_eq!(c.len(), 1, "the first comment is the description");
        assert_eq!(c[0].body, "Put it out\nwith foam");
        let raw: serde_json::Value = serde_json::from_str(r.raw.as_deref().unwrap()).unwrap();
        assert_eq!(raw["satisfaction_rating"]["score"], "good");
        assert!(raw.get("description").is_none());
        assert_eq!(r.remote_version, "2026-01-06T09:00:00Z");
        let h = r.status_changes.unwrap();
        let steps: Vec<_> = h.iter().map(|c| (c.to_status.as_str(), c.at)).collect();
        assert_eq!(steps, vec![("New", r.created_at), ("Solved", r.resolved_at.unwrap())], "no audited move: solved at the metric set's time");
    }

    #[test]
    fn a_reopened_ticket_keeps_every_move_and_is_resolved_when_it_was_last_solved() {
        use super::super::zendesk_audits::StatusMove;
        let raw: Box<RawValue> = serde_json::from_str(TICKET).unwrap();
        let mv = |id: u64, at: &str, from: &str, to: &str| StatusMove { id, at: at.into(), from: Some(from.into()), to: to.into(), author_id: Some(235323) };
        let audited = Audited {
            created_status: Some("new".into()),
            moves: vec![
                mv(1, "2026-01-05T09:00:00Z", "new", "open"),
                mv(2, "2026-01-05T10:00:00Z", "open", "solved"),
                mv(3, "2026-01-05T12:00:00Z", "solved", "open"),
                mv(4, "2026-01-06T07:00:00Z", "open", "solved"),
            ],
            ..Default::default()
        };
        let r = to_record(&raw, Some("2026-01-06T08:30:00Z"), audited, &HashMap::new()).unwrap();
        let h = r.status_changes.unwrap();
        let steps: Vec<_> = h.iter().map(|c| (c.from_status.as_deref(), c.to_status.as_str(), c.to_class)).collect();
        assert_eq!(
            steps,
            vec![
                (None, "New", StatusClass::Open),
                (Some("New"), "Open", StatusClass::Open),
                (Some("Open"), "Solved", StatusClass::Resolved),
                (Some("Solved"), "Open", StatusClass::Open),
                (Some("Open"), "Solved", StatusClass::Resolved),
            ]
        );
        assert_eq!(r.resolved_at, Some(time("2026-01-06T07:00:00Z", "t").unwrap()), "the last solve, from the audits");
        assert_eq!(h[4].remote_id, "4");
    }

    #[test]
    fn statuses_map_to_classes() {
        assert_eq!(status_class("closed"), StatusClass::Closed);
        for s in ["new", "open", "pending", "hold"] {
            assert_eq!(status_class(s), StatusClass::Open, "{s}");
        }
        assert_eq!(display("hold"), "On-hold");
    }

    #[test]
    fn a_long_text_is_cut_at_a_character_boundary_and_says_so() {
        let long = "é".repeat(MAX_TEXT);
        let t = text(&long);
        assert!(t.len() < MAX_TEXT + 200 && t.contains(&format!("has {} bytes", long.len())), "{}", &t[t.len() - 100..]);
    }

    #[test]
    fn scopes_parse_and_refuse_what_they_do_not_know() {
        assert_eq!(Scope::parse("*").unwrap(), Scope::All);
        assert_eq!(Scope::parse("group:360001").unwrap(), Scope::Group(360001));
        assert_eq!(Scope::parse("brand: 7").unwrap(), Scope::Brand(7));
        let e = Scope::parse("Support team").unwrap_err();
        assert!(e.to_string().contains("group:ID"), "{e}");
    }

    #[test]
    fn an_api_token_is_basic_auth_anything_else_a_bearer_token() {
        assert_eq!(authorization("ann@acme.test/token:abc"), "Basic YW5uQGFjbWUudGVzdC90b2tlbjphYmM=");
        assert_eq!(authorization("oauth-123"), "Bearer oauth-123");
    }

    #[test]
    fn json_without_tickets_is_named() {
        let e = parse_export("https://a.zendesk.com/api/v2/incremental/tickets.json?start_time=0", b"{\"error\":\"x\"}")
            .err()
            .unwrap();
        assert!(e.to_string().contains("without a `tickets` list") && !e.to_string().contains("start_time"), "{e}");
    }
}
