export type CriterionStateKind = "no-control" | "met" | "met-with-exceptions" | "in-progress" | "not-evaluated" | "not-met";
