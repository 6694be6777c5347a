//! KPI settings kept in the store (`kpi_settings`): time zone, licensed
//! population, SLA targets per priority and the hypercare exit thresholds.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::priority::Priority;
use crate::{Error, Result, Store};

/// Everything the KPIs are measured against. Missing keys take the defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiSettings {
    /// IANA zone of the workspace; days are cut at its midnights.
    pub timezone: String,
    /// Users licensed for the new system (the adoption denominator).
    pub licensed_users: Option<u32>,
    /// Resolution target in wall-clock hours, per priority (P1..P4, unset).
    pub sla_resolve_hours: [Option<f64>; 5],
    /// Acknowledgement target in wall-clock hours, per priority.
    pub sla_ack_hours: [Option<f64>; 5],
    /// Exit criterion: minimum share of P1/P2 tickets within their SLA (0..1).
    pub exit_sla_met_min: f64,
    /// Exit criterion: minimum CSAT (0..1).
    pub exit_csat_min: f64,
    /// Exit criterion: most P1 tickets allowed open at the end of the period.
    pub exit_max_open_p1: u32,
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings {
            timezone: "UTC".into(),
            licensed_users: None,
            sla_resolve_hours: [Some(4.0), Some(24.0), Some(72.0), Some(120.0), None],
            sla_ack_hours: [Some(0.5), Some(2.0), Some(8.0), Some(24.0), None],
            exit_sla_met_min: 0.90,
            exit_csat_min: 0.80,
            exit_max_open_p1: 0,
        }
    }
}

/// The keys [`Store::set_kpi_setting`] accepts.
pub const KEYS: &[&str] = &[
    "timezone",
    "licensed_users",
    "sla_resolve_hours.P1",
    "sla_resolve_hours.P2",
    "sla_resolve_hours.P3",
    "sla_resolve_hours.P4",
    "sla_ack_hours.P1",
    "sla_ack_hours.P2",
    "sla_ack_hours.P3",
    "sla_ack_hours.P4",
    "exit.sla_met_min",
    "exit.csat_min",
    "exit.max_open_p1",
];

fn parse_num(key: &str, v: &str) -> Result<f64> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| Error::invalid(format!("setting {key}: {v:?} is not a non-negative number")))
}

fn prio_slot(suffix: &str) -> Option<usize> {
    Priority::ALL.iter().position(|p| p.label() == suffix)
}

impl KpiSettings {
    /// Apply one `key = value`; an empty value restores the default.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<()> {
        let d = KpiSettings::default();
        let empty = value.trim().is_empty();
        match key {
            "timezone" => {
                self.timezone = if empty { d.timezone } else { super::Period::parse_tz(value.trim())?.name().to_string() }
            }
            "licensed_users" => {
                self.licensed_users = if empty { None } else { Some(parse_num(key, value)?.round() as u32) }
            }
            "exit.sla_met_min" => self.exit_sla_met_min = if empty { d.exit_sla_met_min } else { share(key, value)? },
            "exit.csat_min" => self.exit_csat_min = if empty { d.exit_csat_min } else { share(key, value)? },
            "exit.max_open_p1" => {
                self.exit_max_open_p1 = if empty { d.exit_max_open_p1 } else { parse_num(key, value)?.round() as u32 }
            }
            _ => {
                let (table, default, suffix) = if let Some(s) = key.strip_prefix("sla_resolve_hours.") {
                    (&mut self.sla_resolve_hours, d.sla_resolve_hours, s)
                } else if let Some(s) = key.strip_prefix("sla_ack_hours.") {
                    (&mut self.sla_ack_hours, d.sla_ack_hours, s)
                } else {
                    return Err(Error::invalid(format!("unknown KPI setting {key:?}; known: {}", KEYS.join(", "))));
                };
                let slot = prio_slot(suffix)
                    .filter(|i| *i < 4)
                    .ok_or_else(|| Error::invalid(format!("unknown KPI setting {key:?}; known: {}", KEYS.join(", "))))?;
                table[slot] = if empty { default[slot] } else { Some(parse_num(key, value)?) };
            }
        }
        Ok(())
    }
}

fn share(key: &str, v: &str) -> Result<f64> {
    let x = parse_num(key, v)?;
    if x > 1.0 {
        return Err(Error::invalid(format!("setting {key}: {v} must be a share between 0 and 1 (0.9 for 90 %)")));
    }
    Ok(x)
}

/// Read the settings from a connection.
pub fn load_settings(c: &Connection) -> Result<KpiSettings> {
    let mut s = KpiSettings::default();
    let mut stmt = c.prepare("SELECT key, value FROM kpi_settings ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (k, v) = row?;
        // A key from a newer build is ignored rather than failing the report.
        if KEYS.contains(&k.as_str()) {
            s.apply(&k, &v)?;
        }
    }
    Ok(s)
}

impl Store {
    /// The KPI settings of this workspace.
    pub fn kpi_settings(&self) -> Result<KpiSettings> {
        self.read(load_settings)
    }

    /// Set one KPI setting (see [`KEYS`]); an empty value restores the default.
    pub fn set_kpi_setting(&self, key: &str, value: &str) -> Result<KpiSettings> {
        let mut s = self.kpi_settings()?;
        s.apply(key, value)?;
        self.with_tx(|tx| {
            if value.trim().is_empty() {
                tx.execute("DELETE FROM kpi_settings WHERE key = ?1", [key])?;
            } else {
                tx.execute(
                    "INSERT INTO kpi_settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value.trim()],
                )?;
            }
            Ok(())
        })?;
        Ok(s)
    }
}
