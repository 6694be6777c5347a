//! An empty Tauri window showing a static page, built from the same
//! dependencies and profile as the app: the baseline that
//! `scripts/measure-startup.sh` measures beside `hypercare-desk`.

fn main() {
    let context = tauri::generate_context!("examples/empty/tauri.conf.json");
    if let Err(err) = tauri::Builder::default().run(context) {
        eprintln!("empty window: {err}");
        std::process::exit(1);
    }
}
