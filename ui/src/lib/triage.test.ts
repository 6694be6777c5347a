import { describe, expect, it } from "vitest";

import { defaultMatrix, FakeBackend, fakeTriage } from "../backend/fake";
import { basisTag, CATEGORIES, cycle, digitFor, IMPACTS, label, levelsLine, priorityOf, runNote, suggestionLine, triageKey, triageKeyOf, TriageSession } from "./triage";
import { CATEGORY_LABELS } from "./filters";

function queue() {
  return [
    fakeTriage(1, "Invoice posting fails", { category: "major_bug", impact: "team", urgency: "medium", priority: "P3" }),
    fakeTriage(2, "How do I approve a PO?", { category: "training", impact: "single_user", urgency: "low", priority: "P4" }),
    fakeTriage(3, "MRP run takes 4 hours", { category: "performance", impact: "department", urgency: "high", priority: "P1" }),
  ];
}

describe("triage keys", () => {
  it("maps digits 1–9 and 0 to the ten categories in order", () => {
    expect(triageKey("1")).toEqual({ kind: "category", category: "critical_bug" });
    expect(triageKey("8")).toEqual({ kind: "category", category: "training" });
    expect(triageKey("0")).toEqual({ kind: "category", category: "data_issue" });
    expect(CATEGORIES.map(digitFor)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]);
  });

  it("i/u cycle, Enter confirms, j/k move, and nothing fires in a text field or with modifiers", () => {
    expect(triageKey("i")).toEqual({ kind: "cycle-impact" });
    expect(triageKey("u")).toEqual({ kind: "cycle-urgency" });
    expect(triageKey("Enter")).toEqual({ kind: "confirm" });
    expect(triageKey("j")).toEqual({ kind: "move", by: 1 });
    expect(triageKey("k")).toEqual({ kind: "move", by: -1 });
    expect(triageKey("3", { inTextField: true })).toEqual({ kind: "none" });
    expect(triageKey("1", { ctrl: true })).toEqual({ kind: "none" });
    expect(triageKey("x")).toEqual({ kind: "none" });
  });

  it("cycles impact around", () => {
    expect(cycle(IMPACTS, "organization")).toBe("single_user");
    expect(cycle(IMPACTS, "team")).toBe("department");
  });
});

describe("priority from the matrix", () => {
  it("applies category rules before the impact × urgency grid", () => {
    const m = defaultMatrix();
    expect(priorityOf(m, "critical_bug", "single_user", "low")).toBe("P1");
    expect(priorityOf(m, "enhancement", "organization", "critical")).toBe("P4");
    expect(priorityOf(m, "major_bug", "department", "high")).toBe("P1");
    expect(priorityOf(m, "major_bug", "team", "medium")).toBe("P3");
  });
});

