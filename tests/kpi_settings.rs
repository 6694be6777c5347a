//! KPI settings changed the way both front ends change them
//! (`Store::update_kpi_settings`): they persist in the store file, the next
//! report is computed with them, and a refused value changes nothing.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use fixtures::*;
use hypercare::import::usage::{import_usage, UsageFormat};
use hypercare::import::ImportOptions;
use hypercare::kpi::{compute, KpiReport, KpiSettingChange, KpiSettings, Period};
use hypercare::{ErrorCode, Store};

fn set(pairs: &[(&str, &str)]) -> Vec<KpiSettingChange> {
    pairs.iter().map(|(k, v)| KpiSettingChange { key: (*k).into(), value: (*v).into() }).collect()
}

fn report(store: &Store) -> KpiReport {
    let settings = store.kpi_settings().unwrap();
    let tz = Period::parse_tz(&settings.timezone).unwrap();
    let period = Period::new(day(2026, 10, 5), day(2026, 10, 11), tz).unwrap();
    compute(store, &period, &settings, t("2026-11-27T12:00:00Z")).unwrap()
}

fn passed(r: &KpiReport, id: &str) -> Option<bool> {
    r.exit_criteria.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no exit criterion {id}")).passed
}

fn stored_rows(store: &Store) -> Vec<(String, String)> {
    store
        .read(|c| {
            let mut st = c.prepare("SELECT key, value FROM kpi_settings ORDER BY key")?;
            let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
        .unwrap()
}

/// Two open P1 tickets and six users active in the week of Oct 5.
fn hypercare(dir: &std::path::Path) -> Store {
    let (store, src) = store_with_source(dir);
    insert(&store, src, &[Tk::new("1", "P1", "2026-10-05T09:00:00Z"), Tk::new("2", "P1", "2026-10-06T09:00:00Z")]);
    let usage = dir.join("usage.csv");
    let mut csv = String::from("user,timestamp,feature,outcome\n");
    for u in 1..=6 {
        csv.push_str(&format!("u{u},2026-10-{:02}T10:00:00Z,Orders,success\n", 4 + u));
    }
    std::fs::write(&usage, csv).unwrap();
    import_usage(&store, &usage, UsageFormat::Csv, ImportOptions::default(), t("2026-11-27T12:00:00Z")).unwrap();
    store
}

#[test]
fn saved_settings_persist_and_change_the_next_report() {
    let dir = tempfile::tempdir().unwrap();
    let store = hypercare(dir.path());
    let before = report(&store);
    assert_eq!(before.adoption.active_share, None, "no licensed users: no adoption share");
    assert_eq!(passed(&before, "no_open_p1"), Some(false), "two P1 open, none allowed by default");

    let s = store
        .update_kpi_settings(&set(&[("licensed_users", "60"), ("exit.max_open_p1", "2"), ("exit.csat_min", "72.5%"), ("timezone", "Europe/Berlin")]))
        .unwrap();
    assert_eq!((s.licensed_users, s.exit_max_open_p1, s.timezone.as_str()), (Some(60), 2, "Europe/Berlin"));
    drop(store);

    // A new process reads them back from the file.
    let store = Store::open(dir.path().join("hc.sqlite3")).unwrap();
    let s = store.kpi_settings().unwrap();
    assert_eq!((s.licensed_users, s.exit_max_open_p1), (Some(60), 2));
    assert!((s.exit_csat_min - 0.725).abs() < 1e-12);
    let after = report(&store);
    // Six active users of 60 licensed.
    assert!(after.adoption.active_share.is_some_and(|a| (a - 0.1).abs() < 1e-9), "{:?}", after.adoption.active_share);
    assert_eq!(passed(&after, "no_open_p1"), Some(true), "two P1 open, two allowed");
    assert_eq!(after.period.tz.name(), "Europe/Berlin");

    store.update_kpi_settings(&set(&[("licensed_users", "30")])).unwrap();
    assert!(report(&store).adoption.active_share.is_some_and(|a| (a - 0.2).abs() < 1e-9));
}

#[test]
fn a_refused_value_names_its_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = hypercare(dir.path());
    store.update_kpi_settings(&set(&[("licensed_users", "60")])).unwrap();
    let rows = stored_rows(&store);

    // The message names the setting as the dialog labels it, never by its
    // internal key (the error's `field` carries the key for the form).
    let cases = [
        ("exit.max_open_p1", "two", "Most open P1 tickets: \"two\" is not a number"),
        ("timezone", "Mars/Olympus", "unknown time zone \"Mars/Olympus\""),
        ("exit.csat_min", "120%", "percentage up to 100%"),
        ("sla_resolve_hours.P1", "0", "P1 resolution target: a target of 0 hours can never be met"),
        ("licensed_users", "12.5", "not a whole number"),
        // Outside the documented range of each setting (a QA pass saved these).
        ("sla_resolve_hours.P1", "99999999999", "P1 resolution target: 99,999,999,999 hours is outside the range; give 0.1 to 8,760 hours"),
        ("sla_ack_hours.P2", "0.01", "P2 acknowledgement target: 0.01 hours is outside the range"),
        ("licensed_users", "20000000", "Licensed users: 20,000,000 is outside the range; give 1 to 10,000,000"),
        ("exit.max_open_p1", "100000", "Most open P1 tickets: 100,000 is outside the range; give 0 to 10,000"),
    ];
    for (key, value, says) in cases {
        // The valid change before it is not written either: all or nothing.
        let err = store.update_kpi_settings(&set(&[("licensed_users", "30"), (key, value)])).unwrap_err();
        assert_eq!((err.code(), err.field()), (ErrorCode::InvalidInput, Some(key)), "{err}");
        assert!(err.to_string().contains(says), "{key}={value}: {err}");
        assert!(!err.to_string().contains(key), "{key}={value}: the message shows the internal key: {err}");
        assert_eq!(stored_rows(&store), rows, "{key}={value} changed the store");
    }
    let unknown = store.update_kpi_settings(&set(&[("sla_resolve_hours.P9", "4")])).unwrap_err();
    assert!(unknown.to_string().contains("unknown KPI setting"), "{unknown}");
    assert_eq!(store.kpi_settings().unwrap().licensed_users, Some(60));
    // The ends of each range are accepted.
    store
        .update_kpi_settings(&set(&[("sla_resolve_hours.P1", "8760"), ("sla_ack_hours.P1", "0.1"), ("licensed_users", "10000000"), ("exit.max_open_p1", "10000")]))
        .unwrap();
}

#[test]
fn a_value_reset_to_its_default_is_no_longer_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with_source(dir.path());
    store.update_kpi_settings(&set(&[("exit.csat_min", "70%"), ("sla_ack_hours.P2", "3"), ("licensed_users", "400")])).unwrap();
    assert_eq!(stored_rows(&store).len(), 3);
    // The dialog's "Reset to defaults": the default values (or empty) sent back.
    let s = store.update_kpi_settings(&set(&[("exit.csat_min", "80%"), ("sla_ack_hours.P2", "2"), ("licensed_users", "")])).unwrap();
    assert_eq!(s, KpiSettings::default());
    assert_eq!(stored_rows(&store), vec![], "the settings follow the defaults again");
}
