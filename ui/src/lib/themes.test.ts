import { describe, expect, it } from "vitest";

import { FakeBackend, fakeTheme } from "../backend/fake";
import { itemsOf } from "../backend/fake/themes";
import type { TrainingEffect } from "../bindings/TrainingEffect";
import {
  effectText,
  isIsoDate,
  localToday,
  mergeQuestion,
  pickedText,
  pointsAttr,
  sparklinePoints,
  splitProblem,
  splitQuestion,
  trainingDateProblem,
} from "./themes";

describe("sparkline", () => {
  it("puts the highest week at the top and zero at the bottom, spread over the width", () => {
    const pts = sparklinePoints([0, 4, 2], 100, 20, 0);
    expect(pts).toEqual([
      { x: 0, y: 20 },
      { x: 50, y: 0 },
      { x: 100, y: 10 },
    ]);
    expect(pointsAttr(pts)).toBe("0,20 50,0 100,10");
  });

  it("handles no weeks, one week and all-zero weeks", () => {
    expect(sparklinePoints([], 100, 20)).toEqual([]);
    expect(sparklinePoints([3], 100, 20, 0)).toEqual([{ x: 0, y: 0 }]);
    expect(sparklinePoints([0, 0], 100, 20, 0).map((p) => p.y)).toEqual([20, 20]);
  });
});

