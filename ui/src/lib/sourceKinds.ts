// The "Connect your ticket server" form, per server kind: one entry per kind
// the app can sync, so adding a kind is adding a row (labels, placeholders,
// help texts), not editing the form.
import type { SourceKind } from "../bindings/SourceKind";

/** What the form says for one kind of server. */
export interface KindForm {
  kind: SourceKind;
  /** The option in the "Server type" list. */
  label: string;
  urlPlaceholder: string;
  /** Example URL in the "enter the URL" note. */
  urlExample: string;
  projectLabel: string;
  projectPlaceholder: string;
  /** Shown under the project field. */
  projectHelp: string;
  /** The note when the project field is empty. */
  projectMissing: string;
  tokenLabel: string;
  tokenPlaceholder: string;
  /** Shown under the token field. */
  tokenHelp: string;
  /** The source name suggested from what was typed as the project. */
  suggestFrom: (project: string) => string;
}

/** The kinds the form offers, in the order of the list. */
export const KIND_FORMS: KindForm[] = [
  {
    kind: "redmine",
    label: "Redmine",
    urlPlaceholder: "https://redmine.example.com",
    urlExample: "https://redmine.example.com",
    projectLabel: "Project identifier",
    projectPlaceholder: "erp-rollout",
    projectHelp: "The identifier in the project's URL: …/projects/erp-rollout.",
    projectMissing: "Enter the project identifier, as in the project's URL on the server (e.g. erp-rollout).",
    tokenLabel: "API token",
    tokenPlaceholder: "Redmine: My account → API access key",
    tokenHelp: "",
    suggestFrom: (project) => project,
  },
  {
    kind: "service_now",
    label: "ServiceNow",
    urlPlaceholder: "https://yourcompany.service-now.com",
    urlExample: "https://yourcompany.service-now.com",
    projectLabel: "Table and filter",
    projectPlaceholder: "incident: assignment_group.name=Hypercare",
    projectHelp:
      "The table (usually incident), optionally followed by “:” and an encoded query for your team's queue, as copied from a list's filter (Copy query). No ORDERBY.",
    projectMissing: "Enter the table to sync, e.g. incident, or incident: assignment_group.name=Hypercare for one group's queue.",
    tokenLabel: "Credentials",
    tokenPlaceholder: "user:password, or an OAuth token",
    tokenHelp: "user:password signs in with basic authentication (an integration user with read access is enough); anything else is sent as an OAuth bearer token.",
    // "incident: assignment_group.name=Hypercare" → "Hypercare"; else the table.
    suggestFrom: (project) => {
      const [table, query = ""] = project.split(/:(.*)/s);
      const m = /^\s*[\w.]+=([^=<>!^]+)$/.exec(query.split("^").pop() ?? "");
      return m?.[1].trim() || table;
    },
  },
];

/** The form of `kind` (Redmine's for a kind the form does not offer). */
export function kindForm(kind: SourceKind): KindForm {
  return KIND_FORMS.find((k) => k.kind === kind) ?? KIND_FORMS[0];
}

/** How a source's kind is named in the list of sources. */
export function kindLabel(kind: SourceKind): string {
  return kind === "demo" ? "Built-in demo" : (KIND_FORMS.find((k) => k.kind === kind)?.label ?? kind);
}
