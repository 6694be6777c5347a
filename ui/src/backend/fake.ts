// An in-memory Backend for tests (and for working on the UI in a browser).
// It records the queries it receives so tests can assert them.
import type { ExportedReport } from "../bindings/ExportedReport";
import type { IpcError } from "../bindings/IpcError";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { Source } from "../bindings/Source";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { TicketQuery } from "../bindings/TicketQuery";
import type { TicketSummary } from "../bindings/TicketSummary";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import { IDLE_STATUS } from "../lib/status";
import type { Backend } from "./types";

export function fakeTicket(id: number, title: string, extra: Partial<TicketSummary> = {}): TicketSummary {
  return {
    id,
    source: "demo",
    remote_id: String(id),
    key: `#${id}`,
    title,
    status: "New",
    status_class: "open",
    priority: "Normal",
    tracker: "Bug",
    category: null,
    assignee: null,
    reporter: null,
    created_at: "2026-03-02T09:00:00Z",
    updated_at: "2026-03-02T09:00:00Z",
    resolved_at: null,
    comment_count: 0,
    deleted: false,
    ...extra,
  };
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
      { id: "incident_trend", title: "Incident volume by priority", svg: svg("Incident volume") },
      { id: "backlog_burndown", title: "Backlog burn-down", svg: svg("Backlog") },
      { id: "csat_nps", title: "Satisfaction: CSAT and NPS", svg: svg("CSAT") },
    ],
    empty: false,
    ...extra,
  };
}

export class FakeBackend implements Backend {
  tickets: TicketSummary[] = [];
  sources: Source[] = [];
  queries: TicketQuery[] = [];
  /** Set to make the next calls fail with this error. */
  failWith: IpcError | null = null;
  /** Progress the next startSync reports. */
  progress: SyncProgress[] = [];
  /** What kpiDashboard returns (its from/to follow the request when given). */
  dashboard: KpiDashboard = fakeDashboard();
  /** The periods kpiDashboard was asked for. */
  dashboardCalls: [string | null, string | null][] = [];
  /** The exports asked for. */
  exports: [string | null, string | null, string | null][] = [];
  private changed: ((e: TicketsChanged) => void)[] = [];
  private status: ((s: SyncStatus) => void)[] = [];

  constructor(tickets: TicketSummary[] = []) {
    this.tickets = tickets;
  }

  private guard(): void {
    if (this.failWith) throw this.failWith;
  }

  async openWorkspace() {
    this.guard();
    return {
      data_dir: "/tmp/fake",
      log_dir: "/tmp/fake/logs",
      sources: this.sources,
      demo_loaded: false,
      demo_error: null,
      credential_store_problem: null,
      sync: IDLE_STATUS,
    };
  }

  async queryTickets(query: TicketQuery) {
    this.queries.push(query);
    this.guard();
    const words = (query.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    return this.tickets
      .filter((t) => words.every((w) => t.title.toLowerCase().includes(w.replace(/\*$/, ""))))
      .filter((t) => query.status_class === null || t.status_class === query.status_class)
      .filter((t) => query.priority === null || t.priority === query.priority)
      .slice(0, query.limit ?? 200);
  }

  async ticketDetail(id: number) {
    this.guard();
    const summary = this.tickets.find((t) => t.id === id);
    if (!summary) throw { code: "not_found", message: `no ticket ${id}` } satisfies IpcError;
    return { summary, description: "", url: null, comments: [], status_history: [] };
  }

  async ticketFacets() {
    this.guard();
    const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
    return {
      priorities: uniq(this.tickets.map((t) => t.priority)),
      assignees: uniq(this.tickets.map((t) => t.assignee)),
      sources: uniq(this.tickets.map((t) => t.source)),
    };
  }

  async listSources() {
    this.guard();
    return this.sources;
  }

  async testConnection() {
    this.guard();
    return { project_name: "ERP rollout", ticket_count: 42 };
  }

  async addSource(input: { name: string; server: { url: string; project: string } }) {
    this.guard();
    const source: Source = {
      id: this.sources.length + 1,
      name: input.name,
      kind: "redmine",
      url: input.server.url,
      project: input.server.project,
      token_env: null,
      last_sync_at: null,
      last_sync_status: null,
      last_sync_error: null,
    };
    this.sources.push(source);
    return { source, token_storage: { kind: "os_credential_store" as const } };
  }

  async removeSource(name: string) {
    this.guard();
    this.sources = this.sources.filter((s) => s.name !== name);
  }

  async setSourceToken(name: string, token: string) {
    this.guard();
    if (!this.sources.some((s) => s.name === name)) throw { code: "not_found", message: `no source ${name}` };
    if (!token.trim()) throw { code: "invalid_input", message: "the API token is empty" };
    return { kind: "os_credential_store" as const };
  }

  async startSync(_source: string | null, onProgress: (p: SyncProgress) => void) {
    this.guard();
    for (const p of this.progress) onProgress(p);
    return [];
  }

  async syncStatus() {
    return IDLE_STATUS;
  }

  async onTicketsChanged(handler: (e: TicketsChanged) => void) {
    this.changed.push(handler);
    return () => {
      this.changed = this.changed.filter((h) => h !== handler);
    };
  }

  async onSyncStatus(handler: (s: SyncStatus) => void) {
    this.status.push(handler);
    return () => {
      this.status = this.status.filter((h) => h !== handler);
    };
  }

  async kpiDashboard(from: string | null, to: string | null): Promise<KpiDashboard> {
    this.dashboardCalls.push([from, to]);
    this.guard();
    if (from && to && from > to) {
      throw { code: "invalid_input", message: `the period starts (${from}) after it ends (${to})` } satisfies IpcError;
    }
    return { ...this.dashboard, from: from ?? this.dashboard.from, to: to ?? this.dashboard.to };
  }

  async exportReport(from: string | null, to: string | null, outDir: string | null): Promise<ExportedReport> {
    this.exports.push([from, to, outDir]);
    this.guard();
    const dir = outDir ?? `/tmp/fake/reports/${from ?? this.dashboard.from}_${to ?? this.dashboard.to}`;
    return {
      dir,
      html: `${dir}/report.html`,
      pdf: `${dir}/report.pdf`,
      json: `${dir}/kpis.json`,
      pngs: this.dashboard.charts.map((c) => `${dir}/${c.id}.png`),
    };
  }

  /** Test helper: fire the tickets-changed event. */
  emitTicketsChanged(source = "demo"): void {
    for (const h of this.changed) h({ source });
  }

  /** Test helper: fire the sync-status event. */
  emitSyncStatus(s: SyncStatus): void {
    for (const h of this.status) h(s);
  }
}
