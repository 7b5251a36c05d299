import type { ProcedureNatureKind } from "./ProcedureNatureKind";
export type ProcedureInputJson = { nature: ProcedureNatureKind, text: string, };
