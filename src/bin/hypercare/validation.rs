use std::path::PathBuf;

use clap::Args;

use crate::Ctx;

#[derive(Args)]
pub struct ValidateArgs {
    /// The ticket's key, as `tickets --json` shows it.
    pub ticket: String,
    /// passed, failed or blocked.
    #[arg(long)]
    pub outcome: String,
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub steps: Option<String>,
    /// Evidence file to attach (repeatable).
    #[arg(long)]
    pub evidence: Vec<PathBuf>,
}

#[derive(Args)]
pub struct OutboxArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PushArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn validate(_ctx: &Ctx, _a: ValidateArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("validation is not built yet".into()))
}
pub fn outbox(_ctx: &Ctx, _a: OutboxArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("validation is not built yet".into()))
}
pub fn push(_ctx: &Ctx, _a: PushArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("validation is not built yet".into()))
}
