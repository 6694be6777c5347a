import { describe, expect, it } from "vitest";

import type { MigrationProgress } from "../bindings/MigrationProgress";
import { FakeBackend } from "../backend/fake";
import { bootView, type BootState, openWith } from "./boot";

function progress(over: Partial<MigrationProgress> = {}): MigrationProgress {
  return {
    step: 3,
    steps: 3,
    version: 101,
    name: "search_stems",
    title: "rebuilding the search index",
    phase: "started",
    elapsed_ms: 0,
    tickets: 100000,
    creating: false,
    ...over,
  };
}

describe("bootView", () => {
  it("says it is opening before any upgrade reports", () => {
    const v = bootView({ phase: "opening", progress: null });
    expect(v).toMatchObject({ title: "Opening workspace…", step: null, failed: false });
  });

  it("says a new workspace is being created, not upgraded", () => {
    const v = bootView({ phase: "opening", progress: progress({ step: 1, steps: 18, creating: true }) });
    expect(v).toMatchObject({ title: "Creating the workspace…", step: null, detail: null });
  });

  it("names the running migration, step k of n, its tickets and the time spent, never a percentage", () => {
    const started = bootView({ phase: "opening", progress: progress() });
    expect(started.title).toBe("Upgrading the workspace (one time)");
    expect(started.step).toBe("Rebuilding the search index — step 3 of 3");
    expect(started.detail).toBe("100,000 tickets");
    const working = bootView({ phase: "opening", progress: progress({ phase: "working", elapsed_ms: 4200 }) });
    expect(working.detail).toBe("100,000 tickets · 4 s so far");
    const other = bootView({ phase: "opening", progress: progress({ step: 1, title: "updating the tables", tickets: null, phase: "working", elapsed_ms: 300 }) });
    expect(other).toMatchObject({ step: "Updating the tables — step 1 of 3", detail: null });
    for (const v of [started, working, other]) expect(JSON.stringify(v)).not.toMatch(/%/);
  });

  it("says what to do for each reason a store cannot be opened, with the core's message naming the file", () => {
    const path = "/home/u/.local/share/hypercare/hypercare.sqlite3";
    const tooNew: BootState = {
      phase: "failed",
      error: { code: "internal", store: "too_new", message: `the store at ${path} was written by a newer Hypercare Desk (schema 120, this build knows 101); update the app` },
    };
    const v = bootView(tooNew);
    expect(v.failed).toBe(true);
    expect(v.title).toBe("This workspace was written by a newer Hypercare Desk");
    expect(v.note).toMatch(/^Update Hypercare Desk/);
    expect(v.message).toContain(path);
    const locked = bootView({ phase: "failed", error: { code: "internal", store: "locked", message: `cannot open the store ${path}: database is locked` } });
    expect(locked.title).toMatch(/Another program/);
    expect(bootView({ phase: "failed", error: { code: "internal", store: "not_a_store", message: "x" } }).note).toMatch(/backup/);
    expect(bootView({ phase: "failed", error: { code: "internal", store: "cannot_open", message: "x" } }).note).toMatch(/write to its folder/);
    for (const problem of ["too_new", "locked", "not_a_store", "cannot_open"] as const) {
      expect(bootView({ phase: "failed", error: { code: "internal", store: problem, message: "x" } }).note).toContain("The file was left as it is.");
    }
    expect(bootView({ phase: "failed", error: { code: "internal", message: "migration 0101_search_stems failed: disk I/O error" } }).title).toBe(
      "The workspace could not be opened",
    );
  });
});

describe("openWith", () => {
  it("goes from opening through each upgrade step to ready, and hands over the workspace", async () => {
    const backend = new FakeBackend();
    backend.bootProgress = [progress({ step: 1, steps: 2, title: "updating the tables", tickets: null }), progress({ step: 2, steps: 2 })];
    const states: BootState[] = [];
    const ws = await openWith(backend, (s) => states.push(s));
    expect(ws?.data_dir).toBe("/tmp/fake");
    expect(states.map((s) => (s.phase === "opening" ? `opening ${s.progress?.step ?? "-"}` : s.phase))).toEqual([
      "opening -",
      "opening 1",
      "opening 2",
      "ready",
    ]);
  });

  it("ends in the failed state, with why, when the store cannot be opened", async () => {
    const backend = new FakeBackend();
    backend.bootFailure = { code: "internal", store: "too_new", message: "the store at /w/h.sqlite3 was written by a newer Hypercare Desk (schema 120, this build knows 101); update the app" };
    const states: BootState[] = [];
    expect(await openWith(backend, (s) => states.push(s))).toBeNull();
    expect(states.at(-1)).toEqual({ phase: "failed", error: backend.bootFailure });
  });
});
