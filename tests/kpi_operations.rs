//! Operations KPIs against values computed by hand (arithmetic in the
//! comments), on real SQLite stores.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::kpi::{compute, KpiReport, KpiSettings, Period};
use hypercare::model::StatusClass::{Closed, Open, Resolved};

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

fn report(store: &hypercare::Store, from: chrono::NaiveDate, to: chrono::NaiveDate, tz: &str) -> KpiReport {
    let period = Period::new(from, to, tz.parse().unwrap()).unwrap();
    compute(store, &period, &KpiSettings::default(), t("2026-11-27T12:00:00Z")).unwrap()
}

/// Period Mon 2026-10-05 .. Sun 2026-10-11 (UTC). Default SLA targets:
/// P1 4 h, P2 24 h, P3 72 h, P4 120 h.
fn week_fixture(store: &hypercare::Store, src: i64) {
    insert(
        store,
        src,
        &[
            // A: P1, acknowledged by an agent after 0.5 h, resolved after 2 h.
            Tk::new("A", "P1", "2026-10-05T08:00:00Z")
                .comment("2026-10-05T08:30:00Z", "agent")
                .change("2026-10-05T10:00:00Z", Open, Resolved),
            // B: P2, reopened twice. The reporter's own comment is no
            // acknowledgement; the first status change (24 h) is.
            Tk::new("B", "High", "2026-10-05T09:00:00Z")
                .comment("2026-10-05T09:10:00Z", "reporter")
                .change("2026-10-06T09:00:00Z", Open, Resolved)
                .change("2026-10-07T09:00:00Z", Resolved, Open)
                .change("2026-10-07T21:00:00Z", Open, Resolved)
                .change("2026-10-08T09:00:00Z", Resolved, Open)
                .change("2026-10-09T09:00:00Z", Open, Closed),
            // C: P3, created in the week before, resolved in this one (120 h).
            Tk::new("C", "P3", "2026-10-01T12:00:00Z")
                .comment("2026-10-01T13:00:00Z", "agent")
                .change("2026-10-06T12:00:00Z", Open, Resolved),
            // D: P4, still open (110 h old at the period's end, target 120 h).
            Tk::new("D", "Low", "2026-10-07T10:00:00Z"),
            // E: P1, still open at the end (18 h old, target 4 h: breached).
            Tk::new("E", "Immediate", "2026-10-10T06:00:00Z"),
            // F: long resolved before the period; G: created after it.
            Tk::new("F", "P2", "2026-09-20T10:00:00Z").change("2026-09-21T10:00:00Z", Open, Resolved),
            Tk::new("G", "P3", "2026-10-12T01:00:00Z"),
        ],
    );
}

#[test]
fn volume_moving_average_flow_and_backlog_match_hand_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    week_fixture(&store, src);
    let r = report(&store, day(2026, 10, 5), day(2026, 10, 11), "UTC");
    let o = &r.operations;
    assert_eq!(o.days.len(), 7, "every day is present, empty days too");
    // Created: Oct 5 A+B, Oct 7 D, Oct 10 E; G is after the period.
    assert_eq!(o.created, vec![2, 0, 1, 0, 0, 1, 0]);
    assert_eq!(o.created_total, 4);
    assert_eq!(o.created_by_priority[0], [1, 1, 0, 0, 0], "Oct 5: A is P1, B (High) is P2");
    assert_eq!(o.created_by_priority[2], [0, 0, 0, 1, 0], "Oct 7: D (Low) is P4");
    // 7-day average: C (Oct 1) lies in the lead days.
    // Oct 5: Sep 29..Oct 5 = 1 + 2 = 3 → 3/7; Oct 7: Oct 1..7 = 1+2+1 = 4 → 4/7;
    // Oct 8: Oct 2..8 = 2+1 = 3/7; Oct 11: Oct 5..11 = 2+1+1 = 4/7.
    let ma: Vec<f64> = [3., 3., 4., 3., 3., 4., 4.].iter().map(|x| x / 7.0).collect();
    for (got, want) in o.created_ma7.iter().zip(&ma) {
        assert!((got - want).abs() < 1e-9, "{:?} vs {ma:?}", o.created_ma7);
    }
    // Resolutions: Oct 5 A; Oct 6 B, C; Oct 7 B (21:00); Oct 9 B (closed).
    assert_eq!(o.resolved, vec![1, 2, 1, 0, 1, 0, 0]);
    assert_eq!(o.reopened, vec![0, 0, 1, 1, 0, 0, 0]);
    // Net flow = created − resolved per day.
    assert_eq!(o.net_flow, vec![1, -2, 0, 0, -1, 1, 0]);
    // Open at end of day: Oct 5 B, C; Oct 6 none; Oct 7 D; Oct 8 B (reopened), D;
    // Oct 9 D; Oct 10 D, E; Oct 11 D, E.
    assert_eq!(o.backlog, vec![2, 0, 1, 2, 1, 2, 2]);
    assert_eq!(o.backlog_by_priority[6], [1, 0, 0, 1, 0], "E is P1, D is P4");
    assert_eq!(o.weeks.len(), 1);
    assert_eq!(o.weeks[0].created_by_priority, [2, 1, 0, 1, 0]);
}