describe("themes against the fake backend", () => {
  const dates = ["2026-09-28", "2026-09-29", "2026-10-01", "2026-10-06", "2026-10-20"];

  it("mark training shows before/after counts around the date, the after window ending with the data", async () => {
    const b = new FakeBackend();
    b.today = "2026-11-28";
    b.themeList = [fakeTheme(1, "Cannot approve PO", dates)];
    await b.markThemeTraining(1, "2026-10-05", "training", "");
    const [t] = await b.themes();
    expect(t.effects).toHaveLength(1);
    const e = t.effects[0];
    expect([e.before, e.after, e.until]).toEqual([3, 2, "2026-10-20"]);
    // 2 in 16 days (Oct 5..20), not in the 55 days up to today.
    expect(effectText(e)).toBe("Training on 2026-10-05: 3.0/week before (3), 0.9/week after (2), −71%");
  });

  it("a merge is confirmed by name and can be undone", async () => {
    const b = new FakeBackend();
    b.themeList = [fakeTheme(1, "Approving purchase orders", dates.slice(0, 3)), fakeTheme(2, "PO approval", dates.slice(3))];
    await b.markThemeTraining(2, "2026-10-07", "documentation", "");
    const [po, other] = await b.themes();
    expect(mergeQuestion(other, po, 2)).toBe(
      "Merge “PO approval” into “Approving purchase orders”? “Approving purchase orders” will hold 5 items; 2 themes become 1.",
    );
    await b.mergeThemes(2, 1);
    expect((await b.themes()).map((t) => [t.name, t.count, t.effects.length])).toEqual([["Approving purchase orders", 5, 1]]);
    expect(await b.unmergeTheme(2)).toBe(1);
    const back = await b.themes();
    expect(back.map((t) => [t.name, t.count, t.effects.length])).toEqual([
      ["Approving purchase orders", 3, 0],
      ["PO approval", 2, 1],
    ]);
    await expect(b.unmergeTheme(2)).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("a split moves the picked tickets into a new theme", async () => {
    const b = new FakeBackend();
    b.themeList = [fakeTheme(1, "Approvals", dates)];
    const tickets = await b.themeItems(1);
    expect(tickets).toHaveLength(5);
    const two = { tickets: [tickets[3].ticket_id as number, tickets[4].ticket_id as number], comments: [] };
    expect(splitProblem({ tickets: [], comments: [] }, 5, "x")).toMatch(/Pick at least one ticket or survey comment/);
    expect(splitProblem({ tickets: [1, 2, 3, 4], comments: [5] }, 5, "x")).toMatch(/Leave at least one item/);
    expect(splitProblem(two, 5, "  ")).toMatch(/name/);
    expect(splitProblem(two, 5, "Late approvals")).toBeNull();
    expect(splitQuestion("Approvals", two, " Late approvals ")).toBe("Move 2 tickets out of “Approvals” into a new theme “Late approvals”?");
    const id = await b.splitTheme(1, two.tickets, [], "Late approvals");
    const list = await b.themes();
    expect(list.map((t) => [t.id, t.name, t.count])).toEqual([
      [1, "Approvals", 3],
      [id, "Late approvals", 2],
    ]);
    expect((await b.themeItems(id)).map((t) => t.date)).toEqual(["2026-10-06", "2026-10-20"]);
    await expect(b.splitTheme(1, [999], [], "x")).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("a split moves the picked survey comments too, and says so", async () => {
    const b = new FakeBackend();
    const comment = (id: number, date: string) =>
      ({ origin: "survey_comment", ticket_id: null, response_id: id, key: null, text: `comment ${id}`, date }) as const;
    const theme = fakeTheme(1, "Approvals", dates.slice(0, 3));
    b.themeList = [{ ...theme, items: [...itemsOf(theme), comment(71, "2026-10-07"), comment(72, "2026-10-21")] }];
    const items = await b.themeItems(1);
    const picked = { tickets: [items[2].ticket_id as number], comments: [72] };
    expect(splitQuestion("Approvals", picked, "Late")).toBe("Move 1 ticket and 1 survey comment out of “Approvals” into a new theme “Late”?");
    expect(pickedText({ tickets: [], comments: [71, 72] })).toBe("2 survey comments");
    const id = await b.splitTheme(1, picked.tickets, picked.comments, "Late");
    const list = await b.themes();
    expect(list.map((t) => [t.name, t.count, t.survey_comments])).toEqual([
      ["Approvals", 3, 1],
      ["Late", 2, 1],
    ]);
    expect((await b.themeItems(id)).map((x) => x.response_id ?? x.key)).toEqual([items[2].key, 72]);
    await expect(b.splitTheme(1, [], [72], "x")).rejects.toMatchObject({ code: "invalid_input", message: "survey comment 72 is not in theme 1" });
  });

  it("a future marker is refused and a marker can be removed", async () => {
    const b = new FakeBackend();
    b.today = "2026-11-28";
    b.themeList = [fakeTheme(1, "Approvals", dates)];
    await expect(b.markThemeTraining(1, "2026-11-30", "training", "")).rejects.toMatchObject({ code: "invalid_input" });
    const id = await b.markThemeTraining(1, "2026-11-28", "training", "");
    await b.removeThemeTraining(id);
    expect((await b.themes())[0].effects).toEqual([]);
    await expect(b.removeThemeTraining(id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("rename and merge change what the list shows; bad input is refused", async () => {
    const b = new FakeBackend();
    b.themeList = [fakeTheme(1, "approv purchas", dates.slice(0, 3)), fakeTheme(2, "PO approval", dates.slice(3))];
    await b.renameTheme(1, "  Approving purchase orders ");
    await b.mergeThemes(2, 1);
    const list = await b.themes();
    expect(list.map((t) => [t.name, t.count])).toEqual([["Approving purchase orders", 5]]);
    await expect(b.renameTheme(1, " ")).rejects.toMatchObject({ code: "invalid_input" });
    await expect(b.mergeThemes(1, 1)).rejects.toMatchObject({ code: "invalid_input" });
    await expect(b.markThemeTraining(1, "5 Oct", "training", "")).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("never shows a change computed from a window without data", () => {
    const e: TrainingEffect = {
      marker_id: 1,
      kind: "documentation",
      on: "2026-11-20",
      note: "",
      before: 167,
      weeks_before: 9,
      after: 0,
      weeks_after: 0,
      per_week_before: 18.6,
      per_week_after: null,
      until: "2026-11-08",
    };
    expect(effectText(e)).toBe(
      "Documentation update on 2026-11-20: 18.6/week before (167), no data after the marker yet (data until 2026-11-08)",
    );
    const early = { ...e, on: "2026-09-01", before: 0, weeks_before: 0, per_week_before: null, after: 155, weeks_after: 10, per_week_after: 15.5 };
    expect(effectText(early)).toBe("Documentation update on 2026-09-01: no data before the marker, 15.5/week after (155)");
  });

  it("the marker date defaults to the local today and may not be in the future", () => {
    expect(localToday(new Date(2026, 10, 28, 23, 30))).toBe("2026-11-28");
    expect(localToday(new Date(2026, 0, 5, 0, 5))).toBe("2026-01-05");
    expect(trainingDateProblem("2026-11-28", "2026-11-28")).toBeNull();
    expect(trainingDateProblem("", "2026-11-28")).toBe("Pick the day of the training or documentation update.");
    expect(trainingDateProblem("2026-11-30", "2026-11-28")).toMatch(/^2026-11-30 is in the future\./);
  });

  it("validates dates before sending", () => {
    expect(isIsoDate("2026-10-05")).toBe(true);
    expect(isIsoDate("2026-13-05")).toBe(false);
    expect(isIsoDate("")).toBe(false);
  });
});
