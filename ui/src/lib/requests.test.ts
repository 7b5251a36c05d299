import { describe, expect, it } from "vitest";
import type { RequestJson } from "./bindings/RequestJson";
import {
  aging,
  askedSummary,
  controlsIn,
  defaultDue,
  filterRequests,
  itemLabel,
  newlyMade,
  receivedSummary,
  replaceRequest,
  requestCounts,
  requestKey,
  requestsFileStem,
  verdicts,
} from "./requests";

function req(code: string, extra: Partial<RequestJson> = {}): RequestJson {
  return {
    code,
    control: code.replace(/-(\d+|C)$/, ""),
    ordinal: code.endsWith("-C") ? null : Number(code.slice(-2)),
    key: null,
    date: null,
    details: "",
    asked: "Evidence showing, for this item:\nA: approved",
    due: "2026-12-15",
    status: "open",
    reason: null,
    createdAt: "2026-12-01T09:00:00Z",
    receivedAt: null,
    closedBy: null,
    closedAt: null,
    ageDays: 3,
    overdueDays: 0,
    ...extra,
  };
}

const list = [
  req("CC6.1-01-01", { overdueDays: 5, ageDays: 19 }),
  req("CC6.1-01-02", { status: "received", receivedAt: "2026-12-10T08:00:00Z" }),
  req("CC6.1-01-C", { status: "rejected", reason: "the 2024 policy", receivedAt: "2026-12-09T08:00:00Z", closedAt: "2026-12-11T10:00:00Z" }),
  req("CC8.1-01-07", { status: "accepted", closedAt: "2026-12-12T10:00:00Z" }),
  req("CC8.1-01-08"),
];

describe("the due date proposed", () => {
  it("is two weeks from today, across a month and a year end", () => {
    expect(defaultDue(new Date(2026, 11, 1))).toBe("2026-12-15");
    expect(defaultDue(new Date(2026, 11, 25))).toBe("2027-01-08");
    expect(defaultDue(new Date(2028, 1, 20), 10)).toBe("2028-03-01");
  });
});

describe("the filters and counts", () => {
  it("select by status, overdue and control", () => {
    const codes = (f: Parameters<typeof filterRequests>[1]) => filterRequests(list, f).map((r) => r.code);
    expect(codes({ status: "all", control: null })).toHaveLength(5);
    expect(codes({ status: "open", control: null })).toEqual(["CC6.1-01-01", "CC8.1-01-08"]);
    expect(codes({ status: "overdue", control: null })).toEqual(["CC6.1-01-01"]);
    expect(codes({ status: "rejected", control: "CC6.1-01" })).toEqual(["CC6.1-01-C"]);
    expect(codes({ status: "all", control: "CC8.1-01" })).toEqual(["CC8.1-01-07", "CC8.1-01-08"]);
  });

  it("count each status, within a control when one is chosen", () => {
    expect(requestCounts(list)).toEqual({ all: 5, open: 2, overdue: 1, received: 1, accepted: 1, rejected: 1 });
    expect(requestCounts(list, "CC8.1-01")).toEqual({ all: 2, open: 1, overdue: 0, received: 0, accepted: 1, rejected: 0 });
  });

  it("list each control once, in the engine's order", () => {
    expect(controlsIn(list)).toEqual(["CC6.1-01", "CC8.1-01"]);
  });
});

describe("a request's aging", () => {
  it("says how late an open request is, or how long it has been out", () => {
    expect(aging(list[0])).toEqual({ text: "5 days overdue", tone: "bad" });
    expect(aging(req("X-01", { overdueDays: 1 }))).toEqual({ text: "1 day overdue", tone: "bad" });
    expect(aging(list[4])).toEqual({ text: "open 3 days", tone: "" });
  });

  it("says when the evidence came back, and when it was judged", () => {
    expect(aging(list[1])).toEqual({ text: "received 10 Dec 2026", tone: "warn" });
    expect(aging(list[2])).toEqual({ text: "rejected 11 Dec 2026", tone: "muted" });
    expect(aging(list[3])).toEqual({ text: "accepted 12 Dec 2026", tone: "muted" });
  });
});

describe("judging a request", () => {
  it("needs something received; a verdict can be changed, not repeated", () => {
    expect(verdicts(list[0])).toEqual({ accept: false, reject: false });
    expect(verdicts(list[1])).toEqual({ accept: true, reject: true });
    expect(verdicts(list[2])).toEqual({ accept: true, reject: false });
    expect(verdicts(list[3])).toEqual({ accept: false, reject: true });
  });

  it("takes A and R on a row, never with a modifier", () => {
    const key = (key: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean }> = {}) =>
      requestKey({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
    expect(key("a")).toBe("accept");
    expect(key("R")).toBe("reject");
    expect(key("a", { ctrlKey: true })).toBeNull();
    expect(key("r", { altKey: true })).toBeNull();
    expect(key("x")).toBeNull();
  });

  it("puts the engine's answer in place of the request", () => {
    const accepted = { ...list[1], status: "accepted" as const };
    expect(replaceRequest(list, accepted)[1].status).toBe("accepted");
    expect(replaceRequest(list, accepted)).toHaveLength(5);
  });
});

describe("what the screen says", () => {
  it("names the item or the control", () => {
    expect(itemLabel(list[0])).toBe("Item 1");
    expect(itemLabel(list[2])).toBe("Control");
  });

  it("counts the requests a generation made", () => {
    expect(newlyMade(list.slice(0, 2), list)).toBe(3);
    expect(newlyMade(list, list)).toBe(0);
  });

  it("sums up a received folder", () => {
    const got = {
      folder: "/home/dana/returned",
      stored: [
        { request: "CC8.1-01-07", file: "CC8.1-01-07 approval.png", sha256: "ab" },
        { request: "CC6.1-01-C", file: "CC6.1-01-C policy.pdf", sha256: "cd" },
      ],
      duplicates: ["CC8.1-01-07 approval (copy).png"],
      unmatched: ["notes.txt"],
      stillOpen: ["CC8.1-01-08"],
    };
    expect(receivedSummary(got)).toBe(
      "2 files stored as evidence, 1 duplicate already stored, kept once, 1 file matching no request; 1 request still open.",
    );
    expect(receivedSummary({ ...got, stored: [], duplicates: [], unmatched: [], stillOpen: [] })).toBe(
      "0 files stored as evidence; 0 requests still open.",
    );
  });

  it("puts what is asked on one line", () => {
    expect(askedSummary("Evidence showing, for this item:\nA: approved\nB: tested before deployment")).toBe(
      "A: approved; B: tested before deployment",
    );
    expect(askedSummary("The policy in effect during the period.")).toBe("The policy in effect during the period.");
  });

  it("suggests a file name for the client's list", () => {
    expect(requestsFileStem("Acme Cloud, Inc.", null)).toBe("Acme Cloud Inc requests");
    expect(requestsFileStem("Acme Cloud, Inc.", "CC8.1-01")).toBe("Acme Cloud Inc requests CC8 1-01");
  });
});
