// Where the auditor is: the screen, the control in the workspace, its tab. One store, so the
// header, the shortcuts and the screens agree, and Escape goes back the way the auditor came.

import type { EngagementJson } from "./bindings/EngagementJson";
import type { StartJson } from "./bindings/StartJson";

export type Screen =
  | "engagements"
  | "dashboard"
  | "coverage"
  | "controls"
  | "workspace"
  | "trail"
  | "interviews"
  | "requests"
  | "team";
export type WorkspaceTab = "population" | "design" | "sampling" | "testing" | "conclusion";
export type PopulationView = "report" | "items";

export interface Place {
  screen: Screen;
  control: string | null;
  tab: WorkspaceTab;
  view: PopulationView;
  /** A part of the screen to bring into view on arrival (the report's scoping section), or
   * (on the Team screen) the merge of a returned copy to start at once. */
  focus?: "scope" | "merge";
}

const HOME: Place = { screen: "engagements", control: null, tab: "population", view: "report" };

/** The first place to show after start-up: the screen asked for on the command line, if it can be shown. */
export function startPlace(start: Pick<StartJson, "engagement" | "screen" | "control">): Place {
  if (!start.engagement) return HOME;
  const control = start.control ?? null;
  switch (start.screen) {
    case "engagements":
    case "rollforward":
      return HOME;
    case "trail":
      return { ...HOME, screen: "trail" };
    case "dashboard":
      return { ...HOME, screen: "dashboard" };
    case "coverage":
      return { ...HOME, screen: "coverage" };
    case "controls":
      return { ...HOME, screen: "controls", control };
    case "interviews":
      return { ...HOME, screen: "interviews" };
    case "requests":
      return { ...HOME, screen: "requests", control };
    case "team":
      return { ...HOME, screen: "team" };
    case "merge":
      return { ...HOME, screen: "team", focus: "merge" };
    case "scope":
      return control ? { screen: "workspace", control, tab: "population", view: "report", focus: "scope" } : { ...HOME, screen: "controls" };
    case "population":
    case "grid":
    case "design":
    case "sampling":
    case "testing":
    case "conclusion":
      if (control) {
        const tab: WorkspaceTab =
          start.screen === "design" || start.screen === "sampling" || start.screen === "testing" || start.screen === "conclusion"
            ? start.screen
            : "population";
        return { screen: "workspace", control, tab, view: start.screen === "grid" ? "items" : "report" };
      }
      return { ...HOME, screen: "controls" };
    default:
      return { ...HOME, screen: "dashboard", control };
  }
}

export class Nav {
  engagement = $state<EngagementJson | null>(null);
  place = $state<Place>({ ...HOME });
  private history: Place[] = [];

  get screen(): Screen {
    return this.place.screen;
  }

  /** Goes to `screen`; without an open engagement only the engagements screen can be shown. */
  go(screen: Screen, control: string | null = this.place.control): void {
    const next: Place =
      !this.engagement && screen !== "engagements"
        ? { ...HOME }
        : { screen, control, tab: screen === "workspace" ? this.place.tab : "population", view: "report" };
    if (next.screen === this.place.screen && next.control === this.place.control) return;
    this.history.push(this.place);
    if (this.history.length > 50) this.history.shift();
    this.place = next;
  }

  openControl(code: string, tab: WorkspaceTab = "population"): void {
    this.go("workspace", code);
    if (this.place.screen === "workspace") this.place.tab = tab;
  }

  setTab(tab: WorkspaceTab): void {
    this.place.tab = tab;
  }

  setView(view: PopulationView): void {
    this.place.view = view;
  }

  /** Back to where the auditor came from (Escape); false when there is nowhere to go. */
  back(): boolean {
    const prev = this.history.pop();
    if (!prev) return false;
    this.place = !this.engagement && prev.screen !== "engagements" ? { ...HOME } : prev;
    return true;
  }

  /** A new engagement is open (or none is): start again from its dashboard. */
  opened(engagement: EngagementJson | null, place?: Place): void {
    this.engagement = engagement;
    this.history = [];
    this.place = place ?? (engagement ? { ...HOME, screen: "dashboard" } : { ...HOME });
  }
}
