import { describe, expect, it } from "vitest";

import { FakeBackend } from "../backend/fake";
import { missingSourceField } from "./sources";
import { SOURCE_KINDS, sourceKindForm, sourceLine } from "./sourceKinds";

describe("SOURCE_KINDS", () => {
  it("offers Redmine, Jira, ServiceNow and Zendesk, each with every text the form shows", () => {
    expect(SOURCE_KINDS.map((k) => k.kind)).toEqual(expect.arrayContaining(["redmine", "jira", "service_now", "zendesk"]));
    expect(new Set(SOURCE_KINDS.map((k) => k.kind)).size).toBe(SOURCE_KINDS.length);
    for (const k of SOURCE_KINDS) {
      for (const text of [k.label, k.urlPlaceholder, k.projectLabel, k.projectPlaceholder, k.projectHelp, k.tokenPlaceholder, k.tokenHelp]) {
        expect(text.trim(), `${k.kind}`).not.toBe("");
      }
    }
  });

  it("asks Jira for a project key and an email:api token, with an atlassian.net URL", () => {
    const j = sourceKindForm("jira");
    expect(j.projectLabel).toBe("Project key");
    expect(j.urlPlaceholder).toContain("atlassian.net");
    expect(j.tokenPlaceholder).toBe("email:api token");
    expect(j.tokenHelp).toContain("id.atlassian.com");
    expect(sourceKindForm("redmine").projectLabel).toBe("Project identifier");
  });

  it("asks Zendesk for a scope (* or group:ID) and an email/token: secret", () => {
    const z = sourceKindForm("zendesk");
    expect(z.kind).toBe("zendesk");
    expect(z.projectPlaceholder).toBe("*");
    expect(z.projectHelp).toContain("group:ID");
    expect(z.tokenPlaceholder).toContain("/token:");
  });

  it("says what to type for ServiceNow: an instance URL, a table with an optional query, user:password or a token", () => {
    const sn = sourceKindForm("service_now");
    expect(sn.kind).toBe("service_now");
    expect(sn.urlPlaceholder).toContain("service-now.com");
    expect(sn.projectLabel).toBe("Table and filter");
    expect(sn.projectPlaceholder).toMatch(/^incident: /);
    expect(sn.projectHelp).toContain("encoded query");
    expect(sn.tokenPlaceholder).toContain("user:password");
    expect(sn.tokenHelp).toContain("bearer");
    const e = missingSourceField({ url: "https://x.service-now.com", project: " ", name: "sn" }, "test", "service_now");
    expect(e).toMatchObject({ code: "invalid_input", field: "project" });
    expect(e?.message).toContain("incident");
  });

  it("falls back to Redmine's wording for a kind without a row", () => {
    expect(sourceKindForm("demo").kind).toBe("redmine");
  });
});

describe("missingSourceField per kind", () => {
  it("names the Jira project key and Jira's URL form", () => {
    const filled = { url: "https://acme.atlassian.net", project: "ERP", name: "erp" };
    expect(missingSourceField({ ...filled, project: "" }, "test", "jira")?.message).toContain("project key");
    expect(missingSourceField({ ...filled, url: "" }, "add", "jira")?.message).toContain("https://your-site.atlassian.net");
    expect(missingSourceField({ ...filled, project: "" }, "test")?.message).toContain("project identifier");
  });
});

describe("the fake backend keeps the kind", () => {
  it("adds a Jira source as Jira and reports no ticket count for it, as the core does", async () => {
    const b = new FakeBackend();
    const server = { kind: "jira" as const, url: "https://acme.atlassian.net", project: "ERP", token: "a@b.c:t" };
    expect((await b.testConnection(server)).ticket_count).toBeNull();
    const added = await b.addSource({ name: "erp", server });
    expect(added.source.kind).toBe("jira");
    expect((await b.listSources()).find((s) => s.name === "erp")?.kind).toBe("jira");
  });
});

describe("sourceLine", () => {
  it("names the server kind as the form does, not by its key", () => {
    expect(sourceLine({ kind: "service_now", url: "https://acme.service-now.com", project: "incident" })).toBe(
      "ServiceNow · https://acme.service-now.com · incident",
    );
    expect(sourceLine({ kind: "zendesk", url: "https://acme.zendesk.com", project: "*" })).toBe("Zendesk Support · https://acme.zendesk.com · *");
    expect(sourceLine({ kind: "demo", url: "demo://", project: "" })).toBe("Built-in demo");
  });
});
