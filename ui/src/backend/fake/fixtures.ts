// Tickets and validation-queue items as the shell sends them, for tests.
import type { QueueItem } from "../../bindings/QueueItem";
import type { TicketSummary } from "../../bindings/TicketSummary";

export function fakeTicket(id: number, title: string, extra: Partial<TicketSummary> = {}): TicketSummary {
  return {
    id,
    source: "demo",
    remote_id: String(id),
    key: `#${id}`,
    title,
    status: "New",
    status_class: "open",
    priority: "Normal",
    tracker: "Bug",
    category: null,
    assignee: null,
    reporter: null,
    created_at: "2026-03-02T09:00:00Z",
    updated_at: "2026-03-02T09:00:00Z",
    resolved_at: null,
    comment_count: 0,
    deleted: false,
    ...extra,
  };
}

export function fakeQueueItem(ticketId: number, title: string, extra: Partial<QueueItem> = {}): QueueItem {
  return {
    ticket_id: ticketId,
    source: "erp",
    key: `#${ticketId}`,
    title,
    status: "Resolved",
    priority: "Normal",
    priority_rank: 207,
    process_area: "Bug",
    assignee: null,
    resolved_at: "2026-03-02T09:00:00Z",
    updated_at: "2026-03-02T09:00:00Z",
    waiting_days: 2,
    fix_notes: [],
    history: [],
    stays_local: null,
    ...extra,
  };
}
