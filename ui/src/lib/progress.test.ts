import { describe, expect, it } from "vitest";

import { progressView } from "./progress";

describe("progressView", () => {
  it("shows a fraction when the server told the total, indeterminate otherwise", () => {
    expect(progressView({ phase: "page", source: "erp", pages: 2, tickets: 50, total: 200 }).fraction).toBe(0.25);
    expect(progressView({ phase: "page", source: "erp", pages: 2, tickets: 50, total: null }).fraction).toBeNull();
    expect(progressView({ phase: "started", source: "erp" }).fraction).toBeNull();
  });

  it("finishes with the counts", () => {
    const v = progressView({
      phase: "finished",
      summary: { source: "erp", fetched: 12, created: 10, updated: 2, deleted: 0, requests: 3, duration_ms: 800, triage_ms: 40, triage_pending: 0 },
    });
    expect(v.done).toBe(true);
    expect(v.label).toBe("Done: 12 fetched, 10 new, 2 updated, 0 deleted");
  });

  it("says how many changed tickets wait for the language model", () => {
    const v = progressView({
      phase: "finished",
      summary: { source: "erp", fetched: 12, created: 10, updated: 2, deleted: 0, requests: 3, duration_ms: 800, triage_ms: 40, triage_pending: 9 },
    });
    expect(v.label).toBe("Done: 12 fetched, 10 new, 2 updated, 0 deleted; 9 triaged on words, refined in the background");
  });
});
