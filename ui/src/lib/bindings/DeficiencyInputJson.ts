import type { CriterionAssessmentJson } from "./CriterionAssessmentJson";
export type DeficiencyInputJson = { deviation: string, itemsNoun: string, cause: string, isolated: boolean, criteria: Array<CriterionAssessmentJson>, compensating: Array<string>, managementResponse: string, };
