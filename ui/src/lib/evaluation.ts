// The conclusion tab's reading of the engine's evaluation: which figures a sample shows (the way
// it was planned: no upper deviation limit unless it was planned statistically, no rate for a
// test of one), and what concluding needs. The engine evaluates and proposes; this only reads.

import type { ConclusionKindJson } from "./bindings/ConclusionKindJson";
import type { EvaluationJson } from "./bindings/EvaluationJson";
import type { ProposalKindJson } from "./bindings/ProposalKindJson";
import { VOCABULARY } from "./bindings/vocabulary";
import { deviationPercent, ratePercent } from "./fieldwork";

export const PROPOSAL_LABELS: Record<ProposalKindJson, string> = VOCABULARY.proposals;

export interface LimitFigures {
  /** As the AICPA tables print it: `4.6%`. */
  limit: string;
  confidence: string;
  tolerable: string;
  exceeds: boolean | null;
}

export interface Figures {
  /** `1 of 10`: k deviations of n items tested. */
  kOfN: string;
  /** `10.0%`; null for a test of one and before any item is tested. */
  rate: string | null;
  /** Statistical samples only. */
  limit: LimitFigures | null;
  /** For a test of one: did the instance operate as designed (null until tested). */
  testOfOne: string | null;
}

/** What the evaluation shows, following the sample's approach. */
export function figures(ev: EvaluationJson): Figures {
  const statistical = ev.approach.kind === "statistical";
  const one = ev.approach.kind === "test-of-one";
  return {
    kOfN: `${ev.deviations} of ${ev.testedItems}`,
    rate: one || ev.deviationRate == null ? null : deviationPercent(ev.deviationRate),
    limit:
      statistical && ev.upperDeviationLimit != null
        ? {
            limit: ev.upperDeviationLimit,
            confidence: ratePercent(ev.approach.confidence),
            tolerable: ratePercent(ev.approach.tolerableRate),
            exceeds: ev.exceedsTolerable,
          }
        : null,
    testOfOne: one && ev.testedItems > 0 ? (ev.deviations === 0 ? "Operated as designed" : "Did not operate as designed") : null,
  };
}

/** The proposal leaves the conclusion to the auditor (with a reason): a sample too small. */
export function mustChooseConclusion(ev: EvaluationJson): boolean {
  return ev.proposal?.kind === "sample-too-small";
}

/**
 * Why the conclude button is disabled, or null when the auditor can conclude. `choosing` is
 * true when the auditor concludes otherwise than proposed (or must, for a sample too small).
 */
export function concludeProblem(
  ev: EvaluationJson,
  choosing: boolean,
  kind: ConclusionKindJson,
  reason: string,
): string | null {
  if (ev.blocker) return ev.blocker;
  if (!ev.proposal) return "No item has been tested yet: there is nothing to conclude on.";
  const needsReason = mustChooseConclusion(ev) || (choosing && kind !== ev.proposal.kind);
  if (needsReason && reason.trim() === "")
    return mustChooseConclusion(ev)
      ? "The sample is too small for the planned reliance: extend it, or choose the conclusion and give the reason to conclude on it anyway."
      : "Give the reason for concluding otherwise than proposed.";
  return null;
}
