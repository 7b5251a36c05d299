import type { DesignConclusionKind } from "./DesignConclusionKind";
export type WalkthroughInputJson = { narrative: string, traced: string, evidence: number[], interviews: number[], design: DesignConclusionKind | null, };