describe("triage session against the fake backend", () => {
  it("starts on the first ticket with its suggestion as the draft", () => {
    const s = new TriageSession(queue());
    expect(s.current?.ticket_id).toBe(1);
    expect(s.draft).toEqual({ category: "major_bug", impact: "team", urgency: "medium" });
  });

  it("saves the picked category, impact and urgency on confirm and moves to the next ticket", async () => {
    const b = new FakeBackend();
    b.triage = queue();
    const s = new TriageSession(await b.triageQueue());
    s.apply(triageKey("5")); // integration
    s.apply(triageKey("i")); // team → department
    s.apply(triageKey("u")); // medium → high
    const p = await s.confirm(b);
    expect(b.overrides).toEqual([{ ticketId: 1, o: { category: "integration", impact: "department", urgency: "high" } }]);
    expect(p).toBe("P1");
    expect(s.current?.ticket_id).toBe(2);
    expect(s.queue[0]).toMatchObject({ category: "integration", category_overridden: true, priority: "P1" });
    expect(s.confirmed.has(1)).toBe(true);
    // The backend kept it: a reload shows the override.
    expect((await b.triageQueue())[0]).toMatchObject({ category: "integration", priority: "P1" });
  });

  it("confirming the suggestion unchanged shows it as the user's, the same as the model's", async () => {
    const b = new FakeBackend();
    b.triage = queue();
    const s = new TriageSession(await b.triageQueue());
    await s.confirm(b);
    expect(b.overrides[0].o.category).toBe("major_bug");
    const line = suggestionLine(s.queue[0]);
    expect([line.lead, line.category, line.model]).toEqual(["Set by you", "Major bug", "as the model suggested, 80%"]);
    // As the backend lists it after a reload.
    expect(suggestionLine((await b.triageQueue())[0])).toEqual(line);
  });

  it("j/k move within the queue and reset the draft to that ticket", () => {
    const s = new TriageSession(queue());
    s.apply(triageKey("1"));
    s.move(1);
    expect(s.draft?.category).toBe("training");
    s.move(5);
    expect(s.current?.ticket_id).toBe(3);
    s.move(-9);
    expect(s.current?.ticket_id).toBe(1);
    expect(s.draft?.category).toBe("major_bug");
  });

  it("a failed save keeps the ticket and the draft", async () => {
    const b = new FakeBackend();
    b.triage = queue();
    const s = new TriageSession(await b.triageQueue());
    s.apply(triageKey("3"));
    b.failWith = { code: "internal", message: "disk full" };
    await expect(s.confirm(b)).rejects.toMatchObject({ code: "internal" });
    expect(s.current?.ticket_id).toBe(1);
    expect(s.draft?.category).toBe("performance");
    expect(s.confirmed.size).toBe(0);
  });

  it("an empty queue has no current ticket and confirm does nothing", async () => {
    const b = new FakeBackend();
    const s = new TriageSession([]);
    expect(s.current).toBeNull();
    expect(await s.confirm(b)).toBeNull();
    expect(b.overrides).toEqual([]);
  });
});

