//! Recording a validation: the validation, its evidence and its outbox rows
//! in one transaction. Works offline: nothing here talks to a server.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};

use super::{EvidenceInfo, OutboxKind, OutboxState, Outcome, Validation, ValidationConfig};
use crate::store::{from_ts, to_ts};
use crate::{Error, Result, Store};

/// Largest evidence file kept (bytes). Servers have their own, usually smaller, limit.
pub const MAX_EVIDENCE_BYTES: u64 = 50 * 1024 * 1024;

/// What the validator enters: the CLI's flags, or the desktop's validation
/// form (sent as `ValidationInput`, without the validator: the shell knows
/// who is signed in to the machine and sets it).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "ValidationInput")]
pub struct NewValidation {
    /// Local ticket id (`Store::ticket_id_by_key` turns a key into one).
    pub ticket_id: i64,
    pub outcome: Outcome,
    pub steps: String,
    pub environment: String,
    pub test_data: String,
    pub notes: String,
    #[serde(skip)]
    #[ts(skip)]
    pub validator: String,
    /// Evidence files on this machine; each is read now and kept in the store.
    #[ts(as = "Vec<String>")]
    pub evidence: Vec<PathBuf>,
    /// The validation this one corrects (same ticket, not yet superseded).
    pub supersedes: Option<i64>,
}

/// The evidence paths to read: as given, trimmed of the blanks a form
/// leaves around a pasted path; blank ones are no evidence.
fn evidence_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter_map(|p| match p.to_str() {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(PathBuf::from(s.trim())),
            None => Some(p.clone()),
        })
        .collect()
}

/// An evidence path as the user means it: `~` and `~/…` are the home
/// folder. A relative path is refused: the desktop app's working folder is
/// nothing the user chose, so the file read would be a guess (the CLI makes
/// its relative paths absolute against the shell's folder before this).
fn resolve_evidence_path(path: &Path, home: Option<&Path>) -> Result<PathBuf> {
    let tilde = path.strip_prefix("~").ok();
    let path = match (tilde, home) {
        (Some(rest), Some(home)) => home.join(rest),
        (Some(_), None) => {
            return Err(Error::invalid(format!(
                "evidence path {} starts with ~ but the home folder is not known; give the full path; nothing was recorded",
                path.display()
            )))
        }
        (None, _) => path.to_path_buf(),
    };
    if path.is_relative() {
        return Err(Error::invalid(format!(
            "evidence path {} is not a full path; give the full path (for example {}) or pick the file with Add files; nothing was recorded",
            path.display(),
            home.map(|h| h.join(&path)).unwrap_or_else(|| Path::new("/").join(&path)).display()
        )));
    }
    Ok(path)
}

/// An evidence file read from disk, ready to store.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// Read one evidence file; a missing, unreadable or too large file is an
/// `InvalidInput` error naming it.
pub fn read_evidence(path: &Path) -> Result<EvidenceFile> {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let path = &resolve_evidence_path(path, home.as_deref())?;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::invalid(format!("evidence file {shown} cannot be read: {e}; nothing was recorded")))?;
    if !meta.is_file() {
        return Err(Error::invalid(format!("evidence {shown} is not a file; nothing was recorded")));
    }
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(Error::invalid(format!(
            "evidence file {shown} is {} MiB, more than the {} MiB limit; nothing was recorded",
            meta.len() / (1024 * 1024),
            MAX_EVIDENCE_BYTES / (1024 * 1024)
        )));
    }
    let content = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("evidence file {shown} cannot be read: {e}; nothing was recorded")))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::invalid(format!("evidence {shown} has no file name")))?;
    Ok(EvidenceFile {
        media_type: media_type(&file_name).to_string(),
        sha256: hex::encode(Sha256::digest(&content)),
        file_name,
        content,
    })
}

/// Media type from a file name's extension (what servers show as content type).
pub fn media_type(file_name: &str) -> &'static str {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

