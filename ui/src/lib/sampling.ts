// The sampling tab's logic, kept out of the components so it can be tested: the approach the
// size is planned by (sent with the draw as PlanningJson), the size the auditor typed, and each
// sample item's status (void and replaced, a replacement, an extension). The engine plans,
// draws, voids and replaces; this only builds the requests and reads the answers.

import type { ApproachKind } from "./bindings/ApproachKind";
import type { ControlJson } from "./bindings/ControlJson";
import type { DistributionKind } from "./bindings/DistributionKind";
import type { FrequencyKind } from "./bindings/FrequencyKind";
import type { MethodKind } from "./bindings/MethodKind";
import type { PlanningJson } from "./bindings/PlanningJson";
import type { RiskKind } from "./bindings/RiskKind";
import type { SampleItemJson } from "./bindings/SampleItemJson";
import type { SampleRequestJson } from "./bindings/SampleRequestJson";
import { parseSize, strataRequest, type StrataChoice } from "./fieldwork";
import { formatCount } from "./format";
import type { Checked } from "./scope";

export const APPROACH_LABELS: Record<ApproachKind, string> = {
  statistical: "Statistical attribute sampling",
  "firm-table": "Firm's frequency table (non-statistical)",
  judgemental: "Judgemental size, with the reason (non-statistical)",
  "test-of-one": "Test of one (automated control)",
};

/** The approach offered first: a test of one for an automated control, else the firm's table. */
export function defaultApproach(control: Pick<ControlJson, "nature">): ApproachKind {
  return control.nature === "automated" ? "test-of-one" : "firm-table";
}

export interface PlanningForm {
  approach: ApproachKind;
  confidence: string;
  tolerableRate: string;
  expectedRate: string;
  distribution: DistributionKind;
  frequency: FrequencyKind;
  risk: RiskKind;
  /** Why the auditor judged the size enough (judgemental). */
  reason: string;
  /** Why one instance is enough (test of one). */
  rationale: string;
}

/** The draw's `planning`, from the form, or what is missing from it. */
export function planningRequest(f: PlanningForm): Checked<PlanningJson> {
  switch (f.approach) {
    case "statistical": {
      const missing = [
        ["the confidence", f.confidence],
        ["the tolerable rate", f.tolerableRate],
        ["the expected rate", f.expectedRate],
      ]
        .filter(([, v]) => v.trim() === "")
        .map(([name]) => name);
      if (missing.length)
        return { ok: false, problem: `Give ${missing.join(" and ")} of the statistical plan (such as 95%, 5% and 0%).` };
      return {
        ok: true,
        value: {
          kind: "statistical",
          confidence: f.confidence,
          tolerableRate: f.tolerableRate,
          expectedRate: f.expectedRate,
          distribution: f.distribution,
        },
      };
    }
    case "firm-table":
      return { ok: true, value: { kind: "firm-table", frequency: f.frequency, risk: f.risk } };
    case "judgemental":
      if (f.reason.trim() === "")
        return { ok: false, problem: "Give the reason for the size you judged enough; it is recorded with the sample and printed in the workpaper." };
      return { ok: true, value: { kind: "judgemental", reason: f.reason } };
    case "test-of-one":
      if (f.rationale.trim() === "")
        return { ok: false, problem: "Give the rationale for testing one instance (the configuration tested, change management effective)." };
      return { ok: true, value: { kind: "test-of-one", rationale: f.rationale } };
  }
}

/**
 * The draw's `size`: null takes the plan's size (when the field is empty and the plan has
 * one), else the number typed; or what is wrong with what was typed.
 */
export function drawSize(text: string, planned: number | null, approach: ApproachKind): Checked<number | null> {
  if (text.trim() === "") {
    if (planned != null) return { ok: true, value: null };
    return {
      ok: false,
      problem:
        approach === "judgemental" ? "Type the number of items you judged enough." : "The plan gives no size: type the number of items to draw.",
    };
  }
  const n = parseSize(text);
  if (n == null) return { ok: false, problem: `“${text.trim()}” is not a whole number of items.` };
  if (n === 0) return { ok: false, problem: "A sample needs at least one item." };
  if (approach === "test-of-one" && n !== 1) return { ok: false, problem: `A test of one draws 1 item, not ${formatCount(n)}.` };
  return { ok: true, value: n };
}

