// Importing survey answers from a CSV export: preview the file, let the
// user confirm one role per column (prefilled from the shell's guess), save
// the mapping under a name, import. A saved mapping skips the column step.
import type { Backend } from "../backend/types";
import type { FileLayout } from "../bindings/FileLayout";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { IpcError } from "../bindings/IpcError";
import type { SurveyMapping } from "../bindings/SurveyMapping";
import type { SurveyPreview } from "../bindings/SurveyPreview";
import { toIpcError } from "./errors";

/** What a column holds. */
export type Role = "ignore" | "timestamp" | "respondent" | "csat" | "nps" | "comment";

export const ROLES: readonly { id: Role; label: string }[] = [
  { id: "ignore", label: "Ignore" },
  { id: "timestamp", label: "Timestamp" },
  { id: "respondent", label: "Respondent" },
  { id: "csat", label: "Score 1–5 (CSAT)" },
  { id: "nps", label: "Score 0–10 (NPS)" },
  { id: "comment", label: "Comment" },
];

/** Field separators the user can choose (the guess tries the same). */
export const SEPARATORS: readonly { id: string; label: string }[] = [
  { id: ",", label: "Comma ," },
  { id: ";", label: "Semicolon ;" },
  { id: "\t", label: "Tab" },
];

/** The layout a preview was read with, with one field changed by the user. */
export function layoutOf(p: SurveyPreview, change: Partial<FileLayout>): FileLayout {
  return { header_rows: p.guess.header_rows, delimiter: p.guess.delimiter ?? ",", ...change };
}

/** Roles only one column can have. */
const SINGLE: readonly Role[] = ["timestamp", "respondent", "comment"];

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** One role per column, read from a mapping (the first column of a name wins, as in the import). */
export function rolesFromMapping(columns: string[], m: SurveyMapping): Role[] {
  const roles: Role[] = columns.map(() => "ignore");
  const put = (name: string | null, role: Role) => {
    const i = name === null ? -1 : columns.findIndex((c) => same(c, name));
    if (i >= 0 && roles[i] === "ignore") roles[i] = role;
  };
  put(m.timestamp, "timestamp");
  put(m.respondent, "respondent");
  put(m.comment, "comment");
  for (const s of m.scores) put(s.column, s.scale === "nps010" ? "nps" : "csat");
  return roles;
}

/** Give column `i` the role `role`; a timestamp, respondent or comment moves from any other column. */
export function setRole(roles: Role[], i: number, role: Role): Role[] {
  return roles.map((r, k) => (k === i ? role : SINGLE.includes(role) && r === role ? "ignore" : r));
}

/**
 * The mapping the roles describe (header lines, delimiter and time format
 * kept from `base`), or what is missing in words.
 */
export function mappingFromRoles(columns: string[], roles: Role[], base: SurveyMapping): SurveyMapping | { problem: string } {
  const of = (role: Role) => columns.filter((_, i) => roles[i] === role);
  const timestamp = of("timestamp");
  const scores = [
    ...columns.flatMap((c, i) => (roles[i] === "csat" ? [{ column: c, scale: "csat15" as const }] : [])),
    ...columns.flatMap((c, i) => (roles[i] === "nps" ? [{ column: c, scale: "nps010" as const }] : [])),
  ];
  if (timestamp.length !== 1) return { problem: "Choose the column that holds when each answer was given (Timestamp)." };
  if (scores.length === 0) return { problem: "Choose at least one score column (1–5 or 0–10)." };
  return {
    ...base,
    timestamp: timestamp[0],
    respondent: of("respondent")[0] ?? null,
    comment: of("comment")[0] ?? null,
    scores,
  };
}

/** A mapping name from the file name: `Pulse survey (1).csv` → `Pulse survey`. */
export function nameFromFile(file: string): string {
  return file
    .replace(/\.[^.]*$/, "")
    .replace(/\s*\(\d+\)$/, "")
    .trim();
}

/** The summary in lines a manager reads. */
export function summaryLines(s: ImportSummary): string[] {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const rows = s.rows > 0 && s.rows !== s.imported ? ` (${n(s.rows, "row", "rows")})` : "";
  const lines = [`${n(s.imported, "answer", "answers")}${rows} imported from ${s.file}.`];
  if (s.skipped > 0) lines.push(`${n(s.skipped, "bad row", "bad rows")} skipped (listed below).`);
  if (s.duplicates > 0) lines.push(`${n(s.duplicates, "answer was", "answers were")} already there and not added again.`);
  if (s.out_of_range > 0) lines.push(`${n(s.out_of_range, "answer is", "answers are")} outside the scale: kept, but left out of CSAT and NPS.`);
  if (s.blank > 0) lines.push(`${n(s.blank, "row has", "rows have")} no rating and ${s.blank === 1 ? "was" : "were"} left out.`);
  return lines;
}

/** The listed bad rows as `line N: reason`, with a note when there were more. */
export function rowErrorLines(s: ImportSummary): string[] {
  const lines = s.errors.map((e) => `line ${e.line}: ${e.reason}`);
  if (s.skipped > s.errors.length) lines.push(`…and ${s.skipped - s.errors.length} more`);
  return lines;
}

