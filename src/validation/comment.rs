//! What a validation writes on the server, and how its writes are told
//! apart from everyone else's: the comment text with its marker, and the
//! conflict check over any server's history of a ticket.

use chrono::{DateTime, Utc};

use super::redmine::RemoteIssue;
use super::{Validation, MARKER_PREFIX};

/// One change of a ticket on the server, as the conflict check sees it:
/// a Redmine journal, a Jira changelog entry or comment, a ServiceNow
/// comment or record update, a Zendesk audit.
#[derive(Debug, Clone)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// Who made it, as the server names them.
    pub who: String,
    /// Made by the account the push writes with.
    pub by_me: bool,
    /// The comment text written with the change, if any.
    pub notes: Option<String>,
    /// What changed ("status changed", "file attached", ...), without the comment.
    pub what: Vec<&'static str>,
}

/// Why pushing would overwrite someone else's change, if it would: changes
/// made after the validator saw the ticket (`seen_updated_at`, seconds)
/// that are not ours. Ours are made by the push's account and carry a
/// marker or no comment (a status or attachment follow-up, an earlier
/// attempt's write that timed out); someone quoting a marker in their reply
/// is not us. `ticket` names the ticket in the message ("issue #7").
pub fn changed_by_others(ticket: &str, updated: DateTime<Utc>, seen_updated_at: i64, changes: &[Change]) -> Option<String> {
    if updated.timestamp() <= seen_updated_at {
        return None;
    }
    let foreign: Vec<String> = changes
        .iter()
        .filter(|c| c.at.timestamp() > seen_updated_at)
        .filter(|c| {
            let notes = c.notes.as_deref().unwrap_or("");
            !(c.by_me && (notes.contains(MARKER_PREFIX) || notes.trim().is_empty()))
        })
        .map(|c| {
            let mut what = c.what.clone();
            if c.notes.as_deref().is_some_and(|n| !n.trim().is_empty()) {
                what.insert(0, "new comment");
            }
            if what.is_empty() {
                what.push("changed");
            }
            what.dedup();
            format!("{} by {} at {}", what.join(", "), c.who, c.at.format("%Y-%m-%d %H:%M UTC"))
        })
        .collect();
    if foreign.is_empty() {
        return None;
    }
    Some(format!(
        "{ticket} changed on the server after it was validated ({}); push anyway (push --force), record a correction, or discard",
        foreign.join("; ")
    ))
}

/// [`changed_by_others`] over a Redmine issue's journals; `me` is the
/// pushing account's user id.
pub fn conflict_reason(issue: &RemoteIssue, seen_updated_at: i64, me: i64) -> Option<String> {
    let changes: Vec<Change> = issue
        .journals
        .iter()
        .map(|j| Change {
            at: j.created_on,
            who: j.user.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "someone".into()),
            by_me: j.user.as_ref().map(|u| u.id) == Some(me),
            notes: j.notes.clone(),
            what: j
                .details
                .iter()
                .map(|d| match (d.property.as_str(), d.name.as_str()) {
                    ("attr", "status_id") => "status changed",
                    ("attr", "assigned_to_id") => "reassigned",
                    ("attr", "priority_id") => "priority changed",
                    ("attachment", _) => "file attached",
                    _ => "fields changed",
                })
                .collect(),
        })
        .collect();
    changed_by_others(&format!("issue #{}", issue.id), issue.updated_on, seen_updated_at, &changes)
}

