// The fake's background triage refinement (kept apart from fake.ts so each
// file stays small): the status the shell would report, and its events.
import type { RefineProgress } from "../bindings/RefineProgress";
import type { RefineStatus } from "../bindings/RefineStatus";
import type { Refined } from "../bindings/Refined";

/** A finished pass's summary (every field settable). */
export function fakeRefined(extra: Partial<Refined> = {}): Refined {
  return {
    model: true,
    total: 0,
    embedded: 0,
    tickets: 0,
    comments: 0,
    themes: "unchanged",
    cancelled: false,
    model_ms: 0,
    ms: 0,
    ...extra,
  };
}

/** The refinement as the fake backend serves it. */
export class FakeRefine {
  status: RefineStatus = { running: false, progress: null, error: null, model: true, model_problem: null };
  private listeners: ((s: RefineStatus) => void)[] = [];

  subscribe(handler: (s: RefineStatus) => void): () => void {
    this.listeners.push(handler);
    return () => {
      this.listeners = this.listeners.filter((h) => h !== handler);
    };
  }

  /** Test helper: the shell reports a step (`running` follows the phase). */
  emit(progress: RefineProgress | null, error: RefineStatus["error"] = null): void {
    const running = error === null && progress !== null && progress.phase !== "finished";
    this.status = { ...this.status, running, progress, error };
    for (const h of this.listeners) h({ ...this.status });
  }

  /** Test helper: the language model is not installed (`problem` says why), as the shell reports it. */
  withoutModel(problem = "/app/.tools/models/all-minilm-l6-v2 has no model.safetensors; run scripts/setup.sh"): void {
    this.status = { ...this.status, model: false, model_problem: problem };
    for (const h of this.listeners) h({ ...this.status });
  }

  /** Test helper: a whole pass over `total` texts in batches of `batch`. */
  emitPass(total: number, batch: number): void {
    this.emit({ phase: "started", total });
    for (let done = Math.min(batch, total); ; done = Math.min(done + batch, total)) {
      this.emit({ phase: "embedded", done, total });
      if (done >= total) break;
    }
    this.emit({ phase: "themes" });
    this.emit({ phase: "finished", summary: fakeRefined({ total, embedded: total, tickets: total }) });
  }
}
