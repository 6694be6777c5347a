// The UI's view of the shell. Everything outside src/backend/ talks to this
// interface; tests hand in a fake (src/backend/fake.ts).
import type { SourceFields } from "../bindings/SourceFields";
import type { AddedSource } from "../bindings/AddedSource";
import type { Category } from "../bindings/Category";
import type { ConflictChoice } from "../bindings/ConflictChoice";
import type { ConflictResolved } from "../bindings/ConflictResolved";
import type { Confirmed } from "../bindings/Confirmed";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { Impact } from "../bindings/Impact";
import type { OutboxEntry } from "../bindings/OutboxEntry";
import type { PushReport } from "../bindings/PushReport";
import type { QueueFilter } from "../bindings/QueueFilter";
import type { RefineStatus } from "../bindings/RefineStatus";
import type { ExportedReport } from "../bindings/ExportedReport";
import type { FileLayout } from "../bindings/FileLayout";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { ChartTheme } from "../bindings/ChartTheme";
import type { KpiSettingChange } from "../bindings/KpiSettingChange";
import type { KpiSettingsForm } from "../bindings/KpiSettingsForm";
import type { MigrationProgress } from "../bindings/MigrationProgress";
import type { NewSourceInput } from "../bindings/NewSourceInput";
import type { PriorityMatrix } from "../bindings/PriorityMatrix";
import type { ServerInput } from "../bindings/ServerInput";
import type { Source } from "../bindings/Source";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { SyncSummary } from "../bindings/SyncSummary";
import type { SurveyMapping } from "../bindings/SurveyMapping";
import type { SurveyPreview } from "../bindings/SurveyPreview";
import type { TicketDetail } from "../bindings/TicketDetail";
import type { TicketFacets } from "../bindings/TicketFacets";
import type { TicketQuery } from "../bindings/TicketQuery";
import type { TicketSummary } from "../bindings/TicketSummary";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import type { ThemeExample } from "../bindings/ThemeExample";
import type { ThemeView } from "../bindings/ThemeView";
import type { TicketTriage } from "../bindings/TicketTriage";
import type { CommentTriage } from "../bindings/CommentTriage";
import type { TriageRun } from "../bindings/TriageRun";
import type { Urgency } from "../bindings/Urgency";
import type { TokenStorage } from "../bindings/TokenStorage";
import type { Validation } from "../bindings/Validation";
import type { ValidationInput } from "../bindings/ValidationInput";
import type { DraftInput } from "../bindings/DraftInput";
import type { ValidationDraft } from "../bindings/ValidationDraft";
import type { ValidationQueue } from "../bindings/ValidationQueue";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";

/** A triage override: the fields given replace the automatic result. */
export interface TriageOverride {
  category?: Category | null;
  impact?: Impact | null;
  urgency?: Urgency | null;
}

/** Stops a subscription. */
export type Unsubscribe = () => void;

/** The longest a close waits for the UI to write what is pending (a validation draft). */
export const CLOSE_WAIT_MS = 2000;

/**
 * Every call the UI makes. Calls reject with an `IpcError` (`{code, message}`);
 * `toIpcError` in lib/errors.ts normalises anything else.
 */
