import { describe, expect, it } from "vitest";

import { inboxKey, type ListState } from "./keyboard";

const list = (index: number, extra: Partial<ListState> = {}): ListState => ({
  index,
  count: 3,
  inTextField: false,
  detailOpen: false,
  ...extra,
});

describe("inboxKey", () => {
  it("down from the last loaded row loads the next page, and only then", () => {
    expect(inboxKey("j", list(2, { hasMore: true }))).toEqual({ kind: "load-more" });
    expect(inboxKey("ArrowDown", list(2, { hasMore: true }))).toEqual({ kind: "load-more" });
    expect(inboxKey("j", list(1, { hasMore: true }))).toEqual({ kind: "select", index: 2 });
    expect(inboxKey("j", list(2))).toEqual({ kind: "select", index: 2 });
  });

  it("slash focuses search, but types a slash inside the search box", () => {
    expect(inboxKey("/", list(0))).toEqual({ kind: "focus-search" });
    expect(inboxKey("/", list(0, { inTextField: true }))).toEqual({ kind: "none" });
  });

  it("j/k and arrows move and stop at the ends", () => {
    expect(inboxKey("j", list(0))).toEqual({ kind: "select", index: 1 });
    expect(inboxKey("ArrowDown", list(2))).toEqual({ kind: "select", index: 2 });
    expect(inboxKey("k", list(1))).toEqual({ kind: "select", index: 0 });
    expect(inboxKey("ArrowUp", list(0))).toEqual({ kind: "select", index: 0 });
    expect(inboxKey("ArrowDown", list(-1))).toEqual({ kind: "select", index: 0 });
  });

  it("j and k are letters in the search box; arrows still move from it", () => {
    expect(inboxKey("j", list(0, { inTextField: true }))).toEqual({ kind: "none" });
    expect(inboxKey("k", list(0, { inTextField: true }))).toEqual({ kind: "none" });
    expect(inboxKey("ArrowDown", list(0, { inTextField: true }))).toEqual({ kind: "select", index: 1 });
  });

  it("Enter opens the selected row, nothing when none is selected", () => {
    expect(inboxKey("Enter", list(1))).toEqual({ kind: "open", index: 1 });
    expect(inboxKey("Enter", list(-1))).toEqual({ kind: "none" });
    expect(inboxKey("Enter", list(0, { count: 0 }))).toEqual({ kind: "none" });
  });

  it("Escape closes the detail first, then leaves the search box", () => {
    expect(inboxKey("Escape", list(0, { detailOpen: true, inTextField: true }))).toEqual({ kind: "close-detail" });
    expect(inboxKey("Escape", list(0, { inTextField: true }))).toEqual({ kind: "leave-search" });
    expect(inboxKey("Escape", list(0))).toEqual({ kind: "none" });
  });

  it("an empty list does not move, and shortcuts with modifiers are left alone", () => {
    expect(inboxKey("j", list(-1, { count: 0 }))).toEqual({ kind: "none" });
    expect(inboxKey("/", list(0), { ctrl: true })).toEqual({ kind: "none" });
  });
});
