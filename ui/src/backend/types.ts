// The UI's view of the shell. Everything outside src/backend/ talks to this
// interface; tests hand in a fake (src/backend/fake.ts).
import type { AddedSource } from "../bindings/AddedSource";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";
import type { ExportedReport } from "../bindings/ExportedReport";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { NewSourceInput } from "../bindings/NewSourceInput";
import type { ServerInput } from "../bindings/ServerInput";
import type { Source } from "../bindings/Source";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { SyncSummary } from "../bindings/SyncSummary";
import type { TicketDetail } from "../bindings/TicketDetail";
import type { TicketFacets } from "../bindings/TicketFacets";
import type { TicketQuery } from "../bindings/TicketQuery";
import type { TicketSummary } from "../bindings/TicketSummary";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import type { TokenStorage } from "../bindings/TokenStorage";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";

/** Stops a subscription. */
export type Unsubscribe = () => void;

/**
 * Every call the UI makes. Calls reject with an `IpcError` (`{code, message}`);
 * `toIpcError` in lib/errors.ts normalises anything else.
 */
export interface Backend {
  openWorkspace(): Promise<WorkspaceInfo>;
  queryTickets(query: TicketQuery): Promise<TicketSummary[]>;
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
  /** KPIs and charts (SVG) for `from..=to` (`YYYY-MM-DD`; null: the whole data window). */
  kpiDashboard(from: string | null, to: string | null): Promise<KpiDashboard>;
  /** Write the report (HTML, PDF, PNGs, JSON); `outDir` null: the workspace's reports folder. */
  exportReport(from: string | null, to: string | null, outDir: string | null): Promise<ExportedReport>;
}
