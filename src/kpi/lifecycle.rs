//! Rebuild each ticket's life (open, resolved, reopened...) from its
//! creation time and status history.

use super::data::{StatusRow, TicketRow};
use crate::model::StatusClass;

/// End of an interval that has not ended.
pub const OPEN_END: i64 = i64::MAX;

/// What happened to the tickets, indexed like the `tickets` slice given to
/// [`reconstruct`]. Events after `now` are ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    /// First acknowledgement: the earlier of the first response by someone
    /// other than the reporter and the first status change.
    pub ack: Vec<Option<i64>>,
    /// First entry into a resolved or closed status.
    pub first_resolved: Vec<Option<i64>>,
    /// Every resolution (open → resolved/closed): (ticket index, instant).
    pub resolutions: Vec<(u32, i64)>,
    /// Every reopening (resolved/closed → open): (ticket index, instant).
    pub reopens: Vec<(u32, i64)>,
    /// Intervals the ticket was open: (ticket index, from, to); `to` is
    /// [`OPEN_END`] while it is still open.
    pub open_intervals: Vec<(u32, i64, i64)>,
}

/// Rebuild lifecycles. `tickets` is ordered by id and `changes` by
/// (ticket id, time), as the loaders return them. A ticket with no
/// recorded history that is resolved or closed now counts as resolved at
/// its `resolved_at` (else its last update).
pub fn reconstruct(tickets: &[TicketRow], changes: &[StatusRow], now: i64) -> Lifecycle {
    let mut lc = Lifecycle {
        ack: Vec::with_capacity(tickets.len()),
        first_resolved: Vec::with_capacity(tickets.len()),
        ..Default::default()
    };
    let mut j = 0;
    for (i, t) in tickets.iter().enumerate() {
        let i = i as u32;
        while j < changes.len() && changes[j].ticket_id < t.id {
            j += 1;
        }
        let mut open = true;
        let mut since = t.created_at;
        let mut first_change = None;
        let mut first_res = None;
        while j < changes.len() && changes[j].ticket_id == t.id {
            let ch = changes[j];
            j += 1;
            if ch.at > now || ch.at < t.created_at {
                continue;
            }
            first_change.get_or_insert(ch.at);
            let to_open = ch.to_class == StatusClass::Open;
            if open && !to_open {
                lc.resolutions.push((i, ch.at));
                lc.open_intervals.push((i, since, ch.at));
                first_res.get_or_insert(ch.at);
                open = false;
            } else if !open && to_open {
                lc.reopens.push((i, ch.at));
                since = ch.at;
                open = true;
            }
        }
        if open && t.status_class != StatusClass::Open {
            let at = t.resolved_at.unwrap_or(t.updated_at).max(since);
            if at <= now {
                lc.resolutions.push((i, at));
                lc.open_intervals.push((i, since, at));
                first_res.get_or_insert(at);
                open = false;
            }
        }
        if open && t.created_at <= now {
            lc.open_intervals.push((i, since, OPEN_END));
        }
        let ack = match (t.first_response_at.filter(|a| *a <= now && *a >= t.created_at), first_change) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        lc.ack.push(ack);
        lc.first_resolved.push(first_res);
    }
    lc
}
