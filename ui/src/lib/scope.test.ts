import { describe, expect, it } from "vitest";
import type { ExclusionJson } from "./bindings/ExclusionJson";
import type { PopulationJson } from "./bindings/PopulationJson";
import {
  columnValues,
  describeRule,
  exclusionRequest,
  exclusionRule,
  frameSentence,
  frameSteps,
  linesRule,
  type ExclusionForm,
} from "./scope";

const form = (over: Partial<ExclusionForm>): ExclusionForm => ({
  kind: "outside-period",
  column: "",
  values: "",
  lines: "",
  reason: "Terminations before the period belong to last year's test",
  ...over,
});

describe("the exclusion form's rule", () => {
  it("writes the rules without arguments as the engine reads them", () => {
    expect(exclusionRule(form({ kind: "outside-period" }))).toEqual({ ok: true, value: "outside-period" });
    expect(exclusionRule(form({ kind: "blank-key" }))).toEqual({ ok: true, value: "blank-key" });
    expect(exclusionRule(form({ kind: "duplicate-key" }))).toEqual({ ok: true, value: "duplicate-key" });
  });

  it("keeps a column's values exactly as typed, one per line, and drops empty lines", () => {
    expect(columnValues("Cancelled\r\n Void \n\n")).toEqual(["Cancelled", " Void "]);
    expect(exclusionRule(form({ kind: "column", column: "Status", values: "Cancelled\nRejected\n" }))).toEqual({
      ok: true,
      value: "column:Status=Cancelled|Rejected",
    });
  });

  it("asks for the column and its values, and refuses a value with the separator", () => {
    expect(exclusionRule(form({ kind: "column", values: "Cancelled" }))).toEqual({
      ok: false,
      problem: "Choose the column whose values exclude rows.",
    });
    const none = exclusionRule(form({ kind: "column", column: "Status", values: "\n" }));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problem).toContain("value(s) of Status");
    const piped = exclusionRule(form({ kind: "column", column: "Status", values: "A|B" }));
    expect(piped.ok).toBe(false);
    if (!piped.ok) expect(piped.problem).toContain("“A|B”");
  });

  it("reads line numbers and ranges, with spaces, semicolons or an en dash", () => {
    expect(linesRule("12, 40-42")).toEqual({ ok: true, value: "12,40-42" });
    expect(linesRule("7;9 11–13 14-14")).toEqual({ ok: true, value: "7,9,11-13,14" });
    expect(exclusionRule(form({ kind: "lines", lines: "3" }))).toEqual({ ok: true, value: "lines:3" });
  });

  it("says what is wrong with the lines typed", () => {
    expect(linesRule("  ")).toEqual({ ok: false, problem: "Type the source line numbers to exclude, such as 12, 40-42." });
    expect(linesRule("12, x")).toEqual({ ok: false, problem: "“x” is not a line number or a range such as 40-42." });
    expect(linesRule("0")).toMatchObject({ ok: false });
    expect(linesRule("42-40")).toEqual({
      ok: false,
      problem: "“42-40”: a range runs from the lower line to the higher, such as 40-42.",
    });
  });
});

describe("the exclusion request", () => {
  it("needs the reason for the rule", () => {
    const r = exclusionRequest(form({ reason: "  " }), false, "");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/^Give the reason for excluding these rows/);
  });

  it("sends no sample reason when there is no sample", () => {
    expect(exclusionRequest(form({}), false, "ignored")).toEqual({
      ok: true,
      value: { rule: "outside-period", reason: "Terminations before the period belong to last year's test", replaceSample: null },
    });
  });

  it("needs the reason for setting the current sample aside when there is one", () => {
    const r = exclusionRequest(form({}), true, "");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain("already has a sample");
    const ok = exclusionRequest(form({}), true, "Frame scoped after the draw");
    expect(ok.ok && ok.value.replaceSample).toBe("Frame scoped after the draw");
  });
});

describe("recorded rules in words", () => {
  it("names each kind of rule", () => {
    expect(describeRule("outside-period")).toBe("Dated outside the review period");
    expect(describeRule("blank-key")).toBe("Blank item key");
    expect(describeRule("duplicate-key")).toBe("Duplicate key, the first occurrence kept");
    expect(describeRule("column:Status=Cancelled")).toBe("Status is “Cancelled”");
    expect(describeRule("column:Status=Cancelled|Void|Rejected")).toBe("Status is “Cancelled”, “Void” or “Rejected”");
    expect(describeRule("lines:12")).toBe("Source line 12");
    expect(describeRule("lines:12,40-42")).toBe("Source lines 12, 40–42");
    expect(describeRule("something-new")).toBe("something-new");
  });
});

function exclusion(rule: string, rowsRemoved: number): ExclusionJson {
  return { id: 1, rule, reason: "r", rowsRemoved, lines: [], excludedBy: "Dana", excludedAt: "2026-11-23T10:00:00Z" };
}

function population(over: Partial<PopulationJson>, report: Partial<PopulationJson["report"]> = {}): PopulationJson {
  return {
    id: 1,
    control: "CC6.3-01",
    origin: "file",
    sourceName: "terminations.csv",
    sourceSha256: null,
    itemCount: 118,
    importedAt: "",
    importedBy: "Dana",
    acceptedAt: null,
    acceptedBy: null,
    exclusions: [],
    frameSize: 118,
    ...over,
    report: { rowsRead: 120, blankRowsSkipped: 2, ...report } as PopulationJson["report"],
  };
}

describe("from the rows read to the frame", () => {
  it("subtracts each rule in the order the engine applies them, whatever order they were recorded in", () => {
    const p = population({ exclusions: [exclusion("lines:40", 1), exclusion("outside-period", 3)], frameSize: 114 });
    expect(frameSteps(p).map((s) => [s.label, s.removed, s.count])).toEqual([
      ["Rows read", null, 120],
      ["Blank rows skipped at import", 2, 118],
      ["Items accepted", null, 118],
      ["Dated outside the review period", 3, 115],
      ["Source line 40", 1, 114],
      ["Items in the frame", null, 114],
    ]);
  });

  it("starts a generated population from its items and says it in one line", () => {
    const p = population({ origin: "generated", itemCount: 261, frameSize: 261 }, { rowsRead: 261, blankRowsSkipped: 0 });
    expect(frameSentence(p)).toBe("Items accepted 261 → Items in the frame 261");
    const q = population({ exclusions: [exclusion("duplicate-key", 2)], frameSize: 116 });
    expect(frameSentence(q)).toBe(
      "Rows read 120 → − 2: Blank rows skipped at import → Items accepted 118 → − 2: Duplicate key, the first occurrence kept → Items in the frame 116",
    );
  });
});
