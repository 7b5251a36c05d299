import { describe, expect, it } from "vitest";
import type { ControlJson } from "./bindings/ControlJson";
import { attributeLines, filterControls } from "./controls";

function control(code: string, description: string, extra: Partial<ControlJson> = {}): ControlJson {
  return {
    code,
    description,
    criteria: [],
    frequency: "event-driven",
    nature: "manual",
    owner: "",
    attributes: [],
    population: { state: "none", itemCount: 0, sourceName: null },
    ...extra,
  };
}

const controls = [
  control("CC8.1-01", "Changes are approved before deployment", { criteria: ["CC8.1"], owner: "Priya Raman (VP Engineering)" }),
  control("CC6.2-01", "New hires are granted access on approval", { criteria: ["CC6.2"], frequency: "daily" }),
  control("A1.2-01", "Backups are monitored", { nature: "automated", owner: "Zoë Müller" }),
];

describe("control filter", () => {
  it("keeps every control for an empty query", () => {
    expect(filterControls(controls, "  ")).toHaveLength(3);
  });

  it("needs every word, in any field, ignoring case", () => {
    expect(filterControls(controls, "cc8").map((c) => c.code)).toEqual(["CC8.1-01"]);
    expect(filterControls(controls, "approv priya").map((c) => c.code)).toEqual(["CC8.1-01"]);
    expect(filterControls(controls, "approv").map((c) => c.code)).toEqual(["CC8.1-01", "CC6.2-01"]);
    expect(filterControls(controls, "daily")).toHaveLength(1);
    expect(filterControls(controls, "automated")).toHaveLength(1);
  });

  it("ignores accents, so a name typed without them still matches", () => {
    expect(filterControls(controls, "zoe muller").map((c) => c.code)).toEqual(["A1.2-01"]);
  });

  it("turns the attribute box into one attribute per line", () => {
    expect(attributeLines("A: approved\n\n  B: tested  \r\n")).toEqual(["A: approved", "B: tested"]);
  });
});
