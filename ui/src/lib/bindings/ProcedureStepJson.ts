import type { ProcedureNatureKind } from "./ProcedureNatureKind";
export type ProcedureStepJson = { position: number, nature: ProcedureNatureKind, text: string, };
