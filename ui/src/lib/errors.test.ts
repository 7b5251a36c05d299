import { describe, expect, it } from "vitest";
import type { ErrorCode } from "./bindings/ErrorCode";
import { errorHint, errorTitle, isErrorCode } from "./errors";

const CODES: ErrorCode[] = [
  "locked",
  "newer_schema",
  "not_engagement",
  "encrypted",
  "no_such_file",
  "already_exists",
  "import",
  "sampling",
  "invalid",
  "io",
  "storage",
  "cancelled",
  "no_engagement",
  "internal",
];

describe("error wording", () => {
  it("gives each code the UI acts on a plain headline", () => {
    expect(errorTitle({ code: "locked", message: "x" })).toBe("This engagement is open in another Tickmark");
    expect(errorTitle({ code: "cancelled", message: "x" })).toBe("Import cancelled");
  });

  it("has a headline for every code the shell sends", () => {
    for (const code of CODES) expect(errorTitle({ code, message: "" })).toMatch(/\w/);
  });

  it("says what to do next where there is something to do", () => {
    expect(errorHint({ code: "locked", message: "" })).toMatch(/Close it/);
    expect(errorHint({ code: "import", message: "" })).toMatch(/Nothing was imported/);
    expect(errorHint({ code: "invalid", message: "" })).toBeNull();
  });

  it("knows the shell's codes and nothing else", () => {
    for (const code of CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode("something_new")).toBe(false);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });
});