#[test]
fn response_and_resolution_times_reopen_and_sla_match_hand_values() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    week_fixture(&store, src);
    let r = report(&store, day(2026, 10, 5), day(2026, 10, 11), "UTC");
    // The parallel loader and the one-connection path agree.
    let single = store
        .read(|c| hypercare::kpi::compute_on(c, &r.period, &KpiSettings::default(), t("2026-11-27T12:00:00Z")))
        .unwrap();
    assert_eq!(single, r);
    let o = &r.operations;
    let all = |v: &[hypercare::kpi::operations::DurationStats]| v.last().unwrap().clone();
    // Acknowledged in the period: A 0.5 h, B 24 h (C was acknowledged on Oct 1).
    // Median (0.5 + 24) / 2 = 12.25; p90 = 0.5 + 0.9 × 23.5 = 21.65.
    let tta = all(&o.time_to_acknowledge);
    assert_eq!(tta.count, 2);
    assert!(close(tta.median_hours, 12.25) && close(tta.p90_hours, 21.65), "{tta:?}");
    // First resolved in the period: A 2 h, B 24 h, C 120 h (created in another period).
    // Median 24; p90: rank 0.9 × 2 = 1.8 → 24 + 0.8 × 96 = 100.8.
    let ttr = all(&o.time_to_resolve);
    assert_eq!(ttr.count, 3);
    assert!(close(ttr.median_hours, 24.0) && close(ttr.p90_hours, 100.8), "{ttr:?}");
    assert!(close(o.time_to_resolve[2].median_hours, 120.0), "C is the only P3");
    // Reopen: B reopened twice (2 events, 1 ticket); resolved or reopened: A, B, C → 1/3.
    assert_eq!((o.reopen.reopen_events, o.reopen.reopened_tickets, o.reopen.resolved_or_reopened_tickets), (2, 1, 3));
    assert!(close(o.reopen.rate, 1.0 / 3.0));
    // SLA: A 2 h ≤ 4 ok; E open 18 h > 4 breached → P1 1/2. B exactly 24 h is
    // within 24 h. C 120 h > 72 breached. D (110 h < 120 h, open) not counted.
    let p = |name: &str| o.sla.iter().find(|s| s.priority == name).unwrap().clone();
    assert_eq!((p("P1").measured, p("P1").breached), (2, 1));
    assert_eq!((p("P2").measured, p("P2").breached), (1, 0));
    assert_eq!((p("P3").measured, p("P3").breached), (1, 1));
    assert_eq!((p("P4").measured, p("P4").breach_rate), (0, None));
    assert!(close(p("All").breach_rate, 0.5), "2 of 4");
    // Exit: P1/P2 within SLA = 1 − 1/3; one P1 open; backlog 2 → 2 is not down.
    let ex = |id: &str| r.exit_criteria.iter().find(|c| c.id == id).unwrap().clone();
    assert!(close(ex("p1_p2_within_sla").value, 2.0 / 3.0) && ex("p1_p2_within_sla").passed == Some(false));
    assert_eq!((ex("no_open_p1").value, ex("no_open_p1").passed), (Some(1.0), Some(false)));
    assert_eq!((ex("backlog_trend_down").value, ex("backlog_trend_down").passed), (Some(0.0), Some(false)));
    assert_eq!(ex("csat").passed, None, "no surveys: no verdict");
    assert_eq!(r.exit_passed, Some(false));
}

