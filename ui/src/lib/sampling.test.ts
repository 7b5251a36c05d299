import { describe, expect, it } from "vitest";
import {
  belowPlan,
  defaultApproach,
  drawRequest,
  drawSize,
  drawnIn,
  itemFields,
  itemStatus,
  planningRequest,
  sentence,
  voidProblem,
  voidRefusal,
  type PlanningForm,
} from "./sampling";

const form = (over: Partial<PlanningForm>): PlanningForm => ({
  approach: "firm-table",
  confidence: "95%",
  tolerableRate: "5%",
  expectedRate: "0%",
  distribution: "binomial",
  frequency: "event-driven",
  risk: "lower",
  reason: "",
  rationale: "",
  ...over,
});

describe("the approach", () => {
  it("starts from a test of one for an automated control and from the firm's table otherwise", () => {
    expect(defaultApproach({ nature: "automated" })).toBe("test-of-one");
    expect(defaultApproach({ nature: "manual" })).toBe("firm-table");
    expect(defaultApproach({ nature: "it-dependent-manual" })).toBe("firm-table");
  });

  it("sends only the chosen approach's fields, as the engine's tagged union", () => {
    expect(planningRequest(form({ approach: "statistical", distribution: "poisson" }))).toEqual({
      ok: true,
      value: { kind: "statistical", confidence: "95%", tolerableRate: "5%", expectedRate: "0%", distribution: "poisson" },
    });
    expect(planningRequest(form({ risk: "higher" }))).toEqual({
      ok: true,
      value: { kind: "firm-table", frequency: "event-driven", risk: "higher" },
    });
    expect(planningRequest(form({ approach: "judgemental", reason: "Walkthrough sample: 5 terminations" }))).toEqual({
      ok: true,
      value: { kind: "judgemental", reason: "Walkthrough sample: 5 terminations" },
    });
    expect(planningRequest(form({ approach: "test-of-one", rationale: "IdP policy tested" }))).toEqual({
      ok: true,
      value: { kind: "test-of-one", rationale: "IdP policy tested" },
    });
  });

  it("says what is missing: the rates, the judgement's reason, the test of one's rationale", () => {
    expect(planningRequest(form({ approach: "statistical", tolerableRate: " ", expectedRate: "" }))).toEqual({
      ok: false,
      problem: "Give the tolerable rate and the expected rate of the statistical plan (such as 95%, 5% and 0%).",
    });
    const judged = planningRequest(form({ approach: "judgemental", reason: "  " }));
    expect(judged.ok).toBe(false);
    if (!judged.ok) expect(judged.problem).toMatch(/^Give the reason for the size you judged enough/);
    const one = planningRequest(form({ approach: "test-of-one" }));
    expect(one.ok).toBe(false);
    if (!one.ok) expect(one.problem).toMatch(/^Give the rationale/);
  });
});

describe("the size to draw", () => {
  it("takes the plan's size when the field is left empty, and the number typed otherwise", () => {
    expect(drawSize("", 25, "firm-table")).toEqual({ ok: true, value: null });
    expect(drawSize(" 1,000 ", 25, "statistical")).toEqual({ ok: true, value: 1000 });
  });

  it("needs a number when there is no plan's size, and says what is wrong with what was typed", () => {
    expect(drawSize("", null, "judgemental")).toEqual({ ok: false, problem: "Type the number of items you judged enough." });
    expect(drawSize("", null, "statistical")).toEqual({ ok: false, problem: "The plan gives no size: type the number of items to draw." });
    expect(drawSize("five", 25, "firm-table")).toEqual({ ok: false, problem: "“five” is not a whole number of items." });
    expect(drawSize("0", 25, "firm-table")).toEqual({ ok: false, problem: "A sample needs at least one item." });
    expect(drawSize("2", 1, "test-of-one")).toEqual({ ok: false, problem: "A test of one draws 1 item, not 2." });
  });

  it("shows the engine's warning as a sentence", () => {
    expect(sentence("5 items is fewer than the firm's table asks for (25)")).toBe("5 items is fewer than the firm's table asks for (25).");
    expect(sentence("no sample size reaches the planned reliance.")).toBe("No sample size reaches the planned reliance.");
    expect(sentence("")).toBe("");
  });

  it("warns before the draw when the size falls short of the plan", () => {
    expect(belowPlan(5, 25)).toBe("5 items are fewer than the plan's 25: the sample will be recorded as falling short of the plan.");
    expect(belowPlan(1, 2)).toMatch(/^1 item is fewer/);
    expect(belowPlan(25, 25)).toBeNull();
    expect(belowPlan(null, 25)).toBeNull();
    expect(belowPlan(5, null)).toBeNull();
  });
});

