//! Commands while the workspace opens (see [`crate::ipc_tests`] for the
//! invoke helper): a command called before the store is open waits for it
//! instead of failing, and after a failed open every command returns that
//! failure with why (`store`), never a panic.

use serde_json::json;
use tauri::test::mock_builder;
use tauri::{Manager, WebviewWindowBuilder};

use crate::ipc_tests::{invoke, query, Harness};
use crate::state::AppState;

/// The app with its state managed but the store not opened yet.
fn unopened(dir: tempfile::TempDir) -> Harness {
    let state = AppState::new(dir.path().to_path_buf(), dir.path().join("logs"));
    let app = crate::with_commands(mock_builder()).manage(state).build(tauri::generate_context!()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness::new(dir, app, window)
}

#[test]
fn a_command_called_while_the_store_opens_waits_for_it_and_answers() {
    let h = unopened(tempfile::TempDir::new().unwrap());
    let app = h.window.app_handle().clone();
    let asked = std::time::Instant::now();
    let opener = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        app.state::<AppState>().open_store().map(|_| ())
    });
    let early = invoke(&h, "query_tickets", query(None));
    assert!(asked.elapsed() >= std::time::Duration::from_millis(300), "it answered only once the store was open");
    assert_eq!(opener.join().unwrap(), Ok(()));
    assert_eq!(early, Ok(json!([])), "an empty new workspace, asked before it was open");
}

#[test]
fn a_store_from_a_newer_build_fails_every_command_with_why_and_stays_untouched() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join(hypercare::store::STORE_FILE);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE later (x); PRAGMA user_version = 999;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let h = unopened(dir);
    let failed = h.window.state::<AppState>().open_store().unwrap_err();
    assert_eq!(failed.store, Some(hypercare::StoreProblem::TooNew));
    let err = invoke(&h, "open_workspace", json!({ "onProgress": "__CHANNEL__:1" })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["store"].as_str()), (Some("internal"), Some("too_new")), "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("schema 999") && message.contains("update the app"), "{message}");
    let later = invoke(&h, "query_tickets", query(None)).unwrap_err();
    assert_eq!(later["store"], "too_new", "later commands say the same: {later}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is left as it was");
}
