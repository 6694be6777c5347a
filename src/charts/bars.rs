//! Bar charts: time to resolve by priority, weekly reopen rate.

use plotters::coord::Shift;
use plotters::element::IntoDynElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::lines::{frame, legend, title, Axes, YFmt};
use super::style::{draw_series, nice_ceil, Look, Marker, Palette};
use super::points::{plot_area, PlotArea};
use super::{empty_state, perr, ChartKind};
use crate::kpi::KpiReport;
use crate::Result;

fn above(pal: &Palette) -> TextStyle<'static> {
    ("sans-serif", 13).into_font().color(&pal.ink).pos(Pos::new(HPos::Center, VPos::Bottom))
}

fn bar_legend<'b, DB: DrawingBackend + 'b>(x: i32, y: i32, fill: RGBColor, ink: RGBColor) -> impl IntoDynElement<'b, DB, (i32, i32)> + 'b {
    EmptyElement::at((x, y)) + Rectangle::new([(0, -7), (18, 7)], fill.filled()) + Rectangle::new([(0, -7), (18, 7)], ink.stroke_width(1))
}

fn hours_label(h: f64) -> String {
    if h >= 100.0 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

/// The priorities the time-to-resolve chart shows, with their index in
/// `Priority::ALL`: those with tickets, and P1..P4 also at zero unless the
/// filter leaves them out.
pub(crate) fn ttr_shown(r: &KpiReport) -> Vec<(usize, &crate::kpi::operations::DurationStats)> {
    r.operations
        .time_to_resolve
        .iter()
        .enumerate()
        .filter(|(p, d)| d.priority != "All" && (d.count > 0 || super::lines::priority_expected(r, *p)))
        .collect()
}

/// Median and 90th percentile of time to resolve per priority, with the
/// SLA resolution target of each priority.
pub(crate) fn time_to_resolve<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::TimeToResolve;
    let shown: Vec<_> = ttr_shown(r).into_iter().map(|(_, d)| d).collect();
    if r.operations.time_to_resolve.iter().all(|d| d.count == 0) {
        return empty_state(root, &title(kind, r), "No ticket was resolved in this period.", pal).map(|()| None);
    }
    let max = shown
        .iter()
        .flat_map(|d| [d.p90_hours, d.median_hours, d.target_hours])
        .flatten()
        .fold(0.0f64, f64::max);
    let ax = Axes {
        title: title(kind, r),
        x_desc: "Priority".into(),
        y_desc: "Hours, created → first resolved".into(),
        labels: shown
            .iter()
            .map(|d| match d.target_hours {
                Some(t) => format!("{} (n={}, target {})", d.priority, d.count, hours_label(t)),
                None => format!("{} (n={})", d.priority, d.count),
            })
            .collect(),
        y_range: (0.0, nice_ceil(max * 1.2)),
        x_mesh: false,
        y_fmt: YFmt::Count,
    };
    let mut chart = frame(root, &ax, pal)?;
    let (ink, strong, soft) = (pal.ink, pal.bar_strong, pal.bar_soft);
    let bar = |i: usize, lo: f64, hi: f64, v: f64, fill: RGBColor| {
        let x = i as f64;
        [Rectangle::new([(x + lo, 0.0), (x + hi, v)], fill.filled()), Rectangle::new([(x + lo, 0.0), (x + hi, v)], ink.stroke_width(1))]
    };
    let med: Vec<_> = shown.iter().enumerate().filter_map(|(i, d)| d.median_hours.map(|v| bar(i, -0.36, -0.02, v, strong))).flatten().collect();
    chart.draw_series(med).map_err(perr)?.label("Median").legend(move |(x, y)| bar_legend::<DB>(x, y, strong, ink));
    let p90: Vec<_> = shown.iter().enumerate().filter_map(|(i, d)| d.p90_hours.map(|v| bar(i, 0.02, 0.36, v, soft))).flatten().collect();
    chart.draw_series(p90).map_err(perr)?.label("90th percentile").legend(move |(x, y)| bar_legend::<DB>(x, y, soft, ink));
    let values = shown.iter().enumerate().flat_map(|(i, d)| {
        [(i as f64 - 0.19, d.median_hours), (i as f64 + 0.19, d.p90_hours)]
            .into_iter()
            .filter_map(|(x, v)| v.map(|v| Text::new(hours_label(v), (x, v), above(pal))))
    });
    chart.draw_series(values).map_err(perr)?;
    let mut first = true;
    for (i, d) in shown.iter().enumerate() {
        if let Some(t) = d.target_hours {
            let pts = [(i as f64 - 0.45, Some(t)), (i as f64 + 0.45, Some(t))];
            let name = if first { "SLA resolution target" } else { "" };
            if first {
                draw_series(&mut chart, name, &pts, pal.target, false)?;
                first = false;
            } else {
                let look = pal.target;
                chart
                    .draw_series(DashedLineSeries::new(pts.iter().map(|(x, y)| (*x, y.unwrap_or(t))), 10, 6, look.color.stroke_width(look.width)))
                    .map_err(perr)?;
            }
        }
    }
    let area = plot_area(&chart);
    legend(&mut chart, pal)?;
    Ok(Some(area))
}

