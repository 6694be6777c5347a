//! The real `hypercare push` killed (SIGKILL) at random points, again and
//! again, then run to the end: no validation is lost, and on the real
//! Redmine no comment or attachment exists twice.

#[path = "support/validation_fixture.rs"]
mod fixture;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{marker, OutboxState, Outcome, Validation};

const TOKEN_ENV: &str = "VAL_CRASH_TOKEN";

/// A small deterministic generator; the seed is printed so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn push_cmd(dir: &std::path::Path, key: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hypercare"));
    c.arg("--data-dir")
        .arg(dir)
        .arg("push")
        .args(extra)
        .env(TOKEN_ENV, key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_killed_at_random_points_never_loses_or_duplicates() {
    let Some(rm) = fixture::redmine() else { return };
    let seed = std::env::var("VAL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed: VAL_CRASH_SEED={seed}");
    let mut rng = Lcg(seed);
    let (_, project) = rm.project().await;
    let dir = tempfile::tempdir().unwrap();
    let (store, source) =
        fixture::store_with_source(dir.path(), &rm, "erp", &project, TOKEN_ENV, serde_json::json!({}));
    let files = tempfile::tempdir().unwrap();

    let mut recorded: Vec<(i64, Validation)> = Vec::new();
    let (mut trials, mut kills, mut finished) = (0, 0, 0);
    while kills < 24 && trials < 80 {
        trials += 1;
        // New work each trial: two resolved issues validated, with evidence.
        for k in 0..2 {
            let issue = rm.resolved_issue(&project, &format!("trial {trials} fix {k}"), 3).await;
            let ticket = fixture::mirror(&store, source, &issue);
            let mut evidence = Vec::new();
            for f in 0..(k + (trials % 2)) {
                let p = files.path().join(format!("t{trials}-{k}-{f}.txt"));
                std::fs::write(&p, format!("screen {trials} {k} {f}\n").repeat(10 + f as usize)).unwrap();
                evidence.push(p);
            }
            let v = record_validation(
                &store,
                &NewValidation {
                    ticket_id: ticket,
                    outcome: if k == 0 { Outcome::Passed } else { Outcome::Failed },
                    steps: "re-run the month-end close".into(),
                    environment: "QA".into(),
                    test_data: String::new(),
                    notes: format!("trial {trials}"),
                    validator: "crash tester".into(),
                    evidence,
                    supersedes: None,
                },
                Utc::now(),
            )
            .unwrap();
            recorded.push((issue["id"].as_i64().unwrap(), v));
        }
        let delay = Duration::from_millis(rng.next(1500));
        let mut child = push_cmd(dir.path(), &rm.key, &["--force", "--json"]).spawn().unwrap();
        let started = Instant::now();
        while started.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        } else {
            finished += 1;
        }
        child.wait().unwrap();
    }
    let sent_before_final = store.outbox(true).unwrap().iter().filter(|r| r.state == OutboxState::Sent).count();
    let total_rows = store.outbox(true).unwrap().len();
    eprintln!(
        "{trials} trials: {kills} pushes killed mid-run, {finished} finished before the kill; \
         {sent_before_final}/{total_rows} outbox rows sent by the killed runs"
    );
    assert!(sent_before_final > 0, "the killed runs made progress (else the kills all hit before any write)");
    assert!(kills >= 20, "at least 20 pushes must be killed mid-run (got {kills} in {trials} trials)");

    let out = push_cmd(dir.path(), &rm.key, &["--force", "--json"]).output().unwrap();
    assert!(out.status.success(), "final push: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rejected"], 0, "{report}");
    assert_eq!(report["pending"], 0, "{report}");

    // Nothing lost locally: every validation is still there and fully sent.
    let count: i64 = store.read(|c| Ok(c.query_row("SELECT count(*) FROM validations", [], |r| r.get(0))?)).unwrap();
    assert_eq!(count as usize, recorded.len());
    let outbox = store.outbox(true).unwrap();
    assert!(
        outbox.iter().all(|r| r.state == OutboxState::Sent),
        "{:?}",
        outbox.iter().find(|r| r.state != OutboxState::Sent)
    );

    // On the server: exactly one comment and one copy of each attachment per validation.
    for (id, v) in &recorded {
        let mk = marker(&v.uuid);
        assert_eq!(rm.journals_with(*id, &mk).await, 1, "issue {id}: one comment with {mk}");
        let mut want: Vec<(String, i64)> = v.evidence.iter().map(|e| (e.file_name.clone(), e.size)).collect();
        want.sort();
        assert_eq!(rm.attachments_with(*id, &mk).await, want, "issue {id}: each evidence file once");
        let all_attachments = rm.issue(*id).await["attachments"].as_array().unwrap().len();
        assert_eq!(all_attachments, want.len(), "issue {id}: no stray attachment");
        let status = rm.issue(*id).await["status"]["name"].as_str().unwrap().to_string();
        let expected = if v.outcome == Outcome::Passed { "Closed" } else { "In Progress" };
        assert_eq!(status, expected, "issue {id}");
    }
}
