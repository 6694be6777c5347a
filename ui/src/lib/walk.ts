// Walking a triage queue one item at a time, shared by the tickets' and the
// survey comments' sessions: the position, the draft, what this session
// confirmed, and reloads that keep the user's place.

/**
 * The walk's order after a reload: the items walked so far (up to and
 * including the current one) keep their places, the rest follow in the
 * fresh queue's order (which may be re-sorted: a changed matrix or a new
 * triage run moves priorities). `index` is where the current item is now;
 * when it is gone, the next unwalked item.
 */
export function rewalk<T>(walked: readonly T[], index: number, fresh: readonly T[], idOf: (t: T) => number): { queue: T[]; index: number } {
  const byId = new Map(fresh.map((t) => [idOf(t), t]));
  const currentId = walked[index] === undefined ? undefined : idOf(walked[index]);
  const prefix = walked
    .slice(0, index + 1)
    .map((t) => byId.get(idOf(t)))
    .filter((t): t is T => t !== undefined);
  const inPrefix = new Set(prefix.map(idOf));
  const queue = prefix.concat(fresh.filter((t) => !inPrefix.has(idOf(t))));
  const at = queue.findIndex((t) => idOf(t) === currentId);
  return { queue, index: at >= 0 ? at : Math.max(0, Math.min(prefix.length, queue.length - 1)) };
}

/** The first item at or after `from` that is not `done` (wrapping to the start); `from` when all are. */
export function firstOpen<T>(queue: readonly T[], from: number, done: (t: T) => boolean): number {
  for (let k = 0; k < queue.length; k++) {
    const i = (from + k) % queue.length;
    if (!done(queue[i])) return i;
  }
  return Math.max(0, Math.min(from, queue.length - 1));
}

/** A session walking a queue of `T` with a draft `D` for the current item. */
/** "1,204 of 3,000": where the walk is, counted as the rest of the app counts. */
export function walkPosition(index: number, total: number): string {
  return `${(index + 1).toLocaleString("en")} of ${total.toLocaleString("en")}`;
}

export abstract class Walk<T, D> {
  queue: T[] = [];
  index = 0;
  draft: D | null = null;
  /** Items confirmed in this session (this app run). */
  confirmed = new Set<number>();

  protected abstract idOf(t: T): number;
  /** The draft an item starts with: its stored (effective) values. */
  protected abstract draftFor(t: T): D;
  /** Whether the user set this item's triage before (a stored override). */
  protected abstract setByUser(t: T): boolean;

  get current(): T | null {
    return this.queue[this.index] ?? null;
  }

  /** Move by `by` (clamped); the draft resets to the item's stored values. */
  move(by: number): void {
    if (!this.queue.length) return;
    this.index = Math.max(0, Math.min(this.queue.length - 1, this.index + by));
    this.draft = this.draftFor(this.queue[this.index]);
  }

  /**
   * Take a fresh queue from the backend, keeping the user's place (see
   * [`rewalk`]) and, on the same item, the draft. With `resume` (the view
   * was entered again) the walk goes on at the first item not yet
   * confirmed, in this session or before, from where the user was.
   */
  reload(fresh: T[], resume = false): void {
    const before = this.current;
    const { queue, index } = rewalk(this.queue, this.index, fresh, (t) => this.idOf(t));
    this.queue = queue;
    // Only what is still in the queue counts: a removed source takes its
    // confirmed tickets away, and "N confirmed" must not count them.
    const present = new Set(queue.map((t) => this.idOf(t)));
    for (const id of this.confirmed) if (!present.has(id)) this.confirmed.delete(id);
    this.index = resume ? firstOpen(queue, index, (t) => this.confirmed.has(this.idOf(t)) || this.setByUser(t)) : index;
    const now = this.current;
    // A draft the user changed stays while its item does; else it follows the fresh values.
    const touched = !!before && !!this.draft && JSON.stringify(this.draft) !== JSON.stringify(this.draftFor(before));
    if (!now) this.draft = null;
    else if (!touched || !before || this.idOf(before) !== this.idOf(now)) this.draft = this.draftFor(now);
  }

  /** The current item was saved as `saved`: count it and go to the next. */
  protected settle(saved: T): void {
    this.queue[this.index] = saved;
    this.confirmed.add(this.idOf(saved));
    this.move(1);
  }
}
