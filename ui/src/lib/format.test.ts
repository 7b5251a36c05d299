import { describe, expect, it } from "vitest";
import {
  fileName,
  formatAmount,
  formatBytes,
  formatCount,
  formatDate,
  formatLines,
  formatPeriod,
  formatTimestamp,
  groupHash,
  percent,
  plural,
  shortHash,
} from "./format";

describe("dates and times", () => {
  it("writes ISO dates with the month spelled, so 03/04 is never ambiguous", () => {
    expect(formatDate("2026-01-31")).toBe("31 Jan 2026");
    expect(formatDate("2026-12-01")).toBe("1 Dec 2026");
    expect(formatPeriod("2026-01-01", "2026-12-31")).toBe("1 Jan 2026 – 31 Dec 2026");
    expect(formatPeriod("2026-06-30", "2026-06-30")).toBe("As of 30 Jun 2026");
  });

  it("leaves text that is not an ISO date alone and shows a dash for none", () => {
    expect(formatDate("31/01/2026")).toBe("31/01/2026");
    expect(formatDate("2026-13-01")).toBe("2026-13-01");
    expect(formatDate(null)).toBe("—");
  });

  it("shows recorded times in UTC whatever the machine's zone", () => {
    expect(formatTimestamp("2026-11-23T19:14:20Z")).toBe("2026-11-23 19:14:20 UTC");
    expect(formatTimestamp("2026-11-23T21:14:20+02:00")).toBe("2026-11-23 19:14:20 UTC");
    expect(formatTimestamp("yesterday")).toBe("yesterday");
  });
});

describe("numbers", () => {
  it("groups the digits of an exact decimal without going through a float", () => {
    expect(formatAmount("1234567.50")).toBe("1,234,567.50");
    expect(formatAmount("-1234")).toBe("-1,234");
    expect(formatAmount("12345678901234567890.123456789")).toBe("12,345,678,901,234,567,890.123456789");
    expect(formatAmount("0.1")).toBe("0.1");
    expect(formatAmount("n/a")).toBe("n/a");
    expect(formatAmount(null)).toBe("—");
  });

  it("groups counts and sizes for reading", () => {
    expect(formatCount(1000000)).toBe("1,000,000");
    expect(formatCount(999)).toBe("999");
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(120_000_000)).toBe("120 MB");
    expect(plural(1, "item")).toBe("1 item");
    expect(plural(1200, "item")).toBe("1,200 items");
  });

  it("keeps progress between 0 and 100 even with no total", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(5, 0)).toBe(0);
    expect(percent(300, 200)).toBe(100);
  });
});

describe("hashes, lines and paths", () => {
  const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  it("shortens a hash for tables and groups it by 8 for comparing by eye", () => {
    expect(shortHash(sha)).toBe("9f86d081884c");
    expect(groupHash(sha).split(" ")).toHaveLength(8);
    expect(groupHash(sha).startsWith("9f86d081 884c7d65")).toBe(true);
    expect(shortHash("")).toBe("—");
  });

  it("lists line numbers and says how many more there are", () => {
    expect(formatLines([3, 5, 9])).toBe("3, 5, 9");
    expect(formatLines([1, 2, 3, 4], 2)).toBe("1, 2 … and 2 more");
    expect(formatLines([1, 2], 20, 1500)).toBe("1, 2 … and 1,498 more");
    expect(formatLines([1031, 1032])).toBe("1031, 1032");
    expect(formatLines([])).toBe("—");
  });

  it("takes the file name from either kind of path", () => {
    expect(fileName("/home/dana/Acme/acme.tickmark")).toBe("acme.tickmark");
    expect(fileName("C:\\Users\\dana\\acme.tickmark")).toBe("acme.tickmark");
  });
});

describe("file names suggested to the save dialog", () => {
  // The extension is added by the shell (src-tauri/src/files.rs, with_extension).
  it("makes a file stem from the client's name", async () => {
    const { safeFileStem } = await import("./format");
    expect(safeFileStem("Acme Cloud, Inc.")).toBe("Acme Cloud Inc");
    expect(safeFileStem("  //  ")).toBe("engagement");
  });
});
