// What the window shows while the workspace opens: "Opening workspace…",
// the one-time upgrade with the core's real progress (which migration, k of
// n, the tickets it works through, the time spent — never a guessed
// percentage), or why it could not be opened and what to do.
import type { IpcError } from "../bindings/IpcError";
import type { MigrationProgress } from "../bindings/MigrationProgress";
import type { StoreProblem } from "../bindings/StoreProblem";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";
import type { Backend } from "../backend/types";
import { toIpcError } from "./errors";

/** Where opening the workspace is. */
export type BootState =
  | { phase: "opening"; progress: MigrationProgress | null }
  | { phase: "failed"; error: IpcError }
  | { phase: "ready" };

export interface BootView {
  title: string;
  /** "Rebuilding the search index — step 3 of 3". */
  step: string | null;
  /** "100,000 tickets · 4 s so far". */
  detail: string | null;
  /** The core's message (it names the file), on failure. */
  message: string | null;
  /** What the user can do, or a calming word while it runs. */
  note: string | null;
  failed: boolean;
}

const count = new Intl.NumberFormat("en-US");

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The headline and the next step for a store that could not be opened. */
export function storeAdvice(problem: StoreProblem | undefined): { title: string; action: string } {
  const untouched = "The file was left as it is.";
  switch (problem) {
    case "too_new":
      return {
        title: "This workspace was written by a newer Hypercare Desk",
        action: `Update Hypercare Desk to open it. ${untouched}`,
      };
    case "locked":
      return {
        title: "Another program is using this workspace",
        action: `Close the other Hypercare Desk window (or the program holding the file), then start Hypercare Desk again. ${untouched}`,
      };
    case "not_a_store":
      return {
        title: "The workspace file is damaged or is not a Hypercare Desk workspace",
        action: `${untouched} Restore it from a backup, or move it out of its folder to start a new workspace.`,
      };
    case "cannot_open":
      return {
        title: "The workspace file cannot be opened",
        action: `Check that you may write to its folder and that the disk is not full, then start Hypercare Desk again. ${untouched}`,
      };
    default:
      return {
        title: "The workspace could not be opened",
        action: "Start Hypercare Desk again. If this happens again, send the log file to your support contact.",
      };
  }
}

export function bootView(state: BootState): BootView {
  switch (state.phase) {
    case "ready":
      return { title: "", step: null, detail: null, message: null, note: null, failed: false };
    case "failed": {
      const advice = storeAdvice(state.error.store);
      return { title: advice.title, step: null, detail: null, message: state.error.message, note: advice.action, failed: true };
    }
    case "opening": {
      const p = state.progress;
      if (p === null) {
        return { title: "Opening workspace…", step: null, detail: null, message: null, note: null, failed: false };
      }
      if (p.creating) {
        return { title: "Creating the workspace…", step: null, detail: null, message: null, note: null, failed: false };
      }
      const parts: string[] = [];
      if (p.tickets !== null) parts.push(`${count.format(p.tickets)} ${p.tickets === 1 ? "ticket" : "tickets"}`);
      const seconds = Math.floor(p.elapsed_ms / 1000);
      if (p.phase === "working" && seconds >= 1) parts.push(`${seconds} s so far`);
      return {
        title: "Upgrading the workspace (one time)",
        step: `${capitalize(p.title)} — step ${p.step} of ${p.steps}`,
        detail: parts.length ? parts.join(" · ") : null,
        message: null,
        note: "This happens once after an update. Your tickets stay as they are.",
        failed: false,
      };
    }
  }
}

/**
 * Open the workspace through `backend`, telling `set` each state: opening,
 * each upgrade step as the shell reports it, then ready (resolving to the
 * workspace) or failed (resolving to null).
 */
export async function openWith(backend: Backend, set: (s: BootState) => void): Promise<WorkspaceInfo | null> {
  set({ phase: "opening", progress: null });
  try {
    const ws = await backend.openWorkspace((progress) => set({ phase: "opening", progress }));
    set({ phase: "ready" });
    return ws;
  } catch (e) {
    set({ phase: "failed", error: toIpcError(e) });
    return null;
  }
}
