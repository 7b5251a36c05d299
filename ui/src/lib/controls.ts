// The control list's filter box: every word typed must appear in the control's ID,
// description, criteria, owner, frequency or nature (case and accents ignored).

import type { ControlJson } from "./bindings/ControlJson";
import { FREQUENCY_LABELS, NATURE_LABELS } from "./labels";

function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

export function controlText(c: ControlJson): string {
  return fold(
    [c.code, c.description, c.criteria.join(" "), c.owner, FREQUENCY_LABELS[c.frequency], NATURE_LABELS[c.nature]].join(" "),
  );
}

export function filterControls(controls: ControlJson[], query: string): ControlJson[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return controls;
  return controls.filter((c) => {
    const text = controlText(c);
    return words.every((w) => text.includes(w));
  });
}

/** Splits the add-control form's attribute box into one entry per non-empty line. */
export function attributeLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