export interface Backend {
  /**
   * Open the workspace: resolves once its store is open (upgraded first when
   * an older build wrote it; each migration's progress goes to `onProgress`),
   * rejects with why it cannot be opened (`store` on the IpcError).
   */
  openWorkspace(onProgress: (p: MigrationProgress) => void): Promise<WorkspaceInfo>;
  queryTickets(query: TicketQuery): Promise<TicketSummary[]>;
  /** How many tickets `query` matches in all, whatever its page. */
  countTickets(query: TicketQuery): Promise<number>;
  ticketDetail(id: number): Promise<TicketDetail>;
  ticketFacets(): Promise<TicketFacets>;
  listSources(): Promise<Source[]>;
  testConnection(server: ServerInput): Promise<ConnectionInfo>;
  addSource(input: NewSourceInput): Promise<AddedSource>;
  removeSource(name: string): Promise<void>;
  /** Replace a source's API token; says where it is kept. */
  setSourceToken(name: string, token: string): Promise<TokenStorage>;
  /** Sync one source (or all server sources with `null`); resolves when done. */
  startSync(source: string | null, onProgress: (p: SyncProgress) => void): Promise<SyncSummary[]>;
  syncStatus(): Promise<SyncStatus>;
  /** Batched: fires at most every ~750 ms while a sync writes tickets. */
  onTicketsChanged(handler: (e: TicketsChanged) => void): Promise<Unsubscribe>;
  onSyncStatus(handler: (s: SyncStatus) => void): Promise<Unsubscribe>;
  /**
   * Run `handler` when the user closes the window (close button, Alt+F4);
   * the window closes once it settles, or after `CLOSE_WAIT_MS` at most.
   */
  onCloseRequested(handler: () => Promise<void>): Promise<Unsubscribe>;
  /** Every triaged ticket, highest priority first. */
  triageQueue(): Promise<TicketTriage[]>;
  /** Triage every ticket again and recompute the themes (texts without an embedding on words); the refinement follows in the background. */
  runTriage(): Promise<TriageRun>;
  /** The background refinement (the language model embedding texts triaged on words). */
  refineStatus(): Promise<RefineStatus>;
  /** Fires at each step of a refinement pass. */
  onRefineStatus(handler: (s: RefineStatus) => void): Promise<Unsubscribe>;
  /**
   * Save a ticket's category/impact/urgency; resolves to the new priority
   * and whether the category waits in the outbox for the server.
   */
  setTriageOverride(ticketId: number, o: TriageOverride): Promise<Confirmed>;
  /** Every imported survey comment with its category, least certain first. */
  commentTriageQueue(): Promise<CommentTriage[]>;
  /** Correct a survey comment's category (kept across re-runs, learned from). */
  setCommentCategory(responseId: number, category: Category): Promise<void>;
  /** The custom fields a source's synced tickets carry, and which hold impact, urgency and satisfaction. */
  sourceFields(source: string): Promise<SourceFields>;
  /** Choose those fields (null: none), all at once; refused whole if one field would hold two. */
  setSourceFields(source: string, choice: { impact: number | null; urgency: number | null; csat: number | null }): Promise<SourceFields>;
  /** Where a source writes confirmed categories: "issue_category", "custom_field:ID", or null. */
  categoryPushTarget(source: string): Promise<string | null>;
  /** Set (null: remove) where a source writes confirmed categories. */
  setCategoryPushTarget(source: string, target: string | null): Promise<void>;
  priorityMatrix(): Promise<PriorityMatrix>;
  /** Store a changed matrix; every priority is recomputed. */
  setPriorityMatrix(matrix: PriorityMatrix): Promise<void>;
  /** Active themes, biggest first. */
  themes(): Promise<ThemeView[]>;
  renameTheme(theme: number, name: string): Promise<void>;
  mergeThemes(from: number, into: number): Promise<void>;
  /** Undo the merge of `theme`; returns the theme it had gone into. */
  unmergeTheme(theme: number): Promise<number>;
  /** Every ticket of a theme, oldest first, then its survey comments (a split picks from these). */
  themeItems(theme: number): Promise<ThemeExample[]>;
  /** Move tickets and survey comments (response ids) out of `theme` into a new theme; returns its id. */
  splitTheme(theme: number, ticketIds: number[], commentIds: number[], name: string): Promise<number>;
  /** Mark a theme addressed by training/documentation on `date` (YYYY-MM-DD, not in the future). */
  markThemeTraining(theme: number, date: string, kind: "training" | "documentation", note: string): Promise<number>;
  removeThemeTraining(marker: number): Promise<void>;
  /** Fixes awaiting validation, most urgent first, with their count. */
  validationQueue(filter: QueueFilter): Promise<ValidationQueue>;
  /** Record a validation; its server writes wait in the outbox. */
  recordValidation(input: ValidationInput): Promise<Validation>;
  /** A ticket's validation rounds, oldest first. */
  validationHistory(ticketId: number): Promise<Validation[]>;
  /** Every unsent validation draft, newest first. */
  validationDrafts(): Promise<ValidationDraft[]>;
  /** Keep what was typed for a ticket; null when the form is blank (the draft is deleted). */
  saveValidationDraft(draft: DraftInput): Promise<ValidationDraft | null>;
  /** Drop a ticket's draft; true when there was one. */
  discardValidationDraft(ticketId: number): Promise<boolean>;
  /** The outbox; `all` adds what was sent or discarded. */
  outbox(all: boolean): Promise<OutboxEntry[]>;
  /** Push every due write now (`force`: also the ones in conflict). */
  pushOutbox(force: boolean): Promise<PushReport>;
  /** Try a validation's rejected/conflicting writes again at the next push. */
  retryOutbox(validationId: number, force: boolean): Promise<number>;
  /** Drop a validation's unsent writes (nothing is deleted). */
  discardOutbox(validationId: number): Promise<number>;
  /** Try a rejected category write (outbox row id) again at the next push. */
  retryCategoryPush(outboxId: number): Promise<number>;
  /** Drop an unsent category write (nothing is deleted). */
  discardCategoryPush(outboxId: number): Promise<number>;
  /**
   * Answer a category write in conflict (someone else set another value on
   * the server): overwrite it at the next push, or keep the server's (the
   * local category then follows it, or is dropped when it is none of ours).
   */
  resolveCategoryConflict(outboxId: number, choice: ConflictChoice): Promise<ConflictResolved>;
  /**
   * KPIs and charts (SVG, with their points) for `from..=to` (`YYYY-MM-DD`;
   * null: the whole data window); the ticket KPIs over the tickets `filter` keeps;
   * the charts drawn for the UI's colour scheme `theme`.
   */
  kpiDashboard(from: string | null, to: string | null, filter: KpiFilter | null, theme: ChartTheme): Promise<KpiDashboard>;
  /** Every KPI setting with its value, default and unit, and the time zones to choose from. */
  kpiSettings(): Promise<KpiSettingsForm>;
  /**
   * Save `changes` all or nothing (an empty value restores the default); a
   * refused value rejects with `invalid_input` and `field` set to its key.
   */
  saveKpiSettings(changes: KpiSettingChange[]): Promise<KpiSettingsForm>;
  /** Write the report (HTML, PDF, PNGs, JSON); `outDir` null: the workspace's reports folder. */
  exportReport(from: string | null, to: string | null, outDir: string | null, filter: KpiFilter | null): Promise<ExportedReport>;
  /** The OS open-file dialog for a CSV export; null when cancelled. */
  chooseSurveyFile(): Promise<string | null>;
  /** The OS open-file dialog for validation evidence (several files); empty when cancelled. */
  chooseEvidenceFiles(): Promise<string[]>;
  /**
   * Columns, first rows and a guessed mapping of the export at `path` (`encoding`: "utf-8" or "latin1";
   * `layout`: the user's header lines and separator, null: guessed).
   */
  previewSurvey(path: string, encoding: string, layout: FileLayout | null): Promise<SurveyPreview>;
  /** Names of the saved survey mappings. */
  surveyMappings(): Promise<string[]>;
  surveyMapping(name: string): Promise<SurveyMapping>;
  /** Save (or replace) a named mapping; `invalid_input` without a timestamp or a score column. */
  saveSurveyMapping(name: string, mapping: SurveyMapping): Promise<void>;
  /** Import the file with a saved mapping: all-or-nothing unless `skipBadRows`; a file imported before is a `conflict`. */
  importSurveyFile(path: string, mapping: string, skipBadRows: boolean, encoding: string): Promise<ImportSummary>;
}
