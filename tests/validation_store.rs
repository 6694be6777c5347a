//! Local behaviour of validation on a real SQLite file: recording,
//! append-only history, corrections, the queue, the CLI's offline commands.

use std::process::Command;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hypercare::model::{CommentRecord, SourceKind, StatusClass, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::validation::queue::QueueFilter;
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{OutboxKind, OutboxState, Outcome};
use hypercare::{ErrorCode, Store};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap()
}

fn ticket(n: u32, status: &str, priority: &str, tracker: &str, resolved_days_ago: i64) -> TicketRecord {
    let resolved = t0() - Duration::days(resolved_days_ago);
    TicketRecord {
        remote_id: n.to_string(),
        key: format!("#{n}"),
        title: format!("ticket {n}"),
        description: String::new(),
        status: status.into(),
        status_class: if status == "Closed" {
            StatusClass::Closed
        } else if status == "New" {
            StatusClass::Open
        } else {
            StatusClass::Resolved
        },
        priority: priority.into(),
        tracker: tracker.into(),
        category: Some(format!("area-{}", n % 2)),
        assignee: Some(if n.is_multiple_of(2) { "dev-a" } else { "dev-b" }.into()),
        reporter: None,
        created_at: resolved - Duration::days(3),
        updated_at: resolved,
        resolved_at: Some(resolved),
        remote_version: format!("v{n}"),
        raw: None,
        comments: Some(
            (0..4)
                .map(|k| CommentRecord {
                    remote_id: format!("{n}-{k}"),
                    author: Some("dev".into()),
                    // The newest comment of #6 is an earlier pushed validation, not a fix note.
                    body: if n == 6 && k == 3 {
                        "Validation FAILED (round 1)\n[hypercare-validation:0a1b]".into()
                    } else {
                        format!("note {k} on {n}")
                    },
                    created_at: resolved - Duration::hours(4 - k),
                })
                .collect(),
        ),
        status_changes: None,
    }
}

/// A store with one Redmine source and tickets #1..#6.
fn setup(dir: &std::path::Path, config: serde_json::Value) -> (Store, Vec<i64>) {
    let store = Store::open_dir(dir).unwrap();
    let src = store
        .add_source(
            &NewSource {
                name: "erp".into(),
                kind: SourceKind::Redmine,
                url: "http://127.0.0.1:9".into(),
                project: "erp".into(),
                token_env: Some("NO_SUCH_TOKEN_VAR_FOR_TESTS".into()),
                config,
            },
            t0(),
        )
        .unwrap();
    let recs = vec![
        ticket(1, "Resolved", "Normal", "Bug", 2),
        ticket(2, "Feedback", "Urgent", "Bug", 1),
        ticket(3, "Resolved", "Normal", "Support", 5),
        ticket(4, "New", "Immediate", "Bug", 1),
        ticket(5, "Closed", "High", "Bug", 1),
        ticket(6, "Resolved", "Urgent", "Feature", 3),
    ];
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, src.id, &recs)).unwrap();
    let ids = (1..=6).map(|n| store.ticket_id_by_key(&format!("#{n}")).unwrap()).collect();
    (store, ids)
}

fn new(ticket: i64, outcome: Outcome) -> NewValidation {
    NewValidation {
        ticket_id: ticket,
        outcome,
        steps: "steps".into(),
        environment: "env".into(),
        test_data: "data".into(),
        notes: "notes".into(),
        validator: "Paula".into(),
        evidence: vec![],
        supersedes: None,
    }
}

#[test]
fn recording_creates_the_outbox_rows_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let shot = dir.path().join("screen.png");
    std::fs::write(&shot, b"\x89PNG fake").unwrap();
    let mut n = new(ids[0], Outcome::Passed);
    n.evidence = vec![shot.clone(), shot];
    let v = record_validation(&store, &n, t0()).unwrap();
    assert_eq!((v.round, v.evidence.len(), v.push_state), (1, 2, Some(OutboxState::Pending)));
    assert_eq!(v.evidence[0].media_type, "image/png");
    assert_eq!(v.evidence[0].size, 9);
    let kinds: Vec<(OutboxKind, Option<String>)> =
        store.outbox(true).unwrap().into_iter().map(|r| (r.kind, r.detail)).collect();
    assert_eq!(
        kinds,
        vec![
            (OutboxKind::Comment, None),
            (OutboxKind::Attachment, Some("screen.png".into())),
            (OutboxKind::Attachment, Some("screen.png".into())),
            (OutboxKind::Transition, Some("Closed".into())),
        ]
    );
    // blocked: no transition by default; failed: reopen.
    record_validation(&store, &new(ids[1], Outcome::Blocked), t0()).unwrap();
    record_validation(&store, &new(ids[2], Outcome::Failed), t0()).unwrap();
    let transitions: Vec<(String, Option<String>)> = store
        .outbox(true)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == OutboxKind::Transition)
        .map(|r| (r.ticket_key, r.detail))
        .collect();
    assert_eq!(transitions, vec![("#3".into(), Some("In Progress".into())), ("#1".into(), Some("Closed".into()))]);
}

