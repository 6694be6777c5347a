import { describe, expect, it } from "vitest";

import type { ErrorCode } from "../bindings/ErrorCode";
import { errorHelp, toIpcError } from "./errors";

describe("toIpcError", () => {
  it("keeps an IpcError from the shell as it is", () => {
    expect(toIpcError({ code: "auth", message: "Redmine refused the API key" })).toEqual({
      code: "auth",
      message: "Redmine refused the API key",
    });
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
    expect(errorHelp("offline").action).toMatch(/local tickets stay available/);
    expect(errorHelp("auth").action).toMatch(/API access key/);
    expect(errorHelp("bad_response").action).toMatch(/URL/);
  });

  it("has a distinct headline for every code", () => {
    const codes: ErrorCode[] = ["offline", "auth", "not_found", "invalid_input", "conflict", "bad_response", "internal"];
    const titles = new Set(codes.map((c) => errorHelp(c).title));
    expect(titles.size).toBe(codes.length);
  });
});
