//! Usage events (CSV or JSON lines: user, time, feature or action, outcome)
//! and API-gateway call logs (JSON lines or CSV: time, consumer, path,
//! status, latency).

use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

use rusqlite::{params, Transaction};
use serde_json::Value;

use super::time::parse_json_time;
use super::{read_file, record_file, ImportOptions, ImportSummary};
use crate::kpi::Period;
use crate::{Error, Result, Store};

/// Insert one usage event: (source_file, at, user, feature, outcome).
/// Names already given a number in this transaction.
#[derive(Default)]
pub(crate) struct NameIds {
    users: HashMap<String, i64>,
    features: HashMap<String, i64>,
}

fn name_id(tx: &Transaction<'_>, table: &str, name: &str, cache: &mut HashMap<String, i64>) -> Result<i64> {
    if let Some(id) = cache.get(name) {
        return Ok(*id);
    }
    let id: i64 = tx
        .prepare_cached(&format!(
            "INSERT INTO {table} (name) VALUES (?1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id"
        ))?
        .query_row([name], |r| r.get(0))?;
    cache.insert(name.to_string(), id);
    Ok(id)
}

/// Store one usage event (`ok`: success, failure or not recorded). An event
/// already stored (same time, user, feature, outcome) is skipped; returns
/// the rows written (0 or 1).
pub(crate) fn insert_usage(
    tx: &Transaction<'_>,
    ids: &mut NameIds,
    file: &str,
    at: i64,
    user: &str,
    feature: &str,
    ok: Option<bool>,
) -> Result<usize> {
    let user_id = name_id(tx, "usage_users", user, &mut ids.users)?;
    let feature_id = name_id(tx, "usage_features", feature, &mut ids.features)?;
    let outcome = match ok {
        Some(true) => 1,
        Some(false) => 0,
        None => 2,
    };
    Ok(tx
        .prepare_cached(
            "INSERT OR IGNORE INTO usage_events (source_file, at, user_id, feature_id, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![file, at, user_id, feature_id, outcome])?)
}

/// Insert one gateway call: (source_file, at, consumer, path, status, latency_ms).
pub(crate) const INSERT_GATEWAY: &str =
    "INSERT INTO gateway_calls (source_file, at, consumer, path, status, latency_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Format of a usage file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageFormat {
    Csv,
    Jsonl,
    /// API-gateway access log: JSON lines, or CSV with a header.
    Gateway,
}

impl UsageFormat {
    pub fn parse(s: &str) -> Result<UsageFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(UsageFormat::Csv),
            "jsonl" | "json-lines" | "ndjson" => Ok(UsageFormat::Jsonl),
            "gateway" => Ok(UsageFormat::Gateway),
            _ => Err(Error::invalid(format!("unknown usage format {s:?}; use csv, jsonl or gateway"))),
        }
    }
}

const TIME_KEYS: &[&str] = &["time", "timestamp", "at", "@timestamp", "requesttime", "requesttimeepoch", "date"];
const USER_KEYS: &[&str] = &["user", "user_id", "userid", "username", "login"];
const FEATURE_KEYS: &[&str] = &["feature", "action", "event", "transaction", "screen"];
const OUTCOME_KEYS: &[&str] = &["outcome", "result", "success", "status"];
const CONSUMER_KEYS: &[&str] = &["consumer", "client", "apikeyid", "caller", "user", "application", "app"];
const PATH_KEYS: &[&str] = &["path", "resourcepath", "uri", "request_uri", "route", "endpoint"];
const STATUS_KEYS: &[&str] = &["status", "statuscode", "status_code", "http_status"];
const LATENCY_KEYS: &[&str] = &["latency_ms", "latency", "responselatency", "duration_ms", "elapsed_ms"];

/// A row, whatever the file format: look up a field by any of its names.
trait Fields {
    fn field(&self, keys: &[&str]) -> Option<Value>;
}

impl Fields for serde_json::Map<String, Value> {
    fn field(&self, keys: &[&str]) -> Option<Value> {
        keys.iter().find_map(|k| self.iter().find(|(n, _)| n.to_ascii_lowercase() == *k).map(|(_, v)| v.clone()))
            .filter(|v| !v.is_null())
    }
}

struct CsvRow<'a> {
    headers: &'a [String],
    rec: &'a csv::StringRecord,
}

impl Fields for CsvRow<'_> {
    fn field(&self, keys: &[&str]) -> Option<Value> {
        keys.iter()
            .find_map(|k| self.headers.iter().position(|h| h == k))
            .and_then(|i| self.rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
    }
}

fn text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn required(row: &dyn Fields, keys: &[&str]) -> std::result::Result<Value, String> {
    row.field(keys).ok_or_else(|| format!("missing {} (also accepted: {})", keys[0], keys[1..].join(", ")))
}

