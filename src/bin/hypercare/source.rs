use clap::{Args, Subcommand};
use hypercare::model::{Category, SourceKind};
use hypercare::triage::category_push::{CategoryPushConfig, CategoryTarget};
use hypercare::store::sources::NewSource;
use hypercare::Error;

use crate::{print_json, Ctx};

#[derive(Subcommand)]
pub enum SourceCmd {
    /// Add a ticket server.
    Add(AddArgs),
    /// List the configured sources.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a source and everything synced from it.
    Remove { name: String },
    /// The custom fields seen on the source's synced tickets (id, name,
    /// tickets with a value, frequent values) and which ones hold impact,
    /// urgency and satisfaction (set with `source set`).
    Fields {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Where confirmed triage categories are written on the server:
    /// `issue_category` (Redmine issue category of that name),
    /// `custom_field:ID` (Redmine, Jira's customfield_ID, a Zendesk ticket
    /// field), `field:NAME` (a ServiceNow field), or `none`. Without --to:
    /// show the setting.
    CategoryPush {
        name: String,
        #[arg(long, value_name = "TARGET")]
        to: Option<String>,
        /// Server name for a category, e.g. --map usability=UX (repeatable).
        #[arg(long = "map", value_name = "CATEGORY=NAME")]
        map: Vec<String>,
    },
    /// Set options of a source: KEY=VALUE (a JSON value, else text; an
    /// empty value removes the key), e.g. csat_custom_field_id=7,
    /// urgency_custom_field_id=12, 'impact_values={"1 - High":"organization"}'.
    Set {
        name: String,
        #[arg(required = true, value_name = "KEY=VALUE")]
        options: Vec<String>,
    },
}

#[derive(Args)]
pub struct AddArgs {
    /// A short name for the source (letters, digits, '-', '_', '.').
    pub name: String,
    /// Server kind: redmine, jira, service_now or zendesk.
    #[arg(long)]
    pub kind: String,
    /// Base URL of the server, e.g. https://redmine.example.com
    #[arg(long)]
    pub url: String,
    /// Project (Redmine: the project identifier; Jira: the project key, e.g.
    /// ERP; ServiceNow: the table, optionally with an encoded query, e.g.
    /// "incident: assignment_group.name=Hypercare"; Zendesk: `*` for every
    /// ticket, or group:ID, brand:ID, organization:ID).
    #[arg(long)]
    pub project: String,
    /// Environment variable that holds the API token when syncing (Jira:
    /// `email:api_token`; ServiceNow: `user:password` for basic auth, or an
    /// OAuth token; Zendesk: EMAIL/token:API_TOKEN, or an OAuth access token).
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
}

pub fn run(ctx: &Ctx, cmd: SourceCmd) -> hypercare::Result<()> {
    match cmd {
        SourceCmd::Add(a) => {
            let kind = SourceKind::parse(&a.kind)
                .filter(|k| *k != SourceKind::Demo)
                .ok_or_else(|| Error::invalid(format!("unknown kind {:?}: use redmine, jira, service_now or zendesk", a.kind)))?;
            let url = reqwest::Url::parse(&a.url)
                .map_err(|e| Error::invalid(format!("--url {:?} is not a URL ({e}); write it like https://redmine.example.com", a.url)))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Error::invalid(format!("--url {:?} must start with http:// or https://", a.url)));
            }
            if a.project.trim().is_empty() {
                return Err(Error::invalid("--project must not be empty"));
            }
            hypercare::sync::check_project(kind, &a.project)?;
            let store = ctx.store()?;
            let s = store.add_source(
                &NewSource {
                    name: a.name,
                    kind,
                    url: a.url,
                    project: a.project,
                    token_env: a.token_env,
                    config: serde_json::json!({}),
                },
                chrono::Utc::now(),
            )?;
            println!("added source {} ({} {})", s.name, s.kind.as_str(), s.url);
            Ok(())
        }
        SourceCmd::Set { name, options } => {
            let store = ctx.store()?;
            let mut config = serde_json::Value::Null;
            let (mut intake, mut names_field) = (false, false);
            for kv in options {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| Error::invalid(format!("{kv:?}: write KEY=VALUE, e.g. csat_custom_field_id=7")))?;
                let value = match v.trim() {
                    "" => None,
                    t => Some(serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.to_string()))),
                };
                config = store.set_source_option(&name, k.trim(), value)?;
                intake |= hypercare::triage::intake::KEYS.contains(&k.trim());
                names_field |= hypercare::triage::intake::FIELD_KEYS.contains(&k.trim());
            }
            if intake {
                eprintln!(
                    "Impact and urgency fields apply to tickets as they sync; run `hypercare triage run` to apply them to the tickets already stored."
                );
            }
            if names_field && store.source(&name)?.kind == SourceKind::Jira {
                eprintln!("Jira sends a custom field only when asked: the next `hypercare sync {name}` reads every issue again to fetch it.");
            }
            print_json(&config)
        }
        SourceCmd::List { json } => {
            let sources = ctx.store()?.sources()?;
            if json {
                return print_json(&sources);
            }
            if sources.is_empty() {
                println!("no sources; add one with `hypercare source add NAME --kind redmine --url URL --project ID --token-env VAR`");
            }
            for s in sources {
                let last = s.last_sync_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never synced".into());
                println!("{}\t{}\t{}\t{}\t{}", s.name, s.kind.as_str(), s.url, s.project, last);
            }
            Ok(())
        }
        SourceCmd::Remove { name } => {
            ctx.store()?.remove_source(&name)?;
            println!("removed source {name}");
            Ok(())
        }
        SourceCmd::CategoryPush { name, to, map } => category_push(ctx, &name, to, &map),
        SourceCmd::Fields { name, json } => {
            let f = ctx.store()?.source_fields(&name)?;
            if json {
                return print_json(&f);
            }
            if f.seen.is_empty() {
                println!("no custom fields on the {} most recently updated tickets of {name}", f.sampled);
            }
            let role = |id: i64| {
                [(f.impact_field, "impact_custom_field_id"), (f.urgency_field, "urgency_custom_field_id"), (f.csat_field, "csat_custom_field_id")]
                    .iter()
                    .find(|(x, _)| *x == Some(id))
                    .map_or("", |(_, k)| k)
            };
            for s in &f.seen {
                println!("{}\t{}\t{} tickets\t{}\t{}", s.id, s.name, s.tickets, s.examples.join(", "), role(s.id));
            }
            Ok(())
        }
    }
}

