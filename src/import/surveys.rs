//! Survey answers from CSV exports (Microsoft Forms, Google Forms,
//! Qualtrics...). A saved [`SurveyMapping`] names the columns once.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::time::parse_timestamp;
use super::{read_file, record_file, ImportOptions, ImportSummary};
use crate::kpi::data::Scale;
use crate::kpi::Period;
use crate::{Error, Result, Store};

/// One rating question of the export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScoreColumn {
    pub column: String,
    pub scale: Scale,
}

/// Which columns of an export hold what. Column names match the header
/// exactly after trimming (case-insensitive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SurveyMapping {
    pub timestamp: String,
    #[serde(default)]
    pub respondent: Option<String>,
    pub scores: Vec<ScoreColumn>,
    #[serde(default)]
    pub comment: Option<String>,
    /// chrono format of the timestamps when the usual ones do not fit.
    #[serde(default)]
    pub timestamp_format: Option<String>,
    /// Header lines before the data (Qualtrics exports have 3).
    #[serde(default = "one")]
    pub header_rows: u32,
    /// Field delimiter (default `,`; `;` for European Excel).
    #[serde(default)]
    pub delimiter: Option<char>,
}

fn one() -> u32 {
    1
}

impl SurveyMapping {
    /// Check that the mapping can work at all.
    pub fn validate(&self) -> Result<()> {
        if self.timestamp.trim().is_empty() {
            return Err(Error::invalid("the mapping needs a timestamp column (--timestamp COL)"));
        }
        if self.scores.is_empty() {
            return Err(Error::invalid("the mapping needs at least one score column (--score COL --scale csat|nps)"));
        }
        if self.header_rows == 0 {
            return Err(Error::invalid("header rows must be at least 1: the first line names the columns"));
        }
        if self.delimiter.is_some_and(|d| !d.is_ascii()) {
            return Err(Error::invalid("the delimiter must be one ASCII character"));
        }
        Ok(())
    }
}

impl Store {
    /// Save (or replace) a named survey mapping.
    pub fn save_survey_mapping(&self, name: &str, m: &SurveyMapping, now: DateTime<Utc>) -> Result<()> {
        if name.trim().is_empty() {
            return Err(Error::invalid("a mapping needs a name"));
        }
        m.validate()?;
        let json = serde_json::to_string(m).map_err(|e| Error::Internal(format!("cannot encode the mapping: {e}")))?;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO survey_mappings (name, mapping, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
                params![name.trim(), json, now.timestamp()],
            )?;
            Ok(())
        })
    }

    /// A saved survey mapping by name.
    pub fn survey_mapping(&self, name: &str) -> Result<SurveyMapping> {
        let json: Option<String> = self.read(|c| {
            Ok(c.query_row("SELECT mapping FROM survey_mappings WHERE name = ?1", [name.trim()], |r| r.get(0))
                .map(Some)
                .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?)
        })?;
        let json = json.ok_or_else(|| {
            Error::not_found(format!("no survey mapping named {name:?}; save one with `hypercare import mapping save {name} ...`"))
        })?;
        serde_json::from_str(&json).map_err(|e| Error::Internal(format!("the saved mapping {name:?} is unreadable: {e}")))
    }

    /// Names of the saved mappings.
    pub fn survey_mapping_names(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT name FROM survey_mappings ORDER BY name")?;
            let names = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(names)
        })
    }
}

