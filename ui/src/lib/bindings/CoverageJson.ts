import type { CriterionCoverageJson } from "./CriterionCoverageJson";
import type { StrayReferenceJson } from "./StrayReferenceJson";
export type CoverageJson = { criteria: Array<CriterionCoverageJson>, withoutControl: Array<string>, notMet: Array<string>, stray: Array<StrayReferenceJson>, };
