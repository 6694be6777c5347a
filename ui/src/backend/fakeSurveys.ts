// The fake backend's survey imports (kept apart from fake.ts so each file
// stays small): files it can "read", saved mappings, imports, with the
// shell's rules — all-or-nothing unless skipping, one import per file.
import type { FileLayout } from "../bindings/FileLayout";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { IpcError } from "../bindings/IpcError";
import type { RowError } from "../bindings/RowError";
import type { SurveyMapping } from "../bindings/SurveyMapping";
import type { SurveyPreview } from "../bindings/SurveyPreview";

/** A Microsoft Forms export as the shell previews it, with its guess. */
export function fakeSurveyPreview(extra: Partial<SurveyPreview> = {}): SurveyPreview {
  return {
    file: "pulse.csv",
    columns: ["ID", "Completion time", "Email", "How satisfied are you?", "How likely are you to recommend us?", "What should we improve?"],
    rows: [
      ["1", "10/5/2026 9:03:40", "anonymous", "4", "8", "The approval screen is slow"],
      ["2", "10/5/2026 10:16:55", "anonymous", "2", "3", "<b>search</b> ignores the supplier"],
    ],
    data_rows: 2,
    guess: {
      timestamp: "Completion time",
      respondent: null,
      scores: [
        { column: "How satisfied are you?", scale: "csat15" },
        { column: "How likely are you to recommend us?", scale: "nps010" },
      ],
      comment: "What should we improve?",
      timestamp_format: null,
      header_rows: 1,
      delimiter: null,
    },
    ...extra,
  };
}

/** A file the fake can read: its preview and the rows that are malformed. */
export interface FakeSurveyFile {
  preview: SurveyPreview;
  bad: RowError[];
}

const fail = (code: IpcError["code"], message: string): IpcError => ({ code, message });

export class FakeSurveys {
  files = new Map<string, FakeSurveyFile>();
  mappings = new Map<string, SurveyMapping>();
  /** Paths imported, in order. */
  imported: string[] = [];
  /** What the open-file dialog returns (null: cancelled). */
  chosen: string | null = null;

  /** The layouts previews were asked with, in order. */
  layouts: (FileLayout | null)[] = [];

  /** The file's preview; a layout replaces the guessed header lines and separator. */
  preview(path: string, layout: FileLayout | null = null): SurveyPreview {
    this.layouts.push(layout);
    const f = this.files.get(path.trim());
    if (!f) throw fail("not_found", `${path} does not exist`);
    if (!layout) return f.preview;
    const g = f.preview.guess;
    return { ...f.preview, guess: { ...g, header_rows: layout.header_rows ?? g.header_rows, delimiter: layout.delimiter ?? g.delimiter } };
  }

  save(name: string, m: SurveyMapping): void {
    if (!name.trim()) throw fail("invalid_input", "a mapping needs a name");
    if (!m.timestamp || m.scores.length === 0) throw fail("invalid_input", "the mapping needs a timestamp and a score column");
    this.mappings.set(name.trim(), m);
  }

  mapping(name: string): SurveyMapping {
    const m = this.mappings.get(name);
    if (!m) throw fail("not_found", `no survey mapping named "${name}"`);
    return m;
  }

  import(path: string, mapping: string, skipBadRows: boolean): ImportSummary {
    const f = this.files.get(path.trim());
    if (!f) throw fail("not_found", `${path} does not exist`);
    const m = this.mapping(mapping);
    const file = f.preview.file;
    if (this.imported.includes(path.trim())) throw fail("conflict", `${file} was already imported; nothing was imported again`);
    if (f.bad.length > 0 && !skipBadRows) {
      const b = f.bad[0];
      throw { ...fail("invalid_input", `${file} line ${b.line}: ${b.reason}. Nothing was imported`), problem: "bad_row" } satisfies IpcError;
    }
    this.imported.push(path.trim());
    const rows = f.preview.data_rows - f.bad.length;
    return {
      file,
      imported: rows * m.scores.length,
      rows,
      skipped: f.bad.length,
      errors: f.bad,
      out_of_range: 0,
      blank: 0,
      duplicates: 0,
    };
  }
}
