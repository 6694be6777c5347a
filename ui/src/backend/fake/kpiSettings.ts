// The KPI settings as the shell keeps them, for tests: the form with its
// defaults, all-or-nothing saves, and a refused value named by its field.
import type { IpcError } from "../../bindings/IpcError";
import type { KpiSettingChange } from "../../bindings/KpiSettingChange";
import type { KpiSettingField } from "../../bindings/KpiSettingField";
import type { KpiSettingsForm } from "../../bindings/KpiSettingsForm";

/** A few of the core's zones (the real list has every IANA name). */
export const FAKE_TIMEZONES = ["America/New_York", "America/Sao_Paulo", "Asia/Tokyo", "Europe/Berlin", "Europe/London", "UTC"];

function f(key: string, label: string, group: string, unit: string, def: string): KpiSettingField {
  return { key, label, group, unit, value: def, default: def, help: `${label}: what it does.` };
}

/** The core's fields at their defaults (a subset of the 13: one per unit). */
export function fakeSettingsForm(): KpiSettingsForm {
  return {
    fields: [
      f("timezone", "Time zone", "Workspace", "zone", "UTC"),
      f("licensed_users", "Licensed users", "Workspace", "users", ""),
      f("sla_resolve_hours.P1", "P1 resolution target", "SLA: resolve within", "hours", "4"),
      f("sla_ack_hours.P1", "P1 acknowledgement target", "SLA: acknowledge within", "hours", "0.5"),
      f("exit.csat_min", "Minimum CSAT", "Exit criteria", "%", "80"),
      f("exit.max_open_p1", "Most open P1 tickets", "Exit criteria", "tickets", "0"),
    ],
    timezones: [...FAKE_TIMEZONES],
  };
}

function refuse(field: KpiSettingField, why: string): IpcError {
  return { code: "invalid_input", message: `${field.label}: ${why}`, field: field.key };
}

/** The core's ranges per unit (`kpi::settings`: HOURS_RANGE, USERS_RANGE, OPEN_P1_RANGE). */
const RANGES: Record<string, [number, number]> = { hours: [0.1, 8760], users: [1, 10_000_000], tickets: [0, 10_000] };

/** The value `c` sets on `field` (in the field's unit), or the error the core would give. */
function check(field: KpiSettingField, c: KpiSettingChange): string | IpcError {
  const v = c.value.trim();
  if (v === "") return field.default;
  if (field.unit === "zone") return FAKE_TIMEZONES.includes(v) ? v : refuse(field, `unknown time zone "${v}"; use an IANA name such as Europe/Berlin`);
  const pct = field.unit === "%";
  const num = pct ? v.replace(/%$/, "").trim() : v;
  const x = Number(num);
  if (num === "" || !Number.isFinite(x) || x < 0) return refuse(field, `"${num}" is not a number of 0 or more`);
  if (pct && x > 100) return refuse(field, `${v} must be a percentage up to 100%`);
  if ((field.unit === "users" || field.unit === "tickets") && !Number.isInteger(x)) return refuse(field, `"${v}" is not a whole number`);
  const range = RANGES[field.unit];
  if (range && (x < range[0] || x > range[1])) return refuse(field, `${x.toLocaleString("en")} ${field.unit === "hours" ? "hours " : ""}is outside the range`);
  return String(x);
}

/** Apply `changes` to `form` all or nothing, as `Store::update_kpi_settings` does. */
export function applySettings(form: KpiSettingsForm, changes: KpiSettingChange[]): KpiSettingsForm {
  const next = form.fields.map((x) => ({ ...x }));
  for (const c of changes) {
    const field = next.find((x) => x.key === c.key);
    if (!field) throw { code: "invalid_input", message: `unknown KPI setting "${c.key}"` } satisfies IpcError;
    const v = check(field, c);
    if (typeof v !== "string") throw v;
    field.value = v;
  }
  return { ...form, fields: next };
}
