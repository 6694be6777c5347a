//! The built-in, deterministic sample hypercare (`hypercare demo`).
//!
//! The six weeks after the go-live of an ERP at a European manufacturer
//! (Europe/Amsterdam business hours, stored in UTC): about 3,000 tickets from a hundred and fifty business users across
//! order-to-cash, procure-to-pay, finance month-end, warehouse, HR/payroll,
//! production and master data, in the ten feedback categories, with
//! comments and Redmine-like status histories (resolved, reopened once or
//! twice, closed, rejected, still open). A peak in go-live week decays over
//! the weeks; recurring problems (`themes`) are worded differently by
//! different users.
//!
//! The demo is anchored on a "today" ([`DemoConfig::as_of`]): its go-live
//! is the Monday about six weeks before, and its data ends the evening
//! before today, so the hypercare is in its last week. The CLI and the tests
//! use a fixed today ([`FIXED_TODAY`]: go-live Monday 28 September 2026);
//! the app's first run uses the real one ([`first_run_today`]).
//!
//! **Invariant:** the same [`DemoConfig`] always yields the same tickets, on
//! every machine: the generator uses its own fixed random stream (`rng`),
//! a fixed calendar, and never reads the clock.

mod anchor;
mod calendar;
mod compose;
mod lifecycle;
mod load;
mod phrases;
mod rng;
mod themes;
mod vocab;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Category, TicketRecord};
use crate::{Error, Result, Store};
use calendar::Calendar;
use compose::Slots;
use lifecycle::{Case, People};
use rng::{mix, Rng};
use themes::THEMES;
use vocab::{reporter, CONSULTANTS, MODULES, REPORTERS, SITES};

pub use anchor::{first_run_today, DEMO_TODAY_ENV, FIXED_TODAY};
pub use load::load_demo_with;

/// What loading the demo wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DemoSummary {
    /// Tickets written.
    pub tickets: u64,
    /// Comments written (all with text).
    pub comments: u64,
    /// Status changes written.
    pub status_changes: u64,
    /// Survey answers written (CSAT and NPS), so the satisfaction charts have content.
    pub survey_responses: u64,
    /// Usage events written, so the adoption charts have content.
    pub usage_events: u64,
}

/// The demo company's ERP modules (Order-to-cash, Warehouse, …): a demo
/// ticket's issue category, which the Validation view offers as its
/// process areas.
pub fn module_names() -> Vec<&'static str> {
    MODULES.iter().map(|m| m.name).collect()
}

/// Name of the demo source.
pub const DEMO_SOURCE: &str = "demo";

/// The demo source's config: its process area is the issue category, which
/// holds the ticket's ERP module (Warehouse, Finance month-end, …), so the
/// Validation view filters by module rather than by tracker. Stores from
/// before this setting are upgraded by migration 106.
pub const DEMO_CONFIG: &str = r#"{"validation":{"process_area_field":"category"}}"#;

/// Number of tickets in the standard demo.
pub const DEMO_TICKETS: usize = 3_000;

/// Remote id of the first demo ticket (`#1001`).
const FIRST_ID: u64 = 1001;

/// What to generate. [`DemoConfig::default`] is the standard demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    /// Seed of the random stream; another seed gives another, equally plausible demo.
    pub seed: u64,
    /// Number of tickets (the benchmarks scale this up).
    pub tickets: usize,
    /// The go-live day (a Monday reads best).
    pub go_live: NaiveDate,
    /// Length of the hypercare window.
    pub weeks: u32,
    /// The demo's "today": the window is cut at its start (midnight in the
    /// demo company's time zone), so nothing happens on or after it. `None`:
    /// the whole window.
    pub until: Option<NaiveDate>,
}

impl Default for DemoConfig {
    /// The standard demo on the fixed today ([`FIXED_TODAY`]), the same on
    /// every machine and every day.
    fn default() -> Self {
        DemoConfig::as_of(FIXED_TODAY)
    }
}

impl DemoConfig {
    /// The standard demo as seen on `today`: the go-live is the Monday five
    /// weeks before the Monday of yesterday's week (36 to 42 days before
    /// `today`), so yesterday falls in the last hypercare week; the window
    /// is cut at `today`, and the newest tickets are from the last working
    /// day before it.
    pub fn as_of(today: NaiveDate) -> DemoConfig {
        const WEEKS: u32 = 6;
        DemoConfig {
            seed: 0x4859_5045_5243_4152,
            tickets: DEMO_TICKETS,
            go_live: anchor::go_live_for(today, WEEKS),
            weeks: WEEKS,
            until: Some(today),
        }
    }

    /// The first day after the window: `until`, or the end of the `weeks`
    /// when that comes first.
    pub fn end(&self) -> NaiveDate {
        let full = self.go_live + chrono::Duration::days(7 * i64::from(self.weeks));
        self.until.map_or(full, |u| u.min(full))
    }
}

