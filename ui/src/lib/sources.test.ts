import { describe, expect, it } from "vitest";

import { suggestSourceName } from "./sources";

describe("suggestSourceName", () => {
  it("keeps a Redmine identifier as it is", () => {
    expect(suggestSourceName("erp-rollout")).toBe("erp-rollout");
  });

  it("turns a display name into a name the shell accepts", () => {
    expect(suggestSourceName("  ERP Rollout (Dayton) ")).toBe("erp-rollout-dayton");
    expect(suggestSourceName("Société Générale")).toBe("soci-t-g-n-rale");
    expect(suggestSourceName("x".repeat(80))).toHaveLength(64);
    expect(suggestSourceName("***")).toBe("");
  });
});
