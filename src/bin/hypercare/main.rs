//! `hypercare`: the command-line face of the core, for automation and tests.
//!
//! Parses arguments, calls one core function per command, prints. Every
//! user error ends as one line on stderr and a non-zero exit; never a panic.

mod demo;
mod kpi;
mod source;
mod sync;
mod tickets;
mod triage;
mod upgrade;
mod validation;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hypercare::{workspace, Error, ErrorCode, ImportProblem, Store};

#[derive(Parser)]
#[command(name = "hypercare", version, about = "Hypercare Desk: collect, triage and validate go-live feedback, offline")]
struct Cli {
    /// Workspace data directory (default: the platform data directory).
    #[arg(long, global = true, env = "HYPERCARE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Configure ticket servers.
    #[command(subcommand)]
    Source(source::SourceCmd),
    /// Sync tickets from one source (or all) into the local store.
    Sync(sync::SyncArgs),
    /// List and search the local tickets.
    Tickets(tickets::TicketsArgs),
    /// Fill the workspace with the built-in sample hypercare.
    Demo(demo::DemoArgs),
    /// Record a fix validation (works offline; `push` sends it).
    Validate(validation::ValidateArgs),
    /// A ticket's validation history, or the queue of fixes awaiting validation.
    Validations(validation::ValidationsArgs),
    /// Show the validations waiting to be pushed, sent or rejected.
    Outbox(validation::OutboxArgs),
    /// Push the outbox to the ticket servers.
    Push(validation::PushArgs),
    /// Write the KPI charts and the report.
    Report(kpi::ReportArgs),
    /// Import survey answers or usage logs.
    #[command(subcommand)]
    Import(kpi::ImportCmd),
    /// Categorise, prioritise and find recurring themes.
    #[command(subcommand)]
    Triage(triage::TriageCmd),
    /// Recurring themes for trainers: list, rename, merge, split, mark training.
    Themes(triage::ThemesArgs),
}

/// What every command gets: where the workspace is, and the store once opened.
pub struct Ctx {
    pub data_dir: PathBuf,
}

impl Ctx {
    pub fn store(&self) -> hypercare::Result<Store> {
        let path = self.data_dir.join(hypercare::store::STORE_FILE);
        Store::open_with(path, Some(upgrade::stderr_observer()))
    }
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> hypercare::Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(|e| Error::Internal(format!("cannot encode JSON: {e}")))?;
    println!("{s}");
    Ok(())
}

fn run(cli: Cli) -> hypercare::Result<()> {
    let ctx = Ctx { data_dir: workspace::data_dir(cli.data_dir)? };
    match cli.command {
        Command::Source(cmd) => source::run(&ctx, cmd),
        Command::Sync(a) => sync::run(&ctx, a),
        Command::Tickets(a) => tickets::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Validate(a) => validation::validate(&ctx, a),
        Command::Validations(a) => validation::validations(&ctx, a),
        Command::Outbox(a) => validation::outbox(&ctx, a),
        Command::Push(a) => validation::push(&ctx, a),
        Command::Report(a) => kpi::report(&ctx, a),
        Command::Import(cmd) => kpi::import(&ctx, cmd),
        Command::Triage(cmd) => triage::run(&ctx, cmd),
        Command::Themes(a) => triage::themes(&ctx, a),
    }
}

/// The CLI's own advice for an import file it could not read (the core's
/// message names the problem; the flags are the CLI's).
fn import_hint(p: ImportProblem) -> &'static str {
    match p {
        ImportProblem::BadRow => "fix the row, or pass --skip-bad-rows to import the other rows (the skipped ones are listed)",
        ImportProblem::Encoding => "export the file as UTF-8 (\"CSV UTF-8\" in Excel), or pass --encoding latin1 if it is Latin-1",
    }
}

fn main() -> ExitCode {
    // Behave like a Unix tool when the reader goes away (`hypercare tickets | head`):
    // end quietly instead of panicking on a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if std::env::var_os("HYPERCARE_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("HYPERCARE_LOG"))
            .with_writer(std::io::stderr)
            .init();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = e.import_problem().map(import_hint) {
                eprintln!("hint: {hint}");
            } else if e.code() == ErrorCode::Offline {
                eprintln!("hint: check the network or the server address; the local data stays usable");
            }
            match e.code() {
                ErrorCode::InvalidInput | ErrorCode::NotFound => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}
