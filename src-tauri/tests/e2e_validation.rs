//! End to end in the real app window: validate a fix while Redmine is down,
//! see it pending in the outbox, bring Redmine up, push, see it sent and the
//! ticket closed on the server; and, on the demo workspace, an unsent
//! validation kept across a restart of the app until it is saved, and its
//! queue filtered by ERP module.
//! Same harness and environment as `e2e.rs`
//! (REDMINE_URL, REDMINE_API_KEY, REDMINE_DATA, TAURI_DRIVER); run alone:
//! `timeout 900 cargo test -p hypercare-desk --test e2e_validation -- --test-threads=1`.

mod support;

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use support::{redmine_or_skip, testid, App, Redmine, DEMO_WORDS_ONLY, WAIT_TIMEOUT};

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
        app.set_value("validation-filter-priority", "Normal").await?;
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

/// What the validator types and leaves unsent.
const STEPS: &str = "1. Post invoice 4711\n2. Open the GL journal";
const ENVIRONMENT: &str = "QA client 200";
const NOTES: &str = "Blocked: no posting period is open in QA";

/// The validation form's fields as shown: (outcome, steps, environment, notes).
async fn form_fields(app: &App) -> Result<(String, String, String, String)> {
    let outcome = app
        .exec("return document.querySelector('[data-testid=validation-form] input[name=outcome]:checked')?.value ?? '';", vec![])
        .await?;
    Ok((
        outcome.as_str().unwrap_or_default().to_string(),
        app.value("validation-steps").await?,
        app.value("validation-environment").await?,
        app.value("validation-notes").await?,
    ))
}

/// The ticket's draft in the app's store, read with the core library.
fn stored_draft(app: &App, ticket_id: i64) -> Result<Option<hypercare::validation::draft::ValidationDraft>> {
    let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
    Ok(store.validation_drafts()?.into_iter().find(|d| d.form.ticket_id == ticket_id))
}

/// The ticket id of the first fix in the demo's validation queue, once the
/// app has started and the queue shows it.
async fn first_fix(app: &App) -> Result<i64> {
    app.wait_testid("inbox-list").await?;
    app.click("nav-validation").await?;
    let first = app.wait_css(&testid("validation-row"), WAIT_TIMEOUT).await.context("the demo queue is empty")?;
    Ok(first.attr("data-ticket-id").await?.context("no ticket id")?.parse()?)
}

/// Select the queue row of `ticket_id` (after the queue shows it).
async fn select_fix(app: &App, ticket_id: i64) -> Result<String> {
    app.click("nav-validation").await?;
    let row = format!("{}[data-ticket-id=\"{ticket_id}\"]", testid("validation-row"));
    app.click_css(&row).await?;
    app.wait_css(&format!("{}[data-key]", testid("validation-ticket")), WAIT_TIMEOUT).await?;
    Ok(row)
}

