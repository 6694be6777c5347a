use clap::Args;

use crate::Ctx;

#[derive(Args)]
pub struct SyncArgs {
    /// Source to sync (default: all sources).
    pub name: Option<String>,
    /// Print a JSON summary instead of a progress bar.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_ctx: &Ctx, _a: SyncArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("sync is not built yet".into()))
}
