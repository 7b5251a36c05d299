export type CriterionAssessmentJson = { criterion: string, met: boolean, };