fn category_push(ctx: &Ctx, name: &str, to: Option<String>, map: &[String]) -> hypercare::Result<()> {
    let store = ctx.store()?;
    let Some(to) = to else {
        match store.category_push(name)? {
            None => println!("{name}: confirmed categories stay local (no place configured)"),
            Some(c) => {
                println!("{name}: confirmed categories are written to {}", c.target.describe());
                for (cat, v) in &c.values {
                    println!("  {} -> {v}", cat.as_str());
                }
            }
        }
        return Ok(());
    };
    if to.trim().eq_ignore_ascii_case("none") {
        store.set_category_push(name, None)?;
        println!("{name}: confirmed categories now stay local");
        return Ok(());
    }
    let target = CategoryTarget::parse_field(&to).ok_or_else(|| {
        Error::invalid(format!("--to {to:?} is not a place: use issue_category, custom_field:ID (Redmine, Jira, Zendesk), field:NAME (ServiceNow) or none"))
    })?;
    let mut values = std::collections::BTreeMap::new();
    for m in map {
        let (k, v) = m
            .split_once('=')
            .ok_or_else(|| Error::invalid(format!("--map {m:?} must look like CATEGORY=NAME, e.g. usability=UX")))?;
        let c = Category::parse(k.trim())
            .ok_or_else(|| Error::invalid(format!("--map {m:?}: {:?} is not a category", k.trim())))?;
        if v.trim().is_empty() {
            return Err(Error::invalid(format!("--map {m:?}: the server name is empty")));
        }
        values.insert(c, v.trim().to_string());
    }
    let place = target.describe();
    store.set_category_push(name, Some(&CategoryPushConfig { target, values }))?;
    println!("{name}: confirmed categories will be written to {place}");
    Ok(())
}
