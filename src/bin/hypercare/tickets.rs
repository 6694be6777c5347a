use clap::Args;
use hypercare::model::{StatusClass, TicketQuery};
use hypercare::Error;

use crate::{print_json, Ctx};

#[derive(Args)]
pub struct TicketsArgs {
    /// Full-text search over title, description and comments.
    #[arg(long)]
    pub search: Option<String>,
    /// open, resolved or closed.
    #[arg(long)]
    pub status: Option<String>,
    /// Only tickets of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// Include tickets deleted on the server.
    #[arg(long)]
    pub include_deleted: bool,
    /// At most this many tickets (default: all).
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: TicketsArgs) -> hypercare::Result<()> {
    let status_class = match a.status.as_deref() {
        None => None,
        Some(s) => Some(
            StatusClass::parse(s)
                .ok_or_else(|| Error::invalid(format!("--status {s:?}: use open, resolved or closed")))?,
        ),
    };
    let q = TicketQuery {
        search: a.search,
        status_class,
        source: a.source,
        include_deleted: a.include_deleted,
        limit: Some(a.limit.unwrap_or(10_000)),
        ..Default::default()
    };
    let rows = ctx.store()?.tickets(&q)?;
    if a.json {
        return print_json(&rows);
    }
    for t in &rows {
        println!(
            "{:<10} {:<12} {:<8} {}{}",
            t.key,
            t.status,
            t.priority,
            t.title,
            if t.deleted { "  [deleted on server]" } else { "" }
        );
    }
    if rows.is_empty() {
        eprintln!("no tickets match");
    }
    Ok(())
}
