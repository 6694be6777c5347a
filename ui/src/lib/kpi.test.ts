import { describe, expect, it } from "vitest";

import { fakeBacklogPoints } from "../backend/fake";
import type { KpiTile } from "../bindings/KpiTile";
import {
  bucketLabel,
  chartSrc,
  checkPeriod,
  defaultPrefs,
  emptyKpiFilter,
  filterNote,
  hitAreas,
  loadPrefs,
  moveBucket,
  pointDrill,
  presetPeriod,
  resetSessionPrefs,
  savePrefs,
  tileState,
  toggleFilter,
  type PrefsStorage,
} from "./kpi";
import { activeFilterCount, clearFilters, toTicketQuery } from "./filters";

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
    // It names both days, as the inbox's Updated range does.
    expect(checkPeriod("2026-10-31", "2026-10-01")).toBe(
      'The period starts after it ends: "From" (2026-10-31) is after "To" (2026-10-01). Swap the two days or clear one.',
    );
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

  it("put a hit area over each bucket, where the image draws it, in % so it scales with the image", () => {
    const p = fakeBacklogPoints();
    const areas = hitAreas(p);
    expect(areas).toHaveLength(2);
    // Plot 90..890 × 60..470 in a 900×540 image; buckets 90..490 and 490..890.
    expect(areas[0].left).toBeCloseTo(10);
    expect(areas[0].width).toBeCloseTo(44.444, 2);
    expect(areas[1].left).toBeCloseTo(54.444, 2);
    expect(areas[0].top).toBeCloseTo(11.111, 2);
    expect(areas[0].height).toBeCloseTo(75.926, 2);
    expect(hitAreas({ ...p, plot: null })).toEqual([]);
  });

  it("move the keyboard focus between buckets with arrows, Home and End", () => {
    expect(moveBucket("ArrowRight", 0, 3)).toBe(1);
    expect(moveBucket("ArrowRight", 2, 3)).toBe(2);
    expect(moveBucket("ArrowLeft", 0, 3)).toBe(0);
    expect(moveBucket("End", 0, 3)).toBe(2);
    expect(moveBucket("Home", 2, 3)).toBe(0);
    expect(moveBucket("Enter", 1, 3)).toBeNull();
    expect(moveBucket("ArrowRight", 0, 0)).toBeNull();
  });

  it("read a bucket aloud with every series", () => {
    expect(bucketLabel(fakeBacklogPoints().buckets[0])).toBe("Oct 11: P1 1, All open 3");
  });

  it("open the inbox on exactly the tickets behind a point, saying what they are", () => {
    const p = fakeBacklogPoints();
    const b = p.buckets[0];
    const drill = pointDrill("Backlog burn-down", b, b.points[1]);
    expect(drill?.label).toBe("Backlog burn-down, Oct 11, All open: 3 tickets");
    const q = toTicketQuery(drill!.filters);
    expect(q.kpi).toEqual(b.points[1].query);
    expect(q.kpi?.measure).toBe("open_at_end");
    expect(q.updated_from).toBeNull();
    expect(activeFilterCount(drill!.filters)).toBe(1);
    expect(clearFilters(drill!.filters).kpi).toBeNull();
    // A zero has no tickets behind it.
    expect(pointDrill("Backlog", p.buckets[1], p.buckets[1].points[0])).toBeNull();
  });
});

describe("the ticket filter", () => {
  it("toggles values in a stable order", () => {
    let f = toggleFilter(emptyKpiFilter(), "priorities", "P3");
    f = toggleFilter(f, "priorities", "P1");
    expect(f.priorities).toEqual(["P1", "P3"]);
    f = toggleFilter(f, "priorities", "P3");
    expect(f.priorities).toEqual(["P1"]);
    f = toggleFilter(toggleFilter(f, "categories", "usability"), "categories", "critical_bug");
    expect(f.categories).toEqual(["critical_bug", "usability"]);
    expect(toggleFilter(f, "sources", "crm").sources).toEqual(["crm"]);
  });

  it("shows a chart's note only while a filter is set", () => {
    const p = { ...fakeBacklogPoints(), filter_applies: false, filter_note: "Usage is not made of tickets." };
    expect(filterNote(emptyKpiFilter(), p)).toBeNull();
    expect(filterNote({ ...emptyKpiFilter(), priorities: ["P1"] }, p)).toBe("Usage is not made of tickets.");
  });
});

describe("the dashboard's choices", () => {
  function memory(): PrefsStorage & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
  }

  it("persist the period and the filter across visits and restarts", () => {
    resetSessionPrefs();
    const store = memory();
    expect(loadPrefs(store)).toEqual(defaultPrefs());
    const prefs = {
      preset: "2w" as const,
      period: { from: "2026-09-29", to: "2026-10-12" },
      filter: { sources: ["erp"], priorities: ["P1" as const], categories: ["usability" as const] },
    };
    savePrefs(store, prefs);
    expect(loadPrefs(null)).toEqual(prefs); // the same session, without storage
    resetSessionPrefs(); // a restart: only the stored copy is left
    expect(loadPrefs(store)).toEqual(prefs);
    resetSessionPrefs();
  });

  it("fall back to the defaults when the stored copy is damaged, and drop unknown values", () => {
    resetSessionPrefs();
    const store = memory();
    store.data.set("hypercare.dashboard", "{not json");
    expect(loadPrefs(store)).toEqual(defaultPrefs());
    store.data.set("hypercare.dashboard", JSON.stringify({ filter: { priorities: ["P1", "P9"], categories: ["nope", "training"], sources: [3] } }));
    expect(loadPrefs(store).filter).toEqual({ sources: [], priorities: ["P1"], categories: ["training"] });
    const broken: PrefsStorage = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("full"); } };
    expect(loadPrefs(broken)).toEqual(defaultPrefs());
    savePrefs(broken, defaultPrefs()); // no throw
    resetSessionPrefs();
  });
});
