import { describe, expect, it } from "vitest";

import { FakeBackend, fakeSurveyPreview } from "../backend/fake";
import type { ImportSummary } from "../bindings/ImportSummary";
import { toIpcError } from "./errors";
import {
  importHint,
  layoutOf,
  mappingFromRoles,
  nameFromFile,
  rolesFromMapping,
  rowErrorLines,
  setRole,
  summaryLines,
  SurveyImportModel,
  type ImportView,
} from "./surveyImport";

const FILE = { path: "/data/pulse.csv", encoding: "utf-8", skipBadRows: false };

function setup() {
  const b = new FakeBackend();
  b.surveys.files.set(FILE.path, { preview: fakeSurveyPreview(), bad: [] });
  const views: ImportView[] = [];
  const m = new SurveyImportModel(b, (v) => views.push(v));
  return { b, m, last: () => views[views.length - 1] };
}

describe("column roles", () => {
  const p = fakeSurveyPreview();

  it("are prefilled from the guess, one per column", () => {
    expect(rolesFromMapping(p.columns, p.guess)).toEqual(["ignore", "timestamp", "ignore", "csat", "nps", "comment"]);
  });

  it("turn back into the guessed mapping unchanged when the user accepts them", () => {
    expect(mappingFromRoles(p.columns, rolesFromMapping(p.columns, p.guess), p.guess)).toEqual(p.guess);
  });

  it("keep one timestamp: choosing another column moves it", () => {
    const roles = setRole(rolesFromMapping(p.columns, p.guess), 0, "timestamp");
    expect(roles.slice(0, 2)).toEqual(["timestamp", "ignore"]);
    const m = mappingFromRoles(p.columns, roles, p.guess);
    expect("problem" in m ? m.problem : m.timestamp).toBe("ID");
  });

  it("say what is missing instead of building a mapping that cannot work", () => {
    const none = p.columns.map(() => "ignore" as const);
    expect(mappingFromRoles(p.columns, none, p.guess)).toEqual({ problem: expect.stringMatching(/Timestamp/) });
    const onlyTime = setRole(none, 1, "timestamp");
    expect(mappingFromRoles(p.columns, onlyTime, p.guess)).toEqual({ problem: expect.stringMatching(/score column/) });
  });

  it("match the header case-insensitively, as the import does", () => {
    const roles = rolesFromMapping(["timestamp ", "RATING"], { ...p.guess, timestamp: "Timestamp", scores: [{ column: "rating", scale: "csat15" }], comment: null });
    expect(roles).toEqual(["timestamp", "csat"]);
  });
});

describe("summary text", () => {
  const s: ImportSummary = {
    file: "pulse.csv",
    imported: 7,
    rows: 7,
    skipped: 2,
    errors: [{ line: 5, reason: 'column "Rating": "very good" is not a whole-number rating' }],
    out_of_range: 1,
    blank: 0,
    duplicates: 0,
  };

  it("counts what was imported and skipped, and lists bad rows with their line", () => {
    expect(summaryLines(s)).toEqual([
      "7 answers imported from pulse.csv.",
      "2 bad rows skipped (listed below).",
      "1 answer is outside the scale: kept, but left out of CSAT and NPS.",
    ]);
    expect(rowErrorLines(s)).toEqual(['line 5: column "Rating": "very good" is not a whole-number rating', "…and 1 more"]);
  });

  it("says how many rows the answers came from when a row holds several ratings", () => {
    // 3 good rows with CSAT and NPS each, 1 bad row skipped: not "6 answers" alone.
    const both = { ...s, imported: 6, rows: 3, skipped: 1, errors: [s.errors[0]], out_of_range: 0 };
    expect(summaryLines(both)[0]).toBe("6 answers (3 rows) imported from pulse.csv.");
  });

  it("names a mapping after its file", () => {
    expect(nameFromFile("Pulse survey (1).csv")).toBe("Pulse survey");
  });
});

