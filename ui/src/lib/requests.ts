// The client requests screen (PBC): the proposed due date, the filters and counts, how each
// request's age reads, and what a received folder did, as pure functions over what the engine
// sends. The engine ages the requests; these only word and select them.

import type { KeyLike } from "./keys";
import type { ReceivedJson } from "./bindings/ReceivedJson";
import type { RequestJson } from "./bindings/RequestJson";
import type { RequestStatusKind } from "./bindings/RequestStatusKind";
import { formatCount, formatDate, plural, safeFileStem } from "./format";

/** Days the client is given by default: two weeks. */
export const DUE_DAYS = 14;

/** A local calendar date as `YYYY-MM-DD`. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The due date proposed for new requests: `days` after `today`. */
export function defaultDue(today: Date, days = DUE_DAYS): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  return isoDate(d);
}

/** What the status filter can show: every request, the overdue ones, or one status. */
export type StatusFilter = "all" | "overdue" | RequestStatusKind;

export interface RequestFilter {
  status: StatusFilter;
  /** One control's requests, or null for every control. */
  control: string | null;
}

export function matchesStatus(r: RequestJson, status: StatusFilter): boolean {
  if (status === "all") return true;
  if (status === "overdue") return r.overdueDays > 0;
  return r.status === status;
}

export function filterRequests(list: RequestJson[], filter: RequestFilter): RequestJson[] {
  return list.filter((r) => matchesStatus(r, filter.status) && (filter.control === null || r.control === filter.control));
}

export type RequestCounts = Record<StatusFilter, number>;

/** How many requests each status filter shows (within the control chosen, if any). */
export function requestCounts(list: RequestJson[], control: string | null = null): RequestCounts {
  const mine = list.filter((r) => control === null || r.control === control);
  const count = (s: StatusFilter) => mine.filter((r) => matchesStatus(r, s)).length;
  return {
    all: mine.length,
    open: count("open"),
    overdue: count("overdue"),
    received: count("received"),
    accepted: count("accepted"),
    rejected: count("rejected"),
  };
}

/** The controls with requests, in the engine's order (by request ID), each once. */
export function controlsIn(list: RequestJson[]): string[] {
  return [...new Set(list.map((r) => r.control))];
}

export interface Aging {
  text: string;
  /** `bad`: overdue; `warn`: received and waiting for the auditor; `muted`: closed. */
  tone: "bad" | "warn" | "muted" | "";
}

/** The aging cell: how long an open request has been out and how late it is; when the
 * evidence came back otherwise. */
export function aging(r: RequestJson): Aging {
  const days = (n: number) => (n === 1 ? "1 day" : `${formatCount(n)} days`);
  switch (r.status) {
    case "open":
      if (r.overdueDays > 0) return { text: `${days(r.overdueDays)} overdue`, tone: "bad" };
      return { text: `open ${days(r.ageDays)}`, tone: "" };
    case "received":
      return { text: `received ${formatDate(r.receivedAt?.slice(0, 10))}`, tone: "warn" };
    case "accepted":
    case "rejected":
      return { text: `${r.status} ${formatDate(r.closedAt?.slice(0, 10))}`, tone: "muted" };
  }
}

/** `Item 7`, or `Control` for the control's own evidence. */
export function itemLabel(r: Pick<RequestJson, "ordinal">): string {
  return r.ordinal === null ? "Control" : `Item ${r.ordinal}`;
}

/** Received evidence can be accepted, or rejected with a reason, and a verdict changed; an
 * open request has nothing to judge yet. */
export function verdicts(r: Pick<RequestJson, "status">): { accept: boolean; reject: boolean } {
  return { accept: r.status === "received" || r.status === "rejected", reject: r.status === "received" || r.status === "accepted" };
}

/** How many of `after` were not in `before` (the requests a generation made). */
export function newlyMade(before: RequestJson[], after: RequestJson[]): number {
  const known = new Set(before.map((r) => r.code));
  return after.filter((r) => !known.has(r.code)).length;
}

/** `list` with `updated` in place of the request with its code. */
export function replaceRequest(list: RequestJson[], updated: RequestJson): RequestJson[] {
  return list.map((r) => (r.code === updated.code ? updated : r));
}

/** One sentence for what a received folder did. */
export function receivedSummary(r: ReceivedJson): string {
  const parts = [`${plural(r.stored.length, "file")} stored as evidence`];
  if (r.duplicates.length) parts.push(`${plural(r.duplicates.length, "duplicate")} already stored, kept once`);
  if (r.unmatched.length) parts.push(`${plural(r.unmatched.length, "file")} matching no request`);
  return `${parts.join(", ")}; ${plural(r.stillOpen.length, "request")} still open.`;
}

/** The name suggested for the client's list. */
export function requestsFileStem(client: string, control: string | null): string {
  return safeFileStem(`${client} requests${control ? ` ${control}` : ""}`);
}

/** A single key on a request row: A accepts, R rejects (asks for the reason). */
export function requestKey(e: KeyLike): "accept" | "reject" | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const k = e.key.toLowerCase();
  return k === "a" ? "accept" : k === "r" ? "reject" : null;
}

/** What is asked, on one line for the table: an item's attribute lines after the heading. */
export function askedSummary(asked: string): string {
  const lines = asked
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const body = lines.length > 1 && lines[0].endsWith(":") ? lines.slice(1) : lines;
  return body.join("; ");
}
