import { describe, expect, it } from "vitest";
import { MAX_SCROLL_PX, PageCache, rowWindow, scrollHeight, scrollTopFor } from "./grid";

const ROW = 24;

describe("row window", () => {
  it("draws only the rows that fit, plus the partly visible one", () => {
    expect(rowWindow(0, 480, 1000, ROW)).toEqual({ first: 0, count: 20, offset: 0 });
    const w = rowWindow(30, 480, 1000, ROW);
    expect(w.first).toBe(1);
    expect(w.offset).toBe(6);
    expect(w.count).toBe(21);
  });

  it("ends exactly on the last row at the bottom of the scroll range", () => {
    const rows = 1000;
    const bottom = scrollHeight(rows, ROW) - 480;
    const w = rowWindow(bottom, 480, rows, ROW);
    expect(w.first + w.count).toBe(rows);
  });

  it("keeps a million rows within the height a webview can lay out", () => {
    const rows = 1_000_000;
    expect(scrollHeight(rows, ROW)).toBe(MAX_SCROLL_PX);
    const bottom = MAX_SCROLL_PX - 600;
    const w = rowWindow(bottom, 600, rows, ROW);
    expect(w.first + w.count).toBe(rows);
    expect(w.count).toBeLessThanOrEqual(26);
    const middle = rowWindow(bottom / 2, 600, rows, ROW);
    expect(Math.abs(middle.first - rows / 2)).toBeLessThan(20);
  });

  it("finds the scroll position of a row, compressed or not", () => {
    for (const rows of [1000, 1_000_000]) {
      for (const target of [0, 1, 499, rows - 30]) {
        const top = scrollTopFor(target, 600, rows, ROW);
        expect(rowWindow(top, 600, rows, ROW).first).toBe(target);
      }
    }
  });

  it("draws nothing for an empty population", () => {
    expect(rowWindow(0, 600, 0, ROW)).toEqual({ first: 0, count: 0, offset: 0 });
  });
});

describe("page cache", () => {
  function fakeEngine(total: number) {
    const calls: [number, number][] = [];
    const fetch = async (offset: number, limit: number) => {
      calls.push([offset, limit]);
      const n = Math.max(0, Math.min(limit, total - offset));
      return Array.from({ length: n }, (_, i) => offset + i + 1);
    };
    return { calls, fetch };
  }

  it("fetches only the pages covering the visible rows, once", async () => {
    const engine = fakeEngine(1_000_000);
    const cache = new PageCache(100, engine.fetch);
    await Promise.all([cache.ensure(150, 30), cache.ensure(160, 30)]);
    expect(engine.calls).toEqual([[100, 100]]);
    expect(cache.get(150)).toBe(151);
    expect(cache.get(99)).toBeUndefined();
    await cache.ensure(190, 20);
    expect(engine.calls).toEqual([
      [100, 100],
      [200, 100],
    ]);
  });

  it("forgets the least recently used pages past its limit", async () => {
    const engine = fakeEngine(10_000);
    const cache = new PageCache(10, engine.fetch, () => {}, 3);
    await cache.ensure(0, 10);
    await cache.ensure(10, 10);
    cache.get(0); // page 0 is now more recent than page 1
    await cache.ensure(20, 10);
    await cache.ensure(30, 10);
    expect(cache.loadedPages).toBe(3);
    expect(cache.has(0)).toBe(true);
    expect(cache.has(10)).toBe(false);
  });

  it("keeps the error of a failed fetch and drops pages that arrive after close", async () => {
    const failing = new PageCache(10, async () => {
      throw { code: "no_engagement", message: "No engagement is open." };
    });
    await failing.ensure(0, 5);
    expect(failing.error).toEqual({ code: "no_engagement", message: "No engagement is open." });

    let release: (rows: number[]) => void = () => {};
    const slow = new PageCache(10, () => new Promise<number[]>((r) => (release = r)));
    const pending = slow.ensure(0, 5);
    slow.close();
    release([1, 2, 3]);
    await pending;
    expect(slow.has(0)).toBe(false);
  });
});

describe("column widths", () => {
  it("fits the header and typical values, within bounds", async () => {
    const { columnWidths } = await import("./grid");
    const w = columnWidths(
      ["Issue key", "Summary", "X"],
      [
        ["CHG-1", "Rotate the production database credentials after the vendor change", "a"],
        ["CHG-2", "Patch", "b"],
      ],
    );
    expect(w[0]).toBe(Math.round(11 * 7.6 + 22));
    expect(w[1]).toBeLessThanOrEqual(360);
    expect(w[2]).toBe(64);
    expect(columnWidths(["Key"], [["A-1"]], [40])[0]).toBe(64 + 40);
  });
});
