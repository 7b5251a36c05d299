import type { ConclusionKindJson } from "./ConclusionKindJson";
import type { ControlStateKind } from "./ControlStateKind";
import type { DesignConclusionKind } from "./DesignConclusionKind";
export type DashboardRowJson = { control: string, description: string, criteria: Array<string>, state: ControlStateKind, population: number | null, sample: number | null, tested: number, exceptions: number, design: DesignConclusionKind | null, operating: ConclusionKindJson | null, procedureSteps: number, deficiencyEvaluated: boolean, preparer: string | null, reviewer: string | null, openNotes: number, signedOff: boolean, withExceptions: boolean, };
