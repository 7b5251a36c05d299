export type ControlStateKind = "not-started" | "sampled" | "tested" | "no-exceptions" | "exceptions" | "not-effective";
