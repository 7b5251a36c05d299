import { describe, expect, it } from "vitest";
import { errorHint, errorTitle } from "./errors";

describe("error wording", () => {
  it("gives each code the UI acts on a plain headline", () => {
    expect(errorTitle({ code: "locked", message: "x" })).toBe("This engagement is open in another Tickmark");
    expect(errorTitle({ code: "cancelled", message: "x" })).toBe("Import cancelled");
    expect(errorTitle({ code: "something_new", message: "x" })).toBe("Something went wrong");
  });

  it("says what to do next where there is something to do", () => {
    expect(errorHint({ code: "locked", message: "" })).toMatch(/Close it/);
    expect(errorHint({ code: "import", message: "" })).toMatch(/Nothing was imported/);
    expect(errorHint({ code: "invalid", message: "" })).toBeNull();
  });
});
