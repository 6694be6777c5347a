// The triage view's logic, free of the DOM: the category keys, cycling
// impact/urgency, the priority a matrix gives, the keyboard map, and a
// session that walks the queue and saves confirmations through the Backend.
import type { Backend } from "../backend/types";
import type { Category } from "../bindings/Category";
import type { CategoryPushStatus } from "../bindings/CategoryPushStatus";
import type { Impact } from "../bindings/Impact";
import type { Priority } from "../bindings/Priority";
import type { PriorityMatrix } from "../bindings/PriorityMatrix";
import type { TicketTriage } from "../bindings/TicketTriage";

/** In the order of the digit keys 1, 2, …, 9, 0. */
export const CATEGORIES: readonly Category[] = [
  "critical_bug",
  "major_bug",
  "performance",
  "usability",
  "integration",
  "minor_bug",
  "documentation",
  "training",
  "enhancement",
  "data_issue",
];
export const IMPACTS: readonly Impact[] = ["single_user", "team", "department", "organization"];
export const URGENCIES = ["low", "medium", "high", "critical"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** "critical_bug" → "Critical bug". */
export function label(value: string): string {
  const s = value.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The digit key that picks `c` ("1"…"9", "0" for the tenth). */
export function digitFor(c: Category): string {
  return String((CATEGORIES.indexOf(c) + 1) % 10);
}

/** The next value after `current` (the first when unknown), wrapping. */
export function cycle<T>(values: readonly T[], current: T | null): T {
  const i = current === null ? -1 : values.indexOf(current);
  return values[(i + 1) % values.length];
}

/** The matrix's priority: a category rule wins, else the impact × urgency cell. */
export function priorityOf(m: PriorityMatrix, category: Category, impact: Impact, urgency: Urgency): Priority {
  const rule = m.by_category.find(([c]) => c === category);
  if (rule) return rule[1];
  return m.grid[IMPACTS.indexOf(impact)][URGENCIES.indexOf(urgency)];
}

export type TriageAction =
  | { kind: "category"; category: Category }
  | { kind: "cycle-impact" }
  | { kind: "cycle-urgency" }
  | { kind: "confirm" }
  | { kind: "move"; by: 1 | -1 }
  | { kind: "none" };

/** Digits pick a category, i/u cycle impact/urgency, Enter confirms, j/k move. */
export function triageKey(key: string, mods: { ctrl?: boolean; meta?: boolean; alt?: boolean; inTextField?: boolean } = {}): TriageAction {
  if (mods.ctrl || mods.meta || mods.alt || mods.inTextField) return { kind: "none" };
  if (/^[0-9]$/.test(key)) return { kind: "category", category: CATEGORIES[(Number(key) + 9) % 10] };
  switch (key) {
    case "i":
      return { kind: "cycle-impact" };
    case "u":
      return { kind: "cycle-urgency" };
    case "Enter":
      return { kind: "confirm" };
    case "j":
    case "ArrowDown":
      return { kind: "move", by: 1 };
    case "k":
    case "ArrowUp":
      return { kind: "move", by: -1 };
    default:
      return { kind: "none" };
  }
}

/** [`triageKey`] for a keyboard event: nothing fires while typing in a field. */
export function triageKeyOf(e: KeyboardEvent): TriageAction {
  const el = e.target as HTMLElement | null;
  const inTextField = !!el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  return triageKey(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey, inTextField });
}

/** What the user has chosen for the current ticket (starts at the suggestion). */
export interface Draft {
  category: Category;
  impact: Impact;
  urgency: Urgency;
}

function asOf<T extends string>(values: readonly T[], v: string | null, fallback: T): T {
  return values.includes(v as T) ? (v as T) : fallback;
}

/** The draft a ticket starts with: its stored (effective) triage. */
export function draftOf(t: TicketTriage): Draft {
  return {
    category: asOf(CATEGORIES, t.category, "major_bug"),
    impact: asOf(IMPACTS, t.impact, "team"),
    urgency: asOf(URGENCIES, t.urgency, "medium"),
  };
}

/** What the view says about the server after a confirmation. */
export interface PushNote {
  /** "queued": waits in the outbox; "local": the source has no place for it. */
  kind: "queued" | "local";
  text: string;
}

/** The note for a confirmed ticket's category push (null: no category was sent). */
export function pushNote(key: string, s: CategoryPushStatus | null): PushNote | null {
  if (!s) return null;
  if (s.queued) {
    return {
      kind: "queued",
      text: `${key}: category "${s.value ?? ""}" will be pushed to ${s.target ?? "the server"} — it waits in the Outbox until the next push.`,
    };
  }
  return { kind: "local", text: `${key}: category kept here only — ${s.reason ?? "the source has no place for it"}.` };
}

/** Walks the triage queue one ticket at a time. */
export class TriageSession {
  queue: TicketTriage[];
  index = 0;
  draft: Draft | null;
  confirmed = new Set<number>();
  /** What became of the last confirmation's category on the server. */
  lastPush: PushNote | null = null;

  constructor(queue: TicketTriage[]) {
    this.queue = queue;
    this.draft = queue.length ? draftOf(queue[0]) : null;
  }

  get current(): TicketTriage | null {
    return this.queue[this.index] ?? null;
  }

  /** Move by `by` (clamped); the draft resets to the ticket's stored triage. */
  move(by: number): void {
    if (!this.queue.length) return;
    this.index = Math.max(0, Math.min(this.queue.length - 1, this.index + by));
    this.draft = draftOf(this.queue[this.index]);
  }

  /** Apply a key's action to the draft (confirm and move are the caller's). */
  apply(a: TriageAction): void {
    if (!this.draft) return;
    if (a.kind === "category") this.draft = { ...this.draft, category: a.category };
    if (a.kind === "cycle-impact") this.draft = { ...this.draft, impact: cycle(IMPACTS, this.draft.impact) };
    if (a.kind === "cycle-urgency") this.draft = { ...this.draft, urgency: cycle(URGENCIES, this.draft.urgency) };
  }

  /**
   * Save the draft as the ticket's triage (an override the classifier
   * learns from), update the row and move to the next ticket.
   */
  async confirm(backend: Backend): Promise<Priority | null> {
    const t = this.current;
    const d = this.draft;
    if (!t || !d) return null;
    const { priority, category_push } = await backend.setTriageOverride(t.ticket_id, d);
    this.lastPush = pushNote(t.key, category_push);
    const changed = d.category !== t.category;
    this.queue[this.index] = {
      ...t,
      ...d,
      priority,
      category_overridden: t.category_overridden || changed,
    };
    this.confirmed.add(t.ticket_id);
    this.move(1);
    return priority;
  }
}
