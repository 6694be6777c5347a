import { beforeEach, describe, expect, it } from "vitest";

import { defaultMatrix, FakeBackend, fakeComment, fakeTriage } from "../backend/fake";
import { CommentSession } from "./commentTriage";
import { triageKey } from "./triage";
import { forgetTriageSessions, kept } from "./triageKept";
import { firstOpen, rewalk, walkPosition } from "./walk";

/** Five tickets, highest priority first, as the core sorts them. */
function backendWithTickets(): FakeBackend {
  const b = new FakeBackend();
  b.triage = [
    fakeTriage(1003, "Bank interface down for finance", { impact: "department", urgency: "high", priority: "P1" }),
    fakeTriage(1018, "Posting slow", { impact: "department", urgency: "high", priority: "P1" }),
    fakeTriage(1017, "Label typo", { impact: "team", urgency: "high", priority: "P2" }),
    fakeTriage(1020, "Report wrong", { impact: "team", urgency: "medium", priority: "P3" }),
    fakeTriage(1021, "Menu hidden", { impact: "single_user", urgency: "low", priority: "P4" }),
  ];
  return b;
}

/** What the Triage view does when it opens: the kept session, reloaded; the first load resumes. */
async function enterTriage(b: FakeBackend) {
  kept.tickets.reload(await b.triageQueue(), true);
  return kept.tickets;
}

/** The core's order: priority, then id (the fake keeps insertion order). */
function sortLikeTheCore(b: FakeBackend) {
  b.triage.sort((x, y) => (x.priority ?? "").localeCompare(y.priority ?? "") || x.ticket_id - y.ticket_id);
}

beforeEach(() => forgetTriageSessions());

describe("the triage walk keeps the user's place", () => {
  it("leaving the view and coming back keeps the position and the count, and skips what was confirmed", async () => {
    const b = backendWithTickets();
    let s = await enterTriage(b);
    await s.confirm(b);
    await s.confirm(b);
    expect([s.index, s.confirmed.size, s.current?.ticket_id]).toEqual([2, 2, 1017]);
    // Looking back at a confirmed ticket, then leaving the view.
    s.move(-1);
    expect(s.current?.ticket_id).toBe(1018);

    sortLikeTheCore(b); // confirmed tickets may be re-sorted by the backend
    s = await enterTriage(b);
    expect([s.index, s.confirmed.size, s.current?.ticket_id]).toEqual([2, 2, 1017]);
  });

  it("the confirmed count drops tickets that left the queue (their source was removed)", async () => {
    const b = backendWithTickets();
    let s = await enterTriage(b);
    await s.confirm(b);
    await s.confirm(b);
    expect(s.confirmed.size).toBe(2);
    // The source of 1003 is removed: the queue no longer holds it.
    b.triage = b.triage.filter((t) => t.ticket_id !== 1003);
    s = await enterTriage(b);
    expect([s.confirmed.size, s.queue.length]).toEqual([1, 4]);
    // Every source removed: nothing is confirmed of an empty queue.
    b.triage = [];
    s = await enterTriage(b);
    expect([s.confirmed.size, s.current]).toEqual([0, null]);
  });

  it("the first visit starts at the first ticket not set by the user in an earlier run", async () => {
    const b = backendWithTickets();
    b.triage[0].category_overridden = true;
    const s = await enterTriage(b);
    expect(s.current?.ticket_id).toBe(1018);
  });

  it("a changed priority matrix keeps the current ticket and its place in the walk", async () => {
    const b = backendWithTickets();
    const s = await enterTriage(b);
    await s.confirm(b);
    expect([s.index, s.current?.ticket_id]).toEqual([1, 1018]);
    // Department × High → P4: the current ticket drops to the end of the core's order.
    const m = defaultMatrix();
    m.grid[2][2] = "P4";
    await b.setPriorityMatrix(m);
    for (const t of b.triage) if (t.impact === "department" && t.urgency === "high") t.priority = "P4";
    sortLikeTheCore(b);
    expect(b.triage.map((t) => t.ticket_id)).toEqual([1017, 1020, 1003, 1018, 1021]);

    s.reload(await b.triageQueue());
    expect([s.index, s.current?.ticket_id, s.current?.priority]).toEqual([1, 1018, "P4"]);
    // What was walked keeps its place, what comes next follows the new priorities.
    expect(s.queue.map((t) => t.ticket_id)).toEqual([1003, 1018, 1017, 1020, 1021]);
    s.move(1);
    expect(s.current?.ticket_id).toBe(1017);
  });

  it("a reload keeps the draft the user is editing on the same ticket", async () => {
    const b = backendWithTickets();
    const s = await enterTriage(b);
    s.apply(triageKey("3"));
    s.reload(await b.triageQueue());
    expect([s.current?.ticket_id, s.draft?.category]).toEqual([1003, "performance"]);
  });

  it("Run triage leaves the user on the same ticket", async () => {
    const b = backendWithTickets();
    const s = await enterTriage(b);
    await b.runTriage();
    b.triage.reverse(); // the run changed every priority
    s.reload(await b.triageQueue());
    expect([s.index, s.current?.ticket_id]).toEqual([0, 1003]);
  });

  it("a ticket gone from the queue leaves the user on the next one", () => {
    const q = [1, 2, 3, 4].map((id) => ({ id }));
    const { queue, index } = rewalk(q, 1, [q[0], q[2], q[3]], (t) => t.id);
    expect([queue.map((t) => t.id), index]).toEqual([[1, 3, 4], 1]);
    expect(rewalk([], 0, [], (t: { id: number }) => t.id)).toEqual({ queue: [], index: 0 });
  });

  it("resuming wraps to the start, and stays put when everything is confirmed", () => {
    expect(firstOpen([1, 2, 3, 4], 2, (n) => n > 2)).toBe(0);
    expect(firstOpen([1, 2, 3], 1, () => true)).toBe(1);
  });
});

describe("each triage tab keeps its own session", () => {
  it("switching to survey comments and back keeps both tabs' counts and places", async () => {
    const b = backendWithTickets();
    b.comments.rows = [fakeComment(11, "Cannot find approve"), fakeComment(12, "Slow payslips"), fakeComment(13, "Great")];
    await (await enterTriage(b)).confirm(b);
    kept.mode = "comments";
    kept.comments.reload(await b.commentTriageQueue(), true);
    await kept.comments.confirm(b);
    // Back to tickets (the comments panel is destroyed), then to comments again.
    kept.mode = "tickets";
    const tickets = await enterTriage(b);
    expect([tickets.confirmed.size, tickets.current?.ticket_id]).toEqual([1, 1018]);
    kept.comments.reload(await b.commentTriageQueue(), true);
    expect([kept.comments.confirmed.size, kept.comments.current?.response_id]).toEqual([1, 12]);
  });

  it("a comment session opened on a given comment stays there even when it was set before", () => {
    const s = new CommentSession([fakeComment(11, "a"), fakeComment(12, "b", { category_overridden: true })], 12);
    expect(s.current?.response_id).toBe(12);
  });
});

describe("walkPosition", () => {
  it("counts with thousands separators, as the refinement status does", () => {
    expect(walkPosition(0, 3000)).toBe("1 of 3,000");
    expect(walkPosition(1203, 3000)).toBe("1,204 of 3,000");
  });
});
