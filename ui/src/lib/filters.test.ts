import { describe, expect, it } from "vitest";

import { activeFilterCount, clearFilters, emptyFilters, toTicketQuery } from "./filters";

describe("toTicketQuery", () => {
  it("sends no narrowing for empty filters", () => {
    const q = toTicketQuery(emptyFilters());
    expect(q).toEqual({
      search: null,
      status_class: null,
      source: null,
      priority: null,
      category: null,
      assignee: null,
      updated_from: null,
      updated_to: null,
      include_deleted: false,
      limit: 200,
      offset: null,
      kpi: null,
    });
  });

  it("maps every filter onto its query field; whitespace-only search is no search", () => {
    const q = toTicketQuery({
      search: "  invoice  ",
      status: "open",
      priority: "High",
      category: "data_issue",
      assignee: "Maria Lopez",
      source: "erp",
      updatedFrom: "2026-03-01",
      updatedTo: "2026-03-31",
      kpi: null,
    });
    expect(q.search).toBe("invoice");
    expect(q.status_class).toBe("open");
    expect(q.priority).toBe("High");
    expect(q.category).toBe("data_issue");
    expect(q.assignee).toBe("Maria Lopez");
    expect(q.source).toBe("erp");
    expect(toTicketQuery({ ...emptyFilters(), search: "   " }).search).toBeNull();
  });

  it("makes the date range whole UTC days with the end day included", () => {
    const q = toTicketQuery({ ...emptyFilters(), updatedFrom: "2026-03-01", updatedTo: "2026-03-31" });
    expect(q.updated_from).toBe("2026-03-01T00:00:00.000Z");
    expect(q.updated_to).toBe("2026-04-01T00:00:00.000Z");
  });

  it("ignores a malformed date instead of sending it", () => {
    const q = toTicketQuery({ ...emptyFilters(), updatedFrom: "03/01/2026" });
    expect(q.updated_from).toBeNull();
  });
});

describe("filter helpers", () => {
  it("counts active filters but not the search text, and clears them keeping the text", () => {
    const f = { ...emptyFilters(), search: "login", status: "open" as const, updatedFrom: "2026-03-01" };
    expect(activeFilterCount(f)).toBe(2);
    expect(clearFilters(f)).toEqual({ ...emptyFilters(), search: "login" });
  });
});
