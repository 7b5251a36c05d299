import { describe, expect, it } from "vitest";
import type { CriterionCoverageJson } from "./bindings/CriterionCoverageJson";
import type { DashboardRowJson } from "./bindings/DashboardRowJson";
import { coverageSummary, dashboardCounts, filterCoverage, filterDashboard, groupCoverage, testedOf } from "./dashboard";

function row(control: string, extra: Partial<DashboardRowJson> = {}): DashboardRowJson {
  return {
    control,
    description: "",
    criteria: [],
    state: "not-started",
    population: null,
    sample: null,
    tested: 0,
    exceptions: 0,
    design: "effective",
    operating: null,
    procedureSteps: 1,
    deficiencyEvaluated: false,
    unconfirmed: 0,
    followUps: 0,
    preparer: null,
    reviewer: null,
    openNotes: 0,
    signedOff: false,
    withExceptions: false,
    ...extra,
  };
}

const rows = [
  row("CC6.1-01", { population: 24, sample: 4, tested: 4, exceptions: 1, operating: "exceptions-noted", state: "exceptions", preparer: "Dana Whitfield", withExceptions: true }),
  row("CC8.1-02", { operating: "no-exceptions-noted", state: "no-exceptions", preparer: "Dana Whitfield", reviewer: "Marcus Oyelaran", signedOff: true, openNotes: 1 }),
  row("CC7.2-01", { sample: 25, tested: 3 }),
  row("CC9.1-01", { operating: "not-effective", state: "not-effective", withExceptions: true, preparer: "D", reviewer: "M", signedOff: true }),
];

describe("the dashboard's filters", () => {
  it("keep every row when none is ticked", () => {
    expect(filterDashboard(rows, { notSignedOff: false, withExceptions: false })).toHaveLength(4);
  });

  it("keep rows without both sign-offs, with exceptions, or both at once", () => {
    const codes = (f: { notSignedOff: boolean; withExceptions: boolean }) => filterDashboard(rows, f).map((r) => r.control);
    expect(codes({ notSignedOff: true, withExceptions: false })).toEqual(["CC6.1-01", "CC7.2-01"]);
    expect(codes({ notSignedOff: false, withExceptions: true })).toEqual(["CC6.1-01", "CC9.1-01"]);
    expect(codes({ notSignedOff: true, withExceptions: true })).toEqual(["CC6.1-01"]);
  });

  it("count what the filters would keep and the open review notes", () => {
    expect(dashboardCounts(rows)).toEqual({ controls: 4, notSignedOff: 2, withExceptions: 2, concluded: 3, openNotes: 1 });
  });

  it("word testing progress as x of n, and nothing before a sample", () => {
    expect(testedOf(rows[0])).toBe("4 of 4");
    expect(testedOf(rows[2])).toBe("3 of 25");
    expect(testedOf(rows[1])).toBeNull();
  });
});

function criterion(id: string, category: string, state: CriterionCoverageJson["state"] = "met"): CriterionCoverageJson {
  return { id, title: id, category, controls: [], state };
}

describe("coverage grouping", () => {
  it("puts the common criteria by series, then A, C, PI, P, in report order", () => {
    const groups = groupCoverage([
      criterion("A1.1", "A"),
      criterion("CC10.1", "CC"),
      criterion("CC6.1", "CC"),
      criterion("P1.1", "P"),
      criterion("CC1.1", "CC"),
      criterion("CC6.2", "CC"),
      criterion("PI1.1", "PI"),
      criterion("C1.1", "C"),
    ]);
    expect(groups.map((g) => g.key)).toEqual(["CC1", "CC6", "CC10", "A", "C", "PI", "P"]);
    expect(groups[1].criteria.map((c) => c.id)).toEqual(["CC6.1", "CC6.2"]);
  });

  it("keeps a SOC 1 engagement's objectives in one group", () => {
    const groups = groupCoverage([criterion("CO1", "objective"), criterion("CO2", "objective")]);
    expect(groups).toEqual([{ key: "objective", category: "objective", criteria: [criterion("CO1", "objective"), criterion("CO2", "objective")] }]);
  });

  it("flags criteria without a control, not met or not evaluated, and sums them up", () => {
    const criteria = [
      criterion("CC1.1", "CC", "no-control"),
      criterion("CC6.1", "CC", "met-with-exceptions"),
      criterion("CC6.2", "CC", "not-met"),
      criterion("CC7.1", "CC", "in-progress"),
      criterion("CC7.2", "CC", "not-evaluated"),
      criterion("CC8.1", "CC", "met"),
    ];
    expect(filterCoverage(criteria, true).map((c) => c.id)).toEqual(["CC1.1", "CC6.2", "CC7.2"]);
    expect(filterCoverage(criteria, false)).toHaveLength(6);
    expect(coverageSummary({ criteria, withoutControl: ["CC1.1"], notMet: ["CC6.2"], stray: [] })).toEqual({
      criteria: 6,
      met: 2,
      withoutControl: 1,
      notMet: 1,
      inProgress: 2,
    });
  });
});

describe("a dashboard row", () => {
  it("opens the workspace where the control's work stands next", async () => {
    const { nextTab } = await import("./dashboard");
    expect(nextTab(row("X", { design: null }))).toBe("design");
    expect(nextTab(row("X"))).toBe("population");
    expect(nextTab(row("X", { population: 24 }))).toBe("sampling");
    expect(nextTab(row("X", { population: 24, sample: 4, tested: 1 }))).toBe("testing");
    expect(nextTab(row("X", { population: 24, sample: 4, tested: 4 }))).toBe("conclusion");
    expect(nextTab(row("X", { operating: "no-exceptions-noted" }))).toBe("conclusion");
  });
});

describe("report order", () => {
  it("puts the common criteria's controls first, then A, C, PI, P, numbers read as numbers", async () => {
    const { reportOrder } = await import("./dashboard");
    const codes = ["A1.2-01", "CC10.1-01", "PI1.1-01", "CC6.1-01", "C1.1-01", "CC1.4-01", "P1.1-01", "ITGC-1"];
    expect(reportOrder(codes.map((control) => ({ control }))).map((r) => r.control)).toEqual([
      "CC1.4-01",
      "CC6.1-01",
      "CC10.1-01",
      "A1.2-01",
      "C1.1-01",
      "PI1.1-01",
      "P1.1-01",
      "ITGC-1",
    ]);
  });
});
