import { describe, expect, it } from "vitest";

import { FakeBackend, fakeTriage } from "../backend/fake";
import type { ThemeExample } from "../bindings/ThemeExample";
import { placeFromTarget, placesFor, saveCategoryPush, targetFromPlace } from "./sources";
import { countText, exampleOrigin, shownExamples } from "./themes";
import { pushNote, TriageSession } from "./triage";
import { conflictChoices, conflictNote, groupOutbox, outboxActions, targetLabel, unsentCount } from "./validation";

function backend() {
  const b = new FakeBackend();
  b.triage = [fakeTriage(1, "Cannot find the pick list", { category: "usability" }), fakeTriage(2, "How do I post a credit note?")];
  return b;
}

describe("confirming a category in the triage view", () => {
  it("says the category stays local when the source has no place for it, and queues nothing", async () => {
    const b = backend();
    const s = new TriageSession(await b.triageQueue());
    await s.confirm(b);
    expect(s.lastPush?.kind).toBe("local");
    expect(s.lastPush?.text).toContain("#1: category kept here only");
    expect(s.lastPush?.text).toContain("no place for categories");
    expect(await b.outbox(true)).toEqual([]);
  });

  it("says it will be pushed once the source has a place, and the Outbox lists it apart from validations", async () => {
    const b = backend();
    await b.setCategoryPushTarget("erp", "issue_category");
    const s = new TriageSession(await b.triageQueue());
    await s.confirm(b);
    expect(s.lastPush).toEqual({
      kind: "queued",
      text: '#1: category "Usability" will be pushed to the issue category — it waits in the Outbox until the next push.',
    });
    s.apply({ kind: "category", category: "training" });
    await s.confirm(b);
    const groups = groupOutbox(await b.outbox(false));
    expect(groups.map((g) => [g.kind, g.ticketKey, g.category, g.target, g.state])).toEqual([
      ["category", "#2", "Training need", "issue category", "pending"],
      ["category", "#1", "Usability", "issue category", "pending"],
    ]);
    expect(unsentCount(groups)).toBe(2);
  });

  it("a later confirmation of the same ticket replaces the unsent one", async () => {
    const b = backend();
    await b.setCategoryPushTarget("erp", "custom_field:7");
    await b.setTriageOverride(1, { category: "usability" });
    const last = await b.setTriageOverride(1, { category: "performance" });
    expect(last.category_push).toMatchObject({ queued: true, target: "custom field #7", value: "Performance" });
    const groups = groupOutbox(await b.outbox(true));
    expect(groups.map((g) => [g.category, g.target, g.state])).toEqual([
      ["Performance", "custom field #7", "pending"],
      ["Usability", "custom field #7", "discarded"],
    ]);
  });

  it("impact alone sends nothing and says nothing about the server", async () => {
    const b = backend();
    const done = await b.setTriageOverride(2, { impact: "team" });
    expect(done.category_push).toBeNull();
    expect(pushNote("#2", done.category_push)).toBeNull();
  });
});

describe("category writes in the Outbox", () => {
  it("stay pending while the server is down, are sent when it is back, and can be retried or discarded", async () => {
    const b = backend();
    await b.setCategoryPushTarget("erp", "issue_category");
    await b.setTriageOverride(1, { category: "usability" });
    b.serverDown = true;
    let report = await b.pushOutbox(false);
    expect([report.pending, report.categories.length]).toEqual([1, 1]);
    let [g] = groupOutbox(await b.outbox(false));
    expect([g.state, g.reason]).toEqual(["pending", "cannot reach http://127.0.0.1:3302: connection refused"]);
    b.serverDown = false;
    report = await b.pushOutbox(false);
    expect(report.categories.map((c) => [c.ticket_key, c.value, c.state])).toEqual([["#1", "Usability", "sent"]]);
    expect(await b.outbox(false)).toEqual([]);

    await b.setTriageOverride(2, { category: "data_issue" });
    [g] = groupOutbox(await b.outbox(false));
    b.outboxRows.find((r) => r.id === g.outboxId)!.state = "rejected";
    expect(outboxActions("rejected")).toEqual({ retry: true, discard: true });
    expect(await b.retryCategoryPush(g.outboxId!)).toBe(1);
    expect(await b.discardCategoryPush(g.outboxId!)).toBe(1);
    await expect(b.retryCategoryPush(999)).rejects.toMatchObject({ code: "not_found" });
  });

  it("names the place on the server", () => {
    expect(targetLabel("issue_category")).toBe("issue category");
    expect(targetLabel("custom_field:12")).toBe("custom field #12");
    expect(targetLabel(null)).toBeNull();
  });

  it("refuses a place that is not one", async () => {
    const b = backend();
    await expect(b.setCategoryPushTarget("erp", "tracker")).rejects.toMatchObject({ code: "invalid_input" });
    expect(await b.categoryPushTarget("erp")).toBeNull();
  });
});