/// The comment posted for a validation: notes, a structured summary, the marker.
/// `refused` names evidence files the server would not take; the comment
/// lists them apart so the reader knows they are missing.
pub fn comment_text(v: &Validation, mk: &str, refused: &[&str]) -> String {
    let mut s = format!(
        "Validation {} (round {}) — recorded with Hypercare Desk\n\n",
        v.outcome.as_str().to_uppercase(),
        v.round
    );
    if !v.notes.is_empty() {
        s.push_str(&v.notes);
        s.push_str("\n\n");
    }
    let mut line = |k: &str, val: &str| {
        if !val.is_empty() {
            s.push_str(&format!("* {k}: {val}\n"));
        }
    };
    line("Outcome", v.outcome.as_str());
    line("Steps", &v.steps);
    line("Environment", &v.environment);
    line("Test data", &v.test_data);
    line("Validator", &v.validator);
    line("Validated at", &v.recorded_at.format("%Y-%m-%d %H:%M UTC").to_string());
    let files: Vec<&str> = v.evidence.iter().map(|e| e.file_name.as_str()).filter(|f| !refused.contains(f)).collect();
    line("Evidence", &files.join(", "));
    line("Evidence the server refused", &refused.join(", "));
    if v.supersedes.is_some() {
        line("Corrects", "an earlier validation of this ticket");
    }
    s.push('\n');
    s.push_str(mk);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::redmine::{JournalDetail, NamedRef, RemoteJournal};
    use crate::validation::Outcome;
    use chrono::TimeZone;

    fn journal(id: i64, user: i64, notes: &str, at: i64, details: &[(&str, &str)]) -> RemoteJournal {
        RemoteJournal {
            id,
            user: Some(NamedRef { id: user, name: format!("user {user}") }),
            notes: Some(notes.into()),
            created_on: Utc.timestamp_opt(at, 0).unwrap(),
            details: details
                .iter()
                .map(|(p, n)| JournalDetail { property: p.to_string(), name: n.to_string() })
                .collect(),
        }
    }

    fn issue(journals: Vec<RemoteJournal>, updated: i64) -> RemoteIssue {
        RemoteIssue {
            id: 7,
            status: NamedRef { id: 3, name: "Resolved".into() },
            updated_on: Utc.timestamp_opt(updated, 0).unwrap(),
            journals,
            attachments: vec![],
            project: None,
            category: None,
            custom_fields: vec![],
        }
    }

    #[test]
    fn only_changes_by_others_after_the_validation_conflict() {
        let seen = 1_000;
        // Before what the validator saw, ours (marker), ours without notes: no conflict.
        let calm = issue(
            vec![
                journal(1, 2, "old fix note", 900, &[]),
                journal(2, 1, "Validation ... [hypercare-validation:abc]", 1_100, &[("attr", "status_id")]),
                journal(3, 1, "", 1_200, &[("attr", "status_id")]),
            ],
            1_200,
        );
        assert_eq!(conflict_reason(&calm, seen, 1), None);
        // Someone else reassigned and commented afterwards.
        let busy = issue(
            vec![journal(4, 2, "", 1_050, &[("attr", "assigned_to_id")]), journal(5, 3, "not fixed", 1_060, &[])],
            1_060,
        );
        let why = conflict_reason(&busy, seen, 1).unwrap();
        assert!(why.contains("reassigned by user 2") && why.contains("new comment by user 3"), "{why}");
        // Someone else quoting one of our comments is still someone else.
        let quoted = issue(vec![journal(7, 2, "> [hypercare-validation:abc] passed? no!", 1_050, &[])], 1_050);
        assert!(conflict_reason(&quoted, seen, 1).is_some());
        // Same-second edits as what was seen are not a conflict; nothing newer than seen, no conflict.
        assert_eq!(conflict_reason(&issue(vec![journal(6, 2, "x", 1_000, &[])], 1_000), seen, 1), None);
    }

    #[test]
    fn the_comment_carries_summary_and_marker() {
        let v = Validation {
            id: 1,
            uuid: "u-1".into(),
            ticket_id: 1,
            ticket_key: "#1".into(),
            round: 2,
            outcome: Outcome::Failed,
            steps: "post an invoice".into(),
            environment: "".into(),
            test_data: "C-17".into(),
            notes: "Still rounds wrong.".into(),
            validator: "Paula".into(),
            recorded_at: Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap(),
            supersedes: None,
            superseded_by: None,
            evidence: vec![],
            push_state: None,
            stays_local: None,
        };
        let text = comment_text(&v, "[hypercare-validation:u-1]", &[]);
        assert!(text.starts_with("Validation FAILED (round 2)"), "{text}");
        assert!(text.contains("Still rounds wrong.\n\n* Outcome: failed\n* Steps: post an invoice\n* Test data: C-17\n* Validator: Paula\n* Validated at: 2026-05-04 09:30 UTC\n"), "{text}");
        assert!(!text.contains("Environment"), "empty fields are left out: {text}");
        assert!(text.ends_with("\n[hypercare-validation:u-1]"));
    }
}
