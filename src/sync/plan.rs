//! Plan, then execute: pure functions from (local state, remote page) to
//! what the engine must do. No I/O here; this is where most tests live.
//!
//! The listing cursor is a `(since, skip)` pair: "tickets changed at or after
//! `since`, sorted by change time, skipping the first `skip`". Servers keep
//! second precision, so many tickets can share the boundary second; the skip
//! walks through such a tie group without ever jumping past an unseen ticket.
//! Skips are conservative (a few tickets of overlap, see [`SLACK`]) and every
//! record is upserted by id, so overlap costs a comparison, never a duplicate.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::connector::{ChangedPage, RemoteStub};

/// Tickets re-listed on purpose at every skip: tolerates that many tickets
/// leaving the tie group (changed or deleted) between two page requests.
pub const SLACK: u64 = 5;

/// Where the "changed since" listing resumes. Stored as JSON in
/// `sources.cursor`, advanced in the transaction that applies a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Largest change time applied (`None`: never synced, list everything).
    pub since: Option<DateTime<Utc>>,
    /// Listing entries at or after `since` already applied.
    #[serde(default)]
    pub skip: u64,
}

/// What the store knows of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalVersion {
    pub version: String,
    pub deleted: bool,
}

/// What to do with one listing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePlan {
    /// Tickets whose full record must be fetched and upserted (new, changed or
    /// tombstoned locally), in listing order, each once.
    pub fetch: Vec<RemoteStub>,
    /// Entries of the page that are already stored at this version.
    pub unchanged: u64,
    /// The cursor once this page is applied.
    pub next: Cursor,
    /// No further page: this was the last one.
    pub done: bool,
}

/// Decide what a listing page needs. `local` holds the stored versions of the
/// page's tickets (and of tickets already planned in this run).
pub fn plan_page(local: &HashMap<String, LocalVersion>, cursor: &Cursor, page: &ChangedPage, page_size: u64) -> PagePlan {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut fetch = Vec::new();
    let mut unchanged = 0;
    for item in &page.items {
        if !seen.insert(item.remote_id.as_str()) {
            continue;
        }
        match local.get(&item.remote_id) {
            Some(l) if l.version == item.version && !l.deleted => unchanged += 1,
            _ => fetch.push(item.clone()),
        }
    }
    let done = (page.items.len() as u64) < page_size;
    PagePlan { fetch, unchanged, next: next_cursor(cursor, page, done), done }
}

/// The cursor after applying `page` (listed from `cursor`).
pub fn next_cursor(cursor: &Cursor, page: &ChangedPage, done: bool) -> Cursor {
    let Some(max) = page.items.iter().map(|i| i.updated_at).max() else {
        return Cursor { since: cursor.since, skip: 0 };
    };
    let since = match cursor.since {
        Some(s) if s >= max => s,
        _ => max,
    };
    if done {
        // Next run: re-list the whole last second (new tickets may still land in it).
        return Cursor { since: Some(since), skip: 0 };
    }
    let skip = if cursor.since == Some(since) {
        // Still inside the same tie group: plain offset paging.
        cursor.skip + page.items.len() as u64
    } else {
        // A new boundary: the page's entries at the new time are the first
        // entries of the next listing.
        page.items.iter().filter(|i| i.updated_at == since).count() as u64
    };
    Cursor { since: Some(since), skip: skip.saturating_sub(SLACK) }
}

/// What an id census means for the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CensusPlan {
    /// Stored, not deleted, gone from the server: mark as tombstones.
    pub delete: Vec<String>,
    /// Stored as tombstones, back on the server: fetch and revive.
    pub revive: Vec<String>,
}

