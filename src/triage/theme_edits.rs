//! Trainer edits of themes: rename, merge (and its undo), split, training
//! markers. Every edit but a marker is logged in `theme_edits`; a merge's
//! log row records what moved, which is what makes it undoable.
//!
//! **Invariant:** undoing a merge moves back only what the merge moved and
//! is still in the surviving theme; an edit a re-run depends on is never
//! half-undone (one transaction).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::survey_items::{membership, ItemOrigin};
use super::theme_view::{ThemeExample, EXAMPLE_CHARS};
use crate::store::{from_ts, to_ts};
use crate::{Error, Result, Store};

fn require_theme(c: &Connection, id: i64) -> Result<()> {
    let n: i64 = c.query_row("SELECT COUNT(*) FROM themes WHERE id = ?1 AND merged_into IS NULL", [id], |r| r.get(0))?;
    if n == 0 {
        return Err(Error::NotFound(format!("theme {id} does not exist (or was merged); see `hypercare themes`")));
    }
    Ok(())
}

fn log_edit(tx: &Transaction<'_>, kind: &str, theme: i64, other: Option<i64>, detail: serde_json::Value, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO theme_edits(kind, theme_id, other_id, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, theme, other, detail.to_string(), to_ts(now)],
    )?;
    Ok(())
}

/// The longest theme name, in characters: a name is a label in lists,
/// charts and reports, not a description.
pub const THEME_NAME_MAX: usize = 80;

/// A trainer's theme name, trimmed; refused when empty or longer than
/// [`THEME_NAME_MAX`] characters, with a message saying how long it is.
pub fn theme_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::InvalidInput("a theme name cannot be empty".into()));
    }
    let chars = name.chars().count();
    if chars > THEME_NAME_MAX {
        return Err(Error::InvalidInput(format!(
            "a theme name can have at most {THEME_NAME_MAX} characters; this one has {chars}: shorten it"
        )));
    }
    Ok(name)
}

/// Rename a theme; the name survives re-runs.
pub fn rename_theme(store: &Store, theme: i64, name: &str, now: DateTime<Utc>) -> Result<()> {
    let name = theme_name(name)?;
    store.with_tx(|tx| {
        require_theme(tx, theme)?;
        tx.execute("UPDATE themes SET name = ?2, name_edited = 1, updated_at = ?3 WHERE id = ?1", params![theme, name, to_ts(now)])?;
        log_edit(tx, "rename", theme, None, serde_json::json!({ "name": name }), now)
    })
}

/// What a merge moved from the hidden theme into the surviving one
/// (`theme_edits.detail` of a merge).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Moved {
    /// (ticket id, pinned).
    tickets: Vec<(i64, bool)>,
    comments: Vec<i64>,
    markers: Vec<i64>,
}

fn ids(c: &Connection, sql: &str, theme: i64) -> Result<Vec<i64>> {
    let mut st = c.prepare(sql)?;
    let rows = st.query_map([theme], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// Merge theme `from` into `into`: members and markers move, `from` is
/// hidden. What moved is logged, so [`unmerge_theme`] can undo it.
pub fn merge_themes(store: &Store, from: i64, into: i64, now: DateTime<Utc>) -> Result<()> {
    if from == into {
        return Err(Error::InvalidInput("cannot merge a theme into itself".into()));
    }
    store.with_tx(|tx| {
        require_theme(tx, from)?;
        require_theme(tx, into)?;
        let moved = {
            let mut st = tx.prepare("SELECT ticket_id, pinned FROM theme_members WHERE theme_id = ?1 ORDER BY ticket_id")?;
            let tickets = st.query_map([from], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1)))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Moved {
                tickets,
                comments: ids(tx, "SELECT response_id FROM theme_comment_members WHERE theme_id = ?1 ORDER BY response_id", from)?,
                markers: ids(tx, "SELECT id FROM training_markers WHERE theme_id = ?1 ORDER BY id", from)?,
            }
        };
        tx.execute(
            "INSERT OR IGNORE INTO theme_members(theme_id, ticket_id, pinned)
             SELECT ?2, ticket_id, pinned FROM theme_members WHERE theme_id = ?1",
            params![from, into],
        )?;
        tx.execute("DELETE FROM theme_members WHERE theme_id = ?1", [from])?;
        tx.execute(
            "INSERT OR IGNORE INTO theme_comment_members(theme_id, response_id, pinned)
             SELECT ?2, response_id, pinned FROM theme_comment_members WHERE theme_id = ?1",
            params![from, into],
        )?;
        tx.execute("DELETE FROM theme_comment_members WHERE theme_id = ?1", [from])?;
        tx.execute("UPDATE training_markers SET theme_id = ?2 WHERE theme_id = ?1", params![from, into])?;
        tx.execute("UPDATE themes SET merged_into = ?2, updated_at = ?3 WHERE id = ?1", params![from, into, to_ts(now)])?;
        let detail = serde_json::to_value(&moved).map_err(|e| Error::Internal(e.to_string()))?;
        log_edit(tx, "merge", from, Some(into), detail, now)
    })
}

