//! Shared by the KPI tests and the KPI benchmark: stores, hand-made tickets
//! and a deterministic synthetic hypercare of any size.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use hypercare::model::{CommentRecord, SourceKind, StatusChangeRecord, StatusClass, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::store::tickets::upsert_tickets;
use hypercare::Store;
use rusqlite::params;

/// A fixed "now" far after every fixture.
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fresh store in `dir` with one source; returns the store and source id.
pub fn store_with_source(dir: &std::path::Path) -> (Store, i64) {
    let store = Store::open(dir.join("hc.sqlite3")).unwrap();
    let src = store
        .add_source(
            &NewSource {
                name: "fixture".into(),
                kind: SourceKind::Demo,
                url: "http://fixture.invalid".into(),
                project: String::new(),
                token_env: None,
                config: serde_json::json!({}),
            },
            t("2026-01-01T00:00:00Z"),
        )
        .unwrap();
    (store, src.id)
}

/// A ticket reported by "reporter" with the given history.
pub struct Tk<'a> {
    pub id: &'a str,
    pub priority: &'a str,
    pub created: &'a str,
    /// (at, from, to) status changes.
    pub changes: Vec<(&'a str, StatusClass, StatusClass)>,
    /// (at, author) comments.
    pub comments: Vec<(&'a str, &'a str)>,
    pub category: Option<&'a str>,
}

impl<'a> Tk<'a> {
    pub fn new(id: &'a str, priority: &'a str, created: &'a str) -> Self {
        Tk { id, priority, created, changes: vec![], comments: vec![], category: None }
    }
    pub fn change(mut self, at: &'a str, from: StatusClass, to: StatusClass) -> Self {
        self.changes.push((at, from, to));
        self
    }
    pub fn comment(mut self, at: &'a str, author: &'a str) -> Self {
        self.comments.push((at, author));
        self
    }
    pub fn record(&self) -> TicketRecord {
        let last = self.changes.last();
        let status_class = last.map(|c| c.2).unwrap_or(StatusClass::Open);
        let resolved_at = self.changes.iter().rev().find(|c| c.2 != StatusClass::Open).map(|c| t(c.0));
        TicketRecord {
            remote_id: self.id.into(),
            key: format!("T-{}", self.id),
            title: format!("Ticket {}", self.id),
            description: String::new(),
            status: status_class.as_str().into(),
            status_class,
            priority: self.priority.into(),
            tracker: "Bug".into(),
            category: self.category.map(String::from),
            assignee: None,
            reporter: Some("reporter".into()),
            created_at: t(self.created),
            updated_at: last.map(|c| t(c.0)).unwrap_or(t(self.created)),
            resolved_at: if status_class == StatusClass::Open { None } else { resolved_at },
            remote_version: "1".into(),
            raw: None,
            comments: Some(
                self.comments
                    .iter()
                    .enumerate()
                    .map(|(i, (at, who))| CommentRecord {
                        remote_id: format!("c{i}"),
                        author: Some((*who).into()),
                        body: "text".into(),
                        created_at: t(at),
                    })
                    .collect(),
            ),
            status_changes: Some(
                self.changes
                    .iter()
                    .enumerate()
                    .map(|(i, (at, from, to))| StatusChangeRecord {
                        remote_id: format!("s{i}"),
                        at: t(at),
                        from_status: Some(from.as_str().into()),
                        from_class: Some(*from),
                        to_status: to.as_str().into(),
                        to_class: *to,
                        author: Some("agent".into()),
                    })
                    .collect(),
            ),
        }
    }
}

pub fn insert(store: &Store, source: i64, tickets: &[Tk<'_>]) {
    let recs: Vec<TicketRecord> = tickets.iter().map(|t| t.record()).collect();
    store.with_tx(|tx| upsert_tickets(tx, source, &recs)).unwrap();
}

use hypercare::import::demo::Rng;

/// Write `n` synthetic tickets created over `days` days from `start` straight
/// into the tables (fast bulk path for benchmarks and chart previews): about
/// one comment and two status changes each, 8 % reopened once, 85 % resolved.
pub fn bulk_synthetic(store: &Store, source: i64, n: usize, start: NaiveDate, days: i64) {
    let t0 = Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap()).timestamp();
    let cats = ["critical_bug", "major_bug", "performance", "usability", "integration", "minor_bug", "documentation", "training", "enhancement", "data_issue"];
    let mut rng = Rng(42);
    store
        .with_tx(|tx| {
            let mut ins_t = tx.prepare(
                "INSERT INTO tickets (source_id, remote_id, key, title, status, status_class, priority, remote_category,
                   reporter, created_at, updated_at, resolved_at, remote_version)
                 VALUES (?1, ?2, ?2, 'synthetic', ?3, ?3, ?4, ?5, 'reporter', ?6, ?7, ?8, '1')",
            )?;
            let mut ins_c = tx.prepare("INSERT INTO comments (ticket_id, remote_id, author, body, created_at) VALUES (?1, 'c', 'agent', 'x', ?2)")?;
            let mut ins_s = tx.prepare(
                "INSERT INTO status_changes (ticket_id, remote_id, at, from_class, from_status, to_class, to_status)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5)",
            )?;
            for i in 0..n {
                // Volume falls over the window: more tickets early in hypercare.
                let u = rng.unit();
                let created = t0 + ((1.0 - (1.0 - u).sqrt()) * days as f64 * 86400.0) as i64;
                let p = rng.unit();
                let (prio, hours) = if p < 0.05 { ("P1", 3.0) } else if p < 0.2 { ("P2", 16.0) } else if p < 0.55 { ("P3", 48.0) } else { ("P4", 96.0) };
                let cat = cats[(rng.unit() * cats.len() as f64) as usize % cats.len()];
                let ack = created + (rng.unit() * hours * 0.3 * 3600.0) as i64 + 60;
                let resolved = (rng.unit() < 0.85).then(|| created + ((0.2 + rng.unit() * 1.6) * hours * 3600.0) as i64);
                let reopened = resolved.filter(|_| rng.unit() < 0.08).map(|r| (r + 7200, r + 7200 + (hours * 1800.0) as i64));
                let final_resolved = reopened.map(|x| x.1).or(resolved);
                let status = if final_resolved.is_some() { "resolved" } else { "open" };
                ins_t.execute(params![source, format!("S-{i}"), status, prio, cat, created, final_resolved.unwrap_or(ack), final_resolved])?;
                let id = tx.last_insert_rowid();
                ins_c.execute(params![id, ack])?;
                if let Some(r) = resolved {
                    ins_s.execute(params![id, "s1", r, "open", "resolved"])?;
                }
                if let Some((ro, rr)) = reopened {
                    ins_s.execute(params![id, "s2", ro, "resolved", "open"])?;
                    ins_s.execute(params![id, "s3", rr, "open", "resolved"])?;
                }
            }
            Ok(())
        })
        .unwrap();
    let _ = Duration::days(1);
}
