import { describe, expect, it } from "vitest";

import { missingSourceField, suggestSourceName } from "./sources";

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

describe("missingSourceField", () => {
  const filled = { url: "https://redmine.example.com", project: "erp-rollout", name: "erp" };

  it("names the first empty field the action needs, as a form error about that field", () => {
    const e = missingSourceField({ ...filled, url: "  " }, "add");
    expect(e).toMatchObject({ code: "invalid_input", field: "url" });
    expect(e?.message).toContain("server URL");
    expect(missingSourceField({ ...filled, project: "", name: "" }, "add")).toMatchObject({ field: "project" });
    expect(missingSourceField({ ...filled, project: "" }, "test")?.message).toContain("project identifier");
    expect(missingSourceField({ ...filled, name: "" }, "add")).toMatchObject({ field: "name" });
  });

  it("does not ask for a name to test the connection, and passes a filled form", () => {
    expect(missingSourceField({ ...filled, name: "" }, "test")).toBeNull();
    expect(missingSourceField(filled, "add")).toBeNull();
  });
});
