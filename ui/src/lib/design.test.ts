import { describe, expect, it } from "vitest";
import type { DashboardRowJson } from "./bindings/DashboardRowJson";
import { assessmentLines, assessmentsToSend, compensatingCandidates, toggle } from "./design";

describe("the deficiency form's criteria", () => {
  it("lists every criterion the control addresses, with what was recorded", () => {
    const lines = assessmentLines(["CC6.1", "CC6.2"], [{ criterion: "CC6.1", met: false }]);
    expect(lines).toEqual([
      { criterion: "CC6.1", met: false, affected: true },
      { criterion: "CC6.2", met: null, affected: false },
    ]);
  });

  it("keeps a criterion assessed earlier that the control no longer lists", () => {
    expect(assessmentLines(["CC6.1"], [{ criterion: "CC5.2", met: true }])).toContainEqual({ criterion: "CC5.2", met: true, affected: true });
  });

  it("sends only the affected criteria that were judged", () => {
    expect(
      assessmentsToSend([
        { criterion: "CC6.1", met: true, affected: true },
        { criterion: "CC6.2", met: null, affected: true },
        { criterion: "CC6.3", met: false, affected: false },
      ]),
    ).toEqual([{ criterion: "CC6.1", met: true }]);
  });
});

describe("compensating controls", () => {
  const row = (control: string, criteria: string[]) => ({ control, criteria }) as DashboardRowJson;
  it("are the other controls, those sharing a criterion first", () => {
    const rows = [row("CC8.1-01", ["CC8.1"]), row("CC6.1-01", ["CC6.1", "CC6.3"]), row("CC6.3-01", ["CC6.3"])];
    expect(compensatingCandidates(rows, "CC6.1-01").map((r) => r.control)).toEqual(["CC6.3-01", "CC8.1-01"]);
  });

  it("are picked and unpicked in order", () => {
    expect(toggle(["a", "b"], "c")).toEqual(["a", "b", "c"]);
    expect(toggle(["a", "b"], "a")).toEqual(["b"]);
  });
});
