import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeBackend, fakeBacklogPoints, fakeTicket, pointKey } from "../backend/fake";
import type { IpcError } from "../bindings/IpcError";
import type { TicketSummary } from "../bindings/TicketSummary";
import { emptyFilters, type Filters } from "./filters";
import { pointDrill } from "./kpi";
import { countLabel, InboxSearch, placeCursor, SEARCH_DEBOUNCE_MS } from "./search";

function setup(backend = new FakeBackend([fakeTicket(1, "Invoice posting fails"), fakeTicket(2, "Slow login")])) {
  const results: TicketSummary[][] = [];
  const errors: IpcError[] = [];
  const totals: (number | null)[] = [];
  const search = new InboxSearch(backend, {
    onResults: (r) => results.push(r),
    onError: (e) => errors.push(e),
    onTotal: (n) => totals.push(n),
  });
  return { backend, search, results, errors, totals };
}

const withText = (search: string): Filters => ({ ...emptyFilters(), search });

describe("InboxSearch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("queries once for a burst of keystrokes, with the last text", async () => {
    const { backend, search, results } = setup();
    search.update(withText(""));
    await vi.runAllTimersAsync();
    backend.queries.length = 0;
    for (const t of ["i", "in", "inv", "invoice"]) {
      search.update(withText(t));
      await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS / 3);
    }
    expect(backend.queries).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(backend.queries.map((q) => q.search)).toEqual(["invoice"]);
    expect(results.at(-1)?.map((t) => t.key)).toEqual(["#1"]);
  });

  it("applies a filter change at once, without waiting", async () => {
    const { backend, search } = setup();
    search.update(withText(""));
    await vi.runAllTimersAsync();
    search.update({ ...emptyFilters(), status: "resolved" });
    await Promise.resolve();
    expect(backend.queries.at(-1)?.status_class).toBe("resolved");
  });

  it("drops an answer that arrives after a newer request", async () => {
    const backend = new FakeBackend([fakeTicket(1, "alpha"), fakeTicket(2, "beta")]);
    const slow: ((rows: TicketSummary[]) => void)[] = [];
    backend.queryTickets = (q) =>
      new Promise((resolve) => {
        backend.queries.push(q);
        slow.push(resolve);
      });
    const { search, results } = setup(backend);
    search.update(withText(""));
    search.update({ ...emptyFilters(), status: "closed" });
    expect(slow).toHaveLength(2);
    slow[1]([fakeTicket(2, "beta")]);
    slow[0]([fakeTicket(1, "alpha")]);
    await Promise.resolve();
    await Promise.resolve();
    expect(results).toHaveLength(1);
    expect(results[0].map((t) => t.title)).toEqual(["beta"]);
  });

  it("refresh re-runs the current query immediately (tickets-changed)", async () => {
    const { backend, search, results } = setup();
    search.update(withText("slow"));
    await vi.runAllTimersAsync();
    backend.tickets.push(fakeTicket(3, "Slow report export"));
    await search.refresh();
    expect(results.at(-1)?.map((t) => t.id)).toEqual([2, 3]);
  });

  it("shows more rows a page at a time, and a new search starts from one page again", async () => {
    const many = Array.from({ length: 450 }, (_, i) => fakeTicket(i + 1, `ticket ${i + 1}`));
    const { backend, search, results } = setup(new FakeBackend(many));
    search.update(withText(""));
    await vi.runAllTimersAsync();
    expect(results.at(-1)).toHaveLength(200);
    await search.showMore();
    await search.showMore();
    expect(results.at(-1)).toHaveLength(450);
    expect(backend.queries.map((q) => q.limit)).toEqual([200, 400, 600]);
    search.update(withText("ticket"));
    await vi.runAllTimersAsync();
    expect(backend.queries.at(-1)?.limit).toBe(200);
  });

  it("reports a failing query as an IpcError", async () => {
    const { backend, search, errors } = setup();
    backend.failWith = { code: "internal", message: "local store: disk I/O error" };
    search.update(withText(""));
    await vi.runAllTimersAsync();
    expect(errors).toEqual([{ code: "internal", message: "local store: disk I/O error" }]);
  });

  it("refuses an Updated range that ends before it starts, without querying, and lists nothing", async () => {
    const { backend, search, results, errors } = setup();
    search.update({ ...withText(""), updatedFrom: "2026-12-01", updatedTo: "2026-10-01" });
    await vi.runAllTimersAsync();
    expect(backend.queries).toEqual([]);
    expect(results).toEqual([[]]);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe("invalid_input");
    expect(errors[0].message).toContain("2026-12-01");
    expect(errors[0].message).toContain("2026-10-01");
    // The same day at both ends is a valid one-day range.
    search.update({ ...withText(""), updatedFrom: "2026-10-01", updatedTo: "2026-10-01" });
    await vi.runAllTimersAsync();
    expect(backend.queries).toHaveLength(1);
  });

  it("refuses a search with no letters or digits (only emoji or symbols) instead of listing every ticket", async () => {
    const { backend, search, results, errors } = setup();
    for (const text of ["🐢", "*", "?!"]) {
      search.update(withText(text));
      await vi.runAllTimersAsync();
    }
    expect(backend.queries).toEqual([]);
    expect(results).toEqual([[], [], []]);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["invalid_input", "search"],
      ["invalid_input", "search"],
      ["invalid_input", "search"],
    ]);
    expect(errors[0].message).toContain("“🐢” has no letters or digits");
    // A word beside an emoji, a ticket number, a non-Latin word: searched.
    for (const text of ["🐢 slow", "#12", "très", "日本"]) {
      search.update(withText(text));
      await vi.runAllTimersAsync();
    }
    expect(backend.queries.map((q) => q.search)).toEqual(["🐢 slow", "#12", "très", "日本"]);
  });

  it("lists exactly the tickets behind a KPI point, and the other filters narrow further", async () => {
    const backend = new FakeBackend([fakeTicket(1, "Invoice posting fails"), fakeTicket(2, "Slow login"), fakeTicket(3, "Label printer")]);
    const b = fakeBacklogPoints().buckets[0];
    backend.pointTickets.set(pointKey(b.points[1].query!), [1, 3]);
    const { search, results } = setup(backend);
    const drill = pointDrill("Backlog", b, b.points[1])!;
    search.update(drill.filters);
    await vi.runAllTimersAsync();
    expect(backend.queries.at(-1)?.kpi).toEqual(b.points[1].query);
    expect(results.at(-1)?.map((t) => t.id)).toEqual([1, 3]);
    search.update({ ...drill.filters, search: "label" });
    await vi.runAllTimersAsync();
    expect(results.at(-1)?.map((t) => t.id)).toEqual([3]);
  });
});