fn outcome(v: Option<Value>) -> std::result::Result<Option<&'static str>, String> {
    let Some(v) = v else { return Ok(None) };
    let s = match &v {
        Value::Bool(b) => return Ok(Some(if *b { "success" } else { "failure" })),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => return Err("outcome is neither text nor a flag".into()),
    };
    match s.as_str() {
        "success" | "ok" | "true" | "1" | "passed" | "completed" | "succeeded" => Ok(Some("success")),
        "failure" | "fail" | "failed" | "error" | "false" | "0" | "aborted" => Ok(Some("failure")),
        other => Err(format!("outcome {other:?} is not success/failure (ok, error, true, false...)")),
    }
}

enum Parsed {
    Usage { at: i64, user: String, feature: String, outcome: Option<&'static str> },
    Call { at: i64, consumer: String, path: String, status: i64, latency: f64 },
}

fn parse_usage(row: &dyn Fields, tz: Tz) -> std::result::Result<Parsed, String> {
    let at = parse_json_time(&required(row, TIME_KEYS)?, tz)?;
    let user = text(required(row, USER_KEYS)?);
    let feature = text(required(row, FEATURE_KEYS)?);
    Ok(Parsed::Usage { at, user, feature, outcome: outcome(row.field(OUTCOME_KEYS))? })
}

fn number(v: Value, what: &str) -> std::result::Result<f64, String> {
    let x = match &v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().trim_end_matches("ms").trim().parse::<f64>().ok(),
        _ => None,
    };
    x.filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| format!("{what} {} is not a non-negative number", text(v)))
}

fn parse_call(row: &dyn Fields, tz: Tz) -> std::result::Result<Parsed, String> {
    let at = parse_json_time(&required(row, TIME_KEYS)?, tz)?;
    let consumer = row.field(CONSUMER_KEYS).map(text).unwrap_or_else(|| "unknown".into());
    let path = text(required(row, PATH_KEYS)?);
    let status = number(required(row, STATUS_KEYS)?, "status")? as i64;
    if !(100..=599).contains(&status) {
        return Err(format!("status {status} is not an HTTP status"));
    }
    let latency = number(required(row, LATENCY_KEYS)?, "latency")?;
    Ok(Parsed::Call { at, consumer, path, status, latency })
}

/// Import usage events or gateway calls from `path`.
pub fn import_usage(
    store: &Store,
    path: &Path,
    format: UsageFormat,
    opts: ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    let file = read_file(store, path, opts.encoding)?;
    let text = &file.text;
    let tz = Period::parse_tz(&store.kpi_settings()?.timezone)?;
    let mut summary = ImportSummary { file: file.label.clone(), ..Default::default() };
    let gateway = format == UsageFormat::Gateway;
    let parse = |row: &dyn Fields| if gateway { parse_call(row, tz) } else { parse_usage(row, tz) };
    let json = match format {
        UsageFormat::Csv => false,
        UsageFormat::Jsonl => true,
        UsageFormat::Gateway => text.trim_start().starts_with('{'),
    };
    let mut rows: Vec<Parsed> = Vec::new();
    if json {
        for (k, line) in text.lines().enumerate() {
            let line_no = k as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let res = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(m)) => parse(&m),
                Ok(_) => Err("the line is not a JSON object".into()),
                Err(e) => Err(format!("not valid JSON ({e})")),
            };
            match res {
                Ok(p) => rows.push(p),
                Err(reason) => summary.bad_row(&opts, line_no, reason)?,
            }
        }
    } else {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| Error::invalid(format!("{}: cannot read the header line: {e}", summary.file)))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        for (k, rec) in rdr.records().enumerate() {
            let res = rec.map_err(|e| (e.position().map(|p| p.line()), format!("not a valid CSV row ({e})")));
            let (line, parsed) = match res {
                Ok(rec) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(k as u64 + 2);
                    if rec.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    (line, parse(&CsvRow { headers: &headers, rec: &rec }))
                }
                Err((line, reason)) => (line.unwrap_or(k as u64 + 2), Err(reason)),
            };
            match parsed {
                Ok(p) => rows.push(p),
                Err(reason) => summary.bad_row(&opts, line, reason)?,
            }
        }
    }
    let imported = store.with_tx(|tx| {
        let mut ids = NameIds::default();
        let mut ins_g = tx.prepare_cached(INSERT_GATEWAY)?;
        let mut n = 0u64;
        for r in &rows {
            n += match r {
                Parsed::Usage { at, user, feature, outcome } => {
                    insert_usage(tx, &mut ids, &file.label, *at, user, feature, outcome.map(|o| o == "success"))?
                }
                Parsed::Call { at, consumer, path, status, latency } => {
                    ins_g.execute(params![file.label, at, consumer, path, status, latency])?
                }
            } as u64;
        }
        record_file(tx, &file, if gateway { "gateway" } else { "usage" }, n, now.timestamp())?;
        Ok(n)
    })?;
    summary.imported = imported;
    summary.duplicates = rows.len() as u64 - imported;
    Ok(summary)
}
