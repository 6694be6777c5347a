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
