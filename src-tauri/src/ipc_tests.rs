//! The commands as the UI calls them: real IPC requests (the argument names
//! and JSON the UI sends) through Tauri's mock runtime, with the app's real
//! capabilities, over a real SQLite store in a temporary directory.

use hypercare::model::TicketRecord;
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

use crate::state::AppState;

pub(crate) struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    pub(crate) window: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

impl Harness {
    pub(crate) fn new(
        dir: tempfile::TempDir,
        app: tauri::App<tauri::test::MockRuntime>,
        window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    ) -> Harness {
        Harness { _dir: dir, _app: app, window }
    }
}

/// A ticket as a connector would deliver it (the connector's JSON shape).
pub(crate) fn record(id: u32, title: &str, description: &str) -> TicketRecord {
    let at = format!("2024-03-04T{:02}:00:00Z", 8 + id);
    serde_json::from_value(json!({
        "remote_id": id.to_string(), "key": format!("#{id}"), "title": title, "description": description,
        "status": "New", "status_class": "open", "priority": "High", "tracker": "Bug", "category": null,
        "assignee": "Maria Lopez", "reporter": null, "created_at": at, "updated_at": at, "resolved_at": null,
        "remote_version": "1", "raw": null, "comments": null, "status_changes": null
    }))
    .unwrap()
}

/// A harness whose background refinement never starts (it would load the
/// language model and embed the seed for every test at once).
pub(crate) fn harness() -> Harness {
    let h = harness_with_refinement();
    h._app.state::<AppState>().refine.defer(std::time::Duration::from_secs(24 * 3600));
    h
}

/// A harness whose background refinement runs as in the app.
fn harness_with_refinement() -> Harness {
    let dir = tempfile::TempDir::new().unwrap();
    let state = AppState::open(dir.path().to_path_buf(), dir.path().join("logs")).unwrap();
    let src = state
        .store_now()
        .unwrap()
        .add_source(
            &NewSource {
                name: "erp".into(),
                kind: hypercare::model::SourceKind::Redmine,
                url: "http://127.0.0.1:9".into(),
                project: "erp".into(),
                token_env: None,
                config: json!({}),
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let records = [
        record(1, "Invoice posting fails", "GL posting error on every invoice"),
        record(2, "Scanner lag on first shift", "Every scan takes 15 seconds"),
    ];
    state.store_now().unwrap().with_tx(|tx| upsert_tickets(tx, src.id, &records)).unwrap();
    let app = crate::with_commands(mock_builder()).manage(state).build(tauri::generate_context!()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { _dir: dir, _app: app, window }
}

/// Invoke `cmd` with `args` the way `invoke()` in the UI does.
pub(crate) fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&h.window, request).map(|b| b.deserialize::<Value>().unwrap())
}

/// The TicketQuery the UI sends for a search (see ui/src/lib/filters.ts).
pub(crate) fn query(search: Option<&str>) -> Value {
    json!({ "query": {
        "search": search, "status_class": null, "source": null, "priority": null, "category": null,
        "assignee": null, "updated_from": null, "updated_to": null, "include_deleted": false,
        "limit": 200, "offset": null
    }})
}

#[test]
fn search_over_ipc_returns_the_matching_rows() {
    let h = harness();
    let all = invoke(&h, "query_tickets", query(None)).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let hits = invoke(&h, "query_tickets", query(Some("invoice"))).unwrap();
    let keys: Vec<&str> = hits.as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["#1"]);
    assert_eq!(hits[0]["id"].as_i64().map(|id| id > 0), Some(true), "ids cross as JSON numbers");
    // The total behind a page, whatever its size.
    let mut one_row = query(None);
    one_row["query"]["limit"] = json!(1);
    assert_eq!(invoke(&h, "count_tickets", one_row).unwrap(), json!(2));
    assert_eq!(invoke(&h, "count_tickets", query(Some("invoice"))).unwrap(), json!(1));
}

