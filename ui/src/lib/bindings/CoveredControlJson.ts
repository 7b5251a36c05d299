import type { ControlStateKind } from "./ControlStateKind";
export type CoveredControlJson = { code: string, state: ControlStateKind, };