describe("the user's choice and the model's suggestion", () => {
  it("an untouched ticket shows the model's suggestion with its confidence", () => {
    const t = fakeTriage(1003, "Interface to the bank times out", { category: "integration", confidence: 0.73 });
    expect(suggestionLine(t)).toEqual({ lead: "Suggested", category: "Integration", model: null, confidence: "73% confident" });
    expect(levelsLine(t)).toBeNull();
  });

  it("after a confirmed correction, the user's category is the user's and the model's stays the model's", async () => {
    const b = new FakeBackend();
    b.triage = [
      fakeTriage(1003, "Interface to the bank times out", {
        category: "integration",
        confidence: 0.73,
        impact: "team",
        urgency: "medium",
        signals: ["phrasing typical of integration"],
      }),
      fakeTriage(1018, "How do I post a credit note?", { category: "training", confidence: 0.71 }),
    ];
    const s = new TriageSession(await b.triageQueue());
    s.apply(triageKey("3")); // performance
    s.apply(triageKey("i")); // team → department
    await s.confirm(b);
    // Going back (in the session, and after a reload from the backend).
    s.move(-1);
    for (const t of [s.current!, (await b.triageQueue())[0]]) {
      expect(suggestionLine(t)).toEqual({
        lead: "Set by you",
        category: "Performance",
        model: "the model suggested Integration, 73%",
        confidence: null,
      });
      expect(t.signals).toEqual(["phrasing typical of integration"]);
      expect(levelsLine(t)).toBe("The model suggested impact Team.");
    }
    expect(s.draft).toEqual({ category: "performance", impact: "department", urgency: "medium" });
  });

  it("the note about the last confirmation's push shows until the user moves on", async () => {
    const b = new FakeBackend();
    b.triage = queue();
    const s = new TriageSession(await b.triageQueue());
    await s.confirm(b);
    expect(s.lastPush?.text).toMatch(/^#1: category kept here only/);
    s.move(1);
    expect(s.lastPush).toBeNull();
  });

  it("a survey comment set by the user names the model's category too", () => {
    const c = { category: "training", category_overridden: true, suggested_category: "performance", confidence: 0.19 };
    const line = suggestionLine(c);
    expect(`${line.lead}: ${line.category} · ${line.model}`).toBe("Set by you: Training need · the model suggested Performance, 19%");
  });
});

describe("run triage", () => {
  it("says how many were triaged and how many wait for the language model", () => {
    const run = { tickets: 3000, survey_comments: 14, corrections_used: 2, themes: 40, pending: 12 };
    expect(runNote(run, true)).toBe("Triaged 3,000 tickets and 14 survey comments; 12 waiting for the language model.");
    expect(runNote({ ...run, tickets: 1, survey_comments: 0, pending: 0 }, true)).toBe("Triaged 1 ticket; none waiting for the language model.");
    // Without the model nothing is waiting for it: say so, and how to install it.
    expect(runNote({ ...run, pending: 3088 }, false)).toBe(
      "Triaged 3,000 tickets and 14 survey comments on words only: the language model is not installed (run scripts/setup.sh to install it).",
    );
  });
});

describe("category names", () => {
  it("read the same in Triage and Themes as in the inbox, the ticket detail and on the server", () => {
    for (const c of CATEGORIES) expect(label(c)).toBe(CATEGORY_LABELS[c]);
    expect([label("training"), label("documentation")]).toEqual(["Training need", "Documentation gap"]);
    // Other values keep their plain reading.
    expect([label("single_user"), label("critical")]).toEqual(["Single user", "Critical"]);
  });
});

/** A keydown on an element: a button inside the triage form (`data-queue-form`) or elsewhere in the view. */
function keyOn(key: string, tagName: string, inForm: boolean, openTab = false): KeyboardEvent {
  const target = {
    tagName,
    matches: (sel: string) => tagName === "BUTTON" && (sel.includes("aria-selected") ? openTab : sel.includes("button")),
    closest: (sel: string) => (inForm && sel === "[data-queue-form]" ? {} : null),
  };
  return { key, target, ctrlKey: false, metaKey: false, altKey: false } as unknown as KeyboardEvent;
}

describe("Enter in the triage view", () => {
  it("on a focused button outside the triage form (Run triage, Show priority matrix, a tab) presses it and never confirms", () => {
    expect(triageKeyOf(keyOn("Enter", "BUTTON", false)).kind).toBe("none");
    // The view's other keys still work there.
    expect(triageKeyOf(keyOn("j", "BUTTON", false))).toEqual({ kind: "move", by: 1 });
  });

  it("on a category or level button, or with nothing focused, confirms", () => {
    expect(triageKeyOf(keyOn("Enter", "BUTTON", true)).kind).toBe("confirm");
    expect(triageKeyOf(keyOn("Enter", "BODY", false)).kind).toBe("confirm");
    // The open tab ("Survey comments" just clicked): pressing it again would do nothing.
    expect(triageKeyOf(keyOn("Enter", "BUTTON", false, true)).kind).toBe("confirm");
    expect(triageKeyOf(keyOn("Enter", "INPUT", false)).kind).toBe("none");
  });
});

describe("the 'from words only' tag", () => {
  it("promises a background refinement only when the language model is installed", () => {
    const withModel = basisTag("words", "ticket", true)!;
    expect(withModel.text).toBe("from words only");
    expect(withModel.title).toContain("refined in the background");
    const without = basisTag("words", "ticket", false)!;
    expect(without.text).toBe("from words only");
    expect(without.title).not.toContain("refined in the background");
    expect(without.title).toContain("the language model is not installed");
    expect(without.title).toContain("scripts/setup.sh");
    expect(basisTag("words", "comment", false)!.title).toMatch(/^This comment was triaged on its words only/);
  });

  it("is not shown for a text the language model decided, with or without the model now", () => {
    expect(basisTag("embedding", "ticket", true)).toBeNull();
    expect(basisTag("embedding", "ticket", false)).toBeNull();
    expect(basisTag(null, "comment", false)).toBeNull();
  });
});
