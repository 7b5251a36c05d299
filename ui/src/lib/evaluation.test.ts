import { describe, expect, it } from "vitest";
import type { ApproachJson } from "./bindings/ApproachJson";
import type { EvaluationJson } from "./bindings/EvaluationJson";
import { PROPOSAL_LABELS, concludeProblem, figures, mustChooseConclusion } from "./evaluation";

const STATISTICAL: ApproachJson = {
  kind: "statistical",
  words: "Statistical attribute sampling, binomial: confidence 95.0%, tolerable rate 5.0%, expected rate 0.0%; planned size 59, 0 deviation(s) allowed.",
  plannedSize: 59,
  confidence: "0.95",
  tolerableRate: "0.05",
};
const JUDGEMENTAL: ApproachJson = {
  kind: "judgemental",
  words: "Non-statistical, size judged by the auditor: Walkthrough sample: 5 terminations",
  plannedSize: null,
  confidence: null,
  tolerableRate: null,
};
const ONE: ApproachJson = { kind: "test-of-one", words: "Test of one (automated control): IdP", plannedSize: 1, confidence: null, tolerableRate: null };

function evaluation(over: Partial<EvaluationJson>): EvaluationJson {
  return {
    approach: JUDGEMENTAL,
    listedItems: 5,
    voidedItems: 0,
    testedItems: 5,
    untestedItems: 0,
    allNaItems: [],
    deviations: 1,
    deviationRate: 0.2,
    upperDeviationLimit: null,
    exceedsTolerable: null,
    strata: [],
    proposal: { kind: "sample-too-small", words: "Sample too small for the planned reliance", extendTo: 10, reason: "…" },
    blocker: null,
    ...over,
  };
}

describe("the figures shown", () => {
  it("shows k of n and the rate, but no upper limit, for a non-statistical sample", () => {
    const f = figures(evaluation({}));
    expect(f.kOfN).toBe("1 of 5");
    expect(f.rate).toBe("20.0%");
    expect(f.limit).toBeNull();
    expect(f.testOfOne).toBeNull();
  });

  it("shows the upper deviation limit against the tolerable rate for a statistical sample", () => {
    const f = figures(
      evaluation({ approach: STATISTICAL, listedItems: 60, testedItems: 59, voidedItems: 1, deviations: 0, deviationRate: 0, upperDeviationLimit: "4.9%", exceedsTolerable: false }),
    );
    expect(f.kOfN).toBe("0 of 59");
    expect(f.limit).toEqual({ limit: "4.9%", confidence: "95%", tolerable: "5%", exceeds: false });
  });

  it("shows neither a rate nor a limit for a test of one, but whether it operated", () => {
    const f = figures(evaluation({ approach: ONE, listedItems: 1, testedItems: 1, deviations: 0, deviationRate: null }));
    expect(f.rate).toBeNull();
    expect(f.limit).toBeNull();
    expect(f.testOfOne).toBe("Operated as designed");
    expect(figures(evaluation({ approach: ONE, listedItems: 1, testedItems: 1, deviations: 1, deviationRate: null })).testOfOne).toBe(
      "Did not operate as designed",
    );
    expect(figures(evaluation({ approach: ONE, testedItems: 0, deviationRate: null })).testOfOne).toBeNull();
  });

  it("never shows an upper limit the engine did not give, even for a statistical sample", () => {
    expect(figures(evaluation({ approach: STATISTICAL, testedItems: 0, deviationRate: null })).limit).toBeNull();
  });

  it("names every kind of proposal", () => {
    expect(PROPOSAL_LABELS["sample-too-small"]).toBe("Sample too small for the planned reliance");
  });
});

describe("concluding", () => {
  it("is stopped by the engine's blocker, in its words", () => {
    const ev = evaluation({ blocker: "5 of 10 items of CC6.3-01 are not fully tested; record every attribute of every item before concluding" });
    expect(concludeProblem(ev, false, "exceptions-noted", "")).toBe(ev.blocker);
  });

  it("needs a tested item", () => {
    expect(concludeProblem(evaluation({ proposal: null }), false, "exceptions-noted", "")).toMatch(/nothing to conclude on/);
  });

  it("needs the conclusion chosen with a reason when the sample is too small", () => {
    const ev = evaluation({});
    expect(mustChooseConclusion(ev)).toBe(true);
    expect(concludeProblem(ev, true, "exceptions-noted", "")).toMatch(/^The sample is too small/);
    expect(concludeProblem(ev, true, "exceptions-noted", "Walkthrough only; reliance placed elsewhere")).toBeNull();
  });

  it("accepts the proposal without a reason, and needs one to conclude otherwise", () => {
    const ev = evaluation({ proposal: { kind: "exceptions-noted", words: "Exceptions noted", extendTo: null, reason: "…" } });
    expect(mustChooseConclusion(ev)).toBe(false);
    expect(concludeProblem(ev, false, "not-effective", "")).toBeNull();
    expect(concludeProblem(ev, true, "exceptions-noted", "")).toBeNull();
    expect(concludeProblem(ev, true, "not-effective", " ")).toBe("Give the reason for concluding otherwise than proposed.");
    expect(concludeProblem(ev, true, "not-effective", "Not isolated")).toBeNull();
  });
});
