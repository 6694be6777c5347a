import { describe, expect, it } from "vitest";

import type { Source } from "../bindings/Source";
import { bannerFor, failedServers, IDLE_STATUS, overallStatus } from "./status";

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

describe("overallStatus", () => {
  const server = (name: string, last: "ok" | "failed" | null): Source => ({
    id: name.length,
    name,
    kind: "redmine",
    url: `http://${name}`,
    project: "erp",
    token_env: null,
    last_sync_at: last ? "2026-11-28T04:00:00Z" : null,
    last_sync_status: last,
    last_sync_error: last === "failed" ? "cannot reach it" : null,
  });

  it("drops an offline state once the failing server is gone", () => {
    // The unreachable source was removed; the one left synced fine.
    const s = overallStatus(offline, [server("erp", "ok")]);
    expect(s.online).toBe(true);
    expect(s.last_error).toBeNull();
    expect(bannerFor(s, 1, false)).toBeNull();
  });

  it("keeps a failure while a server's last sync failed, and during a run", () => {
    expect(overallStatus(offline, [server("erp", "ok"), server("bad", "failed")])).toEqual(offline);
    expect(overallStatus({ ...offline, running: true }, [server("erp", "ok")])).toEqual({ ...offline, running: true });
  });

  it("counts the servers whose last sync failed, even after another synced alone", () => {
    expect(failedServers([server("erp", "ok"), server("bad", "failed"), server("new", null)]).map((s) => s.name)).toEqual(["bad"]);
  });
});
