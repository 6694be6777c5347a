// An in-memory Backend for tests (and for working on the UI in a browser).
// It records the queries it receives so tests can assert them.
import type { SeenField } from "../bindings/SeenField";
import type { SourceFields } from "../bindings/SourceFields";
import type { ExportedReport } from "../bindings/ExportedReport";
import type { IpcError } from "../bindings/IpcError";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { ChartTheme } from "../bindings/ChartTheme";
import type { KpiSettingChange } from "../bindings/KpiSettingChange";
import type { KpiSettingsForm } from "../bindings/KpiSettingsForm";
import type { MigrationProgress } from "../bindings/MigrationProgress";
import { applySettings, fakeSettingsForm } from "./fake/kpiSettings";
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
import type { TicketTriage } from "../bindings/TicketTriage";
import type { CategoryPushStatus } from "../bindings/CategoryPushStatus";
import type { ConflictChoice } from "../bindings/ConflictChoice";
import { CATEGORIES, IMPACTS, label, priorityOf, URGENCIES, type Urgency } from "../lib/triage";
import type { Validation } from "../bindings/Validation";
import type { ValidationInput } from "../bindings/ValidationInput";
import type { DraftInput } from "../bindings/DraftInput";
import type { ValidationDraft } from "../bindings/ValidationDraft";
import { IDLE_STATUS } from "../lib/status";
import { defaultMatrix, fakeOutboxEntry } from "./fakeTriage";
import { fakeDashboard, pointKey } from "./fake/kpi";
import * as outbox from "./fake/outbox";
import { FakeSurveys } from "./fakeSurveys";
import { FakeComments } from "./fakeComments";
import type { Category } from "../bindings/Category";
import { FakeRefine } from "./fakeRefine";
import type { FileLayout } from "../bindings/FileLayout";
import type { SurveyMapping } from "../bindings/SurveyMapping";
import type { Backend, TriageOverride } from "./types";
import * as themesFake from "./fake/themes";
import type { FakeTheme, FakeThemeState } from "./fake/themes";

