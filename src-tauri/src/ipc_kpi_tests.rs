//! The KPI settings dialog's calls over IPC (see [`crate::ipc_tests`] for
//! the harness): the form lists every setting, a save changes the next
//! dashboard at once, a refused value names its field and saves nothing.

use serde_json::{json, Value};

use crate::ipc_tests::{harness, invoke, Harness};

fn field(form: &Value, key: &str) -> Value {
    form["fields"].as_array().unwrap().iter().find(|f| f["key"] == key).cloned().unwrap_or_else(|| panic!("no field {key}: {form}"))
}

fn exit_tile(h: &Harness, id: &str) -> Value {
    let d = invoke(h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null })).unwrap();
    d["exit_criteria"].as_array().unwrap().iter().find(|t| t["id"] == id).cloned().unwrap_or_else(|| panic!("no tile {id}: {d}"))
}

#[test]
fn saved_kpi_settings_change_the_next_dashboard_over_ipc() {
    let h = harness();
    let form = invoke(&h, "kpi_settings", json!({})).unwrap();
    assert_eq!(form["fields"].as_array().unwrap().len(), 13);
    let csat = field(&form, "exit.csat_min");
    assert_eq!((csat["value"].as_str(), csat["default"].as_str(), csat["unit"].as_str()), (Some("80"), Some("80"), Some("%")));
    assert!(form["timezones"].as_array().unwrap().iter().any(|z| z == "America/Sao_Paulo"));
    assert_eq!(exit_tile(&h, "no_open_p1")["requirement"], "≤ 0");

    let changes = json!({ "changes": [
        { "key": "exit.max_open_p1", "value": "3" },
        { "key": "exit.csat_min", "value": "75%" },
        { "key": "timezone", "value": "Europe/Berlin" },
    ]});
    let saved = invoke(&h, "save_kpi_settings", changes).unwrap();
    assert_eq!(field(&saved, "exit.csat_min")["value"], "75");
    assert_eq!(exit_tile(&h, "no_open_p1")["requirement"], "≤ 3");
    assert_eq!(exit_tile(&h, "csat")["threshold"], 0.75);
    let d = invoke(&h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null })).unwrap();
    assert_eq!(d["timezone"], "Europe/Berlin");
}

#[test]
fn a_refused_kpi_setting_names_its_field_and_saves_nothing_over_ipc() {
    let h = harness();
    let bad = json!({ "changes": [
        { "key": "licensed_users", "value": "250" },
        { "key": "timezone", "value": "Europe/Atlantis" },
    ]});
    let err = invoke(&h, "save_kpi_settings", bad).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("invalid_input"), Some("timezone")), "{err}");
    assert!(err["message"].as_str().unwrap().contains("Europe/Atlantis"), "{err}");
    let form = invoke(&h, "kpi_settings", json!({})).unwrap();
    assert_eq!(field(&form, "licensed_users")["value"], "", "the valid change beside it was not saved");
    assert_eq!(field(&form, "timezone")["value"], "UTC");
}

#[test]
fn the_dashboard_draws_its_charts_in_the_scheme_the_ui_sends() {
    let h = harness();
    let first_fill = |d: &Value| {
        let svg = d["charts"][0]["svg"].as_str().unwrap().to_string();
        let rect = &svg[svg.find("<rect").unwrap()..];
        rect[rect.find("fill=\"").unwrap() + 6..].split('"').next().unwrap().to_string()
    };
    let dark = invoke(&h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null, "theme": "dark" })).unwrap();
    let light = invoke(&h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null, "theme": "light" })).unwrap();
    let unsaid = invoke(&h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null })).unwrap();
    assert_eq!(first_fill(&dark), "#1A1D28");
    assert_eq!((first_fill(&light), first_fill(&unsaid)), ("#FFFFFF".to_string(), "#FFFFFF".to_string()));
    // The scheme changes colours only: the points sit where they did (`as_of` is each call's now).
    let placed = |d: &Value| {
        let p = &d["charts"][0]["points"];
        (p["plot"].clone(), p["buckets"].as_array().unwrap().iter().map(|b| (b["x0"].clone(), b["x1"].clone())).collect::<Vec<_>>())
    };
    assert_eq!(placed(&dark), placed(&light));
    let bad = invoke(&h, "kpi_dashboard", json!({ "from": null, "to": null, "filter": null, "theme": "sepia" })).unwrap_err();
    assert!(bad.to_string().contains("sepia"), "{bad}");
}
