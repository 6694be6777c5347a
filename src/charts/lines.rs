//! Line charts over days or weeks: incident trend, backlog, adoption,
//! satisfaction.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, count_labels, draw_series, nice_ceil, Look, Palette};
use super::points::{plot_area, PlotArea};
use super::{empty_state, perr, ChartKind};
use crate::kpi::KpiReport;
use crate::Result;

/// One line: a value (or a gap) per x position.
pub(crate) struct Line {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub look: Look,
}

/// How y values are labelled.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum YFmt {
    Count,
    Percent,
    Score,
}

/// A line chart to draw.
pub(crate) struct Spec {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub x_labels: Vec<String>,
    pub lines: Vec<Line>,
    /// Horizontal target lines: (legend name, value).
    pub targets: Vec<(String, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub y_fmt: YFmt,
}

/// Chart title with the period.
pub(crate) fn title(kind: ChartKind, r: &KpiReport) -> String {
    let base = format!("{} · {} to {}", kind.title(), r.period.from, r.period.to);
    match crate::kpi::filter::applies_to(kind) {
        (true, _) if !r.filter.is_empty() => format!("{base} · {}", r.filter.describe()),
        _ => base,
    }
}

pub(crate) fn day_labels(r: &KpiReport) -> Vec<String> {
    r.operations.days.iter().map(|d| d.format("%b %d").to_string()).collect()
}

pub(crate) fn date_desc(r: &KpiReport) -> String {
    format!("Date (local days, {})", r.period.tz.name())
}

pub(crate) fn fmt_y(fmt: YFmt, y: f64) -> String {
    match fmt {
        YFmt::Count => format!("{y:.0}"),
        YFmt::Percent => format!("{y:.0} %"),
        YFmt::Score => format!("{y:.0}"),
    }
}

/// Frame of a chart over categorical x positions 0..n (days, weeks,
/// priorities): title, axes with their descriptions, labelled ticks.
pub(crate) struct Axes {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub labels: Vec<String>,
    pub y_range: (f64, f64),
    pub y_fmt: YFmt,
    /// Vertical grid lines (off for bar charts).
    pub x_mesh: bool,
}

/// Build the chart and draw its frame.
pub(crate) fn frame<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, ax: &Axes, pal: &Palette) -> Result<style::Chart<'a, DB>> {
    let n = ax.labels.len().max(1);
    let (y0, y1) = ax.y_range;
    let mut chart = ChartBuilder::on(root)
        .caption(&ax.title, ("sans-serif", 22).into_font().color(&pal.ink))
        .margin(18)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y0..y1)
        .map_err(perr)?;
    let x_fmt = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < ax.labels.len() {
            ax.labels[i as usize].clone()
        } else {
            String::new()
        }
    };
    let y_fmt = |y: &f64| fmt_y(ax.y_fmt, *y);
    let mut mesh = chart.configure_mesh();
    if !ax.x_mesh {
        mesh.disable_x_mesh();
    }
    mesh.x_desc(ax.x_desc.as_str())
        .y_desc(ax.y_desc.as_str())
        .x_labels(n.min(12))
        .y_labels(if ax.y_fmt == YFmt::Count { count_labels(y1) } else { 11 })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(pal.grid.mix(0.5))
        .bold_line_style(pal.grid)
        .label_style(("sans-serif", 14).into_font().color(&pal.ink))
        .axis_desc_style(("sans-serif", 15).into_font().color(&pal.ink))
        .draw()
        .map_err(perr)?;
    Ok(chart)
}

/// Draw the legend box (upper left).
pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut style::Chart<'a, DB>, pal: &Palette) -> Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .margin(10)
        .legend_area_size(34)
        .background_style(pal.background.mix(0.88))
        .border_style(pal.muted)
        .label_font(("sans-serif", 14).into_font().color(&pal.ink))
        .draw()
        .map_err(perr)
}

/// Draw a line chart from `spec`.
pub(crate) fn draw_lines<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, spec: &Spec, pal: &Palette) -> Result<Option<PlotArea>> {
    let n = spec.x_labels.len().max(1);
    let max_val = spec
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .chain(spec.targets.iter().map(|t| &t.1))
        .fold(0.0f64, |a, b| a.max(*b));
    let ax = Axes {
        title: spec.title.clone(),
        x_desc: spec.x_desc.clone(),
        y_desc: spec.y_desc.clone(),
        labels: spec.x_labels.clone(),
        y_range: spec.y_range.unwrap_or((0.0, nice_ceil(max_val * 1.1))),
        y_fmt: spec.y_fmt,
        x_mesh: true,
    };
    let mut chart = frame(root, &ax, pal)?;
    let markers = n <= 60;
    for line in &spec.lines {
        let pts: Vec<(f64, Option<f64>)> = line.values.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
        draw_series(&mut chart, &line.name, &pts, line.look, markers)?;
    }
    for (name, v) in &spec.targets {
        let pts = [(-0.5, Some(*v)), (n as f64 - 0.5, Some(*v))];
        draw_series(&mut chart, name, &pts, pal.target, false)?;
    }
    let area = plot_area(&chart);
    legend(&mut chart, pal)?;
    Ok(Some(area))
}

fn counts<T: Copy + Into<f64>>(v: impl Iterator<Item = T>) -> Vec<Option<f64>> {
    v.map(|x| Some(x.into())).collect()
}

/// The priority slots a chart draws: those with tickets, and P1..P4 also
/// at zero unless the report's filter leaves them out.
pub(crate) fn shown_priorities(r: &KpiReport, rows: &[[u32; 5]]) -> Vec<usize> {
    (0..5).filter(|p| rows.iter().any(|row| row[*p] > 0) || priority_expected(r, *p)).collect()
}

