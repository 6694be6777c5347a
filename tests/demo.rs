//! The built-in demo: deterministic, realistic and consistent, through the real CLI.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Output};

use chrono::{Datelike, Timelike, Weekday};
use hypercare::demo::{load_demo, DemoConfig, DEMO_SOURCE};
use hypercare::model::{Source, SourceKind, StatusClass, TicketDetail, TicketQuery, TicketSummary};
use hypercare::store::sources::NewSource;
use hypercare::{ErrorCode, Store};
use tempfile::TempDir;

fn hc(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run the hypercare binary");
    assert!(
        out.status.success(),
        "hypercare {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn tickets_json(dir: &Path, extra: &[&str]) -> Vec<TicketSummary> {
    let mut args = vec!["tickets", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_slice(&hc(dir, &args).stdout).expect("tickets --json is a list of tickets")
}

fn all_details(store: &Store) -> Vec<TicketDetail> {
    let q = TicketQuery { limit: Some(10_000), ..Default::default() };
    let mut v: Vec<TicketDetail> =
        store.tickets(&q).unwrap().iter().map(|t| store.ticket_detail(t.id).unwrap()).collect();
    v.sort_by_key(|d| d.summary.id);
    v
}

fn class_of(status: &str) -> StatusClass {
    match status {
        "New" | "In Progress" => StatusClass::Open,
        "Resolved" | "Feedback" => StatusClass::Resolved,
        "Closed" | "Rejected" => StatusClass::Closed,
        other => panic!("unexpected status {other:?}"),
    }
}

/// Number of times a ticket went from resolved or closed back to open.
fn reopens(d: &TicketDetail) -> usize {
    d.status_history
        .iter()
        .filter(|c| c.to_class == StatusClass::Open && c.from_status.as_deref().map(class_of) != Some(StatusClass::Open))
        .count()
}

#[test]
fn two_loads_into_fresh_workspaces_are_identical() {
    let (a, b) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let sa = json(&hc(a.path(), &["demo", "--json"]));
    let sb = json(&hc(b.path(), &["demo", "--json"]));
    assert_eq!(sa["loaded"], true);
    assert_eq!((&sa["tickets"], &sa["comments"], &sa["status_changes"]), (&sb["tickets"], &sb["comments"], &sb["status_changes"]));
    let (ta, tb) = (hc(a.path(), &["tickets", "--json"]).stdout, hc(b.path(), &["tickets", "--json"]).stdout);
    assert!(ta.len() > 100_000, "tickets --json printed only {} bytes", ta.len());
    assert!(ta == tb, "tickets --json differs between two demo workspaces");
    // Comments and histories too, not only the inbox columns.
    let (da, db) = (all_details(&Store::open_dir(a.path()).unwrap()), all_details(&Store::open_dir(b.path()).unwrap()));
    assert!(da == db, "ticket details differ between two demo workspaces");
}

#[test]
fn demo_has_thousands_of_tickets_in_every_category_with_comments() {
    let dir = TempDir::new().unwrap();
    let out = json(&hc(dir.path(), &["demo", "--json"]));
    let tickets = out["tickets"].as_u64().unwrap();
    assert!((2_500..=3_500).contains(&tickets), "{tickets} tickets");
    assert!(out["comments"].as_u64().unwrap() > tickets, "{out}");
    let listed = tickets_json(dir.path(), &[]);
    assert_eq!(listed.len() as u64, tickets);
    assert!(listed.iter().all(|t| t.source == DEMO_SOURCE));

    let store = Store::open_dir(dir.path()).unwrap();
    let per_category: HashMap<String, i64> = store
        .read(|c| {
            // The generator's feedback category is in `raw`; the issue category holds the module.
            let mut st = c.prepare("SELECT json_extract(raw, '$.category'), count(*) FROM tickets GROUP BY 1")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
        })
        .unwrap();
    for c in hypercare::model::Category::ALL {
        let n = per_category.get(c.as_str()).copied().unwrap_or(0);
        assert!(n >= 50, "category {:?} has only {n} tickets: {per_category:?}", c.as_str());
    }
    let priorities: BTreeSet<&str> = listed.iter().map(|t| t.priority.as_str()).collect();
    assert_eq!(priorities, BTreeSet::from(["Immediate", "High", "Low", "Normal", "Urgent"]));
    let assignees: BTreeSet<&str> = listed.iter().filter_map(|t| t.assignee.as_deref()).collect();
    let reporters: BTreeSet<&str> = listed.iter().filter_map(|t| t.reporter.as_deref()).collect();
    assert_eq!(assignees.len(), 12, "{assignees:?}");
    assert!(reporters.len() >= 140, "{} reporters", reporters.len());
    let statuses: BTreeSet<&str> = listed.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(statuses, BTreeSet::from(["Closed", "Feedback", "In Progress", "New", "Rejected", "Resolved"]));
}

#[test]
fn status_histories_match_final_status_and_times() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo(&store).unwrap();
    let details = all_details(&store);
    let go_live = chrono::NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
    let mut week_counts = [0usize; 6];
    let mut reopen_counts = [0usize; 3];
    for d in &details {
        let t = &d.summary;
        let h = &d.status_history;
        // The chain starts at New, each change starts where the last ended, and ends at the final status.
        let mut cur = "New".to_string();
        let mut last_at = t.created_at;
        for c in h {
            assert_eq!(c.from_status.as_deref(), Some(cur.as_str()), "{}: broken chain {h:?}", t.key);
            assert_eq!(c.to_class, class_of(&c.to_status), "{}", t.key);
            assert!(c.at >= last_at, "{}: change before the previous one", t.key);
            cur = c.to_status.clone();
            last_at = c.at;
        }
        assert_eq!(cur, t.status, "{}: history ends at {cur}, ticket says {}", t.key, t.status);
        assert_eq!(t.status_class, class_of(&t.status), "{}", t.key);
        // resolved_at: when the ticket last left the open statuses, if it is not open now.
        let left_open = h.iter().rev().find(|c| c.from_status.as_deref().map(class_of) == Some(StatusClass::Open));
        match t.status_class {
            StatusClass::Open => assert_eq!(t.resolved_at, None, "{}", t.key),
            _ => assert_eq!(t.resolved_at, left_open.map(|c| c.at), "{}", t.key),
        }
        for c in &d.comments {
            assert!(c.created_at >= t.created_at && c.created_at <= t.updated_at, "{}: comment out of range", t.key);
            assert!(c.author.is_some() && !c.body.trim().is_empty(), "{}", t.key);
        }
        assert!(last_at <= t.updated_at, "{}", t.key);
        // Created in business hours, Europe/Amsterdam, on a weekday, within six weeks of go-live.
        let local = t.created_at.with_timezone(&chrono_tz::Europe::Amsterdam);
        assert!((8..18).contains(&local.hour()), "{} created at {local}", t.key);
        assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun), "{} created at {local}", t.key);
        let week = (local.date_naive() - go_live).num_days() / 7;
        week_counts[usize::try_from(week).unwrap()] += 1;
        reopen_counts[reopens(d).min(2)] += 1;
    }
    assert!(reopen_counts[1] >= 20 && reopen_counts[2] >= 5, "reopened once/twice: {reopen_counts:?}");
    assert!(week_counts[0] > 3 * week_counts[5], "no go-live peak: {week_counts:?}");
    assert!(week_counts.windows(2).take(3).all(|w| w[0] > w[1]), "no decay: {week_counts:?}");
    let open = details.iter().filter(|d| d.summary.status_class == StatusClass::Open).count();
    assert!(open > 100 && open < details.len() / 2, "{open} open tickets");
}

