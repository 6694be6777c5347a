//! Pushing validations to Zendesk Support against a fake Zendesk that
//! serves API v2's documented shapes and checks what it receives: each
//! validation lands exactly once as ONE ticket update (an internal note
//! carrying its marker, the evidence's upload tokens, the status mapped from
//! the source's transitions), even when the update timed out after Zendesk
//! took it; a refused token stops the source, a rate limit defers, a closed
//! ticket is rejected naming why.

mod sync_common;
#[path = "sync_common/fake_zendesk_write.rs"]
mod fake_zendesk_write;

use chrono::{Duration, Utc};
use hypercare::validation::{marker, OutboxKind, OutboxState, Outcome};
use reqwest::Method;
use serde_json::json;

use fake_zendesk_write::{expected_auth, Fault, FakeZendeskWrite, SECRET, TICKET_ID};
use sync_common::validation_world::{World, EVIDENCE};

/// A store with a Zendesk source (passed → "Solved", failed → "Open")
/// holding the fake's ticket, as a sync would have left it.
fn world(zd: &FakeZendeskWrite) -> World {
    zd.world(json!({"validation": {"awaiting_statuses": ["Pending"], "transitions": {"passed": "Solved", "failed": "Open"}}}))
}

/// The PUTs to the ticket, as JSON.
fn updates(zd: &FakeZendeskWrite) -> Vec<serde_json::Value> {
    zd.requests("PUT", &format!("/tickets/{TICKET_ID}.json")).iter().map(|l| l.json()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_is_one_update_with_note_evidence_and_status_and_a_second_push_writes_nothing() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, true);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.pending), (1, 0, 0), "{report:?}");

    // The evidence: one upload, raw bytes, named by the query, its media type.
    let ups = zd.requests("POST", "/uploads.json");
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0].query.get("filename").map(String::as_str), Some("invoice.png"));
    assert_eq!(ups[0].headers.get("content-type").and_then(|h| h.to_str().ok()), Some("image/png"));
    assert_eq!(&ups[0].body[..], EVIDENCE);

    // ONE update: an internal note with the marker and the notes, the upload's token, the status.
    let puts = updates(&zd);
    assert_eq!(puts.len(), 1, "{puts:?}");
    let t = &puts[0]["ticket"];
    let body = t["comment"]["body"].as_str().unwrap_or_default();
    assert!(body.contains(&marker(&v.uuid)) && body.contains("Rounds correctly now."), "{body}");
    assert_eq!(t["comment"]["public"], json!(false), "a validation is an internal note");
    assert_eq!(t["comment"]["uploads"], json!(["tok90002"]));
    assert_eq!(t["status"], json!("solved"));
    {
        let s = zd.state();
        assert_eq!(s.status, "solved");
        assert_eq!(s.comments.len(), 2);
        assert_eq!(s.comments[1].attachments.len(), 1, "the file landed with the marked note");
        assert_eq!(s.comments[1].attachments[0].content, EVIDENCE);
    }
    // Every request carried the source's credentials as basic auth.
    assert!(zd.state().w.log.iter().all(|l| l.auth.as_deref() == Some(expected_auth().as_str())));
    for kind in [OutboxKind::Comment, OutboxKind::Attachment, OutboxKind::Transition] {
        assert_eq!(w.row(&v, kind).0, OutboxState::Sent, "{kind:?}");
    }

    // Pushing again writes nothing.
    let before = zd.state().w.log.len();
    let again = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(zd.state().w.log.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_already_carries_the_marker_is_not_written_again() {
    // A push that crashed after Zendesk took the update, before the store
    // recorded it: the server shows the note and its file, the outbox is pending.
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Failed, true);
    zd.state().add_comment(&format!("Validation FAILED (round 1)\n\n{}", marker(&v.uuid)), false, vec![("invoice.png", EVIDENCE)]);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(zd.requests("POST", "/uploads.json").is_empty(), "the marked file was uploaded again");
    // Only the status is left to send: failed reopens.
    assert_eq!(updates(&zd), vec![json!({"ticket": {"status": "open"}})]);
    assert_eq!(zd.state().comments.len(), 2);
    assert_eq!(zd.state().status, "open");
    let rows = w.store.outbox(true).unwrap();
    let sent = |kind| rows.iter().find(|r| r.validation_id == Some(v.id) && r.kind == kind).and_then(|r| r.remote_ref.clone());
    let (note, file) = { let s = zd.state(); (s.comments[1].id, s.comments[1].attachments[0].id) };
    assert_eq!(sent(OutboxKind::Comment), Some(note.to_string()));
    assert_eq!(sent(OutboxKind::Attachment), Some(file.to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_after_zendesk_took_the_update_never_posts_it_twice() {
    let zd = FakeZendeskWrite::start();
    zd.state().comment_page = 1; // the marker check must read past the first page
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, true);
    zd.fault(Method::PUT, "/tickets/", Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!((first.sent, first.pending), (0, 1), "{first:?}");
    let (state, error, _) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("timed out"), "{error}");
    assert_eq!(zd.state().comments.len(), 2, "Zendesk took the update before the client gave up");

    let retry = w.push(SECRET, 10, Utc::now() + Duration::hours(2)).await;
    assert_eq!(retry.sent, 1, "{retry:?}");
    assert_eq!(updates(&zd).len(), 1, "the retry sent the update again");
    assert_eq!(zd.requests("POST", "/uploads.json").len(), 1, "the retry uploaded the file again");
    assert_eq!(zd.state().comments.len(), 2);
    assert_eq!(zd.state().status, "solved");
    for kind in [OutboxKind::Comment, OutboxKind::Attachment, OutboxKind::Transition] {
        assert_eq!(w.row(&v, kind).0, OutboxState::Sent, "{kind:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_source_and_says_what_to_fix() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, false);
    let report = w.push("agent@acme.test/token:revoked", 10, Utc::now()).await;
    assert_eq!(report.sent, 0);
    assert!(report.stopped.iter().any(|s| s.contains("401") && s.contains("check the source's token")), "{report:?}");
    // Nothing is lost: the rows wait for a valid token; nothing was written.
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Pending);
    assert_eq!(zd.state().w.log.len(), 1, "one refused read, then the source is not asked again");
    assert_eq!(zd.state().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_defers_for_retry_after_then_lands() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, false);
    zd.fault(Method::PUT, "/tickets/", Fault::Status(429, Some("90")));
    let now = Utc::now();
    let report = w.push(SECRET, 10, now).await;
    assert_eq!((report.sent, report.pending, report.rejected), (0, 1, 0), "{report:?}");
    let (state, error, next) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("429"), "{error}");
    assert_eq!(next.timestamp() - now.timestamp(), 90, "Retry-After decides the next attempt");
    assert_eq!(zd.state().comments.len(), 1);

    let later = w.push(SECRET, 10, now + Duration::seconds(91)).await;
    assert_eq!(later.sent, 1, "{later:?}");
    assert_eq!(zd.state().comments.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_ticket_is_rejected_naming_why_and_the_queue_goes_on() {
    let zd = FakeZendeskWrite::start();
    zd.state().status = "closed".into();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, false);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.pending), (0, 1, 0), "{report:?}");
    let (state, error, _) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Rejected);
    assert!(error.contains("422") && error.contains("closed prevents ticket update"), "{error}");
    assert!(report.items[0].message.as_deref().is_some_and(|m| m.contains("closed prevents")), "{report:?}");
    assert_eq!(zd.state().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_zendesk_does_not_have_is_named_and_the_note_still_lands() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, false);
    // The source maps "passed" to a Jira-style name Zendesk does not know.
    w.store
        .read(|c| Ok(c.execute("UPDATE outbox SET target_status = 'Done' WHERE kind = 'transition'", [])?))
        .unwrap();
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    let (state, error, _) = w.row(&v, OutboxKind::Transition);
    assert_eq!(state, OutboxState::Rejected);
    assert!(error.contains("no status \"Done\"") && error.contains("validation.transitions"), "{error}");
    assert!(updates(&zd)[0]["ticket"].get("status").is_none());
    assert_eq!(zd.state().status, "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_developers_change_after_the_validation_holds_it_back_until_forced() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    let v = w.validate(Outcome::Passed, true);
    // While the validator is offline, a developer reopens the ticket with a reply.
    zd.state().edit_by_other("open", Some("Credit notes still round wrong, reopening."));
    let edited = zd.state().updated.format("%Y-%m-%d %H:%M UTC").to_string();

    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.conflicts, 1, "{report:?}");
    w.assert_held_back(&v, &format!("new comment, status changed by Dana Developer at {edited}"));
    assert!(zd.writes().is_empty(), "nothing may be written over the developer's change: {:?}", zd.writes());
    assert_eq!(zd.state().status, "open");

    // Forcing pushes it, once.
    let forced = w.push_with(SECRET, true, 10, Utc::now()).await;
    assert_eq!((forced.sent, forced.conflicts), (1, 0), "{forced:?}");
    assert_eq!(updates(&zd).len(), 1);
    assert_eq!(zd.state().status, "solved");
    let writes = zd.writes().len();
    let again = w.push_with(SECRET, true, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(zd.writes().len(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_earlier_update_is_not_a_conflict() {
    let zd = FakeZendeskWrite::start();
    let w = world(&zd);
    // A fail whose update Zendesk took while the client gave up, then (no
    // sync in between) a pass: both see the ticket as it was before the first.
    let failed = w.validate(Outcome::Failed, false);
    zd.fault(Method::PUT, &format!("/tickets/{TICKET_ID}.json"), Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!(first.pending, 1, "{first:?}");
    let passed = w.validate(Outcome::Passed, false);

    let second = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert_eq!((second.sent, second.conflicts), (2, 0), "{second:?}");
    for v in [&failed, &passed] {
        assert_eq!(w.row(v, OutboxKind::Comment).0, OutboxState::Sent);
    }
    let notes: Vec<_> = zd.state().comments.iter().filter(|c| c.body.contains("[hypercare-validation:")).map(|c| c.body.clone()).collect();
    assert_eq!(notes.len(), 2, "one note per validation: {notes:?}");
    assert_eq!(zd.state().status, "solved");
}