/// Category mix per phase: go-live weeks 1-2, then weeks 3+. Order of `Category::ALL`.
const CATEGORY_WEIGHTS: [[u32; 10]; 2] =
    [[6, 14, 8, 10, 13, 9, 6, 16, 5, 13], [2, 11, 10, 12, 8, 14, 9, 10, 17, 7]];

/// Priority names (Redmine's defaults) and their weights per category.
const PRIORITIES: [&str; 5] = ["Low", "Normal", "High", "Urgent", "Immediate"];

fn priority_weights(c: Category) -> [u32; 5] {
    match c {
        Category::CriticalBug => [0, 0, 5, 40, 55],
        Category::MajorBug => [0, 15, 60, 25, 0],
        Category::Performance => [0, 50, 40, 10, 0],
        Category::Usability => [40, 60, 0, 0, 0],
        Category::Integration => [0, 30, 50, 20, 0],
        Category::MinorBug => [60, 40, 0, 0, 0],
        Category::Documentation => [40, 60, 0, 0, 0],
        Category::Training => [30, 70, 0, 0, 0],
        Category::Enhancement => [70, 30, 0, 0, 0],
        Category::DataIssue => [0, 50, 40, 10, 0],
    }
}

fn tracker(c: Category) -> &'static str {
    match c {
        Category::Enhancement => "Feature",
        Category::Training | Category::Documentation | Category::Usability => "Support",
        _ => "Bug",
    }
}

/// A recurring problem of category `cat` active on working day `day`, or
/// none (a one-off ticket): each active theme takes its share.
fn pick_theme(rng: &mut Rng, cat: Category, day: usize) -> Option<&'static themes::Theme> {
    let active: Vec<&themes::Theme> =
        THEMES.iter().filter(|t| t.category == cat && (t.days.0..t.days.1).contains(&day)).collect();
    if active.is_empty() {
        return None;
    }
    let mut weights: Vec<u32> = active.iter().map(|t| t.share).collect();
    weights.push(100u32.saturating_sub(weights.iter().sum()).max(20));
    active.get(rng.weighted(&weights)).copied()
}

/// Chance that the fix of a one-off ticket does not hold.
fn reopen_chance(cat: Category) -> f64 {
    match cat {
        Category::CriticalBug | Category::MajorBug | Category::Integration | Category::DataIssue => 0.15,
        _ => 0.07,
    }
}

/// Generates the demo's tickets; ticket `i` depends only on the config and `i`.
pub struct Generator {
    seed: u64,
    cal: Calendar,
    days: Vec<NaiveDate>,
    /// `bounds[d]..bounds[d + 1]` are the tickets created on `days[d]`.
    bounds: Vec<usize>,
}

impl Generator {
    /// A generator for `cfg`; fails on a config outside sane bounds.
    pub fn new(cfg: &DemoConfig) -> Result<Generator> {
        if cfg.tickets == 0 || cfg.tickets > 10_000_000 || !(1..=52).contains(&cfg.weeks) {
            return Err(Error::invalid(format!(
                "demo of {} tickets over {} weeks: use 1 to 10,000,000 tickets and 1 to 52 weeks",
                cfg.tickets, cfg.weeks
            )));
        }
        let cal = Calendar::new(DEMO_TZ, cfg.go_live, cfg.end());
        let days = cal.workdays();
        if days.is_empty() {
            return Err(Error::invalid(format!(
                "a demo with go-live {} and today {} has no working day before today: today must be after the go-live",
                cfg.go_live,
                cfg.end()
            )));
        }
        let weights: Vec<u64> = (0..days.len()).map(|d| cal.day_weight(d) as u64).collect();
        let total: u64 = weights.iter().sum();
        let mut bounds = Vec::with_capacity(days.len() + 1);
        let mut cum = 0u64;
        bounds.push(0);
        for w in &weights {
            cum += w;
            bounds.push((cum as u128 * cfg.tickets as u128 / total.max(1) as u128) as usize);
        }
        Ok(Generator { seed: cfg.seed, cal, days, bounds })
    }

    /// Number of tickets this generator makes.
    pub fn len(&self) -> usize {
        self.bounds.last().copied().unwrap_or(0)
    }

    /// True when there is nothing to generate.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tickets `range` (ids ascend with creation time).
    pub fn tickets(&self, range: std::ops::Range<usize>) -> Vec<TicketRecord> {
        range.filter(|i| *i < self.len()).map(|i| self.ticket(i)).collect()
    }