#[test]
fn search_finds_demo_tickets_by_their_words() {
    let dir = TempDir::new().unwrap();
    hc(dir.path(), &["demo"]);
    let store = Store::open_dir(dir.path()).unwrap();
    let hits = tickets_json(dir.path(), &["--search", "scanner"]);
    assert!(hits.len() >= 20, "only {} tickets mention scanners", hits.len());
    for t in &hits {
        let d = store.ticket_detail(t.id).unwrap();
        let text = format!("{} {} {}", d.summary.title, d.description, d.comments.iter().map(|c| c.body.as_str()).collect::<Vec<_>>().join(" "));
        assert!(text.to_lowercase().contains("scanner"), "{} matched without the word: {text}", t.key);
    }
    // Diacritics are folded: "Poznan" finds the Poznań warehouse's tickets.
    let poznan = tickets_json(dir.path(), &["--search", "Poznan"]);
    assert!(!poznan.is_empty());
    assert!(store.ticket_detail(poznan[0].id).unwrap().description.contains("Poznań"));
    // A recurring problem worded differently is found under several titles.
    let edi = tickets_json(dir.path(), &["--search", "EDI"]);
    let titles: BTreeSet<&str> = edi.iter().map(|t| t.title.as_str()).collect();
    assert!(titles.len() >= 4, "{titles:?}");
}

