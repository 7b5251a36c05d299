// Team fieldwork as the screens show it: who holds which control, a working copy's status and
// banner, the hand-off form's choices, and the merge screen's conflict choices. Pure functions
// over what the engine sends; the engine decides what may be handed off and merged.

import type { ConflictJson } from "./bindings/ConflictJson";
import type { HandoffJson } from "./bindings/HandoffJson";
import type { OutcomeKind } from "./bindings/OutcomeKind";
import type { PreferKind } from "./bindings/PreferKind";
import type { ResolutionJson } from "./bindings/ResolutionJson";
import { OUTCOME_LABELS } from "./fieldwork";
import { formatDate } from "./format";

export type HandoffStatus = "out" | "merged" | "recalled";

export function handoffStatus(h: Pick<HandoffJson, "mergedAt" | "recalledAt">): HandoffStatus {
  if (h.mergedAt) return "merged";
  if (h.recalledAt) return "recalled";
  return "out";
}

/** The working copy still out that holds `control`, if any. */
export function holderOf(handoffs: HandoffJson[], control: string): HandoffJson | null {
  return handoffs.find((h) => handoffStatus(h) === "out" && h.controls.includes(control)) ?? null;
}

/** Control → the colleague holding it in a working copy still out. */
export function heldBy(handoffs: HandoffJson[]): Map<string, string> {
  const held = new Map<string, string>();
  for (const h of handoffs) {
    if (handoffStatus(h) !== "out") continue;
    for (const c of h.controls) held.set(c, h.assignee);
  }
  return held;
}

/** The date part of a recorded RFC 3339 time, as the screens write dates: `12 Nov 2026`. */
export function onDate(rfc3339: string | null | undefined): string {
  return formatDate(rfc3339 ? rfc3339.slice(0, 10) : null);
}

/** The status column of the Team screen, in words. */
export function statusText(h: HandoffJson): string {
  switch (handoffStatus(h)) {
    case "merged": {
      const events = h.mergedEvents === null ? "" : `: ${h.mergedEvents} event${h.mergedEvents === 1 ? "" : "s"} brought back`;
      return `Merged by ${h.mergedBy ?? "—"} on ${onDate(h.mergedAt)}${events}`;
    }
    case "recalled":
      return `Recalled by ${h.recalledBy ?? "—"} on ${onDate(h.recalledAt)}: ${h.recallReason ?? ""}`;
    case "out":
      return "Out";
  }
}

/** The banner over every screen of a working copy. */
export function workingCopyBanner(copy: HandoffJson): string {
  return (
    `Working copy for ${copy.assignee}: ${copy.controls.join(", ")} — handed out by ${copy.outBy} on ${onDate(copy.outAt)}; ` +
    `only ${copy.controls.length === 1 ? "this control" : "these controls"} can change here`
  );
}

/** In a working copy, a control it does not hold can be read but not changed. */
export function readOnlyHere(copy: HandoffJson | null, control: string): boolean {
  return copy !== null && !copy.controls.includes(control);
}

/** One line of the hand-off form's control list. */
export interface ControlChoice {
  code: string;
  description: string;
  /** Who holds it in a working copy still out: it cannot be handed off again until then. */
  heldBy: string | null;
}

export function controlChoices(controls: { code: string; description: string }[], handoffs: HandoffJson[]): ControlChoice[] {
  const held = heldBy(handoffs);
  return controls.map((c) => ({ code: c.code, description: c.description, heldBy: held.get(c.code) ?? null }));
}

/** Why the hand-off cannot be made yet, or null when it can. */
export function handoffBlocker(assignee: string, selected: string[]): string | null {
  if (!assignee.trim()) return "Choose the colleague who takes the controls.";
  if (selected.length === 0) return "Tick at least one control to hand off.";
  return null;
}

/** The side chosen for each conflict so far, by conflict id. */
export type Choices = Record<string, PreferKind>;

export function unresolved(conflicts: ConflictJson[], choices: Choices): ConflictJson[] {
  return conflicts.filter((c) => !choices[c.id]);
}

/** Every conflict has a side: the merge may go ahead. */
export function allResolved(conflicts: ConflictJson[], choices: Choices): boolean {
  return unresolved(conflicts, choices).length === 0;
}

/** The same side for every conflict: "keep all the engagement's" or "keep all returned". */
export function chooseAll(conflicts: ConflictJson[], prefer: PreferKind): Choices {
  return Object.fromEntries(conflicts.map((c) => [c.id, prefer]));
}

/** What the merge command receives: one side per conflict, named by id (only the plan's conflicts). */
export function resolutionOf(conflicts: ConflictJson[], choices: Choices): ResolutionJson {
  const each: Record<string, PreferKind> = {};
  for (const c of conflicts) {
    const side = choices[c.id];
    if (side) each[c.id] = side;
  }
  return { all: null, each };
}

/** The merge button's caption: what pressing it does, or what is still missing. */
export function mergeCaption(conflicts: ConflictJson[], choices: Choices): string {
  const open = unresolved(conflicts, choices).length;
  if (open > 0) return `Resolve ${open} more conflict${open === 1 ? "" : "s"} to merge`;
  return conflicts.length === 0 ? "Merge" : `Merge with ${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"} resolved`;
}

/** One differing field of a conflict's side, for the merge screen. */
export interface SideField {
  /** `outcome`, `comment`, …; null when the engine's words are shown whole ("deleted"). */
  field: string | null;
  value: string;
}

/**
 * The engine's description of one side of a conflict (`comment: "no ticket"; outcome:
 * "exception"`, each differing field with its value, strings quoted and escaped) as fields,
 * the outcome first and in the workpaper's words: what the auditor compares. Anything that does not read that way is shown
 * whole, as the engine wrote it.
 */
export function sideFields(text: string): SideField[] {
  const fields: SideField[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(": ", i);
    if (colon < 0 || !/^[a-z_]+$/.test(text.slice(i, colon))) return [{ field: null, value: text }];
    const field = text.slice(i, colon);
    let j = colon + 2;
    let value = "";
    if (text[j] === '"') {
      j++;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) {
          const next = text[j + 1];
          value += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next === '"' || next === "\\" || next === "'" ? next : `\\${next}`;
          j += 2;
        } else {
          value += text[j++];
        }
      }
      if (text[j] !== '"') return [{ field: null, value: text }];
      j++;
    } else {
      const end = text.indexOf("; ", j);
      value = text.slice(j, end < 0 ? text.length : end);
      j = end < 0 ? text.length : end;
    }
    fields.push({ field, value });
    if (j >= text.length) break;
    if (!text.startsWith("; ", j)) return [{ field: null, value: text }];
    i = j + 2;
  }
  if (fields.length === 0) return [{ field: null, value: text }];
  const outcome = fields
    .filter((f) => f.field === "outcome")
    .map((f) => ({ field: f.field, value: Object.hasOwn(OUTCOME_LABELS, f.value) ? OUTCOME_LABELS[f.value as OutcomeKind] : f.value }));
  return [...outcome, ...fields.filter((f) => f.field !== "outcome")];
}

/** A field's name as a heading: `tested_by` → `Tested by`. */
export function fieldLabel(field: string): string {
  const words = field.replace(/_id$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