#[test]
fn a_missing_ticket_is_a_not_found_error_with_code_and_message() {
    let h = harness();
    let err = invoke(&h, "ticket_detail", json!({ "id": 424242 })).unwrap_err();
    assert_eq!(err["code"], "not_found", "{err}");
    assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "{err}");
}

#[test]
fn a_bad_server_url_is_refused_before_anything_is_stored() {
    let h = harness();
    let input = json!({ "input": { "name": "second", "server": {
        "kind": "redmine", "url": "redmine.example.com", "project": "erp", "token": "secret-token" } } });
    let err = invoke(&h, "add_source", input).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(!err.to_string().contains("secret-token"), "the token never appears in an error: {err}");
    let sources = invoke(&h, "list_sources", json!({})).unwrap();
    let names: Vec<&str> = sources.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["erp"]);
}

#[test]
fn facets_and_workspace_describe_the_store() {
    let h = harness();
    let facets = invoke(&h, "ticket_facets", json!({})).unwrap();
    assert_eq!(facets["assignees"], json!(["Maria Lopez"]));
    let ws = invoke(&h, "open_workspace", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
    assert_eq!(ws["sources"][0]["name"], "erp");
    assert_eq!(ws["demo_loaded"], false, "a workspace with a source never gets the demo");
    assert_eq!(ws["sync"]["online"], true);
}

fn refused(r: &Result<Value, Value>) -> bool {
    matches!(r, Err(e) if e.as_str().is_some_and(|m| m.contains("not allowed")))
}

#[test]
fn the_capability_refuses_what_the_ui_does_not_use() {
    let h = harness();
    // The UI listens to events but never emits them, and uses no window API.
    let emit = invoke(&h, "plugin:event|emit", json!({ "event": "tickets-changed", "payload": { "source": "x" } }));
    assert!(refused(&emit), "emitting from the webview must be refused: {emit:?}");
    let close = invoke(&h, "plugin:window|close", json!({ "label": "main" }));
    assert!(refused(&close), "window control from the webview must be refused: {close:?}");
}

#[test]
fn triage_over_ipc_lists_overrides_and_reprioritises() {
    let h = harness();
    let run = invoke(&h, "run_triage", json!({})).unwrap();
    assert_eq!(run["tickets"], 2, "{run}");
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let rows = queue.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["category"].is_string() && r["priority"].is_string()), "{queue}");
    let before = rows.iter().find(|r| r["key"] == "#2").unwrap().clone();
    let id = before["ticket_id"].clone();

    // The UI's argument names (camelCase ticketId) and snake_case values.
    let p = invoke(&h, "set_triage_override", json!({
        "ticketId": id, "category": "performance", "impact": "organization", "urgency": "critical" }))
    .unwrap();
    assert_eq!(p["priority"], "P1", "organization × critical is P1 in the default matrix: {p}");
    // The user's values are listed as the user's, the model's apart and unchanged.
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let row = queue.as_array().unwrap().iter().find(|r| r["ticket_id"] == id).unwrap().clone();
    assert_eq!((row["category"].as_str(), row["impact"].as_str(), row["urgency"].as_str()), (Some("performance"), Some("organization"), Some("critical")), "{row}");
    assert_eq!((&row["suggested_category"], &row["suggested_impact"], &row["suggested_urgency"]), (&before["category"], &before["impact"], &before["urgency"]), "{row}");
    assert_eq!((&row["confidence"], &row["signals"]), (&before["confidence"], &before["signals"]), "the model's confidence and reasons stay the model's: {row}");
    assert_eq!((row["impact_overridden"].as_bool(), row["urgency_overridden"].as_bool()), (Some(true), Some(true)), "{row}");
    // The source has no place for categories yet: nothing queued, and the answer says why.
    assert_eq!(p["category_push"]["queued"], false, "{p}");
    assert!(p["category_push"]["reason"].as_str().unwrap().contains("no place for categories"), "{p}");
    assert_eq!(invoke(&h, "outbox", json!({ "all": true })).unwrap(), json!([]));

    // With the source's issue category as the place, a confirmation is queued in the outbox.
    invoke(&h, "set_category_push_target", json!({ "source": "erp", "target": "issue_category" })).unwrap();
    assert_eq!(invoke(&h, "category_push_target", json!({ "source": "erp" })).unwrap(), "issue_category");
    let p = invoke(&h, "set_triage_override", json!({ "ticketId": id, "category": "performance" })).unwrap();
    assert_eq!((p["category_push"]["queued"].as_bool(), p["category_push"]["value"].as_str()), (Some(true), Some("Performance")), "{p}");
    let outbox = invoke(&h, "outbox", json!({ "all": false })).unwrap();
    let rows = outbox.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{outbox}");
    assert_eq!((rows[0]["kind"].as_str(), rows[0]["detail"].as_str(), rows[0]["validation_id"].is_null()), (Some("category"), Some("Performance"), true));
    let n = invoke(&h, "discard_category_push", json!({ "outboxId": rows[0]["id"] })).unwrap();
    assert_eq!(n, 1);
    let bad = invoke(&h, "set_category_push_target", json!({ "source": "erp", "target": "tracker" })).unwrap_err();
    assert_eq!(bad["code"], "invalid_input", "{bad}");
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let row = queue.as_array().unwrap().iter().find(|r| r["ticket_id"] == id).unwrap().clone();
    assert_eq!((row["category"].as_str(), row["category_overridden"].as_bool()), (Some("performance"), Some(true)), "{row}");

    // Editing the matrix recomputes the stored priority.
    let mut m = invoke(&h, "priority_matrix", json!({})).unwrap();
    m["grid"][3][3] = json!("P3");
    invoke(&h, "set_priority_matrix", json!({ "matrix": m })).unwrap();
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let row = queue.as_array().unwrap().iter().find(|r| r["ticket_id"] == id).unwrap().clone();
    assert_eq!(row["priority"], "P3", "{row}");

    let err = invoke(&h, "set_triage_override", json!({ "ticketId": 424242, "category": "training" })).unwrap_err();
    assert_eq!(err["code"], "not_found", "{err}");
}

