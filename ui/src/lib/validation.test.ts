import { describe, expect, it } from "vitest";

import { FakeBackend, fakeQueueItem } from "../backend/fake";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import {
  blockedLine,
  confirmation,
  emptyForm,
  formKey,
  formProblem,
  groupOutbox,
  outboxActions,
  parseEvidence,
  addEvidence,
  queueFilterOptions,
  roundLabel,
  saveValidation,
  toQueueFilter,
  toInput,
  unsentCount,
} from "./validation";

function backendWithQueue(): FakeBackend {
  const b = new FakeBackend();
  b.queue = [fakeQueueItem(7, "Invoice posting fails", { priority: "Urgent" }), fakeQueueItem(8, "Scanner lag")];
  return b;
}

describe("validation form", () => {
  it("refuses to save without an outcome, and never calls the backend", async () => {
    const b = backendWithQueue();
    const r = await saveValidation(b, 7, { ...emptyForm(), notes: "looks fine" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: "invalid_input", message: expect.stringContaining("outcome") });
    expect(b.recorded).toEqual([]);
  });

  it("asks for notes when a fix failed or is blocked, not when it passed", () => {
    expect(formProblem({ ...emptyForm(), outcome: "failed" })).toMatch(/what still fails/);
    expect(formProblem({ ...emptyForm(), outcome: "blocked", notes: "  " })).toMatch(/blocks/);
    expect(formProblem({ ...emptyForm(), outcome: "failed", notes: "still 500 on post" })).toBeNull();
    expect(formProblem({ ...emptyForm(), outcome: "passed" })).toBeNull();
  });

  it("sends trimmed fields and one evidence path per line", async () => {
    const b = backendWithQueue();
    const form = {
      outcome: "passed" as const,
      steps: " Posted invoice 4711 ",
      environment: "QAS",
      testData: "customer 1000",
      notes: "ok ",
      evidence: "/home/me/shot one.png\n\n  /home/me/log.txt  \r\n",
    };
    const r = await saveValidation(b, 7, form);
    expect(r.ok).toBe(true);
    expect(b.recorded).toEqual([
      {
        ticket_id: 7,
        outcome: "passed",
        steps: "Posted invoice 4711",
        environment: "QAS",
        test_data: "customer 1000",
        notes: "ok",
        evidence: ["/home/me/shot one.png", "/home/me/log.txt"],
        supersedes: null,
      },
    ]);
    // The ticket left the queue and its writes wait in the outbox.
    expect((await b.validationQueue()).items.map((q) => q.key)).toEqual(["#8"]);
    const groups = groupOutbox(await b.outbox(false));
    expect(groups.map((g) => [g.ticketKey, g.state, g.entries.map((e) => e.kind)])).toEqual([
      ["#7", "pending", ["comment", "attachment", "attachment", "transition"]],
    ]);
    expect((await b.validationHistory(7)).map((v) => [v.round, v.outcome])).toEqual([[1, "passed"]]);
  });

  it("shows the backend's error when a file cannot be read, and keeps the ticket queued", async () => {
    const b = backendWithQueue();
    const r = await saveValidation(b, 7, { ...emptyForm(), outcome: "passed", evidence: "/missing/shot.png" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ code: "invalid_input", message: "evidence file /missing/shot.png cannot be read" });
    expect((await b.validationQueue()).count).toBe(2);
    expect(await b.outbox(true)).toEqual([]);
  });

  it("builds a correction that names the validation it supersedes", () => {
    const input = toInput(7, { ...emptyForm(), outcome: "failed", notes: "wrong" }, 3);
    expect(input.supersedes).toBe(3);
    expect(parseEvidence("  \n")).toEqual([]);
  });
});

describe("evidence picked with the file dialog", () => {
  it("joins the typed list one per line, each path once, keeping what was typed", () => {
    expect(addEvidence("", ["/home/ana/a.png"])).toBe("/home/ana/a.png");
    expect(addEvidence(" /tmp/log.txt \n\n", ["/home/ana/a.png", "/tmp/log.txt", "/home/ana/a.png"])).toBe(
      "/tmp/log.txt\n/home/ana/a.png",
    );
    expect(addEvidence("~/x.png", [])).toBe("~/x.png");
  });
});

