//! KPI settings kept in the store (`kpi_settings`): time zone, licensed
//! population, SLA targets per priority and the hypercare exit thresholds.
//!
//! One path changes them for every front end: [`Store::update_kpi_settings`]
//! checks every [`KpiSettingChange`] with [`KpiSettings::apply`] and writes
//! them in one transaction, or none of them. The CLI's `--set KEY=VALUE`
//! ([`KpiSettingChange::parse`]) and the app's settings dialog
//! ([`form`](super::settings_form)) both call it.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::priority::Priority;
use super::settings_form::{field_value, spec};
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

/// The keys [`Store::update_kpi_settings`] accepts.
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

/// One setting to change: `value` as the CLI takes it after `KEY=`; an
/// empty value restores the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KpiSettingChange {
    pub key: String,
    pub value: String,
}

impl KpiSettingChange {
    /// Parse the CLI's `KEY=VALUE` (`licensed_users=400`, `timezone=`).
    pub fn parse(kv: &str) -> Result<Self> {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Error::invalid(format!("{kv:?}: write KEY=VALUE, e.g. licensed_users=400")))?;
        Ok(KpiSettingChange { key: k.trim().to_string(), value: v.to_string() })
    }
}

/// The range a setting accepts (inclusive), in its unit: targets and
/// counts outside it are typing slips, not policies (a P1 target of 0 or
/// of eleven million years). Documented in each field's help and in
/// `docs/kpis.md`.
pub const HOURS_RANGE: (f64, f64) = (0.1, 8760.0);
/// Licensed users: at least one, at most ten million.
pub const USERS_RANGE: (u32, u32) = (1, 10_000_000);
/// Open P1 tickets allowed at the exit.
pub const OPEN_P1_RANGE: (u32, u32) = (0, 10_000);

/// A refused value: the message names the setting by its label ("P1
/// resolution target: …"), as the dialog shows it; the error's field is
/// the key, which the CLI adds for its `--set KEY=VALUE` reader.
fn refuse(key: &str, why: String) -> Error {
    let name = spec(key).map_or(key, |s| s.label);
    Error::invalid_field(key, format!("{name}: {why}"))
}

/// A number written with thousands separators, as the messages show it ("8,760").
fn grouped(n: f64) -> String {
    let s = format!("{n}");
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    frac.map_or(out.clone(), |f| format!("{out}.{f}"))
}

fn parse_num(key: &str, v: &str) -> Result<f64> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| refuse(key, format!("{:?} is not a number of 0 or more", v.trim())))
}

fn hours(key: &str, v: &str) -> Result<f64> {
    let x = parse_num(key, v)?;
    let (min, max) = HOURS_RANGE;
    if x == 0.0 {
        return Err(refuse(key, "a target of 0 hours can never be met; give more than 0 hours".into()));
    }
    if !(min..=max).contains(&x) {
        return Err(refuse(
            key,
            format!("{} hours is outside the range; give {min} to {} hours (6 minutes to a year)", grouped(x), grouped(max)),
        ));
    }
    Ok(x)
}

/// A whole number within `range`.
fn whole(key: &str, v: &str, (min, max): (u32, u32)) -> Result<u32> {
    let x = parse_num(key, v)?;
    if x.fract() != 0.0 {
        return Err(refuse(key, format!("{:?} is not a whole number", v.trim())));
    }
    if !(min as f64..=max as f64).contains(&x) {
        return Err(refuse(key, format!("{} is outside the range; give {} to {}", grouped(x), grouped(min.into()), grouped(max.into()))));
    }
    Ok(x as u32)
}

/// A share: `0.9`, or a percentage `90%`.
fn share(key: &str, v: &str) -> Result<f64> {
    let t = v.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(p) => (p.trim(), 100.0),
        None => (t, 1.0),
    };
    let x = parse_num(key, num)? / scale;
    if x > 1.0 {
        return Err(refuse(key, format!("{t} must be a share between 0 and 1 (0.9), or a percentage up to 100%")));
    }
    Ok(x)
}