/// Record a validation with its evidence and outbox rows, all in one
/// transaction: either everything is stored or nothing. `now` is the
/// recording time. The ticket's current local version (`remote_version`,
/// `updated_at`, status) is kept as what the validator saw: push reports a
/// conflict when someone else changed the ticket on the server after it. The ticket's
/// unsent draft (if any) is deleted in the same transaction. When `supersedes` names a validation whose writes are
/// still waiting (pending or in conflict), those are discarded so only the
/// correction reaches the server.
pub fn record_validation(store: &Store, new: &NewValidation, now: DateTime<Utc>) -> Result<Validation> {
    let validator = new.validator.trim();
    if validator.is_empty() {
        return Err(Error::invalid("the validator's name is empty; pass --validator NAME"));
    }
    let files = evidence_paths(&new.evidence).iter().map(|p| read_evidence(p)).collect::<Result<Vec<_>>>()?;
    let uuid = uuid::Uuid::new_v4().to_string();
    let ts = to_ts(now);
    let id = store.with_tx(|tx| {
        let (source_id, version, updated_at, status, key, deleted): (i64, String, i64, String, String, Option<i64>) =
            tx.query_row(
                "SELECT source_id, remote_version, updated_at, status, key, deleted_at FROM tickets WHERE id = ?1",
                [new.ticket_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("no ticket with id {}", new.ticket_id)))?;
        if deleted.is_some() {
            return Err(Error::invalid(format!(
                "ticket {key} was deleted on the server; there is nothing to validate"
            )));
        }
        let config = source_validation_config(tx, source_id)?;
        let round = match new.supersedes {
            Some(old) => superseded_round(tx, old, new.ticket_id)?,
            None => tx.query_row(
                "SELECT COALESCE(MAX(round), 0) + 1 FROM validations WHERE ticket_id = ?1",
                [new.ticket_id],
                |r| r.get::<_, i64>(0),
            )?,
        };
        tx.execute(
            "INSERT INTO validations (uuid, ticket_id, round, outcome, steps, environment, test_data, notes,
                validator, recorded_at, supersedes, seen_remote_version, seen_updated_at, seen_status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                uuid,
                new.ticket_id,
                round,
                new.outcome.as_str(),
                new.steps.trim(),
                new.environment.trim(),
                new.test_data.trim(),
                new.notes.trim(),
                validator,
                ts,
                new.supersedes,
                version,
                updated_at,
                status
            ],
        )?;
        let vid = tx.last_insert_rowid();
        insert_outbox(tx, vid, OutboxKind::Comment, None, None, ts)?;
        for f in &files {
            tx.execute(
                "INSERT INTO validation_evidence (validation_id, file_name, media_type, size, sha256, content)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![vid, f.file_name, f.media_type, f.content.len() as i64, f.sha256, f.content],
            )?;
            let eid = tx.last_insert_rowid();
            insert_outbox(tx, vid, OutboxKind::Attachment, Some(eid), None, ts)?;
        }
        if let Some(target) = config.target_status(new.outcome) {
            insert_outbox(tx, vid, OutboxKind::Transition, None, Some(target), ts)?;
        }
        super::draft::delete_draft(tx, new.ticket_id)?;
        if let Some(old) = new.supersedes {
            tx.execute(
                "UPDATE outbox SET state = 'discarded', last_error = ?2, updated_at = ?3
                 WHERE validation_id = ?1 AND state IN ('pending', 'conflict')",
                params![
                    old,
                    format!("corrected before it was pushed: round {round} is now {}", new.outcome.as_str()),
                    ts
                ],
            )?;
        }
        Ok(vid)
    })?;
    store.read(|c| load_validation(c, id))
}

