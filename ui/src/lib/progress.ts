// What the sync progress bar shows for each progress message.
import type { SyncProgress } from "../bindings/SyncProgress";

export interface ProgressView {
  label: string;
  /** 0..1, or null while the total is unknown (an indeterminate bar). */
  fraction: number | null;
  done: boolean;
}

export function progressView(p: SyncProgress | null): ProgressView {
  if (p === null) return { label: "Waiting to start…", fraction: null, done: false };
  switch (p.phase) {
    case "started":
      return { label: `Connecting to ${p.source}…`, fraction: null, done: false };
    case "page": {
      const fraction = p.total ? Math.min(1, p.tickets / p.total) : null;
      const of = p.total ? ` of ${p.total}` : "";
      return { label: `Fetched ${p.tickets}${of} tickets`, fraction, done: false };
    }
    case "census":
      return { label: `Checking for deleted tickets (${p.checked} checked)`, fraction: null, done: false };
    case "finished": {
      const s = p.summary;
      const refining = s.triage_pending > 0 ? `; ${s.triage_pending} triaged on words, refined in the background` : "";
      return {
        label: `Done: ${s.fetched} fetched, ${s.created} new, ${s.updated} updated, ${s.deleted} deleted${refining}`,
        fraction: 1,
        done: true,
      };
    }
  }
}