#[test]
fn a_missing_evidence_file_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let ok = dir.path().join("ok.log");
    std::fs::write(&ok, "fine").unwrap();
    let mut n = new(ids[0], Outcome::Passed);
    n.evidence = vec![ok, dir.path().join("missing.png")];
    let e = record_validation(&store, &n, t0()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("missing.png") && e.to_string().contains("nothing was recorded"), "{e}");
    assert!(store.validations(ids[0]).unwrap().is_empty());
    assert!(store.outbox(true).unwrap().is_empty());
    let mut n = new(ids[0], Outcome::Passed);
    n.validator = "  ".into();
    assert_eq!(record_validation(&store, &n, t0()).unwrap_err().code(), ErrorCode::InvalidInput);
}

#[test]
fn validations_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let v = record_validation(&store, &new(ids[0], Outcome::Passed), t0()).unwrap();
    for sql in ["UPDATE validations SET outcome = 'failed'", "DELETE FROM validations"] {
        let e = store.with_tx(|tx| Ok(tx.execute(sql, [])?)).unwrap_err().to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(store.validations(ids[0]).unwrap()[0].outcome, Outcome::Passed);
    let ev = dir.path().join("e.txt");
    std::fs::write(&ev, "x").unwrap();
    let mut n = new(ids[1], Outcome::Passed);
    n.evidence = vec![ev];
    record_validation(&store, &n, t0()).unwrap();
    let e = store.with_tx(|tx| Ok(tx.execute("DELETE FROM validation_evidence", [])?)).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert_eq!(v.round, 1);
}

#[test]
fn rounds_and_corrections_keep_the_whole_history() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let r1 = record_validation(&store, &new(ids[0], Outcome::Failed), t0()).unwrap();
    let r2 = record_validation(&store, &new(ids[0], Outcome::Blocked), t0() + Duration::days(1)).unwrap();
    assert_eq!((r1.round, r2.round), (1, 2));
    // Correct round 2 before it was pushed: its writes are discarded, the correction's are pending.
    let mut fix = new(ids[0], Outcome::Passed);
    fix.supersedes = Some(r2.id);
    let r2b = record_validation(&store, &fix, t0() + Duration::days(1) + Duration::minutes(5)).unwrap();
    assert_eq!((r2b.round, r2b.supersedes), (2, Some(r2.id)));
    let history = store.validations(ids[0]).unwrap();
    let view: Vec<(i64, Outcome, Option<i64>, Option<OutboxState>)> =
        history.iter().map(|v| (v.round, v.outcome, v.superseded_by, v.push_state)).collect();
    assert_eq!(
        view,
        vec![
            (1, Outcome::Failed, None, Some(OutboxState::Pending)),
            (2, Outcome::Blocked, Some(r2b.id), Some(OutboxState::Discarded)),
            (2, Outcome::Passed, None, Some(OutboxState::Pending)),
        ]
    );
    // Superseding twice, or across tickets, is refused.
    let again = record_validation(&store, &fix, t0()).unwrap_err();
    assert!(again.to_string().contains(&format!("already superseded by {}", r2b.id)), "{again}");
    let mut other = new(ids[1], Outcome::Passed);
    other.supersedes = Some(r1.id);
    assert_eq!(record_validation(&store, &other, t0()).unwrap_err().code(), ErrorCode::InvalidInput);
}

