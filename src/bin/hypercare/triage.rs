use std::path::PathBuf;

use clap::Subcommand;

use crate::Ctx;

#[derive(Subcommand)]
pub enum TriageCmd {
    /// Score triage and theme detection on a labeled JSONL file.
    Evaluate {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(_ctx: &Ctx, _c: TriageCmd) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("triage is not built yet".into()))
}
