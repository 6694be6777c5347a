// What the status area shows about the background triage refinement (the
// language model embedding the texts a sync or the demo triaged on words).
import type { RefineStatus } from "../bindings/RefineStatus";

export interface RefineView {
  /** "Refining triage with the language model: 120 / 3,000 texts". */
  label: string;
  /** "2,880 texts left", or null when nothing is counted. */
  left: string | null;
  /** 0..1, or null for an indeterminate bar. */
  fraction: number | null;
  /** More about the state (why the model is missing), for a tooltip; null when nothing more. */
  detail: string | null;
  /** "off": the language model is not installed, triage runs on words only. */
  state: "running" | "done" | "paused" | "error" | "off";
}

/** What the status area says when the language model is not installed. */
export const MODEL_MISSING = "Triage runs on words only: the language model is not installed.";
/** How to install it. */
export const MODEL_INSTALL = "To install it, run scripts/setup.sh, then restart Hypercare Desk.";

const num = new Intl.NumberFormat("en-US");

/** The view of a refinement status; null when there is nothing to show (idle, nothing was waiting). */
export function refineView(s: RefineStatus): RefineView | null {
  if (s.error) {
    return { label: `Refining triage failed: ${s.error.message}`, left: null, fraction: null, detail: null, state: "error" };
  }
  if (!s.model) {
    return { label: MODEL_MISSING, left: MODEL_INSTALL, fraction: null, detail: s.model_problem, state: "off" };
  }
  const p = s.progress;
  if (p === null) return null;
  const counting = (done: number, total: number): RefineView => ({
    label: `Refining triage with the language model: ${num.format(done)} / ${num.format(total)} texts`,
    left: `${num.format(total - done)} texts left`,
    fraction: total > 0 ? Math.min(1, done / total) : null,
    detail: null,
    state: "running",
  });
  switch (p.phase) {
    case "started":
      return p.total > 0 ? counting(0, p.total) : null;
    case "embedded":
      return counting(p.done, p.total);
    case "themes":
      return { label: "Updating themes with the refined triage…", left: null, fraction: null, detail: null, state: "running" };
    case "finished": {
      const r = p.summary;
      if (!r.model || r.total === 0) return null;
      if (r.cancelled) {
        return {
          label: `Triage refinement paused at ${num.format(r.embedded)} / ${num.format(r.total)} texts`,
          left: `${num.format(r.total - r.embedded)} texts left (it resumes on the next start)`,
          fraction: r.total > 0 ? r.embedded / r.total : null,
          detail: null,
          state: "paused",
        };
      }
      return { label: `Triage refined with the language model (${num.format(r.embedded)} texts)`, left: null, fraction: 1, detail: null, state: "done" };
    }
  }
}
