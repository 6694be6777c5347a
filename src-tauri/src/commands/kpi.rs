//! The KPI dashboard and the report export, for a period and a filter
//! (source, priority, category) of the tickets counted.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use hypercare::charts::{self, ChartKind, ChartPoints, ChartTheme};
use hypercare::kpi::{self, KpiFilter, KpiReport, KpiSettingChange, KpiSettingsForm, Period};
use hypercare::{report, Error, Store};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{blocking, CmdResult};
use crate::state::AppState;

/// Chart size sent to the dashboard (the image scales to its tile).
const SVG_SIZE: (u32, u32) = (900, 540);

/// One KPI tile: a headline value or an exit criterion.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiTile {
    pub id: String,
    pub label: String,
    pub value: Option<f64>,
    /// `share` (0..1), `hours`, `tickets`, `score`, `users`, `ms`, `count`.
    pub unit: String,
    /// The value as the report prints it (`87.5 %`, `4.2 h`, `no data`).
    pub display: String,
    pub definition: String,
    /// Exit criteria only: the threshold, what is required (`≥ 90.0 %`) and
    /// whether it is met (`None`: no data).
    pub threshold: Option<f64>,
    pub requirement: Option<String>,
    pub passed: Option<bool>,
}

/// One chart as an SVG document (shown as an `<img>`, never as markup)
/// with its points: where each is drawn and the tickets behind it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiChart {
    /// File stem, e.g. `incident_trend`.
    pub id: String,
    pub title: String,
    pub svg: String,
    pub points: ChartPoints,
}

/// What the dashboard shows for one period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiDashboard {
    /// First and last local day (`YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    pub timezone: String,
    /// The filter the ticket KPIs were computed with, and in words ("" when none).
    pub filter: KpiFilter,
    pub filter_text: String,
    pub headline: Vec<KpiTile>,
    pub exit_criteria: Vec<KpiTile>,
    pub exit_passed: Option<bool>,
    pub charts: Vec<KpiChart>,
    /// True when the period has no tickets (created, resolved or open), survey
    /// answers or usage at all.
    pub empty: bool,
}

/// The files an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExportedReport {
    pub dir: String,
    pub html: String,
    pub pdf: String,
    pub json: String,
    pub pngs: Vec<String>,
}

fn parse_day(what: &str, s: Option<&str>) -> hypercare::Result<Option<NaiveDate>> {
    s.filter(|v| !v.trim().is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| Error::invalid(format!("{what} {v:?}: use a date like 2026-09-28")))
        })
        .transpose()
}

/// The KPIs for `from..=to` (missing ends: the data window, as the CLI)
/// over the tickets that pass `filter`.
pub fn compute_report(
    store: &Store,
    from: Option<&str>,
    to: Option<&str>,
    filter: &KpiFilter,
    now: DateTime<Utc>,
) -> hypercare::Result<KpiReport> {
    let settings = store.kpi_settings()?;
    let tz = Period::parse_tz(&settings.timezone)?;
    let period = kpi::default_period(store, tz, now, parse_day("from", from)?, parse_day("to", to)?)?;
    kpi::compute_with(store, &period, &settings, filter, now)
}

