// An in-memory Backend for tests (and for working on the UI in a browser).
// It records the queries it receives so tests can assert them.
import type { ExportedReport } from "../bindings/ExportedReport";
import type { IpcError } from "../bindings/IpcError";
import type { ChartPoints } from "../bindings/ChartPoints";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { KpiTicketSelector } from "../bindings/KpiTicketSelector";
import type { PriorityMatrix } from "../bindings/PriorityMatrix";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { QueueItem } from "../bindings/QueueItem";
import type { RefineStatus } from "../bindings/RefineStatus";
import type { Source } from "../bindings/Source";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { TicketQuery } from "../bindings/TicketQuery";
import type { TicketSummary } from "../bindings/TicketSummary";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import type { ThemeView } from "../bindings/ThemeView";
import type { TicketTriage } from "../bindings/TicketTriage";
import type { CategoryPushItem } from "../bindings/CategoryPushItem";
import type { CategoryPushStatus } from "../bindings/CategoryPushStatus";
import { CATEGORIES, IMPACTS, label, priorityOf, URGENCIES, type Urgency } from "../lib/triage";
import type { Validation } from "../bindings/Validation";
import type { ValidationInput } from "../bindings/ValidationInput";
import { IDLE_STATUS } from "../lib/status";
import { defaultMatrix, fakeOutboxEntry, fakeTheme } from "./fakeTriage";
import { FakeSurveys } from "./fakeSurveys";
import { FakeRefine } from "./fakeRefine";
import type { FileLayout } from "../bindings/FileLayout";
import type { SurveyMapping } from "../bindings/SurveyMapping";
import type { Backend, TriageOverride } from "./types";

export { defaultMatrix, fakeOutboxEntry, fakeTheme, fakeTriage } from "./fakeTriage";
export { fakeSurveyPreview, FakeSurveys } from "./fakeSurveys";
export { fakeRefined, FakeRefine } from "./fakeRefine";

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

