import { describe, expect, it } from "vitest";
import { families, resolvedStack } from "./fonts";

const STACK = 'system-ui, "Segoe UI", "Noto Sans", Ubuntu, Arial, sans-serif';

/** A width function for a machine with `installed` fonts: a list renders in its first installed family or generic. */
function machine(installed: string[]) {
  const widths: Record<string, number> = { monospace: 600, serif: 500, '"Noto Sans"': 520, Ubuntu: 530, Arial: 510, "system-ui": 540 };
  return (list: string) => {
    const first = families(list).find((f) => installed.includes(f) || f === "monospace" || f === "serif")!;
    return widths[first];
  };
}

describe("font stacks resolved once", () => {
  it("reads a stack's families in order", () => {
    expect(families(STACK)).toEqual(["system-ui", '"Segoe UI"', '"Noto Sans"', "Ubuntu", "Arial", "sans-serif"]);
  });

  it("keeps the first family that renders, then the generic one", () => {
    expect(resolvedStack(STACK, machine(['"Noto Sans"', "Ubuntu"]))).toBe('"Noto Sans", sans-serif');
    expect(resolvedStack(STACK, machine(["system-ui", '"Noto Sans"']))).toBe("system-ui, sans-serif");
  });

  it("falls back to the generic family when none of the named ones renders", () => {
    expect(resolvedStack(STACK, machine([]))).toBe("sans-serif");
  });

  it("tells a monospace stack's families apart from serif, the generic family they cannot look like", () => {
    const mono = 'ui-monospace, "DejaVu Sans Mono", monospace';
    const width = (list: string) => (families(list).some((f) => f === '"DejaVu Sans Mono"' || f === "monospace") ? 600 : 500);
    expect(resolvedStack(mono, width)).toBe('"DejaVu Sans Mono", monospace');
  });

  it("leaves a one-family stack as it is", () => {
    expect(resolvedStack("monospace", () => 1)).toBe("monospace");
  });
});