describe("the draw request", () => {
  const draw = {
    planning: form({ approach: "judgemental", reason: "Walkthrough sample: 5 terminations" }),
    plannedSize: null,
    method: "random" as const,
    strataBy: "quarter" as const,
    strataColumn: "",
    size: "5",
    seed: "e2e-walk",
    basis: "",
    again: false,
    replaceReason: "",
  };

  it("carries the planning, the size and the seed exactly as typed", () => {
    expect(drawRequest(draw)).toEqual({
      ok: true,
      value: {
        method: "random",
        size: 5,
        seed: "e2e-walk",
        strata: null,
        basis: "",
        replaceReason: null,
        planning: { kind: "judgemental", reason: "Walkthrough sample: 5 terminations" },
      },
    });
  });

  it("stops at the first thing missing, in the order the form reads", () => {
    const first = (over: object) => {
      const r = drawRequest({ ...draw, ...over });
      return r.ok ? null : r.problem;
    };
    expect(first({ planning: form({ approach: "judgemental" }), size: "" })).toMatch(/^Give the reason for the size/);
    expect(first({ size: "" })).toBe("Type the number of items you judged enough.");
    expect(first({ method: "stratified", strataBy: "column" })).toBe("Choose the column whose values make the strata.");
    expect(first({ seed: "" })).toBe("Type a seed, or have one proposed with New seed.");
    expect(first({ again: true, replaceReason: " " })).toBe("Give the reason for drawing again; it is recorded with the earlier draw.");
  });

  it("sends the strata with a stratified draw and the reason with a second draw", () => {
    const r = drawRequest({ ...draw, method: "stratified", strataBy: "column", strataColumn: "Region", again: true, replaceReason: "Wrong frame" });
    expect(r.ok && r.value.strata).toBe("column:Region");
    expect(r.ok && r.value.replaceReason).toBe("Wrong frame");
  });
});

const item = { ordinal: 2, replaces: null, void: null };
const voided = {
  ordinal: 3,
  replaces: null,
  void: { reason: "Rehired the next day", voidedBy: "Dana", voidedAt: "2026-11-23T10:00:00Z", replacement: 6 },
};

describe("a sample item's status", () => {
  it("reads a void with its reason and replacement, a replacement, or nothing", () => {
    expect(itemStatus(voided)).toEqual({ state: "void", text: "void: Rehired the next day → replaced by 6" });
    expect(itemStatus({ replaces: 3, void: null })).toEqual({ state: "replacement", text: "replaces 3" });
    expect(itemStatus(item)).toEqual({ state: "drawn", text: "" });
  });

  it("says how the item came into the sample", () => {
    expect(drawnIn({ ordinal: 2, replaces: null }, 5)).toBe("initial draw");
    expect(drawnIn({ ordinal: 7, replaces: null }, 5)).toBe("extension");
    expect(drawnIn({ ordinal: 6, replaces: 3 }, 5)).toBe("replacement of item 3");
  });

  it("lists the item's own fields under their column names", () => {
    expect(itemFields(["Employee ID", "Worker", "Ticket"], { fields: ["W-1", "Dana Le"] })).toEqual([
      { name: "Employee ID", value: "W-1" },
      { name: "Worker", value: "Dana Le" },
      { name: "Ticket", value: "" },
    ]);
  });
});

describe("voiding an item", () => {
  it("is refused for a void item, a systematic sample and an item with an exception, saying why", () => {
    expect(voidRefusal("random", voided, false)).toBe("Item 3 is already void; its replacement is item 6.");
    expect(voidRefusal("systematic", item, false)).toMatch(/^A systematic sample has no replacement rule/);
    expect(voidRefusal("stratified", item, true)).toMatch(/^Item 2 has an exception recorded/);
    expect(voidRefusal("random", item, false)).toBeNull();
  });

  it("needs the reason the item cannot be tested", () => {
    expect(voidProblem(4, " ")).toMatch(/^Give the reason item 4 cannot be tested/);
    expect(voidProblem(4, "Cancelled before deployment")).toBeNull();
  });
});
