// The app's navigation. Views marked `soon` are placeholders for features
// that are being built (validation, outbox, KPIs, triage, themes).

export type ViewId = "inbox" | "sources" | "validation" | "outbox" | "kpis" | "triage" | "themes";

export interface NavItem {
  id: ViewId;
  label: string;
  soon: boolean;
}

export const NAV: readonly NavItem[] = [
  { id: "inbox", label: "Inbox", soon: false },
  { id: "validation", label: "Validation queue", soon: true },
  { id: "outbox", label: "Outbox", soon: true },
  { id: "kpis", label: "KPIs dashboard", soon: false },
  { id: "triage", label: "Triage", soon: true },
  { id: "themes", label: "Themes", soon: true },
  { id: "sources", label: "Sources", soon: false },
];