/// Undo the merge of theme `from`: it shows again with the tickets, survey
/// comments and markers the merge moved that are still in the theme it was
/// merged into (a re-run since may have placed some elsewhere). The merge's
/// log row is removed. Returns the id of the theme it had been merged into.
pub fn unmerge_theme(store: &Store, from: i64, now: DateTime<Utc>) -> Result<i64> {
    store.with_tx(|tx| {
        let into: Option<Option<i64>> =
            tx.query_row("SELECT merged_into FROM themes WHERE id = ?1", [from], |r| r.get(0)).optional()?;
        let into = match into {
            None => return Err(Error::NotFound(format!("theme {from} does not exist"))),
            Some(None) => return Err(Error::InvalidInput(format!("theme {from} is not merged into another theme"))),
            Some(Some(into)) => into,
        };
        let into_merged: Option<i64> = tx.query_row("SELECT merged_into FROM themes WHERE id = ?1", [into], |r| r.get(0))?;
        if let Some(further) = into_merged {
            return Err(Error::Conflict(format!(
                "theme {into} (where theme {from} went) was merged into theme {further} since; undo that merge first"
            )));
        }
        let edit: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, detail FROM theme_edits WHERE kind = 'merge' AND theme_id = ?1 AND other_id = ?2 ORDER BY id DESC LIMIT 1",
                params![from, into],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let moved = edit.as_ref().and_then(|(_, d)| serde_json::from_str::<Moved>(d).ok());
        let (Some((edit_id, _)), Some(moved)) = (edit, moved) else {
            return Err(Error::Conflict(format!(
                "the merge of theme {from} was made before merges could be undone: it does not say which tickets moved"
            )));
        };
        for (ticket, pinned) in &moved.tickets {
            let n = tx.execute("DELETE FROM theme_members WHERE theme_id = ?1 AND ticket_id = ?2", params![into, ticket])?;
            if n > 0 {
                tx.execute("INSERT OR IGNORE INTO theme_members(theme_id, ticket_id, pinned) VALUES (?1, ?2, ?3)", params![from, ticket, pinned])?;
            }
        }
        for response in &moved.comments {
            // Moved back as it is, pinned (by a split) or not.
            tx.execute(
                "UPDATE OR IGNORE theme_comment_members SET theme_id = ?1 WHERE theme_id = ?2 AND response_id = ?3",
                params![from, into, response],
            )?;
        }
        for marker in &moved.markers {
            tx.execute("UPDATE training_markers SET theme_id = ?1 WHERE id = ?2 AND theme_id = ?3", params![from, marker, into])?;
        }
        tx.execute("UPDATE themes SET merged_into = NULL, updated_at = ?2 WHERE id = ?1", params![from, to_ts(now)])?;
        tx.execute("DELETE FROM theme_edits WHERE id = ?1", [edit_id])?;
        Ok(into)
    })
}

/// What a split moves out of a theme: tickets (`tickets.id`) and survey
/// comments (`survey_responses.id`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SplitItems {
    pub tickets: Vec<i64>,
    pub comments: Vec<i64>,
}

