// What the two triage views (tickets, survey comments) share: confirming
// the current item one save at a time, and the keyboard (`triageKeyOf`)
// driving the session. The view's busy flag and error note live here (as
// `$state`), so its other actions (reload, Run triage) use them too.
import type { IpcError } from "../bindings/IpcError";
import { toIpcError } from "./errors";
import { triageKeyOf, type TriageAction } from "./triage";

/** A key's action other than "none". */
export type QueueAction = Exclude<TriageAction, { kind: "none" }>;

/** What a triage view does with the controls' actions. */
export interface QueueView {
  /** Save the current item (the session's confirm, which moves on). */
  save(): Promise<unknown>;
  /** Apply an action other than confirm (a category, a cycle, a move). */
  act(a: Exclude<QueueAction, { kind: "confirm" }>): void;
  /** Whether the view takes `a` now; a key it does not take is left to the browser. */
  takes(a: QueueAction): boolean;
  /** The session changed: re-render. */
  changed(): void;
}

/** The Confirm button's and the window's keydown handlers of a triage view. */
export class QueueControls {
  /** A save (or another action of the view) is in flight: buttons are disabled. */
  busy = $state(false);
  /** The error note shown (the last failure; a successful save clears it). */
  error = $state<IpcError | null>(null);

  private readonly view: QueueView;

  constructor(view: QueueView) {
    this.view = view;
  }

  /** Save the current item; ignored while the view is busy. */
  confirm = async (): Promise<void> => {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.view.save();
      this.error = null;
    } catch (e) {
      this.error = toIpcError(e);
    }
    this.busy = false;
    this.view.changed();
  };

  /** Digits, i/u, j/k and Enter (see `triageKey`), for the actions the view takes. */
  onkeydown = (e: KeyboardEvent): void => {
    const a = triageKeyOf(e);
    if (a.kind === "none" || !this.view.takes(a)) return;
    // Also on a focused button: Enter confirms (its click is prevented).
    e.preventDefault();
    if (a.kind === "confirm") void this.confirm();
    else this.view.act(a);
    this.view.changed();
  };
}