#[test]
fn queue_orders_filters_and_drops_validated_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let keys = |f: &QueueFilter| -> Vec<String> {
        store.validation_queue(f, t0()).unwrap().into_iter().map(|q| q.key).collect()
    };
    // Awaiting: Resolved/Feedback only (#4 New, #5 Closed are out). Urgent first, older first.
    assert_eq!(keys(&QueueFilter::default()), vec!["#6", "#2", "#3", "#1"]);
    let q = store.validation_queue(&QueueFilter::default(), t0()).unwrap();
    assert_eq!(q[0].waiting_days, 3);
    assert_eq!(
        q[0].fix_notes.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(),
        vec!["note 2 on 6", "note 1 on 6", "note 0 on 6"]
    );
    assert_eq!(keys(&QueueFilter { process_area: Some("bug".into()), ..Default::default() }), vec!["#2", "#1"]);
    assert_eq!(keys(&QueueFilter { priority: Some("Normal".into()), ..Default::default() }), vec!["#3", "#1"]);
    assert_eq!(keys(&QueueFilter { assignee: Some("dev-a".into()), ..Default::default() }), vec!["#6", "#2"]);
    // Validated (even unpushed) leaves the queue; blocked stays, with its history at hand.
    record_validation(&store, &new(ids[5], Outcome::Passed), t0()).unwrap();
    record_validation(&store, &new(ids[1], Outcome::Blocked), t0()).unwrap();
    assert_eq!(keys(&QueueFilter::default()), vec!["#2", "#3", "#1"]);
    assert_eq!(store.validation_queue(&QueueFilter::default(), t0()).unwrap()[0].history.len(), 1);
    assert_eq!(store.validation_queue_count(&QueueFilter::default(), t0()).unwrap(), 3);
}

#[test]
fn queue_follows_the_source_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = json!({"validation": {"awaiting_statuses": ["Feedback"], "process_area_field": "category"}});
    let (store, _) = setup(dir.path(), cfg);
    let q = store.validation_queue(&QueueFilter::default(), t0()).unwrap();
    assert_eq!(q.iter().map(|q| (q.key.as_str(), q.process_area.as_str())).collect::<Vec<_>>(), vec![("#2", "area-0")]);
}

#[test]
fn cli_records_offline_and_shows_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = setup(dir.path(), json!({}));
    drop(store);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hypercare"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("USER", "cli-user")
            .output()
            .unwrap()
    };
    let out = run(&["validations", "--json", "--priority", "urgent"]);
    let q: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(q.as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect::<Vec<_>>(), vec!["#6", "#2"]);
    let out = run(&["validations"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("4 fix(es) awaiting validation"));
    let out =
        run(&["validate", "#1", "--outcome", "passed", "--notes", "works", "--evidence", "/nonexistent/shot.png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/shot.png"));
    let out = run(&["validate", "#1", "--outcome", "maybe"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("passed, failed or blocked"));
    let out = run(&["validate", "#1", "--outcome", "passed", "--notes", "works", "--environment", "PROD", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["validator"].as_str(), v["environment"].as_str()), (Some("cli-user"), Some("PROD")));
    let out = run(&["outbox", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "comment + transition: {rows}");
    assert!(rows.as_array().unwrap().iter().all(|r| r["state"] == "pending"));
    // No token: push says so and keeps everything pending.
    let out = run(&["push", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rep["stopped"][0].as_str().unwrap().contains("NO_SUCH_TOKEN_VAR_FOR_TESTS"), "{rep}");
    let out = run(&["validations", "#1", "--json"]);
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h[0]["push_state"], "pending");
    let out = run(&["outbox", "--discard", &h[0]["id"].to_string()]);
    assert!(out.status.success());
    let out = run(&["outbox", "--json"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(), json!([]));
}

#[test]
fn a_store_at_version_1_migrates_to_validation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(hypercare::store::migrations::MIGRATIONS[0].sql).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert!(store.outbox(true).unwrap().is_empty());
    let v: i64 = store.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).unwrap();
    assert!(v >= 2);
}

#[test]
fn kpis_read_from_the_store() {
    use hypercare::validation::kpi::{
        first_time_fix_rate, load_kpi_rows, reopen_rate, validation_backlog, validation_lead_time, Period,
    };
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    // #1 resolved 2 days before t0: failed at t0 (48 h); #3 resolved 5 days before: passed at t0 (120 h).
    record_validation(&store, &new(ids[0], Outcome::Failed), t0()).unwrap();
    record_validation(&store, &new(ids[2], Outcome::Passed), t0()).unwrap();
    let rows = store.read(|c| load_kpi_rows(c, t0())).unwrap();
    let p = Period { from: t0() - Duration::days(30), to: t0() + Duration::days(1) };
    assert_eq!(first_time_fix_rate(&rows, p), Some(0.5));
    assert_eq!(reopen_rate(&rows, p), Some(0.5));
    let l = validation_lead_time(&rows, p).unwrap();
    assert_eq!((l.count, l.median_hours, l.p90_hours), (2, 84.0, 120.0));
    // Awaiting now: #6 and #2 (#1 and #3 are validated since their fix).
    let b = validation_backlog(&rows, t0());
    assert_eq!((b.count, b.oldest_days), (2, 3));
}

/// A QA pass found demo validations rejected at Push with a Retry that
/// always failed: the demo says up front that they stay local, and refuses
/// the retry with the reason.
#[tokio::test]
async fn demo_validations_say_they_stay_local_are_rejected_not_stuck_and_refuse_a_retry() {
    use hypercare::validation::push::{push_outbox, PushOptions};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let demo = store
        .add_source(
            &NewSource {
                name: "demo".into(),
                kind: SourceKind::Demo,
                url: "demo:".into(),
                project: String::new(),
                token_env: None,
                config: json!({}),
            },
            t0(),
        )
        .unwrap();
    let recs = vec![ticket(1, "Resolved", "Normal", "Bug", 1), ticket(2, "Resolved", "Normal", "Bug", 1)];
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, demo.id, &recs)).unwrap();
    let local = Some(hypercare::validation::DEMO_STAYS_LOCAL.to_string());
    // Before anything is recorded, the queue says where a validation goes.
    let queue = store.validation_queue(&QueueFilter::default(), t0()).unwrap();
    assert_eq!(queue.len(), 2);
    assert!(queue.iter().all(|q| q.stays_local == local), "{queue:#?}");
    let mut recorded = Vec::new();
    for key in ["#1", "#2"] {
        let v = record_validation(&store, &new(store.ticket_id_by_key(key).unwrap(), Outcome::Passed), t0()).unwrap();
        assert_eq!(v.stays_local, local, "the recorded validation says it stays on this machine");
        recorded.push(v.id);
    }
    let report = push_outbox(&store, &|_| None, &PushOptions::default(), t0()).await.unwrap();
    assert_eq!(report.rejected, 2, "{report:#?}");
    let rows = store.outbox(true).unwrap();
    assert!(rows.iter().all(|r| r.state == OutboxState::Rejected
        && r.last_error.as_deref() == local.as_deref()
        && r.stays_local == local), "{rows:#?}");
    // A retry could never succeed: it is refused with the reason, and nothing changes.
    let e = hypercare::validation::outbox::retry_validation(&store, recorded[0], false, t0()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("Demo validations stay on this machine"), "{e}");
    assert!(store.outbox(true).unwrap().iter().all(|r| r.state == OutboxState::Rejected));
}

