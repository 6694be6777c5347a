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
import type { TriageRun } from "../bindings/TriageRun";
import { Walk } from "./walk";
import { CATEGORY_LABELS } from "./filters";

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

/** "critical_bug" → "Critical bug", "training" → "Training need" (the category labels), "single_user" → "Single user". */
export function label(value: string): string {
  // A category reads as everywhere else (inbox, detail, the server's value).
  if (Object.hasOwn(CATEGORY_LABELS, value)) return CATEGORY_LABELS[value as Category];
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
export function triageKey(
  key: string,
  mods: { ctrl?: boolean; meta?: boolean; alt?: boolean; inTextField?: boolean; onOtherControl?: boolean } = {},
): TriageAction {
  if (mods.ctrl || mods.meta || mods.alt || mods.inTextField) return { kind: "none" };
  // Enter on a focused control outside the triage form ("Run triage", the
  // matrix toggle, a tab) presses that control; it never confirms the ticket.
  if (key === "Enter" && mods.onOtherControl) return { kind: "none" };
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

/** Controls that act on Enter themselves. */
const CONTROLS = "button, a[href], summary, [role=button], [role=tab]";
const OPEN_TAB = '[role=tab][aria-selected="true"]';

/**
 * [`triageKey`] for a keyboard event: nothing fires while typing in a field,
 * and Enter is left to a focused control unless it is part of the triage
 * form (an element inside `[data-queue-form]`: the category and level
 * buttons, where Enter confirms) or the tab already open.
 */
export function triageKeyOf(e: KeyboardEvent): TriageAction {
  const el = e.target as HTMLElement | null;
  const inTextField = !!el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  // The tab already open does nothing on Enter, so there Enter confirms (a
  // click on "Survey comments" leaves the focus on it).
  const onOtherControl =
    !!el && typeof el.matches === "function" && el.matches(CONTROLS) && !el.matches(OPEN_TAB) && !el.closest("[data-queue-form]");
  return triageKey(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey, inTextField, onOtherControl });
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

/** What the suggestion line needs of a ticket or a survey comment. */
export interface Suggested {
  category: string | null;
  category_overridden: boolean;
  suggested_category: string | null;
  confidence: number | null;
}

/** The suggestion line, keeping the user's choice and the model's suggestion apart. */
export interface SuggestionLine {
  /** "Suggested" (the model's, nobody set it) or "Set by you". */
  lead: "Suggested" | "Set by you";
  /** The category in force, as a label. */
  category: string;
  /** After the user's choice: "the model suggested Integration, 73%" or "as the model suggested, 73%". */
  model: string | null;
  /** The model's confidence when its suggestion is in force: "73% confident". */
  confidence: string | null;
}

const percent = (c: number | null): string | null => (c === null ? null : `${Math.round(c * 100)}%`);

/** "Suggested: Integration (73% confident)" or "Set by you: Performance · the model suggested Integration, 73%". */
export function suggestionLine(t: Suggested): SuggestionLine {
  const category = label(t.category ?? "untriaged");
  const pct = percent(t.confidence);
  if (!t.category_overridden) return { lead: "Suggested", category, model: null, confidence: pct && `${pct} confident` };
  const model = !t.suggested_category
    ? null
    : (t.suggested_category === t.category ? "as the model suggested" : `the model suggested ${label(t.suggested_category)}`) +
      (pct ? `, ${pct}` : "");
  return { lead: "Set by you", category, model, confidence: null };
}

/** "The model suggested impact Team and urgency Medium": where the user's impact or urgency differs from the model's. */
export function levelsLine(t: TicketTriage): string | null {
  const parts: string[] = [];
  if (t.impact_overridden && t.suggested_impact && t.suggested_impact !== t.impact) parts.push(`impact ${label(t.suggested_impact)}`);
  if (t.urgency_overridden && t.suggested_urgency && t.suggested_urgency !== t.urgency) parts.push(`urgency ${label(t.suggested_urgency)}`);
  return parts.length ? `The model suggested ${parts.join(" and ")}.` : null;
}

/**
 * The "from words only" tag of a ticket or survey comment (null: decided with the language model, or not triaged).
 * `model`: the language model is installed (`RefineStatus.model`); only then is the text refined in the background.
 */
export function basisTag(basis: string | null, what: "ticket" | "comment", model: boolean): { text: string; title: string } | null {
  if (basis !== "words") return null;
  const title = model
    ? `This ${what}'s text has not been through the language model yet; it is refined in the background`
    : `This ${what} was triaged on its words only: the language model is not installed, so nothing refines it (run scripts/setup.sh to install it)`;
  return { text: "from words only", title };
}

const count = (n: number, one: string, many: string): string => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * The result of "Run triage": "Triaged 3,000 tickets and 14 survey comments; 12 waiting for the language model."
 * Without the language model (`model` false) nothing waits: it says triage ran on words only and how to install the model.
 */
export function runNote(r: TriageRun, model: boolean): string {
  const what = count(r.tickets, "ticket", "tickets") + (r.survey_comments ? ` and ${count(r.survey_comments, "survey comment", "survey comments")}` : "");
  if (!model) return `Triaged ${what} on words only: the language model is not installed (run scripts/setup.sh to install it).`;
  const rest = r.pending ? `${r.pending.toLocaleString("en")} waiting for the language model` : "none waiting for the language model";
  return `Triaged ${what}; ${rest}.`;
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
export class TriageSession extends Walk<TicketTriage, Draft> {
  /** What became of the last confirmation's category on the server (until the user moves on). */
  lastPush: PushNote | null = null;

  /** Starts at the first ticket the user has not set before. */
  constructor(queue: TicketTriage[]) {
    super();
    this.reload(queue, true);
  }

  protected idOf(t: TicketTriage): number {
    return t.ticket_id;
  }

  protected draftFor(t: TicketTriage): Draft {
    return draftOf(t);
  }

  protected setByUser(t: TicketTriage): boolean {
    return t.category_overridden;
  }

  /** Move by `by`; the last confirmation's note goes (it is about another ticket). */
  override move(by: number): void {
    super.move(by);
    this.lastPush = null;
  }

  /** Apply a key's action to the draft (confirm and move are the caller's). */
  apply(a: TriageAction): void {
    if (!this.draft) return;
    if (a.kind === "category") this.draft = { ...this.draft, category: a.category };
    if (a.kind === "cycle-impact") this.draft = { ...this.draft, impact: cycle(IMPACTS, this.draft.impact) };
    if (a.kind === "cycle-urgency") this.draft = { ...this.draft, urgency: cycle(URGENCIES, this.draft.urgency) };
  }

  /**
   * Save the draft as the ticket's triage (the user's values, which the
   * classifier learns from; the model's suggestion is kept apart), update
   * the row and move to the next ticket.
   */
  async confirm(backend: Backend): Promise<Priority | null> {
    const t = this.current;
    const d = this.draft;
    if (!t || !d) return null;
    const { priority, category_push } = await backend.setTriageOverride(t.ticket_id, d);
    this.settle({ ...t, ...d, priority, category_overridden: true, impact_overridden: true, urgency_overridden: true });
    this.lastPush = pushNote(t.key, category_push);
    return priority;
  }
}
