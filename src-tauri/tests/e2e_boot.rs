//! End to end: opening a workspace in the real window. A store written by an
//! older build is upgraded after the window shows (its search index rebuilt)
//! and opens with every ticket; one written by a newer build is refused in
//! the window, saying why and what to do, and left byte for byte.
//!
//! The upgrade screen itself may pass quicker than a WebDriver poll, so it
//! is not asserted on; the progress the shell received from the core is
//! (the shell logs each step the window is sent). The screen's states are
//! covered by `ui/src/lib/boot.test.ts`.
//!
//! `timeout 300 cargo test -p hypercare-desk --test e2e_boot -- --test-threads=1`

mod support;

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use hypercare::store::migrations::{latest_version, MIGRATIONS};
use support::app::app_binary;
use support::{testid, App, DEMO_WORDS_ONLY};

/// Tickets in the old store: enough that the rebuild is real work.
const TICKETS: u32 = 20_000;
/// How long the upgrade of [`TICKETS`] may take on a loaded debug machine.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(120);

/// A store as the build before the stemmed search index (schema 96) left it:
/// [`TICKETS`] invoice tickets and one scanner ticket, indexed the old way.
fn old_store(path: &Path) -> Result<()> {
    let c = rusqlite::Connection::open(path)?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= 96) {
        c.execute_batch(m.sql)?;
    }
    c.pragma_update(None, "user_version", 96)?;
    c.execute_batch("INSERT INTO sources (name, kind, url, created_at) VALUES ('demo', 'demo', 'demo', 0);")?;
    c.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO tickets (source_id, remote_id, key, title, description, status, status_class, created_at, updated_at, remote_version)
         SELECT 1, i, '#' || i, 'Invoices missing for order ' || i, 'Billing skipped delivery ' || i, 'New', 'open', i, i, 'v' FROM n",
        [TICKETS],
    )?;
    c.execute_batch(
        "INSERT INTO tickets (source_id, remote_id, key, title, description, status, status_class, created_at, updated_at, remote_version)
         VALUES (1, 'scan', 'SCAN-1', 'Scanner slow at wave release', 'RF gun lag', 'New', 'open', 0, 0, 'v');
         INSERT INTO ticket_fts (rowid, title, description, comments) SELECT id, title, description, '' FROM tickets;",
    )?;
    Ok(())
}

/// The log lines of this run's app (the shell logs into `<data>/logs`).
fn app_log(app: &App) -> String {
    let Ok(dir) = std::fs::read_dir(app.data_dir().join("logs")) else { return String::new() };
    dir.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn an_old_workspace_is_upgraded_after_the_window_shows_and_opens_with_every_ticket() {
    let mut app = App::prepare("boot_upgrade", &app_binary(), DEMO_WORDS_ONLY).expect("preparing the app");
    let store_path = app.data_dir().join(hypercare::store::STORE_FILE);
    old_store(&store_path).expect("writing the old store");
    let outcome = async {
        app.connect().await?;
        // The inbox appears once the upgrade is done; nothing was lost.
        app.wait_css(&testid("inbox-row"), UPGRADE_TIMEOUT).await.context("the upgraded workspace shows no ticket")?;
        app.wait_gone(&testid("boot-screen"), Duration::from_secs(5)).await?;
        // The rebuilt index finds the other form of a word ("scanners").
        app.type_into("search-input", "scanners").await?;
        let js = "(() => { const r = document.querySelectorAll('[data-testid=\"inbox-row\"]'); \
                  return r.length === 1 && r[0].dataset.key === 'SCAN-1'; })()";
        app.wait_until("the search finds SCAN-1 alone", Duration::from_secs(20), js).await?;
        let store = hypercare::Store::open(&store_path).context("opening the upgraded store")?;
        let version: i64 = store.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))?;
        ensure!(version == latest_version(), "the store is at schema {version}");
        let count = store.count_tickets(&Default::default())?;
        ensure!(count == u64::from(TICKETS) + 1, "the store holds {count} tickets");
        // The progress the window was sent: each step of the upgrade, in order.
        let log = app_log(&app);
        for step in MIGRATIONS.iter().filter(|m| m.version > 96) {
            let started = format!("upgrading the workspace: {} Started", step.name);
            let finished = format!("upgrading the workspace: {} Finished", step.name);
            let (s, f) = (log.find(&started), log.find(&finished));
            ensure!(matches!((s, f), (Some(s), Some(f)) if s < f), "the log has no {started:?} then {finished:?}:\n{log}");
        }
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}

#[tokio::test]
async fn a_workspace_from_a_newer_version_is_refused_in_the_window_and_left_untouched() {
    let mut app = App::prepare("boot_newer", &app_binary(), DEMO_WORDS_ONLY).expect("preparing the app");
    let store_path = app.data_dir().join(hypercare::store::STORE_FILE);
    {
        let c = rusqlite::Connection::open(&store_path).expect("writing the newer store");
        c.execute_batch("CREATE TABLE from_the_future (x); PRAGMA user_version = 999;").expect("writing the newer store");
    }
    let before = std::fs::read(&store_path).expect("reading the newer store");
    let outcome = async {
        app.connect().await?;
        let error = app.wait_css(&testid("boot-error"), Duration::from_secs(30)).await?;
        ensure!(error.attr("data-store").await?.as_deref() == Some("too_new"), "the window does not say why");
        let title = app.text("boot-title").await?;
        ensure!(title.contains("newer Hypercare Desk"), "the title says {title:?}");
        let message = app.text("boot-error").await?;
        ensure!(message.contains("schema 999"), "the message says {message:?}");
        ensure!(message.contains(&store_path.display().to_string()), "the message does not name the file: {message:?}");
        let note = app.text("boot-note").await?;
        ensure!(note.contains("Update Hypercare Desk") && note.contains("left as it is"), "the note says {note:?}");
        ensure!(app.count(&testid("inbox-list")).await? == 0, "an inbox shows over a store that was not opened");
        ensure!(std::fs::read(&store_path)? == before, "the newer store was changed");
        Ok(())
    }
    .await;
    app.finish(outcome).await;
}