#[test]
fn validations_of_a_server_ticket_can_be_pushed_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    assert!(store.validation_queue(&QueueFilter::default(), t0()).unwrap().iter().all(|q| q.stays_local.is_none()));
    let v = record_validation(&store, &new(ids[0], Outcome::Passed), t0()).unwrap();
    assert_eq!(v.stays_local, None);
    assert!(store.outbox(true).unwrap().iter().all(|r| r.stays_local.is_none()));
    hypercare::validation::outbox::set_state(&store, &[store.outbox(true).unwrap()[0].id], OutboxState::Rejected, Some("403"), None, t0())
        .unwrap();
    assert_eq!(hypercare::validation::outbox::retry_validation(&store, v.id, false, t0()).unwrap(), 1);
}

#[test]
fn a_ticket_deleted_on_the_server_cannot_be_validated() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    store.with_tx(|tx| Ok(tx.execute("UPDATE tickets SET deleted_at = 1 WHERE id = ?1", [ids[0]])?)).unwrap();
    let e = record_validation(&store, &new(ids[0], Outcome::Passed), t0()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("#1 was deleted"), "{e}");
    assert!(store.outbox(true).unwrap().is_empty());
}

#[test]
fn validations_go_only_with_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    let ev = dir.path().join("e.txt");
    std::fs::write(&ev, "x").unwrap();
    let first = record_validation(&store, &new(ids[0], Outcome::Failed), t0()).unwrap();
    let mut fix = new(ids[0], Outcome::Passed);
    fix.evidence = vec![ev];
    fix.supersedes = Some(first.id);
    record_validation(&store, &fix, t0()).unwrap();
    // A ticket row cannot take its validations with it behind the user's back...
    let e = store.with_tx(|tx| Ok(tx.execute("DELETE FROM validation_evidence", [])?)).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    // ...but removing the whole source (or reloading the demo) does.
    store.remove_source("erp").unwrap();
    let left: i64 = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM validations) + (SELECT count(*) FROM validation_evidence)
                      + (SELECT count(*) FROM outbox)",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(left, 0);
}