#[test]
fn status_filter_lists_only_resolved_tickets() {
    let dir = TempDir::new().unwrap();
    hc(dir.path(), &["demo"]);
    let all = tickets_json(dir.path(), &[]);
    let resolved = tickets_json(dir.path(), &["--status", "resolved"]);
    assert!(!resolved.is_empty());
    assert!(resolved.iter().all(|t| t.status_class == StatusClass::Resolved && (t.status == "Resolved" || t.status == "Feedback")));
    let expected = all.iter().filter(|t| t.status == "Resolved" || t.status == "Feedback").count();
    assert_eq!(resolved.len(), expected);
    assert!(resolved.iter().any(|t| t.status == "Feedback"));
}

#[test]
fn reloading_replaces_the_demo_without_duplicates() {
    let dir = TempDir::new().unwrap();
    hc(dir.path(), &["demo"]);
    let before = tickets_json(dir.path(), &[]);
    let found_before = tickets_json(dir.path(), &["--search", "invoice"]).len();
    // Without --force nothing changes.
    assert_eq!(json(&hc(dir.path(), &["demo", "--json"]))["loaded"], false);
    let again = json(&hc(dir.path(), &["demo", "--force", "--json"]));
    assert_eq!(again["loaded"], true);
    let after = tickets_json(dir.path(), &[]);
    assert_eq!(after.len(), before.len());
    let keys = |v: &[TicketSummary]| v.iter().map(|t| (t.key.clone(), t.title.clone(), t.status.clone())).collect::<BTreeSet<_>>();
    assert_eq!(keys(&before), keys(&after));
    // The old full-text rows went with the old tickets.
    assert_eq!(tickets_json(dir.path(), &["--search", "invoice"]).len(), found_before);
    let sources: Vec<Source> = Store::open_dir(dir.path()).unwrap().sources().unwrap();
    assert_eq!(sources.len(), 1);
}

