//! End to end in the real app: the debug `hypercare-desk` binary in a real
//! WebKit window under Xvfb, driven by tauri-driver and WebKitWebDriver,
//! against the real Redmine of the test run (REDMINE_URL, REDMINE_API_KEY,
//! REDMINE_DATA). `scripts/test.sh` runs these one at a time:
//! `timeout 900 cargo test -p hypercare-desk --test e2e -- --test-threads=1`.
//!
//! The UI's `data-testid`s are documented in `ui/TESTIDS.md`.

mod support;

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::json;
use support::{redmine_or_skip, testid, App, Redmine, WAIT_TIMEOUT};

/// How long a first sync of a handful of Redmine issues may take.
const SYNC_TIMEOUT: Duration = Duration::from_secs(90);

mod ids {
    pub const INBOX: &str = "inbox-list";
    pub const ROW: &str = "inbox-row";
    pub const ROW_TITLE: &str = "inbox-row-title";
    pub const SEARCH: &str = "search-input";
    pub const DEMO_BANNER: &str = "demo-banner";
    pub const CONNECT: &str = "connect-server";
    pub const NAV_SOURCES: &str = "nav-sources";
    pub const DETAIL: &str = "ticket-detail";
    pub const DETAIL_TITLE: &str = "detail-title";
    pub const DETAIL_DESCRIPTION: &str = "detail-description";
    pub const COMMENT: &str = "detail-comment";
    pub const SOURCE_URL: &str = "source-url";
    pub const SOURCE_PROJECT: &str = "source-project";
    pub const SOURCE_TOKEN: &str = "source-token";
    pub const TEST_CONNECTION: &str = "test-connection";
    pub const CONNECTION_RESULT: &str = "connection-result";
    pub const ADD_SOURCE: &str = "add-source";
    pub const SYNC_LABEL: &str = "sync-progress-label";
    pub const GO_TO_INBOX: &str = "go-to-inbox";
    pub const SYNC_STATUS: &str = "sync-status";
    pub const SYNC_NOW: &str = "sync-now";
    pub const OFFLINE: &str = "offline-banner";
}

/// What every run of the app gets: no OS credential store (none exists on a
/// headless machine; tokens live in session memory or HYPERCARE_TOKEN_<NAME>).
const BASE_ENV: &[(&str, &str)] = &[("HYPERCARE_CREDENTIAL_STORE", "none")];

/// The keys of the inbox rows in display order (each row carries `data-key`).
async fn shown_keys(app: &App) -> Result<Vec<String>> {
    let keys = app
        .exec(
            "return Array.from(document.querySelectorAll(arguments[0])).map(r => r.dataset.key || '');",
            vec![json!(testid(ids::ROW))],
        )
        .await?;
    serde_json::from_value(keys).context("reading the keys of the inbox rows")
}

/// Type `query` into the inbox's search box (replacing what was there).
async fn search(app: &App, query: &str) -> Result<()> {
    app.type_into(ids::SEARCH, query).await
}

