// The KPI dashboard's logic as plain functions: periods, tile states, the
// chart images and the inbox filters behind a chart.
import type { KpiChart } from "../bindings/KpiChart";
import type { KpiTile } from "../bindings/KpiTile";
import { emptyFilters, type Filters } from "./filters";

/** A period choice; `null` ends mean "the whole data window" (the shell decides). */
export interface PeriodChoice {
  from: string | null;
  to: string | null;
}

export type Preset = "all" | "6w" | "2w";

export const PRESETS: { id: Preset; label: string }[] = [
  { id: "all", label: "Whole data window" },
  { id: "6w", label: "Last 6 weeks" },
  { id: "2w", label: "Last 2 weeks" },
];

function shiftDay(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The period of a preset, ending on `lastDay` (the last day of the data
 * window as the shell reported it). Without a known last day a preset asks
 * the shell for the whole window.
 */
export function presetPeriod(p: Preset, lastDay: string | null): PeriodChoice {
  if (p === "all" || !lastDay) return { from: null, to: null };
  const days = p === "6w" ? 42 : 14;
  return { from: shiftDay(lastDay, -(days - 1)), to: lastDay };
}

/** A user-typed period: both ends `YYYY-MM-DD` or empty, `from` ≤ `to`; else the problem. */
export function checkPeriod(from: string, to: string): string | null {
  const ok = (d: string) => d === "" || /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (!ok(from) || !ok(to)) return "Enter dates as YYYY-MM-DD.";
  if (from !== "" && to !== "" && from > to) return "The period starts after it ends.";
  return null;
}

export type TileState = "pass" | "fail" | "no-data" | "info";

/** Exit criteria pass or fail; headline values are informational. */
export function tileState(t: KpiTile): TileState {
  if (t.threshold === null) return t.value === null ? "no-data" : "info";
  if (t.passed === null) return "no-data";
  return t.passed ? "pass" : "fail";
}

/** base64 of a UTF-8 string (SVG text carries non-ASCII: "–", "≤"). */
function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** The chart as an image source: the SVG is never put into the DOM as markup. */
export function chartSrc(c: KpiChart): string {
  return `data:image/svg+xml;base64,${base64Utf8(c.svg)}`;
}

/** The tickets behind a chart, as inbox filters with an honest description. */
export interface Drill {
  filters: Filters;
  label: string;
}

/**
 * The inbox filters behind a chart, or null for charts not made of tickets
 * (satisfaction, adoption, exit criteria). The inbox filters on the last
 * update, not on creation: the label says so.
 */
export function chartDrill(chartId: string, from: string, to: string): Drill | null {
  const inPeriod = { ...emptyFilters(), updatedFrom: from, updatedTo: to };
  switch (chartId) {
    case "incident_trend":
    case "reopen_first_time_fix":
      return { filters: inPeriod, label: `Tickets updated ${from} – ${to}` };
    case "backlog_burndown":
      return { filters: { ...emptyFilters(), status: "open" }, label: "Open tickets (today's backlog)" };
    case "time_to_resolve":
      return { filters: { ...inPeriod, status: "resolved" }, label: `Resolved tickets updated ${from} – ${to}` };
    default:
      return null;
  }
}