describe("SurveyImportModel", () => {
  it("previews, saves the accepted guess under a name, imports with it", async () => {
    const { b, m, last } = setup();
    await m.preview(FILE);
    expect(last().step).toBe("map");
    expect(last().roles).toEqual(["ignore", "timestamp", "ignore", "csat", "nps", "comment"]);
    await m.saveAndImport("Pulse", FILE);
    expect(b.surveys.mappings.get("Pulse")).toEqual(fakeSurveyPreview().guess);
    expect(last().step).toBe("done");
    expect(last().summary?.imported).toBe(4);
    expect(last().saved).toEqual(["Pulse"]);
  });

  it("imports with a saved mapping without the column step", async () => {
    const { b, m, last } = setup();
    b.surveys.mappings.set("Pulse", fakeSurveyPreview().guess);
    await m.importWith("Pulse", FILE);
    expect(last().step).toBe("done");
    expect(last().preview).toBeNull();
    expect(b.surveys.imported).toEqual([FILE.path]);
  });

  it("shows a bad row's line, imports nothing, and imports the rest when asked to skip", async () => {
    const { b, m, last } = setup();
    b.surveys.files.set(FILE.path, { preview: fakeSurveyPreview(), bad: [{ line: 3, reason: "not a date" }] });
    b.surveys.mappings.set("Pulse", fakeSurveyPreview().guess);
    await m.importWith("Pulse", FILE);
    expect(last().error?.code).toBe("invalid_input");
    expect(last().error?.message).toContain("line 3");
    expect(last().importFailed).toBe(true);
    expect(last().error?.message).not.toContain("--");
    expect(importHint(last().error!, last().importFailed)).toMatch(/Skip bad rows/);
    expect(b.surveys.imported).toEqual([]);
    await m.importWith("Pulse", { ...FILE, skipBadRows: true });
    expect(last().summary && rowErrorLines(last().summary!)).toEqual(["line 3: not a date"]);
  });

  it("gives the panel's own hint for the kind of problem, never the CLI's flags", () => {
    const bad = importHint({ code: "invalid_input", message: "x.csv line 3: not a date. Nothing was imported", problem: "bad_row" }, true);
    expect(bad).toMatch(/Skip bad rows/);
    expect(`${"x.csv line 3: not a date. Nothing was imported"} ${bad}`.match(/othing was imported/g)).toHaveLength(1);
    const enc = importHint({ code: "invalid_input", message: "x.csv is not UTF-8: byte 0xE9 on line 2", problem: "encoding" }, true);
    expect(enc).toMatch(/Latin-1 encoding/);
    expect(enc).not.toMatch(/Skip bad rows/);
    for (const h of [bad, enc]) expect(h).not.toContain("--");
  });

  it("keeps the kind of import problem when the shell's error arrives", () => {
    expect(toIpcError({ code: "invalid_input", message: "m", problem: "encoding" })).toEqual({ code: "invalid_input", message: "m", problem: "encoding" });
    expect(toIpcError({ code: "invalid_input", message: "m", problem: "nonsense" })).toEqual({ code: "invalid_input", message: "m" });
  });

  it("refuses a second import of the same file, and an empty path without calling the shell", async () => {
    const { b, m, last } = setup();
    b.surveys.mappings.set("Pulse", fakeSurveyPreview().guess);
    await m.importWith("Pulse", FILE);
    await m.importWith("Pulse", FILE);
    expect(last().error?.code).toBe("conflict");
    expect(importHint(last().error!, last().importFailed)).toMatch(/imported before/);
    await m.preview({ ...FILE, path: "  " });
    expect(last().error?.message).toMatch(/path/);
    expect(last().importFailed).toBe(false);
  });

  it("keeps the column step and says why when the roles cannot make a mapping", async () => {
    const { b, m, last } = setup();
    await m.preview(FILE);
    m.setRole(1, "ignore");
    await m.saveAndImport("Pulse", FILE);
    expect(last().step).toBe("map");
    expect(last().error?.message).toMatch(/Timestamp/);
    expect(b.surveys.mappings.size).toBe(0);
  });

  it("reads the file again with the header lines and separator the user sets", async () => {
    const { b, m, last } = setup();
    await m.preview(FILE);
    await m.preview(FILE, layoutOf(last().preview!, { header_rows: 3 }));
    expect(b.surveys.layouts).toEqual([null, { header_rows: 3, delimiter: "," }]);
    expect(last().preview?.guess.header_rows).toBe(3);
    expect(last().step).toBe("map");
    await m.saveAndImport("Qualtrics", FILE);
    expect(b.surveys.mappings.get("Qualtrics")?.header_rows).toBe(3);
  });

  it("says a missing file is missing", async () => {
    const { m, last } = setup();
    await m.preview({ ...FILE, path: "/nope.csv" });
    expect(last().error?.code).toBe("not_found");
    expect(importHint(last().error!, last().importFailed)).toMatch(/Check the path/);
    expect(last().step).toBe("file");
  });
});
