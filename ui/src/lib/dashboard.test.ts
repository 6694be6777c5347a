import { describe, expect, it } from "vitest";

import { FakeBackend, fakeDashboard } from "../backend/fake";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import { DashboardModel, type DashboardView } from "./dashboard";

function model(backend: FakeBackend) {
  const views: DashboardView[] = [];
  const m = new DashboardModel(backend, (v) => views.push(v));
  const last = () => views[views.length - 1];
  return { m, views, last };
}

describe("DashboardModel", () => {
  it("loads the whole data window first, then the period the user picks", async () => {
    const b = new FakeBackend();
    const { m, last } = model(b);
    await m.load({ from: null, to: null });
    expect(last().data?.from).toBe("2026-09-01");
    expect(last().data?.headline.map((t) => t.id)).toEqual(["created", "csat"]);
    await m.load({ from: "2026-10-01", to: "2026-10-12" });
    expect(b.dashboardCalls).toEqual([
      [null, null],
      ["2026-10-01", "2026-10-12"],
    ]);
    expect(last().data?.from).toBe("2026-10-01");
    expect(last().loading).toBe(false);
  });

  it("refuses a reversed period without calling the shell, and shows shell errors", async () => {
    const b = new FakeBackend();
    const { m, last } = model(b);
    await m.load({ from: "2026-10-12", to: "2026-10-01" });
    expect(b.dashboardCalls).toEqual([]);
    expect(last().error?.message).toMatch(/starts after it ends/);
    b.failWith = { code: "internal", message: "chart drawing failed" };
    await m.load({ from: null, to: null });
    expect(last().error).toEqual({ code: "internal", message: "chart drawing failed" });
    expect(last().loading).toBe(false);
  });

  it("keeps the newest period when an older request answers last", async () => {
    const b = new FakeBackend();
    let releaseSlow: (d: KpiDashboard) => void = () => {};
    const real = b.kpiDashboard.bind(b);
    b.kpiDashboard = (from, to, filter, theme) =>
      from === "2026-09-01" ? new Promise((r) => (releaseSlow = r)) : real(from, to, filter, theme);
    const { m, last } = model(b);
    const slow = m.load({ from: "2026-09-01", to: "2026-09-30" });
    await m.load({ from: "2026-10-01", to: "2026-10-12" });
    releaseSlow(fakeDashboard({ from: "2026-09-01", to: "2026-09-30" }));
    await slow;
    expect(last().data?.from).toBe("2026-10-01");
  });

  it("exports the period on screen and shows the written paths, or the error", async () => {
    const b = new FakeBackend();
    const { m, last } = model(b);
    await m.export();
    // Nothing to export before the dashboard loaded.
    expect(b.exports).toEqual([]);
    await m.load({ from: "2026-10-01", to: "2026-10-12" });
    await m.export();
    expect(b.exports).toEqual([["2026-10-01", "2026-10-12", null]]);
    expect(last().exported?.html).toMatch(/report\.html$/);
    expect(last().exported?.pngs).toHaveLength(3);
    b.failWith = { code: "invalid_input", message: "cannot write /x/report.pdf: read-only" };
    await m.export();
    expect(last().exported).toBeNull();
    expect(last().exportError?.message).toMatch(/read-only/);
    expect(last().exporting).toBe(false);
  });

  it("sends the ticket filter with the period, and exports with the filter on screen", async () => {
    const b = new FakeBackend();
    b.sources = [{ name: "erp" } as FakeBackend["sources"][number]];
    const { m, last } = model(b);
    const f = { sources: ["erp"], priorities: ["P1" as const], categories: ["usability" as const] };
    await m.load({ from: null, to: null }, f);
    expect(b.dashboardFilters).toEqual([f]);
    expect(last().data?.filter_text).toBe("source erp; P1; usability");
    await m.export();
    expect(b.exportFilters).toEqual([f]);
    // A filter the shell refuses keeps the last good data and its filter.
    await m.load({ from: null, to: null }, { ...f, sources: ["nope"] });
    expect(last().error?.message).toMatch(/"nope"/);
    await m.export();
    expect(b.exportFilters[1]).toEqual(f);
  });
});
