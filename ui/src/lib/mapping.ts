// The column-mapping form's starting point and checks. The engine guessed the key, date and
// amount columns from the preview; the auditor confirms or changes them.

import type { MappingJson } from "./bindings/MappingJson";
import type { PreviewJson } from "./bindings/PreviewJson";

/** The mapping to preselect: the engine's guesses, on the sheet the preview read. */
export function initialMapping(p: PreviewJson, previous?: MappingJson | null): MappingJson {
  const has = (c: string | null | undefined) => !!c && p.columns.includes(c);
  // An earlier choice on the same columns (after an error or a cancel) wins over the guess.
  return {
    key: has(previous?.key) ? previous!.key : (p.guessedKey ?? p.columns[0] ?? ""),
    date: has(previous?.date) ? previous!.date : previous && previous.date === null ? null : (p.guessedDate ?? null),
    amount: has(previous?.amount) ? previous!.amount : previous && previous.amount === null ? null : (p.guessedAmount ?? null),
    sheet: p.sheet,
    dateFormat: previous?.dateFormat ?? null,
  };
}

/** What stops the import button, in words; null when the mapping can be imported. */
export function mappingProblem(m: MappingJson): string | null {
  if (!m.key) return "Choose the column that identifies each item (the key).";
  if (m.date && m.date === m.key) return "The key and the date must be different columns.";
  if (m.amount && (m.amount === m.key || m.amount === m.date)) return "The amount must be a column of its own.";
  return null;
}

export type ColumnRole = "key" | "date" | "amount";

/** The role of column `name` under mapping `m`, for highlighting the preview. */
export function columnRole(m: MappingJson, name: string): ColumnRole | null {
  if (m.key === name) return "key";
  if (m.date === name) return "date";
  if (m.amount === name) return "amount";
  return null;
}

/** Common date layouts offered beside a free-text chrono format. */
export const DATE_FORMATS: { value: string; label: string }[] = [
  { value: "%Y-%m-%d", label: "2026-03-31 (ISO)" },
  { value: "%d/%m/%Y", label: "31/03/2026 (day first)" },
  { value: "%m/%d/%Y", label: "03/31/2026 (month first)" },
  { value: "%d.%m.%Y", label: "31.03.2026" },
  { value: "%d-%b-%Y", label: "31-Mar-2026" },
];
