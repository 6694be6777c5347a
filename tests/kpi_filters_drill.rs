//! The dashboard's filter (source, priority, category) against values
//! computed by hand, and the drill-down: every ticket chart point lists
//! exactly as many tickets as it counts, through the inbox query.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;

use fixtures::*;
use hypercare::charts::{render_svg_with_points, ChartKind, ChartPoints, ChartTheme};
use hypercare::kpi::{compute_with, KpiFilter, KpiReport, KpiSettings, Period, Priority};
use hypercare::model::{Category, SourceKind, StatusClass::*, TicketQuery};
use hypercare::store::sources::NewSource;
use hypercare::Store;

const NOW: &str = "2026-11-27T12:00:00Z";

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Period Mon 2026-10-05 .. Sun 2026-10-11 (UTC), two sources.
///
/// | ticket | source  | priority  | effective category                         |
/// |--------|---------|-----------|--------------------------------------------|
/// | A      | fixture | P1        | usability (server's, no triage)            |
/// | B      | fixture | High → P2 | usability (override over automatic "performance") |
/// | C      | fixture | P3        | training (automatic over the server's usability) |
/// | D      | crm     | Low → P4  | usability (server's)                       |
/// | E      | crm     | Immediate → P1 | none                                  |
fn fixture(dir: &std::path::Path) -> Store {
    let (store, fixture_src) = store_with_source(dir);
    let crm = store
        .add_source(
            &NewSource {
                name: "crm".into(),
                kind: SourceKind::Demo,
                url: "http://crm.invalid".into(),
                project: String::new(),
                token_env: None,
                config: serde_json::json!({}),
            },
            t("2026-01-01T00:00:00Z"),
        )
        .unwrap();
    insert(
        &store,
        fixture_src,
        &[
            Tk { category: Some("usability"), ..Tk::new("A", "P1", "2026-10-05T08:00:00Z") }
                .change("2026-10-05T10:00:00Z", Open, Resolved),
            Tk { category: Some("performance"), ..Tk::new("B", "High", "2026-10-05T09:00:00Z") }
                .change("2026-10-06T09:00:00Z", Open, Resolved)
                .change("2026-10-07T09:00:00Z", Resolved, Open)
                .change("2026-10-07T21:00:00Z", Open, Resolved)
                .change("2026-10-08T09:00:00Z", Resolved, Open)
                .change("2026-10-09T09:00:00Z", Open, Closed),
            Tk { category: Some("usability"), ..Tk::new("C", "P3", "2026-10-01T12:00:00Z") }
                .change("2026-10-06T12:00:00Z", Open, Resolved),
        ],
    );
    insert(
        &store,
        crm.id,
        &[
            Tk { category: Some("usability"), ..Tk::new("D", "Low", "2026-10-07T10:00:00Z") },
            Tk::new("E", "Immediate", "2026-10-10T06:00:00Z"),
        ],
    );
    store
        .with_tx(|tx| {
            tx.execute(
                "INSERT INTO triage (ticket_id, category, category_override, updated_at)
                 SELECT id, 'performance', 'usability', 0 FROM tickets WHERE remote_id = 'B'",
                [],
            )?;
            tx.execute(
                "INSERT INTO triage (ticket_id, category, updated_at) SELECT id, 'training', 0 FROM tickets WHERE remote_id = 'C'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    store
}

fn period() -> Period {
    Period::new(day(2026, 10, 5), day(2026, 10, 11), "UTC".parse().unwrap()).unwrap()
}

fn report(store: &Store, f: &KpiFilter) -> KpiReport {
    compute_with(store, &period(), &KpiSettings::default(), f, t(NOW)).unwrap()
}

fn filter(sources: &[&str], priorities: &[Priority], categories: &[Category]) -> KpiFilter {
    KpiFilter {
        sources: sources.iter().map(|s| s.to_string()).collect(),
        priorities: priorities.to_vec(),
        categories: categories.to_vec(),
    }
}

#[test]
fn a_category_filter_counts_only_tickets_of_that_effective_category() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    // Usability: A (server's), B (override), D (server's). Not C: its
    // automatic triage says training, which beats the server's category.
    let r = report(&store, &filter(&[], &[], &[Category::Usability]));
    let o = &r.operations;
    assert_eq!(o.created, vec![2, 0, 1, 0, 0, 0, 0], "Oct 5 A+B, Oct 7 D");
    assert_eq!(o.created_total, 3);
    // Resolutions: A Oct 5; B Oct 6, Oct 7 (21:00), Oct 9 (closed).
    assert_eq!(o.resolved, vec![1, 1, 1, 0, 1, 0, 0]);
    // Open at end of day: Oct 5 B; Oct 6 none; Oct 7 D; Oct 8 B, D; then D.
    assert_eq!(o.backlog, vec![1, 0, 1, 2, 1, 1, 1]);
    // First resolved in the period: A 2 h (P1), B 24 h (P2); C is left out.
    // Median of 2 and 24 = 13; p90 = 2 + 0.9 × 22 = 21.8.
    let all = o.time_to_resolve.last().unwrap();
    assert_eq!(all.count, 2);
    assert!(close(all.median_hours, 13.0) && close(all.p90_hours, 21.8), "{all:?}");
    // B reopened (twice, one ticket) of A, B resolved or reopened: 1/2.
    assert_eq!((o.reopen.reopened_tickets, o.reopen.resolved_or_reopened_tickets), (1, 2));
    assert!(close(o.reopen.rate, 0.5));
    assert_eq!(r.filter.describe(), "Usability");
}

#[test]
fn priority_and_source_filters_match_hand_counts_and_combine() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    // P1: A (resolved on Oct 5) and E (Immediate, open from Oct 10).
    let p1 = report(&store, &filter(&[], &[Priority::P1], &[]));
    assert_eq!(p1.operations.created, vec![1, 0, 0, 0, 0, 1, 0]);
    assert_eq!(p1.operations.backlog, vec![0, 0, 0, 0, 0, 1, 1]);
    let ex = p1.exit_criteria.iter().find(|c| c.id == "no_open_p1").unwrap();
    assert_eq!(ex.value, Some(1.0), "E is the open P1");
    // crm: D (Oct 7, open) and E (Oct 10, open).
    let crm = report(&store, &filter(&["crm"], &[], &[]));
    assert_eq!(crm.operations.created, vec![0, 0, 1, 0, 0, 1, 0]);
    assert_eq!(crm.operations.backlog, vec![0, 0, 1, 1, 1, 2, 2]);
    assert_eq!(crm.operations.resolved_total, 0);
    // Fields combine: crm AND usability = D only; P1 OR P2 = A, B, E.
    let both = report(&store, &filter(&["crm"], &[], &[Category::Usability]));
    assert_eq!(both.operations.created, vec![0, 0, 1, 0, 0, 0, 0]);
    let either = report(&store, &filter(&[], &[Priority::P1, Priority::P2], &[]));
    assert_eq!(either.operations.created_total, 3);
    // The unfiltered report still counts all five (C's creation is before the period).
    let none = report(&store, &KpiFilter::default());
    assert_eq!(none.operations.created_total, 4);
    assert_eq!(none.operations.backlog, vec![2, 0, 1, 2, 1, 2, 2]);
}

#[test]
fn an_unknown_source_in_the_filter_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let e = compute_with(&store, &period(), &KpiSettings::default(), &filter(&["nope"], &[], &[]), t(NOW)).unwrap_err();
    assert_eq!(e.code(), hypercare::ErrorCode::InvalidInput);
    assert!(e.to_string().contains("\"nope\""), "{e}");
}

