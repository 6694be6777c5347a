//! A Zendesk ticket's audits: its comments and its status history in one read.
//!
//! `GET /api/v2/tickets/{id}/audits.json` lists every update of a ticket,
//! oldest first, each with the events it made: `Create` (a property set on
//! the new ticket, the status among them), `Change` (a property changed:
//! `field_name`, `value`, `previous_value`), `Comment` (a public reply or an
//! internal note) and many more, which are ignored. One request per ticket
//! (cursor pages of 100 audits) gives what the comments endpoint gives plus
//! every status move, so a reopened ticket counts as reopened in the KPIs.
//!
//! Pure: no I/O. The connector ([`super::zendesk`]) pages, this module reads;
//! the push's conflict check (`validation::push_zendesk`) reads the same types.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::zendesk_map::{Comment, Meta, User};

/// One page of `GET /api/v2/tickets/{id}/audits.json` (cursor pagination).
#[derive(Deserialize)]
pub struct AuditsPage {
    pub audits: Vec<Audit>,
    /// Users, where the reply sideloads them (names for authors).
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub meta: Option<Meta>,
}

/// One update of the ticket.
#[derive(Debug, Clone, Deserialize)]
pub struct Audit {
    #[serde(default)]
    pub author_id: Option<i64>,
    pub created_at: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of an update; only the fields this client reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub field_name: Option<String>,
    /// A string for the status; other fields may hold lists (tags) or null.
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub previous_value: Option<Value>,
    #[serde(default)]
    pub author_id: Option<i64>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub plain_body: Option<String>,
}

/// A status change as the audits tell it (Zendesk's lower-case values).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusMove {
    /// The event's id (the history entry's remote id).
    pub id: u64,
    /// The audit's time (ISO 8601, as sent).
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    pub author_id: Option<i64>,
}

/// What a ticket's audits tell, gathered page after page.
#[derive(Default)]
pub struct Audited {
    /// Comments, oldest first; the first one is the description.
    pub comments: Vec<Comment>,
    /// The status the ticket was created in (`new`, or `open` when an agent
    /// opened it for someone).
    pub created_status: Option<String>,
    /// Every status change after creation, oldest first.
    pub moves: Vec<StatusMove>,
    /// Names the replies sideloaded.
    pub users: HashMap<i64, String>,
}

fn string(v: &Option<Value>) -> Option<String> {
    v.as_ref().and_then(Value::as_str).map(str::to_string)
}

impl Audited {
    /// Take in one page of audits.
    pub fn add(&mut self, page: AuditsPage) {
        self.users.extend(page.users.into_iter().filter_map(|u| Some((u.id, u.name?))));
        for audit in page.audits {
            for e in audit.events {
                let status = e.field_name.as_deref() == Some("status");
                match e.kind.as_str() {
                    "Comment" | "VoiceComment" => self.comments.push(Comment {
                        id: e.id.unwrap_or_default(),
                        author_id: e.author_id.or(audit.author_id),
                        body: e.body,
                        plain_body: e.plain_body,
                        created_at: audit.created_at.clone(),
                    }),
                    "Create" if status => self.created_status = string(&e.value),
                    "Change" if status => {
                        if let Some(to) = string(&e.value) {
                            self.moves.push(StatusMove {
                                id: e.id.unwrap_or_default(),
                                at: audit.created_at.clone(),
                                from: string(&e.previous_value),
                                to,
                                author_id: audit.author_id,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"{"audits":[
        {"id":1,"ticket_id":47,"author_id":35436,"created_at":"2026-01-05T08:00:00Z","via":{"channel":"web"},
         "events":[{"id":11,"type":"Comment","body":"Printer on fire","plain_body":"Printer on fire","public":true,"author_id":35436,"attachments":[]},
                   {"id":12,"type":"Create","value":"new","field_name":"status"},
                   {"id":13,"type":"Create","value":["printer"],"field_name":"tags"},
                   {"id":14,"type":"Notification","subject":"Received","body":"We got it","recipients":[1]}]},
        {"id":2,"ticket_id":47,"author_id":7,"created_at":"2026-01-05T09:00:00Z",
         "events":[{"id":21,"type":"Comment","body":"Put it out","public":false,"author_id":7},
                   {"id":22,"type":"Change","value":"solved","field_name":"status","previous_value":"new"},
                   {"id":23,"type":"Change","value":null,"field_name":"assignee_id","previous_value":"7"}]},
        {"id":3,"ticket_id":47,"author_id":35436,"created_at":"2026-01-06T10:00:00Z",
         "events":[{"id":31,"type":"Change","value":"open","field_name":"status","previous_value":"solved"},
                   {"id":32,"type":"SomethingNew","value":{"x":1}}]}],
        "meta":{"has_more":false,"after_cursor":null}}"#;

    #[test]
    fn audits_give_the_comments_the_created_status_and_every_move() {
        let page: AuditsPage = serde_json::from_str(PAGE).unwrap();
        let mut a = Audited::default();
        a.add(page);
        let bodies: Vec<_> = a.comments.iter().map(|c| (c.id, c.body.clone().unwrap_or_default(), c.created_at.as_str())).collect();
        assert_eq!(bodies, vec![(11, "Printer on fire".into(), "2026-01-05T08:00:00Z"), (21, "Put it out".into(), "2026-01-05T09:00:00Z")]);
        assert_eq!(a.created_status.as_deref(), Some("new"), "the tags' Create event is not the status");
        let moves: Vec<_> = a.moves.iter().map(|m| (m.id, m.from.as_deref(), m.to.as_str(), m.author_id)).collect();
        assert_eq!(moves, vec![(22, Some("new"), "solved", Some(7)), (31, Some("solved"), "open", Some(35436))]);
    }
}
