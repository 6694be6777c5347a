//! Tickets, their comments and status history, and full-text search.

use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension, Row, Transaction};

use super::{from_ts, opt_from_ts, to_ts, Store};
use crate::model::{
    Category, Comment, StatusChange, StatusClass, TicketDetail, TicketQuery, TicketRecord, TicketSummary,
};
use crate::{Error, Result};

/// What [`upsert_tickets`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsertStats {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Local ids of the tickets created or updated (for triage).
    pub changed: Vec<i64>,
}

/// Appended by the sync to the version of a record changed within seconds
/// of the sync's start, on the server's clock (`sync::engine::mark_fresh`):
/// the next sync fetches it again and stores it if anything differs.
pub const FRESH_MARK: &str = " (fresh)";

/// Whether a fetched record holds what is stored: its raw record and, when
/// it carries them, its comments.
fn same_content(tx: &Transaction<'_>, id: i64, rec: &TicketRecord) -> Result<bool> {
    let raw: Option<String> = tx.prepare_cached("SELECT raw FROM tickets WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
    if raw != rec.raw {
        return Ok(false);
    }
    let Some(comments) = &rec.comments else { return Ok(true) };
    let mut st = tx.prepare_cached("SELECT remote_id, body FROM comments WHERE ticket_id = ?1 ORDER BY remote_id")?;
    let mut stored = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut sent: Vec<(String, String)> = comments.iter().map(|c| (c.remote_id.clone(), c.body.clone())).collect();
    stored.sort();
    sent.sort();
    Ok(stored == sent)
}

/// Apply connector records to the store inside the caller's transaction.
///
/// Records are matched by (source, remote id). A record whose
/// `remote_version` equals the stored one (and is not a tombstone) is
/// skipped. A ticket that reappears after being marked deleted is revived.
/// The full-text index is kept in step in the same transaction.
pub fn upsert_tickets(tx: &Transaction<'_>, source_id: i64, records: &[TicketRecord]) -> Result<UpsertStats> {
    let mut stats = UpsertStats::default();
    for rec in records {
        let existing: Option<(i64, String, Option<i64>, String, String)> = tx
            .prepare_cached(
                "SELECT id, remote_version, deleted_at, title, description FROM tickets
                 WHERE source_id = ?1 AND remote_id = ?2",
            )?
            .query_row(params![source_id, rec.remote_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        if let Some((id, version, None, _, _)) = &existing {
            if *version == rec.remote_version && !version.ends_with(FRESH_MARK) {
                stats.unchanged += 1;
                continue;
            }
            // A version marked fresh may hide a change made in its second:
            // compare what the server sent instead, and keep the version it
            // sent (unmarked once the change has settled).
            let settles = version.strip_suffix(FRESH_MARK) == Some(rec.remote_version.as_str());
            if (*version == rec.remote_version || settles) && same_content(tx, *id, rec)? {
                tx.prepare_cached("UPDATE tickets SET remote_version = ?2 WHERE id = ?1")?.execute(params![id, rec.remote_version])?;
                stats.unchanged += 1;
                continue;
            }
        }
        let comment_count = rec
            .comments
            .as_ref()
            .map(|cs| cs.iter().filter(|c| !c.body.trim().is_empty()).count() as i64);
        let id: i64 = tx
            .prepare_cached(
                "INSERT INTO tickets (source_id, remote_id, key, title, description, status, status_class,
                    priority, tracker, remote_category, assignee, reporter, created_at, updated_at,
                    resolved_at, remote_version, comment_count, raw, deleted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, COALESCE(?17, 0), ?18, NULL)
                 ON CONFLICT (source_id, remote_id) DO UPDATE SET
                    key = excluded.key, title = excluded.title, description = excluded.description,
                    status = excluded.status, status_class = excluded.status_class,
                    priority = excluded.priority, tracker = excluded.tracker,
                    remote_category = excluded.remote_category, assignee = excluded.assignee,
                    reporter = excluded.reporter, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, resolved_at = excluded.resolved_at,
                    remote_version = excluded.remote_version,
                    comment_count = COALESCE(?17, tickets.comment_count),
                    raw = excluded.raw, deleted_at = NULL
                 RETURNING id",
            )?
            .query_row(
                params![
                    source_id,
                    rec.remote_id,
                    rec.key,
                    rec.title,
                    rec.description,
                    rec.status,
                    rec.status_class.as_str(),
                    rec.priority,
                    rec.tracker,
                    rec.category,
                    rec.assignee,
                    rec.reporter,
                    to_ts(rec.created_at),
                    to_ts(rec.updated_at),
                    rec.resolved_at.map(to_ts),
                    rec.remote_version,
                    comment_count,
                    rec.raw,
                ],
                |r| r.get(0),
            )?;
        if existing.is_some() {
            stats.updated += 1;
        } else {
            stats.created += 1;
        }
        stats.changed.push(id);

        if let Some(comments) = &rec.comments {
            tx.prepare_cached("DELETE FROM comments WHERE ticket_id = ?1")?.execute([id])?;
            let mut ins = tx.prepare_cached(
                "INSERT OR REPLACE INTO comments (ticket_id, remote_id, author, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for c in comments {
                ins.execute(params![id, c.remote_id, c.author, c.body, to_ts(c.created_at)])?;
            }
        }
        if let Some(changes) = &rec.status_changes {
            tx.prepare_cached("DELETE FROM status_changes WHERE ticket_id = ?1")?.execute([id])?;
            let mut ins = tx.prepare_cached(
                "INSERT OR REPLACE INTO status_changes
                    (ticket_id, remote_id, at, from_status, from_class, to_status, to_class, author)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for s in changes {
                ins.execute(params![
                    id,
                    s.remote_id,
                    to_ts(s.at),
                    s.from_status,
                    s.from_class.map(|c| c.as_str()),
                    s.to_status,
                    s.to_class.as_str(),
                    s.author
                ])?;
            }
        }

        // Reindex only when indexed text may have changed.
        let text_changed = match &existing {
            None => true,
            Some((_, _, _, title, description)) => {
                rec.comments.is_some() || *title != rec.title || *description != rec.description
            }
        };
        if text_changed {
            match &rec.comments {
                // The comments are at hand: no need to read them back.
                Some(cs) => {
                    let text = cs.iter().map(|c| c.body.as_str()).collect::<Vec<_>>().join("\n");
                    write_fts(tx, id, &rec.title, &rec.description, &text)?;
                }
                None => reindex_ticket(tx, id, &rec.title, &rec.description)?,
            }
        }
    }
    Ok(stats)
}

/// Rewrite the full-text row of ticket `id` from its title, description and stored comments.
pub fn reindex_ticket(tx: &Connection, id: i64, title: &str, description: &str) -> Result<()> {
    let comments: String = tx
        .prepare_cached("SELECT COALESCE(group_concat(body, char(10)), '') FROM comments WHERE ticket_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    write_fts(tx, id, title, description, &comments)
}

/// Replace the full-text row of ticket `id`.
fn write_fts(tx: &Connection, id: i64, title: &str, description: &str, comments: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM ticket_fts WHERE rowid = ?1")?.execute([id])?;
    tx.prepare_cached("INSERT INTO ticket_fts (rowid, title, description, comments) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, title, description, comments])?;
    Ok(())
}

/// Turn what a user typed into a safe FTS5 query: every word quoted (so no
/// FTS syntax can be injected), words ANDed, a trailing `*` kept as prefix.
/// Returns `None` when nothing searchable is left.
pub fn fts_query(text: &str) -> Option<String> {
    let mut terms = Vec::new();
    for raw in text.split_whitespace() {
        let prefix = raw.ends_with('*');
        let word: String = raw.chars().filter(|c| *c != '"' && *c != '*').collect();
        if word.is_empty() || !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        terms.push(if prefix { format!("\"{word}\"*") } else { format!("\"{word}\"") });
    }
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

const SUMMARY_COLS: &str = "t.id, s.name, t.remote_id, t.key, t.title, t.status, t.status_class, t.priority,
    t.tracker, COALESCE(tr.category_override, tr.category), t.assignee, t.reporter, t.created_at,
    t.updated_at, t.resolved_at, t.comment_count, t.deleted_at IS NOT NULL";

fn row_to_summary(r: &Row<'_>) -> rusqlite::Result<TicketSummary> {
    let class: String = r.get(6)?;
    let category: Option<String> = r.get(9)?;
    Ok(TicketSummary {
        id: r.get(0)?,
        source: r.get(1)?,
        remote_id: r.get(2)?,
        key: r.get(3)?,
        title: r.get(4)?,
        status: r.get(5)?,
        status_class: StatusClass::parse(&class).unwrap_or(StatusClass::Open),
        priority: r.get(7)?,
        tracker: r.get(8)?,
        category: category.as_deref().and_then(Category::parse),
        assignee: r.get(10)?,
        reporter: r.get(11)?,
        created_at: from_ts(r.get(12)?),
        updated_at: from_ts(r.get(13)?),
        resolved_at: opt_from_ts(r.get(14)?),
        comment_count: r.get(15)?,
        deleted: r.get(16)?,
    })
}

impl Store {
    /// The inbox: tickets matching `q`. Without a search, newest updates
    /// first; with a search, newest matching tickets first (FTS order, which
    /// stays fast even for a word that is in every ticket).
    pub fn tickets(&self, q: &TicketQuery) -> Result<Vec<TicketSummary>> {
        self.read(|c| query_tickets(c, q))
    }

    /// How many tickets the inbox query matches in all ([`count_tickets`]).
    pub fn count_tickets(&self, q: &TicketQuery) -> Result<u64> {
        self.read(|c| count_tickets(c, q))
    }

    /// One ticket with its description, comments and status history, by local id.
    pub fn ticket_detail(&self, id: i64) -> Result<TicketDetail> {
        self.read(|c| ticket_detail(c, id))
    }

    /// Local id of the ticket with this key (`tickets --json` shows keys).
    /// A key that several sources share must be qualified as `SOURCE:KEY`.
    pub fn ticket_id_by_key(&self, key: &str) -> Result<i64> {
        self.read(|c| {
            let (source, key) = match key.split_once(':') {
                Some((s, k)) if !s.is_empty() => (Some(s), k),
                _ => (None, key),
            };
            let mut st = c.prepare_cached(
                "SELECT t.id FROM tickets t JOIN sources s ON s.id = t.source_id
                 WHERE t.key = ?1 AND (?2 IS NULL OR s.name = ?2) LIMIT 2",
            )?;
            let ids = st.query_map(params![key, source], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            match ids.as_slice() {
                [id] => Ok(*id),
                [] => Err(Error::not_found(format!("no ticket with key {key:?}; `hypercare tickets` lists them"))),
                _ => Err(Error::invalid(format!(
                    "several sources have a ticket {key:?}; write it as SOURCE:{key}"
                ))),
            }
        })
    }
}

/// How the inbox query is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    /// No search: newest updates first, through the filter indexes.
    Plain,
    /// Search: walk the full-text matches newest first (FTS rowid order, so a
    /// word in every ticket costs no more than a rare one), checking the
    /// filters on each; with `Some(n)`, look at the newest `n` matches only.
    FtsDriven(Option<u32>),
    /// Search with selective filters: walk the tickets that pass the filters
    /// (filter indexes) and check each against the full-text matches, either
    /// collected once (`true`: few matches) or looked up per ticket (`false`).
    FilterDriven(bool),
}

/// Matches the FTS-driven probe looks at before switching to the filters.
const FTS_PROBE: u32 = 500;
/// Up to this many matches, a filtered search collects the match set once.
const COLLECT_MAX: u32 = 10_000;

/// The SQL and arguments of the inbox query for `q` executed as `how`;
/// `kpi_ids` is the JSON array of the ids behind `q.kpi`, resolved.
fn inbox_sql(q: &TicketQuery, kpi_ids: Option<&str>, fts: Option<&str>, how: Strategy) -> (String, Vec<Value>) {
    inbox_sql_keyed(q, kpi_ids, fts, how, &[])
}

/// [`inbox_sql`], restricted to tickets whose key is one of `keys` (none:
/// no restriction).
fn inbox_sql_keyed(q: &TicketQuery, kpi_ids: Option<&str>, fts: Option<&str>, how: Strategy, keys: &[String]) -> (String, Vec<Value>) {
    let (from_where, order, args) = inbox_from_where(q, kpi_ids, fts, how, keys);
    let limit = q.limit.unwrap_or(200).min(10_000) as i64;
    let offset = q.offset.unwrap_or(0) as i64;
    (format!("SELECT {SUMMARY_COLS} FROM {from_where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"), args)
}

/// The `FROM … WHERE …` of the inbox query, its `ORDER BY` and arguments.
fn inbox_from_where(
    q: &TicketQuery,
    kpi_ids: Option<&str>,
    fts: Option<&str>,
    how: Strategy,
    keys: &[String],
) -> (String, &'static str, Vec<Value>) {
    let mut wh: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if !keys.is_empty() {
        let mut marks = Vec::new();
        for k in keys {
            args.push(Value::Text(k.clone()));
            marks.push(format!("?{}", args.len()));
        }
        wh.push(format!("t.key IN ({})", marks.join(", ")));
    }
    if let Some(ids) = kpi_ids {
        args.push(Value::Text(ids.to_string()));
        wh.push(format!("t.id IN (SELECT value FROM json_each(?{}))", args.len()));
    }
    if !q.include_deleted {
        wh.push("t.deleted_at IS NULL".into());
    }
    if let Some(s) = q.status_class {
        args.push(Value::Text(s.as_str().into()));
        wh.push(format!("t.status_class = ?{}", args.len()));
    }
    if let Some(s) = &q.source {
        args.push(Value::Text(s.clone()));
        wh.push(format!("s.name = ?{}", args.len()));
    }
    if let Some(p) = &q.priority {
        args.push(Value::Text(p.clone()));
        wh.push(format!("t.priority = ?{}", args.len()));
    }
    if let Some(cat) = q.category {
        args.push(Value::Text(cat.as_str().into()));
        wh.push(format!("COALESCE(tr.category_override, tr.category) = ?{}", args.len()));
    }
    if let Some(a) = &q.assignee {
        args.push(Value::Text(a.clone()));
        wh.push(format!("t.assignee = ?{}", args.len()));
    }
    if let Some(t) = q.updated_from {
        args.push(Value::Integer(to_ts(t)));
        wh.push(format!("t.updated_at >= ?{}", args.len()));
    }
    if let Some(t) = q.updated_to {
        args.push(Value::Integer(to_ts(t)));
        wh.push(format!("t.updated_at < ?{}", args.len()));
    }
    let joins = "JOIN sources s ON s.id = t.source_id LEFT JOIN triage tr ON tr.ticket_id = t.id";
    let (from, order) = match (fts, how) {
        (Some(m), Strategy::FtsDriven(probe)) => {
            args.push(Value::Text(m.to_string()));
            let n = args.len();
            let matches = match probe {
                Some(p) => format!("(SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?{n} ORDER BY rowid DESC LIMIT {p})"),
                None => {
                    wh.push(format!("ticket_fts MATCH ?{n}"));
                    "ticket_fts".to_string()
                }
            };
            // CROSS JOIN keeps the matches as the outer loop: their order is the answer's.
            (format!("{matches} f CROSS JOIN tickets t ON t.id = f.rowid {joins}"), "f.rowid DESC")
        }
        (Some(m), _) => {
            args.push(Value::Text(m.to_string()));
            let n = args.len();
            wh.push(if how == Strategy::FilterDriven(true) {
                format!("t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?{n})")
            } else {
                format!("EXISTS (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ?{n} AND rowid = t.id)")
            });
            (format!("tickets t {joins}"), "t.id DESC")
        }
        (None, _) => (format!("tickets t {joins}"), "t.updated_at DESC, t.id DESC"),
    };
    let wh = if wh.is_empty() { String::new() } else { format!("WHERE {}", wh.join(" AND ")) };
    (format!("{from} {wh}"), order, args)
}

/// How many tickets the inbox query `q` matches in all, whatever its page
/// (`limit`, `offset`): the tickets matching the text and filters, plus a
/// ticket found by its key ("#3303") whose text does not match. Walks every
/// match once, so the inbox asks only when a page is full.
pub fn count_tickets(c: &Connection, q: &TicketQuery) -> Result<u64> {
    let ids = kpi_ids(c, q)?;
    let fts = q.search.as_deref().and_then(fts_query);
    let how = if fts.is_some() { Strategy::FtsDriven(None) } else { Strategy::Plain };
    let (from_where, _, args) = inbox_from_where(q, ids.as_deref(), fts.as_deref(), how, &[]);
    let mut n: i64 = c.prepare_cached(&format!("SELECT count(*) FROM {from_where}"))?.query_row(params_from_iter(args), |r| r.get(0))?;
    let keys = q.search.as_deref().map(key_candidates).unwrap_or_default();
    if !keys.is_empty() {
        let plain = TicketQuery { search: None, ..q.clone() };
        let (from_where, _, mut args) = inbox_from_where(&plain, ids.as_deref(), None, Strategy::Plain, &keys);
        let unmatched = match fts.as_deref() {
            Some(m) => {
                args.push(Value::Text(m.to_string()));
                format!(" AND NOT EXISTS (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ?{} AND rowid = t.id)", args.len())
            }
            None => " AND 0".to_string(),
        };
        let extra: i64 = c
            .prepare_cached(&format!("SELECT count(*) FROM {from_where}{unmatched}"))?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        n += extra;
    }
    Ok(n.max(0) as u64)
}

fn run_inbox(c: &Connection, q: &TicketQuery, kpi_ids: Option<&str>, fts: Option<&str>, how: Strategy) -> Result<Vec<TicketSummary>> {
    let (sql, args) = inbox_sql(q, kpi_ids, fts, how);
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), row_to_summary)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether `q` narrows by anything but text (the filters that may be selective).
fn has_filters(q: &TicketQuery) -> bool {
    q.kpi.is_some()
        || q.status_class.is_some()
        || q.source.is_some()
        || q.priority.is_some()
        || q.category.is_some()
        || q.assignee.is_some()
        || q.updated_from.is_some()
        || q.updated_to.is_some()
}

/// The inbox. A search alone walks the full-text matches newest first. A
/// search with filters first looks at the newest [`FTS_PROBE`] matches; when
/// they do not fill the page and there are more matches, the filters are
/// selective, so it walks the filtered tickets instead (checking each
/// against the match set when it is small, else against the index). Every
/// route gives the same order (newest ticket first), so the answer does not
/// depend on the route.
pub fn query_tickets(c: &Connection, q: &TicketQuery) -> Result<Vec<TicketSummary>> {
    let rows = query_text(c, q)?;
    let keys = q.search.as_deref().map(key_candidates).unwrap_or_default();
    if keys.is_empty() {
        return Ok(rows);
    }
    // A search that reads as a ticket number ("#3303", "3303", "abc-12")
    // also finds that ticket by its key, first on the first page (filters
    // still apply); later pages leave it out, as the first page had it.
    let (sql, args) = inbox_sql_keyed(&TicketQuery { search: None, limit: Some(10), offset: None, ..q.clone() }, kpi_ids(c, q)?.as_deref(), None, Strategy::Plain, &keys);
    let mut st = c.prepare_cached(&sql)?;
    let by_key = st.query_map(params_from_iter(args), row_to_summary)?.collect::<rusqlite::Result<Vec<_>>>()?;
    if by_key.is_empty() {
        return Ok(rows);
    }
    let limit = q.limit.unwrap_or(200).min(10_000) as usize;
    let rest: Vec<TicketSummary> = rows.into_iter().filter(|r| !by_key.iter().any(|k| k.id == r.id)).collect();
    if q.offset.unwrap_or(0) > 0 {
        return Ok(rest);
    }
    Ok(by_key.into_iter().chain(rest).take(limit).collect())
}

/// The keys a search could be a ticket number for: one token, `#` optional,
/// letters, digits, `-`, `_` or `.`, with at least one digit. Keys are
/// stored as the server shows them (Redmine `#3303`, Jira `ABC-12`), so the
/// candidates are the token with and without `#`, as typed and upper-cased.
fn key_candidates(search: &str) -> Vec<String> {
    let t = search.trim();
    let k = t.trim_start_matches('#');
    let ok = !k.is_empty()
        && k.len() <= 64
        && k.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        && k.chars().any(|ch| ch.is_ascii_digit());
    if !ok {
        return Vec::new();
    }
    let mut keys: Vec<String> = Vec::with_capacity(4);
    for v in [k.to_string(), k.to_ascii_uppercase()] {
        for c in [format!("#{v}"), v] {
            if !keys.contains(&c) {
                keys.push(c);
            }
        }
    }
    keys
}

/// The inbox by text and filters (no key lookup).
fn query_text(c: &Connection, q: &TicketQuery) -> Result<Vec<TicketSummary>> {
    let ids = kpi_ids(c, q)?;
    let ids = ids.as_deref();
    let fts = q.search.as_deref().and_then(fts_query);
    let Some(m) = fts.as_deref() else { return run_inbox(c, q, ids, None, Strategy::Plain) };
    if !has_filters(q) {
        return run_inbox(c, q, ids, Some(m), Strategy::FtsDriven(None));
    }
    let rows = run_inbox(c, q, ids, Some(m), Strategy::FtsDriven(Some(FTS_PROBE)))?;
    let limit = q.limit.unwrap_or(200).min(10_000) as usize;
    if rows.len() >= limit {
        return Ok(rows);
    }
    let matches: i64 = c
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH ?1 LIMIT ?2)")?
        .query_row(params![m, COLLECT_MAX + 1], |r| r.get(0))?;
    if matches <= FTS_PROBE as i64 {
        return Ok(rows);
    }
    run_inbox(c, q, ids, Some(m), Strategy::FilterDriven(matches <= COLLECT_MAX as i64))
}

/// The ids behind `q.kpi` as a JSON array, resolved the way the chart counted them.
fn kpi_ids(c: &Connection, q: &TicketQuery) -> Result<Option<String>> {
    let Some(sel) = &q.kpi else { return Ok(None) };
    let ids = crate::kpi::drill::ticket_ids(c, sel)?;
    serde_json::to_string(&ids).map(Some).map_err(|e| Error::Internal(format!("cannot encode ticket ids: {e}")))
}

/// SQLite's plans for the inbox query of `q` (`EXPLAIN QUERY PLAN`, steps
/// joined by " | "), one per route the query may take, for benchmarks and
/// tests that guard how search is executed.
pub fn query_plan(c: &Connection, q: &TicketQuery) -> Result<Vec<String>> {
    let ids = kpi_ids(c, q)?;
    let fts = q.search.as_deref().and_then(fts_query);
    let routes = match (&fts, has_filters(q)) {
        (None, _) => vec![Strategy::Plain],
        (Some(_), false) => vec![Strategy::FtsDriven(None)],
        (Some(_), true) => {
            vec![Strategy::FtsDriven(Some(FTS_PROBE)), Strategy::FilterDriven(true), Strategy::FilterDriven(false)]
        }
    };
    let mut plans = Vec::new();
    for how in routes {
        let (sql, args) = inbox_sql(q, ids.as_deref(), fts.as_deref(), how);
        let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let steps =
            st.query_map(params_from_iter(args), |r| r.get::<_, String>(3))?.collect::<rusqlite::Result<Vec<_>>>()?;
        plans.push(steps.join(" | "));
    }
    Ok(plans)
}

pub fn ticket_detail(c: &Connection, id: i64) -> Result<TicketDetail> {
    let (summary, description, kind, url, project): (TicketSummary, String, String, String, String) = c
        .query_row(
            &format!(
                "SELECT {SUMMARY_COLS}, t.description, s.kind, s.url, s.project FROM tickets t
                 JOIN sources s ON s.id = t.source_id
                 LEFT JOIN triage tr ON tr.ticket_id = t.id WHERE t.id = ?1"
            ),
            [id],
            |r| Ok((row_to_summary(r)?, r.get(17)?, r.get(18)?, r.get(19)?, r.get(20)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found(format!("no ticket with id {id}")))?;
    let comments = c
        .prepare_cached("SELECT remote_id, author, body, created_at FROM comments WHERE ticket_id = ?1 ORDER BY created_at, id")?
        .query_map([id], |r| {
            Ok(Comment { remote_id: r.get(0)?, author: r.get(1)?, body: r.get(2)?, created_at: from_ts(r.get(3)?) })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let status_history = c
        .prepare_cached(
            "SELECT at, from_status, to_status, to_class, author FROM status_changes WHERE ticket_id = ?1 ORDER BY at, id",
        )?
        .query_map([id], |r| {
            let class: String = r.get(3)?;
            Ok(StatusChange {
                at: from_ts(r.get(0)?),
                from_status: r.get(1)?,
                to_status: r.get(2)?,
                to_class: StatusClass::parse(&class).unwrap_or(StatusClass::Open),
                author: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let url = match kind.as_str() {
        "redmine" => Some(format!("{}/issues/{}", url, summary.remote_id)),
        "jira" => Some(format!("{}/browse/{}", url.trim_end_matches('/'), summary.key)),
        // The project is `TABLE` or `TABLE: QUERY` (`sync::servicenow::Target`).
        "service_now" => {
            let table = project.split(':').next().unwrap_or("incident").trim();
            Some(format!("{}/{table}.do?sys_id={}", url, summary.remote_id))
        }
        _ => None,
    };
    Ok(TicketDetail { summary, description, url, comments, status_history })
}
