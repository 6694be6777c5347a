//! A first look at a survey export before any mapping exists: its columns,
//! a few rows, and a best guess of which column holds what. The user
//! confirms or corrects the guess (and, through [`FileLayout`], the header
//! lines and the separator); nothing here writes to the store.
//!
//! The guess reads the data, not the tool's name: the delimiter is the one
//! of `,`, `;` and tab that splits the header into more columns; extra header
//! lines (Qualtrics writes 3) are the lines before the first one with a
//! readable date; the timestamp is a column where every value is a date
//! (a "recorded"/"completion"/"submitted" one first); scores are columns of
//! whole numbers within 1–5 or 0–10; the comment is the column with the
//! longest free text.

use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::surveys::{parse_score, ScoreColumn, SurveyMapping};
use super::time::parse_timestamp;
use super::{decode, file_label, read_bytes, Encoding};
use crate::kpi::data::Scale;
use crate::{Error, Result};

/// Data rows shown in a preview.
pub const PREVIEW_ROWS: usize = 5;
/// Data rows read to make the guess (the rest is only counted).
const GUESS_ROWS: usize = 500;
/// Longest cell text sent in a preview, in characters.
const MAX_CELL_CHARS: usize = 200;

/// What the import dialog shows for a file before it is imported.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SurveyPreview {
    /// File name (without its folder).
    pub file: String,
    /// Column names from the first header line.
    pub columns: Vec<String>,
    /// The first data rows, cell by cell (long cells cut).
    pub rows: Vec<Vec<String>>,
    /// Data rows in the file (after the header lines).
    pub data_rows: u64,
    /// The best guess; `timestamp` is empty and `scores` empty when no
    /// column fits. The user confirms or corrects it before importing.
    pub guess: SurveyMapping,
}

/// The user's correction of the guessed file layout (`None`: guess it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FileLayout {
    pub header_rows: Option<u32>,
    pub delimiter: Option<char>,
}

/// Read the export at `path` and guess its mapping. Times are read in `tz`
/// (the workspace's zone) only to tell dates from other text.
pub fn preview_survey(path: &Path, encoding: Encoding, tz: Tz, layout: FileLayout) -> Result<SurveyPreview> {
    let bytes = read_bytes(path)?;
    let file = file_label(path);
    let text = decode(&bytes, encoding, &file)?;
    preview_text(&file, &text, tz, layout)
}

/// [`preview_survey`] on text already read.
pub fn preview_text(file: &str, text: &str, tz: Tz, layout: FileLayout) -> Result<SurveyPreview> {
    if layout.delimiter.is_some_and(|d| !d.is_ascii() || d == '"' || d == '\n') {
        return Err(Error::invalid("the separator must be one ASCII character such as , or ;"));
    }
    if layout.header_rows.is_some_and(|n| !(1..=20).contains(&n)) {
        return Err(Error::invalid("header lines must be between 1 and 20: the first line names the columns"));
    }
    let delimiter = layout.delimiter.unwrap_or_else(|| guess_delimiter(text));
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter as u8).flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut data_rows = 0u64;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::invalid(format!("{file}: not a readable CSV file ({e})")))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        data_rows += 1;
        if records.len() < GUESS_ROWS + 3 {
            records.push(rec.iter().map(|f| f.trim().to_string()).collect::<Vec<_>>());
        }
    }
    let Some(header) = records.first() else {
        return Err(Error::invalid(format!("{file} is empty: a survey export starts with a line of column names")));
    };
    let columns: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let header_rows = layout.header_rows.unwrap_or_else(|| guess_header_rows(&records, tz));
    let data = &records[(header_rows as usize).min(records.len())..];
    data_rows = data_rows.saturating_sub(header_rows as u64);
    let guess = guess_mapping(&columns, data, tz, header_rows, delimiter);
    let cut = |s: &String| if s.chars().count() > MAX_CELL_CHARS { s.chars().take(MAX_CELL_CHARS).collect::<String>() + "…" } else { s.clone() };
    let rows = data.iter().take(PREVIEW_ROWS).map(|r| r.iter().map(cut).collect()).collect();
    Ok(SurveyPreview { file: file.to_string(), columns, rows, data_rows, guess })
}

/// `;` or a tab when it splits the first line into more fields than `,` does.
fn guess_delimiter(text: &str) -> char {
    let first = text.lines().next().unwrap_or("");
    let fields = |d: u8| {
        csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .from_reader(first.as_bytes())
            .records()
            .next()
            .and_then(|r| r.ok())
            .map_or(0, |r| r.len())
    };
    [';', '\t'].into_iter().fold(',', |best, d| if fields(d as u8) > fields(best as u8) { d } else { best })
}

