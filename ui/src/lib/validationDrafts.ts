// Unsent validation drafts: what the validator typed is kept per ticket in
// the store (the core's `validation_drafts`), so switching tickets or views,
// or closing the app, loses nothing. Pure functions and a small saver the
// view wires to its form.
import type { Backend } from "../backend/types";
import type { DraftInput } from "../bindings/DraftInput";
import type { IpcError } from "../bindings/IpcError";
import type { ValidationDraft } from "../bindings/ValidationDraft";
import { toIpcError } from "./errors";
import { emptyForm, type ValidationForm } from "./validation";

/** No outcome chosen and nothing typed: no draft to keep. */
export function isBlankForm(form: ValidationForm): boolean {
  return !form.outcome && [form.steps, form.environment, form.testData, form.notes, form.evidence].every((s) => !s.trim());
}

/** The command's input for a ticket's form as typed (untrimmed: a draft keeps the text as it is). */
export function draftInput(ticketId: number, form: ValidationForm, supersedes: number | null): DraftInput {
  return {
    ticket_id: ticketId,
    outcome: form.outcome,
    steps: form.steps,
    environment: form.environment,
    test_data: form.testData,
    notes: form.notes,
    evidence: form.evidence,
    supersedes,
  };
}

/** The form a stored draft fills in. */
export function formFromDraft(d: ValidationDraft | undefined): ValidationForm {
  if (!d) return emptyForm();
  return { outcome: d.outcome, steps: d.steps, environment: d.environment, testData: d.test_data, notes: d.notes, evidence: d.evidence };
}

/** Drafts by ticket id. */
export function draftsByTicket(list: readonly ValidationDraft[]): Map<number, ValidationDraft> {
  return new Map(list.map((d) => [d.ticket_id, d]));
}

/** Where the validation view was, kept across view switches (the view is unmounted meanwhile). */
export const validationPlace: { ticketId: number | null } = { ticketId: null };

/**
 * Saves a ticket's draft after a pause in typing (`delayMs`); `flush` writes
 * the pending one at once (before switching ticket or leaving the view).
 * `onsaved` gets the stored draft, or null when the form was blank.
 */
export class DraftSaver {
  private pending: DraftInput | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private backend: Pick<Backend, "saveValidationDraft">,
    private onsaved: (ticketId: number, d: ValidationDraft | null) => void,
    private onerror: (e: IpcError) => void,
    private delayMs = 500,
  ) {}

  /** Keep this form for the ticket (replacing an unsaved earlier edit). */
  schedule(ticketId: number, form: ValidationForm, supersedes: number | null): void {
    if (this.pending && this.pending.ticket_id !== ticketId) void this.flush();
    this.pending = draftInput(ticketId, form, supersedes);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Forget the pending edit of a ticket (its validation was saved or its draft discarded). */
  cancel(ticketId: number): void {
    if (this.pending?.ticket_id !== ticketId) return;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Write the pending edit now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const d = this.pending;
    this.pending = null;
    if (!d) return;
    try {
      this.onsaved(d.ticket_id, await this.backend.saveValidationDraft(d));
    } catch (e) {
      this.onerror(toIpcError(e));
    }
  }
}

/**
 * Write the pending draft when the user closes the window, so text typed
 * just before closing (inside the typing pause) is kept. Returns the
 * unsubscribe for when the view goes away (its own destroy flushes too).
 */
export function flushOnClose(backend: Pick<Backend, "onCloseRequested">, saver: DraftSaver): Promise<() => void> {
  return backend.onCloseRequested(() => saver.flush());
}