/// One ticket chart point: (chart, bucket, series, value, tickets counted,
/// keys of the tickets its query lists).
type Drilled = (String, String, String, Option<f64>, u32, BTreeSet<String>);

/// Every ticket point of the ticket charts, with the tickets its query lists.
fn drill_all(store: &Store, r: &KpiReport) -> Vec<Drilled> {
    let mut out = Vec::new();
    for kind in [ChartKind::IncidentTrend, ChartKind::Backlog, ChartKind::TimeToResolve, ChartKind::Reopen] {
        let (_, pts) = render_svg_with_points(kind, r, (900, 540), ChartTheme::Light).unwrap();
        for b in &pts.buckets {
            for p in &b.points {
                let Some(n) = p.tickets else { continue };
                let keys: BTreeSet<String> = match &p.query {
                    None => BTreeSet::new(),
                    Some(sel) => {
                        let q = TicketQuery { kpi: Some(sel.clone()), limit: Some(10_000), ..Default::default() };
                        store.tickets(&q).unwrap().into_iter().map(|t| t.key).collect()
                    }
                };
                out.push((pts.chart.clone(), b.label.clone(), p.series.clone(), p.value, n, keys));
            }
        }
    }
    out
}

fn keys(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|k| format!("T-{k}")).collect()
}

