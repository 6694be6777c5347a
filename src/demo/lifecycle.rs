//! The life of a demo ticket: status changes and comments over time.
//!
//! New → In Progress → Resolved or Feedback (fixed, awaiting the business's
//! validation) → Closed; a fix that does not hold is reopened (back to In
//! Progress) once or twice; some tickets are Rejected; enhancements may wait
//! in the backlog. The simulation runs to its natural end and is then cut
//! at the end of the hypercare window, so recent tickets are still open.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

use super::calendar::Calendar;
use super::compose::Slots;
use super::rng::Rng;
use crate::model::{Category, CommentRecord, StatusChangeRecord, StatusClass};

/// A status of the demo's Redmine-like workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    InProgress,
    Resolved,
    Feedback,
    Closed,
    Rejected,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::InProgress => "In Progress",
            Status::Resolved => "Resolved",
            Status::Feedback => "Feedback",
            Status::Closed => "Closed",
            Status::Rejected => "Rejected",
        }
    }
    pub fn class(self) -> StatusClass {
        match self {
            Status::New | Status::InProgress => StatusClass::Open,
            Status::Resolved | Status::Feedback => StatusClass::Resolved,
            Status::Closed | Status::Rejected => StatusClass::Closed,
        }
    }
}

/// Who is involved in a ticket.
pub struct People<'a> {
    pub assignee: &'a str,
    pub reporter: &'a str,
    pub colleague: &'a str,
}

/// A ticket about to live: what it is and how it tends to go.
pub struct Case<'a> {
    pub ticket_no: u64,
    /// Local creation time.
    pub created: NaiveDateTime,
    pub cat: Category,
    pub priority: &'a str,
    /// Chance that the first fix does not hold.
    pub reopen_chance: f64,
    /// What the fix did (a template), for the resolve comment.
    pub fix_note: &'a str,
    pub people: People<'a>,
}

/// What a ticket's life produced, already cut at the end of the window.
pub struct Life {
    pub status: Status,
    pub assignee_seen: bool,
    pub changes: Vec<StatusChangeRecord>,
    pub comments: Vec<CommentRecord>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// How a ticket of this priority is handled (business seconds).
fn delays(priority: &str) -> (f64, f64) {
    const H: f64 = 3600.0;
    match priority {
        "Immediate" => (0.25 * H, 3.0 * H),
        "Urgent" => (0.75 * H, 8.0 * H),
        "High" => (2.0 * H, 20.0 * H),
        "Normal" => (5.0 * H, 40.0 * H),
        _ => (10.0 * H, 80.0 * H),
    }
}

const QUESTIONS: &[&str] = &[
    "Can you send the {obj} number and a screenshot of the error?",
    "Does this happen for all users at {site} or only for you?",
    "Reproduced in QAS, analysing.",
    "Looking into it. Which {field} did you enter?",
    "Is this still happening after the restart at noon?",
];
const ANSWERS: &[&str] = &[
    "Example: {doc}. Screenshot attached.",
    "It happens for everybody at {site}.",
    "Only for some {objs}, for example {doc}.",
    "Yes, still the same. {colleague} has it too.",
];
const REOPENS: &[&str] = &[
    "Still happening for {doc}, please check again.",
    "Not fixed: the error comes back when we save the {obj}.",
    "Tested again today, same result at {site}.",
    "It worked for one day, now the problem is back.",
];
const REFIXES: &[&str] = &[
    "Build {build}: the first fix missed {objs} created before go-live; corrected those too. Please test again.",
    "Found a second cause in the {field} handling, fixed in build {build}. Please retest with {doc}.",
    "Reworked the fix after your test, deployed in build {build}. Please check again at {site}.",
];
const VALIDATIONS: &[&str] = &["Validated in production, thanks.", "Works now, can be closed.", "Confirmed by the {site} team.", "Tested with {doc}: OK."];
const REJECTS: &[&str] = &[
    "Works as designed: the {field} is intentionally not copied.",
    "Duplicate of an existing ticket, closing.",
    "Out of hypercare scope, moved to the phase 2 backlog.",
    "Cannot reproduce; please open a new ticket if it happens again.",
];

struct Sim<'a> {
    cal: &'a Calendar,
    end: NaiveDateTime,
    ticket_no: u64,
    seq: u32,
    cur: Status,
    changes: Vec<StatusChangeRecord>,
    comments: Vec<CommentRecord>,
}

