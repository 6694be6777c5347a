//! `tracing` to a daily rolling file in `<data dir>/logs/`. Tokens never
//! reach a log line: the shell logs source names, counts and error codes only.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Start logging into `data_dir/logs`; `RUST_LOG` overrides the level.
/// Returns the log directory and the guard that flushes the file on exit.
pub fn init(data_dir: &Path) -> Result<(PathBuf, WorkerGuard), String> {
    let dir = data_dir.join("logs");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create the log directory {}: {e}", dir.display()))?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("hypercare-desk")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).init();
    Ok((dir, guard))
}