/// A validation typed but not saved survives closing and reopening the app
/// (the store keeps the draft); saving it then clears the draft, also
/// across the next restart.
#[tokio::test]
async fn an_unsent_validation_survives_a_restart_and_saving_clears_it() {
    let mut app = App::start_with("validation_draft", DEMO_WORDS_ONLY).await.expect("starting the app");
    let outcome = async {
        let ticket_id = first_fix(&app).await?;
        let row = select_fix(&app, ticket_id).await?;
        ensure!(form_fields(&app).await? == (String::new(), String::new(), String::new(), String::new()), "the form starts filled");

        app.click("outcome-blocked").await?;
        // A line break is typed with the Enter key (WebDriver sends "\n" as no key).
        let enter = char::from(fantoccini::key::Key::Enter).to_string();
        app.type_into("validation-steps", &STEPS.replace('\n', &enter)).await?;
        app.type_into("validation-environment", ENVIRONMENT).await?;
        app.type_into("validation-notes", NOTES).await?;
        app.wait_testid("validation-draft-status").await.context("no sign that the draft is kept")?;
        app.wait_css(&format!("{row} {}", testid("validation-row-draft")), WAIT_TIMEOUT).await?;
        // The draft is written after a pause in typing: wait until the store
        // holds all of it (the user sees "Draft kept on this computer").
        let deadline = std::time::Instant::now() + WAIT_TIMEOUT;
        loop {
            let d = stored_draft(&app, ticket_id)?;
            if d.as_ref().is_some_and(|d| d.form.steps == STEPS && d.form.environment == ENVIRONMENT && d.form.notes == NOTES) {
                break;
            }
            ensure!(std::time::Instant::now() < deadline, "the store never held the whole draft: {d:?}");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }

        app.relaunch().await?;
        app.wait_testid("inbox-list").await?;
        app.click("nav-validation").await?;
        app.wait_css(&format!("{row} {}", testid("validation-row-draft")), WAIT_TIMEOUT)
            .await
            .context("after a restart the queue does not mark the ticket's draft")?;
        select_fix(&app, ticket_id).await?;
        let typed = ("blocked".to_string(), STEPS.to_string(), ENVIRONMENT.to_string(), NOTES.to_string());
        ensure!(form_fields(&app).await? == typed, "after a restart the form does not hold what was typed");
        app.wait_text("validation-draft-status", "Draft kept on this computer", WAIT_TIMEOUT).await?;

        app.click("validation-save").await?;
        app.wait_css(&format!("{}[data-outcome=\"blocked\"]", testid("validation-saved")), WAIT_TIMEOUT)
            .await
            .context("saving the draft did not record a blocked validation")?;
        app.wait_gone(&testid("validation-draft-status"), WAIT_TIMEOUT).await?;
        app.wait_gone(&format!("{row} {}", testid("validation-row-draft")), WAIT_TIMEOUT).await?;
        ensure!(stored_draft(&app, ticket_id)?.is_none(), "the store still holds the draft after saving");
        app.wait_css(&format!("{}[data-outcome=\"blocked\"]", testid("validation-history-item")), WAIT_TIMEOUT).await?;

        // A blocked fix stays in the queue: after another restart it shows
        // no draft and an empty form, and its history keeps the round.
        app.relaunch().await?;
        app.wait_testid("inbox-list").await?;
        select_fix(&app, ticket_id).await?;
        app.wait_css(&format!("{}[data-outcome=\"blocked\"]", testid("validation-history-item")), WAIT_TIMEOUT).await?;
        ensure!(app.count(&format!("{row} {}", testid("validation-row-draft"))).await? == 0, "the saved draft came back");
        ensure!(app.count(&testid("validation-draft-status")).await? == 0, "the saved draft came back");
        ensure!(form_fields(&app).await? == (String::new(), String::new(), String::new(), String::new()), "the form is not empty");
        let notes = app.texts(&testid("validation-history-item")).await?.join("\n");
        ensure!(notes.contains(NOTES), "the history does not show the saved notes: {notes:?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The draft is written 0.5 s after the last keystroke; closing the window
/// inside that pause must not lose the edit: the Validation view holds the
/// close until the pending draft is stored. The window is closed as a
/// window manager's close button does (WM_DELETE_WINDOW → CloseRequested).
#[tokio::test]
async fn closing_the_window_right_after_typing_keeps_the_draft() {
    let mut app = App::start_with("validation_draft_close", DEMO_WORDS_ONLY).await.expect("starting the app");
    let outcome = async {
        let ticket_id = first_fix(&app).await?;
        select_fix(&app, ticket_id).await?;
        app.type_into("validation-notes", NOTES).await?;
        app.close_window_as_user().await?;
        app.relaunch().await?;
        let kept = stored_draft(&app, ticket_id)?.map(|d| d.form.notes);
        ensure!(kept.as_deref() == Some(NOTES), "closing the window lost the typed notes: the store holds {kept:?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The demo's process areas are its ERP modules (the issue category), not
/// the trackers: the area filter offers the modules, and choosing one
/// narrows the queue to that module's fixes.
#[tokio::test]
async fn the_demo_queue_filters_by_erp_module() {
    let app = App::start_with("validation_areas", DEMO_WORDS_ONLY).await.expect("starting the app");
    let outcome = async {
        first_fix(&app).await?;
        let areas = app
            .exec(
                "return [...document.querySelectorAll('[data-testid=validation-filter-area] option')].map((o) => o.value);",
                vec![],
            )
            .await?;
        // "" is "Any process area"; then the modules, sorted by name.
        let mut modules = hypercare::demo::module_names();
        modules.sort_unstable();
        modules.insert(0, "");
        ensure!(areas == serde_json::json!(modules), "the area filter offers {areas}, not the demo's modules");
        let all = app.count(&testid("validation-row")).await?;
        app.set_value("validation-filter-area", "Warehouse").await?;
        app.wait_until(
            "the queue narrowed to Warehouse",
            WAIT_TIMEOUT,
            &format!("(() => {{ const n = document.querySelectorAll('[data-testid=validation-row]').length; return n > 0 && n < {all}; }})()"),
        )
        .await?;
        app.click_css(&testid("validation-row")).await?;
        app.wait_text("validation-ticket", " · Warehouse · ", WAIT_TIMEOUT)
            .await
            .context("the first filtered fix is not shown as a Warehouse fix")?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}