/// Whether slot `p` is drawn even at zero: P1..P4, unless the filter names other priorities.
pub(crate) fn priority_expected(r: &KpiReport, p: usize) -> bool {
    let wanted = &r.filter.priorities;
    p < 4 && (wanted.is_empty() || wanted.contains(&crate::kpi::Priority::ALL[p]))
}

fn priority_lines(r: &KpiReport, rows: &[[u32; 5]], pal: &Palette) -> Vec<Line> {
    shown_priorities(r, rows)
        .into_iter()
        .map(|p| Line {
            name: r.operations.priorities[p].to_string(),
            values: counts(rows.iter().map(|row| row[p])),
            look: pal.priority[p],
        })
        .collect()
}

pub(crate) fn no_tickets(r: &KpiReport) -> bool {
    let o = &r.operations;
    o.created_total == 0 && o.resolved_total == 0 && o.backlog.iter().all(|b| *b == 0)
}

const NO_TICKETS_HINT: &str = "No tickets in the store for these days. Sync a source or load the demo.";

/// Tickets created per day by priority, with the 7-day moving average.
pub(crate) fn incident_trend<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::IncidentTrend;
    if no_tickets(r) {
        return empty_state(root, &title(kind, r), NO_TICKETS_HINT, pal).map(|()| None);
    }
    let mut lines = priority_lines(r, &r.operations.created_by_priority, pal);
    lines.push(Line {
        name: "All priorities, 7-day average".into(),
        values: r.operations.created_ma7.iter().map(|v| Some(*v)).collect(),
        look: pal.total,
    });
    draw_lines(
        root,
        &Spec {
            title: title(kind, r),
            x_desc: date_desc(r),
            y_desc: "Tickets created per day".into(),
            x_labels: day_labels(r),
            lines,
            targets: vec![],
            y_range: None,
            y_fmt: YFmt::Count,
        },
        pal,
    )
}

/// Open tickets at the end of each day, by priority and in total.
pub(crate) fn backlog<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::Backlog;
    if no_tickets(r) {
        return empty_state(root, &title(kind, r), NO_TICKETS_HINT, pal).map(|()| None);
    }
    let mut lines = priority_lines(r, &r.operations.backlog_by_priority, pal);
    lines.push(Line { name: "All open".into(), values: counts(r.operations.backlog.iter().copied()), look: pal.total });
    draw_lines(
        root,
        &Spec {
            title: title(kind, r),
            x_desc: date_desc(r),
            y_desc: "Open tickets at end of day".into(),
            x_labels: day_labels(r),
            lines,
            targets: vec![],
            y_range: None,
            y_fmt: YFmt::Count,
        },
        pal,
    )
}

/// Daily and weekly active users against the licensed population.
pub(crate) fn adoption<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::Adoption;
    let a = &r.adoption;
    if a.events == 0 {
        return empty_state(root, &title(kind, r), "No usage events in this period. Import usage logs (hypercare import usage).", pal).map(|()| None);
    }
    let (_, widx) = crate::kpi::period::weeks_of(&a.days);
    let wau_daily = widx.iter().map(|w| a.wau.get(*w).map(|v| *v as f64)).collect();
    let targets = a.licensed_users.map(|l| vec![(format!("Licensed users ({l})"), l as f64)]).unwrap_or_default();
    draw_lines(
        root,
        &Spec {
            title: title(kind, r),
            x_desc: date_desc(r),
            y_desc: "Users".into(),
            x_labels: a.days.iter().map(|d| d.format("%b %d").to_string()).collect(),
            lines: vec![
                Line { name: "Daily active users (DAU)".into(), values: counts(a.dau.iter().copied()), look: pal.priority[0] },
                Line { name: "Weekly active users (WAU, per ISO week)".into(), values: wau_daily, look: pal.priority[2] },
            ],
            targets,
            y_range: None,
            y_fmt: YFmt::Count,
        },
        pal,
    )
}

/// Weekly CSAT (% satisfied) and NPS with the CSAT exit threshold.
pub(crate) fn satisfaction<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<PlotArea>> {
    let kind = ChartKind::Satisfaction;
    let s = &r.satisfaction;
    if s.csat.responses + s.nps.responses == 0 {
        return empty_state(root, &title(kind, r), "No valid survey answers in this period. Import a survey export (hypercare import surveys).", pal).map(|()| None);
    }
    let csat_name = format!("CSAT, % answering 4–5 of 5 (n={})", s.csat.responses);
    let nps_name = format!("NPS, % 9–10 minus % 0–6 (n={})", s.nps.responses);
    draw_lines(
        root,
        &Spec {
            title: title(kind, r),
            x_desc: format!("ISO week (Monday, {})", r.period.tz.name()),
            y_desc: "CSAT (%) and NPS (−100 to +100)".into(),
            x_labels: s.weeks.iter().map(|w| format!("wk {}", w.start.format("%b %d"))).collect(),
            lines: vec![
                Line { name: csat_name, values: s.weeks.iter().map(|w| w.csat.csat.map(|c| c * 100.0)).collect(), look: pal.priority[0] },
                Line { name: nps_name, values: s.weeks.iter().map(|w| w.nps.nps).collect(), look: pal.priority[1] },
            ],
            targets: vec![(format!("CSAT target ({:.0} %)", r.settings.exit_csat_min * 100.0), r.settings.exit_csat_min * 100.0)],
            y_range: Some((-100.0, 100.0)),
            y_fmt: YFmt::Score,
        },
        pal,
    )
}
