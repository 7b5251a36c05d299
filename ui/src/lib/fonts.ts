// The font stacks of app.css, resolved once at start-up on Linux. WebKitGTK looks up each
// family of a font-family list in fontconfig, in order, for every size and weight the page
// uses, until one is installed: with app.css's --font on a machine that has none of the named
// fonts, that is seven failed lookups for each size and weight, about a quarter of a second
// before the first screen on a 2-core machine. Here each stack is tried once, at one size, and
// replaced by the family WebKitGTK would have chosen (the first one that renders), followed by
// the stack's generic family. The macOS and Windows webviews find system-ui first and are left
// alone.

/** A stack's families, in order: `system-ui, "Noto Sans", sans-serif` → [system-ui, "Noto Sans", sans-serif]. */
export function families(stack: string): string[] {
  return stack
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
}

/**
 * The stack reduced to the first family that renders, and the last (generic) family. `width`
 * is the width of a sample text in a CSS font-family list. A family renders when putting it
 * before a generic family of another kind (serif for a monospace stack, monospace otherwise,
 * which no family of the stack can look like) changes the width: one lookup per family.
 */
export function resolvedStack(stack: string, width: (families: string) => number): string {
  const all = families(stack);
  if (all.length < 2) return stack;
  const generic = all[all.length - 1];
  const base = generic === "monospace" ? "serif" : "monospace";
  const without = width(base);
  const found = all.slice(0, -1).find((f) => width(`${f}, ${base}`) !== without);
  return found ? `${found}, ${generic}` : generic;
}

/** On WebKitGTK, sets --font and --mono on the document to their resolved stacks. */
export function resolveFontStacks(): void {
  if (!/Linux/.test(navigator.userAgent) || /Android/.test(navigator.userAgent)) return;
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return;
  const sample = "Tickmark 0123456789 mwMW iIl.";
  const width = (list: string) => {
    ctx.font = `40px ${list}`;
    return ctx.measureText(sample).width;
  };
  const root = document.documentElement;
  const style = getComputedStyle(root);
  const stacks = ["--font", "--mono"].map((name) => [name, style.getPropertyValue(name).trim()]);
  for (const [name, stack] of stacks) {
    if (stack) root.style.setProperty(name, resolvedStack(stack, width));
  }
}
