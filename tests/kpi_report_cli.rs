//! `hypercare import ...` and `hypercare report` end to end through the
//! real binary: mapping saved once, files imported, report folder written.

#[path = "support/kpi_fixtures.rs"]
mod fixtures;

use std::process::Command;

use fixtures::*;

fn hc(data: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hypercare")).arg("--data-dir").arg(data).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn import_then_report_writes_charts_html_pdf_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ws");
    {
        let (store, src) = store_with_source(&data);
        bulk_synthetic(&store, src, 500, day(2026, 9, 28), 14);
        std::fs::rename(data.join("hc.sqlite3"), data.join(hypercare::store::STORE_FILE)).unwrap();
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::rename(data.join(format!("hc.sqlite3{ext}")), data.join(format!("{}{ext}", hypercare::store::STORE_FILE)));
        }
    }
    let surveys = dir.path().join("forms.csv");
    std::fs::write(&surveys, "Completion time,Email,Satisfaction,Comments\n9/29/2026 10:00:00,a@x.com,5,\"<b>bold</b> & more\"\n9/30/2026 10:00:00,b@x.com,2,\n").unwrap();
    let usage = dir.path().join("usage.jsonl");
    std::fs::write(&usage, "{\"user\":\"u1\",\"time\":\"2026-09-29T10:00:00Z\",\"feature\":\"<script>alert(1)</script>\",\"outcome\":\"ok\"}\n").unwrap();

    let (ok, _, err) = hc(&data, &["import", "surveys", surveys.to_str().unwrap(), "--mapping", "forms"]);
    assert!(!ok && err.contains("no survey mapping named \"forms\""), "{err}");
    let (ok, out, err) = hc(&data, &["import", "mapping", "save", "forms", "--timestamp", "Completion time", "--respondent", "Email", "--score", "Satisfaction", "--scale", "csat", "--comment", "Comments"]);
    assert!(ok, "{err}");
    assert!(out.contains("saved mapping"));
    // An unreadable file: the core names the problem, the CLI adds its own flags as the hint.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Completion time,Email,Satisfaction,Comments\n9/29/2026 10:00:00,a@x.com,very good,\n").unwrap();
    let (ok, _, err) = hc(&data, &["import", "surveys", bad.to_str().unwrap(), "--mapping", "forms"]);
    assert!(!ok && err.contains("bad.csv line 2") && err.contains("hint: fix the row, or pass --skip-bad-rows"), "{err}");
    std::fs::write(&bad, b"Completion time,Email,Satisfaction,Comments\n9/29/2026 10:00:00,a@x.com,5,Jos\xE9\n").unwrap();
    let (ok, _, err) = hc(&data, &["import", "surveys", bad.to_str().unwrap(), "--mapping", "forms"]);
    assert!(!ok && err.contains("line 2 is not valid UTF-8") && err.contains("pass --encoding latin1"), "{err}");
    let (ok, out, err) = hc(&data, &["import", "surveys", surveys.to_str().unwrap(), "--mapping", "forms", "--json"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["imported"], 2);
    let (ok, _, err) = hc(&data, &["import", "usage", usage.to_str().unwrap(), "--format", "jsonl"]);
    assert!(ok, "{err}");
    let (ok, _, err) = hc(&data, &["import", "usage", usage.to_str().unwrap(), "--format", "xml"]);
    assert!(!ok && err.contains("use csv, jsonl or gateway"), "{err}");
    let (ok, out, err) = hc(&data, &["import", "settings", "--set", "licensed_users=120", "--set", "timezone=Europe/Berlin"]);
    assert!(ok && out.contains("\"licensed_users\": 120") && out.contains("Europe/Berlin"), "{out}{err}");
    // All or nothing: a refused value names its field, and the valid one beside it is not saved.
    let (ok, _, err) = hc(&data, &["import", "settings", "--set", "licensed_users=300", "--set", "exit.csat_min=120%"]);
    assert!(!ok && err.contains("--set exit.csat_min: Minimum CSAT: 120% must be"), "{err}");
    let (ok, out, err) = hc(&data, &["import", "settings"]);
    assert!(ok && out.contains("\"licensed_users\": 120"), "{out}{err}");

    let report_dir = dir.path().join("report");
    let (ok, out, err) = hc(&data, &["report", "--from", "2026-09-28", "--to", "2026-10-11", "--out", report_dir.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["period"]["from"], "2026-09-28");
    assert_eq!(json["period"]["tz"], "Europe/Berlin");
    assert_eq!(json["operations"]["days"].as_array().unwrap().len(), 14);
    assert_eq!(json["satisfaction"]["csat"]["csat"], 0.5);
    let csat = json["headline"].as_array().unwrap().iter().find(|k| k["id"] == "csat").unwrap();
    assert!(csat["definition"].as_str().unwrap().contains("share of answers of 4 or 5"));
    // Every value shown comes with the definition of that value: the name a
    // definition starts with ("Resolutions: …") shares a word with the label.
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3).map(String::from).collect()
    };
    // Labels that name a definition by another word.
    let synonyms = [("created", "volume"), ("7-day", "moving"), ("dau/wau", "stickiness"), ("dau", "dau"), ("wau", "dau"), ("latency", "latency"), ("licensed", "active"), ("ratings", "csat")];
    for k in json["headline"].as_array().unwrap() {
        let (label, def) = (k["label"].as_str().unwrap(), k["definition"].as_str().unwrap());
        let head = words(def.split(':').next().unwrap_or_default());
        let label_words = words(label);
        let shared = label_words.iter().any(|w| head.contains(w))
            || synonyms.iter().any(|(l, d)| label.to_lowercase().contains(l) && head.iter().any(|h| h.contains(d)));
        assert!(shared, "{label:?} is shown with the definition of {:?}", def.split(':').next());
    }

    for kind in hypercare::charts::ChartKind::ALL {
        let png = std::fs::read(report_dir.join(format!("{}.png", kind.stem()))).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{kind:?}");
    }
    let html = std::fs::read_to_string(report_dir.join("report.html")).unwrap();
    assert_eq!(html.matches("<img alt=").count(), 7);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 7);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "user text is escaped");
    assert!(!html.contains("<script"), "no markup from the data");
    assert!(html.contains("Time to resolve (MTTR"), "definitions are in the report");
    let pdf = std::fs::read(report_dir.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    assert!(pdf.windows(12).filter(|w| w == b"/Subtype /Im").count() == 7, "seven chart images in the PDF");

    let (ok, _, err) = hc(&data, &["report", "--from", "2026-10-11", "--to", "2026-09-28", "--out", report_dir.to_str().unwrap()]);
    assert!(!ok && err.contains("swap --from and --to"), "{err}");
}