impl Sim<'_> {
    fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("{}-{}", self.ticket_no, self.seq)
    }

    /// Record a journal entry (a status change, a comment or both) unless it falls after the window.
    fn journal(&mut self, at: NaiveDateTime, to: Option<Status>, author: &str, note: Option<String>) -> bool {
        if at >= self.end {
            return false;
        }
        let id = self.next_id();
        let utc = self.cal.to_utc(at);
        if let Some(to) = to {
            self.changes.push(StatusChangeRecord {
                remote_id: id.clone(),
                at: utc,
                from_status: Some(self.cur.name().to_string()),
                from_class: Some(self.cur.class()),
                to_status: to.name().to_string(),
                to_class: to.class(),
                author: Some(author.to_string()),
            });
            self.cur = to;
        }
        if let Some(body) = note {
            self.comments.push(CommentRecord { remote_id: id, author: Some(author.to_string()), body, created_at: utc });
        }
        true
    }
}

/// Simulate the life of a ticket, cut at the end of the window.
pub fn live(rng: &mut Rng, cal: &Calendar, case: &Case<'_>, s: &Slots) -> Life {
    let Case { ticket_no, created, cat, priority, reopen_chance, fix_note, people: ref p } = *case;
    let mut sim =
        Sim { cal, end: cal.end(), ticket_no, seq: 0, cur: Status::New, changes: Vec::new(), comments: Vec::new() };
    let (respond, fix) = delays(priority);
    let mut t = created;
    let backlog = cat == Category::Enhancement && rng.chance(0.35);
    let reject = rng.chance(match cat {
        Category::Enhancement => 0.3,
        Category::Training | Category::Documentation => 0.04,
        _ => 0.05,
    });
    let slow = if cat == Category::Enhancement { 6.0 } else { 1.0 };
    if backlog {
        // Waits in the backlog; sometimes someone asks about it.
        if rng.chance(0.3) {
            t = cal.add_business(t, rng.skewed(3.0 * 36_000.0));
            sim.journal(t, None, p.colleague, Some(s.fill("Same need here at {site}, +1.")));
        }
    } else if reject {
        t = cal.add_business(t, rng.skewed(respond * 3.0 * slow));
        sim.journal(t, Some(Status::Rejected), p.assignee, Some(s.fill(rng.word(REJECTS))));
    } else {
        t = cal.add_business(t, rng.skewed(respond * slow));
        let asks = rng.chance(0.45);
        let note = asks.then(|| s.fill(rng.word(QUESTIONS)));
        sim.journal(t, Some(Status::InProgress), p.assignee, note);
        if asks && rng.chance(0.8) {
            t = cal.add_business(t, rng.skewed(2.0 * 3600.0));
            sim.journal(t, None, p.reporter, Some(s.fill(rng.word(ANSWERS))));
        }
        let mut reopened = 0;
        loop {
            let this_fix = if reopened > 0 { fix * 0.5 } else { fix * slow };
            t = cal.add_business(t, rng.skewed(this_fix));
            let to = if rng.chance(0.35) { Status::Feedback } else { Status::Resolved };
            let date = t.date();
            let build = format!("{}.{:02}.{:02}-{}", date.year(), date.month(), date.day(), 1 + rng.below(4));
            let note = match (cat, reopened) {
                (Category::Training | Category::Documentation, _) => format!("Done: {}.", s.fill(fix_note)),
                (_, 0) => format!("Fixed in build {build}: {}. Please test.", s.fill(fix_note)),
                _ => s.fill(&rng.word(REFIXES).replace("{build}", &build)),
            };
            sim.journal(t, Some(to), p.assignee, Some(note));
            t = cal.add_business(t, rng.skewed(1.5 * 36_000.0));
            let again = if reopened == 0 { reopen_chance } else { 0.2 };
            if reopened < 2 && rng.chance(again) {
                reopened += 1;
                sim.journal(t, Some(Status::InProgress), p.reporter, Some(s.fill(rng.word(REOPENS))));
                continue;
            }
            if rng.chance(0.8) {
                sim.journal(t, Some(Status::Closed), p.reporter, Some(s.fill(rng.word(VALIDATIONS))));
            } else {
                let note = "No answer from the business for a week, closing. Reopen if needed.".to_string();
                sim.journal(cal.add_business(t, 5.0 * 36_000.0), Some(Status::Closed), p.assignee, Some(note));
            }
            break;
        }
    }
    finish(sim, cal.to_utc(created))
}

fn finish(sim: Sim<'_>, created: DateTime<Utc>) -> Life {
    let last_change = sim.changes.last().map(|c| c.at);
    let last_comment = sim.comments.last().map(|c| c.created_at);
    let updated_at = [Some(created), last_change, last_comment].into_iter().flatten().max().unwrap_or(created);
    let resolved_at = if sim.cur.class() == StatusClass::Open {
        None
    } else {
        sim.changes.iter().rev().find(|c| c.from_class == Some(StatusClass::Open)).map(|c| c.at)
    };
    Life {
        status: sim.cur,
        assignee_seen: !sim.changes.is_empty(),
        changes: sim.changes,
        comments: sim.comments,
        updated_at,
        resolved_at,
    }
}
