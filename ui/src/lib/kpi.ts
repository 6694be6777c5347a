// The KPI dashboard's logic as plain functions: periods, the ticket filter
// and its persistence, tile states, the chart images, the hit areas over
// them and the inbox filters behind a point.
import type { Category } from "../bindings/Category";
import type { ChartBucket } from "../bindings/ChartBucket";
import type { ChartPoint } from "../bindings/ChartPoint";
import type { ChartPoints } from "../bindings/ChartPoints";
import type { KpiChart } from "../bindings/KpiChart";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { KpiPriority } from "../bindings/KpiPriority";
import type { KpiTile } from "../bindings/KpiTile";
import { CATEGORY_LABELS, emptyFilters, type Filters } from "./filters";

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
  if (from !== "" && to !== "" && from > to) {
    return `The period starts after it ends: "From" (${from}) is after "To" (${to}). Swap the two days or clear one.`;
  }
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
export function chartSrc(c: Pick<KpiChart, "svg"> & Partial<KpiChart>): string {
  return `data:image/svg+xml;base64,${base64Utf8(c.svg)}`;
}

/** The tickets behind a chart point, as inbox filters with an honest description. */
export interface Drill {
  filters: Filters;
  label: string;
}

/**
 * The inbox filters that list the tickets behind `point` (exactly those the
 * core counted: the query is the point's own), or null when no tickets are
 * behind it (survey answers, usage, validations, a zero).
 */
export function pointDrill(chartTitle: string, bucket: ChartBucket, point: ChartPoint): Drill | null {
  if (!point.query || !point.tickets) return null;
  const n = point.tickets;
  const what = point.note ?? `${n} ticket${n === 1 ? "" : "s"}`;
  return {
    filters: { ...emptyFilters(), kpi: point.query },
    label: `${chartTitle}, ${bucket.label}, ${point.series}: ${what}`,
  };
}

/** Position and size of a bucket's hit area over the image, in % of the image. */
export interface HitArea {
  left: number;
  width: number;
  top: number;
  height: number;
}

/** Where each bucket of `p` is over the chart image (which scales with its tile). */
export function hitAreas(p: ChartPoints): HitArea[] {
  const plot = p.plot;
  if (!plot || p.width <= 0 || p.height <= 0) return [];
  const top = (plot.top / p.height) * 100;
  const height = ((plot.bottom - plot.top) / p.height) * 100;
  return p.buckets.map((b) => ({
    left: (b.x0 / p.width) * 100,
    width: ((b.x1 - b.x0) / p.width) * 100,
    top,
    height,
  }));
}

/** What a key does to the focused bucket of a chart (roving focus). */
export function moveBucket(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowRight":
    case "ArrowDown":
      return Math.min(index + 1, count - 1);
    case "ArrowLeft":
    case "ArrowUp":
      return Math.max(index - 1, 0);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** A bucket read aloud: "Oct 08: P1 0, All open 2". */
export function bucketLabel(b: ChartBucket): string {
  return `${b.label}: ${b.points.map((p) => `${p.series} ${p.display}`).join(", ")}`;
}

// ---- The dashboard's filter ----

export const KPI_PRIORITIES: KpiPriority[] = ["P1", "P2", "P3", "P4", "Unset"];

export function emptyKpiFilter(): KpiFilter {
  return { sources: [], priorities: [], categories: [] };
}

/** The filter with `value` added to or removed from `field`, in a stable order. */
export function toggleFilter<K extends keyof KpiFilter>(f: KpiFilter, field: K, value: KpiFilter[K][number]): KpiFilter {
  const list = f[field] as KpiFilter[K][number][];
  const next = list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
  const order: readonly string[] =
    field === "priorities" ? KPI_PRIORITIES : field === "categories" ? Object.keys(CATEGORY_LABELS) : [];
  if (order.length > 0) next.sort((a, b) => order.indexOf(a as string) - order.indexOf(b as string));
  return { ...f, [field]: next };
}

export function filterCount(f: KpiFilter): number {
  return f.sources.length + f.priorities.length + f.categories.length;
}

/** What a chart says about the filter: nothing when none is set or it fully applies. */
export function filterNote(f: KpiFilter, p: ChartPoints): string | null {
  if (filterCount(f) === 0) return null;
  return p.filter_note;
}

// ---- The dashboard's choices, kept across visits ----

export interface DashboardPrefs {
  preset: Preset | "custom";
  period: PeriodChoice;
  filter: KpiFilter;
}

export function defaultPrefs(): DashboardPrefs {
  return { preset: "all", period: { from: null, to: null }, filter: emptyKpiFilter() };
}

/** Where the choices are kept (the webview's localStorage in the app). */
export interface PrefsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFS_KEY = "hypercare.dashboard";
let memoryPrefs: DashboardPrefs | null = null;

/** The last choices (this session's, else the stored ones), or the defaults; never throws. */
export function loadPrefs(storage: PrefsStorage | null): DashboardPrefs {
  if (memoryPrefs) return memoryPrefs;
  try {
    const raw = storage?.getItem(PREFS_KEY);
    if (raw) {
      const v = JSON.parse(raw) as Partial<DashboardPrefs>;
      const f = v.filter ?? emptyKpiFilter();
      const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s) => typeof s === "string") : []);
      return {
        preset: v.preset ?? "all",
        period: { from: v.period?.from ?? null, to: v.period?.to ?? null },
        filter: {
          sources: strings(f.sources),
          priorities: strings(f.priorities).filter((p): p is KpiPriority => KPI_PRIORITIES.includes(p as KpiPriority)),
          categories: strings(f.categories).filter((c): c is Category => c in CATEGORY_LABELS),
        },
      };
    }
  } catch {
    // A damaged entry is no reason to fail: start from the defaults.
  }
  return defaultPrefs();
}

/** Remember the choices for this session and, when possible, for the next. */
export function savePrefs(storage: PrefsStorage | null, prefs: DashboardPrefs): void {
  memoryPrefs = prefs;
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or unavailable: the session still remembers.
  }
}

/** Tests only: forget this session's choices. */
export function resetSessionPrefs(): void {
  memoryPrefs = null;
}
