import { describe, expect, it } from "vitest";

import type { KpiTile } from "../bindings/KpiTile";
import { chartDrill, chartSrc, checkPeriod, presetPeriod, tileState } from "./kpi";
import { toTicketQuery } from "./filters";

const tile = (extra: Partial<KpiTile>): KpiTile => ({
  id: "x",
  label: "X",
  value: 0.5,
  unit: "share",
  display: "50.0 %",
  definition: "d",
  threshold: null,
  requirement: null,
  passed: null,
  ...extra,
});

describe("periods", () => {
  it("presets end on the data's last day; the whole window leaves both ends to the shell", () => {
    expect(presetPeriod("6w", "2026-10-31")).toEqual({ from: "2026-09-20", to: "2026-10-31" });
    expect(presetPeriod("2w", "2026-03-01")).toEqual({ from: "2026-02-16", to: "2026-03-01" });
    expect(presetPeriod("all", "2026-10-31")).toEqual({ from: null, to: null });
    expect(presetPeriod("6w", null)).toEqual({ from: null, to: null });
  });

  it("refuses malformed or reversed periods before asking the shell", () => {
    expect(checkPeriod("2026-10-01", "2026-10-31")).toBeNull();
    expect(checkPeriod("", "")).toBeNull();
    expect(checkPeriod("2026-10-31", "2026-10-01")).toMatch(/starts after it ends/);
    expect(checkPeriod("10/01/2026", "")).toMatch(/YYYY-MM-DD/);
  });
});

describe("tiles", () => {
  it("exit criteria pass, fail or have no data; headline values only inform", () => {
    expect(tileState(tile({ threshold: 0.9, passed: true }))).toBe("pass");
    expect(tileState(tile({ threshold: 0.9, passed: false }))).toBe("fail");
    expect(tileState(tile({ threshold: 0.9, passed: null, value: null }))).toBe("no-data");
    expect(tileState(tile({}))).toBe("info");
    expect(tileState(tile({ value: null }))).toBe("no-data");
  });
});

describe("charts", () => {
  it("become data: image URLs that decode back to the SVG, non-ASCII included", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>P1 – ≤ 4 h</text></svg>';
    const src = chartSrc({ id: "incident_trend", title: "t", svg });
    expect(src.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const bytes = Uint8Array.from(atob(src.split(",")[1]), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(svg);
  });

  it("open the inbox on the tickets behind them, labelled with what the filter really is", () => {
    const trend = chartDrill("incident_trend", "2026-10-01", "2026-10-31");
    expect(trend?.label).toMatch(/updated/);
    const q = toTicketQuery(trend!.filters);
    expect(q.updated_from).toBe("2026-10-01T00:00:00.000Z");
    expect(q.updated_to).toBe("2026-11-01T00:00:00.000Z");
    expect(chartDrill("backlog_burndown", "2026-10-01", "2026-10-31")?.filters.status).toBe("open");
    expect(chartDrill("time_to_resolve", "2026-10-01", "2026-10-31")?.filters.status).toBe("resolved");
    expect(chartDrill("csat_nps", "2026-10-01", "2026-10-31")).toBeNull();
    expect(chartDrill("adoption", "2026-10-01", "2026-10-31")).toBeNull();
  });
});
