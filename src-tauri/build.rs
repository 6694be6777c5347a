//! Tauri's build step, with an app manifest so every command of the shell
//! needs an explicit `allow-<command>` permission in `capabilities/`.

const COMMANDS: &[&str] = include!("commands.in.rs");

fn main() {
    let attrs = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        // A build script reports by failing; this message is what cargo shows.
        panic!("tauri build step failed: {e:#}");
    }
}
