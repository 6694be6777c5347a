import { describe, expect, it } from "vitest";

import { FakeBackend } from "../backend/fake";
import { fakeRefined } from "../backend/fakeRefine";
import type { RefineStatus } from "../bindings/RefineStatus";
import { refineView } from "./refine";

const status = (progress: RefineStatus["progress"], error: RefineStatus["error"] = null): RefineStatus => ({
  running: progress !== null && progress.phase !== "finished",
  progress,
  error,
  model: true,
  model_problem: null,
});

describe("refineView", () => {
  it("counts texts with the number left, as the status area shows them", () => {
    const v = refineView(status({ phase: "embedded", done: 120, total: 3000 }));
    expect(v?.label).toBe("Refining triage with the language model: 120 / 3,000 texts");
    expect(v?.left).toBe("2,880 texts left");
    expect(v?.fraction).toBe(0.04);
    expect(v?.state).toBe("running");
  });

  it("shows nothing when idle, without the model, or when nothing waited", () => {
    expect(refineView(status(null))).toBeNull();
    expect(refineView(status({ phase: "started", total: 0 }))).toBeNull();
    expect(refineView(status({ phase: "finished", summary: fakeRefined({ model: false }) }))).toBeNull();
    expect(refineView(status({ phase: "finished", summary: fakeRefined({ total: 0 }) }))).toBeNull();
  });

  it("says plainly that triage runs on words only without the model, and how to install it, instead of a waiting count", async () => {
    const b = new FakeBackend();
    b.refine.withoutModel();
    // What the shell reports at start, and after a pass that found no model.
    for (const s of [await b.refineStatus(), { ...(await b.refineStatus()), progress: { phase: "finished" as const, summary: fakeRefined({ model: false }) } }]) {
      const v = refineView(s);
      expect(v?.state).toBe("off");
      expect(v?.label).toBe("Triage runs on words only: the language model is not installed.");
      expect(v?.left).toBe("To install it, run scripts/setup.sh, then restart Hypercare Desk.");
      expect(v?.detail).toContain("has no model.safetensors");
      expect(v?.fraction).toBeNull();
      expect(`${v?.label} ${v?.left}`).not.toMatch(/waiting|texts left/);
    }
  });

  it("says a pass stopped by quitting resumes, and a failure what failed", () => {
    const paused = refineView(status({ phase: "finished", summary: fakeRefined({ total: 3000, embedded: 1024, cancelled: true }) }));
    expect(paused?.state).toBe("paused");
    expect(paused?.left).toBe("1,976 texts left (it resumes on the next start)");
    const failed = refineView(status(null, { code: "internal", message: "disk full" }));
    expect(failed?.state).toBe("error");
    expect(failed?.label).toContain("disk full");
  });

  it("follows a pass reported by the backend's events up to the total", async () => {
    const b = new FakeBackend();
    const seen: string[] = [];
    const fractions: (number | null)[] = [];
    const stop = await b.onRefineStatus((s) => {
      const v = refineView(s);
      if (v) {
        seen.push(v.left ?? v.label);
        fractions.push(v.fraction);
      }
    });
    b.refine.emitPass(3000, 1024);
    expect(seen).toEqual([
      "3,000 texts left",
      "1,976 texts left",
      "952 texts left",
      "0 texts left",
      "Updating themes with the refined triage…",
      "Triage refined with the language model (3,000 texts)",
    ]);
    expect(fractions.filter((f) => f !== null)).toEqual([0, 1024 / 3000, 2048 / 3000, 1, 1]);
    expect((await b.refineStatus()).running).toBe(false);
    stop();
    b.refine.emitPass(10, 10);
    expect(seen).toHaveLength(6);
  });
});
