//! Hypercare Desk's desktop shell: a Tauri v2 window over the `hypercare`
//! core. The shell holds no logic of its own: commands (one file per
//! feature in [`commands`]) look up [`state::AppState`], call one core
//! function off the async runtime and map its error to [`error::IpcError`].

pub mod commands;
#[cfg(test)]
mod ipc_boot_tests;
#[cfg(test)]
mod ipc_demo_tests;
#[cfg(test)]
mod ipc_tests;
#[cfg(test)]
mod ipc_kpi_tests;
#[cfg(test)]
mod ipc_qa_tests;
#[cfg(test)]
mod ipc_theme_tests;
pub mod credentials;
pub mod error;
pub mod logging;
pub mod refine_runner;
pub mod state;
pub mod sync_runner;

/// The commands the UI may call. `build.rs` turns each into an
/// `allow-<name>` permission; `capabilities/default.json` grants them.
pub const COMMANDS: &[&str] = include!("../commands.in.rs");

/// Register the shell's commands (the ones in [`COMMANDS`]) on `builder`.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::workspace::open_workspace,
        commands::tickets::query_tickets,
        commands::tickets::count_tickets,
        commands::tickets::ticket_detail,
        commands::tickets::ticket_facets,
        commands::sources::list_sources,
        commands::sources::test_connection,
        commands::sources::add_source,
        commands::sources::remove_source,
        commands::sources::set_source_token,
        commands::sources::source_fields,
        commands::sources::set_source_fields,
        commands::sync::start_sync,
        commands::sync::sync_status,
        commands::triage::triage_queue,
        commands::triage::run_triage,
        commands::triage::refine_status,
        commands::triage::set_triage_override,
        commands::triage::comment_triage_queue,
        commands::triage::set_comment_category,
        commands::triage::priority_matrix,
        commands::triage::set_priority_matrix,
        commands::triage::themes,
        commands::triage::rename_theme,
        commands::triage::merge_themes,
        commands::triage::split_theme,
        commands::triage::unmerge_theme,
        commands::triage::theme_items,
        commands::triage::remove_theme_training,
        commands::triage::mark_theme_training,
        commands::triage::category_push_target,
        commands::triage::set_category_push_target,
        commands::validation::validation_queue,
        commands::validation::record_validation,
        commands::validation::validation_history,
        commands::validation::validation_drafts,
        commands::validation::save_validation_draft,
        commands::validation::discard_validation_draft,
        commands::validation::outbox,
        commands::validation::push_outbox_now,
        commands::validation::retry_outbox,
        commands::validation::discard_outbox,
        commands::validation::retry_category_push,
        commands::validation::discard_category_push,
        commands::validation::resolve_category_conflict,
        commands::kpi::kpi_dashboard,
        commands::kpi::export_report,
        commands::kpi::kpi_settings,
        commands::kpi::save_kpi_settings,
        commands::imports::preview_survey,
        commands::imports::survey_mappings,
        commands::imports::survey_mapping,
        commands::imports::save_survey_mapping,
        commands::imports::import_survey_file,
    ])
}

/// Open the workspace (the same data directory rule as the CLI), start
/// logging and the background sync, and run the window until it closes.
pub fn run() {
    if let Err(message) = try_run() {
        tracing::error!("{message}");
        eprintln!("hypercare-desk: {message}");
        std::process::exit(1);
    }
}

fn try_run() -> Result<(), String> {
    let data_dir = hypercare::workspace::data_dir(None).map_err(|e| e.to_string())?;
    let (log_dir, _log_guard) = logging::init(&data_dir)?;
    tracing::info!(data_dir = %data_dir.display(), "starting Hypercare Desk");
    // The store opens (and upgrades) on its own thread once the window
    // exists; the window shows its progress, then the workspace or why not.
    let state = state::AppState::new(data_dir, log_dir);
    with_commands(tauri::Builder::default())
        // Only the open-file dialog is granted (`dialog:allow-open`): the
        // survey import's "Browse…"; the shell reads the chosen file itself.
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(|app| {
            spawn_open_store(app.handle().clone())?;
            sync_runner::spawn_background(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!())
        .map_err(|e| format!("the window could not run: {e}"))?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // A refinement pass stops between two batches (resumed next start).
                tauri::Manager::state::<state::AppState>(app).refine.stop(std::time::Duration::from_secs(3));
            }
        });
    Ok(())
}

/// Open the workspace's store off the main thread; the state publishes the
/// progress, then the store or the failure (logged there).
fn spawn_open_store<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> std::io::Result<()> {
    std::thread::Builder::new().name("open-workspace".into()).spawn(move || {
        let state = tauri::Manager::state::<state::AppState>(&app);
        // A panic must not leave the window (and every command) waiting forever.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| state.open_store())).is_err() {
            state.fail(error::IpcError::internal("opening the workspace failed unexpectedly; see the log file"));
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;

    /// Every command the UI may call is declared to the build step and
    /// granted by the capability, and nothing else is granted.
    #[test]
    fn capability_grants_exactly_the_commands() {
        // build.rs turns the very same list into permissions.
        assert!(include_str!("../build.rs").contains("include!(\"commands.in.rs\")"), "build.rs must use commands.in.rs");
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).expect("capability is JSON");
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .expect("permissions list")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("allow-"))
            .collect();
        for cmd in COMMANDS {
            let perm = format!("allow-{}", cmd.replace('_', "-"));
            assert!(granted.contains(&perm.as_str()), "{perm} missing from capabilities/default.json");
        }
        assert_eq!(granted.len(), COMMANDS.len(), "the capability grants commands that do not exist: {granted:?}");
        let plugins: Vec<&str> =
            capability["permissions"].as_array().expect("permissions list").iter().filter_map(|p| p.as_str()).filter(|p| !p.starts_with("allow-")).collect();
        assert_eq!(
            plugins,
            ["core:event:allow-listen", "core:event:allow-unlisten", "core:window:allow-destroy", "dialog:allow-open"],
            "no other plugin rights"
        );
    }
}