#[test]
fn source_fields_over_ipc_are_listed_chosen_and_drive_triage() {
    let h = harness();
    let store = h._app.state::<AppState>().store_now().unwrap();
    let src = store.source("erp").unwrap().id;
    let mut r = record(3, "Bank file for the payment run is rejected", "We re-sent it by hand.");
    r.raw = Some(json!({"id": 3, "custom_fields": [{"id": 8, "name": "Urgency", "value": "1 - Critical"}]}).to_string());
    store.with_tx(|tx| upsert_tickets(tx, src, &[r])).unwrap();

    let f = invoke(&h, "source_fields", json!({ "source": "erp" })).unwrap();
    assert_eq!((f["seen"][0]["id"].as_i64(), f["seen"][0]["name"].as_str(), f["seen"][0]["tickets"].as_i64()), (Some(8), Some("Urgency"), Some(1)), "{f}");
    assert_eq!(f["seen"][0]["examples"], json!(["1 - Critical"]));
    assert!(f["urgency_field"].is_null(), "{f}");
    let bad = invoke(&h, "set_source_fields", json!({ "source": "erp", "impact": null, "urgency": 8, "csat": 8 })).unwrap_err();
    assert_eq!(bad["code"], "invalid_input", "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("#8"), "{bad}");
    let f = invoke(&h, "set_source_fields", json!({ "source": "erp", "impact": null, "urgency": 8, "csat": null })).unwrap();
    assert_eq!(f["urgency_field"], 8, "{f}");

    invoke(&h, "run_triage", json!({})).unwrap();
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let row = queue.as_array().unwrap().iter().find(|r| r["key"] == "#3").unwrap().clone();
    assert_eq!(row["urgency"], "critical", "{row}");
    assert!(row["signals"][0].as_str().unwrap().contains("Urgency field"), "{row}");
}

#[test]
fn survey_comments_over_ipc_are_listed_and_corrected() {

    let h = harness();
    let store = h._app.state::<AppState>().store_now().unwrap();
    store
        .with_tx(|tx| {
            tx.execute(
                "INSERT INTO survey_responses (id, source_file, submission, answered_at, scale, score, comment, imported_at)
                 VALUES (7, 'pulse.csv', 'a', 1710000000, 'csat_1_5', 2, 'The invoice screen is so slow it times out', 1710000000)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    invoke(&h, "run_triage", json!({})).unwrap();
    let queue = invoke(&h, "comment_triage_queue", json!({})).unwrap();
    let rows = queue.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{queue}");
    assert!(rows[0]["category"].is_string() && rows[0]["signals"].as_array().is_some_and(|s| !s.is_empty()), "{queue}");
    assert_eq!(rows[0]["category_overridden"], false);
    // The UI's argument names (camelCase responseId) and a snake_case category.
    invoke(&h, "set_comment_category", json!({ "responseId": 7, "category": "training" })).unwrap();
    let queue = invoke(&h, "comment_triage_queue", json!({})).unwrap();
    assert_eq!((queue[0]["category"].as_str(), queue[0]["category_overridden"].as_bool()), (Some("training"), Some(true)), "{queue}");
    assert_eq!(queue[0]["suggested_category"], rows[0]["category"], "the model's category is kept apart: {queue}");
    let err = invoke(&h, "set_comment_category", json!({ "responseId": 99, "category": "training" })).unwrap_err();
    assert_eq!(err["code"], "not_found", "{err}");
}

#[test]
fn a_category_conflict_is_answered_over_ipc() {

    let h = harness();
    invoke(&h, "run_triage", json!({})).unwrap();
    let id = invoke(&h, "triage_queue", json!({})).unwrap()[0]["ticket_id"].clone();
    invoke(&h, "set_category_push_target", json!({ "source": "erp", "target": "issue_category" })).unwrap();
    invoke(&h, "set_triage_override", json!({ "ticketId": id, "category": "performance" })).unwrap();
    let row = invoke(&h, "outbox", json!({ "all": false })).unwrap()[0]["id"].clone();
    // Only a write in conflict takes a choice.
    let err = invoke(&h, "resolve_category_conflict", json!({ "outboxId": row, "choice": "keep_server" })).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    // Push found "Training need" set by someone else on the server.
    let store = h._app.state::<AppState>().store_now().unwrap();
    store
        .with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'conflict', server_value = 'Training need' WHERE id = ?1", [row.as_i64()])?))
        .unwrap();
    let listed = invoke(&h, "outbox", json!({ "all": false })).unwrap();
    assert_eq!((listed[0]["state"].as_str(), listed[0]["server_value"].as_str()), (Some("conflict"), Some("Training need")));
    let done = invoke(&h, "resolve_category_conflict", json!({ "outboxId": row, "choice": "keep_server" })).unwrap();
    assert_eq!((done["choice"].as_str(), done["category"].as_str()), (Some("keep_server"), Some("training")), "{done}");
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    let t = queue.as_array().unwrap().iter().find(|r| r["ticket_id"] == id).unwrap().clone();
    assert_eq!(t["category"].as_str(), Some("training"), "the local category follows the server's: {t}");
    assert_eq!(invoke(&h, "outbox", json!({ "all": false })).unwrap(), json!([]), "nothing left to write");
}

#[test]
fn theme_edits_over_ipc_name_the_problem() {
    let h = harness();
    invoke(&h, "run_triage", json!({})).unwrap();
    let themes = invoke(&h, "themes", json!({})).unwrap();
    assert!(themes.is_array(), "{themes}");
    let bad_date = invoke(&h, "mark_theme_training", json!({ "theme": 1, "date": "5 Oct", "kind": "training", "note": "" })).unwrap_err();
    assert_eq!(bad_date["code"], "invalid_input", "{bad_date}");
    assert!(bad_date["message"].as_str().unwrap().contains("YYYY-MM-DD"), "{bad_date}");
    let missing = invoke(&h, "rename_theme", json!({ "theme": 424242, "name": "Approvals" })).unwrap_err();
    assert_eq!(missing["code"], "not_found", "{missing}");
    let into_itself = invoke(&h, "merge_themes", json!({ "from": 3, "into": 3 })).unwrap_err();
    assert_eq!(into_itself["code"], "invalid_input", "{into_itself}");
}

/// The validation form's JSON as ui/src/lib/validation.ts builds it.
fn validation_input(ticket_id: i64, outcome: &str, evidence: &[&str]) -> Value {
    json!({ "input": {
        "ticket_id": ticket_id, "outcome": outcome, "steps": "Posted invoice 4711", "environment": "QAS 2024.3",
        "test_data": "customer 1000", "notes": "posts fine now", "evidence": evidence, "supersedes": null
    }})
}

#[test]
fn a_validation_recorded_over_ipc_waits_in_the_outbox_until_discarded() {
    let h = harness();
    let all = invoke(&h, "query_tickets", query(Some("invoice"))).unwrap();
    let id = all[0]["id"].as_i64().unwrap();
    let v = invoke(&h, "record_validation", validation_input(id, "passed", &[])).unwrap();
    assert_eq!((v["ticket_key"].as_str(), v["outcome"].as_str(), v["round"].as_i64()), (Some("#1"), Some("passed"), Some(1)));

    let history = invoke(&h, "validation_history", json!({ "ticketId": id })).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["notes"], "posts fine now");

    let outbox = invoke(&h, "outbox", json!({ "all": false })).unwrap();
    let rows = outbox.as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["state"] == "pending"), "{outbox}");
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"comment") && kinds.contains(&"transition"), "passed closes the ticket: {kinds:?}");

    let vid = v["id"].as_i64().unwrap();
    let n = invoke(&h, "discard_outbox", json!({ "validationId": vid })).unwrap();
    assert_eq!(n.as_u64(), Some(rows.len() as u64));
    assert_eq!(invoke(&h, "outbox", json!({ "all": false })).unwrap(), json!([]));
    let everything = invoke(&h, "outbox", json!({ "all": true })).unwrap();
    assert!(everything.as_array().unwrap().iter().all(|r| r["state"] == "discarded"), "nothing is deleted");
}

