import { describe, expect, it } from "vitest";

import { bannerFor, IDLE_STATUS } from "./status";

const offline = {
  ...IDLE_STATUS,
  online: false,
  last_error: { code: "offline" as const, message: "cannot reach http://127.0.0.1:3303" },
};

describe("bannerFor", () => {
  it("shows the offline banner while the last sync could not reach a server", () => {
    expect(bannerFor(offline, 1, false)).toBe("offline");
    expect(bannerFor({ ...offline, running: true }, 1, false)).toBe("offline");
  });

  it("shows other sync failures once the run is over, and nothing when all is well", () => {
    const auth = { ...IDLE_STATUS, last_error: { code: "auth" as const, message: "401" } };
    expect(bannerFor(auth, 1, false)).toBe("sync-error");
    expect(bannerFor({ ...auth, running: true }, 1, false)).toBeNull();
    expect(bannerFor(IDLE_STATUS, 2, false)).toBeNull();
  });

  it("offers the demo banner only without a server, until dismissed", () => {
    expect(bannerFor(IDLE_STATUS, 0, false)).toBe("demo");
    expect(bannerFor(IDLE_STATUS, 0, true)).toBeNull();
    expect(bannerFor(offline, 0, false)).toBe("demo");
  });
});
