//! Imports of survey exports and usage logs into the store.
//!
//! Every import is all-or-nothing: rows are checked and written in one
//! transaction (prepared statements), and the first malformed row aborts it
//! with its line number and reason — unless the caller asks to skip bad
//! rows, in which case they are counted and listed instead. Files must be
//! UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured); Latin-1 is read
//! only when asked for explicitly ([`Encoding::Latin1`]), never guessed.

pub mod demo;
pub mod preview;
pub mod surveys;
pub mod time;
pub mod usage;

use std::path::Path;

use rusqlite::OptionalExtension;
use serde::Serialize;
use ts_rs::TS;
use sha2::{Digest, Sha256};

use crate::{Error, ImportProblem, Result, Store};

/// How to read the bytes of an import file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 (BOM optional); UTF-16 with a BOM is accepted too.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is one character. For old Excel exports.
    Latin1,
}

impl Encoding {
    pub fn parse(s: &str) -> Result<Encoding> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Ok(Encoding::Utf8),
            "latin1" | "iso88591" => Ok(Encoding::Latin1),
            _ => Err(Error::invalid(format!("unknown encoding {s:?}; use utf-8 or latin1"))),
        }
    }
}

/// Options shared by every import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Skip malformed rows (reported in the summary) instead of aborting.
    pub skip_bad_rows: bool,
    pub encoding: Encoding,
}

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RowError {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    pub reason: String,
}

/// Rows listed in a summary at most; the count is always exact.
pub const MAX_LISTED_ERRORS: usize = 100;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub file: String,
    /// Rows written (survey answers: one per rating, so a row with CSAT and
    /// NPS gives two).
    pub imported: u64,
    /// Survey: the file's rows that gave at least one answer (0 for usage).
    pub rows: u64,
    /// Malformed rows skipped (only with `skip_bad_rows`).
    pub skipped: u64,
    /// The first skipped rows with their reasons.
    pub errors: Vec<RowError>,
    /// Survey answers outside their scale (kept, left out of the KPIs).
    pub out_of_range: u64,
    /// Survey rows without any answer (a question left blank).
    pub blank: u64,
    /// Rows already in the store (an earlier, overlapping export), not added again.
    pub duplicates: u64,
}

impl ImportSummary {
    /// Record a bad row: abort unless skipping.
    pub(crate) fn bad_row(&mut self, opts: &ImportOptions, line: u64, reason: String) -> Result<()> {
        if !opts.skip_bad_rows {
            return Err(Error::import(ImportProblem::BadRow, format!("{} line {line}: {reason}. Nothing was imported", self.file)));
        }
        self.skipped += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(RowError { line, reason });
        }
        Ok(())
    }
}

/// An import file read into memory.
pub struct ImportFile {
    /// File name shown in messages and stored with the rows.
    pub label: String,
    pub text: String,
    /// SHA-256 of the bytes, hex: the same file is never imported twice.
    pub sha256: String,
}

/// Read `path` as text in `encoding`, with a clear error for bytes that are
/// not valid UTF-8 (naming the line and the byte), and refuse a file whose
/// exact bytes were imported before.
pub fn read_file(store: &Store, path: &Path, encoding: Encoding) -> Result<ImportFile> {
    let bytes = read_bytes(path)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let label = file_label(path);
    let before: Option<(String, i64, i64)> = store.read(|c| {
        Ok(c.query_row("SELECT file, rows, imported_at FROM import_files WHERE sha256 = ?1", [&sha256], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
    })?;
    if let Some((file, rows, at)) = before {
        return Err(Error::Conflict(format!(
            "{label} was already imported (as {file}, {rows} rows, on {}); nothing was imported again",
            crate::store::from_ts(at).format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let text = decode(&bytes, encoding, &label)?;
    Ok(ImportFile { label, text, sha256 })
}

/// The bytes of `path`; a missing file is `not_found`.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found(format!("{} does not exist", path.display())),
        _ => Error::invalid(format!("cannot read {}: {e}", path.display())),
    })
}

/// Record `file` as imported, inside the import's transaction.
pub(crate) fn record_file(tx: &rusqlite::Transaction<'_>, file: &ImportFile, kind: &str, rows: u64, now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO import_files (sha256, file, kind, rows, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![file.sha256, file.label, kind, rows as i64, now],
    )?;
    Ok(())
}

/// Decode file bytes (see [`read_file`]).
pub fn decode(bytes: &[u8], encoding: Encoding, name: &str) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, name, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, name, u16::from_be_bytes);
    }
    match encoding {
        Encoding::Latin1 => Ok(bytes.iter().map(|b| *b as char).collect()),
        Encoding::Utf8 => {
            let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            match std::str::from_utf8(body) {
                Ok(s) => Ok(s.to_string()),
                Err(e) => {
                    let at = e.valid_up_to();
                    let line = body[..at].iter().filter(|b| **b == b'\n').count() + 1;
                    Err(Error::import(
                        ImportProblem::Encoding,
                        format!(
                            "{name} is not UTF-8: byte 0x{:02X} on line {line} is not valid UTF-8 \
                             (files saved by older Excel versions are often Latin-1)",
                            body[at]
                        ),
                    ))
                }
            }
        }
    }
}

fn utf16(rest: &[u8], name: &str, f: fn([u8; 2]) -> u16) -> Result<String> {
    if rest.len() % 2 != 0 {
        return Err(Error::import(ImportProblem::Encoding, format!("{name} has a UTF-16 byte-order mark but an odd number of bytes")));
    }
    let units: Vec<u16> = rest.chunks_exact(2).map(|c| f([c[0], c[1]])).collect();
    String::from_utf16(&units)
        .map_err(|_| Error::import(ImportProblem::Encoding, format!("{name} is not valid UTF-16 although it starts with a UTF-16 mark")))
}

/// The file name shown in summaries and stored with the rows.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_the_line_and_byte() {
        let err = decode(b"a,b\nJos\xE9,1\n", Encoding::Utf8, "x.csv").unwrap_err();
        assert_eq!((err.code(), err.import_problem()), (crate::ErrorCode::InvalidInput, Some(ImportProblem::Encoding)));
        let e = err.to_string();
        assert!(e.contains("line 2") && e.contains("0xE9") && e.contains("Latin-1"), "{e}");
        assert!(!e.contains("--"), "no CLI flag in the core's text: {e}");
        assert_eq!(decode(b"Jos\xE9", Encoding::Latin1, "x").unwrap(), "José");
        assert_eq!(decode(b"\xEF\xBB\xBFok", Encoding::Utf8, "x").unwrap(), "ok");
        assert_eq!(decode(&[0xFF, 0xFE, b'o', 0, b'k', 0], Encoding::Utf8, "x").unwrap(), "ok");
    }
}
