export type ProcedureNatureKind = "inquiry" | "observation" | "inspection" | "re-performance";
