// The "Fields on the server" setting of a source: which custom fields hold
// the impact and urgency recorded at intake and a 1–5 satisfaction rating.

import type { Backend } from "../backend/types";
import type { SeenField } from "../bindings/SeenField";
import type { SourceFields } from "../bindings/SourceFields";

/** The form's state: a field id as text, "" for none. */
export interface FieldForm {
  impact: string;
  urgency: string;
  csat: string;
}

/** What the app reads, as the form shows it. */
export function formFromFields(f: SourceFields): FieldForm {
  const s = (id: number | null) => (id === null ? "" : String(id));
  return { impact: s(f.impact_field), urgency: s(f.urgency_field), csat: s(f.csat_field) };
}

/**
 * A field as the picker lists it: "Urgency (#8) — 12 tickets, e.g. High, Low".
 * On a server that sends a field only when asked (Jira), a field no ticket
 * holds yet is "read from the next sync once chosen", not "0 tickets".
 */
export function fieldLabel(f: SeenField, onRequest = false): string {
  if (onRequest && f.tickets === 0) return `${f.name} (#${f.id}) — read from the next sync once chosen`;
  const n = `${f.tickets.toLocaleString("en-US")} ticket${f.tickets === 1 ? "" : "s"}`;
  const eg = f.examples.length ? `, e.g. ${f.examples.join(", ")}` : "";
  return `${f.name} (#${f.id}) — ${n}${eg}`;
}

const ROLES: [keyof FieldForm, string][] = [
  ["impact", "impact"],
  ["urgency", "urgency"],
  ["csat", "satisfaction"],
];

export type FieldChoice = { impact: number | null; urgency: number | null; csat: number | null };

/** The choice to save, or a message naming the field chosen twice. */
export function choiceFromForm(form: FieldForm, seen: SeenField[]): { ok: true; choice: FieldChoice } | { ok: false; message: string } {
  const id = (v: string) => (v === "" ? null : Number(v));
  for (let i = 0; i < ROLES.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = form[ROLES[j][0]];
      if (a !== "" && a === form[ROLES[i][0]]) {
        const name = seen.find((f) => String(f.id) === a)?.name ?? `custom field #${a}`;
        return { ok: false, message: `${name} cannot hold both ${ROLES[j][1]} and ${ROLES[i][1]}: choose another field for one of them` };
      }
    }
  }
  return { ok: true, choice: { impact: id(form.impact), urgency: id(form.urgency), csat: id(form.csat) } };
}

/**
 * Save the choice. When impact or urgency changed, the stored tickets are
 * triaged again so they follow it at once. Returns the saved fields and a
 * note for the user.
 */
export async function saveFields(
  backend: Backend,
  source: string,
  before: SourceFields,
  choice: FieldChoice,
): Promise<{ fields: SourceFields; note: string }> {
  const fields = await backend.setSourceFields(source, choice);
  const ids = (f: SourceFields) => [f.impact_field, f.urgency_field, f.csat_field];
  const added = ids(fields).some((id) => id !== null && !ids(before).includes(id));
  const later = fields.on_request && added
    ? " The server sends a field only when asked: the next sync reads every ticket again to fetch it."
    : "";
  const triageChanged = before.impact_field !== fields.impact_field || before.urgency_field !== fields.urgency_field;
  if (!triageChanged) return { fields, note: `Saved.${later}` };
  const run = await backend.runTriage();
  const n = `${run.tickets.toLocaleString("en-US")} ticket${run.tickets === 1 ? "" : "s"}`;
  const what = fields.impact_field === null && fields.urgency_field === null
    ? "impact and urgency come from the text again"
    : "impact and urgency come from the chosen fields where a ticket has a value, else from the text";
  return { fields, note: `Saved. ${n} triaged again: ${what}.${later}` };
}
