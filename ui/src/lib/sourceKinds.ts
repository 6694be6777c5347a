// What the "Connect your ticket server" form says for each server kind.
// One row per kind the app can sync; the form's kind <select> lists them in
// this order. A new kind is one more row here (and its connector in the core).
import type { SourceKind } from "../bindings/SourceKind";

export interface SourceKindForm {
  kind: SourceKind;
  /** The <option> text. */
  label: string;
  urlPlaceholder: string;
  /** What the server calls a project, as the field's label. */
  projectLabel: string;
  projectPlaceholder: string;
  /** Said when the project field is empty. */
  projectHelp: string;
  tokenPlaceholder: string;
  /** Where to get the token, under the field. */
  tokenHelp: string;
}

export const SOURCE_KINDS: readonly SourceKindForm[] = [
  {
    kind: "redmine",
    label: "Redmine",
    urlPlaceholder: "https://redmine.example.com",
    projectLabel: "Project identifier",
    projectPlaceholder: "erp-rollout",
    projectHelp: "Enter the project identifier, as in the project's URL on the server (e.g. erp-rollout).",
    tokenPlaceholder: "Redmine: My account → API access key",
    tokenHelp: "Your API access key, from My account on the Redmine server.",
  },
  {
    kind: "jira",
    label: "Jira Cloud",
    urlPlaceholder: "https://your-site.atlassian.net",
    projectLabel: "Project key",
    projectPlaceholder: "ERP",
    projectHelp: "Enter the Jira project key, the letters before the number in an issue key (ERP for ERP-123).",
    tokenPlaceholder: "email:api token",
    tokenHelp:
      "Your Atlassian account email and an API token, joined by a colon: you@example.com:ATATT… (create the token at id.atlassian.com → Security → API tokens). Read access is enough.",
  },
  {
    kind: "service_now",
    label: "ServiceNow",
    urlPlaceholder: "https://yourcompany.service-now.com",
    projectLabel: "Table and filter",
    projectPlaceholder: "incident: assignment_group.name=Hypercare",
    projectHelp:
      "Enter the table to sync, e.g. incident, optionally followed by “:” and an encoded query for your team's queue (as copied with Copy query; no ORDERBY).",
    tokenPlaceholder: "user:password, or an OAuth token",
    tokenHelp:
      "user:password signs in with basic authentication (an integration user with read access is enough); anything else is sent as an OAuth bearer token.",
  },
  {
    kind: "zendesk",
    label: "Zendesk Support",
    urlPlaceholder: "https://your-company.zendesk.com",
    projectLabel: "Tickets to sync",
    projectPlaceholder: "*",
    projectHelp:
      "Enter * for every ticket, or group:ID, brand:ID or organization:ID to sync one group, brand or organization (the number in its Admin Center page's URL).",
    tokenPlaceholder: "email/token:api token",
    tokenHelp:
      "Your Zendesk email and an API token as you@example.com/token:API_TOKEN (create the token in Admin Center → Apps and integrations → Zendesk API), or an OAuth access token. Reading the ticket export needs an admin (or an agent allowed to export).",
  },
];

/** The form's wording for `kind` (Redmine's for a kind without a row). */
export function sourceKindForm(kind: SourceKind): SourceKindForm {
  return SOURCE_KINDS.find((k) => k.kind === kind) ?? SOURCE_KINDS[0];
}

/** How a source reads in the list of sources: its server kind by name
 *  ("ServiceNow · https://… · incident"), or "Built-in demo". */
export function sourceLine(s: { kind: SourceKind; url: string; project: string }): string {
  if (s.kind === "demo") return "Built-in demo";
  const row = SOURCE_KINDS.find((k) => k.kind === s.kind);
  return `${row?.label ?? s.kind} · ${s.url} · ${s.project}`;
}
