//! Colours, dash patterns and markers that stay distinct in greyscale print,
//! and the helpers that draw a styled series with its legend entry.

use plotters::coord::types::RangedCoordf64;
use plotters::element::IntoDynElement;
use plotters::prelude::*;

use super::perr;
use crate::Result;

pub const INK: RGBColor = RGBColor(33, 33, 33);
pub const MUTED: RGBColor = RGBColor(105, 105, 105);
pub const GRID: RGBColor = RGBColor(222, 222, 222);
/// Target and threshold lines: red, and always dashed so greyscale shows them.
pub const TARGET: RGBColor = RGBColor(192, 0, 0);

/// Point marker of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    None,
    Circle,
    Triangle,
    Square,
    Cross,
}

/// How one series looks: colour (distinct luminance), width, dash, marker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub color: RGBColor,
    pub width: u32,
    /// (dash length, gap) in pixels; `None` is solid.
    pub dash: Option<(u32, u32)>,
    pub marker: Marker,
}

/// Looks of P1, P2, P3, P4 and unset priority.
pub const PRIORITY: [Look; 5] = [
    Look { color: RGBColor(0, 0, 0), width: 3, dash: None, marker: Marker::Circle },
    Look { color: RGBColor(213, 94, 0), width: 3, dash: Some((14, 6)), marker: Marker::Triangle },
    Look { color: RGBColor(0, 114, 178), width: 3, dash: Some((4, 4)), marker: Marker::Square },
    Look { color: RGBColor(150, 150, 150), width: 3, dash: Some((10, 3)), marker: Marker::Cross },
    Look { color: RGBColor(204, 121, 167), width: 2, dash: Some((2, 6)), marker: Marker::None },
];

/// A thick line for totals and averages.
pub const TOTAL: Look = Look { color: RGBColor(86, 180, 233), width: 5, dash: None, marker: Marker::None };
pub const TARGET_LOOK: Look = Look { color: TARGET, width: 2, dash: Some((10, 6)), marker: Marker::None };

pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draw one series (segments split at missing values) with its legend entry.
/// Markers are drawn when `markers` is set or a segment has a single point.
pub fn draw_series<'a, DB: DrawingBackend + 'a>(chart: &mut Chart<'a, DB>,
    name: &str,
    points: &[(f64, Option<f64>)],
    look: Look,
    markers: bool,
) -> Result<()> {
    let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (x, y) in points {
        match y {
            Some(y) => segments.last_mut().map(|s| s.push((*x, *y))).unwrap_or(()),
            None => {
                if segments.last().is_some_and(|s| !s.is_empty()) {
                    segments.push(Vec::new());
                }
            }
        }
    }
    segments.retain(|s| !s.is_empty());
    let stroke = look.color.stroke_width(look.width);
    let mut labelled = false;
    for seg in &segments {
        let anno = match look.dash {
            Some((d, g)) => chart.draw_series(DashedLineSeries::new(seg.clone(), d, g, stroke)).map_err(perr)?,
            None => chart.draw_series(LineSeries::new(seg.clone(), stroke)).map_err(perr)?,
        };
        if !labelled {
            labelled = true;
            anno.label(name).legend(move |(x, y)| legend_at::<DB>(x, y, look));
        }
        if markers || seg.len() == 1 {
            draw_markers(chart, seg, look)?;
        }
    }
    if !labelled {
        // Still name the series in the legend, so "no values" is visible.
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(perr)?
            .label(format!("{name} (no data)"))
            .legend(move |(x, y)| legend_at::<DB>(x, y, look));
    }
    Ok(())
}

fn draw_markers<'a, DB: DrawingBackend + 'a>(chart: &mut Chart<'a, DB>, seg: &[(f64, f64)], look: Look) -> Result<()> {
    let st: ShapeStyle = look.color.filled();
    let pts = seg.iter().copied();
    match look.marker {
        Marker::None => {
            if seg.len() == 1 {
                chart.draw_series(pts.map(|p| Circle::new(p, 4, st))).map_err(perr)?;
            }
        }
        Marker::Circle => {
            chart.draw_series(pts.map(|p| Circle::new(p, 5, st))).map_err(perr)?;
        }
        Marker::Triangle => {
            chart.draw_series(pts.map(|p| TriangleMarker::new(p, 7, st))).map_err(perr)?;
        }
        Marker::Square => {
            chart
                .draw_series(pts.map(|p| EmptyElement::at(p) + Rectangle::new([(-5, -5), (5, 5)], st)))
                .map_err(perr)?;
        }
        Marker::Cross => {
            chart.draw_series(pts.map(|p| Cross::new(p, 6, look.color.stroke_width(3)))).map_err(perr)?;
        }
    }
    Ok(())
}

/// The legend glyph of `look` at backend position (x, y).
/// Unused markers are fully transparent so every look has one element type.
pub fn legend_at<'b, DB: DrawingBackend + 'b>(x: i32, y: i32, look: Look) -> impl IntoDynElement<'b, DB, (i32, i32)> + 'b {
    let stroke = look.color.stroke_width(look.width.min(4));
    let gap = if look.dash.is_some() { 5 } else { 0 };
    let on = |m: Marker| if look.marker == m { look.color.filled() } else { TRANSPARENT.filled() };
    EmptyElement::at((x, y))
        + PathElement::new(vec![(0, 0), (10, 0)], stroke)
        + PathElement::new(vec![(10 + gap, 0), (22, 0)], stroke)
        + Circle::new((11, 0), 4, on(Marker::Circle))
        + TriangleMarker::new((11, 0), 6, on(Marker::Triangle))
        + Rectangle::new([(7, -4), (15, 4)], on(Marker::Square))
        + Cross::new((11, 0), 5, if look.marker == Marker::Cross { look.color.stroke_width(2) } else { TRANSPARENT.stroke_width(1) })
}

/// A round axis maximum at or above `x`: whole numbers up to 10, then
/// 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k (at least 1).
pub fn nice_ceil(x: f64) -> f64 {
    if !(x > 1.0) {
        return 1.0;
    }
    if x <= 10.0 {
        return x.ceil();
    }
    let mag = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * mag >= x - 1e-9 {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Number of y labels so that count axes show whole numbers only.
pub fn count_labels(y_max: f64) -> usize {
    if y_max <= 10.0 {
        y_max as usize + 1
    } else {
        11
    }
}