describe("form keys", () => {
  it("p/f/b choose the outcome outside text fields only", () => {
    expect(formKey("p", { inTextField: false })).toEqual({ kind: "outcome", outcome: "passed" });
    expect(formKey("F", { inTextField: false })).toEqual({ kind: "outcome", outcome: "failed" });
    expect(formKey("b", { inTextField: false })).toEqual({ kind: "outcome", outcome: "blocked" });
    expect(formKey("p", { inTextField: true })).toEqual({ kind: "none" });
    expect(formKey("b", { inTextField: false }, { ctrl: true })).toEqual({ kind: "none" });
    expect(formKey("x", { inTextField: false })).toEqual({ kind: "none" });
  });

  it("Ctrl+Enter or Cmd+Enter saves, even from a text field; plain Enter does not", () => {
    expect(formKey("Enter", { inTextField: true }, { ctrl: true })).toEqual({ kind: "save" });
    expect(formKey("Enter", { inTextField: false }, { meta: true })).toEqual({ kind: "save" });
    expect(formKey("Enter", { inTextField: true })).toEqual({ kind: "none" });
  });
});

describe("outbox", () => {
  it("stays pending while the server is down, then is sent by a push", async () => {
    const b = backendWithQueue();
    await saveValidation(b, 7, { ...emptyForm(), outcome: "passed" });
    b.serverDown = true;
    const down = await b.pushOutbox(false);
    expect([down.sent, down.pending]).toEqual([0, 2]);
    let groups = groupOutbox(await b.outbox(true));
    expect(groups[0].state).toBe("pending");
    expect(groups[0].reason).toMatch(/cannot reach/);
    expect(unsentCount(groups)).toBe(1);
    b.serverDown = false;
    expect((await b.pushOutbox(false)).sent).toBe(2);
    groups = groupOutbox(await b.outbox(true));
    expect(groups[0].state).toBe("sent");
    expect(unsentCount(groups)).toBe(0);
    expect(await b.outbox(false)).toEqual([]);
  });

  it("the worst write decides a validation's state and reason; actions follow it", () => {
    const row = (id: number, vid: number, state: OutboxEntry["state"], last_error: string | null = null): OutboxEntry => ({
      id,
      validation_id: vid,
      validation_uuid: `u${vid}`,
      round: 1,
      ticket_key: `#${vid}`,
      outcome: "passed",
      kind: "comment",
      detail: null,
      target_field: null,
      state,
      attempts: 1,
      next_attempt_at: "2026-03-04T10:00:00Z",
      last_error,
      remote_ref: null,
      server_value: null,
      updated_at: "2026-03-04T10:00:00Z",
      stays_local: null,
    });
    const groups = groupOutbox([
      row(1, 1, "sent"),
      row(2, 1, "rejected", "status Closed is not allowed for this role"),
      row(3, 2, "conflict", "ticket changed on the server"),
      row(4, 2, "pending"),
    ]);
    expect(groups.map((g) => [g.validationId, g.state, g.reason])).toEqual([
      [2, "conflict", "ticket changed on the server"],
      [1, "rejected", "status Closed is not allowed for this role"],
    ]);
    expect(outboxActions("rejected")).toEqual({ retry: true, discard: true });
    expect(outboxActions("pending")).toEqual({ retry: false, discard: true });
    expect(outboxActions("sent")).toEqual({ retry: false, discard: false });
  });

  it("retry and discard change only that validation's unsent writes", async () => {
    const b = backendWithQueue();
    await saveValidation(b, 7, { ...emptyForm(), outcome: "passed" });
    await saveValidation(b, 8, { ...emptyForm(), outcome: "failed", notes: "still slow" });
    b.outboxRows.filter((r) => r.validation_id === 1).forEach((r) => (r.state = "rejected"));
    expect(await b.retryOutbox(1, false)).toBe(2);
    expect(await b.discardOutbox(2)).toBe(2);
    const groups = groupOutbox(await b.outbox(true));
    expect(groups.map((g) => [g.validationId, g.state])).toEqual([
      [2, "discarded"],
      [1, "pending"],
    ]);
  });
});

