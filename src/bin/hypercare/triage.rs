use std::path::PathBuf;

use clap::Subcommand;
use hypercare::triage::evaluate::{evaluate, load_labeled};
use hypercare::triage::themes::ThemeConfig;
use hypercare::triage::PriorityMatrix;

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

pub fn run(_ctx: &Ctx, c: TriageCmd) -> hypercare::Result<()> {
    match c {
        TriageCmd::Evaluate { file, json } => {
            let rows = load_labeled(&file)?;
            let e = evaluate(&rows, &PriorityMatrix::default(), &ThemeConfig::default());
            if json {
                println!("{}", serde_json::to_string(&e).map_err(|e| hypercare::Error::Internal(e.to_string()))?);
            } else {
                println!("{e:#?}");
            }
            Ok(())
        }
    }
}