export { defaultMatrix, fakeOutboxEntry, fakeTheme, fakeTriage } from "./fakeTriage";
export { fakeSurveyPreview, FakeSurveys } from "./fakeSurveys";
export { fakeComment, FakeComments } from "./fakeComments";
export { fakeQueueItem, fakeTicket } from "./fake/fixtures";
export { fakeBacklogPoints, fakeDashboard, pointKey } from "./fake/kpi";
export { FAKE_TIMEZONES, fakeSettingsForm } from "./fake/kpiSettings";
export { fakeRefined, FakeRefine } from "./fakeRefine";


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
  /** The chart themes kpiDashboard was asked for, in the same order. */
  dashboardThemes: ChartTheme[] = [];
  /** The KPI settings as stored; `saveKpiSettings` changes them all or nothing. */
  settingsForm: KpiSettingsForm = fakeSettingsForm();
  /** Every saveKpiSettings call, in order. */
  settingsSaves: KpiSettingChange[][] = [];
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
  themeList: FakeTheme[] = [];
  /** Merged themes kept for an undo. */
  mergedThemes: FakeThemeState["mergedThemes"] = [];
  /** "today" for before/after counts (their windows end at the data's last day, at most this). */
  today = "2026-11-09";
  /** Fixes awaiting validation. */
  queue: QueueItem[] = [];
  validations: Validation[] = [];
  outboxRows: OutboxEntry[] = [];
  /** Unsent validation drafts, newest first. */
  drafts: ValidationDraft[] = [];
  /** The drafts saveValidationDraft received. */
  draftSaves: DraftInput[] = [];
  /** The inputs recordValidation received. */
  recorded: ValidationInput[] = [];
  /** While true, pushOutbox cannot reach the server (rows stay pending). */
  serverDown = false;
  /** Categories someone else set on the server since the confirmation, by ticket key. */
  serverCategories: Record<string, string> = {};
  /** Where each source writes confirmed categories (absent: nowhere). The triage tickets belong to "erp". */
  categoryTargets: Record<string, string> = {};
  /** Custom fields seen on each source's tickets, and the choice made. */
  seenFields: Record<string, SeenField[]> = {};
  /** Sources whose server sends a custom field only when asked (Jira). */
  fieldsOnRequest: string[] = [];
  fieldChoices: Record<string, { impact: number | null; urgency: number | null; csat: number | null }> = {};
  /** Survey files, mappings and imports (see fakeSurveys.ts). */
  surveys = new FakeSurveys();
  comments = new FakeComments();
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

  /** Migration progress openWorkspace reports before it resolves (an upgrade). */
  bootProgress: MigrationProgress[] = [];
  /** Why the store cannot be opened: openWorkspace rejects with it. */
  bootFailure: IpcError | null = null;

  async openWorkspace(onProgress: (p: MigrationProgress) => void = () => {}) {
    for (const p of this.bootProgress) onProgress(p);
    if (this.bootFailure) throw this.bootFailure;
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
    return this.matching(query).slice(0, query.limit ?? 200);
  }

  /** Calls of countTickets, for tests. */
  counts: TicketQuery[] = [];
  async countTickets(query: TicketQuery) {
    this.counts.push(query);
    this.guard();
    return this.matching(query).length;
  }

  private matching(query: TicketQuery) {
    const words = (query.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    const behind = query.kpi ? (this.pointTickets.get(pointKey(query.kpi)) ?? []) : null;
    return this.tickets
      .filter((t) => behind === null || behind.includes(t.id))
      .filter((t) => words.every((w) => t.title.toLowerCase().includes(w.replace(/\*$/, ""))))
      .filter((t) => query.status_class === null || t.status_class === query.status_class)
      .filter((t) => query.priority === null || t.priority === query.priority);
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

  async testConnection(server?: { kind?: Source["kind"] }) {
    this.guard();
    if (server?.kind === "service_now") return { project_name: "Incident", ticket_count: 42 };
    // Jira's search has no total: the real connector reports no count.
    return { project_name: "ERP rollout", ticket_count: server?.kind === "jira" ? null : 42 };
  }

  async addSource(input: { name: string; server: { kind?: Source["kind"]; url: string; project: string } }) {
    this.guard();
    const source: Source = {
      id: this.sources.length + 1,
      name: input.name,
      kind: input.server.kind ?? "redmine",
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

  private closing: (() => Promise<void>)[] = [];
  async onCloseRequested(handler: () => Promise<void>) {
    this.closing.push(handler);
    return () => {
      this.closing = this.closing.filter((h) => h !== handler);
    };
  }
  /** The user closes the window: every close handler runs to its end. */
  async requestClose() {
    await Promise.all(this.closing.map((h) => h()));
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
    // As the core: a given value is the user's (even when it equals the model's, kept in suggested_*).
    if (o.category) [t.category, t.category_overridden] = [o.category, true];
    if (o.impact) [t.impact, t.impact_overridden] = [o.impact, true];
    if (o.urgency) [t.urgency, t.urgency_overridden] = [o.urgency, true];
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
    const target =
      field === "issue_category"
        ? "the issue category"
        : field.startsWith("field:")
          ? `field ${field.slice(6)}`
          : `custom field #${field.split(":")[1]}`;
    return { queued: true, outbox_id: row.id, target, value: row.detail, reason: null };
  }

  async sourceFields(source: string): Promise<SourceFields> {
    this.guard();
    const chosen = this.fieldChoices[source] ?? { impact: null, urgency: null, csat: null };
    return {
      source,
      seen: this.seenFields[source] ?? [],
      sampled: this.triage.length,
      impact_field: chosen.impact,
      urgency_field: chosen.urgency,
      csat_field: chosen.csat,
      on_request: this.fieldsOnRequest.includes(source),
    };
  }

  async setSourceFields(source: string, choice: { impact: number | null; urgency: number | null; csat: number | null }) {
    this.guard();
    const ids = [choice.impact, choice.urgency, choice.csat].filter((x) => x !== null);
    const twice = ids.find((x, i) => ids.indexOf(x) !== i);
    if (twice !== undefined) {
      throw { code: "invalid_input", message: `custom field #${twice} cannot hold two things: choose another field for one of them` } satisfies IpcError;
    }
    this.fieldChoices[source] = { ...choice };
    return this.sourceFields(source);
  }

  async categoryPushTarget(source: string) {
    this.guard();
    return this.categoryTargets[source] ?? null;
  }

  async setCategoryPushTarget(source: string, target: string | null) {
    this.guard();
    if (target && !/^(issue_category|custom_field:[1-9][0-9]*|field:[a-z][a-z0-9_]*)$/.test(target)) {
      throw { code: "invalid_input", message: `"${target}" is not a place: use issue_category, custom_field:ID or field:NAME` } satisfies IpcError;
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
    return themesFake.themes(this);
  }

  async renameTheme(theme: number, name: string) {
    this.guard();
    themesFake.renameTheme(this, theme, name);
  }

  async mergeThemes(from: number, into: number) {
    this.guard();
    themesFake.mergeThemes(this, from, into);
  }

  async unmergeTheme(theme: number) {
    this.guard();
    return themesFake.unmergeTheme(this, theme);
  }

  async themeItems(theme: number) {
    this.guard();
    return themesFake.themeItems(this, theme);
  }

  async splitTheme(theme: number, ticketIds: number[], commentIds: number[], name: string) {
    this.guard();
    return themesFake.splitTheme(this, theme, ticketIds, commentIds, name);
  }

  async markThemeTraining(theme: number, date: string, kind: "training" | "documentation", note: string) {
    this.guard();
    return themesFake.markThemeTraining(this, theme, date, kind, note);
  }

  async removeThemeTraining(marker: number) {
    this.guard();
    themesFake.removeThemeTraining(this, marker);
  }

  async kpiDashboard(from: string | null, to: string | null, filter: KpiFilter | null, theme: ChartTheme): Promise<KpiDashboard> {
    this.dashboardCalls.push([from, to]);
    this.dashboardFilters.push(filter);
    this.dashboardThemes.push(theme);
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

  async kpiSettings(): Promise<KpiSettingsForm> {
    this.guard();
    return structuredClone(this.settingsForm);
  }

  async saveKpiSettings(changes: KpiSettingChange[]): Promise<KpiSettingsForm> {
    this.settingsSaves.push(changes);
    this.guard();
    this.settingsForm = applySettings(this.settingsForm, changes);
    return structuredClone(this.settingsForm);
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
  /** What the fake's evidence dialog returns (the test sets it). */
  evidenceChosen: string[] = [];
  chooseEvidenceFiles = async () => [...this.evidenceChosen];
  commentTriageQueue = async () => (this.guard(), this.comments.list());
  setCommentCategory = async (responseId: number, category: Category) => (this.guard(), this.comments.set(responseId, category));
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
    return outbox.validationQueue(this);
  }

  async recordValidation(input: ValidationInput) {
    this.recorded.push(input);
    this.guard();
    return outbox.recordValidation(this, input);
  }

  async validationHistory(ticketId: number) {
    this.guard();
    return outbox.validationHistory(this, ticketId);
  }

  async validationDrafts() {
    this.guard();
    return [...this.drafts];
  }

  async saveValidationDraft(draft: DraftInput) {
    this.draftSaves.push(draft);
    this.guard();
    return outbox.saveDraft(this, draft, `2026-03-04T10:0${this.draftSaves.length % 10}:00Z`);
  }

  async discardValidationDraft(ticketId: number) {
    this.guard();
    return outbox.discardDraft(this, ticketId);
  }

  async outbox(all: boolean) {
    this.guard();
    return outbox.outbox(this, all);
  }

  async pushOutbox(force: boolean) {
    this.guard();
    return outbox.pushOutbox(this, force);
  }

  async retryOutbox(validationId: number, _force: boolean) {
    this.guard();
    return outbox.retryOutbox(this, validationId);
  }

  async discardOutbox(validationId: number) {
    this.guard();
    return outbox.discardOutbox(this, validationId);
  }

  async retryCategoryPush(outboxId: number) {
    this.guard();
    return outbox.retryCategoryPush(this, outboxId);
  }

  async resolveCategoryConflict(outboxId: number, choice: ConflictChoice) {
    this.guard();
    return outbox.resolveCategoryConflict(this, outboxId, choice);
  }

  async discardCategoryPush(outboxId: number) {
    this.guard();
    return outbox.discardCategoryPush(this, outboxId);
  }
}