#[test]
fn a_bad_validation_names_the_problem_and_stores_nothing() {
    let h = harness();
    let id = invoke(&h, "query_tickets", query(Some("invoice"))).unwrap()[0]["id"].as_i64().unwrap();
    let err = invoke(&h, "record_validation", validation_input(id, "passed", &["/no/such/screenshot.png"])).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("screenshot.png"), "{err}");
    assert_eq!(invoke(&h, "validation_history", json!({ "ticketId": id })).unwrap(), json!([]));
    let missing = invoke(&h, "record_validation", validation_input(424242, "failed", &[])).unwrap_err();
    assert_eq!(missing["code"], "not_found", "{missing}");
    let queue = invoke(&h, "validation_queue", json!({ "filter": {
        "process_area": null, "priority": null, "assignee": null, "source": null } })).unwrap();
    assert_eq!(queue["count"], 0, "new tickets are not awaiting validation: {queue}");
}

#[test]
fn push_now_that_cannot_reach_the_server_keeps_writes_pending_and_says_why() {
    let h = harness(); // its source has no token (and nothing listens on 127.0.0.1:9)
    let id = invoke(&h, "query_tickets", query(Some("invoice"))).unwrap()[0]["id"].as_i64().unwrap();
    invoke(&h, "record_validation", validation_input(id, "passed", &[])).unwrap();
    for _ in 1..=2 {
        let report = invoke(&h, "push_outbox_now", json!({ "force": false })).unwrap();
        assert_eq!((report["sent"].as_u64(), report["pending"].as_u64()), (Some(0), Some(1)), "{report}");
        assert!(report["stopped"][0].as_str().is_some_and(|s| s.contains("erp")), "says which source: {report}");
        let rows = invoke(&h, "outbox", json!({ "all": false })).unwrap();
        assert!(rows.as_array().unwrap().iter().all(|r| r["state"] == "pending"), "{rows}");
    }
}

