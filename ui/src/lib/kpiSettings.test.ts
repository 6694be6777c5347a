import { describe, expect, it } from "vitest";

import { FakeBackend } from "../backend/fake";
import { DashboardModel } from "./dashboard";
import type { Markable } from "./invalidField";
import { markInvalid } from "./invalidField";
import {
  escapeAction,
  groups,
  invalidInput,
  isSettingsShortcut,
  KpiSettingsModel,
  matchZones,
  shown,
  trapTab,
  type SettingsView,
} from "./kpiSettings";

async function opened(b = new FakeBackend()) {
  let v: SettingsView | null = null;
  const m = new KpiSettingsModel(b, (next) => (v = next));
  await m.open();
  return { b, m, view: () => v as unknown as SettingsView };
}

/** An input as ErrorNote marks it. */
function input(): Markable & { attrs: Record<string, string>; focused: boolean } {
  return {
    attrs: {},
    focused: false,
    setAttribute(n, val) {
      this.attrs[n] = val;
    },
    removeAttribute(n) {
      delete this.attrs[n];
    },
    focus() {
      this.focused = true;
    },
  };
}

describe("KPI settings dialog", () => {
  it("shows every setting with its value, default and unit, grouped", async () => {
    const { view } = await opened();
    const v = view();
    expect(v.values["exit.csat_min"]).toBe("80");
    expect(groups(v.form!.fields).map(([g]) => g)).toEqual(["Workspace", "SLA: resolve within", "SLA: acknowledge within", "Exit criteria"]);
    const users = v.form!.fields.find((f) => f.key === "licensed_users")!;
    expect(shown(users.default, users.unit)).toBe("not set");
    expect(shown("4", "hours")).toBe("4 hours");
    expect(shown("80", "%")).toBe("80 %");
  });

  it("saves only what changed, a percentage with its unit, and shows the saved values", async () => {
    const { b, m, view } = await opened();
    m.edit("licensed_users", "400");
    m.edit("exit.csat_min", "85");
    m.edit("timezone", "UTC"); // unchanged
    expect(await m.save()).toBe(true);
    expect(b.settingsSaves).toEqual([
      [
        { key: "licensed_users", value: "400" },
        { key: "exit.csat_min", value: "85%" },
      ],
    ]);
    expect(view().form!.fields.find((f) => f.key === "exit.csat_min")!.value).toBe("85");
    // Nothing changed: Save closes without a call.
    expect(await m.save()).toBe(true);
    expect(b.settingsSaves).toHaveLength(1);
  });

  it("marks and focuses the field the shell refused, and keeps what was typed", async () => {
    const { b, m, view } = await opened();
    m.edit("exit.max_open_p1", "2");
    m.edit("timezone", "Europe/Atlantis");
    expect(await m.save()).toBe(false);
    expect(b.settingsSaves).toHaveLength(1);
    const err = view().error!;
    expect(err.code).toBe("invalid_input");
    expect(err.field).toBe("timezone");
    expect(err.message).toMatch(/^Time zone: unknown time zone "Europe\/Atlantis"/);
    // Nothing was applied (all or nothing) and the typed values stay.
    expect(b.settingsForm.fields.find((f) => f.key === "exit.max_open_p1")!.value).toBe("0");
    expect(view().values["timezone"]).toBe("Europe/Atlantis");
    // The dialog hands ErrorNote the timezone input: marked and focused.
    const inputs = { timezone: input(), "exit.max_open_p1": input() };
    const field = invalidInput(err, inputs)!;
    const unmark = markInvalid(field);
    expect(inputs.timezone.attrs["aria-invalid"]).toBe("true");
    expect(inputs.timezone.focused).toBe(true);
    expect(inputs["exit.max_open_p1"].attrs).toEqual({});
    unmark();
    expect(inputs.timezone.attrs).toEqual({});
    expect(invalidInput({ code: "internal", message: "disk full" }, inputs)).toBeNull();
  });

  it("Escape asks before dropping unsaved changes; Escape again keeps them", async () => {
    const { b, m } = await opened();
    const dirty = () => m.changes().length > 0;
    expect(escapeAction(dirty(), false)).toBe("close");
    m.edit("sla_resolve_hours.P1", "6");
    expect(escapeAction(dirty(), false)).toBe("ask");
    // While it asks, Escape takes the question back and the edits stay.
    expect(escapeAction(dirty(), true)).toBe("keep");
    expect(m.changes()).toEqual([{ key: "sla_resolve_hours.P1", value: "6" }]);
    expect(b.settingsSaves).toEqual([]);
  });

  it("Cancel discards what was typed and calls nothing", async () => {
    const { b, m, view } = await opened();
    m.edit("licensed_users", "999");
    m.reset("exit.csat_min");
    m.cancel();
    expect(b.settingsSaves).toEqual([]);
    expect(view().values["licensed_users"]).toBe("");
    expect(b.settingsForm.fields.find((f) => f.key === "licensed_users")!.value).toBe("");
  });

  it("resets one field or all of them to the defaults, saved with Save", async () => {
    const b = new FakeBackend();
    await b.saveKpiSettings([
      { key: "licensed_users", value: "400" },
      { key: "exit.csat_min", value: "70%" },
      { key: "sla_resolve_hours.P1", value: "6" },
    ]);
    const { m, view } = await opened(b);
    m.reset("sla_resolve_hours.P1");
    expect(view().values["sla_resolve_hours.P1"]).toBe("4");
    expect(m.changes()).toEqual([{ key: "sla_resolve_hours.P1", value: "4" }]);
    m.resetAll();
    expect(m.changes()).toEqual([
      { key: "licensed_users", value: "" },
      { key: "sla_resolve_hours.P1", value: "4" },
      { key: "exit.csat_min", value: "80%" },
    ]);
    expect(await m.save()).toBe(true);
    expect(b.settingsForm.fields.every((f) => f.value === f.default)).toBe(true);
  });

  it("a save makes the dashboard compute the same period again at once", async () => {
    const b = new FakeBackend();
    const dash = new DashboardModel(b, () => {});
    await dash.load({ from: "2026-10-01", to: "2026-10-12" });
    const { m } = await opened(b);
    m.edit("licensed_users", "250");
    expect(await m.save()).toBe(true);
    await dash.reload(); // what the Dashboard does on `onsaved`
    expect(b.dashboardCalls).toEqual([
      ["2026-10-01", "2026-10-12"],
      ["2026-10-01", "2026-10-12"],
    ]);
  });

  it("finds time zones by any part of their name", () => {
    const zones = ["America/Sao_Paulo", "Europe/Berlin", "Europe/London", "Asia/Tokyo", "UTC"];
    expect(matchZones(zones, "sao paulo")).toEqual(["America/Sao_Paulo"]);
    expect(matchZones(zones, "EUROPE")).toEqual(["Europe/Berlin", "Europe/London"]);
    expect(matchZones(zones, "lo")).toEqual(["Europe/London", "America/Sao_Paulo"]);
    expect(matchZones(zones, "")).toEqual(zones);
    expect(matchZones(zones, "Atlantis")).toEqual([]);
  });

  it("opens with Ctrl+, or Cmd+, and keeps Tab inside the dialog", () => {
    expect(isSettingsShortcut(",", { ctrl: true })).toBe(true);
    expect(isSettingsShortcut(",", { meta: true })).toBe(true);
    expect(isSettingsShortcut(",", {})).toBe(false);
    expect(isSettingsShortcut(",", { ctrl: true, alt: true })).toBe(false);
    const [a, b, c] = ["first", "middle", "last"];
    expect(trapTab([a, b, c], c, false)).toBe(a);
    expect(trapTab([a, b, c], a, true)).toBe(c);
    expect(trapTab([a, b, c], b, false)).toBeNull();
    expect(trapTab([a, b, c], "outside", false)).toBe(a);
    expect(trapTab([], null, false)).toBeNull();
  });
});
