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