#[test]
fn the_dashboard_sends_values_with_definitions_and_every_chart_as_svg() {
    let h = harness();
    let d = invoke(&h, "kpi_dashboard", json!({ "from": "2024-03-01", "to": "2024-03-10" })).unwrap();
    assert_eq!((d["from"].as_str(), d["to"].as_str()), (Some("2024-03-01"), Some("2024-03-10")));
    assert_eq!(d["empty"], false, "two tickets were created in the period");
    let created = d["headline"].as_array().unwrap().iter().find(|k| k["id"] == "created").cloned();
    let created = created.unwrap_or_else(|| panic!("no `created` tile in {}", d["headline"]));
    assert_eq!(created["value"], 2.0);
    assert!(!created["definition"].as_str().unwrap().is_empty());
    let charts = d["charts"].as_array().unwrap();
    assert_eq!(charts.len(), 7);
    for c in charts {
        let svg = c["svg"].as_str().unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(c["title"].as_str().unwrap()), "{}", c["id"]);
    }
    let exit = d["exit_criteria"].as_array().unwrap();
    assert!(!exit.is_empty());
    for c in exit {
        let req = c["requirement"].as_str().unwrap_or_default();
        assert!(["≥", "≤", "<"].iter().any(|op| req.starts_with(op)), "{} requires {req:?}", c["id"]);
    }

    let empty = invoke(&h, "kpi_dashboard", json!({ "from": "2020-01-01", "to": "2020-01-07" })).unwrap();
    assert_eq!(empty["empty"], true, "nothing happened in 2020");
}