describe("the inbox count", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks for the total only when a page is full, and shows it", async () => {
    const many = Array.from({ length: 450 }, (_, i) => fakeTicket(i + 1, `Invoice ${i + 1}`));
    const { backend, search, totals } = setup(new FakeBackend(many));
    search.update(withText(""));
    await vi.runAllTimersAsync();
    expect(backend.counts).toHaveLength(1);
    expect(totals).toEqual([null, 450]);
    expect(countLabel(200, true, 450)).toBe("200 of 450 tickets");
    // A page that is not full is its own total: no count asked.
    search.update(withText("invoice 44"));
    await vi.runAllTimersAsync();
    expect(backend.counts).toHaveLength(1);
    expect(totals.at(-1)).toBe(14); // 44, 144, 244, 344 and 440–449
  });

  it("reads as a person would", () => {
    expect(countLabel(1, false, 1)).toBe("1 ticket");
    expect(countLabel(37, false, 37)).toBe("37 tickets");
    expect(countLabel(200, true, null)).toBe("200+ tickets");
    expect(countLabel(200, true, 12_345)).toBe("200 of 12,345 tickets");
    expect(countLabel(1_000, false, null)).toBe("1,000 tickets");
  });
});

describe("placeCursor", () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));

  it("closes the detail of a ticket the new results no longer list, cursor on the first row", () => {
    // #3303 open, then a search for "payroll" that does not find it.
    expect(placeCursor(rows(3989, 3990), 3303, 3303)).toEqual({ selected: 0, closeDetail: true });
  });

  it("keeps the open ticket under the cursor when it is still listed", () => {
    expect(placeCursor(rows(5, 7, 9), 9, 5)).toEqual({ selected: 2, closeDetail: false });
  });

  it("keeps the cursor's ticket when no detail is open", () => {
    expect(placeCursor(rows(5, 7, 9), undefined, 7)).toEqual({ selected: 1, closeDetail: false });
    expect(placeCursor(rows(), undefined, 7)).toEqual({ selected: -1, closeDetail: false });
  });
});
