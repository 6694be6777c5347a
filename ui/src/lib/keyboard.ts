// Keyboard navigation of the inbox, as a pure function of the key and the
// list's state so it can be tested without a DOM.

export type KeyAction =
  | { kind: "focus-search" }
  | { kind: "select"; index: number }
  | { kind: "open"; index: number }
  | { kind: "close-detail" }
  | { kind: "leave-search" }
  | { kind: "load-more" }
  | { kind: "none" };

export interface ListState {
  /** Selected row, -1 for none. */
  index: number;
  count: number;
  /** Focus is in a text field (the search box or a filter). */
  inTextField: boolean;
  detailOpen: boolean;
  /** More rows can be loaded after the last one. */
  hasMore?: boolean;
}

/**
 * `/` focuses search; ArrowDown/ArrowUp (also from the search box) and j/k
 * (outside text fields) move; Enter opens; Escape closes the detail, or
 * leaves the search box.
 */
export function inboxKey(key: string, s: ListState, mods: { ctrl?: boolean; meta?: boolean; alt?: boolean } = {}): KeyAction {
  if (mods.ctrl || mods.meta || mods.alt) return { kind: "none" };
  const last = s.count - 1;
  switch (key) {
    case "/":
      return s.inTextField ? { kind: "none" } : { kind: "focus-search" };
    case "ArrowDown":
    case "j":
      if ((key === "j" && s.inTextField) || s.count === 0) return { kind: "none" };
      // Down from the last loaded row loads the next page (the cursor stays).
      if (s.index >= last && s.hasMore) return { kind: "load-more" };
      return { kind: "select", index: Math.min(s.index + 1, last) };
    case "ArrowUp":
    case "k":
      if ((key === "k" && s.inTextField) || s.count === 0) return { kind: "none" };
      return { kind: "select", index: Math.max(s.index - 1, 0) };
    case "Home":
      return s.inTextField || s.count === 0 ? { kind: "none" } : { kind: "select", index: 0 };
    case "End":
      return s.inTextField || s.count === 0 ? { kind: "none" } : { kind: "select", index: last };
    case "Enter":
      return s.index >= 0 && s.index <= last ? { kind: "open", index: s.index } : { kind: "none" };
    case "Escape":
      if (s.detailOpen) return { kind: "close-detail" };
      return s.inTextField ? { kind: "leave-search" } : { kind: "none" };
    default:
      return { kind: "none" };
  }
}
