//! Charts: the SVGs carry the expected series, axis labels, target lines
//! and empty states; the PNGs are real images of the requested size.
//! Set KPI_PREVIEW_DIR to keep the PNGs for a visual check.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::charts::{render_png, render_svg, ChartKind, NO_DATA};
use hypercare::kpi::{compute, KpiReport, Period};

fn report_for(store: &hypercare::Store, from: chrono::NaiveDate, to: chrono::NaiveDate) -> KpiReport {
    let settings = store.kpi_settings().unwrap();
    let period = Period::new(from, to, chrono_tz::Tz::UTC).unwrap();
    compute(store, &period, &settings, t("2026-11-27T12:00:00Z")).unwrap()
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    (w, h)
}

fn preview(name: &str, kind: ChartKind, png: &[u8]) {
    if let Some(dir) = std::env::var_os("KPI_PREVIEW_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}_{}.png", kind.stem())), png).unwrap();
    }
}

#[test]
fn charts_of_a_hypercare_show_series_axes_targets_and_legends() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    bulk_synthetic(&store, src, 3000, day(2026, 9, 28), 42);
    hypercare::import::demo::load_demo_feedback(&store, day(2026, 9, 28), 6).unwrap();
    let r = report_for(&store, day(2026, 9, 28), day(2026, 11, 8));

    let expect: &[(ChartKind, &[&str])] = &[
        (ChartKind::IncidentTrend, &["P1", "P2", "P3", "P4", "All priorities, 7-day average", "Tickets created per day", "Date (local days, UTC)", "Sep 28"]),
        (ChartKind::Backlog, &["All open", "Open tickets at end of day", "P1"]),
        (ChartKind::TimeToResolve, &["Median", "90th percentile", "SLA resolution target", "Hours, created → first resolved", "P1 (n=", "target 4.0 h)"]),
        (ChartKind::Reopen, &["Reopen rate", "% of tickets resolved or reopened that week", "wk Sep 28", "First-time fix appears once"]),
        (ChartKind::Satisfaction, &["CSAT, % answering 4–5 of 5", "NPS, % 9–10 minus % 0–6", "CSAT target (80 %)", "ISO week"]),
        (ChartKind::Adoption, &["Daily active users (DAU)", "Weekly active users", "Licensed users (400)", "Users"]),
        (ChartKind::ExitCriteria, &["Open P1 tickets", "P1/P2 within SLA", "Backlog change", "CSAT", "Measured", "Required"]),
    ];
    for (kind, needles) in expect {
        let svg = render_svg(*kind, &r, (1000, 600)).unwrap();
        assert!(svg.starts_with("<svg"), "{kind:?}");
        assert!(!svg.contains(NO_DATA), "{kind:?} should have data");
        assert!(svg.contains(kind.title()), "{kind:?} title missing");
        assert!(svg.contains("2026-09-28 to 2026-11-08"), "{kind:?}: the title names the period");
        for n in *needles {
            let n = n.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            assert!(svg.contains(&n), "{kind:?}: {n:?} missing from the SVG");
        }
        let png = render_png(*kind, &r, (1000, 600)).unwrap();
        assert_eq!(png_size(&png), (1000, 600));
        assert!(png.len() > 10_000, "{kind:?}: a 1000×600 chart PNG is more than a blank page ({} bytes)", png.len());
        preview("demo", *kind, &png);
    }
    // The target lines are drawn dashed: many short path segments in red.
    let svg = render_svg(ChartKind::Satisfaction, &r, (1000, 600)).unwrap();
    assert!(svg.matches("#C00000").count() > 10, "dashed red target line");
}

#[test]
fn an_empty_period_shows_the_empty_state_not_an_empty_axis() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    let r = report_for(&store, day(2026, 9, 28), day(2026, 10, 4));
    for kind in ChartKind::ALL {
        let svg = render_svg(kind, &r, (1000, 600)).unwrap();
        if kind == ChartKind::ExitCriteria {
            assert!(svg.contains("NO DATA"), "exit criteria without data say so");
        } else {
            assert!(svg.contains(NO_DATA), "{kind:?} needs the empty state");
        }
        let png = render_png(kind, &r, (800, 480)).unwrap();
        assert_eq!(png_size(&png), (800, 480));
        preview("empty", kind, &png);
    }
}

