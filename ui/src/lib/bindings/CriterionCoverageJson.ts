import type { CoveredControlJson } from "./CoveredControlJson";
import type { CriterionStateKind } from "./CriterionStateKind";
export type CriterionCoverageJson = { id: string, title: string, category: string, controls: Array<CoveredControlJson>, state: CriterionStateKind, };