/// The validation settings of a source (defaults when not configured).
pub fn source_validation_config(c: &Connection, source_id: i64) -> Result<ValidationConfig> {
    let raw: String = c
        .query_row("SELECT config FROM sources WHERE id = ?1", [source_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no source with id {source_id}")))?;
    let json: serde_json::Value =
        serde_json::from_str(&raw).map_err(|e| Error::Internal(format!("source config is not JSON: {e}")))?;
    ValidationConfig::from_source_config(&json)
}

fn superseded_round(c: &Connection, old: i64, ticket_id: i64) -> Result<i64> {
    let (old_ticket, round): (i64, i64) = c
        .query_row("SELECT ticket_id, round FROM validations WHERE id = ?1", [old], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no validation {old} to supersede")))?;
    if old_ticket != ticket_id {
        return Err(Error::invalid(format!(
            "validation {old} belongs to another ticket; a correction must be for the same ticket"
        )));
    }
    let later: Option<i64> =
        c.query_row("SELECT id FROM validations WHERE supersedes = ?1", [old], |r| r.get(0)).optional()?;
    if let Some(later) = later {
        return Err(Error::invalid(format!(
            "validation {old} is already superseded by {later}; correct {later} instead"
        )));
    }
    Ok(round)
}

fn insert_outbox(
    c: &Connection,
    validation_id: i64,
    kind: OutboxKind,
    evidence_id: Option<i64>,
    target_status: Option<&str>,
    ts: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO outbox (validation_id, kind, evidence_id, target_status, state, next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5, ?5)",
        params![validation_id, kind.as_str(), evidence_id, target_status, ts],
    )?;
    Ok(())
}

const VALIDATION_COLS: &str = "v.id, v.uuid, v.ticket_id, t.key, v.round, v.outcome, v.steps, v.environment,
    v.test_data, v.notes, v.validator, v.recorded_at, v.supersedes,
    (SELECT n.id FROM validations n WHERE n.supersedes = v.id),
    (SELECT s.kind FROM sources s WHERE s.id = t.source_id)";

fn row_to_validation(r: &Row<'_>) -> rusqlite::Result<Validation> {
    let outcome: String = r.get(5)?;
    Ok(Validation {
        id: r.get(0)?,
        uuid: r.get(1)?,
        ticket_id: r.get(2)?,
        ticket_key: r.get(3)?,
        round: r.get(4)?,
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Blocked),
        steps: r.get(6)?,
        environment: r.get(7)?,
        test_data: r.get(8)?,
        notes: r.get(9)?,
        validator: r.get(10)?,
        recorded_at: from_ts(r.get(11)?),
        supersedes: r.get(12)?,
        superseded_by: r.get(13)?,
        evidence: Vec::new(),
        push_state: None,
        stays_local: r.get::<_, Option<String>>(14)?.as_deref().and_then(super::stays_local).map(str::to_string),
    })
}

fn complete(c: &Connection, mut v: Validation) -> Result<Validation> {
    v.evidence = c
        .prepare_cached(
            "SELECT id, file_name, media_type, size, sha256 FROM validation_evidence WHERE validation_id = ?1 ORDER BY id",
        )?
        .query_map([v.id], |r| {
            Ok(EvidenceInfo { id: r.get(0)?, file_name: r.get(1)?, media_type: r.get(2)?, size: r.get(3)?, sha256: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let states = c
        .prepare_cached("SELECT DISTINCT state FROM outbox WHERE validation_id = ?1")?
        .query_map([v.id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let states: Vec<OutboxState> = states.iter().filter_map(|s| OutboxState::parse(s)).collect();
    v.push_state =
        [OutboxState::Conflict, OutboxState::Rejected, OutboxState::Pending, OutboxState::Sent, OutboxState::Discarded]
            .into_iter()
            .find(|s| states.contains(s));
    Ok(v)
}

/// One validation by local id.
pub fn load_validation(c: &Connection, id: i64) -> Result<Validation> {
    let v = c
        .query_row(
            &format!(
                "SELECT {VALIDATION_COLS} FROM validations v JOIN tickets t ON t.id = v.ticket_id WHERE v.id = ?1"
            ),
            [id],
            row_to_validation,
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no validation {id}")))?;
    complete(c, v)
}

/// Every validation of a ticket, oldest first (superseded ones included).
pub fn ticket_validations(c: &Connection, ticket_id: i64) -> Result<Vec<Validation>> {
    let list = c
        .prepare_cached(&format!(
            "SELECT {VALIDATION_COLS} FROM validations v JOIN tickets t ON t.id = v.ticket_id
             WHERE v.ticket_id = ?1 ORDER BY v.recorded_at, v.id"
        ))?
        .query_map([ticket_id], row_to_validation)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    list.into_iter().map(|v| complete(c, v)).collect()
}

impl Store {
    /// The validation history of a ticket (oldest first).
    pub fn validations(&self, ticket_id: i64) -> Result<Vec<Validation>> {
        self.read(|c| ticket_validations(c, ticket_id))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_form_input_drops_blank_evidence_and_leaves_the_validator_to_the_shell() {
        let v: super::NewValidation = serde_json::from_value(serde_json::json!({
            "ticket_id": 7, "outcome": "passed", "steps": "s", "environment": "e", "test_data": "t", "notes": "n",
            "evidence": [" /tmp/a.png ", "  ", ""], "supersedes": null, "validator": "someone else"
        }))
        .unwrap();
        assert_eq!(super::evidence_paths(&v.evidence), vec![std::path::PathBuf::from("/tmp/a.png")]);
        assert_eq!(v.validator, "", "the validator is never taken from the form");
    }

    #[test]
    fn evidence_paths_expand_the_home_folder_and_refuse_relative_ones() {
        use std::path::{Path, PathBuf};
        let home = Path::new("/home/ana");
        let r = |p: &str| super::resolve_evidence_path(Path::new(p), Some(home));
        assert_eq!(r("~/shots/a.png").unwrap(), PathBuf::from("/home/ana/shots/a.png"));
        assert_eq!(r("/tmp/a.png").unwrap(), PathBuf::from("/tmp/a.png"));
        let e = r("evidence1.txt").unwrap_err().to_string();
        assert!(e.contains("evidence1.txt is not a full path"), "{e}");
        assert!(e.contains("/home/ana/evidence1.txt"), "the message suggests the full path: {e}");
        assert!(e.contains("nothing was recorded"), "{e}");
        let e = super::resolve_evidence_path(Path::new("~/a.png"), None).unwrap_err().to_string();
        assert!(e.contains("home folder is not known"), "{e}");
        // "~name" is a file name, not a home folder: it stays relative and is refused.
        assert!(r("~ana/a.png").is_err());
    }
}
