import { describe, expect, it } from "vitest";

import { FakeBackend, fakeTheme } from "../backend/fake";
import { effectText, isIsoDate, pointsAttr, sparklinePoints } from "./themes";

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

  it("mark training shows before/after counts around the date", async () => {
    const b = new FakeBackend();
    b.today = "2026-11-08";
    b.themeList = [fakeTheme(1, "Cannot approve PO", dates)];
    await b.markThemeTraining(1, "2026-10-05", "training", "");
    const [t] = await b.themes();
    expect(t.effects).toHaveLength(1);
    const e = t.effects[0];
    expect([e.before, e.after]).toEqual([3, 2]);
    expect(effectText(e)).toMatch(/^Training on 2026-10-05: 3\.0\/week before \(3\), 0\.4\/week after \(2\), −87%$/);
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

  it("validates dates before sending", () => {
    expect(isIsoDate("2026-10-05")).toBe(true);
    expect(isIsoDate("2026-13-05")).toBe(false);
    expect(isIsoDate("")).toBe(false);
  });
});
