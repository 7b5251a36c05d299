import { describe, expect, it } from "vitest";
import { isTyping, listMove, matches, parseShortcut, shortcutLabel, withShortcut, type KeyLike, formKey, formKeys } from "./keys";

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe("shortcuts", () => {
  it("parses the written form", () => {
    expect(parseShortcut("Ctrl+O")).toEqual({ key: "o", ctrl: true, alt: false, shift: false });
    expect(parseShortcut("Alt+2")).toEqual({ key: "2", ctrl: false, alt: true, shift: false });
    expect(parseShortcut("/")).toEqual({ key: "/", ctrl: false, alt: false, shift: false });
    expect(parseShortcut("Ctrl++").key).toBe("+");
  });

  it("matches Ctrl or Cmd with the right key and nothing else", () => {
    expect(matches(key("o", { ctrlKey: true }), "Ctrl+O")).toBe(true);
    expect(matches(key("O", { metaKey: true }), "Ctrl+O")).toBe(true);
    expect(matches(key("o"), "Ctrl+O")).toBe(false);
    expect(matches(key("o", { ctrlKey: true, altKey: true }), "Ctrl+O")).toBe(false);
    expect(matches(key("o", { ctrlKey: true, shiftKey: true }), "Ctrl+O")).toBe(false);
    expect(matches(key("2", { altKey: true }), "Alt+2")).toBe(true);
    expect(matches(key("Esc"), "Escape")).toBe(true);
  });

  it("lets Shift through for symbols typed with it", () => {
    expect(matches(key("?", { shiftKey: true }), "?")).toBe(true);
    expect(matches(key("/"), "/")).toBe(true);
  });

  it("labels shortcuts for tooltips on each platform", () => {
    expect(shortcutLabel("Ctrl+O")).toBe("Ctrl+O");
    expect(shortcutLabel("ctrl+shift+enter")).toBe("Ctrl+Shift+Enter");
    expect(shortcutLabel("Ctrl+O", true)).toBe("⌘O");
    expect(withShortcut("Open engagement", "Ctrl+O")).toBe("Open engagement (Ctrl+O)");
  });
});

describe("typing and list navigation", () => {
  it("knows when keys go to a text field", () => {
    expect(isTyping({ tagName: "INPUT" } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: "BUTTON" } as unknown as EventTarget)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });

  it("moves through a list and stops at its ends", () => {
    expect(listMove("ArrowDown", 0, 5)).toBe(1);
    expect(listMove("ArrowDown", 4, 5)).toBe(4);
    expect(listMove("ArrowUp", 0, 5)).toBe(0);
    expect(listMove("PageDown", 0, 50, 10)).toBe(10);
    expect(listMove("End", 2, 50)).toBe(49);
    expect(listMove("Home", 20, 50)).toBe(0);
    expect(listMove("a", 0, 5)).toBeNull();
    expect(listMove("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("formKey", () => {
  const key = (k: string, ctrl = false) => ({ key: k, ctrlKey: ctrl, metaKey: false, altKey: false, shiftKey: false });
  it("submits on Ctrl+Enter, closes on Escape and leaves other keys to the form", () => {
    expect(formKey(key("Enter", true))).toBe("submit");
    expect(formKey(key("Escape"))).toBe("close");
    expect(formKey(key("Enter"))).toBeNull();
    expect(formKey(key("a", true))).toBeNull();
  });
});

describe("formKeys", () => {
  function event(k: string, ctrlKey = false) {
    const e = { key: k, ctrlKey, metaKey: false, altKey: false, shiftKey: false, prevented: 0, stopped: 0 };
    return Object.assign(e, { preventDefault: () => e.prevented++, stopPropagation: () => e.stopped++ });
  }

  it("submits on Ctrl+Enter, closes on Escape and keeps both keys from the screen around the form", () => {
    const calls: string[] = [];
    const handle = formKeys(() => calls.push("submit"), () => calls.push("close"));
    const submit = event("Enter", true);
    handle(submit as unknown as KeyboardEvent);
    const close = event("Escape");
    handle(close as unknown as KeyboardEvent);
    const typing = event("a");
    handle(typing as unknown as KeyboardEvent);
    expect(calls).toEqual(["submit", "close"]);
    expect([submit.prevented, submit.stopped, close.prevented, close.stopped]).toEqual([1, 1, 1, 1]);
    expect([typing.prevented, typing.stopped]).toEqual([0, 0]);
  });
});