#[test]
fn a_chart_point_opens_exactly_the_tickets_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let r = report(&store, &filter(&[], &[], &[Category::Usability]));
    let points = drill_all(&store, &r);
    let find = |chart: &str, label: &str, series: &str| {
        points.iter().find(|p| p.0 == chart && p.1 == label && p.2 == series).cloned().unwrap_or_else(|| panic!("{chart} {label} {series}"))
    };
    // Backlog at the end of Oct 8: B (reopened) and D — with the filter on.
    let b = find("backlog_burndown", "Oct 08", "All open");
    assert_eq!((b.3, b.4, &b.5), (Some(2.0), 2, &keys(&["B", "D"])));
    assert_eq!(find("backlog_burndown", "Oct 08", "P4").5, keys(&["D"]));
    // Volume on Oct 5 by priority: A is P1, B is P2.
    assert_eq!(find("incident_trend", "Oct 05", "P1").5, keys(&["A"]));
    assert_eq!(find("incident_trend", "Oct 05", "P2").5, keys(&["B"]));
    // Time to resolve: the P2 bar stands for B (24 h).
    let ttr = find("time_to_resolve", "P2", "Median");
    assert_eq!((ttr.3, ttr.4, &ttr.5), (Some(24.0), 1, &keys(&["B"])));
    // Reopen in the week: B reopened, of A and B.
    let week = points.iter().find(|p| p.0 == "reopen_first_time_fix" && p.2 == "Reopen rate").unwrap();
    assert_eq!((week.3, week.4, &week.5), (Some(0.5), 1, &keys(&["B"])));
    let denom = points.iter().find(|p| p.0 == "reopen_first_time_fix" && p.2 == "Resolved or reopened").unwrap();
    assert_eq!(denom.5, keys(&["A", "B"]));
    // And in general: every point lists as many tickets as it counts, and a
    // count point's value is that number.
    for (chart, label, series, value, n, listed) in &points {
        assert_eq!(listed.len() as u32, *n, "{chart} {label} {series}");
        if !series.contains("average") && !matches!(series.as_str(), "Median" | "90th percentile" | "Reopen rate") {
            assert_eq!(*value, Some(*n as f64), "{chart} {label} {series}");
        }
    }
}

/// 3,000 synthetic tickets over six weeks in Europe/Berlin (the daylight-saving
/// change of Oct 25 inside), filtered and not: every point's list has its count.
#[test]
fn drill_down_counts_hold_on_a_synthetic_hypercare_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    bulk_synthetic(&store, src, 3_000, day(2026, 9, 28), 42);
    let p = Period::new(day(2026, 9, 28), day(2026, 11, 8), "Europe/Berlin".parse().unwrap()).unwrap();
    for f in [KpiFilter::default(), filter(&[], &[Priority::P2, Priority::P3], &[Category::Performance])] {
        let r = compute_with(&store, &p, &KpiSettings::default(), &f, t(NOW)).unwrap();
        let points = drill_all(&store, &r);
        assert!(points.len() > 250, "{} points", points.len());
        let mut mismatched = Vec::new();
        for (chart, label, series, _, n, listed) in &points {
            if listed.len() as u32 != *n {
                mismatched.push(format!("{chart} {label} {series}: {n} counted, {} listed", listed.len()));
            }
        }
        assert!(mismatched.is_empty(), "filter {:?}: {mismatched:#?}", f.describe());
        // The list is also what the chart's series says, day by day.
        let backlog: Vec<u32> =
            points.iter().filter(|p| p.0 == "backlog_burndown" && p.2 == "All open").map(|p| p.4).collect();
        assert_eq!(backlog, r.operations.backlog);
    }
}

