//! `hypercare sync [NAME] [--json]`: sync one source, or every source.

use std::io::IsTerminal;

use clap::Args;
use hypercare::model::{Source, SourceKind, SyncProgress, SyncSummary};
use hypercare::{Error, Store};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{print_json, Ctx};

#[derive(Args)]
pub struct SyncArgs {
    /// Source to sync (default: all sources).
    pub name: Option<String>,
    /// Print a JSON summary instead of a progress bar.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: SyncArgs) -> hypercare::Result<()> {
    let store = ctx.store()?;
    let sources: Vec<Source> = match &a.name {
        Some(n) => vec![store.source(n)?],
        None => store.sources()?.into_iter().filter(|s| s.kind != SourceKind::Demo).collect(),
    };
    if sources.is_empty() {
        return Err(Error::invalid(
            "no sources to sync; add one with `hypercare source add NAME --kind redmine --url URL --project ID --token-env VAR`",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let show_bar = !a.json && std::io::stderr().is_terminal();
    let mut summaries = Vec::new();
    let mut first_error = None;
    for source in &sources {
        match runtime.block_on(sync_one(&store, source, show_bar)) {
            Ok(s) => {
                if !a.json {
                    println!(
                        "{}: {} fetched, {} new, {} updated, {} deleted, {} requests in {:.1} s",
                        s.source,
                        s.fetched,
                        s.created,
                        s.updated,
                        s.deleted,
                        s.requests,
                        s.duration_ms as f64 / 1000.0
                    );
                    if s.triage_pending > 0 {
                        println!(
                            "{}: {} tickets triaged on words for now; `hypercare triage refine` embeds their texts",
                            s.source, s.triage_pending
                        );
                    }
                }
                summaries.push(s);
            }
            Err(e) if sources.len() > 1 => {
                eprintln!("error: {}: {e}", source.name);
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    if a.json {
        match summaries.as_slice() {
            [one] => print_json(one)?,
            all => print_json(&all)?,
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn sync_one(store: &Store, source: &Source, show_bar: bool) -> hypercare::Result<SyncSummary> {
    let token = match source.token_env.as_deref() {
        Some(var) => Some(hypercare::sync::token_from_env(Some(var)).ok_or_else(|| {
            Error::invalid(format!(
                "the environment variable {var} (the API token of source {}) is not set; export it and run again",
                source.name
            ))
        })?),
        None => None,
    };
    let bar = if show_bar { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} tickets, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(source.name.clone());
    let progress = |p: SyncProgress| match p {
        SyncProgress::Started { .. } => bar.set_message("listing changes"),
        SyncProgress::Page { pages, tickets, total, .. } => {
            if let Some(t) = total {
                bar.set_length(t.max(tickets));
            }
            bar.set_position(tickets);
            bar.set_message(format!("{pages} pages"));
        }
        SyncProgress::Census { checked, .. } => bar.set_message(format!("census: {checked} ids checked")),
        SyncProgress::Finished { .. } => bar.finish_and_clear(),
    };
    let result = hypercare::sync::sync_source(store, &source.name, token, chrono::Utc::now(), &progress).await;
    bar.finish_and_clear();
    result
}