/// Compare the stored tickets (remote id, deleted?) with the server's ids.
pub fn plan_census(local: &[(String, bool)], server: &HashSet<String>) -> CensusPlan {
    let mut plan = CensusPlan::default();
    for (id, deleted) in local {
        match (server.contains(id), deleted) {
            (false, false) => plan.delete.push(id.clone()),
            (true, true) => plan.revive.push(id.clone()),
            _ => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }
    fn stub(id: u32, at: i64) -> RemoteStub {
        RemoteStub { remote_id: id.to_string(), version: format!("v{at}"), updated_at: t(at) }
    }
    fn page(items: Vec<RemoteStub>) -> ChangedPage {
        ChangedPage { items, total: None }
    }
    fn local(entries: &[(u32, i64, bool)]) -> HashMap<String, LocalVersion> {
        entries
            .iter()
            .map(|(id, at, deleted)| (id.to_string(), LocalVersion { version: format!("v{at}"), deleted: *deleted }))
            .collect()
    }

    #[test]
    fn new_and_changed_tickets_are_fetched_unchanged_ones_skipped() {
        let l = local(&[(1, 10, false), (2, 10, false)]);
        let p = plan_page(&l, &Cursor::default(), &page(vec![stub(1, 10), stub(2, 11), stub(3, 12)]), 100);
        assert_eq!(p.fetch.iter().map(|s| s.remote_id.as_str()).collect::<Vec<_>>(), ["2", "3"]);
        assert_eq!(p.unchanged, 1);
        assert!(p.done);
    }

    #[test]
    fn a_tombstoned_ticket_that_is_listed_again_is_fetched_to_revive_it() {
        let l = local(&[(1, 10, true)]);
        let p = plan_page(&l, &Cursor::default(), &page(vec![stub(1, 10)]), 100);
        assert_eq!(p.fetch.len(), 1);
    }

    #[test]
    fn duplicates_within_a_page_are_fetched_once() {
        let p = plan_page(&HashMap::new(), &Cursor::default(), &page(vec![stub(1, 10), stub(1, 10), stub(2, 10)]), 100);
        assert_eq!(p.fetch.len(), 2);
    }

    #[test]
    fn a_short_page_ends_the_run_and_the_next_run_relists_the_last_second() {
        let c = Cursor { since: Some(t(5)), skip: 40 };
        let p = plan_page(&HashMap::new(), &c, &page(vec![stub(1, 7), stub(2, 9), stub(3, 9)]), 100);
        assert!(p.done);
        assert_eq!(p.next, Cursor { since: Some(t(9)), skip: 0 });
    }

    #[test]
    fn an_empty_page_keeps_the_time_and_resets_the_skip() {
        let c = Cursor { since: Some(t(5)), skip: 95 };
        let p = plan_page(&HashMap::new(), &c, &page(vec![]), 100);
        assert!(p.done);
        assert_eq!(p.next, Cursor { since: Some(t(5)), skip: 0 });
    }

    #[test]
    fn a_full_page_moves_the_cursor_to_its_newest_time_and_skips_that_seconds_entries() {
        let mut items: Vec<_> = (0..90).map(|i| stub(i, 1)).collect();
        items.extend((90..100).map(|i| stub(i, 2)));
        let p = plan_page(&HashMap::new(), &Cursor::default(), &page(items), 100);
        assert!(!p.done);
        assert_eq!(p.next, Cursor { since: Some(t(2)), skip: 10 - SLACK });
    }

    #[test]
    fn a_tie_group_larger_than_a_page_is_walked_by_offset_never_skipping_an_entry() {
        // 250 tickets share one second; the server lists them in a stable order.
        let all: Vec<_> = (0..250).map(|i| stub(i, 3)).collect();
        let mut cursor = Cursor { since: Some(t(3)), skip: 0 };
        let mut got = HashSet::new();
        for _ in 0..10 {
            let start = cursor.skip as usize;
            let items = all[start.min(250)..(start + 100).min(250)].to_vec();
            let p = plan_page(&HashMap::new(), &cursor, &page(items.clone()), 100);
            got.extend(items.iter().map(|s| s.remote_id.clone()));
            cursor = p.next;
            if p.done {
                break;
            }
        }
        assert_eq!(got.len(), 250);
        assert_eq!(cursor, Cursor { since: Some(t(3)), skip: 0 });
    }

    #[test]
    fn the_skip_tolerates_a_few_entries_leaving_the_tie_group_between_pages() {
        let mut all: Vec<_> = (0..200).map(|i| stub(i, 3)).collect();
        let c0 = Cursor { since: Some(t(3)), skip: 0 };
        let p = plan_page(&HashMap::new(), &c0, &page(all[0..100].to_vec()), 100);
        // Three listed tickets change meanwhile and move to the end of the listing.
        for id in [10u32, 20, 30] {
            all.retain(|s| s.remote_id != id.to_string());
            all.push(stub(id, 4));
        }
        let s = p.next.skip as usize;
        let second = &all[s..(s + 100).min(all.len())];
        assert_eq!(second.first().map(|x| x.remote_id.as_str()), Some("98"), "nothing between 97 and 100 was skipped");
    }

    #[test]
    fn the_cursor_never_moves_back_when_a_page_holds_only_overlap() {
        let c = Cursor { since: Some(t(10)), skip: 0 };
        let items: Vec<_> = (0..100).map(|i| stub(i, 9)).collect();
        let p = plan_page(&HashMap::new(), &c, &page(items), 100);
        assert_eq!(p.next, Cursor { since: Some(t(10)), skip: 100 - SLACK });
    }

    #[test]
    fn census_marks_missing_as_deleted_and_revives_returning_tombstones() {
        let local = vec![("1".to_string(), false), ("2".to_string(), false), ("3".to_string(), true), ("4".to_string(), true)];
        let server: HashSet<String> = ["1", "3", "9"].iter().map(|s| s.to_string()).collect();
        let p = plan_census(&local, &server);
        assert_eq!(p.delete, vec!["2".to_string()]);
        assert_eq!(p.revive, vec!["3".to_string()]);
    }
}
