import { describe, expect, it } from "vitest";
import type { ConflictJson } from "./bindings/ConflictJson";
import type { HandoffJson } from "./bindings/HandoffJson";
import {
  allResolved,
  chooseAll,
  controlChoices,
  fieldLabel,
  handoffBlocker,
  handoffStatus,
  heldBy,
  holderOf,
  mergeCaption,
  readOnlyHere,
  resolutionOf,
  sideFields,
  statusText,
  unresolved,
  workingCopyBanner,
} from "./team";

function handoff(assignee: string, controls: string[], extra: Partial<HandoffJson> = {}): HandoffJson {
  return {
    branch: `b-${assignee}`,
    assignee,
    fingerprint: "0123456789abcdef",
    controls,
    baseSeq: 40,
    outBy: "Dana Whitfield",
    outAt: "2026-11-12T09:30:00+00:00",
    mergedBy: null,
    mergedAt: null,
    mergedEvents: null,
    mergeEvent: null,
    recalledBy: null,
    recalledAt: null,
    recallReason: null,
    ...extra,
  };
}

function conflict(id: string, subject = "item 4, attribute B"): ConflictJson {
  return {
    id,
    control: "CC8.1-01",
    subject,
    main: { value: 'outcome: "pass"', by: "Dana Whitfield", at: "2026-11-13T10:00:00+00:00" },
    returned: { value: 'outcome: "exception"', by: "Ravi Patel", at: "2026-11-14T16:00:00+00:00" },
  };
}

const merged = handoff("Sam Ortiz", ["CC6.2-01"], {
  mergedBy: "Dana Whitfield",
  mergedAt: "2026-11-20T08:00:00+00:00",
  mergedEvents: 3,
  mergeEvent: 57,
});
const recalled = handoff("Lee Chen", ["CC7.2-01"], {
  recalledBy: "Dana Whitfield",
  recalledAt: "2026-11-15T08:00:00+00:00",
  recallReason: "laptop lost",
});
const out = handoff("Ravi Patel", ["CC8.1-01", "CC6.1-01"]);

describe("who holds what", () => {
  it("only a copy still out holds its controls", () => {
    const all = [merged, recalled, out];
    expect(handoffStatus(out)).toBe("out");
    expect(handoffStatus(merged)).toBe("merged");
    expect(handoffStatus(recalled)).toBe("recalled");
    expect(holderOf(all, "CC8.1-01")?.assignee).toBe("Ravi Patel");
    expect(holderOf(all, "CC6.2-01")).toBeNull();
    expect([...heldBy(all)]).toEqual([
      ["CC8.1-01", "Ravi Patel"],
      ["CC6.1-01", "Ravi Patel"],
    ]);
  });

  it("the hand-off form shows a control out as held and every other as free", () => {
    const choices = controlChoices(
      [
        { code: "CC6.1-01", description: "Quarterly access reviews" },
        { code: "CC6.2-01", description: "New hires" },
      ],
      [merged, out],
    );
    expect(choices).toEqual([
      { code: "CC6.1-01", description: "Quarterly access reviews", heldBy: "Ravi Patel" },
      { code: "CC6.2-01", description: "New hires", heldBy: null },
    ]);
    expect(handoffBlocker(" ", ["CC6.2-01"])).toMatch(/colleague/);
    expect(handoffBlocker("Ravi Patel", [])).toMatch(/at least one control/);
    expect(handoffBlocker("Ravi Patel", ["CC6.2-01"])).toBeNull();
  });

  it("the status says who merged or recalled the copy, when, and why", () => {
    expect(statusText(out)).toBe("Out");
    expect(statusText(merged)).toBe("Merged by Dana Whitfield on 20 Nov 2026: 3 events brought back");
    expect(statusText(recalled)).toBe("Recalled by Dana Whitfield on 15 Nov 2026: laptop lost");
  });

  it("a working copy names its colleague, its controls and who handed it out, and the rest is read-only", () => {
    const copy = handoff("Ravi Patel", ["CC6.1-01"]);
    expect(workingCopyBanner(copy)).toBe(
      "Working copy for Ravi Patel: CC6.1-01 — handed out by Dana Whitfield on 12 Nov 2026; only this control can change here",
    );
    expect(workingCopyBanner(out)).toContain("CC8.1-01, CC6.1-01");
    expect(workingCopyBanner(out)).toContain("only these controls can change here");
    expect(readOnlyHere(copy, "CC6.1-01")).toBe(false);
    expect(readOnlyHere(copy, "CC8.1-01")).toBe(true);
    expect(readOnlyHere(null, "CC8.1-01")).toBe(false);
  });
});

describe("the merge screen's choices", () => {
  const conflicts = [conflict("c1"), conflict("c2", "item 7, attribute A")];

  it("the merge waits until every conflict has a side", () => {
    expect(allResolved(conflicts, {})).toBe(false);
    expect(unresolved(conflicts, { c1: "main" }).map((c) => c.id)).toEqual(["c2"]);
    expect(allResolved(conflicts, { c1: "main" })).toBe(false);
    expect(allResolved(conflicts, { c1: "main", c2: "returned" })).toBe(true);
    expect(allResolved([], {})).toBe(true);
    expect(mergeCaption(conflicts, { c1: "main" })).toBe("Resolve 1 more conflict to merge");
    expect(mergeCaption(conflicts, {})).toBe("Resolve 2 more conflicts to merge");
    expect(mergeCaption(conflicts, { c1: "main", c2: "main" })).toBe("Merge with 2 conflicts resolved");
    expect(mergeCaption([], {})).toBe("Merge");
  });

  it("keep all sets one side for every conflict, and each choice can then be changed", () => {
    const all = chooseAll(conflicts, "returned");
    expect(all).toEqual({ c1: "returned", c2: "returned" });
    expect(resolutionOf(conflicts, { ...all, c2: "main" })).toEqual({ all: null, each: { c1: "returned", c2: "main" } });
  });

  it("the resolution names only the plan's conflicts, each by its id", () => {
    expect(resolutionOf(conflicts, { c1: "main", stale: "returned" })).toEqual({ all: null, each: { c1: "main" } });
    expect(resolutionOf([], {})).toEqual({ all: null, each: {} });
  });
});

describe("a conflict's side as fields", () => {
  it("puts the outcome first and unquotes strings, quotes and semicolons inside them included", () => {
    expect(sideFields('comment: "no ticket; see \\"PBC-7\\""; outcome: "exception"')).toEqual([
      { field: "outcome", value: "Exception" },
      { field: "comment", value: 'no ticket; see "PBC-7"' },
    ]);
    expect(sideFields('comment: ""; outcome: "pass"')).toEqual([
      { field: "outcome", value: "Pass" },
      { field: "comment", value: "" },
    ]);
    expect(sideFields("isolated: true; reviewer: none")).toEqual([
      { field: "isolated", value: "true" },
      { field: "reviewer", value: "none" },
    ]);
  });

  it("shows the engine's words whole when they are not a list of fields", () => {
    expect(sideFields("deleted")).toEqual([{ field: null, value: "deleted" }]);
    expect(sideFields("the same fields, written separately")).toEqual([{ field: null, value: "the same fields, written separately" }]);
    expect(sideFields('comment: "unterminated')).toEqual([{ field: null, value: 'comment: "unterminated' }]);
  });

  it("names a field in words", () => {
    expect(fieldLabel("outcome")).toBe("Outcome");
    expect(fieldLabel("tested_by")).toBe("Tested by");
    expect(fieldLabel("attribute_id")).toBe("Attribute");
  });
});
