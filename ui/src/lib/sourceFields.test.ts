import { describe, expect, it } from "vitest";

import { FakeBackend, fakeTriage } from "../backend/fake";
import { choiceFromForm, fieldLabel, formFromFields, saveFields } from "./sourceFields";

const seen = [
  { id: 7, name: "Impact", tickets: 3, examples: ["Team", "Department"] },
  { id: 8, name: "Urgency", tickets: 1, examples: ["1 - Critical"] },
  { id: 9, name: "Satisfaction", tickets: 1200, examples: [] },
];

function backend() {
  const b = new FakeBackend();
  b.triage = [fakeTriage(1, "Bank file rejected"), fakeTriage(2, "Scanner lag")];
  b.seenFields["erp"] = seen;
  return b;
}

describe("the fields-on-the-server setting", () => {
  it("lists a field by name, id, how many tickets hold it and its frequent values", () => {
    expect(fieldLabel(seen[0])).toBe("Impact (#7) — 3 tickets, e.g. Team, Department");
    expect(fieldLabel(seen[1])).toBe("Urgency (#8) — 1 ticket, e.g. 1 - Critical");
    expect(fieldLabel(seen[2])).toBe("Satisfaction (#9) — 1,200 tickets");
  });

  it("refuses one field for two roles, naming the field and both roles", () => {
    const r = choiceFromForm({ impact: "8", urgency: "8", csat: "" }, seen);
    expect(r).toEqual({ ok: false, message: "Urgency cannot hold both impact and urgency: choose another field for one of them" });
    expect(choiceFromForm({ impact: "", urgency: "8", csat: "9" }, seen)).toEqual({ ok: true, choice: { impact: null, urgency: 8, csat: 9 } });
  });

  it("saves the choice and triages the stored tickets again when impact or urgency changed", async () => {
    const b = backend();
    const before = await b.sourceFields("erp");
    expect(formFromFields(before)).toEqual({ impact: "", urgency: "", csat: "" });
    const saved = await saveFields(b, "erp", before, { impact: null, urgency: 8, csat: null });
    expect(saved.fields.urgency_field).toBe(8);
    expect(saved.note).toBe("Saved. 2 tickets triaged again: impact and urgency come from the chosen fields where a ticket has a value, else from the text.");
    expect(formFromFields(await b.sourceFields("erp"))).toEqual({ impact: "", urgency: "8", csat: "" });
    // Only the satisfaction field changed: no re-run is needed.
    const again = await saveFields(b, "erp", saved.fields, { impact: null, urgency: 8, csat: 9 });
    expect(again.note).toBe("Saved.");
    const cleared = await saveFields(b, "erp", again.fields, { impact: null, urgency: null, csat: 9 });
    expect(cleared.note).toContain("come from the text again");
  });

  it("says a Jira field is fetched from the next sync once chosen", async () => {
    const b = backend();
    b.seenFields["jsm"] = [{ id: 10004, name: "Impact", tickets: 0, examples: [] }];
    b.fieldsOnRequest = ["jsm"];
    const before = await b.sourceFields("jsm");
    expect(fieldLabel(before.seen[0], before.on_request)).toBe("Impact (#10004) — read from the next sync once chosen");
    expect(fieldLabel(seen[0], true)).toBe("Impact (#7) — 3 tickets, e.g. Team, Department");
    const saved = await saveFields(b, "jsm", before, { impact: 10004, urgency: null, csat: null });
    expect(saved.note).toContain("the next sync reads every ticket again");
    // A Redmine source's tickets already carry every field.
    expect((await saveFields(b, "erp", await b.sourceFields("erp"), { impact: 7, urgency: null, csat: null })).note).not.toContain("next sync");
  });

  it("passes the shell's refusal on and keeps what was saved", async () => {
    const b = backend();
    await expect(b.setSourceFields("erp", { impact: 7, urgency: 7, csat: null })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await b.sourceFields("erp")).impact_field).toBeNull();
  });
});