const DAY = 86_400_000;
export function fakeQueueItem(ticketId: number, title: string, extra: Partial<QueueItem> = {}): QueueItem {
  return {
    ticket_id: ticketId,
    source: "erp",
    key: `#${ticketId}`,
    title,
    status: "Resolved",
    priority: "Normal",
    process_area: "Bug",
    assignee: null,
    resolved_at: "2026-03-02T09:00:00Z",
    updated_at: "2026-03-02T09:00:00Z",
    waiting_days: 2,
    fix_notes: [],
    history: [],
    ...extra,
  };
}

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
  /** The filters kpiDashboard was asked for, in the same order. */
  dashboardFilters: (KpiFilter | null)[] = [];
  /** The exports asked for. */
  exports: [string | null, string | null, string | null][] = [];
  /** The filters the exports were asked for. */
  exportFilters: (KpiFilter | null)[] = [];
  /** Ticket ids behind KPI chart points, by `pointKey`; a query with `kpi` lists exactly these. */
  pointTickets = new Map<string, number[]>();
  triage: TicketTriage[] = [];
  /** Every override received, in order. */
  overrides: { ticketId: number; o: TriageOverride }[] = [];
  matrix: PriorityMatrix = defaultMatrix();
  themeList: (ThemeView & { dates: string[] })[] = [];
  /** "today" for before/after counts. */
  today = "2026-11-09";
  /** Fixes awaiting validation. */
  queue: QueueItem[] = [];
  validations: Validation[] = [];
  outboxRows: OutboxEntry[] = [];
  /** The inputs recordValidation received. */
  recorded: ValidationInput[] = [];
  /** While true, pushOutbox cannot reach the server (rows stay pending). */
  serverDown = false;
  /** Where each source writes confirmed categories (absent: nowhere). The triage tickets belong to "erp". */
  categoryTargets: Record<string, string> = {};
  /** Survey files, mappings and imports (see fakeSurveys.ts). */
  surveys = new FakeSurveys();
  /** The background triage refinement (see fakeRefine.ts). */
  refine = new FakeRefine();
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
    const behind = query.kpi ? (this.pointTickets.get(pointKey(query.kpi)) ?? []) : null;
    return this.tickets
      .filter((t) => behind === null || behind.includes(t.id))
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

  async triageQueue() {
    this.guard();
    return this.triage.map((t) => ({ ...t }));
  }

  async runTriage() {
    this.guard();
    return {
      tickets: this.triage.length,
      survey_comments: 0,
      corrections_used: this.overrides.length,
      themes: this.themeList.length,
      pending: 0,
    };
  }

  async setTriageOverride(ticketId: number, o: TriageOverride) {
    this.guard();
    const t = this.triage.find((x) => x.ticket_id === ticketId);
    if (!t) throw { code: "not_found", message: `ticket ${ticketId} is not in the store` } satisfies IpcError;
    if (!o.category && !o.impact && !o.urgency) throw { code: "invalid_input", message: "nothing to set" } satisfies IpcError;
    this.overrides.push({ ticketId, o: { ...o } });
    if (o.category) {
      t.category_overridden = t.category_overridden || o.category !== t.category;
      t.category = o.category;
    }
    if (o.impact) t.impact = o.impact;
    if (o.urgency) t.urgency = o.urgency;
    const cat = CATEGORIES.find((c) => c === t.category) ?? "major_bug";
    const imp = IMPACTS.find((i) => i === t.impact) ?? "team";
    const urg = URGENCIES.find((u) => u === t.urgency) ?? ("medium" as Urgency);
    const p = priorityOf(this.matrix, cat, imp, urg);
    t.priority = p;
    return { priority: p, category_push: o.category ? this.queueCategory(t, cat) : null };
  }

  /** As the core: queued in the outbox when "erp" has a place for categories. */
  private queueCategory(t: TicketTriage, c: string): CategoryPushStatus {
    const field = this.categoryTargets["erp"];
    if (!field) {
      return {
        queued: false,
        outbox_id: null,
        target: null,
        value: null,
        reason: 'source "erp" has no place for categories: the category is kept here only',
      };
    }
    const now = "2026-03-04T10:00:00Z";
    for (const r of this.outboxRows) {
      if (r.kind === "category" && r.ticket_key === t.key && ["pending", "rejected", "conflict"].includes(r.state)) {
        r.state = "discarded";
        r.last_error = "replaced by a later confirmation";
      }
    }
    const row = fakeOutboxEntry(this.outboxRows.length + 1, "category", t.key, label(c), now, { target_field: field });
    this.outboxRows.push(row);
    const target = field === "issue_category" ? "the issue category" : `custom field #${field.split(":")[1]}`;
    return { queued: true, outbox_id: row.id, target, value: row.detail, reason: null };
  }

  async categoryPushTarget(source: string) {
    this.guard();
    return this.categoryTargets[source] ?? null;
  }

  async setCategoryPushTarget(source: string, target: string | null) {
    this.guard();
    if (target && !/^(issue_category|custom_field:[1-9][0-9]*)$/.test(target)) {
      throw { code: "invalid_input", message: `"${target}" is not a place: use issue_category or custom_field:ID` } satisfies IpcError;
    }
    if (target) this.categoryTargets[source] = target;
    else delete this.categoryTargets[source];
  }

  async priorityMatrix() {
    this.guard();
    return structuredClone(this.matrix);
  }

  async setPriorityMatrix(matrix: PriorityMatrix) {
    this.guard();
    this.matrix = structuredClone(matrix);
  }

  async themes() {
    this.guard();
    return this.themeList.map(({ dates: _d, ...t }) => structuredClone(t));
  }

  private theme(id: number) {
    const t = this.themeList.find((x) => x.id === id);
    if (!t) throw { code: "not_found", message: `theme ${id} does not exist` } satisfies IpcError;
    return t;
  }

  async renameTheme(theme: number, name: string) {
    this.guard();
    const t = this.theme(theme);
    if (!name.trim()) throw { code: "invalid_input", message: "a theme name cannot be empty" } satisfies IpcError;
    t.name = name.trim();
  }

  async mergeThemes(from: number, into: number) {
    this.guard();
    if (from === into) throw { code: "invalid_input", message: "cannot merge a theme into itself" } satisfies IpcError;
    const a = this.theme(from);
    const b = this.theme(into);
    b.dates = [...b.dates, ...a.dates].sort();
    b.count = b.dates.length;
    b.effects = [...b.effects, ...a.effects];
    this.themeList = this.themeList.filter((t) => t.id !== from);
  }

  async splitTheme(theme: number, _ticketIds: number[], name: string) {
    this.guard();
    this.theme(theme);
    const id = Math.max(0, ...this.themeList.map((t) => t.id)) + 1;
    this.themeList.push(fakeTheme(id, name, []));
    return id;
  }

  /** Before/after as the core counts them (`theme_view::effect_of`). */
  async markThemeTraining(theme: number, date: string, kind: "training" | "documentation", note: string) {
    this.guard();
    const t = this.theme(theme);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw { code: "invalid_input", message: `date "${date}" must be YYYY-MM-DD` } satisfies IpcError;
    const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / DAY;
    const first = [...t.dates].sort()[0] ?? date;
    const before = t.dates.filter((d) => d < date).length;
    const after = t.dates.filter((d) => d >= date && d <= this.today).length;
    const weeks_before = Math.max(Math.max(0, days(first, date)) / 7, 1 / 7);
    const weeks_after = Math.max(Math.max(0, days(date, this.today) + 1) / 7, 1 / 7);
    const marker_id = this.themeList.reduce((n, x) => n + x.effects.length, 0) + 1;
    t.effects.push({
      marker_id,
      kind,
      on: date,
      note,
      before,
      weeks_before,
      after,
      weeks_after,
      per_week_before: before / weeks_before,
      per_week_after: after / weeks_after,
    });
    return marker_id;
  }

  async kpiDashboard(from: string | null, to: string | null, filter: KpiFilter | null): Promise<KpiDashboard> {
    this.dashboardCalls.push([from, to]);
    this.dashboardFilters.push(filter);
    this.guard();
    if (from && to && from > to) {
      throw { code: "invalid_input", message: `the period starts (${from}) after it ends (${to})` } satisfies IpcError;
    }
    const f = filter ?? { sources: [], priorities: [], categories: [] };
    const unknown = f.sources.find((s) => !this.sources.some((x) => x.name === s));
    if (unknown !== undefined) {
      throw { code: "invalid_input", message: `no source named "${unknown}" to filter by` } satisfies IpcError;
    }
    const text = [f.sources.length ? `source ${f.sources.join(" or ")}` : "", f.priorities.join(" or "), f.categories.join(" or ")]
      .filter(Boolean)
      .join("; ");
    return { ...this.dashboard, from: from ?? this.dashboard.from, to: to ?? this.dashboard.to, filter: f, filter_text: text };
  }

  async exportReport(from: string | null, to: string | null, outDir: string | null, filter: KpiFilter | null): Promise<ExportedReport> {
    this.exports.push([from, to, outDir]);
    this.exportFilters.push(filter);
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

  private async survey<T>(f: (s: FakeSurveys) => T): Promise<T> {
    this.guard();
    return f(this.surveys);
  }
  chooseSurveyFile = async () => this.surveys.chosen;
  previewSurvey = (path: string, _e: string, layout: FileLayout | null) => this.survey((s) => s.preview(path, layout));
  surveyMappings = () => this.survey((s) => [...s.mappings.keys()].sort());
  surveyMapping = (name: string) => this.survey((s) => s.mapping(name));
  saveSurveyMapping = (name: string, m: SurveyMapping) => this.survey((s) => s.save(name, m));
  importSurveyFile = (path: string, m: string, skip: boolean) => this.survey((s) => s.import(path, m, skip));

  refineStatus = async () => ({ ...this.refine.status });
  onRefineStatus = async (handler: (s: RefineStatus) => void) => this.refine.subscribe(handler);

  /** Test helper: fire the tickets-changed event. */
  emitTicketsChanged(source = "demo"): void {
    for (const h of this.changed) h({ source });
  }

  /** Test helper: fire the sync-status event. */
  emitSyncStatus(s: SyncStatus): void {
    for (const h of this.status) h(s);
  }

  async validationQueue() {
    this.guard();
    return { items: this.queue, count: this.queue.length };
  }

  async recordValidation(input: ValidationInput) {
    this.recorded.push(input);
    this.guard();
    const item = this.queue.find((q) => q.ticket_id === input.ticket_id);
    if (!item) throw { code: "not_found", message: `no ticket with id ${input.ticket_id}` } satisfies IpcError;
    const missing = input.evidence.find((p) => p.startsWith("/missing"));
    if (missing) throw { code: "invalid_input", message: `evidence file ${missing} cannot be read` } satisfies IpcError;
    const id = this.validations.length + 1;
    const now = "2026-03-04T10:00:00Z";
    const v: Validation = {
      id,
      uuid: `uuid-${id}`,
      ticket_id: item.ticket_id,
      ticket_key: item.key,
      round: this.validations.filter((x) => x.ticket_id === item.ticket_id).length + 1,
      outcome: input.outcome,
      steps: input.steps,
      environment: input.environment,
      test_data: input.test_data,
      notes: input.notes,
      validator: "tester",
      recorded_at: now,
      supersedes: input.supersedes,
      superseded_by: null,
      evidence: input.evidence.map((p, i) => ({ id: i + 1, file_name: p.split("/").pop() ?? p, media_type: "application/octet-stream", size: 1, sha256: "" })),
      push_state: "pending",
    };
    this.validations.push(v);
    const row = (kind: OutboxEntry["kind"], detail: string | null): OutboxEntry =>
      fakeOutboxEntry(this.outboxRows.length + 1, kind, v.ticket_key, detail, now, {
        validation_id: id,
        validation_uuid: v.uuid,
        outcome: v.outcome,
      });
    this.outboxRows.push(row("comment", null));
    for (const e of v.evidence) this.outboxRows.push(row("attachment", e.file_name));
    const target = { passed: "Closed", failed: "In Progress", blocked: null }[v.outcome];
    if (target) this.outboxRows.push(row("transition", target));
    if (v.outcome !== "blocked") this.queue = this.queue.filter((q) => q.ticket_id !== item.ticket_id);
    return v;
  }

  async validationHistory(ticketId: number) {
    this.guard();
    return this.validations.filter((v) => v.ticket_id === ticketId);
  }

  async outbox(all: boolean) {
    this.guard();
    return this.outboxRows.filter((r) => all || ["pending", "rejected", "conflict"].includes(r.state));
  }

  async pushOutbox(force: boolean) {
    this.guard();
    const categories: CategoryPushItem[] = [];
    const report = { items: [], categories, sent: 0, rejected: 0, conflicts: 0, pending: 0, stopped: [] as string[] };
    for (const r of this.outboxRows) {
      if (r.state === "conflict" && force) r.state = "pending";
      if (r.state !== "pending") continue;
      if (this.serverDown) {
        r.attempts++;
        r.last_error = "cannot reach http://127.0.0.1:3302: connection refused";
        report.pending++;
      } else {
        r.state = "sent";
        r.last_error = null;
        report.sent++;
      }
      if (r.kind === "category") {
        categories.push({ outbox_id: r.id, ticket_key: r.ticket_key, value: r.detail ?? "", state: r.state, message: r.last_error });
      }
    }
    if (this.serverDown) report.stopped.push("erp: cannot reach http://127.0.0.1:3302");
    return report;
  }

  async retryOutbox(validationId: number, _force: boolean) {
    this.guard();
    let n = 0;
    for (const r of this.outboxRows) {
      if (r.validation_id === validationId && (r.state === "rejected" || r.state === "conflict")) {
        r.state = "pending";
        n++;
      }
    }
    return n;
  }

  async discardOutbox(validationId: number) {
    this.guard();
    let n = 0;
    for (const r of this.outboxRows) {
      if (r.validation_id === validationId && ["pending", "rejected", "conflict"].includes(r.state)) {
        r.state = "discarded";
        r.last_error = "discarded by the user";
        n++;
      }
    }
    return n;
  }

  private categoryRow(outboxId: number): OutboxEntry {
    const r = this.outboxRows.find((x) => x.id === outboxId && x.kind === "category");
    if (!r) throw { code: "not_found", message: `no category write ${outboxId}` } satisfies IpcError;
    return r;
  }

  async retryCategoryPush(outboxId: number) {
    this.guard();
    const r = this.categoryRow(outboxId);
    if (r.state !== "rejected" && r.state !== "conflict") return 0;
    r.state = "pending";
    return 1;
  }

  async discardCategoryPush(outboxId: number) {
    this.guard();
    const r = this.categoryRow(outboxId);
    if (!["pending", "rejected", "conflict"].includes(r.state)) return 0;
    r.state = "discarded";
    r.last_error = "discarded by the user";
    return 1;
  }
}
