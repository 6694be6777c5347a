use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::Ctx;

#[derive(Args)]
pub struct ReportArgs {
    /// First day of the reporting period (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day of the reporting period (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<String>,
    /// Folder to write the charts and the report into.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import survey answers from a CSV export.
    Surveys {
        file: PathBuf,
        /// Name of a saved column mapping.
        #[arg(long)]
        mapping: String,
    },
    /// Import usage logs.
    Usage {
        file: PathBuf,
        /// csv, jsonl or gateway.
        #[arg(long)]
        format: String,
    },
}

pub fn report(_ctx: &Ctx, _a: ReportArgs) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("report is not built yet".into()))
}
pub fn import(_ctx: &Ctx, _c: ImportCmd) -> hypercare::Result<()> {
    Err(hypercare::Error::Internal("import is not built yet".into()))
}
