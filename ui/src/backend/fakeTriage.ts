// Rows the fake backend serves for triage, themes and the outbox (kept
// apart from fake.ts so each file stays small); fake.ts re-exports them.
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { PriorityMatrix } from "../bindings/PriorityMatrix";
import type { ThemeView } from "../bindings/ThemeView";
import type { TicketTriage } from "../bindings/TicketTriage";

/** A triaged ticket as the fake's queue holds it. */
/** The model's suggestion is the effective value unless `extra` says otherwise. */
export function fakeTriage(id: number, title: string, extra: Partial<TicketTriage> = {}): TicketTriage {
  const t: TicketTriage = {
    ticket_id: id,
    key: `#${id}`,
    title,
    category: "major_bug",
    category_overridden: false,
    suggested_category: null,
    confidence: 0.8,
    impact: "team",
    impact_overridden: false,
    suggested_impact: null,
    urgency: "medium",
    urgency_overridden: false,
    suggested_urgency: null,
    priority: "P3",
    signals: [],
    basis: "embedding",
    ...extra,
  };
  t.suggested_category ??= t.category;
  t.suggested_impact ??= t.impact;
  t.suggested_urgency ??= t.urgency;
  return t;
}

/** The handbook's default matrix (as `PriorityMatrix::default()` in the core). */
export function defaultMatrix(): PriorityMatrix {
  return {
    by_category: [
      ["critical_bug", "P1"],
      ["minor_bug", "P4"],
      ["enhancement", "P4"],
    ],
    grid: [
      ["P4", "P3", "P2", "P2"],
      ["P4", "P3", "P2", "P2"],
      ["P3", "P2", "P1", "P1"],
      ["P3", "P2", "P1", "P1"],
    ],
  };
}

/** A theme with weekly counts; `dates` (YYYY-MM-DD) are its tickets' creation days. */
export function fakeTheme(id: number, name: string, dates: string[], extra: Partial<ThemeView> = {}): ThemeView & { dates: string[] } {
  return {
    id,
    name,
    key_terms: [],
    count: dates.length,
    weekly: [],
    survey_comments: 0,
    categories: [],
    examples: [],
    effects: [],
    dates,
    ...extra,
  };
}

/** A pending outbox row (a category write unless `extra` names its validation). */
export function fakeOutboxEntry(
  id: number,
  kind: OutboxEntry["kind"],
  ticketKey: string,
  detail: string | null,
  at: string,
  extra: Partial<OutboxEntry> = {},
): OutboxEntry {
  return {
    id,
    validation_id: null,
    validation_uuid: null,
    round: null,
    ticket_key: ticketKey,
    outcome: null,
    kind,
    detail,
    target_field: null,
    state: "pending",
    attempts: 0,
    next_attempt_at: at,
    last_error: null,
    remote_ref: null,
    server_value: null,
    updated_at: at,
    stays_local: null,
    ...extra,
  };
}
