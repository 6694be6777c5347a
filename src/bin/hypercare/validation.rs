//! `validate`, `validations`, `outbox`, `push`: recording fix validations
//! offline and sending them to the ticket servers.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;
use hypercare::triage::category_conflict::{resolve_category_conflict, ConflictChoice};
use hypercare::validation::outbox::{discard_category_write, discard_validation, retry_category_write, retry_validation};
use hypercare::validation::push::{push_outbox, PushOptions};
use hypercare::validation::queue::QueueFilter;
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{OutboxState, Outcome};
use hypercare::{Error, Result};

use crate::{print_json, Ctx};

#[derive(Args)]
pub struct ValidateArgs {
    /// The ticket's key, as `tickets --json` shows it.
    pub ticket: String,
    /// passed, failed or blocked.
    #[arg(long)]
    pub outcome: String,
    #[arg(long)]
    pub notes: Option<String>,
    /// What was tested.
    #[arg(long)]
    pub steps: Option<String>,
    /// Evidence file to attach (repeatable).
    #[arg(long)]
    pub evidence: Vec<PathBuf>,
    /// Where it was tested (system, client, version).
    #[arg(long)]
    pub environment: Option<String>,
    /// Data used for the test.
    #[arg(long)]
    pub test_data: Option<String>,
    /// Who validated (default: $USER).
    #[arg(long)]
    pub validator: Option<String>,
    /// Correct an earlier validation (its id, from `validations TICKET`).
    #[arg(long, value_name = "VALIDATION_ID")]
    pub supersedes: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct OutboxArgs {
    #[arg(long)]
    pub json: bool,
    /// Also show what was sent or discarded.
    #[arg(long)]
    pub all: bool,
    /// Discard the unsent writes of a validation (nothing is deleted).
    #[arg(long, value_name = "VALIDATION_ID")]
    pub discard: Option<i64>,
    /// Try the rejected or conflicting writes of a validation again at the next push.
    #[arg(long, value_name = "VALIDATION_ID")]
    pub retry: Option<i64>,
    /// With --retry: push it even though the ticket changed on the server.
    #[arg(long, requires = "retry")]
    pub force: bool,
    /// Discard an unsent category write (its outbox row id, first column).
    #[arg(long, value_name = "ROW_ID")]
    pub discard_category: Option<i64>,
    /// Try a rejected category write again at the next push (its outbox row id).
    #[arg(long, value_name = "ROW_ID")]
    pub retry_category: Option<i64>,
    /// A category write in conflict (its outbox row id): write ours over the server's at the next push.
    #[arg(long, value_name = "ROW_ID", conflicts_with = "keep_server")]
    pub overwrite: Option<i64>,
    /// A category write in conflict (its outbox row id): keep the server's value and write nothing.
    #[arg(long, value_name = "ROW_ID")]
    pub keep_server: Option<i64>,
}

#[derive(Args)]
pub struct PushArgs {
    #[arg(long)]
    pub json: bool,
    /// Push validations in conflict anyway, and retry now despite backoff.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args)]
pub struct ValidationsArgs {
    /// The ticket's key, as `tickets --json` shows it. Without it: the queue
    /// of fixes awaiting validation.
    pub ticket: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Queue filter: process area (tracker, or the server's category).
    #[arg(long)]
    pub area: Option<String>,
    /// Queue filter: priority name.
    #[arg(long)]
    pub priority: Option<String>,
    /// Queue filter: assignee.
    #[arg(long)]
    pub assignee: Option<String>,
}

pub fn validate(ctx: &Ctx, a: ValidateArgs) -> Result<()> {
    let outcome = Outcome::parse(&a.outcome)?;
    let validator = match a.validator.or_else(|| std::env::var("USER").ok()).filter(|v| !v.trim().is_empty()) {
        Some(v) => v,
        None => return Err(Error::invalid("who validated? pass --validator NAME ($USER is not set)")),
    };
    let store = ctx.store()?;
    let ticket_id = store.ticket_id_by_key(&a.ticket)?;
    let new = NewValidation {
        ticket_id,
        outcome,
        steps: a.steps.unwrap_or_default(),
        environment: a.environment.unwrap_or_default(),
        test_data: a.test_data.unwrap_or_default(),
        notes: a.notes.unwrap_or_default(),
        validator,
        // Relative to the shell's folder, as a command line means it (the
        // core refuses relative paths: the desktop app has no such folder).
        evidence: a
            .evidence
            .into_iter()
            .map(|p| if p.starts_with("~") { Ok(p) } else { std::path::absolute(&p) })
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::invalid(format!("an evidence path cannot be made absolute: {e}")))?,
        supersedes: a.supersedes,
    };
    let v = record_validation(&store, &new, Utc::now())?;
    if a.json {
        return print_json(&v);
    }
    println!(
        "recorded validation {} of {} (round {}, {}, {} evidence file(s)); `hypercare push` sends it",
        v.id,
        v.ticket_key,
        v.round,
        v.outcome.as_str(),
        v.evidence.len()
    );
    Ok(())
}

pub fn validations(ctx: &Ctx, a: ValidationsArgs) -> Result<()> {
    let store = ctx.store()?;
    let Some(ticket) = a.ticket else {
        let filter = QueueFilter { process_area: a.area, priority: a.priority, assignee: a.assignee, source: None };
        return queue(&store, &filter, a.json);
    };
    let list = store.validations(store.ticket_id_by_key(&ticket)?)?;
    if a.json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("{ticket}: no validations yet");
    }
    for v in list {
        let state = v.push_state.map(|s| s.as_str()).unwrap_or("-");
        let mut flags = String::new();
        if let Some(old) = v.supersedes {
            flags.push_str(&format!(" corrects {old}"));
        }
        if let Some(new) = v.superseded_by {
            flags.push_str(&format!(" superseded by {new}"));
        }
        println!(
            "{:>5}  round {}  {:<7}  {}  {:<20}  {:<9}{}",
            v.id,
            v.round,
            v.outcome.as_str(),
            v.recorded_at.format("%Y-%m-%d %H:%M"),
            v.validator,
            state,
            flags
        );
    }
    Ok(())
}

fn queue(store: &hypercare::Store, filter: &QueueFilter, json: bool) -> Result<()> {
    let items = store.validation_queue(filter, Utc::now())?;
    if json {
        return print_json(&items);
    }
    println!("{} fix(es) awaiting validation", items.len());
    for q in items {
        let rounds =
            if q.history.is_empty() { String::new() } else { format!("  ({} earlier round(s))", q.history.len()) };
        println!(
            "{:<10} {:<9} {:<12} {:>3} d  {}{}",
            q.key, q.priority, q.process_area, q.waiting_days, q.title, rounds
        );
        if let Some(note) = q.fix_notes.first() {
            let line: String = note.body.lines().next().unwrap_or("").chars().take(100).collect();
            println!("{:<10} fix note: {line}", "");
        }
    }
    Ok(())
}

pub fn outbox(ctx: &Ctx, a: OutboxArgs) -> Result<()> {
    let store = ctx.store()?;
    if let Some(id) = a.discard {
        let n = discard_validation(&store, id, Utc::now())?;
        println!("discarded {n} unsent write(s) of validation {id}");
        return Ok(());
    }
    if let Some(id) = a.retry {
        let n = retry_validation(&store, id, a.force, Utc::now())?;
        println!("{n} write(s) of validation {id} will be tried again at the next `hypercare push`");
        return Ok(());
    }
    if let Some(id) = a.discard_category {
        let n = discard_category_write(&store, id, Utc::now())?;
        println!("discarded {n} unsent category write(s)");
        return Ok(());
    }
    if let Some(id) = a.retry_category {
        let n = retry_category_write(&store, id, Utc::now())?;
        println!("{n} category write(s) will be tried again at the next `hypercare push`");
        return Ok(());
    }
    let choice = a.overwrite.map(|id| (id, ConflictChoice::Overwrite)).or(a.keep_server.map(|id| (id, ConflictChoice::KeepServer)));
    if let Some((id, choice)) = choice {
        let r = resolve_category_conflict(&store, id, choice, Utc::now())?;
        if a.json {
            return print_json(&r);
        }
        let server = if r.server_value.is_empty() { "none".to_string() } else { format!("{:?}", r.server_value) };
        match (choice, r.category) {
            (ConflictChoice::Overwrite, _) => {
                println!("{}: {:?} will overwrite the server's {server} at the next `hypercare push`", r.ticket_key, r.value)
            }
            (ConflictChoice::KeepServer, Some(c)) => {
                println!("{}: kept the server's {server}; the category here is now {} too", r.ticket_key, c.label())
            }
            (ConflictChoice::KeepServer, None) => println!(
                "{}: kept the server's {server}, which is none of the triage categories; \
                 your confirmation was dropped and the automatic category shows again",
                r.ticket_key
            ),
        }
        return Ok(());
    }
    let rows = store.outbox(a.all)?;
    if a.json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("outbox is empty: nothing waits to be pushed");
    }
    for r in rows {
        let detail = r.detail.as_deref().map(|d| format!(" {d}")).unwrap_or_default();
        let why = r.last_error.as_deref().map(|e| format!("  — {e}")).unwrap_or_default();
        let retry = if r.state == OutboxState::Pending && r.attempts > 0 {
            format!(" (attempt {}, next {})", r.attempts, r.next_attempt_at.format("%H:%M:%S"))
        } else {
            String::new()
        };
        let owner = match r.validation_id {
            Some(v) => v.to_string(),
            None => format!("#{}", r.id),
        };
        println!(
            "{:>5}  {:<10} {:<9} {}{}{}{}",
            owner,
            r.ticket_key,
            r.state.as_str(),
            r.kind.as_str(),
            detail,
            retry,
            why
        );
    }
    Ok(())
}

pub fn push(ctx: &Ctx, a: PushArgs) -> Result<()> {
    let store = ctx.store()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let opts = PushOptions { force: a.force, ..PushOptions::default() };
    let token_for = |s: &hypercare::model::Source| hypercare::sync::token_from_env(s.token_env.as_deref());
    let report = rt.block_on(push_outbox(&store, &token_for, &opts, Utc::now()))?;
    if a.json {
        return print_json(&report);
    }
    for it in &report.items {
        let why = it.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        println!("{:<10} {:<9} validation {}{}", it.ticket_key, it.state.as_str(), it.validation_id, why);
    }
    for c in &report.categories {
        let why = c.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        println!("{:<10} {:<9} category {:?} (outbox #{}){}", c.ticket_key, c.state.as_str(), c.value, c.outbox_id, why);
    }
    for s in &report.stopped {
        println!("stopped: {s}");
    }
    println!(
        "{} sent, {} rejected, {} in conflict, {} still pending",
        report.sent, report.rejected, report.conflicts, report.pending
    );
    Ok(())
}