#[test]
fn a_period_with_no_data_is_all_zero_days_and_no_rates() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    week_fixture(&store, src);
    // A week in 2027: nothing happened, but D, E and G are still open.
    let r = report(&store, day(2027, 1, 4), day(2027, 1, 10), "UTC");
    let o = &r.operations;
    assert_eq!(o.created, vec![0; 7]);
    assert_eq!(o.resolved, vec![0; 7]);
    assert_eq!(o.backlog, vec![3; 7], "D, E and G stay open");
    assert_eq!(o.time_to_resolve.last().unwrap().median_hours, None);
    assert_eq!(o.reopen.rate, None);
    // An empty store: zeros everywhere, no verdicts that need data.
    let dir2 = tempfile::tempdir().unwrap();
    let (empty, _) = store_with_source(dir2.path());
    let r = report(&empty, day(2026, 10, 5), day(2026, 10, 11), "UTC");
    assert_eq!(r.operations.backlog, vec![0; 7]);
    assert_eq!(r.adoption.dau, vec![0; 7]);
    assert_eq!(r.satisfaction.csat.csat, None);
    let ex = |id: &str| r.exit_criteria.iter().find(|c| c.id == id).unwrap().passed;
    assert_eq!((ex("no_open_p1"), ex("backlog_trend_down"), ex("p1_p2_within_sla")), (Some(true), Some(true), None));
}

#[test]
fn days_follow_the_workspace_zone_across_the_autumn_dst_change() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    insert(
        &store,
        src,
        &[
            // 00:30 EDT (04:30Z) → 23:30 EST (04:30Z next day): 23 h on the
            // clock, 24 h elapsed, all on local Sunday Nov 1 (a 25-hour day).
            Tk::new("H", "P2", "2026-11-01T04:30:00Z").change("2026-11-02T04:30:00Z", Open, Resolved),
            // 23:30 EST on Nov 1 = 04:30Z on Nov 2: still local Nov 1.
            Tk::new("I", "P3", "2026-11-02T04:30:00Z"),
        ],
    );
    let r = report(&store, day(2026, 10, 31), day(2026, 11, 2), "America/New_York");
    let o = &r.operations;
    assert_eq!(o.created, vec![0, 2, 0], "both on local Nov 1");
    assert_eq!(o.resolved, vec![0, 1, 0]);
    assert_eq!(o.backlog, vec![0, 1, 1], "only I is open at the end of Nov 1");
    assert!(close(o.time_to_resolve[1].median_hours, 24.0), "elapsed hours, not clock hours");
    // In UTC the same tickets fall on Nov 1 and Nov 2.
    let r = report(&store, day(2026, 10, 31), day(2026, 11, 2), "UTC");
    assert_eq!(r.operations.created, vec![0, 1, 1]);
}

#[test]
fn spring_forward_day_is_23_hours_and_keeps_its_tickets() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    insert(
        &store,
        src,
        &[
            // 01:30 EST (06:30Z) → 03:30 EDT (07:30Z): 2 h on the clock, 1 h elapsed.
            Tk::new("J", "P1", "2026-03-08T06:30:00Z").change("2026-03-08T07:30:00Z", Open, Resolved),
            // 23:30 EDT on Mar 8 = 03:30Z on Mar 9: still local Mar 8.
            Tk::new("K", "P4", "2026-03-09T03:30:00Z"),
        ],
    );
    let r = report(&store, day(2026, 3, 8), day(2026, 3, 9), "America/New_York");
    assert_eq!(r.operations.created, vec![2, 0]);
    assert!(close(r.operations.time_to_resolve[0].median_hours, 1.0));
    assert_eq!(r.operations.backlog, vec![1, 1]);
}

#[test]
fn first_response_follows_comments_replaced_by_a_resync() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    let period = (day(2026, 10, 5), day(2026, 10, 11));
    let tta = |store: &hypercare::Store| report(store, period.0, period.1, "UTC").operations.time_to_acknowledge[0].median_hours;
    insert(&store, src, &[Tk::new("A", "P1", "2026-10-05T08:00:00Z").comment("2026-10-05T09:00:00Z", "agent")]);
    assert!(close(tta(&store), 1.0));
    // The server now shows an earlier agent comment (and the reporter's own).
    let mut tk = Tk::new("A", "P1", "2026-10-05T08:00:00Z")
        .comment("2026-10-05T08:10:00Z", "reporter")
        .comment("2026-10-05T08:30:00Z", "agent2")
        .comment("2026-10-05T09:00:00Z", "agent");
    let mut rec = tk.record();
    rec.remote_version = "2".into();
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, src, &[rec])).unwrap();
    assert!(close(tta(&store), 0.5), "08:30 by agent2; the reporter's 08:10 does not count");
    // Only the reporter's comment remains: no acknowledgement at all.
    tk = Tk::new("A", "P1", "2026-10-05T08:00:00Z").comment("2026-10-05T08:10:00Z", "reporter");
    let mut rec = tk.record();
    rec.remote_version = "3".into();
    store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, src, &[rec])).unwrap();
    assert_eq!(tta(&store), None);
}
