// The app's navigation. Views marked `soon` are placeholders for features
// that are being built (none at the moment).

export type ViewId = "inbox" | "sources" | "validation" | "outbox" | "kpis" | "triage" | "themes";

export interface NavItem {
  id: ViewId;
  label: string;
  soon: boolean;
}

export const NAV: readonly NavItem[] = [
  { id: "inbox", label: "Inbox", soon: false },
  { id: "validation", label: "Validation queue", soon: false },
  { id: "outbox", label: "Outbox", soon: false },
  { id: "kpis", label: "KPIs dashboard", soon: false },
  { id: "triage", label: "Triage", soon: false },
  { id: "themes", label: "Themes", soon: false },
  { id: "sources", label: "Sources", soon: false },
];

/** Counts shown next to nav items (fixes awaiting validation, unsent validations). */
export type NavBadges = Partial<Record<ViewId, number>>;
