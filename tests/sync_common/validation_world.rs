//! The store a vendor push test starts from: one source, the fake's one
//! ticket as a sync would have left it, and the recording and pushing the
//! tests do with it.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use hypercare::model::{StatusClass, TicketRecord};
use hypercare::store::sources::NewSource;
use hypercare::validation::push::{push_outbox, PushOptions, PushReport};
use hypercare::validation::record::{record_validation, NewValidation};
use hypercare::validation::{OutboxKind, OutboxState, Outcome, Validation};
use hypercare::Store;

/// The evidence file every test attaches (`invoice.png`).
pub const EVIDENCE: &[u8] = b"\x89PNG\r\n\x1a\n screenshot of the posted invoice";

/// The server's ticket as the last sync saw it.
pub struct Seen<'a> {
    pub remote_id: &'a str,
    pub key: &'a str,
    pub status: &'a str,
    pub status_class: StatusClass,
    /// The ticket's last update on the server: what a validation records as seen.
    pub updated_at: DateTime<Utc>,
}

pub struct World {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub ticket: i64,
    pub files: tempfile::TempDir,
}

impl World {
    /// A store with `source` holding the ticket `seen`.
    pub fn new(source: &NewSource, seen: &Seen) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        let source = store.add_source(source, Utc::now()).unwrap();
        let at = seen.updated_at;
        let rec = TicketRecord {
            remote_id: seen.remote_id.into(),
            key: seen.key.into(),
            title: "Invoice posting rounds wrong".into(),
            description: String::new(),
            status: seen.status.into(),
            status_class: seen.status_class,
            priority: "High".into(),
            tracker: "Bug".into(),
            category: None,
            assignee: None,
            reporter: None,
            created_at: at,
            updated_at: at,
            resolved_at: Some(at),
            remote_version: at.timestamp_millis().to_string(),
            raw: None,
            comments: None,
            status_changes: None,
        };
        store.with_tx(|tx| hypercare::store::tickets::upsert_tickets(tx, source.id, &[rec])).unwrap();
        let ticket = store
            .read(|c| Ok(c.query_row("SELECT id FROM tickets WHERE remote_id = ?1", [seen.remote_id], |r| r.get(0))?))
            .unwrap();
        World { _dir: dir, store, ticket, files: tempfile::tempdir().unwrap() }
    }

    /// A store with a source of `kind` named `name` (token in
    /// `HC_<NAME>_PUSH_TOKEN`, `config` as its settings) holding `seen`.
    pub fn for_source(kind: hypercare::model::SourceKind, name: &str, url: &str, project: &str, config: serde_json::Value, seen: &Seen) -> World {
        let token_env = Some(format!("HC_{}_PUSH_TOKEN", name.to_uppercase()));
        World::new(&NewSource { name: name.into(), kind, url: url.into(), project: project.into(), token_env, config }, seen)
    }

    /// Record a validation now (with `invoice.png` as evidence when asked).
    pub fn validate(&self, outcome: Outcome, with_evidence: bool) -> Validation {
        let mut evidence = vec![];
        if with_evidence {
            let p = self.files.path().join("invoice.png");
            std::fs::write(&p, EVIDENCE).unwrap();
            evidence.push(p);
        }
        let new = NewValidation {
            ticket_id: self.ticket,
            outcome,
            steps: "post invoice 4711".into(),
            environment: "PROD".into(),
            test_data: "customer C-17".into(),
            notes: "Rounds correctly now.".into(),
            validator: "Paula Process".into(),
            evidence,
            supersedes: None,
        };
        record_validation(&self.store, &new, Utc::now()).unwrap()
    }

    /// Push with `secret`, requests timing out after `timeout_secs`.
    pub async fn push(&self, secret: &str, timeout_secs: u64, now: DateTime<Utc>) -> PushReport {
        self.push_with(secret, false, timeout_secs, now).await
    }

    /// Push; with `force`, validations in conflict are pushed anyway.
    pub async fn push_with(&self, secret: &str, force: bool, timeout_secs: u64, now: DateTime<Utc>) -> PushReport {
        let opts = PushOptions { force, timeout: std::time::Duration::from_secs(timeout_secs) };
        let secret = secret.to_string();
        push_outbox(&self.store, &move |_| Some(secret.clone()), &opts, now).await.unwrap()
    }

    /// (state, last error, next attempt) of the validation's row of `kind`.
    pub fn row(&self, v: &Validation, kind: OutboxKind) -> (OutboxState, String, DateTime<Utc>) {
        let r = self.store.outbox(true).unwrap().into_iter().find(|r| r.validation_id == Some(v.id) && r.kind == kind);
        let r = r.unwrap_or_else(|| panic!("no {kind:?} row"));
        (r.state, r.last_error.unwrap_or_default(), r.next_attempt_at)
    }
}

impl World {
    /// Every outbox row of `v` is held back as a conflict whose reason names `who_when`.
    pub fn assert_held_back(&self, v: &Validation, who_when: &str) {
        let rows: Vec<_> = self.store.outbox(true).unwrap().into_iter().filter(|r| r.validation_id == Some(v.id)).collect();
        assert!(!rows.is_empty(), "no rows for validation {}", v.id);
        for r in rows {
            let why = r.last_error.unwrap_or_default();
            assert_eq!(r.state, OutboxState::Conflict, "{:?}: {why}", r.kind);
            assert!(why.contains(who_when), "{:?}: {why:?} does not name {who_when:?}", r.kind);
        }
    }
}

impl World {
    /// The ticket's raw record as the last sync kept it.
    pub fn set_raw(&self, raw: serde_json::Value) {
        let t = self.ticket;
        self.store.with_tx(|tx| Ok(tx.execute("UPDATE tickets SET raw = ?2 WHERE id = ?1", rusqlite::params![t, raw.to_string()])?)).unwrap();
    }

    /// Confirm `category` for the ticket now; the queued outbox row's id.
    pub fn confirm(&self, category: hypercare::model::Category) -> i64 {
        let o = hypercare::triage::Override { category: Some(category), ..Default::default() };
        let done = hypercare::triage::set_override(&self.store, self.ticket, &o, Utc::now()).unwrap();
        let push = done.category_push.expect("a category was given");
        assert!(push.queued, "{push:?}");
        push.outbox_id.unwrap()
    }

    /// (state, last error, next attempt) of outbox row `id`.
    pub fn outbox_row(&self, id: i64) -> (OutboxState, String, DateTime<Utc>) {
        let r = self.store.outbox(true).unwrap().into_iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}"));
        (r.state, r.last_error.unwrap_or_default(), r.next_attempt_at)
    }

    /// Make outbox row `id` pending again, as a push that died after the server took the write leaves it.
    pub fn make_pending(&self, id: i64) {
        self.store.with_tx(|tx| Ok(tx.execute("UPDATE outbox SET state = 'pending', remote_ref = NULL WHERE id = ?1", [id])?)).unwrap();
    }
}
