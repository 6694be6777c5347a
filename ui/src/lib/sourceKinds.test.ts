import { describe, expect, it } from "vitest";

import { KIND_FORMS, kindForm, kindLabel } from "./sourceKinds";
import { missingSourceField, suggestSourceName } from "./sources";

describe("the per-kind source form", () => {
  it("offers Redmine and ServiceNow, each once", () => {
    expect(KIND_FORMS.map((k) => [k.kind, k.label])).toEqual([
      ["redmine", "Redmine"],
      ["service_now", "ServiceNow"],
    ]);
  });

  it("says what to type for ServiceNow: an instance URL, a table with an optional query, user:password or a token", () => {
    const sn = kindForm("service_now");
    expect(sn.urlPlaceholder).toContain("service-now.com");
    expect(sn.projectLabel).toBe("Table and filter");
    expect(sn.projectPlaceholder).toMatch(/^incident: /);
    expect(sn.projectHelp).toContain("encoded query");
    expect(sn.tokenPlaceholder).toContain("user:password");
    expect(sn.tokenHelp).toContain("bearer");
    // Redmine keeps its own words.
    expect(kindForm("redmine").projectLabel).toBe("Project identifier");
    expect(kindForm("redmine").urlPlaceholder).not.toContain("service-now");
  });

  it("names an empty field in the chosen kind's words", () => {
    const e = missingSourceField({ url: "https://x.service-now.com", project: " ", name: "sn" }, "test", "service_now");
    expect(e).toMatchObject({ code: "invalid_input", field: "project" });
    expect(e?.message).toContain("incident");
    expect(missingSourceField({ url: "", project: "incident", name: "sn" }, "test", "service_now")?.message).toContain("service-now.com");
    expect(missingSourceField({ url: "", project: "erp", name: "erp" }, "test")?.message).toContain("redmine.example.com");
  });

  it("suggests a source name from the queue's value, else the table", () => {
    const name = (kind: "redmine" | "service_now", project: string) => suggestSourceName(kindForm(kind).suggestFrom(project));
    expect(name("service_now", "incident: assignment_group.name=Hypercare Team")).toBe("hypercare-team");
    expect(name("service_now", "incident: opened_at>=javascript:gs.daysAgoStart(30)")).toBe("incident");
    expect(name("service_now", "incident")).toBe("incident");
    expect(name("redmine", "erp-rollout")).toBe("erp-rollout");
  });

  it("names kinds in the list of sources", () => {
    expect(kindLabel("service_now")).toBe("ServiceNow");
    expect(kindLabel("demo")).toBe("Built-in demo");
    expect(kindLabel("zendesk")).toBe("zendesk");
  });
});
