// KPI dashboards and chart points as the shell sends them, for tests.
import type { ChartPoints } from "../../bindings/ChartPoints";
import type { KpiDashboard } from "../../bindings/KpiDashboard";
import type { KpiFilter } from "../../bindings/KpiFilter";
import type { KpiTicketSelector } from "../../bindings/KpiTicketSelector";

/** The key under which `FakeBackend.pointTickets` holds the tickets behind a point. */
export function pointKey(sel: KpiTicketSelector): string {
  return `${sel.measure} ${sel.from} ${sel.priority ?? "all"}`;
}

/**
 * Points of a backlog chart over two days (Oct 11, Oct 12) drawn in a
 * 900×540 image: "P1" and "All open" per day; the P1 point of Oct 12 is zero.
 */
export function fakeBacklogPoints(filter: KpiFilter = { sources: [], priorities: [], categories: [] }): ChartPoints {
  const scope = { from: "2026-09-01", to: "2026-10-12", timezone: "Europe/Berlin", as_of: "2026-10-13T08:00:00Z", filter };
  const day = (label: string, from: string, to: string, x0: number, p1: number, all: number) => {
    const sel = (priority: "P1" | null): KpiTicketSelector => ({ measure: "open_at_end", from, to, priority, scope });
    const point = (series: string, n: number, priority: "P1" | null) => ({
      series,
      value: n,
      display: String(n),
      tickets: n,
      query: n > 0 ? sel(priority) : null,
      note: null,
    });
    return { label, from, to, x0, x1: x0 + 400, points: [point("P1", p1, "P1"), point("All open", all, null)] };
  };
  return {
    chart: "backlog_burndown",
    width: 900,
    height: 540,
    plot: { left: 90, top: 60, right: 890, bottom: 470 },
    buckets: [
      day("Oct 11", "2026-10-10T22:00:00Z", "2026-10-11T22:00:00Z", 90, 1, 3),
      day("Oct 12", "2026-10-11T22:00:00Z", "2026-10-12T22:00:00Z", 490, 0, 2),
    ],
    filter_applies: true,
    filter_note: null,
  };
}

function noPoints(chart: string, filterApplies: boolean, note: string | null): ChartPoints {
  return { chart, width: 900, height: 540, plot: null, buckets: [], filter_applies: filterApplies, filter_note: note };
}

/** A dashboard as the shell sends it: two headline values, one exit criterion per outcome, three charts. */
export function fakeDashboard(extra: Partial<KpiDashboard> = {}): KpiDashboard {
  const svg = (title: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="90" height="54"><text x="5" y="20">${title}</text></svg>`;
  const tile = (id: string, label: string, value: number | null, unit: string, display: string) => ({
    id, label, value, unit, display, definition: `${label}: how it is counted.`, threshold: null, requirement: null, passed: null,
  });
  return {
    from: "2026-09-01",
    to: "2026-10-12",
    timezone: "Europe/Berlin",
    filter: { sources: [], priorities: [], categories: [] },
    filter_text: "",
    headline: [
      tile("created", "Tickets created", 120, "tickets", "120"),
      tile("csat", "CSAT", 0.82, "share", "82.0 %"),
    ],
    exit_criteria: [
      { ...tile("sla_p1_p2", "P1/P2 within SLA", 0.97, "share", "97.0 %"), threshold: 0.95, requirement: "≥ 95.0 %", passed: true },
      { ...tile("backlog_p1_p2", "Open P1/P2", 3, "tickets", "3"), threshold: 0, requirement: "≤ 0", passed: false },
      { ...tile("nps", "NPS", null, "score", "no data"), threshold: 0, requirement: "≥ 0", passed: null },
    ],
    exit_passed: false,
    charts: [
      { id: "incident_trend", title: "Incident volume by priority", svg: svg("Incident volume"), points: noPoints("incident_trend", true, null) },
      { id: "backlog_burndown", title: "Backlog burn-down", svg: svg("Backlog"), points: fakeBacklogPoints() },
      {
        id: "csat_nps",
        title: "Satisfaction: CSAT and NPS",
        svg: svg("CSAT"),
        points: noPoints("csat_nps", false, "Survey answers are not tickets: the filter does not apply to them."),
      },
    ],
    empty: false,
    ...extra,
  };
}
