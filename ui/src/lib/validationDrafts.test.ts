import { afterEach, describe, expect, it, vi } from "vitest";

import { FakeBackend, fakeQueueItem } from "../backend/fake";
import type { ValidationDraft } from "../bindings/ValidationDraft";
import { emptyForm, saveValidation } from "./validation";
import { DraftSaver, draftsByTicket, flushOnClose, formFromDraft, isBlankForm } from "./validationDrafts";

function setup() {
  const b = new FakeBackend();
  b.queue = [fakeQueueItem(3507, "Goods receipt posts twice"), fakeQueueItem(3508, "Scanner lag")];
  const shown = new Map<number, ValidationDraft>();
  const errors: string[] = [];
  const saver = new DraftSaver(
    b,
    (id, d) => (d ? shown.set(id, d) : shown.delete(id)),
    (e) => errors.push(e.message),
    500,
  );
  return { b, shown, errors, saver };
}

const typed = { ...emptyForm(), outcome: "failed" as const, steps: "1. post GR for PO 4711\n2. check stock", notes: "posts twice again" };

afterEach(() => vi.useRealTimers());

describe("validation drafts", () => {
  it("keeps what was typed just before the window closes (inside the typing pause)", async () => {
    vi.useFakeTimers();
    const { b, saver } = setup();
    const unsubscribe = await flushOnClose(b, saver);
    saver.schedule(3507, typed, null);
    await vi.advanceTimersByTimeAsync(100); // closed 0.1 s after the last keystroke
    await b.requestClose();
    expect(b.draftSaves.map((d) => d.ticket_id)).toEqual([3507]);
    expect(formFromDraft(draftsByTicket(await b.validationDrafts()).get(3507))).toEqual(typed);
    // Once the view is gone it no longer holds the close.
    unsubscribe();
    saver.schedule(3508, typed, null);
    await b.requestClose();
    expect(b.draftSaves).toHaveLength(1);
  });

  it("keeps a typed validation when the user switches to another ticket and back", async () => {
    vi.useFakeTimers();
    const { b, shown, saver } = setup();
    saver.schedule(3507, typed, null);
    // Before the pause ends the user clicks another row: the pending edit is written at once.
    saver.schedule(3508, { ...emptyForm(), steps: "opened the scanner" }, null);
    await vi.runAllTimersAsync();
    expect(b.draftSaves.map((d) => d.ticket_id)).toEqual([3507, 3508]);
    // Coming back (or after a restart: the drafts come from the store) fills the form as typed.
    const drafts = draftsByTicket(await b.validationDrafts());
    expect(formFromDraft(drafts.get(3507))).toEqual(typed);
    expect([...shown.keys()].sort()).toEqual([3507, 3508]);
  });

  it("writes the pending edit at once when the view is left (flush) and only the last edit", async () => {
    vi.useFakeTimers();
    const { b, saver } = setup();
    saver.schedule(3507, { ...typed, notes: "posts" }, null);
    saver.schedule(3507, typed, 12);
    await saver.flush();
    expect(b.draftSaves).toEqual([
      { ticket_id: 3507, outcome: "failed", steps: typed.steps, environment: "", test_data: "", notes: "posts twice again", evidence: "", supersedes: 12 },
    ]);
    await vi.runAllTimersAsync();
    expect(b.draftSaves).toHaveLength(1);
  });

  it("is cleared by saving the validation, and the user can discard it", async () => {
    const { b, shown, saver } = setup();
    saver.schedule(3507, typed, null);
    saver.schedule(3508, { ...emptyForm(), outcome: "blocked" }, null);
    await saver.flush();
    expect((await b.validationDrafts()).map((d) => d.ticket_id).sort()).toEqual([3507, 3508]);
    const r = await saveValidation(b, 3507, typed);
    expect(r.ok).toBe(true);
    expect((await b.validationDrafts()).map((d) => d.ticket_id)).toEqual([3508]);
    expect(await b.discardValidationDraft(3508)).toBe(true);
    expect(await b.validationDrafts()).toEqual([]);
    // Clearing every field is no draft either.
    saver.schedule(3508, emptyForm(), null);
    await saver.flush();
    expect(shown.has(3508)).toBe(false);
    expect(isBlankForm({ ...emptyForm(), notes: "  " })).toBe(true);
  });

  it("a cancelled edit is never written, and a failed write is reported", async () => {
    const { b, errors, saver } = setup();
    saver.schedule(3507, typed, null);
    saver.cancel(3507);
    await saver.flush();
    expect(b.draftSaves).toEqual([]);
    b.failWith = { code: "internal", message: "database is locked" };
    saver.schedule(3507, typed, null);
    await saver.flush();
    expect(errors).toEqual(["database is locked"]);
  });
});
