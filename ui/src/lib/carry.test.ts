import { describe, expect, it } from "vitest";
import type { RollforwardCheckJson } from "./bindings/RollforwardCheckJson";
import { carriedWords, confirmedNote, followUpKind, periodGap, rollforwardFileStem, rollforwardPeriod, rolledForwardNotice } from "./carry";

const check: RollforwardCheckJson = {
  prior: {
    path: "/w/acme.tickmark",
    client: "Acme Cloud, Inc.",
    report: "soc2-type2",
    periodStart: "2026-01-01",
    periodEnd: "2026-12-31",
    criteria: ["CC", "A"],
    firm: "Harlow & Reyes LLP",
    preparer: "Dana Whitfield",
    reviewer: "Marcus Oyelaran",
    createdAt: "2026-01-05T09:00:00Z",
    createdBy: "Dana Whitfield",
  },
  controls: 16,
  proposedStart: "2027-01-01",
  proposedEnd: "2027-12-31",
  nextStart: "2027-01-01",
  follows: null,
};

describe("the roll-forward form", () => {
  it("sends a Type 1 report's one date as both ends", () => {
    expect(rollforwardPeriod("soc2-type1", " 2027-06-30 ", "2027-12-31")).toEqual({ start: "2027-06-30", end: "2027-06-30" });
    expect(rollforwardPeriod("soc2-type2", "2027-01-01", " 2027-12-31")).toEqual({ start: "2027-01-01", end: "2027-12-31" });
  });

  it("suggests the client and the new year as the file name", () => {
    expect(rollforwardFileStem("Acme Cloud, Inc.", "2027-01-01")).toBe("Acme Cloud Inc 2027");
    expect(rollforwardFileStem("Acme Cloud, Inc.", "next year")).toBe("Acme Cloud Inc");
  });

  it("warns only when the engine says the period does not follow", () => {
    expect(periodGap(check, "2027-02-01")).toBeNull();
    expect(periodGap({ ...check, follows: true }, "2027-01-01")).toBeNull();
    expect(periodGap({ ...check, follows: false }, "2027-02-01")).toBe(
      "The new period does not follow last year's: Acme Cloud, Inc.'s prior period ends on 31 Dec 2026; a period following it starts on 1 Jan 2027, not 1 Feb 2027.",
    );
  });
});

describe("what was carried", () => {
  it("is worded for the auditor confirming it", () => {
    expect(carriedWords("control")).toBe("the control (its description, attributes and test procedure)");
    expect(carriedWords("walkthrough")).toBe("the walkthrough (a draft to re-perform this year)");
    expect(carriedWords("objective")).toBe("objective");
    expect(confirmedNote(["control", "walkthrough"])).toBe("Confirmed the control and the walkthrough carried from last year.");
    expect(confirmedNote(["walkthrough"])).toBe("Confirmed the walkthrough carried from last year.");
    expect(confirmedNote([])).toBe("Nothing was left to confirm.");
    expect(followUpKind("deficiency")).toBe("Deficiency");
  });
});

describe("what a roll-forward made", () => {
  it("is said once on the dashboard it opens", () => {
    const done = {
      engagement: { ...check.prior, path: "/w/Acme Cloud Inc 2027.tickmark", periodStart: "2027-01-01", periodEnd: "2027-12-31" },
      priorId: "a".repeat(64),
      priorHead: "b".repeat(64),
      priorEvents: 410,
      controls: 16,
      walkthroughs: 1,
      followUps: 2,
    };
    expect(rolledForwardNotice(done, "acme.tickmark")).toBe(
      "Created Acme Cloud Inc 2027.tickmark from acme.tickmark: 16 controls and 1 walkthrough carried forward, each marked until confirmed or edited; 2 findings of last year's to follow up. Populations, samples, results and sign-offs start afresh.",
    );
    expect(rolledForwardNotice({ ...done, followUps: 0 }, "acme.tickmark")).toContain("; nothing of last year's to follow up.");
  });
});