#[test]
fn points_sit_inside_the_plot_and_non_ticket_charts_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    let r = report(&store, &filter(&[], &[Priority::P1], &[]));
    let (svg, pts): (String, ChartPoints) = render_svg_with_points(ChartKind::Backlog, &r, (900, 540), ChartTheme::Light).unwrap();
    assert!(svg.contains("P1"), "the title names the filter");
    let plot = pts.plot.expect("the backlog has axes");
    assert!(0.0 < plot.left && plot.left < plot.right && plot.right <= 900.0 && plot.top < plot.bottom && plot.bottom <= 540.0);
    assert_eq!(pts.buckets.len(), 7, "one bucket per day");
    let series: Vec<&str> = pts.buckets[0].points.iter().map(|p| p.series.as_str()).collect();
    assert_eq!(series, ["P1", "All open"], "priorities the filter leaves out are not drawn at zero");
    for w in pts.buckets.windows(2) {
        assert!((w[0].x1 - w[1].x0).abs() < 1e-9 && w[0].x0 < w[0].x1, "buckets tile the plot");
    }
    assert!((pts.buckets[0].x0 - plot.left).abs() < 1e-9 && (pts.buckets[6].x1 - plot.right).abs() < 1e-9);
    assert!(pts.filter_applies);
    let (_, adoption) = render_svg_with_points(ChartKind::Adoption, &r, (900, 540), ChartTheme::Light).unwrap();
    assert!(!adoption.filter_applies && adoption.filter_note.as_deref().is_some_and(|n| n.contains("not")));
    let (_, exit) = render_svg_with_points(ChartKind::ExitCriteria, &r, (900, 540), ChartTheme::Light).unwrap();
    assert!(exit.plot.is_none() && exit.buckets.is_empty());
}

#[test]
fn validation_kpis_follow_the_filter_through_the_validated_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture(dir.path());
    // First verdicts in the period: A passed (Oct 6), B failed (Oct 6; passed
    // on Oct 10), C passed (Oct 7).
    store
        .with_tx(|tx| {
            let mut ins = tx.prepare(
                "INSERT INTO validations (uuid, ticket_id, round, outcome, validator, recorded_at,
                    seen_remote_version, seen_updated_at, seen_status)
                 SELECT ?1, id, ?2, ?3, 'bpo', ?4, '1', 0, 'resolved' FROM tickets WHERE remote_id = ?5",
            )?;
            for (uuid, round, outcome, at, ticket) in [
                ("v1", 1, "passed", "2026-10-06T12:00:00Z", "A"),
                ("v2", 1, "failed", "2026-10-06T13:00:00Z", "B"),
                ("v3", 2, "passed", "2026-10-10T09:00:00Z", "B"),
                ("v4", 1, "passed", "2026-10-07T15:00:00Z", "C"),
            ] {
                ins.execute(rusqlite::params![uuid, round, outcome, t(at).timestamp(), ticket])?;
            }
            Ok(())
        })
        .unwrap();
    let ftf = |r: &KpiReport| r.validation.as_ref().and_then(|v| v.first_time_fix_rate);
    assert!(close(ftf(&report(&store, &KpiFilter::default())), 2.0 / 3.0), "A and C of A, B, C");
    assert!(close(ftf(&report(&store, &filter(&[], &[], &[Category::Usability]))), 0.5), "A of A, B");
    assert!(close(ftf(&report(&store, &filter(&[], &[Priority::P3], &[]))), 1.0), "C alone");
    assert_eq!(ftf(&report(&store, &filter(&["crm"], &[], &[]))), None, "nothing validated in crm");
}
