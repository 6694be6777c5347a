import type { Source } from "../bindings/Source";
import type { SyncStatus } from "../bindings/SyncStatus";

/** The sync status before the shell reports one. */
export const IDLE_STATUS: SyncStatus = {
  running: false,
  online: true,
  last_attempt_at: null,
  last_success_at: null,
  last_error: null,
  next_attempt_at: null,
};

/** Which banner the shell shows above the content. */
export type Banner = "offline" | "sync-error" | "demo" | null;

/**
 * Offline wins over a sync error (the server could not be reached at all);
 * the demo banner shows only while no server source exists.
 */
export function bannerFor(status: SyncStatus, serverCount: number, demoDismissed: boolean): Banner {
  if (serverCount > 0) {
    if (!status.online) return "offline";
    if (status.last_error && !status.running) return "sync-error";
    return null;
  }
  return demoDismissed ? null : "demo";
}

/**
 * The shell's status, made consistent with the servers' own last results
 * (`sources`, demo excluded): once no server's last sync failed — the
 * failing one was removed, or synced alone since — an old failure no
 * longer shows as offline or as a sync error.
 */
export function overallStatus(status: SyncStatus, servers: readonly Source[]): SyncStatus {
  if (status.running || servers.length === 0) return status;
  if (servers.some((s) => s.last_sync_status === "failed")) return status;
  if (status.online && !status.last_error) return status;
  return { ...status, online: true, last_error: null };
}

/** The servers whose last sync failed (the status bar counts them). */
export function failedServers(servers: readonly Source[]): Source[] {
  return servers.filter((s) => s.last_sync_status === "failed");
}
