import { describe, expect, it } from "vitest";

import { formatAgo, formatDate, formatDateTime } from "./format";

describe("how long ago", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const before = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it("reads naturally from seconds to days", () => {
    expect(formatAgo(before(10), now)).toBe("just now");
    expect(formatAgo(before(5 * 60), now)).toBe("5 min ago");
    expect(formatAgo(before(3 * 3600), now)).toBe("3 h ago");
    expect(formatAgo(before(26 * 3600), now)).toBe("1 day ago");
    expect(formatAgo(before(3 * 86_400), now)).toBe("3 days ago");
  });

  it("gives the date beyond a week", () => {
    const old = before(21 * 86_400);
    expect(formatAgo(old, now)).toBe(formatDate(old));
  });

  it("never calls a time after now 'just now'", () => {
    const later = new Date(now.getTime() + 2 * 3600 * 1000).toISOString();
    expect(formatAgo(later, now)).toBe(formatDateTime(later));
    expect(formatAgo(null, now)).toBe("never");
  });
});
