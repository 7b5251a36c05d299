// Human names for the engine's enumerations. `Record<Kind, string>` makes TypeScript refuse a
// build that misses a new kind the Rust side added.

import type { FrequencyKind } from "./bindings/FrequencyKind";
import type { NatureKind } from "./bindings/NatureKind";
import type { PopulationState } from "./bindings/PopulationState";
import type { ReportKind } from "./bindings/ReportKind";

export const REPORT_LABELS: Record<ReportKind, string> = {
  "soc2-type2": "SOC 2 Type 2",
  "soc1-type2": "SOC 1 Type 2",
};

export const FREQUENCY_LABELS: Record<FrequencyKind, string> = {
  annual: "Annual",
  quarterly: "Quarterly",
  monthly: "Monthly",
  weekly: "Weekly",
  daily: "Daily",
  "multiple-daily": "Multiple times a day",
  "event-driven": "Event-driven",
};

export const NATURE_LABELS: Record<NatureKind, string> = {
  manual: "Manual",
  automated: "Automated",
  "it-dependent-manual": "IT-dependent manual",
};

/** Short forms for dense tables; the full label goes in the cell's tooltip. */
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

/** Trust Services Criteria categories, as the new-engagement form offers them. */
export const CRITERIA: { code: string; name: string }[] = [
  { code: "CC", name: "Common criteria (security)" },
  { code: "A", name: "Availability" },
  { code: "C", name: "Confidentiality" },
  { code: "PI", name: "Processing integrity" },
  { code: "P", name: "Privacy" },
];

/** Frequencies whose occurrences the engine can generate from the calendar. */
export const GENERATABLE: FrequencyKind[] = ["daily", "weekly", "monthly", "quarterly"];
