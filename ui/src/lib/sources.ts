// Helpers of the "Connect your ticket server" form.
import type { Backend } from "../backend/types";

import type { IpcError } from "../bindings/IpcError";
import type { SourceKind } from "../bindings/SourceKind";
import { sourceKindForm } from "./sourceKinds";

/**
 * A source name from a project identifier: lower case, runs of anything but
 * letters, digits, `.`, `_` and `-` become one `-` (the names the shell accepts).
 */
export function suggestSourceName(project: string): string {
  return project
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

/** Where a source writes confirmed categories, as the settings form edits it. */
export interface CategoryPlace {
  mode: "none" | "issue_category" | "custom_field" | "field";
  /** The custom field's id, or (mode "field") the record field's name, as typed. */
  fieldId: string;
}

/** The places a source of `kind` can write confirmed categories to, as the form offers them. */
export function placesFor(kind: SourceKind): { mode: CategoryPlace["mode"]; label: string }[] {
  const none = { mode: "none" as const, label: "nowhere (kept here only)" };
  switch (kind) {
    case "redmine":
      return [none, { mode: "issue_category", label: "the issue category" }, { mode: "custom_field", label: "a custom field" }];
    case "jira":
      return [none, { mode: "custom_field", label: "a custom field (customfield_ID)" }];
    case "zendesk":
      return [none, { mode: "custom_field", label: "a custom ticket field (drop-down values are tags)" }];
    case "service_now":
      return [none, { mode: "field", label: "a field of the record" }];
    default:
      return [none];
  }
}

/** The form's state from the shell's target ("issue_category", "custom_field:7", "field:category" or null). */
export function placeFromTarget(target: string | null): CategoryPlace {
  if (target === "issue_category") return { mode: "issue_category", fieldId: "" };
  const f = /^field:([a-z][a-z0-9_]*)$/.exec(target ?? "");
  if (f) return { mode: "field", fieldId: f[1] };
  const m = /^custom_field:(\d+)$/.exec(target ?? "");
  return m ? { mode: "custom_field", fieldId: m[1] } : { mode: "none", fieldId: "" };
}

/** The target to save, or an error message naming what is wrong. */
export function targetFromPlace(p: CategoryPlace): { ok: true; target: string | null } | { ok: false; message: string } {
  if (p.mode === "none") return { ok: true, target: null };
  if (p.mode === "issue_category") return { ok: true, target: "issue_category" };
  if (p.mode === "field") {
    const name = p.fieldId.trim();
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      return { ok: false, message: `field name "${name}" must be a ServiceNow field name such as category or u_hypercare_category` };
    }
    return { ok: true, target: `field:${name}` };
  }
  const id = p.fieldId.trim();
  if (!/^[1-9][0-9]*$/.test(id)) return { ok: false, message: `custom field id "${id}" must be a positive number` };
  return { ok: true, target: `custom_field:${id}` };
}

/** The fields of the "Connect your ticket server" form the app checks. */
export type SourceField = "url" | "project" | "name";

/**
 * The first empty field the action needs, as a form error naming it (the
 * form marks and focuses `field`); null when all are filled. Testing the
 * connection needs the URL and project; connecting needs the name too.
 * The form is `novalidate`, so this note replaces WebKit's own tooltip.
 * The wording follows the server `kind` (a Jira project has a key).
 */
export function missingSourceField(
  values: { url: string; project: string; name: string },
  action: "test" | "add",
  kind: SourceKind = "redmine",
): IpcError | null {
  const form = sourceKindForm(kind);
  const needed: [SourceField, string][] = [
    ["url", `Enter the server URL, e.g. ${form.urlPlaceholder}.`],
    ["project", form.projectHelp],
  ];
  if (action === "add") needed.push(["name", "Enter a name for this source in Hypercare (e.g. erp)."]);
  const missing = needed.find(([field]) => values[field].trim() === "");
  return missing ? { code: "invalid_input", message: missing[1], field: missing[0] } : null;
}

/**
 * Save where `source` writes confirmed categories and say what was saved.
 * A custom field that none of the source's synced tickets carries is
 * saved (the field may just be empty so far) with a warning to check the
 * id, since a wrong id is only found out when the push is rejected.
 */
export async function saveCategoryPush(
  backend: Pick<Backend, "setCategoryPushTarget" | "sourceFields">,
  source: string,
  target: string | null,
): Promise<string> {
  await backend.setCategoryPushTarget(source, target);
  if (target === null) return "Saved: confirmed categories are kept here only.";
  if (target === "issue_category") return "Saved: confirmed categories go to the issue category.";
  if (target.startsWith("field:")) return `Saved: confirmed categories go to the field ${target.slice(6)} of each record.`;
  const id = Number(target.split(":")[1]);
  const seen = await backend.sourceFields(source).then(
    (f) => f.seen,
    () => null,
  );
  const field = seen?.find((f) => f.id === id);
  if (field) return `Saved: confirmed categories go to the custom field “${field.name}” (#${id}).`;
  const warning = seen === null ? "" : ` No synced ticket of this source carries custom field #${id} yet: check the id on the server.`;
  return `Saved: confirmed categories go to custom field #${id}.${warning}`;
}
