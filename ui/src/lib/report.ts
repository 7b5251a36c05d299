// What a report type changes in the screens: a Type 1 report is as of one date (the period's
// start and end are that date), a SOC 1 report references the engagement's control objectives.

import type { NewEngagementJson } from "./bindings/NewEngagementJson";
import type { ReportKind } from "./bindings/ReportKind";

export function isType1(report: ReportKind): boolean {
  return report === "soc2-type1" || report === "soc1-type1";
}

export function isSoc1(report: ReportKind): boolean {
  return report === "soc1-type2" || report === "soc1-type1";
}

/** The new-engagement form as sent: a Type 1 sends its one date as both ends of the period. */
export function newEngagementInput(form: NewEngagementJson): NewEngagementJson {
  const input = { ...form, criteria: [...form.criteria] };
  if (isType1(form.report)) input.periodEnd = form.periodStart;
  return input;
}
