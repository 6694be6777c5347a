//! `hypercare report` and `hypercare import ...`: KPIs, charts, imports.

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use hypercare::import::surveys::{import_surveys, ScoreColumn, SurveyMapping};
use hypercare::import::usage::{import_usage, UsageFormat};
use hypercare::import::{Encoding, ImportOptions, ImportSummary};
use hypercare::kpi::data::Scale;
use hypercare::kpi::{self, KpiSettingChange, Period};
use hypercare::{report, Error};

use crate::{print_json, Ctx};

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
    /// Print the KPI values as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Count only the tickets of this source (repeatable: any of them).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Count only tickets of this priority: P1, P2, P3, P4 or Unset (repeatable).
    #[arg(long = "priority", value_name = "P")]
    pub priorities: Vec<String>,
    /// Count only tickets of this effective triage category, e.g. usability (repeatable).
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<String>,
}

#[derive(Args)]
pub struct FileOpts {
    /// Skip malformed rows (listed in the summary) instead of importing nothing.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// utf-8 (default; a UTF-16 byte-order mark is honoured) or latin1.
    #[arg(long, default_value = "utf-8")]
    pub encoding: String,
    /// Print the summary as JSON.
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
        #[command(flatten)]
        opts: FileOpts,
    },
    /// Import usage logs.
    Usage {
        file: PathBuf,
        /// csv, jsonl or gateway.
        #[arg(long)]
        format: String,
        #[command(flatten)]
        opts: FileOpts,
    },
    /// Save or list survey column mappings.
    #[command(subcommand)]
    Mapping(MappingCmd),
    /// Show or change the KPI settings (time zone, licensed users, SLA targets, exit thresholds).
    Settings {
        /// KEY=VALUE, e.g. licensed_users=400, timezone=Europe/Berlin, sla_resolve_hours.P1=4, exit.csat_min=85% (empty value: default).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum MappingCmd {
    /// Save (or replace) a mapping: which columns hold what.
    Save {
        name: String,
        /// Column with the answer's date and time.
        #[arg(long)]
        timestamp: String,
        /// Column naming the respondent (e-mail, name or id).
        #[arg(long)]
        respondent: Option<String>,
        /// Column with a rating; repeat together with --scale for several questions.
        #[arg(long, required = true)]
        score: Vec<String>,
        /// csat (1–5) or nps (0–10), one per --score.
        #[arg(long, required = true)]
        scale: Vec<String>,
        /// Column with the free-text comment.
        #[arg(long)]
        comment: Option<String>,
        /// chrono format of the timestamps, when the usual ones do not fit (e.g. "%d/%m/%Y %H:%M").
        #[arg(long)]
        timestamp_format: Option<String>,
        /// Header lines before the data (Qualtrics: 3).
        #[arg(long, default_value_t = 1)]
        header_rows: u32,
        /// Field delimiter (default ",").
        #[arg(long)]
        delimiter: Option<char>,
    },
    /// List the saved mappings.
    List,
}

fn parse_date(flag: &str, s: &Option<String>) -> hypercare::Result<Option<NaiveDate>> {
    s.as_deref()
        .map(|v| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| Error::invalid(format!("{flag} {v:?}: use a date like 2026-09-28")))
        })
        .transpose()
}

pub fn report(ctx: &Ctx, a: ReportArgs) -> hypercare::Result<()> {
    let store = ctx.store()?;
    let settings = store.kpi_settings()?;
    let tz = Period::parse_tz(&settings.timezone)?;
    let now = Utc::now();
    let period = kpi::default_period(&store, tz, now, parse_date("--from", &a.from)?, parse_date("--to", &a.to)?)?;
    let filter = kpi::KpiFilter::parse(&a.sources, &a.priorities, &a.categories)?;
    let r = kpi::compute_with(&store, &period, &settings, &filter, now)?;
    let files = report::write_report(&r, &a.out)?;
    if a.json {
        return print_json(&r);
    }
    println!("period {} to {} ({})", period.from, period.to, tz.name());
    if !filter.is_empty() {
        println!("tickets: {} (survey answers and usage are not filtered)", filter.describe());
    }
    for k in &r.headline {
        println!("  {:<42} {}", k.label, hypercare::charts::format_value(k.value, k.unit));
    }
    for c in &r.exit_criteria {
        let word = match c.passed {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "NO DATA",
        };
        println!("  exit: {word:<8} {} = {}", c.label, hypercare::charts::format_value(c.value, c.unit));
    }
    println!("wrote {} charts, {}, {}, {}", files.pngs.len(), files.html.display(), files.pdf.display(), files.json.display());
    Ok(())
}

