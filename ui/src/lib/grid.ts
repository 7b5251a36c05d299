// The virtualised population grid's arithmetic: which rows are visible for a scroll position,
// and a page cache that fetches only those from the engine. Only the visible rows are in the
// DOM; a million-row population is a million rows of scroll range, not of elements.

/**
 * WebKit and Chromium stop laying out elements taller than about 2^25 px (33.5 M). Past this
 * height the scroll range is compressed: one pixel of scrolling moves more than one pixel of
 * rows. At 24 px a row that starts above 333,333 rows; 1,000,000 rows scroll at 3 px per pixel.
 */
export const MAX_SCROLL_PX = 8_000_000;

export interface RowWindow {
  /** Index (0-based) of the first row drawn. */
  first: number;
  /** Rows drawn, including the partly visible one at the bottom. */
  count: number;
  /** How far the first row is scrolled up under the header, in px. */
  offset: number;
}

/** The scroll range (px) for `rows` rows: their full height, or compressed past `max`. */
export function scrollHeight(rows: number, rowHeight: number, max = MAX_SCROLL_PX): number {
  return Math.min(rows * rowHeight, max);
}

/** The rows to draw at `scrollTop` in a viewport `viewport` px high. */
export function rowWindow(
  scrollTop: number,
  viewport: number,
  rows: number,
  rowHeight: number,
  max = MAX_SCROLL_PX,
): RowWindow {
  if (rows <= 0 || viewport <= 0) return { first: 0, count: 0, offset: 0 };
  const total = rows * rowHeight;
  const range = Math.max(0, scrollHeight(rows, rowHeight, max) - viewport);
  const contentRange = Math.max(0, total - viewport);
  const clamped = Math.min(Math.max(scrollTop, 0), range);
  // Uncompressed, a pixel is a pixel: no division, so offsets stay exact.
  const top = range === contentRange ? clamped : range > 0 ? (clamped / range) * contentRange : 0;
  const first = Math.min(rows - 1, Math.floor(top / rowHeight));
  const offset = top - first * rowHeight;
  const count = Math.min(rows - first, Math.ceil((viewport + offset) / rowHeight));
  return { first, count, offset };
}

/** The `scrollTop` that puts row `index` (0-based) at the top of the viewport. */
export function scrollTopFor(
  index: number,
  viewport: number,
  rows: number,
  rowHeight: number,
  max = MAX_SCROLL_PX,
): number {
  const range = Math.max(0, scrollHeight(rows, rowHeight, max) - viewport);
  const contentRange = Math.max(0, rows * rowHeight - viewport);
  if (range === 0 || contentRange === 0) return 0;
  const top = Math.min(Math.max(index, 0) * rowHeight, contentRange);
  if (range === contentRange) return top;
  // Round up so the row lands at (or a hair below) the top edge rather than just above it.
  return Math.ceil((top / contentRange) * range);
}

/** The scroll delta that moves the rows by `rowsToMove` rows (compressed ranges move faster). */
export function scrollDeltaFor(rowsToMove: number, viewport: number, rows: number, rowHeight: number, max = MAX_SCROLL_PX) {
  const range = Math.max(0, scrollHeight(rows, rowHeight, max) - viewport);
  const contentRange = Math.max(0, rows * rowHeight - viewport);
  if (contentRange === 0) return 0;
  return (rowsToMove * rowHeight * range) / contentRange;
}

/**
 * Pages of rows fetched on demand, at most `maxPages` kept (least recently used go first).
 * `fetch(offset, limit)` returns rows `offset+1 ..= offset+limit` (the engine's paging).
 */
export class PageCache<T> {
  private pages = new Map<number, T[]>();
  private inflight = new Map<number, Promise<void>>();
  private closed = false;
  error: unknown = null;

  constructor(
    readonly pageSize: number,
    private readonly fetch: (offset: number, limit: number) => Promise<T[]>,
    private readonly onLoad: () => void = () => {},
    readonly maxPages = 64,
  ) {}

  /** Row `index` (0-based), if its page is loaded. */
  get(index: number): T | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (!rows) return undefined;
    // Touch: re-insert so Map order is least recently used first.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  has(index: number): boolean {
    return this.pages.has(Math.floor(index / this.pageSize));
  }

  get loadedPages(): number {
    return this.pages.size;
  }

  /** Fetches the pages covering rows `first .. first+count-1` that are not loaded or loading. */
  async ensure(first: number, count: number): Promise<void> {
    if (count <= 0) return;
    const from = Math.floor(first / this.pageSize);
    const to = Math.floor((first + count - 1) / this.pageSize);
    const waits: Promise<void>[] = [];
    for (let p = from; p <= to; p++) {
      if (this.pages.has(p)) continue;
      let wait = this.inflight.get(p);
      if (!wait) {
        wait = this.load(p);
        this.inflight.set(p, wait);
      }
      waits.push(wait);
    }
    await Promise.all(waits);
  }

  /** Stops delivering: a page arriving after this (the grid was closed) is dropped. */
  close(): void {
    this.closed = true;
    this.pages.clear();
  }

  private async load(page: number): Promise<void> {
    try {
      const rows = await this.fetch(page * this.pageSize, this.pageSize);
      if (this.closed) return;
      this.pages.set(page, rows);
      while (this.pages.size > this.maxPages) {
        const oldest = this.pages.keys().next().value as number;
        this.pages.delete(oldest);
      }
      this.error = null;
    } catch (e) {
      this.error = e;
    } finally {
      this.inflight.delete(page);
      if (!this.closed) this.onLoad();
    }
  }
}

/**
 * Column widths (px) from the header and a sample of values: wide enough for most values,
 * never so wide that one long description pushes every other column off screen. `extra[i]`
 * is added to column i (room for a tag in its header).
 */
export function columnWidths(
  headers: string[],
  rows: string[][],
  extra: number[] = [],
  charPx = 7.6,
  pad = 22,
  min = 64,
  max = 360,
): number[] {
  return headers.map((h, i) => {
    const lengths = rows.map((r) => (r[i] ?? "").length).sort((a, b) => a - b);
    // The 90th percentile, so a single outlier does not decide the width.
    const typical = lengths.length ? lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * 0.9))] : 0;
    const chars = Math.max(h.length + 2, typical);
    return Math.round(Math.min(max, Math.max(min, chars * charPx + pad)) + (extra[i] ?? 0));
  });
}
