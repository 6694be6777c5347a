// The inbox's query runner: search text is debounced, filter changes run at
// once, and an answer that arrives after a newer request is dropped. The
// previous rows stay on screen until the new ones arrive (local data is
// fast: no spinner).
import type { Backend } from "../backend/types";
import type { IpcError } from "../bindings/IpcError";
import type { TicketQuery } from "../bindings/TicketQuery";
import type { TicketSummary } from "../bindings/TicketSummary";
import { toIpcError } from "./errors";
import { type Filters, filtersProblem, PAGE_SIZE, toTicketQuery } from "./filters";

export const SEARCH_DEBOUNCE_MS = 120;

export interface SearchCallbacks {
  /** `more` is true when the page is full, so more rows may exist. */
  onResults(rows: TicketSummary[], filters: Filters, more: boolean): void;
  onError(e: IpcError): void;
  /**
   * The total the current filters match, asked after a full page arrives
   * (null with every new page of results until it is known).
   */
  onTotal?(total: number | null): void;
}

export class InboxSearch {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private current: Filters | null = null;
  private limit = PAGE_SIZE;

  constructor(
    private readonly backend: Pick<Backend, "queryTickets" | "countTickets">,
    private readonly cb: SearchCallbacks,
    private readonly delayMs = SEARCH_DEBOUNCE_MS,
  ) {}

  /** New filters from the UI. Only a change of the search text waits. */
  update(next: Filters): void {
    const prev = this.current;
    this.current = { ...next };
    const onlyText =
      prev !== null &&
      prev.search !== next.search &&
      JSON.stringify({ ...prev, search: "" }) === JSON.stringify({ ...next, search: "" });
    this.limit = PAGE_SIZE;
    if (onlyText) {
      this.schedule();
    } else {
      void this.run();
    }
  }

  /** Show another page below the rows already shown. */
  showMore(): Promise<void> {
    this.limit += PAGE_SIZE;
    return this.run();
  }

  /** Query again with the current filters now (data changed). */
  refresh(): Promise<void> {
    return this.run();
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.seq++;
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, this.delayMs);
  }

  private async run(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const filters = this.current;
    if (filters === null) return;
    const mine = ++this.seq;
    const problem = filtersProblem(filters);
    if (problem !== null) {
      // Nothing can match: list nothing and say why, without asking the store.
      this.cb.onResults([], filters, false);
      this.cb.onError({ code: "invalid_input", message: problem.message, field: problem.field });
      return;
    }
    try {
      const query = toTicketQuery(filters, this.limit);
      const rows = await this.backend.queryTickets(query);
      if (mine !== this.seq) return;
      const more = rows.length >= this.limit;
      this.cb.onResults(rows, filters, more);
      this.cb.onTotal?.(more ? null : rows.length);
      if (more) await this.total(mine, query);
    } catch (e) {
      if (mine === this.seq) this.cb.onError(toIpcError(e));
    }
  }

  /** Count every match of a full page's query; a failed count only leaves the total unknown. */
  private async total(mine: number, query: TicketQuery): Promise<void> {
    try {
      const n = await this.backend.countTickets(query);
      if (mine === this.seq) this.cb.onTotal?.(n);
    } catch {
      // The rows are shown; "200+" stays.
    }
  }
}

/**
 * Where the inbox's cursor goes when new results arrive, and whether the
 * open ticket's detail must close. The cursor stays on the open ticket (or
 * else on the ticket it was on) when that ticket is still listed, else it
 * goes to the first row; a detail whose ticket the new results no longer
 * list closes, so the pane never shows a ticket the list does not have.
 */
export function placeCursor(
  next: readonly { id: number }[],
  openId: number | undefined,
  cursorId: number | undefined,
): { selected: number; closeDetail: boolean } {
  const keep = openId ?? cursorId;
  const idx = keep === undefined ? -1 : next.findIndex((t) => t.id === keep);
  const selected = idx >= 0 ? idx : next.length > 0 ? 0 : -1;
  const closeDetail = openId !== undefined && !next.some((t) => t.id === openId);
  return { selected, closeDetail };
}

/**
 * The inbox's count: "1 ticket", "37 tickets"; a full page reads "200 of
 * 12,345 tickets" once the total is known, "200+ tickets" until then.
 */
export function countLabel(shown: number, more: boolean, total: number | null): string {
  const n = (x: number) => x.toLocaleString("en");
  const noun = (x: number) => (x === 1 ? "ticket" : "tickets");
  if (!more) return `${n(shown)} ${noun(shown)}`;
  if (total === null || total <= shown) return `${n(shown)}+ tickets`;
  return `${n(shown)} of ${n(total)} ${noun(total)}`;
}
