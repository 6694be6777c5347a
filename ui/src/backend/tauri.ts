// The ONLY module that imports @tauri-apps/api: the Backend over Tauri IPC.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { open } from "@tauri-apps/plugin-dialog";

import type { MigrationProgress } from "../bindings/MigrationProgress";
import type { RefineStatus } from "../bindings/RefineStatus";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { TicketsChanged } from "../bindings/TicketsChanged";
import { type Backend, CLOSE_WAIT_MS } from "./types";

export function tauriBackend(): Backend {
  return {
    openWorkspace: (onProgress) => {
      const channel = new Channel<MigrationProgress>();
      channel.onmessage = onProgress;
      return invoke("open_workspace", { onProgress: channel });
    },
    queryTickets: (query) => invoke("query_tickets", { query }),
    countTickets: (query) => invoke("count_tickets", { query }),
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
    kpiDashboard: (from, to, filter, theme) => invoke("kpi_dashboard", { from, to, filter, theme }),
    kpiSettings: () => invoke("kpi_settings"),
    saveKpiSettings: (changes) => invoke("save_kpi_settings", { changes }),
    exportReport: (from, to, outDir, filter) => invoke("export_report", { from, to, outDir, filter }),
    chooseSurveyFile: async () => {
      const picked = await open({ multiple: false, directory: false, filters: [{ name: "CSV export", extensions: ["csv", "txt"] }] });
      return typeof picked === "string" ? picked : null;
    },
    chooseEvidenceFiles: async () => {
      const picked = await open({ multiple: true, directory: false });
      return Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    },
    previewSurvey: (path, encoding, layout) => invoke("preview_survey", { path, encoding, layout }),
    surveyMappings: () => invoke("survey_mappings"),
    surveyMapping: (name) => invoke("survey_mapping", { name }),
    saveSurveyMapping: (name, mapping) => invoke("save_survey_mapping", { name, mapping }),
    importSurveyFile: (path, mapping, skipBadRows, encoding) => invoke("import_survey_file", { path, mapping, skipBadRows, encoding }),
    // While a handler listens, Tauri holds the close; the API destroys the
    // window once the handler returns (core:window:allow-destroy).
    onCloseRequested: (handler) =>
      getCurrentWindow().onCloseRequested(async () => {
        await Promise.race([handler().catch(() => {}), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS))]);
      }),
    onSyncStatus: (handler) => listen<SyncStatus>("sync-status", (e) => handler(e.payload)),
    triageQueue: () => invoke("triage_queue"),
    runTriage: () => invoke("run_triage"),
    refineStatus: () => invoke("refine_status"),
    onRefineStatus: (handler) => listen<RefineStatus>("triage-refine", (e) => handler(e.payload)),
    setTriageOverride: (ticketId, o) =>
      invoke("set_triage_override", {
        ticketId,
        category: o.category ?? null,
        impact: o.impact ?? null,
        urgency: o.urgency ?? null,
      }),
    commentTriageQueue: () => invoke("comment_triage_queue"),
    setCommentCategory: (responseId, category) => invoke("set_comment_category", { responseId, category }),
    sourceFields: (source) => invoke("source_fields", { source }),
    setSourceFields: (source, choice) => invoke("set_source_fields", { source, ...choice }),
    categoryPushTarget: (source) => invoke("category_push_target", { source }),
    setCategoryPushTarget: (source, target) => invoke("set_category_push_target", { source, target }),
    priorityMatrix: () => invoke("priority_matrix"),
    setPriorityMatrix: (matrix) => invoke("set_priority_matrix", { matrix }),
    themes: () => invoke("themes"),
    renameTheme: (theme, name) => invoke("rename_theme", { theme, name }),
    mergeThemes: (from, into) => invoke("merge_themes", { from, into }),
    unmergeTheme: (theme) => invoke("unmerge_theme", { theme }),
    themeItems: (theme) => invoke("theme_items", { theme }),
    splitTheme: (theme, ticketIds, commentIds, name) => invoke("split_theme", { theme, ticketIds, commentIds, name }),
    markThemeTraining: (theme, date, kind, note) => invoke("mark_theme_training", { theme, date, kind, note }),
    removeThemeTraining: (marker) => invoke("remove_theme_training", { marker }),
    validationQueue: (filter) => invoke("validation_queue", { filter }),
    recordValidation: (input) => invoke("record_validation", { input }),
    validationHistory: (ticketId) => invoke("validation_history", { ticketId }),
    validationDrafts: () => invoke("validation_drafts"),
    saveValidationDraft: (draft) => invoke("save_validation_draft", { draft }),
    discardValidationDraft: (ticketId) => invoke("discard_validation_draft", { ticketId }),
    outbox: (all) => invoke("outbox", { all }),
    pushOutbox: (force) => invoke("push_outbox_now", { force }),
    retryOutbox: (validationId, force) => invoke("retry_outbox", { validationId, force }),
    discardOutbox: (validationId) => invoke("discard_outbox", { validationId }),
    retryCategoryPush: (outboxId) => invoke("retry_category_push", { outboxId }),
    discardCategoryPush: (outboxId) => invoke("discard_category_push", { outboxId }),
    resolveCategoryConflict: (outboxId, choice) => invoke("resolve_category_conflict", { outboxId, choice }),
  };
}
