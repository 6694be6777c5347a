// The fake backend's survey comments in the triage queue (see fake.ts).
import type { Category } from "../bindings/Category";
import type { CommentTriage } from "../bindings/CommentTriage";
import type { IpcError } from "../bindings/IpcError";

/** A triaged survey comment for tests. */
export function fakeComment(responseId: number, text: string, extra: Partial<CommentTriage> = {}): CommentTriage {
  const c: CommentTriage = {
    response_id: responseId,
    source_file: "pulse.csv",
    answered_at: "2026-03-10T09:00:00+00:00",
    text,
    category: "usability",
    category_overridden: false,
    confidence: 0.41,
    signals: ['says "can\'t find"'],
    basis: "embedding",
    suggested_category: null,
    ...extra,
  };
  c.suggested_category ??= c.category;
  return c;
}

/** The comments and the corrections the UI saved. */
export class FakeComments {
  rows: CommentTriage[] = [];
  saved: { responseId: number; category: Category }[] = [];

  list(): CommentTriage[] {
    return this.rows.map((r) => ({ ...r, signals: [...r.signals] }));
  }

  set(responseId: number, category: Category): void {
    const r = this.rows.find((x) => x.response_id === responseId);
    if (!r) throw { code: "not_found", message: `survey comment ${responseId} is not in the store` } satisfies IpcError;
    this.saved.push({ responseId, category });
    r.category_overridden = true;
    r.category = category;
  }
}
