//! End to end in the real app window: validate a fix while Redmine is down,
//! see it pending in the outbox, bring Redmine up, push, see it sent and the
//! ticket closed on the server. Same harness and environment as `e2e.rs`
//! (REDMINE_URL, REDMINE_API_KEY, REDMINE_DATA, TAURI_DRIVER); run alone:
//! `timeout 900 cargo test -p hypercare-desk --test e2e_validation -- --test-threads=1`.

mod support;

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use support::{redmine_or_skip, testid, App, Redmine, WAIT_TIMEOUT};

const SYNC_TIMEOUT: Duration = Duration::from_secs(90);
/// Redmine's default status ids.
const RESOLVED: u64 = 3;
const CLOSED: u64 = 5;

/// Connect the app to `project` through the Sources form and wait for the first sync.
async fn connect(app: &App, rm: &Redmine, project: &str) -> Result<()> {
    if app.count(&testid("connect-server")).await? > 0 {
        app.click("connect-server").await?;
    } else {
        app.click("nav-sources").await?;
    }
    app.type_into("source-url", &rm.url).await?;
    app.type_into("source-project", project).await?;
    app.type_into("source-token", &rm.key).await?;
    app.click("test-connection").await?;
    app.wait_text("connection-result", project, WAIT_TIMEOUT).await.context("the connection test failed")?;
    app.click("add-source").await?;
    app.wait_css(&format!("{}[data-done=\"true\"]", testid("sync-progress-label")), SYNC_TIMEOUT)
        .await
        .context("the first sync did not finish")?;
    Ok(())
}

fn outbox_row(key: &str, state: &str) -> String {
    format!("{}[data-key=\"{key}\"][data-state=\"{state}\"]", testid("outbox-row"))
}

#[tokio::test]
async fn a_fix_validated_offline_is_pushed_and_closes_the_ticket() {
    let Some(rm) = redmine_or_skip("a_fix_validated_offline_is_pushed_and_closes_the_ticket") else { return };
    let project = rm.create_project("e2e-validate").await.expect("creating the project");
    let issue = rm.create_issue(&project, "Invoice posting fails", "GL error on post").await.expect("creating an issue");
    rm.add_comment(issue, "Fixed the posting key in build 42").await.expect("commenting");
    rm.set_status(issue, RESOLVED).await.expect("resolving the issue");
    let var = format!("HYPERCARE_TOKEN_{}", project.to_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let env = [("HYPERCARE_CREDENTIAL_STORE", "none"), ("HYPERCARE_SYNC_INTERVAL_SECS", "0"), (var.as_str(), rm.key.as_str())];
    let app = App::start_with("validate_offline", &env).await.expect("starting the app");
    let key = format!("#{issue}");
    let outcome = async {
        connect(&app, &rm, &project).await?;
        app.click("nav-validation").await?;
        let row = format!("{}[data-key=\"{key}\"]", testid("validation-row"));
        app.wait_css(&row, WAIT_TIMEOUT).await.context("the resolved ticket is not in the validation queue")?;
        app.wait_text("nav-validation-count", "1", WAIT_TIMEOUT).await?;
        // The queue's filters go to the core: filtered to its own priority
        // (Redmine's default, Normal) the queue keeps this ticket and shows
        // only Normal ones (the demo's tickets of other priorities drop out).
        app.exec(
            "const s = document.querySelector('[data-testid=validation-filter-priority]');
             s.value = 'Normal'; s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await?;
        app.wait_until(
            "only Normal fixes listed",
            WAIT_TIMEOUT,
            "(() => { const pills = [...document.querySelectorAll('[data-testid=validation-row] .pill')];
              return pills.length > 0 && pills.every((p) => p.textContent.trim() === 'Normal'); })()",
        )
        .await
        .context("the priority filter did not narrow the queue")?;
        app.wait_css(&row, WAIT_TIMEOUT).await.context("filtering by its priority lost the ticket")?;

        let stopped = rm.stop()?;
        app.click_css(&row).await?;
        app.wait_text("validation-fix-note", "build 42", WAIT_TIMEOUT).await.context("no fix note")?;
        app.click("outcome-passed").await?;
        app.type_into("validation-notes", "Posted invoice 4711: posts fine").await?;
        app.click("validation-save").await?;
        app.wait_testid("validation-saved").await.context("the validation was not recorded offline")?;

        app.click("nav-outbox").await?;
        app.wait_css(&outbox_row(&key, "pending"), WAIT_TIMEOUT).await.context("not pending in the outbox")?;
        app.click("outbox-push").await?;
        app.wait_text("outbox-report", "still pending", SYNC_TIMEOUT).await?;
        app.wait_css(&outbox_row(&key, "pending"), WAIT_TIMEOUT).await.context("a push while offline lost it")?;

        stopped.restart()?;
        app.click("outbox-push").await?;
        app.wait_css(&outbox_row(&key, "sent"), SYNC_TIMEOUT).await.context("not sent once Redmine is back")?;

        let on_server = rm.issue(issue).await?;
        ensure!(on_server["status"]["id"].as_u64() == Some(CLOSED), "the ticket is not closed: {}", on_server["status"]);
        let notes: Vec<&str> = on_server["journals"]
            .as_array()
            .map(|js| js.iter().filter_map(|j| j["notes"].as_str()).filter(|n| n.contains("posts fine")).collect())
            .unwrap_or_default();
        ensure!(notes.len() == 1, "expected exactly one validation comment, found {notes:?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}