/// Weekly reopen rate (bars) and, once fix validation records it, the
/// first-time-fix rate (line).
pub(crate) fn reopen<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::Reopen;
    let weeks = &r.operations.weeks;
    let ftf = r.validation.as_ref().map(|v| &v.weekly_first_time_fix).filter(|w| !w.is_empty());
    if weeks.iter().all(|w| w.resolved_or_reopened_tickets == 0) && ftf.is_none() {
        return empty_state(root, &title(kind, r), "No ticket was resolved or reopened in this period.", pal).map(|()| None);
    }
    let max_rate = weeks.iter().filter_map(|w| w.reopen_rate).fold(0.0f64, f64::max) * 100.0;
    let y_max = if ftf.is_some() { 100.0 } else { nice_ceil((max_rate * 1.3).max(10.0)).min(100.0) };
    let ax = Axes {
        title: title(kind, r),
        x_desc: "ISO week (Monday)".into(),
        y_desc: "% of tickets resolved or reopened that week".into(),
        labels: weeks.iter().map(|w| format!("wk {}", w.start.format("%b %d"))).collect(),
        y_range: (0.0, y_max),
        x_mesh: false,
        y_fmt: YFmt::Percent,
    };
    let mut chart = frame(root, &ax, pal)?;
    let (ink, soft) = (pal.ink, pal.bar_soft);
    let bars: Vec<_> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.reopen_rate.map(|v| (i as f64, v * 100.0)))
        .flat_map(|(x, v)| {
            [Rectangle::new([(x - 0.3, 0.0), (x + 0.3, v)], soft.filled()), Rectangle::new([(x - 0.3, 0.0), (x + 0.3, v)], ink.stroke_width(1))]
        })
        .collect();
    chart.draw_series(bars).map_err(perr)?.label("Reopen rate (tickets reopened ÷ resolved or reopened)").legend(move |(x, y)| bar_legend::<DB>(x, y, soft, ink));
    let counts = weeks.iter().enumerate().map(|(i, w)| {
        let v = w.reopen_rate.unwrap_or(0.0) * 100.0;
        Text::new(format!("{}/{}", w.reopened_tickets, w.resolved_or_reopened_tickets), (i as f64, v), above(pal))
    });
    chart.draw_series(counts).map_err(perr)?;
    match ftf {
        Some(series) => {
            let pts: Vec<(f64, Option<f64>)> = weeks
                .iter()
                .enumerate()
                .map(|(i, w)| (i as f64, series.iter().find(|(d, _)| *d == w.start).and_then(|(_, v)| v.map(|v| v * 100.0))))
                .collect();
            let look = Look { marker: Marker::Circle, ..pal.priority[0] };
            draw_series(&mut chart, "First-time-fix rate", &pts, look, true)?;
        }
        None => {
            let note = ("sans-serif", 14).into_font().color(&pal.muted).pos(Pos::new(HPos::Right, VPos::Top));
            chart
                .draw_series(std::iter::once(Text::new("First-time fix appears once fix validations are recorded", (weeks.len() as f64 - 0.55, y_max * 0.98), note)))
                .map_err(perr)?;
        }
    }
    let area = plot_area(&chart);
    legend(&mut chart, pal)?;
    Ok(Some(area))
}