fn draft(ticket: i64, outcome: Option<Outcome>, notes: &str) -> hypercare::validation::draft::DraftInput {
    hypercare::validation::draft::DraftInput {
        ticket_id: ticket,
        outcome,
        steps: "1. post invoice 4711".into(),
        environment: "QAS".into(),
        test_data: String::new(),
        notes: notes.into(),
        evidence: "/tmp/shot.png\n".into(),
        supersedes: None,
    }
}

#[test]
fn an_unsent_draft_survives_reopening_the_store_and_recording_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    store.save_validation_draft(&draft(ids[2], Some(Outcome::Failed), "still 500 on post"), t0()).unwrap();
    let later = t0() + Duration::minutes(5);
    store.save_validation_draft(&draft(ids[0], None, "half typed"), later).unwrap();
    drop(store);

    // The app was closed: the drafts are still there, newest first, as typed.
    let store = Store::open_dir(dir.path()).unwrap();
    let drafts = store.validation_drafts().unwrap();
    let shown: Vec<(&str, Option<Outcome>, &str, &str)> =
        drafts.iter().map(|d| (d.ticket_key.as_str(), d.form.outcome, d.form.notes.as_str(), d.form.evidence.as_str())).collect();
    assert_eq!(
        shown,
        vec![("#1", None, "half typed", "/tmp/shot.png\n"), ("#3", Some(Outcome::Failed), "still 500 on post", "/tmp/shot.png\n")]
    );
    assert_eq!(drafts[0].updated_at, later);

    // Editing replaces the draft; recording the validation deletes it with the same transaction.
    store.save_validation_draft(&draft(ids[2], Some(Outcome::Failed), "still 500, also on credit notes"), later).unwrap();
    assert_eq!(store.validation_drafts().unwrap().iter().filter(|d| d.form.ticket_id == ids[2]).count(), 1);
    record_validation(&store, &new(ids[2], Outcome::Failed), later).unwrap();
    let left: Vec<String> = store.validation_drafts().unwrap().into_iter().map(|d| d.ticket_key).collect();
    assert_eq!(left, vec!["#1"]);

    // A failed recording (missing evidence) keeps the draft.
    let mut n = new(ids[0], Outcome::Passed);
    n.evidence = vec![dir.path().join("missing.png")];
    record_validation(&store, &n, later).unwrap_err();
    assert_eq!(store.validation_drafts().unwrap().len(), 1);

    // Discarding drops it; a blank form is no draft; an unknown ticket is named.
    assert!(store.discard_validation_draft(ids[0]).unwrap());
    assert!(!store.discard_validation_draft(ids[0]).unwrap());
    let mut blank = draft(ids[1], None, "");
    (blank.steps, blank.environment, blank.evidence) = (String::new(), " ".into(), String::new());
    assert_eq!(store.save_validation_draft(&blank, later).unwrap(), None);
    assert!(store.validation_drafts().unwrap().is_empty());
    let e = store.save_validation_draft(&draft(9999, None, "x"), later).unwrap_err();
    assert_eq!((e.code(), e.to_string().contains("9999")), (ErrorCode::NotFound, true), "{e}");
}

#[test]
fn the_outbox_names_each_validation_by_its_tickets_round_not_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = setup(dir.path(), json!({}));
    record_validation(&store, &new(ids[0], Outcome::Passed), t0()).unwrap();
    let blocked = record_validation(&store, &new(ids[2], Outcome::Blocked), t0()).unwrap();
    assert_eq!((blocked.id, blocked.round), (2, 1), "the second validation in the store is #3's first round");
    let mut fix = new(ids[2], Outcome::Passed);
    fix.supersedes = Some(blocked.id);
    let corrected = record_validation(&store, &fix, t0() + Duration::minutes(1)).unwrap();
    assert_eq!(corrected.round, 1, "a correction keeps the round it corrects");
    let rows: Vec<(String, Option<i64>, OutboxState, Option<String>)> = store
        .outbox(true)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == OutboxKind::Comment)
        .map(|r| (r.ticket_key, r.round, r.state, r.last_error))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("#3".into(), Some(1), OutboxState::Pending, None),
            (
                "#3".into(),
                Some(1),
                OutboxState::Discarded,
                Some("corrected before it was pushed: round 1 is now passed".into())
            ),
            ("#1".into(), Some(1), OutboxState::Pending, None),
        ]
    );
}
