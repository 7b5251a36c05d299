// Scoping the sampling frame (SAMPLING-SPEC §1): the exclusion form's rule, read back in the
// auditor's words, and the arithmetic from the rows read to the items in the frame. The engine
// applies the rules and counts what they remove; this only writes and reads the rules.

import type { ExclusionJson } from "./bindings/ExclusionJson";
import type { PopulationJson } from "./bindings/PopulationJson";
import { formatCount } from "./format";

export type ExclusionKind = "outside-period" | "blank-key" | "duplicate-key" | "column" | "lines";

/** The rule kinds, in the order the engine applies them. */
export const EXCLUSION_KINDS: { kind: ExclusionKind; label: string }[] = [
  { kind: "outside-period", label: "Dated outside the review period" },
  { kind: "blank-key", label: "Blank item keys" },
  { kind: "duplicate-key", label: "Duplicate keys (keep the first occurrence)" },
  { kind: "column", label: "A column equals …" },
  { kind: "lines", label: "Source lines …" },
];

export interface ExclusionForm {
  kind: ExclusionKind;
  /** The column, for a column rule. */
  column: string;
  /** The column's values to exclude, one per line, exactly as in the file. */
  values: string;
  /** Source lines for a lines rule: `12, 40-42`. */
  lines: string;
  reason: string;
}

/** What the form asks the engine for, or what is wrong with it, in words for the auditor. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ExclusionRequest {
  rule: string;
  reason: string;
  /** With a sample on the control: why it is set aside (it stays on record). */
  replaceSample: string | null;
}

/** The column rule's values: one per line, kept exactly as typed; empty lines are dropped. */
export function columnValues(text: string): string[] {
  return text
    .split("\n")
    .map((v) => v.replace(/\r$/, ""))
    .filter((v) => v !== "");
}

/** `12, 40-42` → `12,40-42`, or what is wrong with it. */
export function linesRule(text: string): Checked<string> {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.replace(/[–—]/g, "-"))
    .filter((p) => p !== "");
  if (parts.length === 0) return { ok: false, problem: "Type the source line numbers to exclude, such as 12, 40-42." };
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) return { ok: false, problem: `“${p}” is not a line number or a range such as 40-42.` };
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a === 0) return { ok: false, problem: "Line numbers start at 1, as in the validation report's listings." };
    if (a > b) return { ok: false, problem: `“${p}”: a range runs from the lower line to the higher, such as ${b}-${a}.` };
    out.push(a === b ? String(a) : `${a}-${b}`);
  }
  return { ok: true, value: out.join(",") };
}

/** The rule as the engine reads it (`column:Status=Cancelled|Void`), or what is missing. */
export function exclusionRule(form: ExclusionForm): Checked<string> {
  switch (form.kind) {
    case "outside-period":
    case "blank-key":
    case "duplicate-key":
      return { ok: true, value: form.kind };
    case "column": {
      if (form.column === "") return { ok: false, problem: "Choose the column whose values exclude rows." };
      const values = columnValues(form.values);
      if (values.length === 0)
        return { ok: false, problem: `Type the value(s) of ${form.column} to exclude, one per line, exactly as in the file.` };
      const piped = values.find((v) => v.includes("|"));
      if (piped !== undefined)
        return { ok: false, problem: `“${piped}” contains “|”, which separates a rule's values: a value with “|” cannot be excluded by its column.` };
      return { ok: true, value: `column:${form.column}=${values.join("|")}` };
    }
    case "lines": {
      const lines = linesRule(form.lines);
      return lines.ok ? { ok: true, value: `lines:${lines.value}` } : lines;
    }
  }
}

/**
 * The whole request, checked: the rule, its reason, and (when the control already has a
 * sample) the reason for setting that sample aside.
 */
export function exclusionRequest(form: ExclusionForm, hasSample: boolean, replaceReason: string): Checked<ExclusionRequest> {
  const rule = exclusionRule(form);
  if (!rule.ok) return rule;
  if (form.reason.trim() === "")
    return { ok: false, problem: "Give the reason for excluding these rows; it is recorded with the rule and printed in the workpaper." };
  if (hasSample && replaceReason.trim() === "")
    return { ok: false, problem: "The control already has a sample: give the reason for setting it aside (it stays on record and you draw again)." };
  return { ok: true, value: { rule: rule.value, reason: form.reason, replaceSample: hasSample ? replaceReason : null } };
}

/** The order the engine applies rules in (SAMPLING-SPEC §1). */
function rank(rule: string): number {
  if (rule === "outside-period") return 0;
  if (rule === "blank-key") return 1;
  if (rule === "duplicate-key") return 2;
  if (rule.startsWith("column:")) return 3;
  if (rule.startsWith("lines:")) return 4;
  return 5;
}

/** A recorded rule in the auditor's words: `column:Status=Cancelled|Void` → `Status is “Cancelled” or “Void”`. */
export function describeRule(rule: string): string {
  if (rule === "outside-period") return "Dated outside the review period";
  if (rule === "blank-key") return "Blank item key";
  if (rule === "duplicate-key") return "Duplicate key, the first occurrence kept";
  if (rule.startsWith("column:")) {
    const body = rule.slice("column:".length);
    const eq = body.indexOf("=");
    if (eq < 0) return rule;
    const values = body.slice(eq + 1).split("|").map((v) => `“${v}”`);
    const list = values.length > 1 ? `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}` : values[0];
    return `${body.slice(0, eq)} is ${list}`;
  }
  if (rule.startsWith("lines:")) {
    const parts = rule.slice("lines:".length).split(",").map((p) => p.replace("-", "–"));
    return `Source ${parts.length === 1 && !parts[0].includes("–") ? "line" : "lines"} ${parts.join(", ")}`;
  }
  return rule;
}

export interface FrameStep {
  label: string;
  /** Rows taken away at this step (shown as − n), or null for a running total. */
  removed: number | null;
  count: number;
  exclusion?: ExclusionJson;
}

/**
 * From the rows read to the items in the frame: the blank rows the import skipped, the items
 * accepted, each rule's rows in the order the engine applies them, and the frame.
 */
export function frameSteps(p: PopulationJson): FrameStep[] {
  const r = p.report;
  const steps: FrameStep[] = [];
  if (p.origin !== "generated") {
    steps.push({ label: "Rows read", removed: null, count: r.rowsRead });
    if (r.blankRowsSkipped > 0)
      steps.push({ label: "Blank rows skipped at import", removed: r.blankRowsSkipped, count: r.rowsRead - r.blankRowsSkipped });
  }
  steps.push({ label: "Items accepted", removed: null, count: p.itemCount });
  let left = p.itemCount;
  const ordered = [...p.exclusions].sort((a, b) => rank(a.rule) - rank(b.rule));
  for (const e of ordered) {
    left -= e.rowsRemoved;
    steps.push({ label: describeRule(e.rule), removed: e.rowsRemoved, count: left, exclusion: e });
  }
  steps.push({ label: "Items in the frame", removed: null, count: p.frameSize });
  return steps;
}

/** `Rows read 1,204 → Items accepted 1,204 → − 3: Dated outside the review period → Items in the frame 1,201`. */
export function frameSentence(p: PopulationJson): string {
  const parts = frameSteps(p).map((s) =>
    s.removed == null ? `${s.label} ${formatCount(s.count)}` : `− ${formatCount(s.removed)}: ${s.label}`,
  );
  return parts.join(" → ");
}