fn options(o: &FileOpts) -> hypercare::Result<ImportOptions> {
    Ok(ImportOptions { skip_bad_rows: o.skip_bad_rows, encoding: Encoding::parse(&o.encoding)? })
}

fn print_summary(s: &ImportSummary, json: bool) -> hypercare::Result<()> {
    if json {
        return print_json(s);
    }
    println!("{}: imported {} rows", s.file, s.imported);
    if s.out_of_range > 0 {
        println!("  {} answers are outside their scale: kept, but left out of CSAT/NPS", s.out_of_range);
    }
    if s.duplicates > 0 {
        println!("  {} rows were already in the store (an earlier export) and were not added again", s.duplicates);
    }
    if s.blank > 0 {
        println!("  {} rows had no rating and were left out", s.blank);
    }
    if s.skipped > 0 {
        println!("  skipped {} malformed rows:", s.skipped);
        for e in &s.errors {
            println!("    line {}: {}", e.line, e.reason);
        }
    }
    Ok(())
}

pub fn import(ctx: &Ctx, c: ImportCmd) -> hypercare::Result<()> {
    let store = ctx.store()?;
    match c {
        ImportCmd::Surveys { file, mapping, opts } => {
            let m = store.survey_mapping(&mapping)?;
            let s = import_surveys(&store, &file, &m, options(&opts)?, Utc::now())?;
            // The free-text comments join triage and the themes at once (on
            // words where a text has no embedding: the model never runs here).
            let t = hypercare::triage::triage_new_comments(&store, Utc::now())?;
            print_summary(&s, opts.json)?;
            if !opts.json && t.comments > 0 {
                println!(
                    "  {} new survey comments triaged, {} placed in existing themes (`hypercare triage run` re-groups everything)",
                    t.comments, t.placed_in_themes
                );
                if t.pending > 0 {
                    println!("  {} of them triaged on words for now; `hypercare triage refine` embeds their texts", t.pending);
                }
            }
            Ok(())
        }
        ImportCmd::Usage { file, format, opts } => {
            let s = import_usage(&store, &file, UsageFormat::parse(&format)?, options(&opts)?, Utc::now())?;
            print_summary(&s, opts.json)
        }
        ImportCmd::Mapping(MappingCmd::List) => {
            for n in store.survey_mapping_names()? {
                println!("{n}");
            }
            Ok(())
        }
        ImportCmd::Mapping(MappingCmd::Save {
            name,
            timestamp,
            respondent,
            score,
            scale,
            comment,
            timestamp_format,
            header_rows,
            delimiter,
        }) => {
            if score.len() != scale.len() {
                return Err(Error::invalid(format!(
                    "give one --scale per --score ({} scores, {} scales)",
                    score.len(),
                    scale.len()
                )));
            }
            let scores = score
                .into_iter()
                .zip(scale)
                .map(|(column, s)| {
                    Scale::parse(&s)
                        .map(|scale| ScoreColumn { column, scale })
                        .ok_or_else(|| Error::invalid(format!("--scale {s:?}: use csat (1–5) or nps (0–10)")))
                })
                .collect::<hypercare::Result<Vec<_>>>()?;
            let m = SurveyMapping { timestamp, respondent, scores, comment, timestamp_format, header_rows, delimiter };
            store.save_survey_mapping(&name, &m, Utc::now())?;
            println!("saved mapping {name:?}");
            Ok(())
        }
        ImportCmd::Settings { set } => {
            // All or nothing: one refused value changes none of the others.
            let changes = set
                .iter()
                .map(|kv| KpiSettingChange::parse(kv).map_err(|e| Error::invalid(format!("--set {e}"))))
                .collect::<hypercare::Result<Vec<_>>>()?;
            let saved = store.update_kpi_settings(&changes).map_err(|e| match e.field().map(String::from) {
                // The core names the setting by its label; this reader typed the key.
                Some(key) => Error::invalid_field(key.clone(), format!("--set {key}: {e}")),
                None => e,
            })?;
            print_json(&saved)
        }
    }
}