    /// The `i`-th ticket.
    pub fn ticket(&self, i: usize) -> TicketRecord {
        let mut rng = Rng::new(mix(self.seed, i as u64));
        let day = self.bounds.partition_point(|b| *b <= i).saturating_sub(1).min(self.days.len() - 1);
        let count = (self.bounds[day + 1] - self.bounds[day]).max(1) as i64;
        let slot = calendar::DAY_SECONDS / count;
        let offset = (i - self.bounds[day]) as i64 * calendar::DAY_SECONDS / count + rng.range(0, slot.max(1));
        let created = self.cal.on_day(self.days[day], offset);

        let phase = usize::from(day >= 10);
        let cat = Category::ALL[rng.weighted(&CATEGORY_WEIGHTS[phase])];
        let theme = pick_theme(&mut rng, cat, day);
        let module_ix = theme.map(|t| t.module).unwrap_or_else(|| rng.below(MODULES.len()));
        let module = &MODULES[module_ix];
        let per_module = (REPORTERS - module_ix).div_ceil(MODULES.len());
        let reporter_ix = module_ix + MODULES.len() * rng.below(per_module);
        let reporter_name = reporter(reporter_ix);
        let site = SITES[(reporter_ix / MODULES.len()) % SITES.len()];
        let colleague = reporter((reporter_ix + MODULES.len() * (1 + rng.below(5))) % REPORTERS);
        let assignee = CONSULTANTS[*rng.pick(module.owners)];
        let priority = PRIORITIES[rng.weighted(&priority_weights(cat))];

        let slots = Slots::new(&mut rng, module, site, colleague.clone());
        let (title, description) = compose::texts(&mut rng, cat, theme, &slots, &reporter_name);
        let fix_note = match theme {
            Some(t) => rng.word(t.fixes),
            None => rng.word(phrases::category_text(cat).fixes),
        };
        let reopen = theme.map_or_else(|| reopen_chance(cat), |t| t.reopen);
        let no = FIRST_ID + i as u64;
        let case = Case {
            ticket_no: no,
            created,
            cat,
            priority,
            reopen_chance: reopen,
            fix_note,
            people: People { assignee, reporter: &reporter_name, colleague: &colleague },
        };
        let life = lifecycle::live(&mut rng, &self.cal, &case, &slots);
        let raw = serde_json::json!({
            "generator": "hypercare demo",
            "category": cat.as_str(),
            "theme": theme.map(|t| t.id),
            "module": module.name,
            "site": site,
        });
        TicketRecord {
            remote_id: no.to_string(),
            key: format!("#{no}"),
            title,
            description,
            status: life.status.name().to_string(),
            status_class: life.status.class(),
            priority: priority.to_string(),
            tracker: tracker(cat).to_string(),
            // The ERP module is what a Redmine issue category holds here: the
            // process area the Validation view filters on ([`DEMO_CONFIG`]).
            // The feedback category the generator chose stays in `raw`.
            category: Some(module.name.to_string()),
            assignee: (life.assignee_seen || priority == "Immediate").then(|| assignee.to_string()),
            reporter: Some(reporter_name),
            created_at: self.cal.to_utc(created),
            updated_at: life.updated_at,
            resolved_at: life.resolved_at,
            remote_version: life.updated_at.to_rfc3339(),
            raw: Some(raw.to_string()),
            comments: Some(life.comments),
            status_changes: Some(life.changes),
        }
    }
}

/// Load the standard demo on the fixed today ([`DemoConfig::default`]) into
/// `store`, replacing an earlier demo source's data, in one transaction.
///
/// Besides the tickets it writes the survey answers and usage logs of the
/// same window (`import::demo`), triages every ticket (category, priority,
/// themes: [`crate::triage::triage_all`]), and sets the workspace's KPI time zone to
/// the demo company's, so every KPI chart has content on first run.
pub fn load_demo(store: &Store) -> Result<DemoSummary> {
    load_demo_config(store, &DemoConfig::default())
}

/// [`load_demo`] with another size or seed: `hypercare demo --tickets N`
/// makes a workspace of N tickets for trying the app at scale.
pub fn load_demo_config(store: &Store, cfg: &DemoConfig) -> Result<DemoSummary> {
    let mut summary = load_demo_with(store, cfg)?;
    let days = (cfg.end() - cfg.go_live).num_days();
    let feedback = crate::import::demo::load_demo_feedback_days(store, cfg.go_live, days)?;
    if store.kpi_settings()?.timezone == "UTC" {
        store.set_kpi_setting("timezone", DEMO_TIMEZONE)?;
    }
    summary.survey_responses = feedback.survey_responses;
    summary.usage_events = feedback.usage_events;
    // The inbox shows categories from the first start; "now" is the end of
    // the demo window (never after the demo's today), so the result does
    // not depend on the clock.
    // Never runs the model (the demo must open in seconds): texts without a
    // cached embedding are triaged on words; the app refines them in the
    // background.
    crate::triage::triage_all(store, anchor::window_end_utc(cfg.end()))?;
    Ok(summary)
}

/// The demo company's time zone (its business hours are in it).
pub const DEMO_TIMEZONE: &str = "Europe/Amsterdam";
/// [`DEMO_TIMEZONE`] as a zone.
const DEMO_TZ: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

/// Load the demo of `cfg` when the workspace has no sources at all (first
/// run). Returns whether it loaded. A demo already there is left as it was
/// created (with the user's validations and edits), however old its dates.
pub fn ensure_demo(store: &Store, cfg: &DemoConfig) -> Result<bool> {
    if !store.sources()?.is_empty() {
        return Ok(false);
    }
    load_demo_config(store, cfg)?;
    Ok(true)
}