#[test]
fn the_dashboard_filter_narrows_the_tickets_and_a_point_lists_its_tickets() {
    let h = harness(); // two open "High" (P2) tickets created on 2024-03-04
    let period = |filter: Value| json!({ "from": "2024-03-01", "to": "2024-03-10", "filter": filter });
    let created = |d: &Value| d["headline"].as_array().unwrap().iter().find(|k| k["id"] == "created").unwrap()["value"].clone();
    let p1 = invoke(&h, "kpi_dashboard", period(json!({ "sources": [], "priorities": ["P1"], "categories": [] }))).unwrap();
    assert_eq!(created(&p1), 0.0, "no P1 ticket");
    let p2 = invoke(&h, "kpi_dashboard", period(json!({ "sources": ["erp"], "priorities": ["P2"], "categories": [] }))).unwrap();
    assert_eq!(created(&p2), 2.0);
    assert_eq!(p2["filter_text"], "source erp; P2");

    // The backlog at the end of Mar 04, as the UI sends it back in a TicketQuery.
    let backlog = p2["charts"].as_array().unwrap().iter().find(|c| c["id"] == "backlog_burndown").unwrap();
    let bucket = backlog["points"]["buckets"].as_array().unwrap().iter().find(|b| b["label"] == "Mar 04").unwrap();
    let all = bucket["points"].as_array().unwrap().iter().find(|p| p["series"] == "All open").unwrap();
    assert_eq!((all["value"].as_f64(), all["tickets"].as_u64()), (Some(2.0), Some(2)));
    let mut q = query(None);
    q["query"]["kpi"] = all["query"].clone();
    let rows = invoke(&h, "query_tickets", q.clone()).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    q["query"]["search"] = json!("invoice");
    assert_eq!(invoke(&h, "query_tickets", q).unwrap().as_array().unwrap().len(), 1, "other filters still narrow");

    let e = invoke(&h, "kpi_dashboard", period(json!({ "sources": ["nope"] }))).unwrap_err();
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("\"nope\""), "{e}");
}

#[test]
fn a_bad_period_is_refused_with_a_clear_message() {
    let h = harness();
    let e = invoke(&h, "kpi_dashboard", json!({ "from": "2024-03-10", "to": "2024-03-01" })).unwrap_err();
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("after it ends"), "{e}");
    let e = invoke(&h, "kpi_dashboard", json!({ "from": "03/01/2024", "to": null })).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("03/01/2024"), "{e}");
}

