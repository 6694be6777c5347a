// The validation form and the outbox, as pure functions so they can be
// tested without a DOM (the views only wire them to inputs and buttons).
import type { Backend } from "../backend/types";
import type { IpcError } from "../bindings/IpcError";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { OutboxState } from "../bindings/OutboxState";
import type { Outcome } from "../bindings/Outcome";
import type { Validation } from "../bindings/Validation";
import type { ValidationInput } from "../bindings/ValidationInput";
import { toIpcError } from "./errors";

export const OUTCOMES: readonly { value: Outcome; label: string; key: string }[] = [
  { value: "passed", label: "Passed", key: "p" },
  { value: "failed", label: "Failed", key: "f" },
  { value: "blocked", label: "Blocked", key: "b" },
];

/** What the validator has typed so far. */
export interface ValidationForm {
  outcome: Outcome | null;
  steps: string;
  environment: string;
  testData: string;
  notes: string;
  /** Evidence file paths, one per line. */
  evidence: string;
}

export function emptyForm(): ValidationForm {
  return { outcome: null, steps: "", environment: "", testData: "", notes: "", evidence: "" };
}

/** The evidence paths of the text box: one per line, blanks dropped. */
export function parseEvidence(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Why the form cannot be saved yet, or null when it can. */
export function formProblem(form: ValidationForm): string | null {
  if (!form.outcome) return "Choose an outcome: passed (p), failed (f) or blocked (b).";
  if (form.outcome !== "passed" && !form.notes.trim()) {
    return form.outcome === "failed"
      ? "Say in the notes what still fails, so the developers can fix it."
      : "Say in the notes what blocks the test.";
  }
  return null;
}

/** The command's input; call only when `formProblem` is null. */
export function toInput(ticketId: number, form: ValidationForm, supersedes: number | null = null): ValidationInput {
  return {
    ticket_id: ticketId,
    outcome: form.outcome ?? "blocked",
    steps: form.steps.trim(),
    environment: form.environment.trim(),
    test_data: form.testData.trim(),
    notes: form.notes.trim(),
    evidence: parseEvidence(form.evidence),
    supersedes,
  };
}

export type FormKeyAction = { kind: "outcome"; outcome: Outcome } | { kind: "save" } | { kind: "none" };

/**
 * `Ctrl+Enter` (or `⌘+Enter`) saves from anywhere in the form; `p`/`f`/`b`
 * choose the outcome when the focus is not in a text field.
 */
export function formKey(
  key: string,
  ctx: { inTextField: boolean },
  mods: { ctrl?: boolean; meta?: boolean; alt?: boolean } = {},
): FormKeyAction {
  if (key === "Enter" && (mods.ctrl || mods.meta) && !mods.alt) return { kind: "save" };
  if (mods.ctrl || mods.meta || mods.alt || ctx.inTextField) return { kind: "none" };
  const o = OUTCOMES.find((x) => x.key === key.toLowerCase());
  return o ? { kind: "outcome", outcome: o.value } : { kind: "none" };
}

export type SaveResult = { ok: true; validation: Validation } | { ok: false; error: IpcError };

/** Check the form, then record it. A refused form never reaches the backend. */
export async function saveValidation(
  backend: Backend,
  ticketId: number,
  form: ValidationForm,
  supersedes: number | null = null,
): Promise<SaveResult> {
  const problem = formProblem(form);
  if (problem) return { ok: false, error: { code: "invalid_input", message: problem } };
  try {
    return { ok: true, validation: await backend.recordValidation(toInput(ticketId, form, supersedes)) };
  } catch (e) {
    return { ok: false, error: toIpcError(e) };
  }
}

/** One validation's writes in the outbox. */
export interface OutboxGroup {
  validationId: number;
  ticketKey: string;
  outcome: Outcome;
  /** The worst state of its writes. */
  state: OutboxState;
  /** Why it is not sent (rejected, conflict, waiting for a retry). */
  reason: string | null;
  entries: OutboxEntry[];
}

const SEVERITY: OutboxState[] = ["conflict", "rejected", "pending", "sent", "discarded"];

/** Group outbox rows by validation, newest validation first; the worst state wins. */
export function groupOutbox(entries: OutboxEntry[]): OutboxGroup[] {
  const groups = new Map<number, OutboxGroup>();
  for (const e of entries) {
    let g = groups.get(e.validation_id);
    if (!g) {
      g = { validationId: e.validation_id, ticketKey: e.ticket_key, outcome: e.outcome, state: e.state, reason: null, entries: [] };
      groups.set(e.validation_id, g);
    }
    g.entries.push(e);
    if (SEVERITY.indexOf(e.state) < SEVERITY.indexOf(g.state)) g.state = e.state;
  }
  for (const g of groups.values()) {
    g.reason = g.entries.find((e) => e.state === g.state && e.last_error)?.last_error ?? null;
  }
  return [...groups.values()].sort((a, b) => b.validationId - a.validationId);
}

/** Which actions a group offers. */
export function outboxActions(state: OutboxState): { retry: boolean; discard: boolean } {
  return {
    retry: state === "rejected" || state === "conflict",
    discard: state === "pending" || state === "rejected" || state === "conflict",
  };
}

/** How many validations still wait to reach the server (the nav badge). */
export function unsentCount(groups: OutboxGroup[]): number {
  return groups.filter((g) => g.state !== "sent" && g.state !== "discarded").length;
}

/** The values the queue's filters offer, from the unfiltered queue (sorted, distinct). */
export function queueFilterOptions(items: readonly { process_area: string; priority: string; assignee: string | null }[]): {
  areas: string[];
  priorities: string[];
  assignees: string[];
} {
  const distinct = (xs: (string | null)[]) =>
    [...new Set(xs.filter((x): x is string => !!x && x.trim() !== ""))].sort((a, b) => a.localeCompare(b));
  return {
    areas: distinct(items.map((q) => q.process_area)),
    priorities: distinct(items.map((q) => q.priority)),
    assignees: distinct(items.map((q) => q.assignee)),
  };
}

/** The core's queue filter from the view's selects ("" = any). */
export function toQueueFilter(area: string, priority: string, assignee: string) {
  return {
    process_area: area || null,
    priority: priority || null,
    assignee: assignee || null,
    source: null,
  };
}