/// Leading integer of a rating cell: `4`, `4.0`, `4 - Satisfied`.
pub(crate) fn parse_score(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    if let Ok(f) = t.parse::<f64>() {
        return (f.fract() == 0.0 && f.abs() < 1e6).then_some(f as i64);
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    let rest = &t[digits.len()..];
    (!digits.is_empty() && rest.trim_start().starts_with(['-', '–', ' ', '(', ':'])).then(|| digits.parse().ok()).flatten()
}

fn column(headers: &csv::StringRecord, name: &str) -> Result<usize> {
    let want = name.trim().to_lowercase();
    headers
        .iter()
        .position(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase() == want)
        .ok_or_else(|| {
            let have: Vec<&str> = headers.iter().take(12).collect();
            Error::invalid(format!("the file has no column {name:?}; its columns are: {}", have.join(", ")))
        })
}

/// Import the survey export at `path` with `mapping`, at `now`.
pub fn import_surveys(
    store: &Store,
    path: &Path,
    mapping: &SurveyMapping,
    opts: ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportSummary> {
    mapping.validate()?;
    let file = read_file(store, path, opts.encoding)?;
    let text = &file.text;
    let settings = store.kpi_settings()?;
    let tz = Period::parse_tz(&settings.timezone)?;
    let mut summary = ImportSummary { file: file.label.clone(), ..Default::default() };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(mapping.delimiter.map(|d| d as u8).unwrap_or(b','))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| Error::invalid(format!("{}: cannot read the header line: {e}", summary.file)))?.clone();
    let ts_col = column(&headers, &mapping.timestamp)?;
    let who_col = mapping.respondent.as_deref().map(|c| column(&headers, c)).transpose()?;
    let comment_col = mapping.comment.as_deref().map(|c| column(&headers, c)).transpose()?;
    let score_cols: Vec<(usize, Scale, &str)> = mapping
        .scores
        .iter()
        .map(|s| column(&headers, &s.column).map(|i| (i, s.scale, s.column.as_str())))
        .collect::<Result<_>>()?;

    struct Answer<'q> {
        question: &'q str,
        line: u64,
        at: i64,
        who: Option<String>,
        scale: Scale,
        score: i64,
        comment: Option<String>,
    }
    let mut answers = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        let line = match &rec {
            Ok(r) => r.position().map(|p| p.line()).unwrap_or(k as u64 + 2),
            Err(e) => e.position().map(|p| p.line()).unwrap_or(k as u64 + 2),
        };
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                summary.bad_row(&opts, line, format!("not a valid CSV row ({e})"))?;
                continue;
            }
        };
        if (k as u32) < mapping.header_rows - 1 || rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let at = match parse_timestamp(rec.get(ts_col).unwrap_or(""), tz, mapping.timestamp_format.as_deref()) {
            Ok(t) => t,
            Err(reason) => {
                summary.bad_row(&opts, line, format!("column {:?}: {reason}", mapping.timestamp))?;
                continue;
            }
        };
        let who = who_col.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let mut comment = comment_col.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let mut row_answers = Vec::new();
        let mut bad = None;
        for (col, scale, question) in &score_cols {
            let cell = rec.get(*col).unwrap_or("").trim();
            if cell.is_empty() {
                continue;
            }
            match parse_score(cell) {
                Some(score) => row_answers.push((*question, *scale, score)),
                None => {
                    bad = Some(format!("column {question:?}: {cell:?} is not a whole-number rating"));
                    break;
                }
            }
        }
        if let Some(reason) = bad {
            summary.bad_row(&opts, line, reason)?;
            continue;
        }
        if row_answers.is_empty() {
            summary.blank += 1;
            continue;
        }
        summary.rows += 1;
        for (question, scale, score) in row_answers {
            if !scale.in_range(score) {
                summary.out_of_range += 1;
            }
            // The comment belongs to the submission: keep it once.
            answers.push(Answer { question, line, at, who: who.clone(), scale, score, comment: comment.take() });
        }
    }
    let imported = store.with_tx(|tx| {
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO survey_responses
                (source_file, line, respondent, submission, question, answered_at, scale, score, comment, imported_at)
             VALUES (?1, ?2, ?3, COALESCE(?3, '#' || ?1 || ':' || ?2), ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut n = 0u64;
        for a in &answers {
            n += ins.execute(params![
                file.label,
                a.line as i64,
                a.who,
                a.question,
                a.at,
                a.scale.as_str(),
                a.score,
                a.comment,
                now.timestamp()
            ])? as u64;
        }
        record_file(tx, &file, "surveys", n, now.timestamp())?;
        Ok(n)
    })?;
    summary.imported = imported;
    summary.duplicates = answers.len() as u64 - imported;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::parse_score;

    #[test]
    fn rating_cells_read_their_leading_number() {
        assert_eq!(parse_score("4"), Some(4));
        assert_eq!(parse_score(" 5.0 "), Some(5));
        assert_eq!(parse_score("4 - Satisfied"), Some(4));
        assert_eq!(parse_score("-1"), Some(-1));
        assert_eq!(parse_score("Very satisfied"), None);
        assert_eq!(parse_score("4.5"), None);
    }
}
