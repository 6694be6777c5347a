// Survey comments in the triage view, free of the DOM: a session that walks
// the comments one after another and saves the user's category through the
// Backend. A comment has a category only (no impact, urgency or priority).
import type { Backend } from "../backend/types";
import type { Category } from "../bindings/Category";
import type { CommentTriage } from "../bindings/CommentTriage";
import { CATEGORIES, type TriageAction } from "./triage";

function asCategory(v: string | null): Category {
  return CATEGORIES.find((c) => c === v) ?? "usability";
}

/** Walks the survey comments; the draft starts at the stored category. */
export class CommentSession {
  queue: CommentTriage[];
  index = 0;
  draft: Category | null;
  confirmed = new Set<number>();

  constructor(queue: CommentTriage[], keep?: number) {
    this.queue = queue;
    const at = queue.findIndex((c) => c.response_id === keep);
    this.index = Math.max(0, at);
    this.draft = queue.length ? asCategory(queue[this.index].category) : null;
  }

  get current(): CommentTriage | null {
    return this.queue[this.index] ?? null;
  }

  /** Move by `by` (clamped); the draft resets to the comment's stored category. */
  move(by: number): void {
    if (!this.queue.length) return;
    this.index = Math.max(0, Math.min(this.queue.length - 1, this.index + by));
    this.draft = asCategory(this.queue[this.index].category);
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
    this.queue[this.index] = { ...c, category: d, category_overridden: c.category_overridden || d !== c.category };
    this.confirmed.add(c.response_id);
    this.move(1);
  }
}
