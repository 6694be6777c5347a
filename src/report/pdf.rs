//! A small, dependency-free PDF writer for the report: text pages with the
//! exit criteria and KPI values (with definitions), then one landscape page
//! per chart. The chart PNGs are embedded as they are: their zlib data goes
//! straight into a `FlateDecode` image with the PNG predictor, so nothing
//! is re-encoded. Text uses the standard Helvetica font (no embedding),
//! so characters outside Latin-1 are spelled in ASCII.

use crate::charts::format_value as fmt;
use crate::charts::ChartKind;
use crate::kpi::KpiReport;
use crate::{Error, Result};

/// A4 landscape, in points.
const PAGE_W: f64 = 842.0;
const PAGE_H: f64 = 595.0;

struct Png {
    width: u32,
    height: u32,
    idat: Vec<u8>,
}

fn parse_png(bytes: &[u8]) -> Result<Png> {
    let bad = || Error::Internal("a chart PNG could not be embedded in the PDF".into());
    if bytes.len() < 8 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return Err(bad());
    }
    let (mut pos, mut width, mut height, mut idat) = (8usize, 0u32, 0u32, Vec::new());
    while pos + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]]) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len).ok_or_else(bad)?;
        match kind {
            b"IHDR" => {
                if data.len() < 13 || data[8] != 8 || data[9] != 2 || data[12] != 0 {
                    return Err(bad()); // only 8-bit RGB, not interlaced (what charts::render_png writes)
                }
                width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
    if width == 0 || idat.is_empty() {
        return Err(bad());
    }
    Ok(Png { width, height, idat })
}

/// Text for a standard-font PDF string: ASCII spellings for common symbols,
/// Latin-1 kept, anything else `?`; `( ) \` escaped.
fn pdf_text(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in s.chars() {
        let rep: &str = match c {
            '–' | '—' | '−' => "-",
            '→' => "->",
            '≤' => "<=",
            '≥' => ">=",
            '÷' => "/",
            '…' => "...",
            '·' => "-",
            _ => "",
        };
        if !rep.is_empty() {
            out.extend_from_slice(rep.as_bytes());
            continue;
        }
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            c if (c as u32) < 256 => out.push(c as u32 as u8),
            _ => out.push(b'?'),
        }
    }
    out
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split_whitespace() {
        let cur = lines.last_mut().map(|l| l.chars().count()).unwrap_or(0);
        if cur > 0 && cur + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

/// Lines of the text pages: (font size, indent, text).
fn text_lines(r: &KpiReport) -> Vec<(f64, f64, String)> {
    let mut v = vec![
        (16.0, 0.0, format!("Hypercare report {} to {}", r.period.from, r.period.to)),
        (9.0, 0.0, format!("Local days in {}. Generated {} UTC. Charts follow; report.html has the same content.", r.period.tz.name(), r.generated_at.format("%Y-%m-%d %H:%M"))),
    ];
    if let Some(f) = crate::report::filter_sentence(r) {
        v.push((9.0, 0.0, f));
    }
    v.push((12.0, 0.0, "Exit criteria".into()));
    for c in &r.exit_criteria {
        let word = match c.passed {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "NO DATA",
        };
        v.push((10.0, 0.0, format!("{word}  {}: {} (threshold {})", c.label, fmt(c.value, c.unit), fmt(Some(c.threshold), c.unit))));
        v.extend(wrap(c.definition, 150).into_iter().map(|l| (8.0, 20.0, l)));
    }
    v.push((12.0, 0.0, "Key figures".into()));
    for k in &r.headline {
        v.push((10.0, 0.0, format!("{}: {}", k.label, fmt(k.value, k.unit))));
        v.extend(wrap(k.definition, 150).into_iter().map(|l| (8.0, 20.0, l)));
    }
    v
}

/// Build the PDF for `r` with the chart PNGs.
pub fn render_pdf(r: &KpiReport, charts: &[(ChartKind, Vec<u8>)]) -> Result<Vec<u8>> {
    // Objects: 1 catalog, 2 pages, 3 font; then per page: page, content[, image].
    let mut objects: Vec<Vec<u8>> = vec![Vec::new(), Vec::new(), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()];
    let mut page_ids = Vec::new();
    let stream = |dict: String, data: &[u8]| {
        let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        o.extend_from_slice(data);
        o.extend_from_slice(b"\nendstream");
        o
    };

    // Text pages.
    let lines = text_lines(r);
    let mut chunks: Vec<Vec<(f64, f64, String)>> = vec![Vec::new()];
    let mut y = PAGE_H - 40.0;
    for l in lines {
        y -= l.0 + 4.0;
        if y < 40.0 {
            chunks.push(Vec::new());
            y = PAGE_H - 40.0 - (l.0 + 4.0);
        }
        chunks.last_mut().map(|c| c.push(l)).unwrap_or(());
    }
    for chunk in chunks {
        let mut content = Vec::new();
        let mut y = PAGE_H - 40.0;
        for (size, indent, text) in chunk {
            y -= size + 4.0;
            content.extend_from_slice(format!("BT /F1 {size} Tf {:.1} {y:.1} Td (", 40.0 + indent).as_bytes());
            content.extend_from_slice(&pdf_text(&text));
            content.extend_from_slice(b") Tj ET\n");
        }
        let content_id = objects.len() + 2;
        let page_id = objects.len() + 1;
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>").into_bytes());
        objects.push(stream(String::new(), &content));
        page_ids.push(page_id);
    }

    // One page per chart.
    for (kind, png) in charts {
        let img = parse_png(png)?;
        let page_id = objects.len() + 1;
        let content_id = page_id + 1;
        let image_id = page_id + 2;
        let scale = ((PAGE_W - 60.0) / img.width as f64).min((PAGE_H - 80.0) / img.height as f64);
        let (w, h) = (img.width as f64 * scale, img.height as f64 * scale);
        let mut content = format!("q {w:.1} 0 0 {h:.1} 30 30 cm /Im1 Do Q\nBT /F1 9 Tf 30 {:.1} Td (", PAGE_H - 30.0).into_bytes();
        content.extend_from_slice(&pdf_text(crate::report::html::chart_caption(*kind)));
        content.extend_from_slice(b") Tj ET\n");
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 {image_id} 0 R >> >> /Contents {content_id} 0 R >>").into_bytes());
        objects.push(stream(String::new(), &content));
        objects.push(stream(
            format!("/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns {} >>", img.width, img.height, img.width),
            &img.idat,
        ));
        page_ids.push(page_id);
    }
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    let kids: Vec<String> = page_ids.iter().map(|i| format!("{i} 0 R")).collect();
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), page_ids.len()).into_bytes();

    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    Ok(out)
}
