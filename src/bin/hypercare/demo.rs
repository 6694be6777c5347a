use std::time::Instant;

use clap::Args;
use hypercare::demo::{load_demo_config, DemoConfig, DemoSummary, DEMO_SOURCE, FIXED_TODAY};
use serde::Serialize;

use crate::{print_json, Ctx};

#[derive(Args)]
pub struct DemoArgs {
    /// Replace an existing demo workspace's data.
    #[arg(long)]
    pub force: bool,
    /// Number of tickets (default: the standard demo's). Larger demos are for
    /// trying the app at scale; every size is deterministic.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub tickets: Option<u32>,
    /// The demo's today (YYYY-MM-DD): its go-live is about six weeks
    /// before and its newest tickets are from the working day before.
    /// Default: the fixed 2026-11-09 (go-live 2026-09-28), the same demo
    /// on every day.
    #[arg(long, value_name = "DATE", value_parser = parse_today)]
    pub today: Option<chrono::NaiveDate>,
    /// Print what was written as a JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `hypercare demo --json`.
#[derive(Serialize)]
struct DemoOutput {
    source: &'static str,
    /// False when the demo was already there and `--force` was not given.
    loaded: bool,
    #[serde(flatten)]
    summary: DemoSummary,
    duration_ms: u64,
}

pub fn run(ctx: &Ctx, a: DemoArgs) -> hypercare::Result<()> {
    let store = ctx.store()?;
    let present = store.sources()?.iter().any(|s| s.name == DEMO_SOURCE);
    if present && !a.force {
        if a.json {
            let out = DemoOutput { source: DEMO_SOURCE, loaded: false, summary: DemoSummary::default(), duration_ms: 0 };
            return print_json(&out);
        }
        println!("The demo is already loaded in {}; `hypercare demo --force` reloads it.", ctx.data_dir.display());
        return Ok(());
    }
    let started = Instant::now();
    let mut cfg = DemoConfig::as_of(a.today.unwrap_or(FIXED_TODAY));
    if let Some(n) = a.tickets {
        cfg.tickets = n as usize;
    }
    let summary = load_demo_config(&store, &cfg)?;
    let duration_ms = started.elapsed().as_millis() as u64;
    if a.json {
        return print_json(&DemoOutput { source: DEMO_SOURCE, loaded: true, summary, duration_ms });
    }
    println!(
        "Loaded the demo hypercare into {} as source {DEMO_SOURCE:?}: {} tickets, {} comments, {} status changes ({duration_ms} ms).",
        ctx.data_dir.display(),
        summary.tickets,
        summary.comments,
        summary.status_changes,
    );
    println!("Try: hypercare tickets --search invoice");
    Ok(())
}

fn parse_today(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("{s:?} is not a date like 2026-11-09 ({e})"))
}
