//! KPI charts rendered with plotters: SVG for the app, PNG for export.
//!
//! The font (DejaVu Sans, `assets/fonts`, Bitstream Vera licence) is
//! embedded with `include_bytes!` and registered through plotters'
//! `ab_glyph` feature, so rendering never depends on the machine's fonts.
//! Every chart has a title, axes with units, a legend, greyscale-safe styles
//! (luminance, dash pattern and marker all differ per series) and an explicit
//! "No data for this period" state.

mod bars;
mod lines;
mod panels;
pub mod points;
pub mod style;

pub use panels::{format_value, requirement};
pub use points::{chart_points, ChartPoints};
pub use style::{ChartTheme, Palette};

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::kpi::KpiReport;
use crate::{Error, Result};

/// Default chart size in pixels.
pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 600;

/// Text of the empty state.
pub const NO_DATA: &str = "No data for this period";

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The charts of the dashboard and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    IncidentTrend,
    Backlog,
    TimeToResolve,
    Reopen,
    Satisfaction,
    Adoption,
    ExitCriteria,
}

impl ChartKind {
    pub const ALL: [ChartKind; 7] = [
        ChartKind::IncidentTrend,
        ChartKind::Backlog,
        ChartKind::TimeToResolve,
        ChartKind::Reopen,
        ChartKind::Satisfaction,
        ChartKind::Adoption,
        ChartKind::ExitCriteria,
    ];

    /// File name stem (`incident_trend` → `incident_trend.png`).
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::IncidentTrend => "incident_trend",
            ChartKind::Backlog => "backlog_burndown",
            ChartKind::TimeToResolve => "time_to_resolve",
            ChartKind::Reopen => "reopen_first_time_fix",
            ChartKind::Satisfaction => "csat_nps",
            ChartKind::Adoption => "adoption",
            ChartKind::ExitCriteria => "exit_criteria",
        }
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::IncidentTrend => "Incident volume by priority",
            ChartKind::Backlog => "Backlog burn-down (open at end of day)",
            ChartKind::TimeToResolve => "Time to resolve by priority",
            ChartKind::Reopen => "Reopen rate and first-time fix",
            ChartKind::Satisfaction => "Satisfaction: CSAT and NPS",
            ChartKind::Adoption => "Adoption: active users vs licensed",
            ChartKind::ExitCriteria => "Hypercare exit criteria",
        }
    }
}

fn register_font() -> Result<()> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *ONCE.get_or_init(|| {
        let normal = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok();
        let bold = plotters::style::register_font("sans-serif", FontStyle::Bold, FONT).is_ok();
        normal && bold
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Internal("the embedded chart font could not be loaded".into()))
    }
}

/// Turn a plotters error into ours.
pub(crate) fn perr<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("chart drawing failed: {e:?}"))
}

fn draw<'a, DB: DrawingBackend + 'a>(
    root: &'a DrawingArea<DB, Shift>,
    kind: ChartKind,
    r: &KpiReport,
    pal: &Palette,
) -> Result<Option<points::PlotArea>> {
    root.fill(&pal.background).map_err(perr)?;
    let area = match kind {
        ChartKind::IncidentTrend => lines::incident_trend(root, r, pal),
        ChartKind::Backlog => lines::backlog(root, r, pal),
        ChartKind::Adoption => lines::adoption(root, r, pal),
        ChartKind::Satisfaction => lines::satisfaction(root, r, pal),
        ChartKind::TimeToResolve => bars::time_to_resolve(root, r, pal),
        ChartKind::Reopen => bars::reopen(root, r, pal),
        ChartKind::ExitCriteria => panels::exit_criteria(root, r, pal),
    }?;
    root.present().map_err(perr)?;
    Ok(area)
}

/// Render `kind` as a light SVG document of `size` pixels.
pub fn render_svg(kind: ChartKind, r: &KpiReport, size: (u32, u32)) -> Result<String> {
    render_svg_with_points(kind, r, size, ChartTheme::Light).map(|(svg, _)| svg)
}

/// Render `kind` as an SVG document of `size` pixels in `theme`, with its
/// points placed where the image draws them.
pub fn render_svg_with_points(kind: ChartKind, r: &KpiReport, size: (u32, u32), theme: ChartTheme) -> Result<(String, ChartPoints)> {
    register_font()?;
    let mut out = String::new();
    let area = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root, kind, r, theme.palette())?
    };
    Ok((out, chart_points(kind, r, size, area)))
}

/// Render `kind` as a PNG image of `size` pixels, always light: PNGs are
/// for the report, which is printed and shared.
pub fn render_png(kind: ChartKind, r: &KpiReport, size: (u32, u32)) -> Result<Vec<u8>> {
    register_font()?;
    let (w, h) = size;
    if w < 200 || h < 150 || w > 8000 || h > 8000 {
        return Err(Error::invalid(format!("chart size {w}×{h} is outside 200×150 .. 8000×8000")));
    }
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        draw(&root, kind, r, &style::LIGHT)?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))?;
        writer.write_image_data(&buf).map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))?;
    }
    Ok(png_bytes)
}

/// Draw the title and the empty-state message on `root`.
pub(crate) fn empty_state<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, title: &str, hint: &str, pal: &Palette) -> Result<()> {
    let (w, h) = root.dim_in_pixel();
    let center = |size: f64| {
        ("sans-serif", size)
            .into_font()
            .color(&pal.ink)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ))
    };
    root.draw(&Text::new(title.to_string(), (w as i32 / 2, 30), center(24.0))).map_err(perr)?;
    root.draw(&Rectangle::new([(40, 70), (w as i32 - 40, h as i32 - 40)], pal.grid.stroke_width(2)))
        .map_err(perr)?;
    root.draw(&Text::new(NO_DATA, (w as i32 / 2, h as i32 / 2), center(28.0))).map_err(perr)?;
    root.draw(&Text::new(hint.to_string(), (w as i32 / 2, h as i32 / 2 + 40), center(15.0).color(&pal.muted)))
        .map_err(perr)?;
    Ok(())
}