/// Wait until every text in `needles` is shown by some inbox row.
async fn wait_rows_showing(app: &App, needles: &[&str], timeout: Duration) -> Result<Vec<String>> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let rows = app.texts(&testid(ids::ROW)).await?;
        if needles.iter().all(|n| rows.iter().any(|r| r.contains(n))) {
            return Ok(rows);
        }
        ensure!(std::time::Instant::now() < deadline, "rows never showed all of {needles:?} within {timeout:?}; they show {rows:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Wait until the inbox shows exactly `n` rows (a search is debounced).
async fn wait_row_count(app: &App, n: usize, timeout: Duration) -> Result<()> {
    let js = format!("document.querySelectorAll('[data-testid=\"{}\"]').length === {n}", ids::ROW);
    app.wait_until(&format!("{n} inbox rows"), timeout, &js).await
}

/// Save a screenshot of the demo inbox to `docs/screenshot.png` when
/// HYPERCARE_SCREENSHOT is set (the README shows it).
async fn maybe_save_readme_screenshot(app: &App) -> Result<()> {
    if std::env::var_os("HYPERCARE_SCREENSHOT").is_none() {
        return Ok(());
    }
    let path = support::app::repo_root().join("docs/screenshot.png");
    app.screenshot(&path).await?;
    eprintln!("saved {}", path.display());
    Ok(())
}

// ---- (a)-(c): the demo workspace --------------------------------------------

#[tokio::test]
async fn starts_on_the_demo_workspace() {
    let app = App::start_with("demo_start", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_testid(ids::INBOX).await?;
        app.wait_css(&testid(ids::ROW), WAIT_TIMEOUT).await.context("the demo inbox shows no ticket")?;
        let banner = app.text(ids::DEMO_BANNER).await?;
        ensure!(banner.to_lowercase().contains("demo workspace"), "the demo banner says {banner:?}");
        let rows = app.count(&testid(ids::ROW)).await?;
        ensure!(rows >= 10, "the demo inbox shows only {rows} tickets");
        app.wait_testid(ids::CONNECT).await.context("no way to connect a server on the first run")?;
        let store_tickets = demo_ticket_count(&app)?;
        ensure!(store_tickets > 0, "the demo store has no tickets");
        maybe_save_readme_screenshot(&app).await?;
        empty_fields_are_named_by_the_app(&app).await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The Sources form names an empty field in its own note and focuses it
/// (no WebKit "Please fill out this field" tooltip blocks the submit).
async fn empty_fields_are_named_by_the_app(app: &App) -> Result<()> {
    let focused = "return document.activeElement?.dataset.testid ?? '';";
    app.click(ids::CONNECT).await?;
    app.click(ids::ADD_SOURCE).await?;
    app.wait_text("form-error", "server URL", WAIT_TIMEOUT).await.context("an empty URL is not named")?;
    ensure!(app.exec(focused, vec![]).await? == json!(ids::SOURCE_URL), "the empty URL field does not have the focus");
    app.type_into(ids::SOURCE_URL, "http://127.0.0.1:9").await?;
    app.click(ids::TEST_CONNECTION).await?;
    app.wait_text("form-error", "project identifier", WAIT_TIMEOUT).await.context("an empty project is not named")?;
    ensure!(app.exec(focused, vec![]).await? == json!(ids::SOURCE_PROJECT), "the empty project field does not have the focus");
    Ok(())
}

/// Tickets in the app's store, read with the core library (an independent reader).
fn demo_ticket_count(app: &App) -> Result<usize> {
    let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
    let all = store.tickets(&hypercare::model::TicketQuery { limit: Some(100_000), ..Default::default() })?;
    Ok(all.len())
}

/// A word that finds a few (2..=30) but not all tickets in `store`, taken from
/// ticket titles, with the keys the core's search returns for it.
fn a_selective_word(store: &hypercare::Store) -> Result<(String, Vec<String>)> {
    let all = store.tickets(&hypercare::model::TicketQuery { limit: Some(100_000), ..Default::default() })?;
    for t in &all {
        for word in t.title.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 6) {
            let q = hypercare::model::TicketQuery { search: Some(word.to_string()), limit: Some(200), ..Default::default() };
            let hits = store.tickets(&q)?;
            if (2..=30).contains(&hits.len()) && hits.len() < all.len() {
                return Ok((word.to_string(), hits.into_iter().map(|h| h.key).collect()));
            }
        }
    }
    anyhow::bail!("no title word of the demo finds between 2 and 30 tickets")
}

#[tokio::test]
async fn search_finds_the_expected_tickets() {
    let app = App::start_with("demo_search", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_css(&testid(ids::ROW), WAIT_TIMEOUT).await?;
        let before = app.count(&testid(ids::ROW)).await?;
        let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
        let (word, mut expected) = a_selective_word(&store)?;
        eprintln!("searching {word:?}: the store finds {} of {before}+ tickets", expected.len());
        // `/` focuses the search box from anywhere (keyboard navigation).
        app.press("/").await?;
        app.press(&word).await?;
        expected.sort();
        let deadline = std::time::Instant::now() + WAIT_TIMEOUT;
        loop {
            let mut shown = shown_keys(&app).await?;
            shown.sort();
            if shown == expected {
                break;
            }
            ensure!(
                std::time::Instant::now() < deadline,
                "searching {word:?} shows {shown:?}; the store finds {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        ensure!(expected.len() < before, "the search did not narrow the inbox ({before} rows before)");
        // Clearing the search brings every ticket back.
        search(&app, "").await?;
        app.wait_until("inbox restored", WAIT_TIMEOUT, &format!(
            "document.querySelectorAll('{}').length === {before}", testid(ids::ROW).replace('\'', "\\'")
        )).await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

#[tokio::test]
async fn the_inbox_counts_every_match_and_refuses_a_backwards_date_range() {
    let app = App::start_with("inbox_count_range", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_css(&testid(ids::ROW), WAIT_TIMEOUT).await?;
        // A full page says how many tickets there are in all, as the store counts them.
        let total = demo_ticket_count(&app)?;
        ensure!(total > 200, "the demo has {total} tickets: one page holds them all");
        let label = app.wait_text("inbox-count", " of ", WAIT_TIMEOUT).await?;
        let expected = format!("{} of {} tickets", app.count(&testid(ids::ROW)).await?, thousands(total));
        ensure!(label.trim() == expected, "the count reads {label:?}, expected {expected:?}");

        // "Updated from" after "Updated to": a message naming both days, no rows, the field marked.
        app.set_value("filter-updated-from", "2026-12-01").await?;
        app.set_value("filter-updated-to", "2026-10-01").await?;
        let note = app.wait_text("inbox-error", "2026-12-01", WAIT_TIMEOUT).await?;
        ensure!(note.contains("2026-10-01") && note.contains("Swap"), "the note says {note:?}");
        wait_row_count(&app, 0, WAIT_TIMEOUT).await?;
        app.wait_until("the 'Updated to' field marked", WAIT_TIMEOUT,
            "document.querySelector('[data-testid=\"filter-updated-to\"]').getAttribute('aria-invalid') === 'true'").await?;
        // Typing a search meanwhile re-runs the query and reports the same
        // problem again: the focus stays where the user types.
        app.click(ids::SEARCH).await?;
        app.press("scanner").await?;
        tokio::time::sleep(Duration::from_millis(600)).await; // past the search debounce: the re-run has reported
        ensure!(app.value(ids::SEARCH).await? == "scanner", "the search box lost typed text");
        let focused = app.focused_testid().await?;
        ensure!(focused == ids::SEARCH, "the focus moved to {focused:?} while typing a search");
        // Clearing one end of the range takes the note away; clearing both and
        // the search brings every ticket back.
        app.set_value("filter-updated-to", "").await?;
        app.wait_gone(&testid("inbox-error"), WAIT_TIMEOUT).await?;
        app.set_value("filter-updated-from", "").await?;
        search(&app, "").await?;
        app.wait_text("inbox-count", &thousands(total), WAIT_TIMEOUT).await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// `n` with thousands separators, as the UI writes counts ("12,345").
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Collapse runs of whitespace (CRLF, indentation) to one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_ticket_opens_with_its_description_and_comments() {
    let app = App::start_with("demo_detail", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_css(&testid(ids::ROW), WAIT_TIMEOUT).await?;
        let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
        let all = store.tickets(&hypercare::model::TicketQuery { limit: Some(100_000), ..Default::default() })?;
        let pick = all
            .iter()
            .find(|t| t.comment_count >= 2)
            .context("no demo ticket has two comments")?;
        let detail = store.ticket_detail(pick.id)?;
        eprintln!("opening {} ({} comments)", pick.key, detail.comments.len());
        search(&app, &pick.key).await?;
        let row = format!("{}[data-key=\"{}\"]", testid(ids::ROW), pick.key);
        app.click_css(&row).await?;
        app.wait_testid(ids::DETAIL).await?;
        app.wait_text(ids::DETAIL_TITLE, &pick.title, WAIT_TIMEOUT).await?;
        let description = squash(&app.text(ids::DETAIL_DESCRIPTION).await?);
        let first_line = squash(detail.description.lines().next().unwrap_or_default());
        ensure!(description.contains(&first_line), "the description shows {description:?}, expected {first_line:?}");
        let comments = app.texts(&testid(ids::COMMENT)).await?;
        ensure!(
            comments.len() == detail.comments.len(),
            "{} comments shown, the ticket has {}",
            comments.len(),
            detail.comments.len()
        );
        for c in &detail.comments {
            let body = squash(&c.body);
            ensure!(comments.iter().any(|shown| squash(shown).contains(&body)), "comment {body:?} is not shown");
        }
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

// ---- (d)-(f): a real Redmine -------------------------------------------------

/// Connect the app to `project` on `rm` through the UI (test the connection,
/// connect and sync), wait for the first sync to finish and open the inbox.
async fn add_redmine_source(app: &App, rm: &Redmine, project: &str) -> Result<()> {
    // The demo banner's button on the first run, the sidebar afterwards.
    if app.count(&testid(ids::CONNECT)).await? > 0 {
        app.click(ids::CONNECT).await?;
    } else {
        app.click(ids::NAV_SOURCES).await?;
    }
    app.type_into(ids::SOURCE_URL, &rm.url).await?;
    app.type_into(ids::SOURCE_PROJECT, project).await?;
    app.type_into(ids::SOURCE_TOKEN, &rm.key).await?;
    app.click(ids::TEST_CONNECTION).await?;
    app.wait_text(ids::CONNECTION_RESULT, project, WAIT_TIMEOUT)
        .await
        .context("the connection test did not name the project")?;
    app.click(ids::ADD_SOURCE).await?;
    app.wait_css(&format!("{}[data-done=\"true\"]", testid(ids::SYNC_LABEL)), SYNC_TIMEOUT)
        .await
        .context("the first sync did not finish")?;
    app.click(ids::GO_TO_INBOX).await?;
    app.wait_testid(ids::INBOX).await?;
    Ok(())
}

/// The sync status's `data-state` (`running`, `ok`, `offline`, `error`, ...).
async fn sync_state(app: &App) -> Result<String> {
    let state = app
        .exec("const s = document.querySelector(arguments[0]); return s ? s.dataset.state : '';", vec![json!(testid(ids::SYNC_STATUS))])
        .await?;
    Ok(state.as_str().unwrap_or_default().to_string())
}

/// Click "Sync now" and wait until that sync ended; returns the state it ended in.
async fn sync_now(app: &App) -> Result<String> {
    app.click(ids::SYNC_NOW).await?;
    // The run may be over before the first look; wait briefly to see it start.
    let seen_start = std::time::Instant::now() + Duration::from_secs(2);
    while std::time::Instant::now() < seen_start && sync_state(app).await? != "running" {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = std::time::Instant::now() + SYNC_TIMEOUT;
    loop {
        let state = sync_state(app).await?;
        if state != "running" {
            return Ok(state);
        }
        ensure!(std::time::Instant::now() < deadline, "the sync still runs after {SYNC_TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The environment for an app that syncs `project`: its token where the app
/// looks for it after a restart (no OS credential store on a headless machine).
fn env_for(rm: &Redmine, project: &str, extra: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let var = format!("HYPERCARE_TOKEN_{}", project.to_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let mut env: Vec<(String, String)> = BASE_ENV.iter().chain(extra).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    env.push((var, rm.key.clone()));
    env
}

async fn start_for(name: &str, rm: &Redmine, project: &str, extra: &[(&'static str, &'static str)]) -> Result<App> {
    let env = env_for(rm, project, extra);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    App::start_with(name, &pairs).await
}

#[tokio::test]
async fn a_redmine_source_is_added_and_synced() {
    let Some(rm) = redmine_or_skip("a_redmine_source_is_added_and_synced") else { return };
    let project = rm.create_project("e2e-add").await.expect("creating the project");
    let tag = format!("zq{}", support::app::unix_millis());
    for n in 1..=3 {
        rm.create_issue(&project, &format!("Invoice {tag} number {n} posts twice"), "Steps: post an invoice.")
            .await
            .expect("creating an issue");
    }
    let app = start_for("redmine_add", &rm, &project, &[]).await.expect("starting the app");
    let outcome = async {
        add_redmine_source(&app, &rm, &project).await?;
        search(&app, &tag).await?;
        wait_rows_showing(&app, &["number 1", "number 2", "number 3"], SYNC_TIMEOUT).await?;
        // Tickets created on the server meanwhile arrive with the next sync.
        rm.create_issue(&project, &format!("Invoice {tag} number 4 arrives later"), "Created after the first sync.").await?;
        let state = sync_now(&app).await?;
        ensure!(state == "ok", "the second sync ended as {state:?}");
        search(&app, &tag).await?;
        wait_rows_showing(&app, &["number 4"], SYNC_TIMEOUT).await?;
        wait_row_count(&app, 4, WAIT_TIMEOUT).await.context("the search does not show exactly the project's 4 tickets")?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The urgency and signals the app stored for the ticket titled `title`.
fn stored_triage(app: &App, title: &str) -> Result<(String, String)> {
    let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
    let row = store.read(|c| {
        Ok(c.query_row(
            "SELECT COALESCE(tr.urgency_override, tr.urgency), tr.signals FROM triage tr JOIN tickets t ON t.id = tr.ticket_id
             WHERE t.title = ?1",
            [title],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?)
    })?;
    Ok(row)
}

#[tokio::test]
async fn the_urgency_field_chosen_in_sources_decides_the_triage() {
    let Some(rm) = redmine_or_skip("the_urgency_field_chosen_in_sources_decides_the_triage") else { return };
    let project = rm.create_project("e2e-fields").await.expect("creating the project");
    let field = rm.create_custom_field(&project, "Urgency").await.expect("creating the custom field");
    let title = format!("Bank file {} rejected by the bank", support::app::unix_millis());
    let issue = rm.create_issue(&project, &title, "We re-sent it by hand.").await.expect("creating an issue");
    rm.set_custom_field(issue, field, "1 - Critical").await.expect("setting the field");
    let app = start_for("source_fields", &rm, &project, &[]).await.expect("starting the app");
    let outcome = async {
        add_redmine_source(&app, &rm, &project).await?;
        let (before, _) = stored_triage(&app, &title)?;
        app.click(ids::NAV_SOURCES).await?;
        app.click_css(&format!("{} summary", testid("source-fields"))).await?;
        let options = app.texts(&format!("{} option", testid("source-fields-urgency"))).await?;
        ensure!(
            options.iter().any(|o| o.contains(&format!("(#{field}) — 1 ticket, e.g. 1 - Critical"))),
            "the urgency picker does not list the server's field with its value: {options:?}"
        );
        app.set_value("source-fields-urgency", &field.to_string()).await?;
        app.click("source-fields-save").await?;
        app.wait_text("source-fields-note", "triaged again", WAIT_TIMEOUT).await?;
        let (urgency, signals) = stored_triage(&app, &title)?;
        ensure!(urgency == "critical", "urgency is {urgency:?} (was {before:?} from the text) after choosing the field");
        ensure!(signals.contains("from the ticket's Urgency"), "the reasons do not name the field: {signals}");
        // Saving the same choice again is not a change: no second triage run.
        app.click("source-fields-save").await?;
        let note = format!("document.querySelector('{}')?.textContent.trim() === 'Saved.'", testid("source-fields-note"));
        app.wait_until("the note says only Saved", WAIT_TIMEOUT, &note).await?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

#[tokio::test]
async fn offline_shows_a_banner_and_keeps_the_data() {
    let Some(rm) = redmine_or_skip("offline_shows_a_banner_and_keeps_the_data") else { return };
    let project = rm.create_project("e2e-offline").await.expect("creating the project");
    let tag = format!("zq{}", support::app::unix_millis());
    rm.create_issue(&project, &format!("Picking {tag} list prints blank"), "The pick list prints an empty page.")
        .await
        .expect("creating an issue");
    // Background retries every 2 s, so coming back online needs no click.
    let mut app = start_for("redmine_offline", &rm, &project, &[("HYPERCARE_SYNC_INTERVAL_SECS", "2")])
        .await
        .expect("starting the app");
    let outcome = async {
        add_redmine_source(&app, &rm, &project).await?;
        search(&app, &tag).await?;
        wait_rows_showing(&app, &["prints blank"], SYNC_TIMEOUT).await?;
        ensure!(app.count(&testid(ids::OFFLINE)).await? == 0, "offline banner while the server is up");

        let stopped = rm.stop()?;
        let state = sync_now(&app).await?;
        ensure!(state == "offline", "a sync with the server down ended as {state:?}, not offline");
        app.wait_testid(ids::OFFLINE).await.context("no offline banner after a sync with the server down")?;
        search(&app, &tag).await?;
        wait_rows_showing(&app, &["prints blank"], WAIT_TIMEOUT).await.context("the data is gone while offline")?;

        // A restart while offline opens at once on the last synced data.
        app.relaunch().await?;
        app.wait_testid(ids::OFFLINE).await.context("no offline banner after a restart with the server down")?;
        search(&app, &tag).await?;
        wait_rows_showing(&app, &["prints blank"], WAIT_TIMEOUT).await?;

        // Back online: the background retry clears the banner by itself.
        stopped.restart()?;
        app.wait_gone(&testid(ids::OFFLINE), SYNC_TIMEOUT).await.context("the offline banner stays once the server is back")?;
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

const XSS_IMG: &str = r#"<img src=x onerror="window.__pwned=1">"#;
const XSS_SCRIPT: &str = "<script>window.__pwned=2</script>";

#[tokio::test]
async fn ticket_text_is_shown_as_text_and_never_runs() {
    let Some(rm) = redmine_or_skip("ticket_text_is_shown_as_text_and_never_runs") else { return };
    let project = rm.create_project("e2e-xss").await.expect("creating the project");
    let tag = format!("zq{}", support::app::unix_millis());
    let subject = format!("Payload {tag} {XSS_IMG} {XSS_SCRIPT}");
    let description = format!("Description {XSS_SCRIPT} and {XSS_IMG} end");
    let comment = format!("Comment {XSS_IMG} then {XSS_SCRIPT}");
    let issue = rm.create_issue(&project, &subject, &description).await.expect("creating the issue");
    rm.add_comment(issue, &comment).await.expect("adding the comment");
    let app = start_for("redmine_xss", &rm, &project, &[]).await.expect("starting the app");
    let outcome = async {
        add_redmine_source(&app, &rm, &project).await?;
        search(&app, &tag).await?;
        wait_rows_showing(&app, &[XSS_IMG], SYNC_TIMEOUT).await?;
        wait_row_count(&app, 1, WAIT_TIMEOUT).await?;
        let titles = app.texts(&testid(ids::ROW_TITLE)).await?;
        ensure!(titles == vec![subject.clone()], "the row title is not the literal subject: {titles:?}");
        app.click_css(&testid(ids::ROW)).await?;
        app.wait_text(ids::DETAIL_TITLE, XSS_IMG, WAIT_TIMEOUT).await?;
        app.wait_text(ids::DETAIL_TITLE, XSS_SCRIPT, WAIT_TIMEOUT).await?;
        app.wait_text(ids::DETAIL_DESCRIPTION, &format!("Description {XSS_SCRIPT} and {XSS_IMG} end"), WAIT_TIMEOUT).await?;
        let comments = app.texts(&testid(ids::COMMENT)).await?;
        ensure!(comments.iter().any(|c| c.contains(&comment)), "the comment is not shown as text: {comments:?}");
        // Give an injected onerror handler time to fire before checking.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let clean = app.exec("return window.__pwned === undefined;", vec![]).await?;
        ensure!(clean == json!(true), "a payload ran: window.__pwned is set");
        let injected = app
            .exec(
                "const d = document.querySelector(arguments[0]); \
                 return d.querySelectorAll('img, script').length + document.querySelectorAll('img[src=\"x\"]').length;",
                vec![json!(testid(ids::DETAIL))],
            )
            .await?;
        ensure!(injected == json!(0), "payload elements exist in the page ({injected})");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The KPIs dashboard on the demo: tiles show numbers, every chart is an
/// `<img>` whose SVG loaded (never inline markup), the report export writes
/// its files, and a backlog point opened by keyboard lists its tickets.
#[tokio::test]
async fn the_kpi_dashboard_shows_the_demo_as_numbers_and_chart_images() {
    let app = App::start_with("demo_kpis", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_testid(ids::INBOX).await?;
        app.click("nav-kpis").await?;
        app.wait_css("[data-testid=kpi-tile][data-kpi=created]", WAIT_TIMEOUT).await?;
        let created = app.texts("[data-testid=kpi-tile][data-kpi=created]").await?.join(" ");
        ensure!(created.chars().any(|c| c.is_ascii_digit()), "the `created` tile shows no number: {created:?}");
        let charts = app.count("[data-testid=kpi-chart]").await?;
        ensure!(charts == 7, "the dashboard shows {charts} charts, not 7");
        app.wait_until(
            "every chart image loaded",
            WAIT_TIMEOUT,
            "Array.from(document.querySelectorAll('[data-testid=kpi-chart]')).every(c => { \
               const i = c.querySelector('img'); \
               return i && i.src.startsWith('data:image/svg+xml;base64,') && i.complete && i.naturalWidth > 0; })",
        )
        .await?;
        let inline_svg = app.count("[data-testid=kpi-chart] svg").await?;
        ensure!(inline_svg == 0, "charts must be images, found {inline_svg} inline <svg> elements");

        app.click("export-report").await?;
        let result = app.wait_text("export-result", "report.html", Duration::from_secs(60)).await?;
        let html = result.lines().find(|l| l.trim_end().ends_with("report.html")).context("no report.html path")?;
        ensure!(std::path::Path::new(html.trim()).is_file(), "the export says it wrote {html:?} but it is not there");

        // Drill down by keyboard: focus the backlog's first day, jump to the
        // last one, list its points, open "All open": the inbox lists exactly
        // as many tickets as the point counts.
        app.exec("document.querySelector('[data-chart=backlog_burndown] [data-testid=kpi-point]').focus()", vec![]).await?;
        app.press(&char::from(fantoccini::key::Key::End).to_string()).await?;
        app.press(&char::from(fantoccini::key::Key::Enter).to_string()).await?;
        app.wait_css("[data-chart=backlog_burndown] [data-testid=kpi-point-panel]", WAIT_TIMEOUT).await?;
        let open = "[data-chart=backlog_burndown] [data-testid=kpi-point-open][data-series='All open']";
        let label = app.texts(open).await?.join(" ");
        let want: usize = label
            .split("list ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("no ticket count in {label:?}"))?;
        app.click_css(open).await?;
        app.wait_text("inbox-drill", "All open", WAIT_TIMEOUT).await?;
        app.wait_css(&testid(ids::ROW), WAIT_TIMEOUT).await.context("the backlog point opened an empty inbox")?;
        if want < 200 {
            app.wait_until("the inbox lists the point's tickets", WAIT_TIMEOUT, &format!(
                "document.querySelectorAll('[data-testid=inbox-row]').length === {want}"
            )).await?;
        }
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// A manager changes the exit thresholds in the KPI settings dialog: a
/// refused value is named and marked, Escape asks before it discards, Save recomputes the
/// exit tiles at once, and the setting is in the store the CLI reads.
#[tokio::test]
async fn kpi_settings_saved_in_the_dialog_recompute_the_exit_criteria() {
    let app = App::start_with("demo_kpi_settings", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_testid(ids::INBOX).await?;
        app.click("nav-kpis").await?;
        let tile = |kpi: &str| format!("[data-testid=kpi-tile][data-kpi={kpi}]");
        let state = |kpi: &str| format!("document.querySelector('{}')?.dataset.state", tile(kpi));
        app.wait_css(&tile("no_open_p1"), WAIT_TIMEOUT).await?;
        for kpi in ["no_open_p1", "csat"] {
            let s = app.exec(&format!("return {};", state(kpi)), vec![]).await?;
            ensure!(s == json!("fail"), "the demo's {kpi} tile should start failing with the default thresholds: {s}");
        }
        let input = |key: &str| format!("[data-testid=kpi-setting-input][data-key=\"{key}\"]");
        let set = |key: &str, v: &str| {
            let css = input(key);
            let v = v.to_string();
            let app = &app;
            async move {
                let el = app.wait_css(&css, WAIT_TIMEOUT).await?;
                app.exec(
                    "const e = arguments[0]; e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true }));",
                    vec![serde_json::to_value(&el)?, json!(v)],
                )
                .await?;
                anyhow::Ok(())
            }
        };

        // Escape with unsaved changes asks first; Escape again keeps them;
        // Discard drops them.
        let escape = char::from(fantoccini::key::Key::Escape).to_string();
        app.click("kpi-settings-open").await?;
        app.wait_testid("kpi-settings").await?;
        set("exit.max_open_p1", "999").await?;
        app.press(&escape).await?;
        app.wait_testid("kpi-settings-discard-prompt").await?;
        app.press(&escape).await?;
        app.wait_gone(&testid("kpi-settings-discard-prompt"), WAIT_TIMEOUT).await?;
        let kept = app.exec(&format!("return document.querySelector('{}').value;", input("exit.max_open_p1").replace('\'', "\\'")), vec![]).await?;
        ensure!(kept == json!("999"), "Escape on the prompt must keep the edit, not {kept}");
        app.press(&escape).await?;
        app.click("kpi-settings-discard").await?;
        app.wait_gone(&testid("kpi-settings"), WAIT_TIMEOUT).await?;
        let s = app.exec(&format!("return {};", state("no_open_p1")), vec![]).await?;
        ensure!(s == json!("fail"), "Escape must not save: no_open_p1 is {s}");

        // Ctrl+, opens it again; a refused value names its field and is marked.
        app.press(&format!("{},", char::from(fantoccini::key::Key::Control))).await?;
        app.wait_testid("kpi-settings").await?;
        set("licensed_users", "0").await?;
        app.click("kpi-settings-save").await?;
        let note = app.wait_text("kpi-settings-error", "Licensed users", WAIT_TIMEOUT).await?;
        ensure!(!note.is_empty(), "no error note");
        app.wait_until("the refused input marked", WAIT_TIMEOUT, &format!(
            "document.querySelector('{}').getAttribute('aria-invalid') === 'true'", input("licensed_users").replace('\'', "\\'")
        )).await?;

        // Fixed, with looser exit thresholds: Save closes and both tiles pass at once.
        set("licensed_users", "400").await?;
        set("exit.max_open_p1", "999").await?;
        set("exit.csat_min", "50").await?;
        app.click("kpi-settings-save").await?;
        app.wait_gone(&testid("kpi-settings"), WAIT_TIMEOUT).await?;
        app.wait_testid("kpi-settings-saved").await?;
        for kpi in ["no_open_p1", "csat"] {
            app.wait_until(&format!("{kpi} passes"), WAIT_TIMEOUT, &format!("{} === 'pass'", state(kpi))).await?;
        }
        let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
        let saved = store.kpi_settings()?;
        ensure!(
            saved.exit_max_open_p1 == 999 && (saved.exit_csat_min - 0.5).abs() < 1e-9 && saved.licensed_users == Some(400),
            "the store holds {saved:?}"
        );
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// Triage and themes on the demo: confirming a category says it stays local
/// (the demo has no server to push to) and queues nothing in the Outbox; the
/// Themes view shows imported survey comments as "survey comment, DATE"
/// with their text, never as a ticket.
#[tokio::test]
async fn triage_confirm_says_where_the_category_goes_and_themes_show_survey_comments() {
    let app = App::start_with("demo_triage_push", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        app.wait_testid(ids::INBOX).await?;
        app.click("nav-triage").await?;
        app.wait_testid("triage-ticket").await?;
        app.click("triage-confirm").await?;
        let note = app.wait_text("triage-push-note", "kept here only", WAIT_TIMEOUT).await?;
        ensure!(note.contains("demo"), "the note does not say why nothing is pushed: {note:?}");
        app.click("nav-outbox").await?;
        app.wait_testid("outbox-empty").await.context("a demo confirmation must not queue a server write")?;

        app.click("nav-themes").await?;
        let css = "[data-testid=theme-example][data-origin=survey_comment]";
        app.wait_css(css, WAIT_TIMEOUT).await.context("no theme shows a survey comment")?;
        let comments = app.texts(css).await?;
        ensure!(
            comments.iter().all(|c| c.starts_with("survey comment, 20") && !c.contains('#')),
            "survey comments must read as such, not as tickets: {comments:?}"
        );
        let counts = app.texts("[data-testid=theme-count]").await?;
        ensure!(counts.iter().any(|c| c.contains("survey comment")), "no theme count mentions survey comments: {counts:?}");

        // Survey comments are triaged too: shown with their signals and
        // corrected by keyboard; the correction is stored as the user's.
        app.click("nav-triage").await?;
        app.click("triage-mode-comments").await?;
        let item = app.wait_testid("comment-item").await?;
        let id: i64 = item.attr("data-response-id").await?.context("no response id")?.parse()?;
        app.wait_testid("comment-signals").await.context("a comment's category must come with its signals")?;
        let suggested = app.text("comment-suggestion").await?;
        let (key, want) = if suggested.contains("Data issue") { ("9", "enhancement") } else { ("0", "data_issue") };
        app.press(key).await?;
        app.press(&char::from(fantoccini::key::Key::Enter).to_string()).await?;
        app.wait_text("comment-position", "1 confirmed", WAIT_TIMEOUT).await?;
        app.press("k").await?;
        app.wait_text("comment-suggestion", "Set by you", WAIT_TIMEOUT).await?;
        let store = hypercare::Store::open_dir(app.data_dir()).context("opening the app's store")?;
        let rows = store.read(hypercare::triage::comment_triage::list_comment_triage)?;
        let row = rows.iter().find(|r| r.response_id == id).context("the comment is not listed")?;
        ensure!(row.category.as_deref() == Some(want) && row.category_overridden, "the correction was not stored: {row:?}");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

/// The "Survey answers" tile as a number.
async fn survey_answers(app: &App) -> Result<u64> {
    let text = app.texts("[data-testid=kpi-tile][data-kpi=survey_responses] .tile-value").await?.join("");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().with_context(|| format!("the survey answers tile shows no number: {text:?}"))
}

/// Survey import on the demo: type a Microsoft Forms export's path, accept
/// the guessed columns, save the mapping, import; the dashboard's answer
/// count goes up by the file's answers. The same file again, with the saved
/// mapping (no column step), is refused as already imported.
#[tokio::test]
async fn a_survey_export_is_imported_with_the_guessed_mapping_and_the_dashboard_counts_it() {
    let app = App::start_with("demo_survey_import", BASE_ENV).await.expect("starting the app");
    let outcome = async {
        let file = support::app::repo_root().join("tests/fixtures/surveys/ms-forms.csv");
        let path = file.canonicalize()?.display().to_string();
        app.wait_testid(ids::INBOX).await?;
        app.click("nav-kpis").await?;
        app.wait_css("[data-testid=kpi-tile][data-kpi=survey_responses]", WAIT_TIMEOUT).await?;
        let before = survey_answers(&app).await?;

        app.click("survey-import-open").await?;
        app.type_into("survey-path", &path).await?;
        app.click("survey-next").await?;
        app.wait_testid("survey-preview").await?;
        let role = "return document.querySelector('[data-testid=survey-role][data-column=\"Completion time\"]').value;";
        ensure!(app.exec(role, vec![]).await? == json!("timestamp"), "the completion time is not guessed as the timestamp");
        let name = app.exec("return document.querySelector('[data-testid=survey-mapping-name]').value;", vec![]).await?;
        ensure!(name == json!("ms-forms"), "the mapping name is not prefilled from the file: {name}");
        app.click("survey-import-run").await?;
        app.wait_text("survey-import-result", "8 answers (4 rows) imported", Duration::from_secs(30)).await?;
        app.wait_until(
            "the dashboard counts the new answers",
            WAIT_TIMEOUT,
            &format!(
                "(document.querySelector('[data-testid=kpi-tile][data-kpi=survey_responses] .tile-value')?.innerText ?? '')\
                   .replace(/[^0-9]/g, '') === '{}'",
                before + 8
            ),
        )
        .await?;

        app.click("survey-import-another").await?;
        app.type_into("survey-path", &path).await?;
        let choose = "const s = document.querySelector('[data-testid=survey-mapping-choice]'); s.value = 'ms-forms'; \
                      s.dispatchEvent(new Event('change', { bubbles: true })); return s.value;";
        ensure!(app.exec(choose, vec![]).await? == json!("ms-forms"), "the saved mapping is not offered");
        app.click("survey-next").await?;
        app.wait_css("[data-testid=survey-import-error][data-code=conflict]", WAIT_TIMEOUT).await?;
        ensure!(app.count("[data-testid=survey-preview]").await? == 0, "a saved mapping must skip the column step");
        ensure!(survey_answers(&app).await? == before + 8, "a refused import changed the count");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}
