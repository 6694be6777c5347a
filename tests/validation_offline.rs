//! 50 validations recorded while the real Redmine is stopped, then pushed
//! once it is back: each lands exactly once (one marked comment, its
//! attachments, the right status), and a second push writes nothing.
//!
//! Alone in its test binary: it stops the shared server for a while.

#[path = "support/validation_fixture.rs"]
mod fixture;

use chrono::{Duration, Utc};
use hypercare::validation::push::{push_outbox, PushOptions};
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{marker, OutboxState, Outcome};

use fixture::{start_server, stop_server};

fn outcome_of(i: usize) -> Outcome {
    match i % 5 {
        3 => Outcome::Failed,
        4 => Outcome::Blocked,
        _ => Outcome::Passed,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_validations_recorded_offline_land_exactly_once() {
    let Some(rm) = fixture::redmine() else { return };
    let (_, project) = rm.project().await;
    let mut issues = Vec::new();
    for i in 0..50 {
        issues.push(rm.resolved_issue(&project, &format!("Fix {i} to validate"), 3).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, source) =
        fixture::store_with_source(dir.path(), &rm, "erp", &project, "VAL_OFFLINE_TOKEN", serde_json::json!({}));
    let tickets: Vec<i64> = issues.iter().map(|i| fixture::mirror(&store, source, i)).collect();
    let files = tempfile::tempdir().unwrap();

    let mut recorded = Vec::new();
    stop_server(&rm);
    {
        for (i, ticket) in tickets.iter().enumerate() {
            let mut evidence = Vec::new();
            for k in 0..(if i % 3 == 0 { 1 } else { 0 } + if i % 7 == 0 { 1 } else { 0 }) {
                let p = files.path().join(format!("evidence-{i}-{k}.log"));
                std::fs::write(&p, format!("log of run {i}/{k}\n").repeat(i + 1)).unwrap();
                evidence.push(p);
            }
            let v = record_validation(
                &store,
                &NewValidation {
                    ticket_id: *ticket,
                    outcome: outcome_of(i),
                    steps: format!("Post invoice {i}"),
                    environment: "PROD client 2.3".into(),
                    test_data: format!("customer C{i:03}"),
                    notes: format!("checked on the real process, case {i}"),
                    validator: "Process Owner".into(),
                    evidence,
                    supersedes: None,
                },
                Utc::now(),
            )
            .unwrap();
            recorded.push(v);
        }
        // Pushing now fails politely: the server is down, nothing is lost.
        let report = push_outbox(&store, &|_| Some(rm.key.clone()), &PushOptions::default(), Utc::now()).await.unwrap();
        assert_eq!(report.sent, 0);
        assert!(report.stopped.iter().any(|s| s.contains("cannot reach")), "{report:?}");
        let outbox = store.outbox(true).unwrap();
        assert!(outbox.iter().all(|r| r.state == OutboxState::Pending), "everything stays pending while offline");
    }
    start_server(&rm);
    assert_eq!(recorded.iter().filter(|v| !v.evidence.is_empty()).count(), 17 + 8 - 3);

    // Back online; the backoff of the first attempt has expired an hour later.
    let later = Utc::now() + Duration::hours(1);
    let started = std::time::Instant::now();
    let report = push_outbox(&store, &|_| Some(rm.key.clone()), &PushOptions::default(), later).await.unwrap();
    eprintln!(
        "pushed 50 validations ({} outbox rows) in {:.1} s",
        store.outbox(true).unwrap().len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!((report.sent, report.rejected, report.conflicts, report.pending), (50, 0, 0, 0), "{report:?}");

    for (i, v) in recorded.iter().enumerate() {
        let id = issues[i]["id"].as_i64().unwrap();
        let mk = marker(&v.uuid);
        let issue = rm.issue(id).await;
        let with_marker: Vec<&serde_json::Value> = issue["journals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["notes"].as_str().unwrap_or("").contains(&mk))
            .collect();
        assert_eq!(with_marker.len(), 1, "issue {id}: exactly one comment with the marker");
        let notes = with_marker[0]["notes"].as_str().unwrap();
        assert!(
            notes.contains(&format!("checked on the real process, case {i}"))
                && notes.contains("Environment: PROD client 2.3"),
            "{notes}"
        );
        let mut want: Vec<(String, i64)> = v.evidence.iter().map(|e| (e.file_name.clone(), e.size)).collect();
        want.sort();
        assert_eq!(rm.attachments_with(id, &mk).await, want, "issue {id}: its evidence, once");
        let status = issue["status"]["name"].as_str().unwrap();
        let expected = match outcome_of(i) {
            Outcome::Passed => "Closed",
            Outcome::Failed => "In Progress",
            Outcome::Blocked => "Resolved",
        };
        assert_eq!(status, expected, "issue {id} after a {:?} validation", outcome_of(i));
    }
    assert!(store.outbox(true).unwrap().iter().all(|r| r.state == OutboxState::Sent));

    // A second push finds nothing due and writes nothing.
    let again =
        push_outbox(&store, &|_| Some(rm.key.clone()), &PushOptions { force: true, ..Default::default() }, later)
            .await
            .unwrap();
    assert!(again.items.is_empty(), "{again:?}");
    let id0 = issues[0]["id"].as_i64().unwrap();
    assert_eq!(rm.journals_with(id0, &marker(&recorded[0].uuid)).await, 1);
}
