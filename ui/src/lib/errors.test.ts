import { describe, expect, it } from "vitest";

import type { ErrorCode } from "../bindings/ErrorCode";
import { errorHelp, toIpcError } from "./errors";
import { markInvalid } from "./invalidField";

describe("toIpcError", () => {
  it("keeps an IpcError from the shell as it is", () => {
    expect(toIpcError({ code: "auth", message: "Redmine refused the API key" })).toEqual({
      code: "auth",
      message: "Redmine refused the API key",
    });
  });

  it("keeps why a store could not be opened, and drops a reason it does not know", () => {
    expect(toIpcError({ code: "internal", message: "m", store: "locked" })).toEqual({ code: "internal", message: "m", store: "locked" });
    expect(toIpcError({ code: "internal", message: "m", store: "haunted" })).toEqual({ code: "internal", message: "m" });
  });

  it("turns anything else into an internal error with its text", () => {
    expect(toIpcError("command query_tickets not found")).toEqual({
      code: "internal",
      message: "command query_tickets not found",
    });
    expect(toIpcError(new Error("boom")).code).toBe("internal");
    expect(toIpcError({ code: "teapot", message: "?" }).code).toBe("internal");
  });
});

describe("errorHelp", () => {
  it("tells the user what to do for each code", () => {
    expect(errorHelp("offline", { retried: true }).action).toMatch(/local tickets stay available/);
    expect(errorHelp("auth").action).toMatch(/API access key/);
    expect(errorHelp("bad_response").action).toMatch(/URL/);
  });

  it("has a distinct headline for every code", () => {
    const codes: ErrorCode[] = ["offline", "auth", "not_found", "invalid_input", "conflict", "bad_response", "internal"];
    const titles = new Set(codes.map((c) => errorHelp(c).title));
    expect(titles.size).toBe(codes.length);
  });
});

describe("error advice is true to what the view did", () => {
  it("a refused token of a saved source points at its Token… button, not at connecting again", () => {
    // The sync banner and a saved source's failed sync: the source exists; "Token…" replaces its token.
    const saved = errorHelp("auth", { retried: true }).action;
    expect(saved).toMatch(/“Token…” on the source in Sources/);
    expect(saved).not.toMatch(/connect again/);
    // The connection test of the form: nothing is saved yet.
    expect(errorHelp("auth").action).toMatch(/connect again/);
  });

  it("speaks of a highlighted value only when the view marked a field", () => {
    expect(errorHelp("invalid_input", { fieldMarked: true }).action).toBe("Correct the highlighted value and try again.");
    expect(errorHelp("invalid_input").action).not.toMatch(/highlighted/);
  });

  it("claims background retries only for work that is retried (a sync of an added source)", () => {
    // Testing a server address before adding it: said once, and no retry promised.
    const test = errorHelp("offline").action;
    expect(test).toBe("Check the network or the server address.");
    expect(test).not.toMatch(/retries/);
    expect(errorHelp("offline", { retried: true }).action).toMatch(/retries in the background/);
  });

  it("marks the offending field, moves the focus to it, and unmarks it when the error goes", () => {
    const calls: string[] = [];
    const field = {
      setAttribute: (n: string, v: string) => calls.push(`set ${n}=${v}`),
      removeAttribute: (n: string) => calls.push(`remove ${n}`),
      focus: () => calls.push("focus"),
    };
    const undo = markInvalid(field);
    expect(calls).toEqual(["set aria-invalid=true", "focus"]);
    undo();
    expect(calls).toEqual(["set aria-invalid=true", "focus", "remove aria-invalid"]);
    expect(() => markInvalid(null)()).not.toThrow();
  });
});
