//! The exportable report: PNG charts, a self-contained HTML file, a PDF
//! and the KPI values as JSON, written into one folder.

pub mod html;
pub mod pdf;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::charts::{self, ChartKind};
use crate::kpi::KpiReport;
use crate::{Error, Result};

/// What [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFiles {
    pub pngs: Vec<PathBuf>,
    pub html: PathBuf,
    pub pdf: PathBuf,
    pub json: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::invalid(format!("cannot write {}: {e}", path.display())))
}

/// What a filtered report counts, in one sentence; `None` when unfiltered.
pub fn filter_sentence(r: &KpiReport) -> Option<String> {
    (!r.filter.is_empty()).then(|| {
        format!(
            "Filtered: the ticket KPIs count only tickets with {}. Survey answers and usage are not tickets and are not filtered.",
            r.filter.describe()
        )
    })
}

/// Render every chart as PNG and write the PNGs, `report.html`,
/// `report.pdf` and `kpis.json` into `out_dir` (created if needed).
pub fn write_report(r: &KpiReport, out_dir: &Path) -> Result<ReportFiles> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Error::invalid(format!("cannot create the output folder {}: {e}", out_dir.display())))?;
    let mut charts_png = Vec::new();
    let mut pngs = Vec::new();
    for kind in ChartKind::ALL {
        let png = charts::render_png(kind, r, (charts::WIDTH, charts::HEIGHT))?;
        let path = out_dir.join(format!("{}.png", kind.stem()));
        write(&path, &png)?;
        pngs.push(path);
        charts_png.push((kind, png));
    }
    let html = out_dir.join("report.html");
    write(&html, html::render_html(r, &charts_png).as_bytes())?;
    let pdf = out_dir.join("report.pdf");
    write(&pdf, &pdf::render_pdf(r, &charts_png)?)?;
    let json = out_dir.join("kpis.json");
    let text = serde_json::to_string_pretty(r).map_err(|e| Error::Internal(format!("cannot encode the KPIs: {e}")))?;
    write(&json, text.as_bytes())?;
    Ok(ReportFiles { pngs, html, pdf, json })
}
