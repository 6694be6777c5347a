// The KPI settings dialog's state: the form from the shell (every setting
// with its value, default and unit), the values typed, per-field and
// overall reset to the defaults, Save (only what changed; the shell checks
// and applies all or nothing), Cancel. Plus its keys: the Dashboard's
// shortcut, Escape, and Tab kept inside the dialog.
import type { Backend } from "../backend/types";
import type { IpcError } from "../bindings/IpcError";
import type { KpiSettingChange } from "../bindings/KpiSettingChange";
import type { KpiSettingField } from "../bindings/KpiSettingField";
import type { KpiSettingsForm } from "../bindings/KpiSettingsForm";
import { toIpcError } from "./errors";

export interface SettingsView {
  form: KpiSettingsForm | null;
  /** What each field holds now, by key (in the field's unit). */
  values: Record<string, string>;
  loading: boolean;
  saving: boolean;
  error: IpcError | null;
}

export function initialSettings(): SettingsView {
  return { form: null, values: {}, loading: false, saving: false, error: null };
}

/** The unit as written after the input ("" for the time zone). */
export function unitText(unit: string): string {
  return unit === "zone" ? "" : unit;
}

/** A value as the dialog writes it ("not set" for an empty one). */
export function shown(value: string, unit: string): string {
  if (value === "") return "not set";
  return unit === "zone" || unit === "%" ? `${value}${unit === "%" ? " %" : ""}` : `${value} ${unit}`;
}

/** The fields by heading, in the shell's order. */
export function groups(fields: KpiSettingField[]): [string, KpiSettingField[]][] {
  const out: [string, KpiSettingField[]][] = [];
  for (const f of fields) {
    const g = out.find(([name]) => name === f.group);
    if (g) g[1].push(f);
    else out.push([f.group, [f]]);
  }
  return out;
}

/**
 * Zones matching `query` (any case; a space matches `_`, so "sao paulo"
 * finds America/Sao_Paulo), those whose city starts with it first.
 */
export function matchZones(zones: string[], query: string, limit = 40): string[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, "_");
  if (q === "") return zones.slice(0, limit);
  const hits = zones.filter((z) => z.toLowerCase().includes(q));
  const city = (z: string) => z.toLowerCase().split("/").pop() ?? "";
  const rank = (z: string) => (z.toLowerCase() === q ? 0 : city(z).startsWith(q) || z.toLowerCase().startsWith(q) ? 1 : 2);
  return hits.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, limit);
}

export class KpiSettingsModel {
  private view: SettingsView = initialSettings();

  constructor(
    private backend: Pick<Backend, "kpiSettings" | "saveKpiSettings">,
    private onChange: (v: SettingsView) => void,
  ) {}

  private set(patch: Partial<SettingsView>) {
    this.view = { ...this.view, ...patch };
    this.onChange(this.view);
  }

  private field(key: string): KpiSettingField | undefined {
    return this.view.form?.fields.find((f) => f.key === key);
  }

  /** Load the settings in force. */
  async open(): Promise<void> {
    this.set({ loading: true, error: null });
    try {
      const form = await this.backend.kpiSettings();
      this.set({ form, values: Object.fromEntries(form.fields.map((f) => [f.key, f.value])), loading: false });
    } catch (e) {
      this.set({ error: toIpcError(e), loading: false });
    }
  }

  /** The user typed or chose `value` for `key`. */
  edit(key: string, value: string) {
    this.set({ values: { ...this.view.values, [key]: value } });
  }

  /** Put the default back in one field (saved with the others). */
  reset(key: string) {
    const f = this.field(key);
    if (f) this.edit(key, f.default);
  }

  /** Put every default back (saved with Save). */
  resetAll() {
    const form = this.view.form;
    if (form) this.set({ values: Object.fromEntries(form.fields.map((f) => [f.key, f.default])) });
  }

  /** The fields whose value differs from the one in force, as the shell takes them. */
  changes(): KpiSettingChange[] {
    const form = this.view.form;
    if (!form) return [];
    return form.fields
      .filter((f) => (this.view.values[f.key] ?? f.value).trim() !== f.value)
      .map((f) => {
        const v = (this.view.values[f.key] ?? "").trim();
        // A percentage field is sent with its unit: "85" means 85 %, not 85.
        return { key: f.key, value: f.unit === "%" && v !== "" && !v.endsWith("%") ? `${v}%` : v };
      });
  }

  /**
   * Save what changed. True when the dialog may close (saved, or nothing
   * changed); false with `error` set (its `field` names the refused input).
   */
  async save(): Promise<boolean> {
    const changes = this.changes();
    if (changes.length === 0) return true;
    this.set({ saving: true, error: null });
    try {
      const form = await this.backend.saveKpiSettings(changes);
      this.set({ form, values: Object.fromEntries(form.fields.map((f) => [f.key, f.value])), saving: false });
      return true;
    } catch (e) {
      this.set({ error: toIpcError(e), saving: false });
      return false;
    }
  }

  /** Drop what was typed; nothing is sent. */
  cancel() {
    const form = this.view.form;
    this.set({ values: form ? Object.fromEntries(form.fields.map((f) => [f.key, f.value])) : {}, error: null });
  }
}

/**
 * What Escape does in the settings dialog: with nothing typed it closes;
 * with unsaved changes it asks first ("ask"), and while asking it takes the
 * question back and keeps the edits ("keep"). Only the prompt's Discard
 * drops them.
 */
export function escapeAction(dirty: boolean, asking: boolean): "close" | "ask" | "keep" {
  if (asking) return "keep";
  return dirty ? "ask" : "close";
}

/** The input a refused save is about (marked and focused by ErrorNote). */
export function invalidInput<T>(error: IpcError | null, inputs: Record<string, T | undefined>): T | null {
  return error?.field ? (inputs[error.field] ?? null) : null;
}

/** Ctrl+, (Cmd+, on macOS) opens the KPI settings from the Dashboard. */
export function isSettingsShortcut(key: string, mods: { ctrl?: boolean; meta?: boolean; alt?: boolean; shift?: boolean }): boolean {
  return key === "," && (mods.ctrl || mods.meta) === true && !mods.alt && !mods.shift;
}

/**
 * Tab in a modal dialog: from the last control to the first (Shift+Tab:
 * first to last), so the focus never leaves it. Returns the control to
 * focus, or null to let the browser move it.
 */
export function trapTab<T>(controls: T[], active: T | null, shift: boolean): T | null {
  if (controls.length === 0) return null;
  const first = controls[0];
  const last = controls[controls.length - 1];
  const i = active === null ? -1 : controls.indexOf(active);
  if (i === -1) return shift ? last : first;
  if (shift && active === first) return last;
  if (!shift && active === last) return first;
  return null;
}
