//! Pushing validations to Jira Cloud against a fake Jira that serves REST
//! v3's documented shapes and checks what it receives: each validation
//! lands exactly once (one ADF comment carrying its marker, its evidence,
//! the transition chosen by its target status's name), even when a write
//! timed out after Jira took it; refusals and rate limits are settled as
//! for Redmine.

mod sync_common;

use chrono::{Duration, Utc};
use hypercare::validation::{marker, OutboxKind, OutboxState, Outcome};
use reqwest::Method;
use serde_json::{json, Value};

use sync_common::fake_jira_write::{self as fake, FakeJiraWrite, SECRET};
use sync_common::write_log::Fault;
use sync_common::validation_world::{World, EVIDENCE};

/// A store with a Jira source (passed → "Done", failed → "In Progress")
/// holding the fake's issue, as a sync would have left it.
fn world(jira: &FakeJiraWrite) -> World {
    jira.world(json!({"validation": {"transitions": {"passed": "Done", "failed": "In Progress"}}}))
}

fn expected_auth() -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(SECRET))
}

/// Every text node of an ADF document, in order.
fn adf_texts(v: &Value, out: &mut Vec<String>) {
    if v["type"] == "text" {
        out.push(v["text"].as_str().unwrap_or_default().to_string());
    }
    for c in v["content"].as_array().into_iter().flatten() {
        adf_texts(c, out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_posts_comment_evidence_and_transition_once() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, true);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!((report.sent, report.rejected, report.pending), (1, 0, 0), "{report:?}");

    // One ADF comment; the marker is a text node of it, the notes too.
    let posts = jira.requests("POST", "/comment");
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!((body["body"]["type"].as_str(), body["body"]["version"].as_i64()), (Some("doc"), Some(1)));
    let mut texts = vec![];
    adf_texts(&body["body"], &mut texts);
    assert!(texts.contains(&marker(&v.uuid)), "{texts:?}");
    assert!(texts.contains(&"Rounds correctly now.".to_string()), "{texts:?}");
    assert!(texts.iter().any(|t| t == "* Evidence: invoice.png"), "{texts:?}");

    // The evidence: multipart, the XSRF opt-out header, the marker in the name.
    let ups = jira.requests("POST", "/attachments");
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0].headers.get("x-atlassian-token").and_then(|h| h.to_str().ok()), Some("no-check"));
    let ctype = ups[0].headers.get("content-type").and_then(|h| h.to_str().ok()).unwrap_or_default();
    let (name, mime, content) = fake::multipart_file(ctype, &ups[0].body).expect("a multipart file part");
    assert_eq!((name.as_str(), mime.as_str()), (format!("hc-{}-invoice.png", &v.uuid[..8]).as_str(), "image/png"));
    assert_eq!(content, EVIDENCE);

    // The transition: looked up, then the one leading to "Done" by its id.
    assert_eq!(jira.requests("GET", "/transitions").len(), 1);
    let moves = jira.requests("POST", "/transitions");
    assert_eq!(moves.len(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&moves[0].body).unwrap(), json!({"transition": {"id": "31"}}));
    assert_eq!(jira.state().status.1, "Done");

    // Every request carried the source's credentials as basic auth.
    assert!(jira.state().w.log.iter().all(|l| l.auth.as_deref() == Some(expected_auth().as_str())));
    for kind in [OutboxKind::Comment, OutboxKind::Attachment, OutboxKind::Transition] {
        assert_eq!(w.row(&v, kind).0, OutboxState::Sent, "{kind:?}");
    }

    // Pushing again writes nothing.
    let before = jira.state().w.log.len();
    let again = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(jira.state().w.log.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_already_carries_the_marker_is_not_written_again() {
    // A push that crashed after Jira took the comment and the file, before
    // the store recorded it: the server shows both, the outbox is pending.
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Failed, true);
    {
        let mut s = jira.state();
        let doc = json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "Validation FAILED (round 1)"}, {"type": "hardBreak"},
            {"type": "text", "text": marker(&v.uuid)}]}]});
        s.comments.push((900, doc));
        s.attachments.push(fake::Attachment {
            id: 901,
            filename: format!("hc-{}-invoice.png", &v.uuid[..8]),
            mime: "image/png".into(),
            content: EVIDENCE.to_vec(),
        });
    }
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(jira.requests("POST", "/comment").is_empty(), "the marked comment was posted again");
    assert!(jira.requests("POST", "/attachments").is_empty(), "the marked file was attached again");
    assert_eq!(jira.state().comments.len(), 1);
    // Failed reopens: the transition leading to "In Progress".
    let moves = jira.requests("POST", "/transitions");
    assert_eq!(moves.len(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&moves[0].body).unwrap(), json!({"transition": {"id": "11"}}));
    assert_eq!(jira.state().status.1, "In Progress");
    let rows = w.store.outbox(true).unwrap();
    let sent = |kind| rows.iter().find(|r| r.validation_id == Some(v.id) && r.kind == kind).and_then(|r| r.remote_ref.clone());
    assert_eq!(sent(OutboxKind::Comment).as_deref(), Some("900"));
    assert_eq!(sent(OutboxKind::Attachment).as_deref(), Some("901"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_after_jira_took_the_comment_never_posts_it_twice() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, false);
    jira.fault(Method::POST, "/comment", Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!((first.sent, first.pending), (0, 1), "{first:?}");
    let (state, error, _) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("timed out"), "{error}");
    assert_eq!(jira.state().comments.len(), 1, "Jira took the comment before the client gave up");

    let retry = w.push(SECRET, 10, Utc::now() + Duration::hours(2)).await;
    assert_eq!(retry.sent, 1, "{retry:?}");
    assert_eq!(jira.requests("POST", "/comment").len(), 1, "the retry posted the comment again");
    assert_eq!(jira.state().comments.len(), 1);
    assert_eq!(jira.requests("POST", "/transitions").len(), 1);
    assert_eq!(jira.state().status.1, "Done");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_source_and_says_what_to_fix() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, false);
    let report = w.push("owner@example.com:revoked-token", 10, Utc::now()).await;
    assert_eq!(report.sent, 0);
    assert!(
        report.stopped.iter().any(|s| s.contains("401") && s.contains("check the source's token")),
        "{report:?}"
    );
    // Nothing is lost: the rows wait for a valid token; nothing was written.
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Pending);
    assert_eq!(jira.state().w.log.len(), 1, "one refused read, then the source is not asked again");
    assert!(jira.state().comments.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_defers_for_retry_after_then_lands() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, false);
    jira.fault(Method::GET, "/issue/", Fault::Status(429, Some("120")));
    let now = Utc::now();
    let report = w.push(SECRET, 10, now).await;
    assert_eq!((report.sent, report.pending, report.rejected), (0, 1, 0), "{report:?}");
    let (state, error, next) = w.row(&v, OutboxKind::Comment);
    assert_eq!(state, OutboxState::Pending);
    assert!(error.contains("429"), "{error}");
    assert_eq!(next.timestamp() - now.timestamp(), 120, "Retry-After decides the next attempt");
    assert!(jira.requests("POST", "").is_empty());

    let later = w.push(SECRET, 10, now + Duration::seconds(121)).await;
    assert_eq!(later.sent, 1, "{later:?}");
    assert_eq!(jira.state().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_transition_is_named_and_the_comment_still_lands() {
    let jira = FakeJiraWrite::start();
    jira.state().offered.retain(|t| t.3 != "Done");
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, false);
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    let (state, error, _) = w.row(&v, OutboxKind::Transition);
    assert_eq!(state, OutboxState::Rejected);
    assert!(
        error.contains("no transition to \"Done\"") && error.contains("\"Back to work\" → \"In Progress\""),
        "{error}"
    );
    assert!(report.items[0].message.as_deref().is_some_and(|m| m.contains("\"Done\"")), "{report:?}");
    assert!(jira.requests("POST", "/transitions").is_empty());
    assert_eq!(jira.state().status.1, "Resolved");
    assert_eq!(jira.state().comments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_evidence_and_a_refused_transition_are_named_and_the_comment_lands() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, true);
    jira.fault(Method::POST, "/attachments", Fault::Status(413, None));
    jira.fault(Method::POST, "/transitions", Fault::Status(400, None));
    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.rejected, 1, "{report:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    // The comment tells the reader which file is missing.
    let mut texts = vec![];
    let posts = jira.requests("POST", "/comment");
    adf_texts(&serde_json::from_slice::<Value>(&posts[0].body).unwrap()["body"], &mut texts);
    assert!(texts.iter().any(|t| t == "* Evidence the server refused: invoice.png"), "{texts:?}");
    let (state, error, _) = w.row(&v, OutboxKind::Attachment);
    assert_eq!((state, error.contains("413")), (OutboxState::Rejected, true), "{error}");
    let (state, error, _) = w.row(&v, OutboxKind::Transition);
    assert_eq!(state, OutboxState::Rejected);
    assert!(error.contains("400") && error.contains("move the ticket by hand"), "{error}");
    assert_eq!(jira.state().status.1, "Resolved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_developers_change_after_the_validation_holds_it_back_until_forced() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, true);
    // While the validator is offline, a developer reopens the issue.
    jira.state().edit_by_other(("2", "In Progress"));
    let edited = jira.state().updated.format("%Y-%m-%d %H:%M UTC").to_string();

    let report = w.push(SECRET, 10, Utc::now()).await;
    assert_eq!(report.conflicts, 1, "{report:?}");
    w.assert_held_back(&v, &format!("status changed by Dana Developer at {edited}"));
    assert!(jira.writes().is_empty(), "nothing may be written over the developer's change: {:?}", jira.writes());
    assert_eq!(jira.state().status.1, "In Progress");

    // Forcing pushes it, once.
    let forced = w.push_with(SECRET, true, 10, Utc::now()).await;
    assert_eq!((forced.sent, forced.conflicts), (1, 0), "{forced:?}");
    assert_eq!(jira.requests("POST", "/comment").len(), 1);
    assert_eq!(jira.requests("POST", "/attachments").len(), 1);
    assert_eq!(jira.state().status.1, "Done");
    let writes = jira.writes().len();
    let again = w.push_with(SECRET, true, 10, Utc::now() + Duration::hours(1)).await;
    assert!(again.items.is_empty(), "{again:?}");
    assert_eq!(jira.writes().len(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_upload_before_a_timeout_is_not_a_conflict() {
    let jira = FakeJiraWrite::start();
    let w = world(&jira);
    let v = w.validate(Outcome::Passed, true);
    // Jira takes the file, the client gives up: the issue now shows a change after the validation, ours.
    jira.fault(Method::POST, "/attachments", Fault::Stall(std::time::Duration::from_secs(6)));
    let first = w.push(SECRET, 2, Utc::now()).await;
    assert_eq!(first.pending, 1, "{first:?}");
    assert_eq!(jira.state().attachments.len(), 1);

    let second = w.push(SECRET, 10, Utc::now() + Duration::hours(1)).await;
    assert_eq!((second.sent, second.conflicts), (1, 0), "{second:?}");
    assert_eq!(w.row(&v, OutboxKind::Comment).0, OutboxState::Sent);
    assert_eq!(jira.state().attachments.len(), 1, "the file that landed is not attached again");
    assert_eq!(jira.state().comments.len(), 1);
    assert_eq!(jira.state().status.1, "Done");
}