#[test]
fn one_ticket_draws_whole_number_axes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    use hypercare::model::StatusClass::*;
    insert(&store, src, &[Tk::new("1", "P2", "2026-10-01T09:00:00Z").change("2026-10-01T15:00:00Z", Open, Resolved)]);
    let r = report_for(&store, day(2026, 9, 28), day(2026, 10, 4));
    let svg = render_svg(ChartKind::IncidentTrend, &r, (1000, 600)).unwrap();
    assert!(!svg.contains(NO_DATA));
    let tick = |s: &str| svg.contains(&format!(">\n{s}\n</text>"));
    assert!(tick("0") && tick("1") && tick("2"), "y ticks 0, 1, 2");
    assert!(!tick("0.5") && !tick("1.5"), "no fractional ticket counts");
    let svg = render_svg(ChartKind::TimeToResolve, &r, (1000, 600)).unwrap();
    assert!(svg.contains("6.0 h") && svg.contains("P2 (n=1, target 24.0 h)"), "one ticket resolved in 6 h");
    for kind in ChartKind::ALL {
        preview("one", kind, &render_png(kind, &r, (1000, 600)).unwrap());
    }
}

/// The fill of the SVG's first shape: the background of the whole chart.
fn background(svg: &str) -> &str {
    let rect = &svg[svg.find("<rect").expect("a background rect")..];
    let fill = &rect[rect.find("fill=\"").expect("a fill") + 6..];
    &fill[..fill.find('"').unwrap()]
}

#[test]
fn dark_charts_use_the_dark_palette_and_light_ones_stay_white() {
    use hypercare::charts::{render_svg_with_points, ChartTheme};
    let dir = tempfile::tempdir().unwrap();
    let (store, src) = store_with_source(dir.path());
    bulk_synthetic(&store, src, 400, day(2026, 9, 28), 42);
    hypercare::import::demo::load_demo_feedback(&store, day(2026, 9, 28), 6).unwrap();
    let r = report_for(&store, day(2026, 9, 28), day(2026, 11, 8));
    let empty = {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_with_source(dir.path());
        report_for(&store, day(2026, 9, 28), day(2026, 10, 4))
    };
    for r in [&r, &empty] {
        for kind in ChartKind::ALL {
            let (light, light_points) = render_svg_with_points(kind, r, (900, 540), ChartTheme::Light).unwrap();
            let (dark, dark_points) = render_svg_with_points(kind, r, (900, 540), ChartTheme::Dark).unwrap();
            // Light (the default, and the report's): white with dark text, as before.
            assert_eq!(light, render_svg(kind, r, (900, 540)).unwrap(), "{kind:?}: light is the default");
            assert_eq!(background(&light), "#FFFFFF", "{kind:?}");
            assert!(light.contains("fill=\"#212121\"") && !light.contains("#1A1D28"), "{kind:?}: dark ink on white");
            // Dark: the app's dark surface, light text, nothing white left.
            assert_eq!(background(&dark), "#1A1D28", "{kind:?}");
            assert!(dark.contains("fill=\"#E7E9F1\""), "{kind:?}: light text");
            assert!(!dark.contains("#FFFFFF") && !dark.contains("#212121"), "{kind:?}: no white box, no dark text on dark");
            // Only the colours differ: the same texts and points.
            assert_eq!(light_points, dark_points, "{kind:?}");
            assert_eq!(light.matches("<text").count(), dark.matches("<text").count(), "{kind:?}");
        }
    }
    let (dark, _) = render_svg_with_points(ChartKind::Satisfaction, &r, (900, 540), ChartTheme::Dark).unwrap();
    assert!(dark.matches("#F87171").count() > 10 && !dark.contains("#C00000"), "the dashed target line is the dark palette's red");
}