#[test]
fn export_writes_the_report_and_returns_its_paths() {
    let h = harness();
    let out = tempfile::TempDir::new().unwrap();
    let dir = out.path().join("march");
    let args = json!({ "from": "2024-03-01", "to": "2024-03-10", "outDir": dir.display().to_string() });
    let r = invoke(&h, "export_report", args).unwrap();
    for key in ["html", "pdf", "json"] {
        let p = std::path::PathBuf::from(r[key].as_str().unwrap());
        assert!(p.starts_with(&dir) && std::fs::metadata(&p).unwrap().len() > 0, "{key}: {p:?}");
    }
    assert_eq!(r["pngs"].as_array().unwrap().len(), 7);
    let html = std::fs::read_to_string(r["html"].as_str().unwrap()).unwrap();
    assert!(html.contains("2024-03-01"), "the report covers the period asked for");
}

#[test]
fn a_survey_export_is_previewed_mapped_saved_and_imported_once() {
    let h = harness();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/surveys/ms-forms.csv");
    let path = file.display().to_string();
    let p = invoke(&h, "preview_survey", json!({ "path": path, "encoding": null })).unwrap();
    assert_eq!(p["guess"]["timestamp"], "Completion time", "{p}");
    assert_eq!(p["guess"]["scores"][1]["scale"], "nps010");
    assert_eq!(p["rows"].as_array().map(Vec::len), Some(4));

    let bad = invoke(&h, "save_survey_mapping", json!({ "name": "forms", "mapping": { "timestamp": "", "respondent": null,
        "scores": [], "comment": null, "timestamp_format": null, "header_rows": 1, "delimiter": null } }));
    assert_eq!(bad.unwrap_err()["code"], "invalid_input");
    invoke(&h, "save_survey_mapping", json!({ "name": "forms", "mapping": p["guess"] })).unwrap();
    assert_eq!(invoke(&h, "survey_mappings", json!({})).unwrap(), json!(["forms"]));
    assert_eq!(invoke(&h, "survey_mapping", json!({ "name": "forms" })).unwrap(), p["guess"]);

    let args = json!({ "path": path, "mapping": "forms", "skipBadRows": false, "encoding": null });
    let s = invoke(&h, "import_survey_file", args.clone()).unwrap();
    assert_eq!((s["imported"].as_u64(), s["skipped"].as_u64()), (Some(8), Some(0)), "{s}");
    let again = invoke(&h, "import_survey_file", args).unwrap_err();
    assert_eq!(again["code"], "conflict", "the same file is never imported twice: {again}");
    let none = invoke(&h, "import_survey_file", json!({ "path": path, "mapping": "nope", "skipBadRows": false, "encoding": null }));
    assert_eq!(none.unwrap_err()["code"], "not_found");
    let layout = json!({ "path": path, "encoding": null, "layout": { "header_rows": 2, "delimiter": ";" } });
    let semis = invoke(&h, "preview_survey", layout).unwrap();
    assert_eq!((semis["guess"]["header_rows"].as_u64(), semis["columns"].as_array().map(Vec::len)), (Some(2), Some(1)), "{semis}");
    let empty = invoke(&h, "preview_survey", json!({ "path": "  ", "encoding": null })).unwrap_err();
    assert_eq!(empty["code"], "invalid_input");
}

/// The tests that run the language model take turns: each store's pass
/// embeds the shipped seed unless another already has (process cache), and
/// three debug-build passes at once on two cores outlast any timeout.
fn model_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Wait for the background refinement to finish; its summary, or `None`
/// when the model is not installed (the caller skips its refined part).
fn refined_summary(h: &Harness) -> Option<Value> {
    // The refinement runs on its own thread; its status says when it is done.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let summary = loop {
        let s = invoke(h, "refine_status", json!({})).unwrap();
        assert!(s["error"].is_null(), "{s}");
        if s["running"] == false && s["progress"]["phase"] == "finished" {
            break s["progress"]["summary"].clone();
        }
        assert!(std::time::Instant::now() < until, "the refinement did not finish: {s}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    if summary["model"] == false {
        assert!(std::env::var_os("CI").is_none(), "CI must install the embedding model: {summary}");
        eprintln!("skipped the refined part: no embedding model");
        return None;
    }
    Some(summary)
}