/// The dashboard's data for a computed report, its charts drawn in `theme`.
pub fn dashboard(r: &KpiReport, theme: ChartTheme) -> hypercare::Result<KpiDashboard> {
    let headline = r
        .headline
        .iter()
        .map(|k| KpiTile {
            id: k.id.into(),
            label: k.label.into(),
            value: k.value,
            unit: k.unit.into(),
            display: charts::format_value(k.value, k.unit),
            definition: k.definition.into(),
            threshold: None,
            requirement: None,
            passed: None,
        })
        .collect();
    let exit_criteria = r
        .exit_criteria
        .iter()
        .map(|c| KpiTile {
            id: c.id.into(),
            label: c.label.clone(),
            value: c.value,
            unit: c.unit.into(),
            display: charts::format_value(c.value, c.unit),
            definition: c.definition.into(),
            threshold: Some(c.threshold),
            requirement: Some(charts::requirement(c)),
            passed: c.passed,
        })
        .collect();
    let charts = ChartKind::ALL
        .into_iter()
        .map(|k| {
            let (svg, points) = charts::render_svg_with_points(k, r, SVG_SIZE, theme)?;
            Ok(KpiChart { id: k.stem().into(), title: k.title().into(), svg, points })
        })
        .collect::<hypercare::Result<Vec<_>>>()?;
    let o = &r.operations;
    let empty = o.created_total == 0
        && o.resolved_total == 0
        && o.backlog.iter().all(|b| *b == 0)
        && r.satisfaction.respondents == 0
        && r.adoption.events == 0
        && r.adoption.gateway_calls == 0;
    Ok(KpiDashboard {
        from: r.period.from.to_string(),
        to: r.period.to.to_string(),
        timezone: r.period.tz.name().into(),
        filter: r.filter.clone(),
        filter_text: r.filter.describe(),
        headline,
        exit_criteria,
        exit_passed: r.exit_passed,
        charts,
        empty,
    })
}

/// KPI values with definitions and every chart as SVG with its points for
/// `from..=to` (`YYYY-MM-DD`; `null`: the whole data window), the ticket
/// KPIs over the tickets that pass `filter` (`null`: all), the charts in
/// the UI's colour scheme `theme` (`null`: light).
#[tauri::command]
pub async fn kpi_dashboard(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    filter: Option<KpiFilter>,
    theme: Option<ChartTheme>,
) -> CmdResult<KpiDashboard> {
    state.refine.touch();
    let store = state.store().await?;
    let filter = filter.unwrap_or_default();
    let theme = theme.unwrap_or_default();
    blocking(move || dashboard(&compute_report(&store, from.as_deref(), to.as_deref(), &filter, Utc::now())?, theme)).await
}

/// Write the report (PNGs, HTML, PDF, JSON) for `from..=to` and `filter`
/// into `out_dir` (default: `reports/<from>_<to>` in the workspace folder).
#[tauri::command]
pub async fn export_report(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    out_dir: Option<String>,
    filter: Option<KpiFilter>,
) -> CmdResult<ExportedReport> {
    let store = state.store().await?;
    let data_dir = state.data_dir.clone();
    let filter = filter.unwrap_or_default();
    blocking(move || {
        let r = compute_report(&store, from.as_deref(), to.as_deref(), &filter, Utc::now())?;
        let dir = match out_dir.filter(|d| !d.trim().is_empty()) {
            Some(d) => PathBuf::from(d),
            None => data_dir.join("reports").join(format!("{}_{}", r.period.from, r.period.to)),
        };
        let f = report::write_report(&r, &dir)?;
        let s = |p: &std::path::Path| p.display().to_string();
        Ok(ExportedReport {
            dir: s(&dir),
            html: s(&f.html),
            pdf: s(&f.pdf),
            json: s(&f.json),
            pngs: f.pngs.iter().map(|p| s(p)).collect(),
        })
    })
    .await
}

/// Every KPI setting with its current value, default and unit, and the
/// time zones to choose from (the settings dialog).
#[tauri::command]
pub async fn kpi_settings(state: State<'_, AppState>) -> CmdResult<KpiSettingsForm> {
    let store = state.store().await?;
    blocking(move || store.kpi_settings_form()).await
}

/// Apply `changes` (all or none; an empty value restores the default) and
/// return the dialog's new content. A refused value is `invalid_input`
/// with `field` set to its key.
#[tauri::command]
pub async fn save_kpi_settings(state: State<'_, AppState>, changes: Vec<KpiSettingChange>) -> CmdResult<KpiSettingsForm> {
    let store = state.store().await?;
    blocking(move || store.update_kpi_settings(&changes).map(|s| kpi::settings_form::form(&s))).await
}
