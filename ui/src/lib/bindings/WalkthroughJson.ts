import type { DesignConclusionKind } from "./DesignConclusionKind";
export type WalkthroughJson = { control: string, narrative: string, traced: string, evidence: number[], interviews: number[], design: DesignConclusionKind | null, concludedBy: string | null, concludedAt: string | null, recordedBy: string, recordedAt: string, };
