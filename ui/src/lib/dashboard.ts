// The engagement dashboard's filters and the coverage view's grouping: pure functions over
// what the engine sends (which rows are signed off or have exceptions is the engine's rule,
// carried on each row), so the screens only lay them out.

import type { CoverageJson } from "./bindings/CoverageJson";
import type { CriterionCoverageJson } from "./bindings/CriterionCoverageJson";
import type { DashboardRowJson } from "./bindings/DashboardRowJson";

export interface DashboardFilter {
  notSignedOff: boolean;
  withExceptions: boolean;
}

/** The rows both ticked filters keep (none ticked: every row). */
export function filterDashboard(rows: DashboardRowJson[], filter: DashboardFilter): DashboardRowJson[] {
  return rows.filter((r) => (!filter.notSignedOff || !r.signedOff) && (!filter.withExceptions || r.withExceptions));
}

export interface DashboardCounts {
  controls: number;
  notSignedOff: number;
  withExceptions: number;
  concluded: number;
  openNotes: number;
}

export function dashboardCounts(rows: DashboardRowJson[]): DashboardCounts {
  return {
    controls: rows.length,
    notSignedOff: rows.filter((r) => !r.signedOff).length,
    withExceptions: rows.filter((r) => r.withExceptions).length,
    concluded: rows.filter((r) => r.operating !== null).length,
    openNotes: rows.reduce((n, r) => n + r.openNotes, 0),
  };
}

/** `4 of 4` tested, or null before the control has a sample. */
export function testedOf(row: Pick<DashboardRowJson, "tested" | "sample">): string | null {
  return row.sample === null ? null : `${row.tested} of ${row.sample}`;
}

export interface CoverageGroup {
  /** `CC1` … `CC9`, `A`, `C`, `PI`, `P`, or `objective`. */
  key: string;
  /** The category code the group belongs to (`CC` for CC1 … CC9). */
  category: string;
  criteria: CriterionCoverageJson[];
}

const CATEGORY_ORDER = ["CC", "A", "C", "PI", "P", "objective"];

/** The common criteria's series headings, as the 2017 Trust Services Criteria title them. */
export const SERIES_TITLES: Record<string, string> = {
  CC1: "Control environment",
  CC2: "Communication and information",
  CC3: "Risk assessment",
  CC4: "Monitoring activities",
  CC5: "Control activities",
  CC6: "Logical and physical access controls",
  CC7: "System operations",
  CC8: "Change management",
  CC9: "Risk mitigation",
};

/** Controls in report order: common criteria first (CC1 … CC9), then A, C, PI, P, by number within each. */
export function reportOrder<T extends { control: string }>(rows: T[]): T[] {
  const key = (code: string) => {
    const m = /^(CC|PI|A|C|P)(\d+)?/i.exec(code);
    const rank = m ? CATEGORY_ORDER.indexOf(m[1].toUpperCase()) : CATEGORY_ORDER.length;
    return { rank: rank === -1 ? CATEGORY_ORDER.length : rank };
  };
  return [...rows].sort(
    (a, b) => key(a.control).rank - key(b.control).rank || a.control.localeCompare(b.control, undefined, { numeric: true }),
  );
}

/** The group a criterion prints under: the common criteria by series (`CC6.1` → `CC6`), the others by category. */
export function groupKey(c: Pick<CriterionCoverageJson, "id" | "category">): string {
  if (c.category === "CC") {
    const m = /^CC(\d+)\./.exec(c.id);
    return m ? `CC${m[1]}` : "CC";
  }
  return c.category;
}

/**
 * Coverage grouped as reports print it: CC1 … CC9, then A, C, PI, P (SOC 1: the engagement's
 * objectives in one group). Groups keep the engine's order of criteria within them.
 */
export function groupCoverage(criteria: CriterionCoverageJson[]): CoverageGroup[] {
  const groups: CoverageGroup[] = [];
  for (const c of criteria) {
    const key = groupKey(c);
    let g = groups.find((x) => x.key === key);
    if (!g) {
      g = { key, category: c.category, criteria: [] };
      groups.push(g);
    }
    g.criteria.push(c);
  }
  const rank = (g: CoverageGroup) => {
    const i = CATEGORY_ORDER.indexOf(g.category);
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  const series = (g: CoverageGroup) => Number(/^CC(\d+)$/.exec(g.key)?.[1] ?? 0);
  return groups.sort((a, b) => rank(a) - rank(b) || series(a) - series(b));
}

/** A criterion needs the auditor's attention: no control addresses it, or it is not met. */
export function flagged(c: Pick<CriterionCoverageJson, "state">): boolean {
  return c.state === "no-control" || c.state === "not-met" || c.state === "not-evaluated";
}

export interface CoverageSummary {
  criteria: number;
  met: number;
  withoutControl: number;
  notMet: number;
  inProgress: number;
}

export function coverageSummary(coverage: CoverageJson): CoverageSummary {
  const count = (...states: string[]) => coverage.criteria.filter((c) => states.includes(c.state)).length;
  return {
    criteria: coverage.criteria.length,
    met: count("met", "met-with-exceptions"),
    withoutControl: coverage.withoutControl.length,
    notMet: coverage.notMet.length,
    inProgress: count("in-progress", "not-evaluated"),
  };
}

/** Only the criteria that need attention, when the auditor asks for them. */
export function filterCoverage(criteria: CriterionCoverageJson[], onlyFlagged: boolean): CriterionCoverageJson[] {
  return onlyFlagged ? criteria.filter(flagged) : criteria;
}

/**
 * The workspace tab a dashboard row opens on: where the control's work stands next (design
 * before sampling in a Type 2; the conclusion once testing has started).
 */
export function nextTab(
  row: Pick<DashboardRowJson, "design" | "population" | "sample" | "tested" | "operating">,
): "design" | "population" | "sampling" | "testing" | "conclusion" {
  if (row.design === null) return "design";
  if (row.operating !== null) return "conclusion";
  if (row.sample !== null) return row.tested > 0 && row.tested >= row.sample ? "conclusion" : "testing";
  return row.population === null ? "population" : "sampling";
}
