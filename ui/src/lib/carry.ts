// Next year's engagement from this year's: the roll-forward form's period and its warning, and
// on a carried control, how what is not yet confirmed and last year's findings read.

import type { ReportKind } from "./bindings/ReportKind";
import type { RolledForwardJson } from "./bindings/RolledForwardJson";
import type { RollforwardCheckJson } from "./bindings/RollforwardCheckJson";
import { fileName, formatDate, plural, safeFileStem } from "./format";
import { isType1 } from "./report";

/** The period the form sends: a Type 1 report's one date as both ends. */
export function rollforwardPeriod(report: ReportKind, start: string, end: string): { start: string; end: string } {
  const s = start.trim();
  return { start: s, end: isType1(report) ? s : end.trim() };
}

/** The warning shown before creating onto a period that does not follow the prior one; null
 * when it follows (or was not checked). */
export function periodGap(check: RollforwardCheckJson, start: string): string | null {
  if (check.follows !== false) return null;
  const next = check.nextStart ? `; a period following it starts on ${formatDate(check.nextStart)}` : "";
  return `The new period does not follow last year's: ${check.prior.client}'s prior period ends on ${formatDate(check.prior.periodEnd)}${next}, not ${formatDate(start)}.`;
}

/** What of a control was carried, as the auditor confirms it. */
export function carriedWords(subject: string): string {
  switch (subject) {
    case "control":
      return "the control (its description, attributes and test procedure)";
    case "walkthrough":
      return "the walkthrough (a draft to re-perform this year)";
    default:
      return subject;
  }
}

/** `Confirmed the control and the walkthrough carried from last year.` */
export function confirmedNote(subjects: string[]): string {
  if (subjects.length === 0) return "Nothing was left to confirm.";
  const names = subjects.map((s) => (s === "control" || s === "walkthrough" ? `the ${s}` : s));
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `Confirmed ${list} carried from last year.`;
}

/** A follow-up's kind as a heading: `Exception`, `Deficiency`. */
export function followUpKind(kind: string): string {
  return kind ? kind[0].toUpperCase() + kind.slice(1) : kind;
}

/** The name suggested for next year's file: the client and the new period's year. */
export function rollforwardFileStem(client: string, start: string): string {
  const year = /^(\d{4})-/.exec(start.trim())?.[1];
  return safeFileStem(year ? `${client} ${year}` : client);
}

/** What a roll-forward made, for the dashboard it opens on. */
export function rolledForwardNotice(done: RolledForwardJson, priorName: string): string {
  const findings = done.followUps === 0 ? "nothing of last year's to follow up" : `${plural(done.followUps, "finding")} of last year's to follow up`;
  return (
    `Created ${fileName(done.engagement.path)} from ${priorName}: ${plural(done.controls, "control")} and ` +
    `${plural(done.walkthroughs, "walkthrough")} carried forward, each marked until confirmed or edited; ${findings}. ` +
    `Populations, samples, results and sign-offs start afresh.`
  );
}
