//! Against the real Redmine: writes the server refuses are marked rejected
//! with its reason and never hold up the rest of the queue; a ticket changed
//! by someone else after it was validated is reported as a conflict, which
//! the user pushes anyway, discards, or revises.

#[path = "support/validation_fixture.rs"]
mod fixture;

use chrono::{Duration, Utc};
use hypercare::validation::outbox::{discard_validation, retry_validation};
use hypercare::validation::push::{push_outbox, PushOptions};
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{marker, OutboxKind, OutboxState, Outcome, Validation};
use hypercare::Store;
use reqwest::Method;
use serde_json::json;

fn validate(store: &Store, ticket: i64, outcome: Outcome, supersedes: Option<i64>) -> Validation {
    record_validation(store, &new_validation(ticket, outcome, supersedes), Utc::now()).unwrap()
}

fn new_validation(ticket: i64, outcome: Outcome, supersedes: Option<i64>) -> NewValidation {
    NewValidation {
        ticket_id: ticket,
        outcome,
        steps: "run the scenario".into(),
        environment: "UAT".into(),
        test_data: String::new(),
        notes: "checked".into(),
        validator: "owner".into(),
        evidence: vec![],
        supersedes,
    }
}

fn row_state(store: &Store, v: &Validation, kind: OutboxKind) -> (OutboxState, String) {
    let row = store.outbox(true).unwrap().into_iter().find(|r| r.validation_id == Some(v.id) && r.kind == kind).unwrap();
    (row.state, row.last_error.unwrap_or_default())
}

