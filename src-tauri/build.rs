//! Tauri's build step, with an app manifest so every command of the shell
//! needs an explicit `allow-<command>` permission in `capabilities/`.

// Keep in step with `COMMANDS` in src/lib.rs (a unit test checks it).
const COMMANDS: &[&str] = &[
    "open_workspace",
    "query_tickets",
    "ticket_detail",
    "ticket_facets",
    "list_sources",
    "test_connection",
    "add_source",
    "remove_source",
    "set_source_token",
    "start_sync",
    "sync_status",
    "triage_queue",
    "run_triage",
    "set_triage_override",
    "priority_matrix",
    "set_priority_matrix",
    "themes",
    "rename_theme",
    "merge_themes",
    "split_theme",
    "mark_theme_training",
    "validation_queue",
    "record_validation",
    "validation_history",
    "outbox",
    "push_outbox_now",
    "retry_outbox",
    "discard_outbox",
    "kpi_dashboard",
    "export_report",
];

fn main() {
    let attrs = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        // A build script reports by failing; this message is what cargo shows.
        panic!("tauri build step failed: {e:#}");
    }
}
