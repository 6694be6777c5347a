//! The KPI settings as a form shows them: every setting with its label,
//! unit, current value and default, and the time zones to choose from.
//! Values are written in the field's unit (`90` for a 90 % threshold); the
//! app sends a `%` field's value with its `%`, which
//! [`KpiSettings::apply`](super::KpiSettings::apply) reads as a percentage.

use serde::Serialize;
use ts_rs::TS;

use super::settings::{KpiSettings, KEYS};
use crate::{Result, Store};

/// What a setting is, for people.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub key: &'static str,
    pub label: &'static str,
    pub group: &'static str,
    /// `zone`, `users`, `hours`, `%` or `tickets`.
    pub unit: &'static str,
    pub help: &'static str,
}

const WORKSPACE: &str = "Workspace";
const RESOLVE: &str = "SLA: resolve within";
const ACK: &str = "SLA: acknowledge within";
const EXIT: &str = "Exit criteria";
const RESOLVE_HELP: &str = "Wall-clock hours from creation to resolution; 0.1 to 8,760 hours (a year).";
const ACK_HELP: &str = "Wall-clock hours from creation to the first response; 0.1 to 8,760 hours (a year).";

const SPECS: [Spec; 13] = [
    Spec { key: "timezone", label: "Time zone", group: WORKSPACE, unit: "zone", help: "Days and weeks of every chart start at this zone's midnight." },
    Spec { key: "licensed_users", label: "Licensed users", group: WORKSPACE, unit: "users", help: "The adoption and response-rate denominator, 1 to 10,000,000; empty: not set (those KPIs show no data)." },
    Spec { key: "sla_resolve_hours.P1", label: "P1 resolution target", group: RESOLVE, unit: "hours", help: RESOLVE_HELP },
    Spec { key: "sla_resolve_hours.P2", label: "P2 resolution target", group: RESOLVE, unit: "hours", help: RESOLVE_HELP },
    Spec { key: "sla_resolve_hours.P3", label: "P3 resolution target", group: RESOLVE, unit: "hours", help: RESOLVE_HELP },
    Spec { key: "sla_resolve_hours.P4", label: "P4 resolution target", group: RESOLVE, unit: "hours", help: RESOLVE_HELP },
    Spec { key: "sla_ack_hours.P1", label: "P1 acknowledgement target", group: ACK, unit: "hours", help: ACK_HELP },
    Spec { key: "sla_ack_hours.P2", label: "P2 acknowledgement target", group: ACK, unit: "hours", help: ACK_HELP },
    Spec { key: "sla_ack_hours.P3", label: "P3 acknowledgement target", group: ACK, unit: "hours", help: ACK_HELP },
    Spec { key: "sla_ack_hours.P4", label: "P4 acknowledgement target", group: ACK, unit: "hours", help: ACK_HELP },
    Spec { key: "exit.sla_met_min", label: "Minimum P1/P2 within SLA", group: EXIT, unit: "%", help: "Share of P1/P2 tickets resolved within their target, 0 to 100 %." },
    Spec { key: "exit.csat_min", label: "Minimum CSAT", group: EXIT, unit: "%", help: "Share of survey answers rating 4–5 of 5, 0 to 100 %." },
    Spec { key: "exit.max_open_p1", label: "Most open P1 tickets", group: EXIT, unit: "tickets", help: "P1 tickets allowed open at the end of the period, 0 to 10,000." },
];

/// The description of `key`, when it is a setting.
pub(crate) fn spec(key: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.key == key)
}

/// A number as a form shows it: no trailing zeros (`4`, `0.5`, `90`).
fn num(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    format!("{r}")
}

fn hours(table: &[Option<f64>; 5], key: &str) -> String {
    let slot = key.rsplit('.').next().and_then(|p| p.strip_prefix('P')).and_then(|n| n.parse::<usize>().ok());
    slot.and_then(|n| table.get(n.wrapping_sub(1)).copied().flatten()).map(num).unwrap_or_default()
}