#[test]
fn run_triage_answers_at_once_and_refines_in_the_background_with_progress() {
    let _turn = model_turn();
    let h = harness_with_refinement();
    let run = invoke(&h, "run_triage", json!({})).unwrap();
    assert_eq!((run["tickets"].as_u64(), run["pending"].as_u64()), (Some(2), Some(2)), "both new texts are triaged on words first: {run}");
    let Some(summary) = refined_summary(&h) else { return };
    assert_eq!((summary["total"].as_u64(), summary["tickets"].as_u64()), (Some(2), Some(2)), "{summary}");
    let queue = invoke(&h, "triage_queue", json!({})).unwrap();
    assert!(queue.as_array().unwrap().iter().all(|r| r["basis"] == "embedding"), "{queue}");
}

#[test]
fn a_survey_import_answers_at_once_and_refines_its_comments_in_the_background() {
    let _turn = model_turn();
    let h = harness_with_refinement();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/surveys/ms-forms.csv");
    let p = invoke(&h, "preview_survey", json!({ "path": file.display().to_string(), "encoding": null })).unwrap();
    invoke(&h, "save_survey_mapping", json!({ "name": "forms", "mapping": p["guess"] })).unwrap();
    assert!(invoke(&h, "refine_status", json!({})).unwrap()["progress"].is_null(), "no pass before the import");
    let args = json!({ "path": file.display().to_string(), "mapping": "forms", "skipBadRows": false, "encoding": null });
    invoke(&h, "import_survey_file", args).unwrap();
    // The import answered with its comments triaged on words; the model runs after.
    let queue = invoke(&h, "comment_triage_queue", json!({})).unwrap();
    let comments = queue.as_array().unwrap().len() as u64;
    assert!(comments > 0, "{queue}");
    let Some(summary) = refined_summary(&h) else { return };
    assert_eq!(summary["comments"].as_u64(), Some(comments), "every imported comment is refined: {summary}");
    let queue = invoke(&h, "comment_triage_queue", json!({})).unwrap();
    assert!(queue.as_array().unwrap().iter().all(|c| c["basis"] == "embedding"), "{queue}");
}

#[test]
fn removing_a_source_stops_the_refinement_of_its_texts() {
    let _turn = model_turn();
    let h = harness_with_refinement();
    // Enough new texts that the pass is still embedding when the source goes.
    let state = h._app.state::<AppState>();
    let src = state.store_now().unwrap().source("erp").unwrap();
    let many: Vec<TicketRecord> = (3..120)
        .map(|i| {
            let mut r = record(1, &format!("Goods receipt {i} not posted"), &format!("Receipt {i} for order {} is missing after the scan at dock {}", i * 7, i % 9));
            (r.remote_id, r.key) = (i.to_string(), format!("#{i}"));
            r
        })
        .collect();
    state.store_now().unwrap().with_tx(|tx| upsert_tickets(tx, src.id, &many)).unwrap();
    invoke(&h, "run_triage", json!({})).unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let s = invoke(&h, "refine_status", json!({})).unwrap();
        if s["progress"]["summary"]["model"] == false {
            eprintln!("skipped: no embedding model");
            return;
        }
        if s["progress"]["phase"] == "embedded" {
            break;
        }
        assert!(std::time::Instant::now() < until, "the pass never started embedding: {s}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    invoke(&h, "remove_source", json!({ "name": "erp" })).unwrap();
    // The pass stops at its next batch; a fresh one finds nothing left to embed.
    loop {
        let s = invoke(&h, "refine_status", json!({})).unwrap();
        assert!(s["error"].is_null(), "{s}");
        let summary = &s["progress"]["summary"];
        if s["running"] == false && s["progress"]["phase"] == "finished" && summary["total"] == 0 {
            break;
        }
        assert!(std::time::Instant::now() < until, "the removed source's texts are still being embedded: {s}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(invoke(&h, "triage_queue", json!({})).unwrap(), json!([]));
}
