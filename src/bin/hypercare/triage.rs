use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use hypercare::model::Category;
use hypercare::triage::comment_triage::{list_comment_triage, set_comment_category};
use hypercare::triage::eval_curve::Curve;
use hypercare::triage::evaluate::{evaluate_curve, evaluate_seeded, load_labeled, Evaluation};
use hypercare::triage::store::{list_triage, load_matrix, save_matrix};
use hypercare::triage::survey_items::ItemOrigin;
use hypercare::triage::theme_store::{mark_training, merge_themes, rename_theme, split_theme, SplitItems};
use hypercare::triage::theme_view::list_themes;
use hypercare::triage::{set_override, triage_all, Impact, Override, Priority, PriorityMatrix, Urgency};
use hypercare::triage::refine::{refine, RefineOptions, RefineProgress, Refined};
use hypercare::Error;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use crate::{print_json, Ctx};

#[derive(Subcommand)]
pub enum TriageCmd {
    /// Score triage and theme detection on a labeled JSONL file
    /// (5-fold cross-validation: ticket i is held out in fold i mod 5).
    Evaluate {
        file: PathBuf,
        /// Also train on this labeled file (as the app trains on its shipped
        /// seed): each fold learns from SEED plus the other folds of FILE,
        /// weighted as user corrections.
        #[arg(long, value_name = "SEED")]
        seed: Option<PathBuf>,
        /// With --seed: train on SEED alone and score every ticket of FILE
        /// (the first day, before any correction).
        #[arg(long, requires = "seed")]
        seed_only: bool,
        /// With --seed: the learning curve. FILE in time order, its latest
        /// 40 % scored after learning from SEED plus its K earliest tickets
        /// as corrections, for each K (`--curve=0,50,100`; bare `--curve`:
        /// 0,10,25,50,100,… and all).
        #[arg(long, value_name = "K,K,…", requires = "seed", conflicts_with = "seed_only", value_delimiter = ',', num_args = 0..=1, require_equals = true)]
        curve: Option<Vec<usize>>,
        #[arg(long)]
        json: bool,
    },
    /// Triage every ticket in the store and recompute the themes, then
    /// refine: texts without a sentence embedding (triaged on words) are
    /// embedded and triaged again (progress on stderr).
    Run {
        #[arg(long)]
        json: bool,
        /// Only the fast words/cached pass; `triage refine` does the rest later.
        #[arg(long)]
        no_refine: bool,
    },
    /// Embed the texts still triaged on words (after a sync, the demo, or an
    /// interrupted run) and triage their tickets again; resumable.
    Refine {
        #[arg(long)]
        json: bool,
    },
    /// Override a ticket's category, impact and/or urgency (kept, and learned
    /// from). A category is also queued for the server when the ticket's
    /// source has a place for it (`source category-push`); `push` sends it.
    Set {
        /// Ticket key (SOURCE:KEY when several sources share it).
        ticket: String,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        impact: Option<String>,
        #[arg(long)]
        urgency: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the stored triage, highest priority first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// List imported survey comments with their category (least certain
    /// first); `*` marks a category set by you.
    Comments {
        #[arg(long)]
        json: bool,
    },
    /// Correct a survey comment's category (kept, and learned from).
    SetComment {
        /// The comment's id (first column of `triage comments`).
        comment: i64,
        #[arg(long)]
        category: String,
    },
    /// Show the priority matrix; --set IMPACT URGENCY P changes one cell
    /// (and recomputes every priority).
    Matrix {
        #[arg(long, num_args = 3, value_names = ["IMPACT", "URGENCY", "PRIORITY"])]
        set: Option<Vec<String>>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct ThemesArgs {
    #[command(subcommand)]
    pub cmd: Option<ThemesCmd>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ThemesCmd {
    /// Give a theme a name of your own (kept across re-runs).
    Rename { theme: i64, name: String },
    /// Merge theme FROM into theme INTO.
    Merge { from: i64, into: i64 },
    /// Move tickets (keys) and survey comments (`--comment ID`, the id
    /// `themes` shows) out of a theme into a new theme.
    Split {
        theme: i64,
        #[arg(long)]
        name: String,
        #[arg(required_unless_present = "comments")]
        tickets: Vec<String>,
        /// A survey comment to move (repeatable).
        #[arg(long = "comment", value_name = "ID")]
        comments: Vec<i64>,
    },
    /// Mark a theme addressed by training (or --documentation) on DATE (YYYY-MM-DD).
    MarkTraining {
        theme: i64,
        date: String,
        #[arg(long)]
        documentation: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
}

fn parse<T>(what: &str, v: Option<String>, f: impl Fn(&str) -> Option<T>, allowed: &str) -> hypercare::Result<Option<T>> {
    v.map(|s| f(&s).ok_or_else(|| Error::InvalidInput(format!("unknown {what} {s:?}; use one of: {allowed}"))))
        .transpose()
}

pub fn run(ctx: &Ctx, c: TriageCmd) -> hypercare::Result<()> {
    match c {
        TriageCmd::Evaluate { file, seed, seed_only, curve, json } => {
            let rows = load_labeled(&file)?;
            let seed_rows = seed.as_deref().map(load_labeled).transpose()?;
            if let (Some(steps), Some(seed_rows)) = (curve, seed_rows.as_deref()) {
                let c = evaluate_curve(&rows, seed_rows, &steps, &PriorityMatrix::default())?;
                return if json { print_json(&c) } else { print_curve(&c); Ok(()) };
            }
            let e = evaluate_seeded(&rows, seed_rows.as_deref().map(|s| (s, seed_only)), &PriorityMatrix::default())?;
            if json {
                print_json(&e)
            } else {
                print_evaluation(&e, seed.as_deref());
                Ok(())
            }
        }
        TriageCmd::Run { json, no_refine } => {
            let store = ctx.store()?;
            let r = triage_all(&store, Utc::now())?;
            if !json {
                println!(
                    "triaged {} tickets and {} survey comments ({} corrections learned from), {} themes; {} on words, waiting for the language model",
                    r.tickets, r.survey_comments, r.corrections_used, r.themes, r.pending
                );
            }
            let refined = if no_refine { None } else { Some(refine_with_progress(&store, json)?) };
            if json {
                // The run's fields as before, and what the refinement did.
                let mut v = serde_json::to_value(&r).map_err(|e| Error::Internal(e.to_string()))?;
                v["refined"] = serde_json::to_value(&refined).map_err(|e| Error::Internal(e.to_string()))?;
                return print_json(&v);
            }
            Ok(())
        }
        TriageCmd::Refine { json } => {
            let refined = refine_with_progress(&ctx.store()?, json)?;
            if json {
                return print_json(&refined);
            }
            Ok(())
        }
        TriageCmd::Set { ticket, category, impact, urgency, json } => {
            let cats: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            let o = Override {
                category: parse("category", category, Category::parse, &cats.join(", "))?,
                impact: parse("impact", impact, Impact::parse, "single_user, team, department, organization")?,
                urgency: parse("urgency", urgency, Urgency::parse, "low, medium, high, critical")?,
            };
            let store = ctx.store()?;
            let id = store.ticket_id_by_key(&ticket)?;
            let done = set_override(&store, id, &o, Utc::now())?;
            if json {
                return print_json(&done);
            }
            println!("{ticket}: override saved, priority {}", done.priority.as_str());
            match done.category_push {
                Some(p) if p.queued => println!(
                    "{ticket}: category {:?} will be written to {} on the server: `hypercare push` sends it",
                    p.value.unwrap_or_default(),
                    p.target.unwrap_or_default()
                ),
                Some(p) => println!("{ticket}: not pushed: {}", p.reason.unwrap_or_default()),
                None => {}
            }
            Ok(())
        }
        TriageCmd::List { json } => {
            let rows = ctx.store()?.read(list_triage)?;
            if json {
                return print_json(&rows);
            }
            for r in rows {
                println!(
                    "{:<3} {:<14}{} {:<12} {:<8} {:<10} {}",
                    r.priority.unwrap_or_default(),
                    r.category.unwrap_or_default(),
                    if r.category_overridden { "*" } else { " " },
                    r.impact.unwrap_or_default(),
                    r.urgency.unwrap_or_default(),
                    r.key,
                    r.title
                );
            }
            Ok(())
        }
        TriageCmd::Comments { json } => {
            let rows = ctx.store()?.read(list_comment_triage)?;
            if json {
                return print_json(&rows);
            }
            for r in rows {
                let first_line = r.text.lines().next().unwrap_or_default();
                println!(
                    "{:<6} {:<14}{} {:>4} {} {}",
                    r.response_id,
                    r.category.unwrap_or_else(|| "-".into()),
                    if r.category_overridden { "*" } else { " " },
                    r.confidence.map(|c| format!("{:.0}%", c * 100.0)).unwrap_or_default(),
                    r.answered_at.get(..10).unwrap_or_default(),
                    first_line
                );
            }
            Ok(())
        }
        TriageCmd::SetComment { comment, category } => {
            let cats: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            let Some(c) = parse("category", Some(category), Category::parse, &cats.join(", "))? else {
                return Err(Error::InvalidInput("give --category".into()));
            };
            set_comment_category(&ctx.store()?, comment, c, Utc::now())?;
            println!("survey comment {comment}: category {} saved (kept on re-runs, learned from)", c.as_str());
            Ok(())
        }
        TriageCmd::Matrix { set, json } => {
            let store = ctx.store()?;
            let mut m = store.read(load_matrix)?;
            if let Some(cell) = set {
                let imp = parse("impact", cell.first().cloned(), Impact::parse, "single_user, team, department, organization")?;
                let urg = parse("urgency", cell.get(1).cloned(), Urgency::parse, "low, medium, high, critical")?;
                let pri = parse("priority", cell.get(2).cloned(), Priority::parse, "P1, P2, P3, P4")?;
                if let (Some(i), Some(u), Some(p)) = (imp, urg, pri) {
                    m.grid[i.index()][u.index()] = p;
                    save_matrix(&store, &m, Utc::now())?;
                }
            }
            if json {
                return print_json(&m);
            }
            print!("{}", m.render());
            Ok(())
        }
    }
}

pub fn themes(ctx: &Ctx, a: ThemesArgs) -> hypercare::Result<()> {
    let store = ctx.store()?;
    let now = Utc::now();
    match a.cmd {
        None => {
            let themes = store.read(|c| list_themes(c, now))?;
            if a.json {
                return print_json(&themes);
            }
            for t in themes {
                let trend: Vec<String> = t.weekly.iter().map(|w| w.count.to_string()).collect();
                let cats: Vec<String> = t.categories.iter().map(|(c, n)| format!("{c} {n}")).collect();
                let what = if t.survey_comments > 0 {
                    format!("{} tickets, {} survey comments", t.count - t.survey_comments, t.survey_comments)
                } else {
                    format!("{} tickets", t.count)
                };
                println!("#{} {} ({what})  weekly [{}]  {}", t.id, t.name, trend.join(" "), cats.join(", "));
                for e in &t.examples {
                    match (&e.origin, &e.key) {
                        (ItemOrigin::Ticket, Some(k)) => println!("    {k}  {}", e.text),
                        _ => println!("    survey comment {}, {}  {}", e.response_id.unwrap_or_default(), e.date, e.text),
                    }
                }
                for e in &t.effects {
                    let rate = |r: Option<f64>| r.map_or_else(|| "no data".to_string(), |r| format!("{r:.1}/week"));
                    println!(
                        "    {} on {}: {} before ({}), {} after ({}, data until {})",
                        e.kind, e.on, rate(e.per_week_before), e.before, rate(e.per_week_after), e.after, e.until
                    );
                }
            }
            Ok(())
        }
        Some(ThemesCmd::Rename { theme, name }) => rename_theme(&store, theme, &name, now),
        Some(ThemesCmd::Merge { from, into }) => merge_themes(&store, from, into, now),
        Some(ThemesCmd::Split { theme, name, tickets, comments }) => {
            let tickets = tickets.iter().map(|k| store.ticket_id_by_key(k)).collect::<hypercare::Result<Vec<_>>>()?;
            let id = split_theme(&store, theme, &SplitItems { tickets, comments }, &name, now)?;
            println!("new theme #{id}");
            Ok(())
        }
        Some(ThemesCmd::MarkTraining { theme, date, documentation, note }) => {
            let on = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| Error::InvalidInput(format!("date {date:?} must be YYYY-MM-DD")))?;
            let kind = if documentation { "documentation" } else { "training" };
            mark_training(&store, theme, kind, on, &note, now).map(|_| ())
        }
    }
}

/// Run the refinement, reporting each batch on stderr (a bar on a
/// terminal, a line per batch otherwise) and a summary on stdout.
fn refine_with_progress(store: &hypercare::Store, json: bool) -> hypercare::Result<Refined> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("refining triage with the language model [{bar:30}] {pos}/{len} texts, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let lines = bar.is_hidden();
    let mut progress = |p: &RefineProgress| match p {
        RefineProgress::Started { total } => {
            bar.set_length(*total);
            if lines && *total > 0 {
                eprintln!("refining triage with the language model: {total} texts");
            }
        }
        RefineProgress::Embedded { done, total } => {
            bar.set_position(*done);
            bar.set_message(format!("{} left", total - done));
            if lines {
                eprintln!("refining triage with the language model: {done} / {total} texts ({} left)", total - done);
            }
        }
        RefineProgress::Themes => bar.set_message("updating themes"),
        RefineProgress::Finished { .. } => bar.finish_and_clear(),
    };
    let r = refine(store, Utc::now(), RefineOptions::default(), &AtomicBool::new(false), &mut progress)?;
    bar.finish_and_clear();
    if !json {
        if !r.model {
            println!("no refinement: the sentence-embedding model is not installed (scripts/setup.sh); triage stays on words");
        } else {
            println!(
                "refined {} tickets and {} survey comments: {} texts embedded in {:.1} s, themes {:?}",
                r.tickets,
                r.comments,
                r.embedded,
                r.model_ms as f64 / 1000.0,
                r.themes
            );
        }
    }
    Ok(r)
}

fn print_curve(c: &Curve) {
    println!(
        "{} tickets in time order: the latest {} scored at every step, after learning from the seed's {} tickets (weight {}) plus the earliest K as corrections (weight {} in the neighbour vote, 1 in the regressions)",
        c.tickets, c.scored, c.seed_tickets, c.seed_weight, c.correction_weight
    );
    if c.embeddings.starts_with("on") {
        println!("sentence embeddings {}", c.embeddings);
    } else {
        println!("sentence embeddings OFF, words only: {}", c.embeddings.trim_start_matches("off: "));
    }
    println!("{:>11}  {:>12}  {:>8}  {:>6}  {:>7}  {:>8}", "corrections", "category F1", "accuracy", "impact", "urgency", "priority");
    for p in &c.points {
        println!(
            "{:>11}  {:>12.3}  {:>8.3}  {:>6.3}  {:>7.3}  {:>8.3}",
            p.corrections, p.category_macro_f1, p.category_accuracy, p.impact_accuracy, p.urgency_accuracy, p.priority_accuracy
        );
    }
}

fn print_evaluation(e: &Evaluation, seed: Option<&std::path::Path>) {
    println!("{} tickets; protocol {}", e.tickets, e.protocol.as_str());
    println!("  {}", e.protocol_detail);
    if let Some(s) = seed {
        println!("  seed file {}", s.display());
    }
    println!("  themes: per fold of {}, the threshold chosen on the file's other folds; the whole file at their median", e.folds);
    if e.intake_tickets > 0 {
        println!("  {} tickets carry impact or urgency recorded at intake: those values decide over the text", e.intake_tickets);
    }
    if e.embeddings.starts_with("on") {
        println!("sentence embeddings {} ({} ms to embed the file)", e.embeddings, e.embedding_ms);
    } else {
        println!("sentence embeddings OFF, words only: {}", e.embeddings.trim_start_matches("off: "));
    }
    println!("category  accuracy {:.3}  macro-F1 {:.3}", e.category_accuracy, e.category_macro_f1);
    println!("impact    accuracy {:.3}", e.impact_accuracy);
    println!("urgency   accuracy {:.3}", e.urgency_accuracy);
    println!("priority  accuracy {:.3}", e.priority_accuracy);
    println!(
        "themes    ARI {:.3}  pairwise P {:.3} R {:.3} F1 {:.3}  ({} themes, threshold {:.2})",
        e.theme_ari, e.theme_pairwise_precision, e.theme_pairwise_recall, e.theme_pairwise_f1, e.themes_found, e.theme_threshold
    );
    let folds: Vec<String> = e.theme_ari_cv_folds.iter().map(|a| format!("{a:.3}")).collect();
    println!("          ARI per held-out fold {:.3} [{}]; at the shipped threshold {:.3}", e.theme_ari_cv, folds.join(" "), e.theme_ari_shipped);
    println!("\nconfusion (rows: labeled, columns: predicted)");
    let short: Vec<String> = e.labels.iter().map(|l| l.chars().take(5).collect()).collect();
    println!("{:<14} {}", "", short.iter().map(|s| format!("{s:>5}")).collect::<Vec<_>>().join(" "));
    for (l, row) in e.labels.iter().zip(&e.confusion) {
        println!("{l:<14} {}", row.iter().map(|n| format!("{n:>5}")).collect::<Vec<_>>().join(" "));
    }
}