/// A new user with `role_id` in the project; returns their API key.
async fn colleague(rm: &fixture::Redmine, project_id: i64, first: &str, last: &str, role_id: i64) -> String {
    let login = fixture::unique(&first.to_lowercase());
    let (s, u) = rm
        .call(
            Method::POST,
            "/users.json",
            Some(json!({"user": {"login": login, "firstname": first, "lastname": last,
                "mail": format!("{login}@example.com"), "password": "secret-password-1"}})),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    let (s, m) = rm
        .call(
            Method::POST,
            &format!("/projects/{project_id}/memberships.json"),
            Some(json!({"membership": {"user_id": u["user"]["id"], "role_ids": [role_id]}})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    u["user"]["api_key"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_writes_and_conflicts_never_block_the_queue() {
    let Some(rm) = fixture::redmine() else { return };
    // A source is one server and project (the same one twice would show every
    // ticket twice), so the reporter's token and the odd transition config
    // each get a project of their own.
    let (project_id, project) = rm.project().await;
    let (rep_project_id, rep_project) = rm.project().await;
    let (_, odd_project) = rm.project().await;
    // Colleagues: a Reporter may comment but not reopen (Resolved → In Progress);
    // a Manager changes anything.
    let rep_key = colleague(&rm, rep_project_id, "Rita", "Reporter", 5).await;
    let mgr_key = colleague(&rm, project_id, "Max", "Manager", 3).await;

    let dir = tempfile::tempdir().unwrap();
    let (store, erp) = fixture::store_with_source(dir.path(), &rm, "erp", &project, "T_ADMIN", json!({}));
    let rep = fixture::add_source(&store, &rm, "erp-rep", &rep_project, "T_REP", json!({}));
    let odd_config = json!({"validation": {"transitions": {"passed": "Verified by business"}}});
    let odd = fixture::add_source(&store, &rm, "erp-odd", &odd_project, "T_ADMIN", odd_config);
    let (admin_key, rep_key2) = (rm.key.clone(), rep_key.clone());
    let token_for = move |s: &hypercare::model::Source| {
        Some(if s.name == "erp-rep" { rep_key2.clone() } else { admin_key.clone() })
    };

    let mut issue = Vec::new();
    for i in 0..8 {
        let home = match i {
            1 => &rep_project,
            2 => &odd_project,
            _ => &project,
        };
        issue.push(rm.resolved_issue(home, &format!("case {i}"), 3).await);
    }
    let id = |i: usize| issue[i]["id"].as_i64().unwrap();
    let a = validate(&store, fixture::mirror(&store, erp, &issue[0]), Outcome::Passed, None);
    let b = validate(&store, fixture::mirror(&store, rep, &issue[1]), Outcome::Failed, None);
    let c = validate(&store, fixture::mirror(&store, odd, &issue[2]), Outcome::Passed, None);
    let d = validate(&store, fixture::mirror(&store, erp, &issue[3]), Outcome::Passed, None);
    let e = validate(&store, fixture::mirror(&store, erp, &issue[4]), Outcome::Passed, None);
    let g_ticket = fixture::mirror(&store, erp, &issue[5]);
    let g = validate(&store, g_ticket, Outcome::Passed, None);
    let f = validate(&store, fixture::mirror(&store, erp, &issue[6]), Outcome::Passed, None);
    // H: one evidence file over Redmine's 5 MB attachment limit, one small.
    let files = tempfile::tempdir().unwrap();
    let (big, small) = (files.path().join("full-export.log"), files.path().join("screen.txt"));
    std::fs::write(&big, vec![b'x'; 6 * 1024 * 1024]).unwrap();
    std::fs::write(&small, "ok").unwrap();
    let h = record_validation(
        &store,
        &NewValidation {
            evidence: vec![big, small],
            ..new_validation(fixture::mirror(&store, erp, &issue[7]), Outcome::Passed, None)
        },
        Utc::now(),
    )
    .unwrap();

    // Meanwhile on the server: A is deleted; the colleague comments on D, moves E to Feedback, comments on G.
    std::thread::sleep(std::time::Duration::from_millis(1100)); // journals must be later than what the validator saw
    let (s, _) = rm.call(Method::DELETE, &format!("/issues/{}.json", id(0)), None).await;
    assert_eq!(s, 204);
    for (i, who, change) in [
        (3, &mgr_key, json!({"notes": "Wait, I found another case."})),
        (4, &mgr_key, json!({"status_id": 4})),
        (5, &mgr_key, json!({"notes": "Reopening?"})),
    ] {
        let (s, v) =
            rm.call_as(who, Method::PUT, &format!("/issues/{}.json", id(i)), Some(json!({"issue": change}))).await;
        assert_eq!(s, 204, "{v}");
    }
    assert_eq!(rm.issue(id(4)).await["status"]["name"], "Feedback");

    let report = push_outbox(&store, &token_for, &PushOptions::default(), Utc::now()).await.unwrap();
    assert_eq!((report.sent, report.rejected, report.conflicts), (1, 4, 3), "{report:#?}");

    // A: the issue is gone — every write rejected with the reason.
    let (st, why) = row_state(&store, &a, OutboxKind::Comment);
    assert_eq!(st, OutboxState::Rejected);
    assert!(why.contains("404"), "{why}");
    // B: comment posted; the forbidden reopen was silently ignored by Redmine, and we noticed.
    assert_eq!(row_state(&store, &b, OutboxKind::Comment).0, OutboxState::Sent);
    let (st, why) = row_state(&store, &b, OutboxKind::Transition);
    assert_eq!(st, OutboxState::Rejected);
    assert!(why.contains("did not apply") && why.contains("In Progress"), "{why}");
    assert_eq!(rm.journals_with(id(1), &marker(&b.uuid)).await, 1);
    assert_eq!(rm.issue(id(1)).await["status"]["name"], "Resolved");
    // C: a status the server does not know.
    assert_eq!(row_state(&store, &c, OutboxKind::Comment).0, OutboxState::Sent);
    let (st, why) = row_state(&store, &c, OutboxKind::Transition);
    assert_eq!(st, OutboxState::Rejected);
    assert!(why.contains("Verified by business"), "{why}");
    // D, E, G: conflicts, reported with what changed, nothing written.
    let (st, why) = row_state(&store, &d, OutboxKind::Comment);
    assert_eq!(st, OutboxState::Conflict);
    assert!(why.contains("new comment") && why.contains("Max Manager"), "{why}");
    let (st, why) = row_state(&store, &e, OutboxKind::Transition);
    assert_eq!(st, OutboxState::Conflict);
    assert!(why.contains("status changed"), "{why}");
    for (i, v) in [(3, &d), (4, &e), (5, &g)] {
        assert_eq!(rm.journals_with(id(i), &marker(&v.uuid)).await, 0);
    }
    // H: the file the server refused is rejected with its reason; the rest went through.
    let rows: Vec<_> = store.outbox(true).unwrap().into_iter().filter(|r| r.validation_id == Some(h.id)).collect();
    let big_row = rows.iter().find(|r| r.detail.as_deref() == Some("full-export.log")).unwrap();
    assert_eq!(big_row.state, OutboxState::Rejected);
    assert!(big_row.last_error.as_deref().unwrap_or("").contains("422"), "{big_row:?}");
    assert!(rows.iter().filter(|r| r.id != big_row.id).all(|r| r.state == OutboxState::Sent), "{rows:#?}");
    let mk = marker(&h.uuid);
    assert_eq!(rm.attachments_with(id(7), &mk).await, vec![("screen.txt".to_string(), 2)]);
    let issue7 = rm.issue(id(7)).await;
    let note = issue7["journals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["notes"].as_str().unwrap_or("").contains(&mk))
        .unwrap();
    assert!(note["notes"].as_str().unwrap().contains("Evidence the server refused: full-export.log"), "{note}");
    assert_eq!(issue7["status"]["name"], "Closed");
    // F: after all that, still pushed.
    assert_eq!(rm.journals_with(id(6), &marker(&f.uuid)).await, 1);
    assert_eq!(rm.issue(id(6)).await["status"]["name"], "Closed");

    // The user decides: discard E, revise G (after a sync shows the new state), push D anyway.
    assert_eq!(discard_validation(&store, e.id, Utc::now()).unwrap(), 2);
    assert_eq!(
        retry_validation(&store, a.id, false, Utc::now()).unwrap(),
        2,
        "A's comment and transition are tried again"
    );
    fixture::mirror(&store, erp, &rm.issue(id(5)).await);
    let g2 = validate(&store, g_ticket, Outcome::Failed, Some(g.id));
    assert_eq!(g2.round, g.round, "a correction keeps the round");
    assert_eq!(row_state(&store, &g, OutboxKind::Comment).0, OutboxState::Discarded);
    let report = push_outbox(
        &store,
        &token_for,
        &PushOptions { force: true, ..Default::default() },
        Utc::now() + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert_eq!((report.sent, report.rejected, report.conflicts), (2, 1, 0), "{report:#?}");
    assert_eq!(rm.journals_with(id(3), &marker(&d.uuid)).await, 1);
    assert_eq!(rm.issue(id(3)).await["status"]["name"], "Closed");
    assert_eq!(rm.journals_with(id(4), &marker(&e.uuid)).await, 0, "a discarded validation is never pushed");
    assert_eq!(row_state(&store, &e, OutboxKind::Comment).0, OutboxState::Discarded);
    assert_eq!(rm.journals_with(id(5), &marker(&g.uuid)).await, 0);
    assert_eq!(rm.journals_with(id(5), &marker(&g2.uuid)).await, 1);
    assert_eq!(rm.issue(id(5)).await["status"]["name"], "In Progress");
    // The retried A is rejected again, with the server's reason.
    let (st, why) = row_state(&store, &a, OutboxKind::Comment);
    assert_eq!(st, OutboxState::Rejected);
    assert!(why.contains("404"), "{why}");
    // The history keeps both G rounds.
    let history = store.validations(g_ticket).unwrap();
    assert_eq!(
        history.iter().map(|v| (v.id, v.superseded_by)).collect::<Vec<_>>(),
        vec![(g.id, Some(g2.id)), (g2.id, None)]
    );
}
