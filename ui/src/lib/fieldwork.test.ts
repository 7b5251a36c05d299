import { describe, expect, it } from "vitest";
import type { SignOffJson } from "./bindings/SignOffJson";
import {
  activeSignOff,
  cellKey,
  deviationPercent,
  drawCount,
  moveCursor,
  needsComment,
  nextCell,
  outcomeForKey,
  parseSize,
  ratePercent,
  splitList,
  strataRequest,
} from "./fieldwork";


describe("the testing grid's cursor", () => {
  it("moves one cell with the arrows and never leaves the grid", () => {
    expect(moveCursor("ArrowDown", { row: 0, col: 0 }, 3, 2)).toEqual({ row: 1, col: 0 });
    expect(moveCursor("ArrowRight", { row: 1, col: 0 }, 3, 2)).toEqual({ row: 1, col: 1 });
    expect(moveCursor("ArrowRight", { row: 1, col: 1 }, 3, 2)).toEqual({ row: 1, col: 1 });
    expect(moveCursor("ArrowUp", { row: 0, col: 1 }, 3, 2)).toEqual({ row: 0, col: 1 });
    expect(moveCursor("ArrowLeft", { row: 2, col: 0 }, 3, 2)).toEqual({ row: 2, col: 0 });
  });

  it("pages, and goes to the row's or the grid's ends with Home and End", () => {
    expect(moveCursor("PageDown", { row: 0, col: 1 }, 25, 3)).toEqual({ row: 10, col: 1 });
    expect(moveCursor("PageUp", { row: 4, col: 1 }, 25, 3)).toEqual({ row: 0, col: 1 });
    expect(moveCursor("End", { row: 4, col: 0 }, 25, 3)).toEqual({ row: 4, col: 2 });
    expect(moveCursor("Home", { row: 4, col: 2 }, 25, 3)).toEqual({ row: 4, col: 0 });
    expect(moveCursor("End", { row: 4, col: 0 }, 25, 3, { ctrl: true })).toEqual({ row: 24, col: 2 });
  });

  it("ignores other keys and an empty grid", () => {
    expect(moveCursor("p", { row: 0, col: 0 }, 3, 2)).toBeNull();
    expect(moveCursor("ArrowDown", { row: 0, col: 0 }, 0, 2)).toBeNull();
  });

  it("steps to the next attribute after a result, then to the next item", () => {
    expect(nextCell({ row: 0, col: 0 }, 2, 2)).toEqual({ row: 0, col: 1 });
    expect(nextCell({ row: 0, col: 1 }, 2, 2)).toEqual({ row: 1, col: 0 });
    expect(nextCell({ row: 1, col: 1 }, 2, 2)).toEqual({ row: 1, col: 1 });
  });
});

describe("outcome keys", () => {
  it("maps P, E and N in either case and nothing else", () => {
    expect(outcomeForKey("p")).toBe("pass");
    expect(outcomeForKey("E")).toBe("exception");
    expect(outcomeForKey("n")).toBe("na");
    expect(outcomeForKey("x")).toBeNull();
    expect(outcomeForKey("Enter")).toBeNull();
  });

  it("asks for words for an exception and for not applicable only", () => {
    expect(needsComment("pass")).toBe(false);
    expect(needsComment("exception")).toBe(true);
    expect(needsComment("na")).toBe(true);
  });
});

describe("the draw form", () => {
  it("asks for strata only for a stratified draw", () => {
    expect(strataRequest("random", "quarter", "")).toBeNull();
    expect(strataRequest("stratified", "month", "")).toBe("month");
    expect(strataRequest("stratified", "column", " Region ")).toBe("column:Region");
  });

  it("reads sizes as whole numbers only", () => {
    expect(parseSize("25")).toBe(25);
    expect(parseSize("1,000")).toBe(1000);
    expect(parseSize("2.5")).toBeNull();
    expect(parseSize("")).toBeNull();
    expect(parseSize(40)).toBe(40);
  });

  it("says which draw this is", () => {
    expect(drawCount(2, 2)).toBe("draw 2 of 2");
  });
});

describe("rates for reading", () => {
  it("shows recorded decimals as percentages without float noise", () => {
    expect(ratePercent("0.95")).toBe("95%");
    expect(ratePercent("0.05")).toBe("5%");
    expect(ratePercent("0.025")).toBe("2.5%");
    expect(ratePercent("0.1")).toBe("10%");
    expect(ratePercent("5%")).toBe("5%");
    expect(ratePercent(null)).toBe("—");
  });

  it("shows a deviation rate to one decimal place", () => {
    expect(deviationPercent(1 / 30)).toBe("3.3%");
    expect(deviationPercent(0)).toBe("0.0%");
  });
});

describe("sign-offs and lists", () => {
  const s = (role: SignOffJson["role"], signer: string, clearedAt: string | null = null): SignOffJson => ({
    role,
    signer,
    signedAt: "2026-11-23T10:00:00Z",
    clearedAt,
    clearedReason: clearedAt ? "the conclusion changed" : null,
  });

  it("finds the sign-off in force, skipping cleared ones", () => {
    const all = [s("preparer", "Dana", "2026-11-24T10:00:00Z"), s("preparer", "Dana"), s("reviewer", "Marcus", "x")];
    expect(activeSignOff(all, "preparer")).toBe(all[1]);
    expect(activeSignOff(all, "reviewer")).toBeNull();
  });

  it("splits attendees typed on lines or with commas", () => {
    expect(splitList("Dana, Marcus\n\nPriya;  ")).toEqual(["Dana", "Marcus", "Priya"]);
  });
});