/** The engine's clause as a sentence: with a capital and a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === "") return t;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Said before the draw when the size typed falls short of the plan; the engine records it. */
export function belowPlan(size: number | null, planned: number | null): string | null {
  if (size == null || planned == null || size >= planned) return null;
  return `${formatCount(size)} ${size === 1 ? "item is" : "items are"} fewer than the plan's ${formatCount(planned)}: the sample will be recorded as falling short of the plan.`;
}

export interface DrawForm {
  planning: PlanningForm;
  /** The plan's size, when it has one. */
  plannedSize: number | null;
  method: MethodKind;
  strataBy: StrataChoice;
  strataColumn: string;
  size: string;
  seed: string;
  basis: string;
  /** Drawing again over the current sample, which then needs the reason. */
  again: boolean;
  replaceReason: string;
}

/** The whole draw request, checked in the order the form reads; or the first thing missing. */
export function drawRequest(f: DrawForm): Checked<SampleRequestJson> {
  const planning = planningRequest(f.planning);
  if (!planning.ok) return planning;
  const size = drawSize(f.size, f.plannedSize, f.planning.approach);
  if (!size.ok) return size;
  if (f.method === "stratified" && f.strataBy === "column" && f.strataColumn === "")
    return { ok: false, problem: "Choose the column whose values make the strata." };
  if (f.seed.length === 0) return { ok: false, problem: "Type a seed, or have one proposed with New seed." };
  if (f.again && f.replaceReason.trim() === "")
    return { ok: false, problem: "Give the reason for drawing again; it is recorded with the earlier draw." };
  return {
    ok: true,
    value: {
      method: f.method,
      size: size.value,
      seed: f.seed,
      strata: strataRequest(f.method, f.strataBy, f.strataColumn),
      basis: f.basis,
      replaceReason: f.again ? f.replaceReason : null,
      planning: planning.value,
    },
  };
}

export type ItemState = "drawn" | "void" | "replacement";

export interface ItemStatus {
  state: ItemState;
  /** Empty for an item drawn and not voided. */
  text: string;
}

/** `void: cancelled before deployment → replaced by 6`, `replaces 2`, or nothing. */
export function itemStatus(item: Pick<SampleItemJson, "void" | "replaces">): ItemStatus {
  if (item.void) return { state: "void", text: `void: ${item.void.reason} → replaced by ${item.void.replacement}` };
  if (item.replaces != null) return { state: "replacement", text: `replaces ${item.replaces}` };
  return { state: "drawn", text: "" };
}

/** How the item came into the sample, as the workpaper's Sample sheet says it. */
export function drawnIn(item: Pick<SampleItemJson, "ordinal" | "replaces">, initialSize: number): string {
  if (item.replaces != null) return `replacement of item ${item.replaces}`;
  return item.ordinal <= initialSize ? "initial draw" : "extension";
}

/** Why this item cannot be voided and replaced, or null when it can. */
export function voidRefusal(
  method: MethodKind,
  item: Pick<SampleItemJson, "ordinal" | "void">,
  hasException: boolean,
): string | null {
  if (item.void) return `Item ${item.ordinal} is already void; its replacement is item ${item.void.replacement}.`;
  if (method === "systematic")
    return "A systematic sample has no replacement rule: to set an item aside, draw the sample again.";
  if (hasException)
    return `Item ${item.ordinal} has an exception recorded: a deviation is evaluated, not voided (change the result first if it was recorded in error).`;
  return null;
}

/** The reason a void needs, checked. */
export function voidProblem(ordinal: number, reason: string): string | null {
  return reason.trim() === ""
    ? `Give the reason item ${ordinal} cannot be tested (for example: the change was cancelled before it was deployed).`
    : null;
}

/** The item's own fields, column by column, as imported. */
export function itemFields(columns: string[], item: Pick<SampleItemJson, "fields">): { name: string; value: string }[] {
  return columns.map((name, i) => ({ name, value: item.fields[i] ?? "" }));
}