fn prio_slot(suffix: &str) -> Option<usize> {
    Priority::ALL.iter().position(|p| p.label() == suffix).filter(|i| *i < 4)
}

fn unknown(key: &str) -> Error {
    Error::invalid(format!("unknown KPI setting {key:?}; known: {}", KEYS.join(", ")))
}

impl KpiSettings {
    /// Apply one `key = value`; an empty value restores the default. A
    /// refused value is an [`Error::InvalidField`] naming the key, and
    /// leaves `self` as it was.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<()> {
        let d = KpiSettings::default();
        let empty = value.trim().is_empty();
        match key {
            "timezone" => {
                self.timezone = if empty {
                    d.timezone
                } else {
                    let tz = super::Period::parse_tz(value.trim()).map_err(|e| refuse(key, e.to_string()))?;
                    tz.name().to_string()
                }
            }
            "licensed_users" => self.licensed_users = if empty { None } else { Some(whole(key, value, USERS_RANGE)?) },
            "exit.sla_met_min" => self.exit_sla_met_min = if empty { d.exit_sla_met_min } else { share(key, value)? },
            "exit.csat_min" => self.exit_csat_min = if empty { d.exit_csat_min } else { share(key, value)? },
            "exit.max_open_p1" => self.exit_max_open_p1 = if empty { d.exit_max_open_p1 } else { whole(key, value, OPEN_P1_RANGE)? },
            _ => {
                let (table, default, suffix) = if let Some(s) = key.strip_prefix("sla_resolve_hours.") {
                    (&mut self.sla_resolve_hours, d.sla_resolve_hours, s)
                } else if let Some(s) = key.strip_prefix("sla_ack_hours.") {
                    (&mut self.sla_ack_hours, d.sla_ack_hours, s)
                } else {
                    return Err(unknown(key));
                };
                let slot = prio_slot(suffix).ok_or_else(|| unknown(key))?;
                table[slot] = if empty { default[slot] } else { Some(hours(key, value)?) };
            }
        }
        Ok(())
    }
}

/// Read the settings from a connection. A stored value this build refuses
/// (written by an older one with laxer checks) is logged and the default
/// used, so the dashboard still opens and the dialog can correct it.
pub fn load_settings(c: &Connection) -> Result<KpiSettings> {
    let mut s = KpiSettings::default();
    let mut stmt = c.prepare("SELECT key, value FROM kpi_settings ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (k, v) = row?;
        // A key from a newer build is ignored rather than failing the report.
        if KEYS.contains(&k.as_str()) {
            if let Err(e) = s.apply(&k, &v) {
                tracing::warn!("KPI setting {k} ignored, the default applies: {e}");
            }
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
        self.update_kpi_settings(&[KpiSettingChange { key: key.into(), value: value.into() }])
    }

    /// Apply `changes` in order and store them in one transaction: every one
    /// is checked first, and a refused one (an [`Error::InvalidField`]
    /// naming its key) leaves the store as it was. A value equal to the
    /// default (or empty) removes the stored row, so the setting follows the
    /// default. Returns the settings now in force.
    pub fn update_kpi_settings(&self, changes: &[KpiSettingChange]) -> Result<KpiSettings> {
        let defaults = KpiSettings::default();
        self.with_tx(|tx| {
            let mut s = load_settings(tx)?;
            for c in changes {
                s.apply(&c.key, &c.value)?;
            }
            for c in changes {
                let value = c.value.trim();
                if value.is_empty() || field_value(&s, &c.key) == field_value(&defaults, &c.key) {
                    tx.execute("DELETE FROM kpi_settings WHERE key = ?1", [&c.key])?;
                } else {
                    tx.execute(
                        "INSERT INTO kpi_settings (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![c.key, value],
                    )?;
                }
            }
            Ok(s)
        })
    }
}