#[test]
fn a_real_source_named_demo_is_never_overwritten() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let new = NewSource {
        name: DEMO_SOURCE.into(),
        kind: SourceKind::Redmine,
        url: "http://127.0.0.1:9".into(),
        project: "erp".into(),
        token_env: None,
        config: serde_json::json!({}),
    };
    store.add_source(&new, chrono::Utc::now()).unwrap();
    let err = load_demo(&store).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("rename or remove"), "{err}");
    assert_eq!(store.sources().unwrap()[0].kind, SourceKind::Redmine);
    assert!(store.tickets(&TicketQuery::default()).unwrap().is_empty());
    // Through the CLI: one clear line, non-zero exit.
    let out = Command::new(env!("CARGO_BIN_EXE_hypercare")).arg("--data-dir").arg(dir.path()).args(["demo", "--force"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn first_run_gets_the_demo_once() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    assert!(hypercare::demo::ensure_demo(&store, &DemoConfig::default()).unwrap());
    let n = store.tickets(&TicketQuery { limit: Some(10_000), ..Default::default() }).unwrap().len();
    assert!(n >= 2_500, "{n} tickets after the first run");
    // A workspace that has sources is left alone.
    assert!(!hypercare::demo::ensure_demo(&store, &DemoConfig::default()).unwrap());
    assert_eq!(store.sources().unwrap().len(), 1);
}

#[test]
fn a_reload_that_fails_midway_leaves_the_previous_demo_intact() {
    let dir = TempDir::new().unwrap();
    hc(dir.path(), &["demo"]);
    let before = hc(dir.path(), &["tickets", "--json"]).stdout;
    let found_before = tickets_json(dir.path(), &["--search", "scanner"]).len();
    // Make the store refuse a ticket in the middle of the second chunk of the reload.
    let store = Store::open_dir(dir.path()).unwrap();
    store
        .with_tx(|tx| {
            tx.execute_batch(
                "CREATE TRIGGER refuse_3500 BEFORE INSERT ON tickets WHEN NEW.remote_id = '3500'
                 BEGIN SELECT RAISE(ABORT, 'disk went away'); END;",
            )?;
            Ok(())
        })
        .unwrap();
    let err = load_demo(&store).unwrap_err();
    assert!(err.to_string().contains("disk went away"), "{err}");
    drop(store);
    assert!(hc(dir.path(), &["tickets", "--json"]).stdout == before, "a failed reload changed the tickets");
    assert_eq!(tickets_json(dir.path(), &["--search", "scanner"]).len(), found_before);
}

#[test]
fn a_demo_of_another_size_is_loaded_on_request_and_nonsense_sizes_are_refused() {
    let dir = TempDir::new().unwrap();
    let out = json(&hc(dir.path(), &["demo", "--tickets", "400", "--json"]));
    assert_eq!(out["tickets"], 400, "{out}");
    assert_eq!(tickets_json(dir.path(), &["--limit", "1000"]).len(), 400);

    let refused = Command::new(env!("CARGO_BIN_EXE_hypercare"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["demo", "--force", "--tickets", "0"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--tickets"), "the error names the option: {err}");
    // The 400-ticket demo is still there.
    assert_eq!(tickets_json(dir.path(), &["--limit", "1000"]).len(), 400);
}

#[test]
fn removing_the_demo_leaves_no_demo_data_behind() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    load_demo(&store).unwrap();
    let now = chrono::Utc::now();
    let count = |sql: &str| -> i64 { store.read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap() };
    assert!(count("SELECT count(*) FROM survey_responses") > 0 && count("SELECT count(*) FROM usage_events") > 0);
    let themes = |s: &Store| s.read(|c| hypercare::triage::theme_view::list_themes(c, now)).unwrap();
    assert!(!themes(&store).is_empty());

    store.remove_source(DEMO_SOURCE).unwrap();
    // KPIs count no demo survey answer or usage event, themes list no empty theme,
    // search finds no demo ticket.
    assert_eq!(count("SELECT count(*) FROM survey_responses"), 0);
    assert_eq!(count("SELECT count(*) FROM usage_events"), 0);
    assert_eq!(count("SELECT count(*) FROM gateway_calls"), 0);
    assert_eq!(count("SELECT count(*) FROM tickets"), 0);
    assert!(themes(&store).is_empty(), "{:?}", themes(&store).iter().map(|t| (&t.name, t.count)).collect::<Vec<_>>());
    let q = TicketQuery { search: Some("scanner".into()), ..Default::default() };
    assert!(store.tickets(&q).unwrap().is_empty());
    assert_eq!(count("SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH 'scanner'"), 0, "no stale search rows");
    assert_eq!(store.remove_source(DEMO_SOURCE).unwrap_err().code(), ErrorCode::NotFound);
}
