// The fake backend's fix validation and outbox: recording validations,
// their writes, confirmed categories, pushes and the user's answers to
// rejected or conflicting writes. Functions over the fake's state, so
// `FakeBackend` keeps one field list that the tests read and set.
import type { ConflictChoice } from "../../bindings/ConflictChoice";
import type { ConflictResolved } from "../../bindings/ConflictResolved";
import type { CategoryPushItem } from "../../bindings/CategoryPushItem";
import type { IpcError } from "../../bindings/IpcError";
import type { OutboxEntry } from "../../bindings/OutboxEntry";
import type { QueueItem } from "../../bindings/QueueItem";
import type { TicketTriage } from "../../bindings/TicketTriage";
import type { Validation } from "../../bindings/Validation";
import type { ValidationInput } from "../../bindings/ValidationInput";
import type { DraftInput } from "../../bindings/DraftInput";
import type { ValidationDraft } from "../../bindings/ValidationDraft";
import { CATEGORIES, label } from "../../lib/triage";
import { fakeOutboxEntry } from "../fakeTriage";

/** The part of `FakeBackend` the validation and outbox calls work on. */
export interface FakeOutboxState {
  queue: QueueItem[];
  validations: Validation[];
  outboxRows: OutboxEntry[];
  serverDown: boolean;
  serverCategories: Record<string, string>;
  triage: TicketTriage[];
  drafts: ValidationDraft[];
}

/** As the core: each item carries its ticket's validations, oldest first (a fixture's own history when it has none recorded). */
export function validationQueue(s: FakeOutboxState) {
  const items = s.queue.map((q) => {
    const recorded = s.validations.filter((v) => v.ticket_id === q.ticket_id);
    return recorded.length > 0 ? { ...q, history: recorded } : q;
  });
  return { items, count: items.length };
}

/** As the core: a correction keeps the round it corrects; else the ticket's next round. */
function roundOf(s: FakeOutboxState, ticketId: number, supersedes: number | null): number {
  const old = s.validations.find((x) => x.id === supersedes);
  if (old) return old.round;
  return Math.max(0, ...s.validations.filter((x) => x.ticket_id === ticketId).map((x) => x.round)) + 1;
}

export function recordValidation(s: FakeOutboxState, input: ValidationInput) {
  const item = s.queue.find((q) => q.ticket_id === input.ticket_id);
  if (!item) throw { code: "not_found", message: `no ticket with id ${input.ticket_id}` } satisfies IpcError;
  const missing = input.evidence.find((p) => p.startsWith("/missing"));
  if (missing) throw { code: "invalid_input", message: `evidence file ${missing} cannot be read` } satisfies IpcError;
  const id = s.validations.length + 1;
  const now = "2026-03-04T10:00:00Z";
  const v: Validation = {
    id,
    uuid: `uuid-${id}`,
    ticket_id: item.ticket_id,
    ticket_key: item.key,
    round: roundOf(s, item.ticket_id, input.supersedes),
    outcome: input.outcome,
    steps: input.steps,
    environment: input.environment,
    test_data: input.test_data,
    notes: input.notes,
    validator: "tester",
    recorded_at: now,
    supersedes: input.supersedes,
    superseded_by: null,
    evidence: input.evidence.map((p, i) => ({ id: i + 1, file_name: p.split("/").pop() ?? p, media_type: "application/octet-stream", size: 1, sha256: "" })),
    push_state: "pending",
    stays_local: item.stays_local,
  };
  s.validations.push(v);
  const old = s.validations.find((x) => x.id === input.supersedes);
  if (old) {
    old.superseded_by = id;
    for (const r of s.outboxRows) {
      if (r.validation_id === old.id && (r.state === "pending" || r.state === "conflict")) {
        r.state = "discarded";
        r.last_error = `corrected before it was pushed: round ${old.round} is now ${v.outcome}`;
      }
    }
  }
  s.drafts = s.drafts.filter((d) => d.ticket_id !== item.ticket_id);
  const row = (kind: OutboxEntry["kind"], detail: string | null): OutboxEntry =>
    fakeOutboxEntry(s.outboxRows.length + 1, kind, v.ticket_key, detail, now, {
      validation_id: id,
      validation_uuid: v.uuid,
      round: v.round,
      outcome: v.outcome,
      stays_local: v.stays_local,
    });
  s.outboxRows.push(row("comment", null));
  for (const e of v.evidence) s.outboxRows.push(row("attachment", e.file_name));
  const target = { passed: "Closed", failed: "In Progress", blocked: null }[v.outcome];
  if (target) s.outboxRows.push(row("transition", target));
  if (v.outcome !== "blocked") s.queue = s.queue.filter((q) => q.ticket_id !== item.ticket_id);
  return v;
}

