use clap::Args;

use crate::Ctx;

#[derive(Args)]
pub struct DemoArgs {
    /// Replace an existing demo workspace's data.
    #[arg(long)]
    pub force: bool,
}

pub fn run(_ctx: &Ctx, _a: DemoArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("demo is not built yet".into()))
}
