import { describe, expect, it } from "vitest";
import type { NewEngagementJson } from "./bindings/NewEngagementJson";
import { isSoc1, isType1, newEngagementInput } from "./report";

const form: NewEngagementJson = {
  client: "Acme",
  report: "soc2-type1",
  periodStart: "2026-06-30",
  periodEnd: "2026-12-31",
  criteria: ["CC"],
  firm: "",
  preparer: "",
  reviewer: "",
};

describe("report types", () => {
  it("send one date for a Type 1 and the period for a Type 2", () => {
    expect(newEngagementInput(form)).toMatchObject({ periodStart: "2026-06-30", periodEnd: "2026-06-30" });
    expect(newEngagementInput({ ...form, report: "soc1-type2" })).toMatchObject({ periodEnd: "2026-12-31" });
  });

  it("tell Type 1 and SOC 1 apart", () => {
    expect([isType1("soc2-type1"), isType1("soc1-type1"), isType1("soc2-type2")]).toEqual([true, true, false]);
    expect([isSoc1("soc1-type1"), isSoc1("soc1-type2"), isSoc1("soc2-type1")]).toEqual([true, true, false]);
  });
});
