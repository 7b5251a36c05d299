import type { ConclusionKindJson } from "./ConclusionKindJson";
export type CompensatingControlJson = { control: string, conclusion: ConclusionKindJson | null, };
