//! Pushing validations to ServiceNow against a fake instance that serves
//! the Table and Attachment APIs' documented shapes and checks what it
//! receives: each validation lands exactly once (one PATCH with the
//! additional comment carrying its marker and the state, the evidence as a
//! binary attachment), even when the PATCH timed out after ServiceNow took
//! it; a refused secret stops the source, a rate limit defers.

mod sync_common;
#[path = "sync_common/fake_servicenow_write.rs"]
mod fake_sn;

use chrono::{Duration, Utc};
use hypercare::validation::{marker, OutboxKind, OutboxState, Outcome};
use reqwest::Method;
use serde_json::{json, Value};

use fake_sn::{expected_auth, Fault, FakeServiceNowWrite, SECRET, SYS_ID};
use sync_common::validation_world::{World, EVIDENCE};

/// A store with a ServiceNow source (passed → `passed`, failed → "In Progress")
/// holding the fake's incident, as a sync would have left it.
fn world(sn: &FakeServiceNowWrite, passed: &str) -> World {
    sn.world(json!({"validation": {"transitions": {"passed": passed, "failed": "In Progress"}}}))
}

/// The PATCH bodies received, as JSON.
fn patches(sn: &FakeServiceNowWrite) -> Vec<Value> {
    sn.requests("PATCH", "/api/now/table/incident/").iter().map(|l| serde_json::from_slice(&l.body).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_writes_comment_and_state_in_one_patch_and_evidence_once() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, true);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.pending), (1, 0, 0), "{report:?}");

    // One PATCH: the additional comment (marker, notes, evidence) and the state by its label.
    let bodies = patches(&sn);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let comment = bodies[0]["comments"].as_str().unwrap_or_default();
    assert!(comment.contains(&marker(&v.uuid)) && comment.contains("Rounds correctly now."), "{comment}");
    assert!(comment.contains("* Evidence: invoice.png"), "{comment}");
    assert_eq!(bodies[0]["state"], json!("Closed"));
    assert!(bodies[0].get("work_notes").is_none());
    let patch = &sn.requests("PATCH", "/incident/")[0];
    assert_eq!(patch.path, format!("/api/now/table/incident/{SYS_ID}"));
    assert_eq!(patch.query.get("sysparm_input_display_value").map(String::as_str), Some("true"));
    assert_eq!(sn.label(), "Closed");

    // The evidence: a binary body, its media type, the marker in the file name.
    let ups = sn.requests("POST", "/api/now/attachment/file");
    assert_eq!(ups.len(), 1);
    let q = &ups[0].query;
    assert_eq!(q.get("table_name").map(String::as_str), Some("incident"));
    assert_eq!(q.get("table_sys_id").map(String::as_str), Some(SYS_ID));
    assert_eq!(q.get("file_name"), Some(&format!("hc-{}-invoice.png", &v.uuid[..8])));
    assert_eq!(ups[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(&ups[0].body[..], EVIDENCE);

    // The marker check read the comments journal of this record.
    let reads = sn.requests("GET", "/sys_journal_field");
    assert!(!reads.is_empty());
    let query = reads[0].query.get("sysparm_query").cloned().unwrap_or_default();
    assert!(query.contains(&format!("element_id={SYS_ID}")) && query.contains("element=comments"), "{query}");

    // Every request carried the source's secret as basic auth.
    assert!(sn.state().w.log.iter().all(|l| l.auth.as_deref() == Some(expected_auth().as_str())));
    for kind in [OutboxKind::Comment, OutboxKind::Attachment, OutboxKind::Transition] {
        assert_eq!(w.row(&v, kind).0, OutboxState::Sent, "{kind:?}");
    }

    // Pushing again writes nothing.
    let before = sn.state().w.log.len();
    let again = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(sn.state().w.log.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_already_carries_the_marker_is_not_written_again() {
    // A push that crashed after ServiceNow took the comment and the file,
    // before the store recorded it: the server shows both, the outbox is pending.
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Failed, true);
    {
        let mut s = sn.state();
        s.comments.push(("c900".into(), format!("Validation FAILED (round 1)\n\n{}", marker(&v.uuid))));
        s.attachments.push(fake_sn::Attachment {
            sys_id: "a901".into(),
            file_name: format!("hc-{}-invoice.png", &v.uuid[..8]),
            content_type: "image/png".into(),
            content: EVIDENCE.to_vec(),
        });
    }
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(sn.requests("POST", "/attachment/file").is_empty(), "the marked file was attached again");
    // Only the state moves (failed reopens): no comment in the PATCH.
    assert_eq!(patches(&sn), vec![json!({"state": "In Progress"})]);
    assert_eq!(sn.state().comments.len(), 1);
    assert_eq!(sn.label(), "In Progress");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_after_servicenow_took_the_patch_never_posts_it_twice() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, false);
    sn.fault(Method::PATCH, "/incident/", Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!((first.sent, first.pending), (0, 1), "{first:?}");
    let (state, error, _) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("timed out"), "{error}");
    assert_eq!(sn.state().comments.len(), 1, "ServiceNow took the PATCH before the client gave up");

    let retry = w.push(SECRET, 10, Utc::now() + Duration::hours(2)).await;
    assert_eq!(retry.sent, 1, "{retry:?}");
    assert_eq!(patches(&sn).len(), 1, "the retry wrote again");
    assert_eq!(sn.state().comments.len(), 1);
    assert_eq!(sn.label(), "Closed");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    assert_eq!(w.row(&v, OutboxKind::Transition).0, OutboxState::Sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_secret_stops_the_source_and_says_what_to_fix() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, false);
    let report = w.push("hypercare.integration:wrong", 10, Utc::now()).await;
    assert_eq!(report.sent, 0);
    assert!(report.stopped.iter().any(|s| s.contains("401") && s.contains("check the source's token")), "{report:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Pending);
    assert_eq!(sn.state().w.log.len(), 1, "one refused read, then the source is not asked again");
    assert!(sn.state().comments.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_defers_for_retry_after_then_lands() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, false);
    sn.fault(Method::GET, "/incident/", Fault::Status(429, Some("120")));
    let now = Utc::now();
    let report = w.push(SECRET, 10, now).await;
    assert_eq!((report.sent, report.pending, report.rejected), (0, 1, 0), "{report:?}");
    let (state, error, next) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("429"), "{error}");
    assert_eq!(next.timestamp() - now.timestamp(), 120, "Retry-After decides the next attempt");
    assert!(patches(&sn).is_empty());

    let later = w.push(SECRET, 10, now + Duration::seconds(121)).await;
    assert_eq!(later.sent, 1, "{later:?}");
    assert_eq!(sn.state().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_numeric_state_is_sent_as_its_value_and_an_ignored_one_is_named() {
    // "7" is a choice value: sent as is, compared by value.
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "7");
    let v = w.validate(Outcome::Passed, false);
    assert_eq!(w.push(SECRET, 10, Utc::now()).await.sent, 1);
    let patch = &sn.requests("PATCH", "/incident/")[0];
    assert_eq!(patch.query.get("sysparm_input_display_value").map(String::as_str), Some("false"));
    assert_eq!(patches(&sn)[0]["state"], json!("7"));
    assert_eq!(w.row(&v, OutboxKind::Transition).0, OutboxState::Sent);

    // A label the instance does not know is ignored: the comment lands, the
    // transition is rejected naming the state the record stays in.
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Accepted");
    let v = w.validate(Outcome::Passed, false);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    let (state, error, _) = w.row(&v, OutboxKind::Transition);
    assert_eq!(state, OutboxState::Rejected);
    assert!(error.contains("\"Accepted\"") && error.contains("\"Resolved\""), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_developers_change_after_the_validation_holds_it_back_until_forced() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, true);
    // While the validator is offline, a developer sets the incident back to In Progress.
    sn.state().edit_by_other("2", None);
    let edited = sn.state().updated.format("%Y-%m-%d %H:%M UTC").to_string();

    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.conflicts, 1, "{report:?}");
    w.assert_held_back(&v, &format!("fields changed by {} at {edited}", fake_sn::DEV));
    assert!(sn.writes().is_empty(), "nothing may be written over the developer's change: {:?}", sn.writes());
    assert_eq!(sn.label(), "In Progress");

    // Forcing pushes it, once.
    let forced = w.push_with(SECRET, true, 10, Utc::now()).await;
    assert_eq!((forced.sent, forced.conflicts), (1, 0), "{forced:?}");
    assert_eq!(patches(&sn).len(), 1);
    assert_eq!(sn.requests("POST", "/attachment/file").len(), 1);
    assert_eq!(sn.label(), "Closed");
    let writes = sn.writes().len();
    let again = w.push_with(SECRET, true, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(sn.writes().len(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_upload_before_a_timeout_is_not_a_conflict() {
    let sn = FakeServiceNowWrite::start();
    let w = world(&sn, "Closed");
    let v = w.validate(Outcome::Passed, true);
    // ServiceNow takes the file, the client gives up: the record now shows an update by the secret's user.
    sn.fault(Method::POST, "/attachment/file", Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!(first.pending, 1, "{first:?}");
    assert_eq!(sn.state().updated_by, fake_sn::ME);

    let second = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert_eq!((second.sent, second.conflicts), (1, 0), "{second:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    assert_eq!(sn.state().attachments.len(), 1, "the file that landed is not attached again");
    assert_eq!(patches(&sn).len(), 1);
    assert_eq!(sn.label(), "Closed");
}
