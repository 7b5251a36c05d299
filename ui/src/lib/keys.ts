// Keyboard shortcuts: one written form ("Ctrl+O", "Alt+2", "/") used both to match key events
// and to show the shortcut in tooltips, so what a tooltip says is what the key does.

export interface Shortcut {
  key: string; // lower-case `KeyboardEvent.key`, e.g. "o", "2", "/", "enter", "escape"
  ctrl: boolean; // Ctrl, or ⌘ on a Mac
  alt: boolean;
  shift: boolean;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function parseShortcut(text: string): Shortcut {
  const parts = text.split("+").map((p) => p.trim());
  // "Ctrl++" names the plus key.
  const key = text.endsWith("++") ? "+" : (parts.pop() ?? "");
  const mods = parts.filter((p) => p !== "").map((p) => p.toLowerCase());
  return {
    key: key.toLowerCase(),
    ctrl: mods.includes("ctrl") || mods.includes("cmd"),
    alt: mods.includes("alt"),
    shift: mods.includes("shift"),
  };
}

export function matches(event: KeyLike, shortcut: string | Shortcut): boolean {
  const s = typeof shortcut === "string" ? parseShortcut(shortcut) : shortcut;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl !== s.ctrl || event.altKey !== s.alt) return false;
  // Shift is part of the key for symbols ("?" is Shift+/), so it only counts for letters and named keys.
  const letterOrNamed = s.key.length > 1 || /^[a-z0-9]$/.test(s.key);
  if (letterOrNamed && event.shiftKey !== s.shift) return false;
  return normalise(event.key) === s.key;
}

function normalise(key: string): string {
  const k = key.toLowerCase();
  if (k === "esc") return "escape";
  if (k === " ") return "space";
  return k;
}

/** What a key does in a small inline form: Ctrl+Enter submits it, Escape closes it. */
export function formKey(event: KeyLike): "submit" | "close" | null {
  if (matches(event, "Ctrl+Enter")) return "submit";
  if (event.key === "Escape") return "close";
  return null;
}

/** A small inline form's keydown handler: the keys of `formKey`, kept from the screen around it. */
export function formKeys(submit: () => void, close: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    const action = formKey(event);
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    if (action === "submit") submit();
    else close();
  };
}

/** The label for a tooltip: "Ctrl+O" on Linux and Windows, "⌘O" on a Mac. */
export function shortcutLabel(text: string, mac = false): string {
  const s = parseShortcut(text);
  const name = s.key.length === 1 ? s.key.toUpperCase() : s.key[0].toUpperCase() + s.key.slice(1);
  if (mac) return `${s.ctrl ? "⌘" : ""}${s.alt ? "⌥" : ""}${s.shift ? "⇧" : ""}${name}`;
  return [s.ctrl && "Ctrl", s.alt && "Alt", s.shift && "Shift", name].filter(Boolean).join("+");
}

/** `Open an engagement (Ctrl+O)`: the tooltip text for a control with a shortcut. */
export function withShortcut(label: string, shortcut: string, mac = false): string {
  return `${label} (${shortcutLabel(shortcut, mac)})`;
}

/** True when the event comes from a place where typing goes (so single-key shortcuts are off). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable === true;
}

/**
 * The new index in a list after a navigation key: arrows move by one, Page keys by `page`,
 * Home/End to the ends. Returns null for any other key.
 */
export function listMove(key: string, index: number, count: number, page = 10): number | null {
  if (count <= 0) return null;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case "ArrowDown":
      return clamp(index + 1);
    case "ArrowUp":
      return clamp(index - 1);
    case "PageDown":
      return clamp(index + page);
    case "PageUp":
      return clamp(index - page);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}