/// The value of setting `key` in `s`, in the field's unit ("" when unset,
/// or for an unknown key).
pub fn field_value(s: &KpiSettings, key: &str) -> String {
    match key {
        "timezone" => s.timezone.clone(),
        "licensed_users" => s.licensed_users.map(|n| n.to_string()).unwrap_or_default(),
        "exit.sla_met_min" => num(s.exit_sla_met_min * 100.0),
        "exit.csat_min" => num(s.exit_csat_min * 100.0),
        "exit.max_open_p1" => s.exit_max_open_p1.to_string(),
        k if k.starts_with("sla_resolve_hours.") => hours(&s.sla_resolve_hours, k),
        k if k.starts_with("sla_ack_hours.") => hours(&s.sla_ack_hours, k),
        _ => String::new(),
    }
}

/// One setting in the settings dialog.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiSettingField {
    /// The key to send back (`licensed_users`, `sla_resolve_hours.P1`…).
    pub key: String,
    pub label: String,
    /// The heading it is listed under.
    pub group: String,
    /// `zone`, `users`, `hours`, `%` or `tickets`.
    pub unit: String,
    /// The value in force, in `unit` ("" when not set).
    pub value: String,
    /// The default, in `unit` ("" when the default is "not set").
    pub default: String,
    pub help: String,
}

/// Everything the settings dialog shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KpiSettingsForm {
    /// Every setting, in [`KEYS`] order.
    pub fields: Vec<KpiSettingField>,
    /// The IANA time zone names a workspace may use, sorted.
    pub timezones: Vec<String>,
}

/// The IANA time zone names the core accepts, sorted.
pub fn timezones() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    v.sort_unstable();
    v
}

/// The form of settings `s`.
pub fn form(s: &KpiSettings) -> KpiSettingsForm {
    let d = KpiSettings::default();
    let fields = KEYS
        .iter()
        .filter_map(|k| spec(k))
        .map(|sp| KpiSettingField {
            key: sp.key.into(),
            label: sp.label.into(),
            group: sp.group.into(),
            unit: sp.unit.into(),
            value: field_value(s, sp.key),
            default: field_value(&d, sp.key),
            help: sp.help.into(),
        })
        .collect();
    KpiSettingsForm { fields, timezones: timezones().into_iter().map(String::from).collect() }
}

impl Store {
    /// The settings dialog's content for this workspace.
    pub fn kpi_settings_form(&self) -> Result<KpiSettingsForm> {
        self.kpi_settings().map(|s| form(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_described_field_in_its_unit() {
        let f = form(&KpiSettings::default());
        assert_eq!(f.fields.iter().map(|x| x.key.as_str()).collect::<Vec<_>>(), KEYS);
        let by = |k: &str| f.fields.iter().find(|x| x.key == k).cloned().unwrap();
        assert_eq!((by("exit.sla_met_min").value, by("exit.sla_met_min").unit), ("90".into(), "%".into()));
        assert_eq!(by("sla_ack_hours.P1").default, "0.5");
        assert_eq!(by("licensed_users").default, "", "not set by default");
        assert!(f.timezones.iter().any(|z| z == "Europe/Berlin") && f.timezones.iter().any(|z| z == "UTC"));
        assert!(f.timezones.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    }

    #[test]
    fn a_form_value_sent_back_in_its_unit_sets_the_same_value() {
        let mut s = KpiSettings::default();
        s.apply("exit.csat_min", "72.5%").unwrap();
        s.apply("sla_resolve_hours.P3", "36").unwrap();
        assert_eq!(field_value(&s, "exit.csat_min"), "72.5");
        assert!((s.exit_csat_min - 0.725).abs() < 1e-12);
        let mut again = KpiSettings::default();
        for f in form(&s).fields {
            let v = if f.unit == "%" { format!("{}%", f.value) } else { f.value };
            again.apply(&f.key, &v).unwrap();
        }
        assert_eq!(again, s);
    }
}