/** As the core: a blank form deletes the draft; newest first. */
export function saveDraft(s: FakeOutboxState, d: DraftInput, now: string): ValidationDraft | null {
  const item = s.queue.find((q) => q.ticket_id === d.ticket_id);
  if (!item) throw { code: "not_found", message: `no ticket with id ${d.ticket_id}` } satisfies IpcError;
  s.drafts = s.drafts.filter((x) => x.ticket_id !== d.ticket_id);
  const blank = !d.outcome && [d.steps, d.environment, d.test_data, d.notes, d.evidence].every((x) => !x.trim());
  if (blank) return null;
  const saved: ValidationDraft = { ...d, ticket_key: item.key, updated_at: now };
  s.drafts.unshift(saved);
  return saved;
}

export function discardDraft(s: FakeOutboxState, ticketId: number): boolean {
  const before = s.drafts.length;
  s.drafts = s.drafts.filter((d) => d.ticket_id !== ticketId);
  return s.drafts.length < before;
}

export function validationHistory(s: FakeOutboxState, ticketId: number) {
  return s.validations.filter((v) => v.ticket_id === ticketId);
}

export function outbox(s: FakeOutboxState, all: boolean) {
  return s.outboxRows.filter((r) => all || ["pending", "rejected", "conflict"].includes(r.state));
}

export function pushOutbox(s: FakeOutboxState, force: boolean) {
  const categories: CategoryPushItem[] = [];
  const report = { items: [], categories, sent: 0, rejected: 0, conflicts: 0, pending: 0, stopped: [] as string[] };
  for (const r of s.outboxRows) {
    if (r.state === "conflict" && force) r.state = "pending";
    if (r.state !== "pending") continue;
    const theirs = r.kind === "category" && !r.last_error?.startsWith("will overwrite") ? s.serverCategories[r.ticket_key] : undefined;
    if (theirs !== undefined && theirs !== r.detail && !s.serverDown) {
      r.state = "conflict";
      r.server_value = theirs;
      r.last_error = `The issue category of issue ${r.ticket_key} was changed on the server to "${theirs}" after you confirmed "${r.detail}"`;
      report.conflicts++;
    } else if (s.serverDown) {
      r.attempts++;
      r.last_error = "cannot reach http://127.0.0.1:3302: connection refused";
      report.pending++;
    } else {
      r.state = "sent";
      r.last_error = null;
      report.sent++;
    }
    if (r.kind === "category") {
      categories.push({ outbox_id: r.id, ticket_key: r.ticket_key, value: r.detail ?? "", state: r.state, message: r.last_error });
    }
  }
  if (s.serverDown) report.stopped.push("erp: cannot reach http://127.0.0.1:3302");
  return report;
}

export function retryOutbox(s: FakeOutboxState, validationId: number) {
  let n = 0;
  for (const r of s.outboxRows) {
    if (r.validation_id === validationId && (r.state === "rejected" || r.state === "conflict")) {
      r.state = "pending";
      n++;
    }
  }
  return n;
}

export function discardOutbox(s: FakeOutboxState, validationId: number) {
  let n = 0;
  for (const r of s.outboxRows) {
    if (r.validation_id === validationId && ["pending", "rejected", "conflict"].includes(r.state)) {
      r.state = "discarded";
      r.last_error = "discarded by the user";
      n++;
    }
  }
  return n;
}

export function categoryRow(s: FakeOutboxState, outboxId: number): OutboxEntry {
  const r = s.outboxRows.find((x) => x.id === outboxId && x.kind === "category");
  if (!r) throw { code: "not_found", message: `no category write ${outboxId}` } satisfies IpcError;
  return r;
}

export function retryCategoryPush(s: FakeOutboxState, outboxId: number) {
  const r = categoryRow(s, outboxId);
  if (r.state !== "rejected" && r.state !== "conflict") return 0;
  r.state = "pending";
  return 1;
}

export function resolveCategoryConflict(s: FakeOutboxState, outboxId: number, choice: ConflictChoice): ConflictResolved {
  const r = categoryRow(s, outboxId);
  if (r.state !== "conflict") throw { code: "invalid_input", message: `the category write ${outboxId} is ${r.state}, not in conflict` } satisfies IpcError;
  const server = r.server_value ?? "";
  const done: ConflictResolved = { choice, ticket_key: r.ticket_key, value: r.detail ?? "", server_value: server, category: null };
  if (choice === "overwrite") {
    r.state = "pending";
    r.last_error = `will overwrite the server's "${server}" (your choice)`;
    return done;
  }
  r.state = "discarded";
  r.last_error = `kept the server's "${server}" (your choice)`;
  const t = s.triage.find((x) => x.key === r.ticket_key);
  done.category = CATEGORIES.find((c) => label(c).toLowerCase() === server.toLowerCase() || c === server) ?? null;
  if (t) {
    t.category_overridden = done.category !== null;
    if (done.category) t.category = done.category;
  }
  return done;
}

export function discardCategoryPush(s: FakeOutboxState, outboxId: number) {
  const r = categoryRow(s, outboxId);
  if (!["pending", "rejected", "conflict"].includes(r.state)) return 0;
  r.state = "discarded";
  r.last_error = "discarded by the user";
  return 1;
}