describe("a blocked fix in the queue list", () => {
  it("shows Blocked with the blocking note's first line until a later round or correction says otherwise", async () => {
    const b = backendWithQueue();
    const row = async (id: number) => (await b.validationQueue()).items.find((q) => q.ticket_id === id)!;
    expect(blockedLine(await row(7))).toBeNull();
    const r = await saveValidation(b, 7, { ...emptyForm(), outcome: "blocked", notes: "\n  QAS is down since Monday  \nBasis ticket #88 open" });
    if (!r.ok) throw new Error(r.error.message);
    expect(blockedLine(await row(7))).toBe("Blocked: QAS is down since Monday");
    expect(blockedLine(await row(8))).toBeNull();
    // A correction names the new blocking note; the block it corrects no longer counts.
    const again = await saveValidation(b, 7, { ...emptyForm(), outcome: "blocked", notes: "Test data missing" }, r.validation.id);
    if (!again.ok) throw new Error(again.error.message);
    expect(blockedLine(await row(7))).toBe("Blocked: Test data missing");
  });

  it("does not show a block recorded before the latest fix was delivered", () => {
    const blocked = { outcome: "blocked" as const, notes: "QAS down", superseded_by: null, recorded_at: "2026-03-01T09:00:00Z" };
    const item = (resolved_at: string) => ({ resolved_at, updated_at: resolved_at, history: [blocked as never] });
    expect(blockedLine(item("2026-02-28T09:00:00Z"))).toBe("Blocked: QAS down");
    expect(blockedLine(item("2026-03-02T09:00:00Z"))).toBeNull();
  });
});

describe("queue filters", () => {
  it("offer each process area, priority and assignee of the queue once, sorted, without blanks", () => {
    const o = queueFilterOptions([
      { process_area: "Bug", priority: "Low", priority_rank: 310, assignee: "Zoe" },
      { process_area: "Support", priority: "Normal", priority_rank: 207, assignee: null },
      { process_area: "Bug", priority: "", priority_rank: 415, assignee: "Anna" },
      { process_area: "Bug", priority: "Urgent", priority_rank: 4, assignee: null },
      { process_area: "Bug", priority: "High", priority_rank: 105, assignee: null },
    ]);
    // Priorities most severe first (as the core ranks them), not alphabetically.
    expect(o).toEqual({ areas: ["Bug", "Support"], priorities: ["Urgent", "High", "Normal", "Low"], assignees: ["Anna", "Zoe"] });
  });
  it("turn 'any' into no filter", () => {
    expect(toQueueFilter("", "High", "")).toEqual({ process_area: null, priority: "High", assignee: null, source: null });
  });
});

describe("a correction", () => {
  it("is sent as a new validation that supersedes the old one", async () => {
    const b = new FakeBackend();
    b.queue = [fakeQueueItem(7, "Invoice posting")];
    const r = await saveValidation(b, 7, { ...emptyForm(), outcome: "failed", notes: "still wrong on credit memos" }, 3);
    expect(r.ok).toBe(true);
    expect(b.recorded.at(-1)).toMatchObject({ ticket_id: 7, outcome: "failed", supersedes: 3 });
  });
});

