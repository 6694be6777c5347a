// Errors from the shell arrive as `{code, message}` (and `problem` for an
// import file that cannot be read, `field` for a refused form value). The UI switches on the
// code (never on the text) to say what to do next.
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ImportProblem } from "../bindings/ImportProblem";
import type { IpcError } from "../bindings/IpcError";
import type { StoreProblem } from "../bindings/StoreProblem";

const CODES: readonly ErrorCode[] = [
  "offline",
  "auth",
  "not_found",
  "invalid_input",
  "conflict",
  "bad_response",
  "internal",
];

const STORE_PROBLEMS: readonly StoreProblem[] = ["too_new", "locked", "not_a_store", "cannot_open"];

/** Whatever a call rejected with, as an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message, problem, field, store } = e as { code: unknown; message: unknown; problem?: unknown; field?: unknown; store?: unknown };
    if (typeof code === "string" && (CODES as string[]).includes(code)) {
      const out: IpcError = { code: code as ErrorCode, message: String(message) };
      if (problem === "bad_row" || problem === "encoding") out.problem = problem satisfies ImportProblem;
      if (typeof field === "string") out.field = field;
      if (typeof store === "string" && (STORE_PROBLEMS as string[]).includes(store)) out.store = store as StoreProblem;
      return out;
    }
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "unknown error";
  return { code: "internal", message };
}

export interface ErrorHelp {
  /** Short headline. */
  title: string;
  /** What the user can do about it. */
  action: string;
}

/** What the view showing an error knows, so the advice stays true. */
export interface HelpContext {
  /** The view marked the offending field (aria-invalid) and moved the focus to it. */
  fieldMarked?: boolean;
  /** The failed work is retried in the background (a sync of an added source), not a one-off check. */
  retried?: boolean;
}

/** The headline and the next step for an error code. */
export function errorHelp(code: ErrorCode, ctx: HelpContext = {}): ErrorHelp {
  switch (code) {
    case "offline":
      return {
        title: "Can't reach the ticket server",
        action: ctx.retried
          ? "Check the network or the server address. Your local tickets stay available, and Hypercare Desk retries in the background."
          : "Check the network or the server address.",
      };
    case "auth":
      return {
        title: "The server refused the API token",
        action: ctx.retried
          ? "Copy a fresh API key from the server (Redmine: My account → API access key) and enter it with “Token…” on the source in Sources."
          : "Copy a fresh API key from the server (Redmine: My account → API access key) and connect again.",
      };
    case "not_found":
      return { title: "Not found", action: "It may have been removed. Check the project identifier or refresh." };
    case "invalid_input":
      return {
        title: "Please check the form",
        action: ctx.fieldMarked ? "Correct the highlighted value and try again." : "Correct it and try again.",
      };
    case "conflict":
      return { title: "Changed on the server meanwhile", action: "Sync, review the new state and try again." };
    case "bad_response":
      return {
        title: "The server's answer was not understood",
        action: "Check that the URL points at the ticket server itself, not a login page or a proxy.",
      };
    case "internal":
      return {
        title: "Something went wrong inside Hypercare Desk",
        action: "Try again. If it keeps failing, the log file in the data folder says more.",
      };
  }
}
