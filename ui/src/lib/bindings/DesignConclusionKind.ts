export type DesignConclusionKind = "effective" | "not-effective";