describe("the confirmation after a save", () => {
  it("confirms every outcome, including a blocked fix that stays selected in the queue", async () => {
    for (const outcome of ["passed", "failed", "blocked"] as const) {
      const b = backendWithQueue();
      const r = await saveValidation(b, 7, { ...emptyForm(), outcome, notes: "cannot log in to QAS" });
      if (!r.ok) throw new Error(r.error.message);
      const stillQueued = (await b.validationQueue()).items.some((q) => q.ticket_id === 7);
      expect(stillQueued).toBe(outcome === "blocked");
      // Blocked: the ticket is still the selected one; passed/failed: it left the queue, nothing is selected.
      const note = confirmation(r.validation, stillQueued ? 7 : null);
      const label = { passed: "Passed", failed: "Failed", blocked: "Blocked" }[outcome];
      expect(note).toMatch(new RegExp(`^Validation of #7 recorded \\(${label}, round 1\\)\\. It waits in the outbox until pushed`));
    }
  });

  it("says a demo validation stays on this machine, and the outbox offers no Retry for it but says why", async () => {
    const local = "Demo validations stay on this machine: the demo has no server to push to.";
    const b = new FakeBackend();
    b.queue = [fakeQueueItem(7, "Invoice posting fails", { source: "demo", stays_local: local }), fakeQueueItem(8, "Scanner lag")];
    // Blocked first: the ticket stays in the queue, then Passed.
    for (const outcome of ["blocked", "passed"] as const) {
      const r = await saveValidation(b, 7, { ...emptyForm(), outcome, notes: "QAS down" });
      if (!r.ok) throw new Error(r.error.message);
      const note = confirmation(r.validation, 7) ?? "";
      expect(note).toContain(local.replace(/\.$/, ""));
      expect(note).not.toContain("waits in the outbox");
      if (outcome === "blocked") expect(note).toMatch(/no server to push to; the ticket stays in the queue so you can test it again\.$/);
    }
    // What the push makes of them: rejected, with the reason, and no Retry.
    b.outboxRows.forEach((r) => (r.state = "rejected"));
    b.outboxRows.forEach((r) => (r.last_error = 'source "demo" is the demo: it has no server to push to'));
    const [g] = groupOutbox(await b.outbox(true));
    expect(g.reason).toBe(local);
    expect(outboxActions(g.state, g.staysLocal)).toEqual({ retry: false, discard: true });
    // A server ticket's rejected validation still offers one.
    await saveValidation(b, 8, { ...emptyForm(), outcome: "passed" });
    b.outboxRows.forEach((r) => (r.state = "rejected"));
    const server = groupOutbox(await b.outbox(true)).find((x) => x.ticketKey === "#8");
    expect(server && outboxActions(server.state, server.staysLocal)).toEqual({ retry: true, discard: true });
  });

  it("is not shown once another ticket is selected", async () => {
    const b = backendWithQueue();
    const r = await saveValidation(b, 7, { ...emptyForm(), outcome: "blocked", notes: "QAS down" });
    if (!r.ok) throw new Error(r.error.message);
    expect(confirmation(r.validation, 8)).toBeNull();
    expect(confirmation(null, null)).toBeNull();
  });
});

describe("rounds are per ticket everywhere", () => {
  it("outbox, history and the superseded note speak of the ticket's round, never the validation id", async () => {
    const b = backendWithQueue();
    const first = await saveValidation(b, 7, { ...emptyForm(), outcome: "passed" });
    const blocked = await saveValidation(b, 8, { ...emptyForm(), outcome: "blocked", notes: "QAS down" });
    if (!first.ok || !blocked.ok) throw new Error("not recorded");
    expect(blocked.validation.id).toBe(2);
    const fixed = await saveValidation(b, 8, { ...emptyForm(), outcome: "passed" }, blocked.validation.id);
    if (!fixed.ok) throw new Error(fixed.error.message);

    const history = await b.validationHistory(8);
    expect(history.map((v) => `${roundLabel(v)}: ${v.outcome}`)).toEqual(["Round 1: blocked", "Round 1 (correction): passed"]);

    const groups = groupOutbox(await b.outbox(true));
    expect(groups.map((g) => [g.ticketKey, g.round, g.state, g.reason])).toEqual([
      ["#8", 1, "pending", null],
      ["#8", 1, "discarded", "corrected before it was pushed: round 1 is now passed"],
      ["#7", 1, "pending", null],
    ]);
  });
});

describe("a form error names its field, so the view can mark and focus it", () => {
  it("points at the outcome, the notes or the evidence file the core could not read", async () => {
    const b = backendWithQueue();
    const noOutcome = await saveValidation(b, 7, { ...emptyForm(), notes: "fine" });
    const noNotes = await saveValidation(b, 7, { ...emptyForm(), outcome: "failed" });
    const badFile = await saveValidation(b, 7, { ...emptyForm(), outcome: "passed", evidence: "/home/me/ok.png\n/missing/shot.png" });
    expect([noOutcome, noNotes, badFile].map((r) => (r.ok ? "saved" : r.field))).toEqual(["outcome", "notes", "evidence"]);
  });

  it("claims no field for an error that is not about one", async () => {
    const b = backendWithQueue();
    b.failWith = { code: "invalid_input", message: "ticket #7 was deleted on the server; there is nothing to validate" };
    const r = await saveValidation(b, 7, { ...emptyForm(), outcome: "passed", evidence: "/home/me/ok.png" });
    expect(r.ok ? "saved" : r.field).toBeNull();
    b.failWith = { code: "internal", message: "database is locked" };
    const r2 = await saveValidation(b, 7, { ...emptyForm(), outcome: "passed" });
    expect(r2.ok ? "saved" : r2.field).toBeNull();
  });
});