/**
 * What to do after a failed preview or import, by code (never by the
 * message's words); `importing`: the import itself failed.
 */
export function importHint(e: IpcError, importing: boolean): string {
  // The message names the problem (line, column, byte); the advice is the panel's own.
  // A bad row's message already says nothing was imported.
  if (e.problem === "bad_row")
    return "Fix the named line in the file, or tick “Skip bad rows” to import the other rows (the skipped ones are listed).";
  if (e.problem === "encoding")
    return "The file is not UTF-8: choose the Latin-1 encoding above (files saved by older Excel versions), or export it again as “CSV UTF-8”.";
  switch (e.code) {
    case "invalid_input":
      return importing
        ? "Nothing was imported. If a line is named above, fix it or tick “Skip bad rows” to import the others; if a column is missing, choose the columns anew for this file."
        : "Check that this is a CSV export; for files saved by older Excel versions choose the Latin-1 encoding.";
    case "conflict":
      return "This exact file was imported before; its answers are already counted.";
    case "not_found":
      return "Check the path: the file or the saved mapping does not exist.";
    default:
      return importing ? "Nothing was imported." : "See the log file for details.";
  }
}

export type Step = "file" | "map" | "done";

export interface ImportView {
  step: Step;
  saved: string[];
  preview: SurveyPreview | null;
  roles: Role[];
  summary: ImportSummary | null;
  busy: boolean;
  error: IpcError | null;
  /** True when `error` came from the import itself (a hint applies). */
  importFailed: boolean;
}

export function initialImportView(): ImportView {
  return { step: "file", saved: [], preview: null, roles: [], summary: null, busy: false, error: null, importFailed: false };
}

type ImportBackend = Pick<Backend, "previewSurvey" | "surveyMappings" | "saveSurveyMapping" | "importSurveyFile">;

/** What the file step asks for. */
export interface FileChoice {
  path: string;
  /** `utf-8` or `latin1`. */
  encoding: string;
  skipBadRows: boolean;
}

export class SurveyImportModel {
  constructor(
    private backend: ImportBackend,
    private onChange: (v: ImportView) => void,
    private view: ImportView = initialImportView(),
  ) {}

  private set(patch: Partial<ImportView>) {
    this.view = { ...this.view, ...patch };
    this.onChange(this.view);
  }

  private async run(work: () => Promise<Partial<ImportView>>, importing = false): Promise<void> {
    if (this.view.busy) return;
    this.set({ busy: true, error: null, importFailed: false });
    try {
      this.set({ ...(await work()), busy: false });
    } catch (e) {
      this.set({ busy: false, error: toIpcError(e), importFailed: importing });
    }
  }

  /** Show `problem` (if any) without calling the shell; true when there was one. */
  private refuse(problem: string | null): boolean {
    if (problem) this.set({ error: { code: "invalid_input", message: problem }, importFailed: false });
    return problem !== null;
  }

  /** The saved mapping names. */
  loadSaved(): Promise<void> {
    return this.run(async () => ({ saved: await this.backend.surveyMappings() }));
  }

  /** Read the file and go to the column step with the guess (`layout`: the user's header lines and separator). */
  preview(f: FileChoice, layout: FileLayout | null = null): Promise<void> {
    if (this.refuse(f.path.trim() ? null : "Type or paste the path of the CSV export first.")) return Promise.resolve();
    return this.run(async () => {
      const preview = await this.backend.previewSurvey(f.path, f.encoding, layout);
      return { preview, roles: rolesFromMapping(preview.columns, preview.guess), step: "map" as Step };
    });
  }

  setRole(i: number, role: Role) {
    this.set({ roles: setRole(this.view.roles, i, role), error: null });
  }

  /** Save the confirmed mapping as `name`, then import the file with it. */
  saveAndImport(name: string, f: FileChoice): Promise<void> {
    const p = this.view.preview;
    if (!p) return Promise.resolve();
    const m = mappingFromRoles(p.columns, this.view.roles, p.guess);
    if (this.refuse("problem" in m ? m.problem : name.trim() ? null : "Give the mapping a name to reuse it next time.")) return Promise.resolve();
    if ("problem" in m) return Promise.resolve();
    return this.run(async () => {
      await this.backend.saveSurveyMapping(name.trim(), m);
      const saved = await this.backend.surveyMappings();
      this.set({ saved });
      return { summary: await this.backend.importSurveyFile(f.path, name.trim(), f.skipBadRows, f.encoding), step: "done" as Step };
    }, true);
  }

  /** Import with a saved mapping: no column step. */
  importWith(name: string, f: FileChoice): Promise<void> {
    if (this.refuse(f.path.trim() ? null : "Type or paste the path of the CSV export first.")) return Promise.resolve();
    return this.run(async () => ({ summary: await this.backend.importSurveyFile(f.path, name, f.skipBadRows, f.encoding), step: "done" as Step }), true);
  }

  /** Back to the file step (another file). */
  restart() {
    this.set({ step: "file", preview: null, roles: [], summary: null, error: null, importFailed: false });
  }
}
