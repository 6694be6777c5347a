// The ONLY module that imports @tauri-apps/api: the Backend over Tauri IPC.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import type { Backend } from "./types";

export function tauriBackend(): Backend {
  return {
    openWorkspace: () => invoke("open_workspace"),
    queryTickets: (query) => invoke("query_tickets", { query }),
    ticketDetail: (id) => invoke("ticket_detail", { id }),
    ticketFacets: () => invoke("ticket_facets"),
    listSources: () => invoke("list_sources"),
    testConnection: (server) => invoke("test_connection", { server }),
    addSource: (input) => invoke("add_source", { input }),
    removeSource: (name) => invoke("remove_source", { name }),
    setSourceToken: (name, token) => invoke("set_source_token", { name, token }),
    startSync: (source, onProgress) => {
      const channel = new Channel<SyncProgress>();
      channel.onmessage = onProgress;
      return invoke("start_sync", { source, onProgress: channel });
    },
    syncStatus: () => invoke("sync_status"),
    onTicketsChanged: (handler) => listen<TicketsChanged>("tickets-changed", (e) => handler(e.payload)),
    kpiDashboard: (from, to) => invoke("kpi_dashboard", { from, to }),
    exportReport: (from, to, outDir) => invoke("export_report", { from, to, outDir }),
    onSyncStatus: (handler) => listen<SyncStatus>("sync-status", (e) => handler(e.payload)),
  };
}
