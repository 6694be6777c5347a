// Survey comments in the triage view, free of the DOM: a session that walks
// the comments one after another and saves the user's category through the
// Backend. A comment has a category only (no impact, urgency or priority).
import type { Backend } from "../backend/types";
import type { Category } from "../bindings/Category";
import type { CommentTriage } from "../bindings/CommentTriage";
import { CATEGORIES, type TriageAction } from "./triage";
import { Walk } from "./walk";

function asCategory(v: string | null): Category {
  return CATEGORIES.find((c) => c === v) ?? "usability";
}

/** Walks the survey comments; the draft starts at the stored category. */
export class CommentSession extends Walk<CommentTriage, Category> {
  /** Starts at comment `keep` if given, else at the first one the user has not set before. */
  constructor(queue: CommentTriage[], keep?: number) {
    super();
    this.reload(queue, keep === undefined);
    const at = queue.findIndex((c) => c.response_id === keep);
    if (at >= 0) this.move(at - this.index);
  }

  protected idOf(c: CommentTriage): number {
    return c.response_id;
  }

  protected draftFor(c: CommentTriage): Category {
    return asCategory(c.category);
  }

  protected setByUser(c: CommentTriage): boolean {
    return c.category_overridden;
  }

  /** A key's action: digits pick, j/k move; impact and urgency keys do nothing here. */
  apply(a: TriageAction): void {
    if (a.kind === "category" && this.draft) this.draft = a.category;
    if (a.kind === "move") this.move(a.by);
  }

  /** Save the draft as the comment's category (learned from) and go to the next. */
  async confirm(backend: Backend): Promise<void> {
    const c = this.current;
    const d = this.draft;
    if (!c || !d) return;
    await backend.setCommentCategory(c.response_id, d);
    this.settle({ ...c, category: d, category_overridden: true });
  }
}
