// Display formatting for what the auditor reads: dates, times, amounts, counts, sizes and
// hashes. Amounts stay decimal strings end to end (never parsed into a float).

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-01-31` → `31 Jan 2026`; anything else is returned as given. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const month = MONTHS[Number(m[2]) - 1];
  if (!month) return iso;
  return `${Number(m[3])} ${month} ${m[1]}`;
}

/** `2026-01-01`, `2026-12-31` → `1 Jan 2026 – 31 Dec 2026`; a Type 1 date (start = end) → `As of 30 Jun 2026`. */
export function formatPeriod(start: string, end: string): string {
  if (start === end) return `As of ${formatDate(start)}`;
  return `${formatDate(start)} – ${formatDate(end)}`;
}

/**
 * An RFC 3339 time as recorded in the trail → `2026-11-23 19:14:20 UTC`. Shown in UTC, as
 * recorded, so a time reads the same on the preparer's and the reviewer's machine.
 */
export function formatTimestamp(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "—";
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())} ` +
    `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} UTC`
  );
}

/** A whole count with thousands separators: `1000000` → `1,000,000`. */
export function formatCount(n: number): string {
  return groupDigits(String(Math.trunc(n)));
}

function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * An exact decimal string from the engine → grouped for reading, digits untouched:
 * `-1234567.50` → `-1,234,567.50`. Text that is not a plain decimal is returned as given.
 */
export function formatAmount(decimal: string | null | undefined): string {
  if (decimal == null || decimal === "") return "—";
  const m = /^([+-]?)(\d+)(\.\d+)?$/.exec(decimal.trim());
  if (!m) return decimal;
  return `${m[1] === "-" ? "-" : ""}${groupDigits(m[2])}${m[3] ?? ""}`;
}

/** `1536` → `1.5 KB`; exact bytes are shown beside it where they matter. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** The first `n` hex digits of a hash, for tables; the full hash goes in a tooltip. */
export function shortHash(hash: string | null | undefined, n = 12): string {
  if (!hash) return "—";
  return hash.slice(0, n);
}

/** A SHA-256 in groups of 8 so the auditor can compare it with another copy by eye. */
export function groupHash(hash: string | null | undefined): string {
  if (!hash) return "—";
  return hash.match(/.{1,8}/g)?.join(" ") ?? hash;
}

/**
 * `[3, 5, 9]` → `3, 5, 9`; past `limit`, `3, 5 … and 7 more`. Line numbers are not grouped
 * (a list of `1,031, 1,032` would read as four numbers).
 */
export function formatLines(lines: number[], limit = 20, total = lines.length): string {
  if (lines.length === 0) return "—";
  const shown = lines.slice(0, limit).map(String).join(", ");
  const more = total - Math.min(limit, lines.length);
  return more > 0 ? `${shown} … and ${formatCount(more)} more` : shown;
}

/** `1` → `1 item`, `2` → `2 items`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The file name at the end of a path, for either separator. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** A percentage of progress, 0–100, safe for a zero total. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** A file name made from what the auditor typed: `Acme Cloud, Inc.` → `Acme Cloud Inc`. */
export function safeFileStem(text: string): string {
  const stem = text
    .replace(/[\\/:*?"<>|,.]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return stem || "engagement";
}
