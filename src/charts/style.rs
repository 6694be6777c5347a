//! The chart palettes (light and dark: colours, dash patterns and markers
//! that stay distinct in greyscale print), and the helpers that draw a styled series with its legend entry.

use plotters::coord::types::RangedCoordf64;
use plotters::element::IntoDynElement;
use plotters::prelude::*;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::perr;
use crate::Result;

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

/// Which palette a chart is drawn with: `light` for the report (it is
/// printed and shared) and the app in a light OS theme, `dark` for the app
/// in a dark one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChartTheme {
    #[default]
    Light,
    Dark,
}

impl ChartTheme {
    /// The colours of this theme.
    pub fn palette(self) -> &'static Palette {
        match self {
            ChartTheme::Light => &LIGHT,
            ChartTheme::Dark => &DARK,
        }
    }
}

/// Every colour a chart uses. The only place chart colours are defined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: RGBColor,
    /// Titles, axis labels, legend text, bar outlines.
    pub ink: RGBColor,
    /// Secondary text and the legend's border.
    pub muted: RGBColor,
    pub grid: RGBColor,
    /// Looks of P1, P2, P3, P4 and unset priority (other charts reuse the first ones).
    pub priority: [Look; 5],
    /// A thick line for totals and averages.
    pub total: Look,
    /// Target and threshold lines: red, and always dashed so greyscale shows them.
    pub target: Look,
    /// Bar fills: the median (strong) and the 90th percentile and reopen rate (soft).
    pub bar_strong: RGBColor,
    pub bar_soft: RGBColor,
    /// Exit-criteria verdict boxes: PASS, FAIL, NO DATA fills and their text.
    pub pass: (RGBColor, RGBColor),
    pub fail: (RGBColor, RGBColor),
    pub no_data: (RGBColor, RGBColor),
}

const fn look(color: RGBColor, width: u32, dash: Option<(u32, u32)>, marker: Marker) -> Look {
    Look { color, width, dash, marker }
}

/// On white: colours of distinct luminance, so greyscale print tells the
/// series apart (with their dashes and markers).
pub const LIGHT: Palette = Palette {
    background: RGBColor(255, 255, 255),
    ink: RGBColor(33, 33, 33),
    muted: RGBColor(105, 105, 105),
    grid: RGBColor(222, 222, 222),
    priority: [
        look(RGBColor(0, 0, 0), 3, None, Marker::Circle),
        look(RGBColor(213, 94, 0), 3, Some((14, 6)), Marker::Triangle),
        look(RGBColor(0, 114, 178), 3, Some((4, 4)), Marker::Square),
        look(RGBColor(150, 150, 150), 3, Some((10, 3)), Marker::Cross),
        look(RGBColor(204, 121, 167), 2, Some((2, 6)), Marker::None),
    ],
    total: look(RGBColor(86, 180, 233), 5, None, Marker::None),
    target: look(RGBColor(192, 0, 0), 2, Some((10, 6)), Marker::None),
    bar_strong: RGBColor(55, 55, 55),
    bar_soft: RGBColor(200, 200, 200),
    pass: (RGBColor(0, 100, 0), RGBColor(255, 255, 255)),
    fail: (RGBColor(170, 0, 0), RGBColor(255, 255, 255)),
    no_data: (RGBColor(235, 235, 235), RGBColor(33, 33, 33)),
};

/// On the app's dark surface (`--surface` in ui/src/app.css): the same
/// dashes and markers, colours lightened so each stands out (≥ 3:1).
pub const DARK: Palette = Palette {
    background: RGBColor(26, 29, 40),
    ink: RGBColor(231, 233, 241),
    muted: RGBColor(154, 161, 181),
    grid: RGBColor(58, 63, 80),
    priority: [
        look(RGBColor(240, 240, 240), 3, None, Marker::Circle),
        look(RGBColor(240, 150, 60), 3, Some((14, 6)), Marker::Triangle),
        look(RGBColor(86, 180, 233), 3, Some((4, 4)), Marker::Square),
        look(RGBColor(160, 160, 160), 3, Some((10, 3)), Marker::Cross),
        look(RGBColor(214, 136, 181), 2, Some((2, 6)), Marker::None),
    ],
    total: look(RGBColor(0, 170, 125), 5, None, Marker::None),
    target: look(RGBColor(248, 113, 113), 2, Some((10, 6)), Marker::None),
    bar_strong: RGBColor(215, 218, 228),
    bar_soft: RGBColor(105, 111, 130),
    pass: (RGBColor(22, 101, 52), RGBColor(240, 253, 244)),
    fail: (RGBColor(153, 27, 27), RGBColor(254, 242, 242)),
    no_data: (RGBColor(58, 63, 80), RGBColor(231, 233, 241)),
};

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

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance.
    fn luminance(c: RGBColor) -> f64 {
        let lin = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn text_is_readable_on_both_backgrounds() {
        for p in [&LIGHT, &DARK] {
            assert!(contrast(p.ink, p.background) >= 7.0, "{p:?}");
            assert!(contrast(p.muted, p.background) >= 4.5, "{p:?}");
            for (fill, text) in [p.pass, p.fail, p.no_data] {
                assert!(contrast(fill, text) >= 4.5, "verdict {fill:?} / {text:?}");
            }
        }
    }

    #[test]
    fn every_dark_series_stands_out_from_the_dark_background() {
        let looks = DARK.priority.iter().chain([&DARK.total, &DARK.target]);
        for l in looks {
            assert!(contrast(l.color, DARK.background) >= 3.0, "{:?}: {:.2}", l.color, contrast(l.color, DARK.background));
        }
        for bar in [DARK.bar_strong, DARK.bar_soft] {
            assert!(contrast(bar, DARK.background) >= 2.0, "{bar:?}");
        }
        // The two bar fills stay apart, as they are in print.
        assert!(contrast(DARK.bar_strong, DARK.bar_soft) >= 3.0);
    }
}
