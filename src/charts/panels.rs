//! The exit-criteria panel: one row per criterion, PASS / FAIL / NO DATA in
//! words (not only colour), the measured value and the threshold.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::lines::title;
use super::style::Palette;
use super::{perr, ChartKind};
use crate::kpi::exit::ExitCriterion;
use crate::kpi::KpiReport;
use crate::Result;

/// A value in its unit, for people.
pub fn format_value(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "no data".into(),
        Some(x) => match unit {
            "share" => format!("{:.1} %", x * 100.0),
            "hours" => format!("{x:.1} h"),
            "ms" => format!("{x:.0} ms"),
            "score" => format!("{x:+.1}"),
            "tickets" | "users" | "count" if x.fract() == 0.0 => format!("{x:.0}"),
            _ => format!("{x:.2}"),
        },
    }
}

/// What an exit criterion requires, as the chart and the report write it (`≥ 90.0 %`).
pub fn requirement(c: &ExitCriterion) -> String {
    match c.id {
        "no_open_p1" => format!("≤ {}", format_value(Some(c.threshold), c.unit)),
        "backlog_trend_down" => "< 0 (or backlog already 0)".into(),
        _ => format!("≥ {}", format_value(Some(c.threshold), c.unit)),
    }
}

/// The verdict's word, box fill and text colour.
fn verdict(p: Option<bool>, pal: &Palette) -> (&'static str, RGBColor, RGBColor) {
    let (word, (fill, ink)) = match p {
        Some(true) => ("PASS", pal.pass),
        Some(false) => ("FAIL", pal.fail),
        None => ("NO DATA", pal.no_data),
    };
    (word, fill, ink)
}

/// Left edges of the criterion, measured and required columns.
const COLUMNS: [i32; 3] = [170, 520, 660];

/// The largest font size from `size` down to 11 px at which `text` is at
/// most `max_w` pixels wide.
fn fitted_size<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, text: &str, size: i32, max_w: i32) -> i32 {
    (11..=size)
        .rev()
        .find(|s| root.estimate_text_size(text, &TextStyle::from(("sans-serif", *s).into_font())).is_ok_and(|(tw, _)| tw as i32 <= max_w))
        .unwrap_or(11)
}

/// Draw the exit criteria as a table.
pub(crate) fn exit_criteria<'a, DB: DrawingBackend + 'a>(root: &'a DrawingArea<DB, Shift>, r: &KpiReport, pal: &Palette) -> Result<Option<super::points::PlotArea>> {
    let (w, _h) = root.dim_in_pixel();
    let w = w as i32;
    let font = |size: i32, color: RGBColor, h: HPos| {
        ("sans-serif", size).into_font().color(&color).pos(Pos::new(h, VPos::Center))
    };
    root.draw(&Text::new(title(ChartKind::ExitCriteria, r), (w / 2, 30), font(22, pal.ink, HPos::Center)))
        .map_err(perr)?;
    let (overall, _, _) = verdict(r.exit_passed, pal);
    let summary = match r.exit_passed {
        Some(true) => "Overall: PASS — every criterion is met".to_string(),
        Some(false) => "Overall: FAIL — at least one criterion is not met".to_string(),
        None => format!("Overall: {overall} — some criteria have no data yet"),
    };
    root.draw(&Text::new(summary, (w / 2, 66), font(17, pal.ink, HPos::Center))).map_err(perr)?;
    let top = 110;
    let row_h = 70;
    let (measured_x, required_x) = (COLUMNS[1], COLUMNS[2]);
    let header = [("Criterion", COLUMNS[0]), ("Measured", measured_x), ("Required", required_x)];
    for (t, x) in header {
        root.draw(&Text::new(t, (x, top), font(15, pal.muted, HPos::Left))).map_err(perr)?;
    }
    for (k, c) in r.exit_criteria.iter().enumerate() {
        let y = top + 40 + k as i32 * row_h;
        let (word, fill, ink) = verdict(c.passed, pal);
        root.draw(&Rectangle::new([(30, y - 20), (150, y + 20)], fill.filled())).map_err(perr)?;
        root.draw(&Rectangle::new([(30, y - 20), (150, y + 20)], pal.ink.stroke_width(2))).map_err(perr)?;
        root.draw(&Text::new(word, (90, y), font(17, ink, HPos::Center))).map_err(perr)?;
        // Each cell's text shrinks (down to 11 px) rather than run into the next column or off the panel.
        let cells = [(c.label.clone(), COLUMNS[0], measured_x), (format_value(c.value, c.unit), measured_x, required_x), (requirement(c), required_x, w - 30)];
        for (text, x, end) in cells {
            let size = fitted_size(root, &text, 17, end - x - 10);
            root.draw(&Text::new(text, (x, y), font(size, pal.ink, HPos::Left))).map_err(perr)?;
        }
        root.draw(&PathElement::new(vec![(30, y + row_h / 2), (w - 30, y + row_h / 2)], pal.grid.stroke_width(1)))
            .map_err(perr)?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_requirement_fits_its_column_in_the_report() {
        super::super::register_font().unwrap();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (900, 520)).into_drawing_area();
        let text = "< 0 (or backlog already 0)";
        let room = 900 - 30 - COLUMNS[2] - 10;
        let size = fitted_size(&root, text, 17, room);
        let (tw, _) = root.estimate_text_size(text, &TextStyle::from(("sans-serif", size).into_font())).unwrap();
        assert!(tw as i32 <= room, "{text:?} is {tw} px at {size} px, the column has {room}");
        assert!(size >= 14, "still readable: {size} px");
    }
}