/// Header lines: 1 plus the lines (at most 4) before the first line with a
/// readable date in any cell. Without any dated line: 1.
fn guess_header_rows(records: &[Vec<String>], tz: Tz) -> u32 {
    let dated = |r: &Vec<String>| r.iter().any(|c| looks_like_time(c, tz));
    match records.iter().skip(1).take(5).position(dated) {
        Some(k) => 1 + k as u32,
        None => 1,
    }
}

/// A date with a time or a plain ISO date; bare numbers never count.
fn looks_like_time(cell: &str, tz: Tz) -> bool {
    let c = cell.trim();
    c.len() >= 8 && !c.chars().all(|ch| ch.is_ascii_digit() || ch == '.') && parse_timestamp(c, tz, None).is_ok()
}

/// Columns that are survey-tool bookkeeping, never answers.
fn is_metadata(name: &str) -> bool {
    let n: String = name.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    const NAMES: &[&str] = &["id", "status", "progress", "finished", "responseid", "ipaddress", "userlanguage", "distributionchannel"];
    NAMES.contains(&n.as_str()) || n.starts_with("duration") || n.starts_with("location") || n.starts_with("recipient") || n.starts_with("qrecaptcha")
}

fn name_has(name: &str, words: &[&str]) -> bool {
    let n = name.to_lowercase();
    words.iter().any(|w| n.contains(w))
}

fn guess_mapping(columns: &[String], data: &[Vec<String>], tz: Tz, header_rows: u32, delimiter: char) -> SurveyMapping {
    let values = |i: usize| data.iter().filter_map(move |r| r.get(i)).map(String::as_str).filter(|c| !c.is_empty());
    let filled = |i: usize| values(i).next().is_some();

    let times: Vec<usize> = (0..columns.len()).filter(|&i| filled(i) && values(i).all(|c| looks_like_time(c, tz))).collect();
    let timestamp = ["recorded", "completion", "submit", "timestamp", "end"]
        .iter()
        .find_map(|w| times.iter().copied().find(|&i| name_has(&columns[i], &[w])))
        .or(times.first().copied());

    let respondent = (0..columns.len()).find(|&i| {
        let mut seen = std::collections::HashSet::new();
        name_has(&columns[i], &["email", "responseid", "response id", "respondent"])
            && filled(i)
            && values(i).all(|c| !c.eq_ignore_ascii_case("anonymous") && seen.insert(c))
    });

    let mut scores = Vec::new();
    for (i, name) in columns.iter().enumerate() {
        if Some(i) == timestamp || Some(i) == respondent || is_metadata(name) || !filled(i) {
            continue;
        }
        // Most values must be ratings; a few bad cells (a typo, "n/a") do not
        // hide the column: the import names them row by row.
        let total = values(i).count();
        let nums: Vec<i64> = values(i).filter_map(parse_score).collect();
        if nums.is_empty() || nums.len() * 5 < total * 4 {
            continue;
        }
        let (lo, hi) = (nums.iter().min().copied().unwrap_or(0), nums.iter().max().copied().unwrap_or(0));
        let scale = if name_has(name, &["recommend", "nps", "likely"]) && lo >= 0 && hi <= 10 {
            Scale::Nps010
        } else if lo >= 1 && hi <= 5 {
            Scale::Csat15
        } else if lo >= 0 && hi <= 10 {
            Scale::Nps010
        } else {
            continue;
        };
        scores.push(ScoreColumn { column: name.clone(), scale });
    }

    let scored: Vec<&str> = scores.iter().map(|s| s.column.as_str()).collect();
    let comment = (0..columns.len())
        .filter(|&i| Some(i) != timestamp && Some(i) != respondent && !is_metadata(&columns[i]) && !scored.contains(&columns[i].as_str()))
        .filter(|&i| values(i).any(|c| c.trim().contains(' ')))
        .map(|i| {
            let (n, len) = values(i).fold((0usize, 0usize), |(n, l), c| (n + 1, l + c.chars().count()));
            (i, len / n.max(1))
        })
        .max_by_key(|&(i, avg)| (avg, std::cmp::Reverse(i)))
        .map(|(i, _)| columns[i].clone());

    SurveyMapping {
        timestamp: timestamp.map(|i| columns[i].clone()).unwrap_or_default(),
        respondent: respondent.map(|i| columns[i].clone()),
        scores,
        comment,
        timestamp_format: None,
        header_rows,
        delimiter: (delimiter != ',').then_some(delimiter),
    }
}

#[cfg(test)]
#[path = "preview_tests.rs"]
mod tests;
