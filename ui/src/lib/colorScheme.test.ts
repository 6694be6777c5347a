import { describe, expect, it } from "vitest";

import { FakeBackend } from "../backend/fake";
import { currentTheme, watchTheme, type SchemeQuery } from "./colorScheme";
import { DashboardModel } from "./dashboard";

/** A MediaQueryList for "(prefers-color-scheme: dark)" the test can switch. */
function scheme(dark: boolean) {
  const listeners = new Set<(e: { matches: boolean }) => void>();
  const q: SchemeQuery & { flip(dark: boolean): void; listeners: typeof listeners } = {
    matches: dark,
    listeners,
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    flip(d: boolean) {
      this.matches = d;
      for (const l of listeners) l({ matches: d });
    },
  };
  return q;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("charts follow the OS colour scheme", () => {
  it("asks for the charts in the scheme the app opens in", async () => {
    const b = new FakeBackend();
    const m = new DashboardModel(b, () => {});
    await m.setTheme(currentTheme(scheme(true)));
    await m.load({ from: null, to: null });
    expect(b.dashboardThemes).toEqual(["dark"]);
    expect(currentTheme(scheme(false))).toBe("light");
    expect(currentTheme(null)).toBe("light");
  });

  it("asks again, for the same period and filter, when the OS scheme changes", async () => {
    const b = new FakeBackend();
    b.sources = [{ name: "erp" } as FakeBackend["sources"][number]];
    const m = new DashboardModel(b, () => {});
    const q = scheme(false);
    await m.setTheme(currentTheme(q));
    const stop = watchTheme(q, (t) => void m.setTheme(t));
    const f = { sources: ["erp"], priorities: [], categories: [] };
    await m.load({ from: "2026-10-01", to: "2026-10-12" }, f);
    q.flip(true);
    await settle();
    expect(b.dashboardThemes).toEqual(["light", "dark"]);
    expect(b.dashboardCalls[1]).toEqual(["2026-10-01", "2026-10-12"]);
    expect(b.dashboardFilters[1]).toEqual(f);
    // The export stays light: it takes no theme.
    await m.export();
    expect(b.exports).toHaveLength(1);
    // Unsubscribed (the view is gone): no more requests.
    stop();
    expect(q.listeners.size).toBe(0);
    q.flip(false);
    await settle();
    expect(b.dashboardThemes).toEqual(["light", "dark"]);
  });

  it("a scheme change before the first load asks for nothing yet", async () => {
    const b = new FakeBackend();
    const m = new DashboardModel(b, () => {});
    await m.setTheme("dark");
    expect(b.dashboardCalls).toEqual([]);
  });
});