/// Split tickets and survey comments out of `theme` into a new theme called
/// `name`. What moved is pinned there: no re-run moves it back. Returns the
/// new theme's id.
pub fn split_theme(store: &Store, theme: i64, items: &SplitItems, name: &str, now: DateTime<Utc>) -> Result<i64> {
    if items.tickets.is_empty() && items.comments.is_empty() {
        return Err(Error::InvalidInput("a split needs at least one ticket or survey comment".into()));
    }
    let name = theme_name(name)?;
    let moves = [(ItemOrigin::Ticket, &items.tickets, "ticket"), (ItemOrigin::SurveyComment, &items.comments, "survey comment")];
    store.with_tx(|tx| {
        require_theme(tx, theme)?;
        for (origin, ids, what) in moves {
            let (table, col, _) = membership(origin);
            for id in ids {
                let n: i64 = tx.query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE theme_id = ?1 AND {col} = ?2"),
                    params![theme, id],
                    |r| r.get(0),
                )?;
                if n == 0 {
                    return Err(Error::InvalidInput(format!("{what} {id} is not in theme {theme}")));
                }
            }
        }
        tx.execute(
            "INSERT INTO themes(name, name_edited, created_at, updated_at) VALUES (?1, 1, ?2, ?2)",
            params![name, to_ts(now)],
        )?;
        let new_id = tx.last_insert_rowid();
        for (origin, ids, _) in moves {
            let (table, col, _) = membership(origin);
            for id in ids {
                tx.execute(&format!("DELETE FROM {table} WHERE {col} = ?1"), [id])?;
                tx.execute(&format!("INSERT INTO {table}(theme_id, {col}, pinned) VALUES (?1, ?2, 1)"), params![new_id, id])?;
            }
        }
        let detail = serde_json::json!({ "tickets": items.tickets, "comments": items.comments, "name": name });
        log_edit(tx, "split", theme, Some(new_id), detail, now)?;
        Ok(new_id)
    })
}

/// Every ticket of an active theme, oldest first, then its survey comments,
/// oldest first (what a split picks from).
pub fn theme_items(c: &Connection, theme: i64) -> Result<Vec<ThemeExample>> {
    require_theme(c, theme)?;
    let mut st = c.prepare(
        "SELECT t.id, t.key, t.title, t.created_at FROM theme_members m JOIN tickets t ON t.id = m.ticket_id
         WHERE m.theme_id = ?1 AND t.deleted_at IS NULL ORDER BY t.created_at, t.id",
    )?;
    let rows = st.query_map([theme], |r| {
        Ok(ThemeExample {
            origin: ItemOrigin::Ticket,
            ticket_id: Some(r.get(0)?),
            response_id: None,
            key: Some(r.get(1)?),
            text: r.get(2)?,
            date: from_ts(r.get(3)?).date_naive(),
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut st = c.prepare(
        "SELECT s.id, s.comment, s.answered_at FROM theme_comment_members m JOIN survey_responses s ON s.id = m.response_id
         WHERE m.theme_id = ?1 ORDER BY s.answered_at, s.id",
    )?;
    let rows = st.query_map([theme], |r| {
        Ok(ThemeExample {
            origin: ItemOrigin::SurveyComment,
            ticket_id: None,
            response_id: Some(r.get(0)?),
            key: None,
            text: r.get::<_, Option<String>>(1)?.unwrap_or_default().chars().take(EXAMPLE_CHARS).collect(),
            date: from_ts(r.get(2)?).date_naive(),
        })
    })?;
    out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    Ok(out)
}

/// The latest calendar date anywhere on Earth at `now` (UTC+14): a date
/// after it is in the future for every user.
fn latest_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(14)).date_naive()
}

/// Mark a theme as addressed by training or a documentation update on a
/// date. A date in the future is refused: the before/after comparison needs
/// the training to have happened.
pub fn mark_training(store: &Store, theme: i64, kind: &str, on: NaiveDate, note: &str, now: DateTime<Utc>) -> Result<i64> {
    if kind != "training" && kind != "documentation" {
        return Err(Error::InvalidInput(format!("marker kind {kind:?} must be training or documentation")));
    }
    if on > latest_today(now) {
        return Err(Error::InvalidInput(format!(
            "{on} is in the future: mark a theme once the training or documentation update has happened"
        )));
    }
    store.with_tx(|tx| {
        require_theme(tx, theme)?;
        tx.execute(
            "INSERT INTO training_markers(theme_id, kind, on_date, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![theme, kind, on.format("%Y-%m-%d").to_string(), note, to_ts(now)],
        )?;
        Ok(tx.last_insert_rowid())
    })
}

/// Remove a training marker (and with it its before/after line).
pub fn remove_training_marker(store: &Store, marker: i64) -> Result<()> {
    store.with_tx(|tx| {
        if tx.execute("DELETE FROM training_markers WHERE id = ?1", [marker])? == 0 {
            return Err(Error::NotFound(format!("training marker {marker} does not exist (already removed?)")));
        }
        Ok(())
    })
}
