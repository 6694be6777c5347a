//! The first run's demo through `open_workspace` (see [`crate::ipc_tests`]
//! for the invoke helper): anchored on today, so it looks alive, and never
//! dated after now.

use chrono::{Duration, Utc};
use serde_json::json;
use tauri::test::mock_builder;
use tauri::{Manager, WebviewWindowBuilder};

use crate::ipc_tests::{invoke, Harness};
use crate::state::AppState;

#[test]
fn a_first_run_opens_on_a_demo_whose_newest_tickets_are_from_the_last_working_day() {
    if std::env::var_os(hypercare::demo::DEMO_TODAY_ENV).is_some() {
        println!("skipped: {} pins the demo's today", hypercare::demo::DEMO_TODAY_ENV);
        return;
    }
    let dir = tempfile::TempDir::new().unwrap();
    let state = AppState::open(dir.path().to_path_buf(), dir.path().join("logs")).unwrap();
    let store = state.store_now().unwrap();
    let app = crate::with_commands(mock_builder()).manage(state).build(tauri::generate_context!()).unwrap();
    // No model run in a unit test (the refinement would embed the whole demo).
    app.state::<AppState>().refine.defer(std::time::Duration::from_secs(24 * 3600));
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let h = Harness::new(dir, app, window);

    let before = Utc::now();
    let ws = invoke(&h, "open_workspace", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
    assert_eq!(ws["demo_loaded"], true, "{ws}");
    assert_eq!(ws["demo_error"], json!(null), "{ws}");
    let (newest_created, newest_update): (i64, i64) = store
        .read(|c| Ok(c.query_row("SELECT MAX(created_at), MAX(updated_at) FROM tickets", [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap();
    let (created, updated) = (hypercare::store::from_ts(newest_created), hypercare::store::from_ts(newest_update));
    assert!(updated <= before, "a demo ticket was updated at {updated}, after the app started ({before})");
    // From the working day before today: at most a weekend (Friday evening
    // to the end of Monday) ago.
    assert!(before - created < Duration::days(4), "the newest demo ticket is from {created}, today is {before}");
}
