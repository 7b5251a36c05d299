// The fieldwork screens' logic, kept out of the components so it can be tested: the testing
// grid's cell cursor and keys, tickmarks, the draw form's strata, and the wording
// of conclusions and sign-offs. Nothing here decides an audit question: the engine does.

import type { ConclusionKindJson } from "./bindings/ConclusionKindJson";
import type { OutcomeKind } from "./bindings/OutcomeKind";
import type { ResultJson } from "./bindings/ResultJson";
import type { SignOffJson } from "./bindings/SignOffJson";
import type { SignOffRoleKind } from "./bindings/SignOffRoleKind";
import { VOCABULARY } from "./bindings/vocabulary";

/** A cell of the testing grid: a sample item (row) and an attribute (column), both 0-based. */
export interface Cursor {
  row: number;
  col: number;
}

/**
 * The cursor after a navigation key, or null for a key that does not move it. Arrows move one
 * cell; Home/End go to the row's first/last attribute (with Ctrl, the grid's first/last item);
 * PageUp/PageDown move `page` items. The cursor never leaves the grid.
 */
export function moveCursor(
  key: string,
  at: Cursor,
  rows: number,
  cols: number,
  opts: { ctrl?: boolean; page?: number } = {},
): Cursor | null {
  if (rows <= 0 || cols <= 0) return null;
  const page = opts.page ?? 10;
  const clamp = (c: Cursor): Cursor => ({
    row: Math.max(0, Math.min(rows - 1, c.row)),
    col: Math.max(0, Math.min(cols - 1, c.col)),
  });
  switch (key) {
    case "ArrowDown":
      return clamp({ row: at.row + 1, col: at.col });
    case "ArrowUp":
      return clamp({ row: at.row - 1, col: at.col });
    case "ArrowRight":
      return clamp({ row: at.row, col: at.col + 1 });
    case "ArrowLeft":
      return clamp({ row: at.row, col: at.col - 1 });
    case "PageDown":
      return clamp({ row: at.row + page, col: at.col });
    case "PageUp":
      return clamp({ row: at.row - page, col: at.col });
    case "Home":
      return clamp(opts.ctrl ? { row: 0, col: 0 } : { row: at.row, col: 0 });
    case "End":
      return clamp(opts.ctrl ? { row: rows - 1, col: cols - 1 } : { row: at.row, col: cols - 1 });
    default:
      return null;
  }
}

/** The cell after one is recorded: the next attribute, then the next item's first. */
export function nextCell(at: Cursor, rows: number, cols: number): Cursor {
  if (at.col + 1 < cols) return { row: at.row, col: at.col + 1 };
  if (at.row + 1 < rows) return { row: at.row + 1, col: 0 };
  return at;
}

/** P = pass, E = exception, N = not applicable; any other key is not an outcome. */
export function outcomeForKey(key: string): OutcomeKind | null {
  switch (key.toLowerCase()) {
    case "p":
      return "pass";
    case "e":
      return "exception";
    case "n":
      return "na";
    default:
      return null;
  }
}

/** An exception needs what was found and N/A needs the reason; a pass needs nothing. */
export function needsComment(outcome: OutcomeKind): boolean {
  return outcome !== "pass";
}

/** The tickmark the grid and the workpaper print for each outcome (the engine's). */
export const TICKMARKS: Record<OutcomeKind, string> = {
  pass: VOCABULARY.outcomes.pass.tickmark,
  exception: VOCABULARY.outcomes.exception.tickmark,
  na: VOCABULARY.outcomes.na.tickmark,
};

/** The legend printed with the grid: the workpaper's own. */
export const TICKMARK_LEGEND: readonly { mark: string; meaning: string }[] = VOCABULARY.legend;

export const OUTCOME_LABELS: Record<OutcomeKind, string> = {
  pass: VOCABULARY.outcomes.pass.words,
  exception: VOCABULARY.outcomes.exception.words,
  na: VOCABULARY.outcomes.na.words,
};

export function cellKey(ordinal: number, attribute: string): string {
  return `${ordinal}|${attribute.toLowerCase()}`;
}

/** Results by cell, for the grid to look up. */
export function indexResults(results: ResultJson[]): Map<string, ResultJson> {
  return new Map(results.map((r) => [cellKey(r.ordinal, r.attribute), r]));
}

export type StrataChoice = "quarter" | "month" | "column";

/** The draw request's strata: `quarter`, `month` or `column:NAME`; null when not stratified. */
export function strataRequest(method: string, by: StrataChoice, column: string): string | null {
  if (method !== "stratified") return null;
  return by === "column" ? `column:${column.trim()}` : by;
}

/** `draw 2 of 3`: which draw this is, and how many there have been (replaced ones count). */
export function drawCount(drawNumber: number, draws: number): string {
  return `draw ${drawNumber} of ${draws}`;
}

/** A whole number of items from what was typed, or null. */
export function parseSize(text: string | number): number | null {
  const s = String(text).trim().replace(/,/g, "");
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** A recorded rate ("0.95", "0.05") as a percentage for reading: `95%`, `5%`, `2.5%`. */
export function ratePercent(rate: string | null | undefined): string {
  if (rate == null || rate === "") return "—";
  const t = rate.trim();
  if (t.endsWith("%")) return t;
  const m = /^0*(\d*)\.?(\d*)$/.exec(t);
  if (!m) return t;
  const digits = (m[2] ?? "").padEnd(2, "0");
  const whole = String(Number(`${m[1] || "0"}${digits.slice(0, 2)}`));
  const rest = digits.slice(2).replace(/0+$/, "");
  return `${whole}${rest ? `.${rest}` : ""}%`;
}

/** A deviation rate (k / n) for reading, to one decimal place: `3.3%`. */
export function deviationPercent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

export const CONCLUSION_LABELS: Record<ConclusionKindJson, string> = VOCABULARY.conclusions;

/** The sign-off in force for `role` (the latest not cleared), if any. */
export function activeSignOff(signoffs: SignOffJson[], role: SignOffRoleKind): SignOffJson | null {
  for (let i = signoffs.length - 1; i >= 0; i--) {
    const s = signoffs[i];
    if (s.role === role && !s.clearedAt) return s;
  }
  return null;
}

/** The attendees field: one name per line or comma-separated, blanks dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
