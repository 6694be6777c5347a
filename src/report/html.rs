//! The self-contained HTML report: charts embedded as base64 PNG `<img>`,
//! KPI tables with their definitions. Every piece of text is HTML-escaped.

use base64::Engine;

use crate::charts::format_value as fmt;
use crate::charts::ChartKind;
use crate::kpi::operations::DurationStats;
use crate::kpi::KpiReport;

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1040px;margin:2em auto;color:#222;padding:0 1em}\
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}\
th{background:#eee}td.num{text-align:right;white-space:nowrap}.def{color:#444;font-size:.9em}\
.pass{font-weight:bold}.fail{font-weight:bold;text-decoration:underline}img{max-width:100%;border:1px solid #ddd}\
figure{margin:1.5em 0}figcaption{font-size:.9em;color:#444}";

fn row(cells: &[String]) -> String {
    let mut s = String::from("<tr>");
    for (i, c) in cells.iter().enumerate() {
        if i > 0 && i + 1 < cells.len() || (cells.len() == 2 && i == 1) {
            s.push_str(&format!("<td class=\"num\">{}</td>", escape(c)));
        } else {
            s.push_str(&format!("<td>{}</td>", escape(c)));
        }
    }
    s.push_str("</tr>\n");
    s
}

fn header(cells: &[&str]) -> String {
    let inner: String = cells.iter().map(|c| format!("<th>{}</th>", escape(c))).collect();
    format!("<tr>{inner}</tr>\n")
}

fn durations(title: &str, def: &str, rows: &[DurationStats]) -> String {
    let mut s = format!("<h3>{}</h3><p class=\"def\">{}</p><table>", escape(title), escape(def));
    s.push_str(&header(&["Priority", "Tickets", "Median", "90th percentile", "Target"]));
    for d in rows.iter().filter(|d| d.count > 0 || d.priority != "Unset") {
        s.push_str(&row(&[
            d.priority.to_string(),
            d.count.to_string(),
            fmt(d.median_hours, "hours"),
            fmt(d.p90_hours, "hours"),
            d.target_hours.map(|t| fmt(Some(t), "hours")).unwrap_or_else(|| "—".into()),
        ]));
    }
    s.push_str("</table>\n");
    s
}

/// The HTML document for `r` with `charts` (PNG bytes per chart).
pub fn render_html(r: &KpiReport, charts: &[(ChartKind, Vec<u8>)]) -> String {
    use crate::kpi::{operations as o, satisfaction as sa};
    let b64 = base64::engine::general_purpose::STANDARD;
    let title = format!("Hypercare report {} to {}", r.period.from, r.period.to);
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">");
    h.push_str(&format!("<title>{}</title><style>{CSS}</style></head><body>\n", escape(&title)));
    h.push_str(&format!("<h1>{}</h1>\n", escape(&title)));
    h.push_str(&format!(
        "<p>Days are local to {}. Generated {} UTC. Every value below is computed from the local store; its definition is next to it.</p>\n",
        escape(r.period.tz.name()),
        escape(&r.generated_at.format("%Y-%m-%d %H:%M").to_string())
    ));
    if let Some(f) = crate::report::filter_sentence(r) {
        h.push_str(&format!("<p><strong>{}</strong></p>\n", escape(&f)));
    }

    h.push_str("<h2>Exit criteria</h2><table>");
    h.push_str(&header(&["Result", "Criterion", "Measured", "Threshold", "Definition"]));
    for c in &r.exit_criteria {
        let (word, class) = match c.passed {
            Some(true) => ("PASS", "pass"),
            Some(false) => ("FAIL", "fail"),
            None => ("NO DATA", ""),
        };
        h.push_str(&format!(
            "<tr><td class=\"{class}\">{word}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"def\">{}</td></tr>\n",
            escape(&c.label),
            escape(&fmt(c.value, c.unit)),
            escape(&fmt(Some(c.threshold), c.unit)),
            escape(c.definition)
        ));
    }
    h.push_str("</table>\n<h2>Key figures</h2><table>");
    h.push_str(&header(&["KPI", "Value", "Definition"]));
    for k in &r.headline {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"def\">{}</td></tr>\n",
            escape(k.label),
            escape(&fmt(k.value, k.unit)),
            escape(k.definition)
        ));
    }
    h.push_str("</table>\n<h2>Charts</h2>\n");
    for (kind, png) in charts {
        h.push_str(&format!(
            "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>\n",
            escape(kind.title()),
            b64.encode(png),
            escape(chart_caption(*kind))
        ));
    }

    h.push_str("<h2>Operations by priority</h2>");
    h.push_str(&durations("Time to acknowledge", o::DEF_TTA, &r.operations.time_to_acknowledge));
    h.push_str(&durations("Time to resolve", o::DEF_TTR, &r.operations.time_to_resolve));
    h.push_str(&format!("<h3>SLA</h3><p class=\"def\">{}</p><table>", escape(o::DEF_SLA)));
    h.push_str(&header(&["Priority", "Target", "Measured", "Breached", "Breach rate"]));
    for s in r.operations.sla.iter().chain(std::iter::once(&r.operations.sla_p1_p2)) {
        h.push_str(&row(&[
            s.priority.to_string(),
            s.target_hours.map(|t| fmt(Some(t), "hours")).unwrap_or_else(|| "—".into()),
            s.measured.to_string(),
            s.breached.to_string(),
            fmt(s.breach_rate, "share"),
        ]));
    }
    h.push_str("</table>\n");

    let s = &r.satisfaction;
    h.push_str(&format!("<h2>Satisfaction</h2><p class=\"def\">{} {}</p><table>", escape(sa::DEF_CSAT), escape(sa::DEF_NPS)));
    h.push_str(&header(&["Measure", "Value"]));
    for (label, v) in [
        ("CSAT answers (1–5)", s.csat.responses.to_string()),
        ("CSAT answers out of range (excluded)", s.csat.out_of_range.to_string()),
        ("CSAT", fmt(s.csat.csat, "share")),
        ("NPS answers (0–10)", s.nps.responses.to_string()),
        ("NPS answers out of range (excluded)", s.nps.out_of_range.to_string()),
        ("Promoters / passives / detractors", format!("{} / {} / {}", s.nps.promoters, s.nps.passives, s.nps.detractors)),
        ("NPS", fmt(s.nps.nps, "score")),
        ("Respondents", s.respondents.to_string()),
        ("Response rate", fmt(s.response_rate, "share")),
    ] {
        h.push_str(&row(&[label.to_string(), v]));
    }
    h.push_str("</table>\n");

    let a = &r.adoption;
    h.push_str(&format!("<h2>Adoption</h2><p class=\"def\">{}</p><table>", escape(crate::kpi::adoption::DEF_FEATURE)));
    h.push_str(&header(&["Feature or action", "Users", "Share"]));
    for f in &a.features {
        h.push_str(&row(&[f.feature.clone(), f.users.to_string(), fmt(f.share, "share")]));
    }
    h.push_str(&format!("</table><p class=\"def\">{}</p><table>", escape(crate::kpi::adoption::DEF_P95)));
    h.push_str(&header(&["Path", "Calls", "p95 latency", "Success rate"]));
    for k in &a.key_calls {
        h.push_str(&row(&[k.path.clone(), k.calls.to_string(), fmt(Some(k.p95_ms), "ms"), fmt(Some(k.success_rate), "share")]));
    }
    h.push_str("</table>\n");
    if r.validation.is_none() {
        h.push_str("<p class=\"def\">First-time-fix rate, validation lead time and validation backlog appear here once fix validations are recorded.</p>\n");
    }
    h.push_str("</body></html>\n");
    h
}

/// The definition printed under a chart.
pub fn chart_caption(kind: ChartKind) -> &'static str {
    use crate::kpi::{adoption as a, operations as o, satisfaction as s};
    match kind {
        ChartKind::IncidentTrend => o::DEF_VOLUME,
        ChartKind::Backlog => o::DEF_BACKLOG,
        ChartKind::TimeToResolve => o::DEF_TTR,
        ChartKind::Reopen => o::DEF_REOPEN,
        ChartKind::Satisfaction => s::DEF_CSAT,
        ChartKind::Adoption => a::DEF_DAU,
        ChartKind::ExitCriteria => "Hypercare exit criteria: each one PASS, FAIL or NO DATA with the measured value and its threshold.",
    }
}