/// A store in `dir/ws` (named as the CLI expects) with two hand-made tickets.
fn two_ticket_workspace(dir: &std::path::Path) -> std::path::PathBuf {
    let data = dir.join("ws");
    {
        let (store, src) = store_with_source(&data);
        insert(
            &store,
            src,
            &[
                Tk { category: Some("usability"), ..Tk::new("A", "Immediate", "2026-10-05T08:00:00Z") },
                Tk { category: Some("training"), ..Tk::new("B", "Low", "2026-10-06T08:00:00Z") },
            ],
        );
        drop(store);
        std::fs::rename(data.join("hc.sqlite3"), data.join(hypercare::store::STORE_FILE)).unwrap();
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::rename(data.join(format!("hc.sqlite3{ext}")), data.join(format!("{}{ext}", hypercare::store::STORE_FILE)));
        }
    }
    data
}

#[test]
fn report_filters_by_source_priority_and_category_and_names_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_ticket_workspace(dir.path());
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--from", "2026-10-05", "--to", "2026-10-11", "--out", out.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        hc(&data, &args)
    };
    let created = |json: &str| serde_json::from_str::<serde_json::Value>(json).unwrap()["operations"]["created_total"].clone();
    let (ok, all, err) = run(&[]);
    assert!(ok, "{err}");
    assert_eq!(created(&all), 2);
    let (ok, p1, err) = run(&["--priority", "P1"]);
    assert!(ok, "{err}");
    assert_eq!(created(&p1), 1, "A (Immediate) is the only P1");
    let (ok, either, _) = run(&["--category", "usability", "--category", "training"]);
    assert!(ok);
    assert_eq!(created(&either), 2, "repeated flags are alternatives");
    let (ok, none, _) = run(&["--source", "fixture", "--priority", "P4", "--category", "usability"]);
    assert!(ok);
    assert_eq!(created(&none), 0, "fields combine: no P4 usability ticket");
    let json: serde_json::Value = serde_json::from_str(&none).unwrap();
    assert_eq!(json["filter"]["priorities"], serde_json::json!(["P4"]));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Filtered: the ticket KPIs count only tickets with source fixture; P4; Usability"), "the report says so");

    let (ok, _, err) = run(&["--category", "ux"]);
    assert!(!ok && err.contains("\"ux\"") && err.contains("usability"), "{err}");
    let (ok, _, err) = run(&["--priority", "P9"]);
    assert!(!ok && err.contains("\"P9\""), "{err}");
    let (ok, _, err) = run(&["--source", "nope"]);
    assert!(!ok && err.contains("\"nope\""), "{err}");
}

#[test]
fn source_set_stores_the_rating_field_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_ticket_workspace(dir.path());
    let (ok, out, err) = hc(&data, &["source", "set", "fixture", "csat_custom_field_id=7"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["csat_custom_field_id"], 7);
    let (ok, _, err) = hc(&data, &["source", "set", "fixture", "csat_custom_field_id=seven"]);
    assert!(!ok && err.contains("csat_custom_field_id"), "{err}");
    let (ok, _, err) = hc(&data, &["source", "set", "fixture", "concurrency=\"four\""]);
    assert!(!ok && err.contains("concurrency"), "{err}");
    let (ok, out, _) = hc(&data, &["source", "set", "fixture", "csat_custom_field_id="]);
    assert!(ok && !out.contains("csat_custom_field_id"), "an empty value removes the key: {out}");
}
