// The validation form and the outbox, as pure functions so they can be
// tested without a DOM (the views only wire them to inputs and buttons).
import type { Backend } from "../backend/types";
import type { ConflictResolved } from "../bindings/ConflictResolved";
import type { IpcError } from "../bindings/IpcError";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { OutboxState } from "../bindings/OutboxState";
import type { QueueItem } from "../bindings/QueueItem";
import type { Outcome } from "../bindings/Outcome";
import type { Validation } from "../bindings/Validation";
import type { ValidationInput } from "../bindings/ValidationInput";
import { toIpcError } from "./errors";
import { label } from "./triage";

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

/** The evidence text with `picked` paths added, one per line, each path once. */
export function addEvidence(text: string, picked: readonly string[]): string {
  const have = parseEvidence(text);
  const added = picked.map((p) => p.trim()).filter((p) => p !== "" && !have.includes(p));
  return [...have, ...new Set(added)].join("\n");
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

/** A field of the form an error can be about. */
export type FormField = "outcome" | "notes" | "evidence";

/** The field `formProblem` is about, or null when the form can be saved. */
export function problemField(form: ValidationForm): FormField | null {
  if (!form.outcome) return "outcome";
  if (form.outcome !== "passed" && !form.notes.trim()) return "notes";
  return null;
}

/**
 * The field a refused recording is about: the evidence box when the core's
 * message names one of the paths typed there (it always names the file it
 * could not read); else null (nothing is highlighted).
 */
export function errorField(error: IpcError, form: ValidationForm): FormField | null {
  if (error.code !== "invalid_input") return null;
  return parseEvidence(form.evidence).some((p) => error.message.includes(p)) ? "evidence" : null;
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

/**
 * What the queue list says of a fix whose latest validation (not corrected
 * since) is Blocked and was recorded since the fix was delivered: "Blocked"
 * with the blocking note's first line ("Blocked: QAS is down"). Null when
 * the latest validation is not a block, or predates the latest fix.
 */
export function blockedLine(q: Pick<QueueItem, "history" | "resolved_at" | "updated_at">): string | null {
  const latest = q.history.filter((v) => v.superseded_by === null).at(-1);
  if (!latest || latest.outcome !== "blocked") return null;
  const fixed = Date.parse(q.resolved_at ?? q.updated_at);
  if (Date.parse(latest.recorded_at) < fixed) return null;
  const first = latest.notes.split("\n").map((l) => l.trim()).find((l) => l !== "");
  return first ? `Blocked: ${first}` : "Blocked";
}

/** A history item's title: its per-ticket round, and whether it corrects an earlier record of that round. */
export function roundLabel(v: Pick<Validation, "round" | "supersedes">): string {
  return v.supersedes === null ? `Round ${v.round}` : `Round ${v.round} (correction)`;
}

/**
 * The confirmation after a save, for every outcome. A validation that can
 * never reach a server (`stays_local`: a demo ticket) says so instead of
 * promising a push.
 */
export function savedNote(v: Pick<Validation, "ticket_key" | "outcome" | "round" | "supersedes" | "stays_local">): string {
  const what = `${OUTCOMES.find((o) => o.value === v.outcome)?.label ?? v.outcome}, ${roundLabel(v).toLowerCase()}`;
  const where = v.stays_local ?? "It waits in the outbox until pushed.";
  const next = v.outcome === "blocked" ? `${where.replace(/\.$/, ";")} the ticket stays in the queue so you can test it again.` : where;
  return `Validation of ${v.ticket_key} recorded (${what}). ${next}`;
}

/**
 * The confirmation the pane shows: after every save, whatever the outcome,
 * while no other ticket is selected (a blocked ticket stays selected in the
 * queue; a passed or failed one leaves it).
 */
export function confirmation(
  saved: Pick<Validation, "ticket_id" | "ticket_key" | "outcome" | "round" | "supersedes" | "stays_local"> | null,
  selectedTicketId: number | null,
): string | null {
  if (!saved) return null;
  if (selectedTicketId !== null && selectedTicketId !== saved.ticket_id) return null;
  return savedNote(saved);
}

export type SaveResult = { ok: true; validation: Validation } | { ok: false; error: IpcError; field: FormField | null };

/** Check the form, then record it. A refused form never reaches the backend. */
export async function saveValidation(
  backend: Backend,
  ticketId: number,
  form: ValidationForm,
  supersedes: number | null = null,
): Promise<SaveResult> {
  const problem = formProblem(form);
  if (problem) return { ok: false, error: { code: "invalid_input", message: problem }, field: problemField(form) };
  try {
    return { ok: true, validation: await backend.recordValidation(toInput(ticketId, form, supersedes)) };
  } catch (e) {
    const error = toIpcError(e);
    return { ok: false, error, field: errorField(error, form) };
  }
}

/** One validation's writes in the outbox, or one ticket's confirmed category. */
export interface OutboxGroup {
  /** Unique in the list: `v<validation id>` or `c<outbox row id>`. */
  key: string;
  kind: "validation" | "category";
  /** The validation (validation groups only): a handle for actions, never shown. */
  validationId: number | null;
  /** The validation's round on its ticket, as the history shows it (validation groups only). */
  round: number | null;
  /** The outbox row (category groups only). */
  outboxId: number | null;
  ticketKey: string;
  outcome: Outcome | null;
  /** Category groups: the name written on the server, and where ("issue category", "custom field #7"). */
  category: string | null;
  target: string | null;
  /** The worst state of its writes. */
  state: OutboxState;
  /** Why it is not sent (rejected, conflict, waiting for a retry). */
  reason: string | null;
  /** Category groups in conflict: the value someone else set on the server ("" = none). */
  serverValue: string | null;
  /** Why it can never reach a server (a demo ticket's validation): no Retry is offered. */
  staysLocal: string | null;
  entries: OutboxEntry[];
}

const SEVERITY: OutboxState[] = ["conflict", "rejected", "pending", "sent", "discarded"];

/** "issue_category" → "issue category", "custom_field:7" → "custom field #7", "field:category" → "field category". */
export function targetLabel(field: string | null): string | null {
  if (!field) return null;
  if (field === "issue_category") return "issue category";
  if (field.startsWith("field:")) return `field ${field.slice(6)}`;
  const m = /^custom_field:(\d+)$/.exec(field);
  return m ? `custom field #${m[1]}` : field;
}

/**
 * Group outbox rows: by validation (newest first; the worst state wins),
 * then each confirmed category on its own (newest first).
 */
export function groupOutbox(entries: OutboxEntry[]): OutboxGroup[] {
  const groups = new Map<string, OutboxGroup>();
  for (const e of entries) {
    const key = e.validation_id !== null ? `v${e.validation_id}` : `c${e.id}`;
    let g = groups.get(key);
    if (!g) {
      const category = e.validation_id === null;
      g = {
        key,
        kind: category ? "category" : "validation",
        validationId: e.validation_id,
        round: e.round,
        outboxId: category ? e.id : null,
        ticketKey: e.ticket_key,
        outcome: e.outcome,
        category: category ? e.detail : null,
        target: category ? targetLabel(e.target_field) : null,
        state: e.state,
        reason: null,
        serverValue: category ? e.server_value : null,
        staysLocal: e.stays_local,
        entries: [],
      };
      groups.set(key, g);
    }
    g.entries.push(e);
    if (SEVERITY.indexOf(e.state) < SEVERITY.indexOf(g.state)) g.state = e.state;
  }
  for (const g of groups.values()) {
    g.reason = g.staysLocal ?? g.entries.find((e) => e.state === g.state && e.last_error)?.last_error ?? null;
  }
  const all = [...groups.values()];
  const validations = all.filter((g) => g.kind === "validation").sort((a, b) => (b.validationId ?? 0) - (a.validationId ?? 0));
  const categories = all.filter((g) => g.kind === "category").sort((a, b) => (b.outboxId ?? 0) - (a.outboxId ?? 0));
  return [...validations, ...categories];
}

/** A server value as shown: quoted, or "none". */
const shownValue = (v: string) => (v.trim() === "" ? "none" : `“${v}”`);

/**
 * The two answers a category write in conflict offers, as button labels
 * naming both values; null for anything else.
 */
export function conflictChoices(g: OutboxGroup): { overwrite: string; keepServer: string } | null {
  if (g.kind !== "category" || g.state !== "conflict") return null;
  return {
    overwrite: `Overwrite with ${shownValue(g.category ?? "")}`,
    keepServer: `Keep the server's ${shownValue(g.serverValue ?? "")}`,
  };
}

/** What the user's answer to a category conflict did, in a sentence. */
export function conflictNote(r: ConflictResolved): string {
  const server = shownValue(r.server_value);
  if (r.choice === "overwrite") return `${r.ticket_key}: ${shownValue(r.value)} will overwrite the server's ${server} at the next push.`;
  if (r.category) return `${r.ticket_key}: kept the server's ${server}; the category here is now ${label(r.category)} too.`;
  return `${r.ticket_key}: kept the server's ${server}, which is none of the triage categories; your confirmation was dropped and the automatic category shows again.`;
}

/** Which actions a group offers: no Retry for what can never reach a server (`staysLocal`: its reason is shown instead). */
export function outboxActions(state: OutboxState, staysLocal: string | null = null): { retry: boolean; discard: boolean } {
  return {
    retry: staysLocal === null && (state === "rejected" || state === "conflict"),
    discard: state === "pending" || state === "rejected" || state === "conflict",
  };
}

/** How many validations still wait to reach the server (the nav badge). */
export function unsentCount(groups: OutboxGroup[]): number {
  return groups.filter((g) => g.state !== "sent" && g.state !== "discarded").length;
}

/**
 * The values the queue's filters offer, from the unfiltered queue (distinct):
 * priorities most severe first (the core's `priority_rank`), the others by name.
 */
export function queueFilterOptions(
  items: readonly { process_area: string; priority: string; priority_rank: number; assignee: string | null }[],
): {
  areas: string[];
  priorities: string[];
  assignees: string[];
} {
  const distinct = (xs: (string | null)[]) =>
    [...new Set(xs.filter((x): x is string => !!x && x.trim() !== ""))].sort((a, b) => a.localeCompare(b));
  const rank = new Map(items.map((q) => [q.priority, q.priority_rank]));
  return {
    areas: distinct(items.map((q) => q.process_area)),
    priorities: distinct(items.map((q) => q.priority)).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0)),
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
