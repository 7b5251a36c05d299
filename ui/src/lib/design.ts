// The Design tab's forms: the deficiency evaluation's criteria and compensating controls, and
// the walkthrough's links, built from what the engine sends.

import type { CriterionAssessmentJson } from "./bindings/CriterionAssessmentJson";
import type { DashboardRowJson } from "./bindings/DashboardRowJson";

/**
 * One line per criterion the control addresses, with the recorded judgement where there is one
 * (null: not yet judged, so the auditor has to say). Criteria assessed earlier that the control
 * no longer lists are kept, so nothing recorded disappears from the form.
 */
export function assessmentLines(
  controlCriteria: string[],
  recorded: CriterionAssessmentJson[],
): { criterion: string; met: boolean | null; affected: boolean }[] {
  const lines = controlCriteria.map((criterion) => {
    const r = recorded.find((a) => a.criterion === criterion);
    return { criterion, met: r ? r.met : null, affected: !!r };
  });
  for (const r of recorded) {
    if (!controlCriteria.includes(r.criterion)) lines.push({ criterion: r.criterion, met: r.met, affected: true });
  }
  return lines;
}

/** The assessments to send: the affected criteria that were judged. */
export function assessmentsToSend(lines: { criterion: string; met: boolean | null; affected: boolean }[]): CriterionAssessmentJson[] {
  return lines.filter((l) => l.affected && l.met !== null).map((l) => ({ criterion: l.criterion, met: l.met as boolean }));
}

/** Controls that could compensate: every other control, the ones sharing a criterion first. */
export function compensatingCandidates(rows: DashboardRowJson[], control: string): DashboardRowJson[] {
  const self = rows.find((r) => r.control === control);
  const shares = (r: DashboardRowJson) => (self ? r.criteria.some((c) => self.criteria.includes(c)) : false);
  const others = rows.filter((r) => r.control !== control);
  return [...others.filter(shares), ...others.filter((r) => !shares(r))];
}

/** Adds or removes `id` from a picked list, keeping the list's order. */
export function toggle<T>(list: T[], id: T): T[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}
