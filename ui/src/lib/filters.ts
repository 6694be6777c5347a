// The inbox's filter bar as plain data, and its translation to a TicketQuery.
import type { Category } from "../bindings/Category";
import type { KpiTicketSelector } from "../bindings/KpiTicketSelector";
import type { StatusClass } from "../bindings/StatusClass";
import type { TicketQuery } from "../bindings/TicketQuery";

export interface Filters {
  search: string;
  status: StatusClass | null;
  priority: string | null;
  category: Category | null;
  assignee: string | null;
  source: string | null;
  /** `YYYY-MM-DD` (inclusive), or "" for no bound. */
  updatedFrom: string;
  /** `YYYY-MM-DD` (inclusive), or "" for no bound. */
  updatedTo: string;
  /** The tickets behind a KPI chart point (set by the dashboard's drill-down). */
  kpi: KpiTicketSelector | null;
}

export const PAGE_SIZE = 200;

export function emptyFilters(): Filters {
  return {
    search: "",
    status: null,
    priority: null,
    category: null,
    assignee: null,
    source: null,
    updatedFrom: "",
    updatedTo: "",
    kpi: null,
  };
}

export const CATEGORY_LABELS: Record<Category, string> = {
  critical_bug: "Critical bug",
  major_bug: "Major bug",
  performance: "Performance",
  usability: "Usability",
  integration: "Integration",
  minor_bug: "Minor bug",
  documentation: "Documentation gap",
  training: "Training need",
  enhancement: "Enhancement",
  data_issue: "Data issue",
};

export const STATUS_LABELS: Record<StatusClass, string> = {
  open: "Open",
  resolved: "Resolved",
  closed: "Closed",
};

/** A `YYYY-MM-DD` day as midnight UTC, or null when empty or malformed. */
function dayStart(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The query the inbox sends for these filters. Dates are whole UTC days, both ends inclusive. */
export function toTicketQuery(f: Filters, limit = PAGE_SIZE): TicketQuery {
  const search = f.search.trim();
  const from = dayStart(f.updatedFrom);
  const toDay = dayStart(f.updatedTo);
  const to = toDay ? new Date(toDay.getTime() + 86_400_000) : null;
  return {
    search: search === "" ? null : search,
    status_class: f.status,
    source: f.source,
    priority: f.priority,
    category: f.category,
    assignee: f.assignee,
    updated_from: from ? from.toISOString() : null,
    updated_to: to ? to.toISOString() : null,
    include_deleted: false,
    limit,
    offset: null,
    kpi: f.kpi,
  };
}

/** Which control a filter problem is about. */
export type FilterField = "search" | "updated";

/**
 * Why the search text cannot find anything, or null. The store searches
 * words (letters and digits) and ticket numbers; text with neither (only
 * emoji, punctuation or `*`) would be dropped and every ticket listed as if
 * it matched, so it is refused with a message saying why.
 */
export function searchProblem(search: string): string | null {
  const text = search.trim();
  if (text === "" || /[\p{L}\p{N}]/u.test(text)) return null;
  return `“${text}” has no letters or digits to search for. Type a word or a ticket number.`;
}

/**
 * Why these filters cannot match any ticket, or null. A search without any
 * word (see [`searchProblem`]) and an "Updated" range whose start is after
 * its end are refused with a message naming the problem, instead of
 * silently listing everything or nothing.
 */
export function filtersProblem(f: Filters): { message: string; field: FilterField } | null {
  const search = searchProblem(f.search);
  if (search) return { message: search, field: "search" };
  const from = dayStart(f.updatedFrom);
  const to = dayStart(f.updatedTo);
  if (from && to && from.getTime() > to.getTime()) {
    return {
      message: `"Updated from" (${f.updatedFrom}) is after "Updated to" (${f.updatedTo}), so no ticket can match. Swap the two days or clear one.`,
      field: "updated",
    };
  }
  return null;
}

/** How many filters (besides the search text) narrow the inbox. */
export function activeFilterCount(f: Filters): number {
  return [f.status, f.priority, f.category, f.assignee, f.source, f.updatedFrom || null, f.updatedTo || null, f.kpi].filter(
    (v) => v !== null,
  ).length;
}

/** The filters with only the search text kept. */
export function clearFilters(f: Filters): Filters {
  return { ...emptyFilters(), search: f.search };
}