describe("a category someone else changed on the server", () => {
  async function conflicted() {
    const b = backend();
    await b.setCategoryPushTarget("erp", "issue_category");
    await b.setTriageOverride(1, { category: "usability" });
    await b.setTriageOverride(2, { category: "usability" });
    b.serverCategories = { "#1": "Training need", "#2": "Hardware" };
    const report = await b.pushOutbox(false);
    expect([report.sent, report.conflicts]).toEqual([0, 2]);
    return b;
  }

  it("shows as a conflict naming both values, with the two choices and no plain retry", async () => {
    const b = await conflicted();
    const [g2, g1] = groupOutbox(await b.outbox(false));
    expect([g1.ticketKey, g1.state, g1.serverValue]).toEqual(["#1", "conflict", "Training need"]);
    expect(g1.reason).toContain('to "Training need" after you confirmed "Usability"');
    expect(conflictChoices(g1)).toEqual({ overwrite: "Overwrite with “Usability”", keepServer: "Keep the server's “Training need”" });
    expect(conflictChoices({ ...g2, serverValue: "" })?.keepServer).toBe("Keep the server's none");
    // Not for rows that are not category conflicts.
    expect(conflictChoices({ ...g1, state: "rejected" })).toBeNull();
    expect(conflictChoices({ ...g1, kind: "validation" })).toBeNull();
  });

  it("overwrite sends ours at the next push; keep-server sends nothing and the category follows the server", async () => {
    const b = await conflicted();
    const [g2, g1] = groupOutbox(await b.outbox(false));
    const over = await b.resolveCategoryConflict(g2.outboxId!, "overwrite");
    expect(conflictNote(over)).toBe("#2: “Usability” will overwrite the server's “Hardware” at the next push.");
    const report = await b.pushOutbox(false);
    expect(report.categories.map((c) => [c.ticket_key, c.state])).toEqual([["#2", "sent"]]);

    const kept = await b.resolveCategoryConflict(g1.outboxId!, "keep_server");
    expect(conflictNote(kept)).toBe("#1: kept the server's “Training need”; the category here is now Training need too.");
    expect((await b.triageQueue()).find((t) => t.key === "#1")?.category).toBe("training");
    expect(await b.outbox(false)).toEqual([]);
    expect((await b.pushOutbox(false)).categories).toEqual([]);
    await expect(b.resolveCategoryConflict(g1.outboxId!, "overwrite")).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("says when the server's value is none of ours and the confirmation was dropped", () => {
    const note = conflictNote({ choice: "keep_server", ticket_key: "#7", value: "Usability", server_value: "Hardware", category: null });
    expect(note).toBe(
      "#7: kept the server's “Hardware”, which is none of the triage categories; your confirmation was dropped and the automatic category shows again.",
    );
  });
});

describe("survey comments in themes", () => {
  const ticket = (key: string, date: string): ThemeExample => ({ origin: "ticket", ticket_id: 1, response_id: null, key, text: `ticket ${key}`, date });
  const comment = (text: string, date: string): ThemeExample => ({ origin: "survey_comment", ticket_id: null, response_id: 7, key: null, text, date });

  it("a survey comment is labelled as one, with its date, never as a ticket key", () => {
    expect(exampleOrigin(comment("Payslip misses overtime", "2024-03-20"))).toBe("survey comment, 2024-03-20");
    expect(exampleOrigin(ticket("HR-1", "2024-03-04"))).toBe("HR-1");
  });

  it("counts say how many are survey comments", () => {
    expect(countText({ count: 7, survey_comments: 2 })).toBe("5 tickets · 2 survey comments");
    expect(countText({ count: 1, survey_comments: 0 })).toBe("1 ticket");
    expect(countText({ count: 2, survey_comments: 1 })).toBe("1 ticket · 1 survey comment");
  });

  it("the shown examples keep a survey comment when the theme has one", () => {
    const ex = [ticket("A", "2024-03-01"), ticket("B", "2024-03-02"), ticket("C", "2024-03-03"), comment("late", "2024-03-09")];
    expect(shownExamples(ex).map(exampleOrigin)).toEqual(["A", "B", "survey comment, 2024-03-09"]);
    expect(shownExamples(ex.slice(0, 3)).map(exampleOrigin)).toEqual(["A", "B", "C"]);
  });
});

describe("the source's category setting", () => {
  it("reads and writes the shell's target, and names a bad field id", () => {
    expect(placeFromTarget("custom_field:7")).toEqual({ mode: "custom_field", fieldId: "7" });
    expect(placeFromTarget(null)).toEqual({ mode: "none", fieldId: "" });
    expect(targetFromPlace({ mode: "issue_category", fieldId: "" })).toEqual({ ok: true, target: "issue_category" });
    expect(targetFromPlace({ mode: "custom_field", fieldId: " 12 " })).toEqual({ ok: true, target: "custom_field:12" });
    expect(targetFromPlace({ mode: "custom_field", fieldId: "x" })).toEqual({ ok: false, message: 'custom field id "x" must be a positive number' });
    expect(targetFromPlace({ mode: "none", fieldId: "3" })).toEqual({ ok: true, target: null });
  });

  it("offers each kind of server only the places it has", () => {
    const modes = (k: Parameters<typeof placesFor>[0]) => placesFor(k).map((p) => p.mode);
    expect(modes("redmine")).toEqual(["none", "issue_category", "custom_field"]);
    expect(modes("jira")).toEqual(["none", "custom_field"]);
    expect(modes("zendesk")).toEqual(["none", "custom_field"]);
    expect(modes("service_now")).toEqual(["none", "field"]);
    expect(placeFromTarget("field:u_hypercare_category")).toEqual({ mode: "field", fieldId: "u_hypercare_category" });
    expect(targetFromPlace({ mode: "field", fieldId: " category " })).toEqual({ ok: true, target: "field:category" });
    const bad = targetFromPlace({ mode: "field", fieldId: "Category!" });
    expect(bad.ok).toBe(false);
    expect(targetLabel("field:category")).toBe("field category");
  });
});

describe("saving where confirmed categories go", () => {
  it("says what was saved, naming a custom field the tickets carry and warning about one they do not", async () => {
    const b = backend();
    b.seenFields["erp"] = [{ id: 7, name: "Hypercare category", tickets: 2, examples: ["Usability"] }];
    expect(await saveCategoryPush(b, "erp", "issue_category")).toBe("Saved: confirmed categories go to the issue category.");
    expect(await saveCategoryPush(b, "erp", "custom_field:7")).toBe(
      "Saved: confirmed categories go to the custom field “Hypercare category” (#7).",
    );
    const unknown = await saveCategoryPush(b, "erp", "custom_field:9");
    expect(unknown).toContain("custom field #9");
    expect(unknown).toContain("No synced ticket of this source carries custom field #9 yet: check the id on the server.");
    expect(await b.categoryPushTarget("erp")).toBe("custom_field:9");
    expect(await saveCategoryPush(b, "erp", null)).toBe("Saved: confirmed categories are kept here only.");
    expect(await b.categoryPushTarget("erp")).toBeNull();
  });
});
