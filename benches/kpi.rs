//! KPI benchmark: every KPI and every chart for 100,000 tickets, 50,000
//! survey answers and 200,000 usage rows (+ 20,000 gateway calls), against
//! baselines measured in the same run. `cargo bench --bench kpi`.

#[path = "../tests/support/kpi_fixtures.rs"]
mod fixtures;

use std::time::{Duration, Instant};

use fixtures::*;
use hypercare::charts::{render_png, render_svg, ChartKind};
use hypercare::kpi::{compute, compute_with, KpiFilter, Period, Priority};
use hypercare::model::{Category, TicketQuery};
use rusqlite::params;

const TICKETS: usize = 100_000;
const SURVEYS: usize = 50_000;
const USAGE: usize = 200_000;
const GATEWAY: usize = 20_000;
const DAYS: i64 = 42;
const RUNS: usize = if cfg!(debug_assertions) { 1 } else { 9 };

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> Duration {
    f(); // warm-up
    median((0..RUNS).map(|_| {
        let t = Instant::now();
        std::hint::black_box(f());
        t.elapsed()
    }).collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    let setup = Instant::now();
    let start = day(2026, 9, 28);
    bulk_synthetic(&store, src, TICKETS, start, DAYS);
    let t0 = start.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    store
        .with_tx(|tx| {
            let mut s = tx.prepare("INSERT INTO survey_responses (source_file, line, respondent, submission, answered_at, scale, score, imported_at) VALUES ('bench', ?1, ?2, ?2, ?3, ?4, ?5, 0)")?;
            for i in 0..SURVEYS as i64 {
                let scale = if i % 3 == 0 { "nps_0_10" } else { "csat_1_5" };
                let score = if i % 3 == 0 { i % 11 } else { 1 + i % 5 };
                s.execute(params![i, format!("user{}", i % 3000), t0 + (i * 7919) % (DAYS * 86400), scale, score])?;
            }
            for u in 1..=2500 {
                tx.execute("INSERT INTO usage_users (id, name) VALUES (?1, ?2)", params![u, format!("user{u}")])?;
            }
            for f in 1..=25 {
                tx.execute("INSERT INTO usage_features (id, name) VALUES (?1, ?2)", params![f, format!("feature{f}")])?;
            }
            let mut u = tx.prepare("INSERT INTO usage_events (source_file, at, user_id, feature_id, outcome) VALUES ('bench', ?1, ?2, ?3, ?4)")?;
            for i in 0..USAGE as i64 {
                u.execute(params![t0 + (i * 104_729) % (DAYS * 86400), 1 + i % 2500, 1 + i % 25, (i % 17 != 0) as i64])?;
            }
            let mut g = tx.prepare("INSERT INTO gateway_calls (source_file, at, consumer, path, status, latency_ms) VALUES ('bench', ?1, 'web', ?2, ?3, ?4)")?;
            for i in 0..GATEWAY as i64 {
                g.execute(params![t0 + (i * 7_727) % (DAYS * 86400), format!("/api/p{}", i % 12), if i % 50 == 0 { 503 } else { 200 }, (i % 997) as f64])?;
            }
            Ok(())
        })
        .unwrap();
    store.set_kpi_setting("licensed_users", "3000").unwrap();
    store.set_kpi_setting("timezone", "Europe/Berlin").unwrap();
    eprintln!("setup: {TICKETS} tickets, {SURVEYS} survey answers, {USAGE} usage rows, {GATEWAY} gateway calls in {:.1} s", setup.elapsed().as_secs_f64());

    let settings = store.kpi_settings().unwrap();
    let period = Period::new(start, start + chrono::Duration::days(DAYS - 1), settings.timezone.parse().unwrap()).unwrap();
    let now = t("2026-11-27T12:00:00Z");

    let count = time(|| store.read(|c| Ok(c.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0))?)).unwrap());
    let scan = time(|| {
        store
            .read(|c| {
                let mut st = c.prepare_cached("SELECT created_at, priority, status_class FROM tickets")?;
                let mut rows = st.query([])?;
                let mut n = 0i64;
                while let Some(r) = rows.next()? {
                    n += r.get::<_, i64>(0)? & 1;
                }
                Ok(n)
            })
            .unwrap()
    });
    let (lead_start, start_ts, end_ts) = (
        hypercare::kpi::period::local_midnight(period.tz, period.from - chrono::Duration::days(6)),
        period.start_ts(),
        period.end_ts(),
    );
    use hypercare::kpi::data;
    let parts: Vec<(&str, Duration)> = store
        .read(|c| {
            Ok(vec![
                ("  part: load tickets (+ first response, triage)", time(|| data::load_tickets(c, lead_start, end_ts).unwrap().len())),
                ("  part: load status changes", time(|| data::load_status_changes(c, end_ts).unwrap().len())),
                ("  part: load usage events", time(|| data::load_usage(c, start_ts, end_ts).unwrap().0.len())),
                ("  part: load survey answers", time(|| data::load_surveys(c, start_ts, end_ts, &mut Default::default()).unwrap().len())),
                ("  part: load gateway calls", time(|| data::load_gateway(c, start_ts, end_ts, &mut Default::default()).unwrap().len())),
                ("  part: validation KPIs (queue, validations)", time(|| hypercare::kpi::validation::validation_kpis(c, &period, None, now.timestamp()).unwrap())),
            ])
        })
        .unwrap();
    let (tickets, changes, usage, features, gateway) = store
        .read(|c| {
            let (u, f) = data::load_usage(c, start_ts, end_ts)?;
            let g = data::load_gateway(c, start_ts, end_ts, &mut Default::default())?;
            Ok((data::load_tickets(c, lead_start, end_ts)?, data::load_status_changes(c, end_ts)?, u, f, g))
        })
        .unwrap();
    let lc = hypercare::kpi::lifecycle::reconstruct(&tickets, &changes, now.timestamp());
    let grid = hypercare::kpi::period::DayGrid::new(period.from, period.to, period.tz);
    let paths = hypercare::kpi::data::Interner::default();
    let compute_parts: Vec<(&str, Duration)> = vec![
        ("  part: rebuild lifecycles", time(|| hypercare::kpi::lifecycle::reconstruct(&tickets, &changes, now.timestamp()).resolutions.len())),
        ("  part: operations KPIs", time(|| hypercare::kpi::operations::operations(&tickets, &lc, &period, &settings, now.timestamp()).created_total)),
        ("  part: adoption KPIs", time(|| hypercare::kpi::adoption::adoption(&usage, &features, &gateway, &paths, &grid, Some(3000)).events)),
    ];
    let parts: Vec<(&str, Duration)> = parts.into_iter().chain(compute_parts).collect();
    let kpis_one = time(|| store.read(|c| hypercare::kpi::compute_on(c, &period, &settings, now)).unwrap());
    let kpis = time(|| compute(&store, &period, &settings, now).unwrap());
    let report = compute(&store, &period, &settings, now).unwrap();
    assert_eq!(report.operations.created_total as usize, TICKETS, "every ticket falls in the period");
    let svg = time(|| ChartKind::ALL.iter().map(|k| render_svg(*k, &report, (1000, 600)).unwrap().len()).sum::<usize>());
    let png = time(|| ChartKind::ALL.iter().map(|k| render_png(*k, &report, (1000, 600)).unwrap().len()).sum::<usize>());
    let total = kpis + svg;
    // The dashboard's filter (P1 or P2, usability) and a drill-down: the
    // tickets behind the backlog's last point.
    let filter = KpiFilter { priorities: vec![Priority::P1, Priority::P2], categories: vec![Category::Usability], ..Default::default() };
    let kpis_filtered = time(|| compute_with(&store, &period, &settings, &filter, now).unwrap());
    let (_, points) = hypercare::charts::render_svg_with_points(ChartKind::Backlog, &report, (900, 540), hypercare::charts::ChartTheme::Light).unwrap();
    let last = points.buckets.last().and_then(|b| b.points.last()).cloned().unwrap();
    let q = TicketQuery { kpi: last.query.clone(), limit: Some(200), ..Default::default() };
    let drill = time(|| store.tickets(&q).unwrap().len());
    let behind = store.read(|c| hypercare::kpi::drill::ticket_ids(c, last.query.as_ref().unwrap())).unwrap();
    assert_eq!(behind.len() as u32, last.tickets.unwrap(), "the point's tickets are the ones it counts");

    println!("\nKPI benchmark ({TICKETS} tickets, {SURVEYS} survey answers, {USAGE} usage rows, {GATEWAY} gateway calls; median of {RUNS})");
    println!("{:<52} {:>10} {:>12}", "measure", "ms", "× scan");
    let base = ms(scan);
    for (name, d) in parts.into_iter().chain([
        ("all KPIs on one connection", kpis_one),
        ("baseline: SELECT count(*) FROM tickets", count),
        ("baseline: scan 3 columns of all tickets", scan),
        ("all KPIs (load + compute)", kpis),
        ("all 7 charts as SVG (app)", svg),
        ("all 7 charts as PNG 1000×600 (export)", png),
        ("TOTAL: all KPIs + all charts (SVG)", total),
        ("TOTAL: all KPIs + all charts (PNG)", kpis + png),
        ("all KPIs, filtered (P1 or P2; usability)", kpis_filtered),
        ("drill-down: first 200 tickets behind a backlog point", drill),
    ]) {
        println!("{name:<52} {:>10.1} {:>12.1}", ms(d), ms(d) / base);
    }
    println!("target ≤ 200 ms for all KPIs + all charts: {}", if ms(total) <= 200.0 { "met" } else { "NOT met" });
    println!("all KPIs vs plain 3-column ticket scan: {:.1}×", ms(kpis) / ms(scan));
}
