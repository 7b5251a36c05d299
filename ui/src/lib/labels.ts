// Human names for the engine's enumerations. The words themselves come from the engine
// (bindings/vocabulary.ts, generated from src/engagement/vocabulary.rs); the `Record<Kind, …>`
// types make TypeScript refuse a build where the generated words and the generated kinds part.

import type { FrequencyKind } from "./bindings/FrequencyKind";
import type { NatureKind } from "./bindings/NatureKind";
import type { PopulationState } from "./bindings/PopulationState";
import type { ReportKind } from "./bindings/ReportKind";
import { VOCABULARY } from "./bindings/vocabulary";

/** One kind's words, from a generated `{kind: words}` table or `{kind: {words, …}}`. */
function words<K extends string>(table: Record<K, string | { words: string }>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(table) as K[]) {
    const v = table[k];
    out[k] = typeof v === "string" ? v : v.words;
  }
  return out;
}

export const REPORT_LABELS: Record<ReportKind, string> = words<ReportKind>(VOCABULARY.reports);

export const FREQUENCY_LABELS: Record<FrequencyKind, string> = words<FrequencyKind>(VOCABULARY.frequencies);

export const NATURE_LABELS: Record<NatureKind, string> = words<NatureKind>(VOCABULARY.natures);

/** Short forms for dense tables (a screen's layout choice); the full label goes in the cell's tooltip. */
export const FREQUENCY_SHORT: Record<FrequencyKind, string> = {
  ...FREQUENCY_LABELS,
  "multiple-daily": "Multiple daily",
};

export const NATURE_SHORT: Record<NatureKind, string> = {
  ...NATURE_LABELS,
  "it-dependent-manual": "ITDM",
};

export const POPULATION_LABELS: Record<PopulationState, string> = {
  none: "No population",
  imported: "Imported",
  accepted: "Accepted",
};

/** Trust Services Criteria categories, in the order reports print them. */
export const CRITERIA: readonly { code: string; words: string }[] = VOCABULARY.criteria;

/** Whether the engine can generate the control's occurrences from the calendar. */
export function canGenerate(frequency: FrequencyKind): boolean {
  return VOCABULARY.frequencies[frequency].generatable;
}

import type { ControlStateKind } from "./bindings/ControlStateKind";
import type { CriterionStateKind } from "./bindings/CriterionStateKind";
import type { DesignConclusionKind } from "./bindings/DesignConclusionKind";
import type { ProcedureNatureKind } from "./bindings/ProcedureNatureKind";

export const PROCEDURE_NATURE_LABELS: Record<ProcedureNatureKind, string> = words<ProcedureNatureKind>(
  VOCABULARY.procedure_natures,
);

export const DESIGN_LABELS: Record<DesignConclusionKind, string> = words<DesignConclusionKind>(VOCABULARY.design_conclusions);

export const CONTROL_STATE_LABELS: Record<ControlStateKind, string> = words<ControlStateKind>(VOCABULARY.control_states);

export const CRITERION_STATE_LABELS: Record<CriterionStateKind, string> = words<CriterionStateKind>(
  VOCABULARY.criterion_states,
);

import type { RequestStatusKind } from "./bindings/RequestStatusKind";

export const REQUEST_STATUS_LABELS: Record<RequestStatusKind, string> = words<RequestStatusKind>(VOCABULARY.request_statuses);
