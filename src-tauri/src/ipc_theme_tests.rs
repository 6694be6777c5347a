//! The trainers' theme edits as the UI calls them over IPC (see
//! [`crate::ipc_tests`] for the harness): split picks from a theme's
//! tickets, a merge is undone, a marker is removed, a future one refused.

use hypercare::store::tickets::upsert_tickets;
use serde_json::{json, Value};
use tauri::Manager;

use crate::ipc_tests::{harness, invoke, record, Harness};
use crate::state::AppState;

/// Two recurring problems: five payslip tickets (#3..#7), three leave tickets (#8..#10).
fn with_themes() -> Harness {
    let h = harness();
    let texts = [
        ("Overtime missing from payslip", "My payslip shows no overtime hours for last month although my timesheet was approved."),
        ("payslip overtime not paid", "overtime hours from the timesheet did not reach the payslip again"),
        ("Overtime hours not on payslip", "Three of us on night shift got payslips without the overtime from approved timesheets."),
        ("where is overtime on my payslip", "Approved timesheet overtime is not on the payslip."),
        ("Payslip overtime missing", "Overtime from my timesheet is missing on this payslip too."),
        ("Leave request stuck", "My annual leave request has been pending approval for two weeks; my manager cannot see it in the approvals inbox."),
        ("manager can't find leave approvals", "As a manager I cannot find the leave requests waiting for my approval in the inbox."),
        ("Leave approval inbox empty", "Leave requests pending approval do not show in the approvals inbox for managers."),
    ];
    let records: Vec<_> = texts.iter().enumerate().map(|(i, (t, d))| record(3 + i as u32, t, d)).collect();
    let state = h.window.state::<AppState>();
    state.store_now().unwrap().with_tx(|tx| upsert_tickets(tx, 1, &records)).unwrap();
    invoke(&h, "run_triage", json!({})).unwrap();
    h
}

fn themes(h: &Harness) -> Vec<Value> {
    invoke(h, "themes", json!({})).unwrap().as_array().unwrap().clone()
}

fn holding(themes: &[Value], key: &str) -> Value {
    themes.iter().find(|t| t["examples"].as_array().unwrap().iter().any(|e| e["key"] == key)).cloned().unwrap_or_else(|| panic!("no theme holds {key}: {themes:?}"))
}

#[test]
fn a_theme_is_split_from_its_listed_tickets_over_ipc() {
    let h = with_themes();
    let pay = holding(&themes(&h), "#3");
    let tickets = invoke(&h, "theme_items", json!({ "theme": pay["id"] })).unwrap();
    let tickets = tickets.as_array().unwrap();
    assert_eq!(Some(tickets.len() as u64), pay["count"].as_u64(), "every ticket, not only the examples: {tickets:?}");
    assert!(["#3", "#4", "#5", "#6", "#7"].iter().all(|k| tickets.iter().any(|t| t["key"] == *k)), "{tickets:?}");
    let ids: Vec<&Value> = tickets[tickets.len() - 2..].iter().map(|t| &t["ticket_id"]).collect();
    let new = invoke(&h, "split_theme", json!({ "theme": pay["id"], "ticketIds": ids, "commentIds": [], "name": "Late payslips" })).unwrap();
    let list = themes(&h);
    let split = list.iter().find(|t| t["id"] == new).expect("new theme listed");
    assert_eq!((split["name"].as_str(), split["count"].as_u64()), (Some("Late payslips"), Some(2)));
    assert_eq!(list.iter().find(|t| t["id"] == pay["id"]).unwrap()["count"].as_u64(), pay["count"].as_u64().map(|n| n - 2));
    let none = invoke(&h, "split_theme", json!({ "theme": pay["id"], "ticketIds": [], "commentIds": [], "name": "x" })).unwrap_err();
    assert_eq!(none["code"], "invalid_input", "{none}");
}

#[test]
fn a_merge_is_undone_and_a_marker_removed_over_ipc() {
    let h = with_themes();
    let before = themes(&h);
    let (pay, leave) = (holding(&before, "#3"), holding(&before, "#8"));
    invoke(&h, "merge_themes", json!({ "from": leave["id"], "into": pay["id"] })).unwrap();
    assert_eq!(themes(&h).len(), before.len() - 1);
    assert_eq!(invoke(&h, "unmerge_theme", json!({ "theme": leave["id"] })).unwrap(), pay["id"]);
    let after = themes(&h);
    assert_eq!(after.len(), before.len());
    assert_eq!(holding(&after, "#8")["count"], leave["count"]);
    let again = invoke(&h, "unmerge_theme", json!({ "theme": leave["id"] })).unwrap_err();
    assert_eq!(again["code"], "invalid_input", "{again}");

    let marker = invoke(&h, "mark_theme_training", json!({ "theme": pay["id"], "date": "2024-03-04", "kind": "training", "note": "" })).unwrap();
    assert_eq!(holding(&themes(&h), "#3")["effects"].as_array().unwrap().len(), 1);
    invoke(&h, "remove_theme_training", json!({ "marker": marker })).unwrap();
    assert_eq!(holding(&themes(&h), "#3")["effects"], json!([]));
    let gone = invoke(&h, "remove_theme_training", json!({ "marker": marker })).unwrap_err();
    assert_eq!(gone["code"], "not_found", "{gone}");
    let future = invoke(&h, "mark_theme_training", json!({ "theme": pay["id"], "date": "2999-01-01", "kind": "training", "note": "" })).unwrap_err();
    assert_eq!(future["code"], "invalid_input", "{future}");
    assert!(future["message"].as_str().unwrap().contains("future"), "{future}");
}
