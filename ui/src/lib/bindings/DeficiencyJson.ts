import type { CompensatingControlJson } from "./CompensatingControlJson";
import type { CriterionAssessmentJson } from "./CriterionAssessmentJson";
export type DeficiencyJson = { control: string, deviation: string, itemsNoun: string, cause: string, isolated: boolean, criteria: Array<CriterionAssessmentJson>, compensating: Array<CompensatingControlJson>, managementResponse: string, evaluatedBy: string, evaluatedAt: string, };
