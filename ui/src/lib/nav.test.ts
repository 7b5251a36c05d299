import { describe, expect, it } from "vitest";
import type { EngagementJson } from "./bindings/EngagementJson";
import { Nav, startPlace } from "./nav.svelte";

const acme: EngagementJson = {
  path: "/data/demo.tickmark",
  client: "Acme Cloud, Inc.",
  report: "soc2-type2",
  periodStart: "2026-01-01",
  periodEnd: "2026-12-31",
  criteria: ["CC", "A"],
  firm: "Harlow & Reyes LLP",
  preparer: "Dana Whitfield",
  reviewer: "Marcus Oyelaran",
  createdAt: "2026-11-23T19:00:00Z",
  createdBy: "Dana Whitfield",
};

describe("start-up place", () => {
  it("follows --screen and --control when an engagement is open", () => {
    expect(startPlace({ engagement: acme, screen: "grid", control: "CC8.1-01" })).toEqual({
      screen: "workspace",
      control: "CC8.1-01",
      tab: "population",
      view: "items",
    });
    expect(startPlace({ engagement: acme, screen: "population", control: "CC8.1-01" }).view).toBe("report");
    expect(startPlace({ engagement: acme, screen: "scope", control: "CC8.1-01" })).toEqual({
      screen: "workspace",
      control: "CC8.1-01",
      tab: "population",
      view: "report",
      focus: "scope",
    });
    expect(startPlace({ engagement: acme, screen: "sampling", control: "CC6.3-01" }).tab).toBe("sampling");
    expect(startPlace({ engagement: acme, screen: "trail", control: null }).screen).toBe("trail");
    expect(startPlace({ engagement: acme, screen: null, control: null }).screen).toBe("dashboard");
    expect(startPlace({ engagement: acme, screen: "controls", control: null }).screen).toBe("controls");
    expect(startPlace({ engagement: acme, screen: "coverage", control: null }).screen).toBe("coverage");
    expect(startPlace({ engagement: acme, screen: "requests", control: null }).screen).toBe("requests");
    // The roll-forward starts on the engagements screen (App asks it to open the form).
    expect(startPlace({ engagement: acme, screen: "rollforward", control: null }).screen).toBe("engagements");
    expect(startPlace({ engagement: acme, screen: "team", control: null })).toMatchObject({ screen: "team" });
    expect(startPlace({ engagement: acme, screen: "merge", control: null })).toMatchObject({ screen: "team", focus: "merge" });
    expect(startPlace({ engagement: acme, screen: "design", control: "CC6.1-01" })).toMatchObject({ screen: "workspace", tab: "design" });
  });

  it("shows the engagements screen when nothing could be opened", () => {
    expect(startPlace({ engagement: null, screen: "grid", control: "CC8.1-01" }).screen).toBe("engagements");
    expect(startPlace({ engagement: acme, screen: "population", control: null }).screen).toBe("controls");
  });
});

describe("navigation", () => {
  it("keeps the auditor on the engagements screen until one is open", () => {
    const nav = new Nav();
    nav.go("controls");
    expect(nav.screen).toBe("engagements");
    nav.opened(acme);
    expect(nav.screen).toBe("dashboard");
  });

  it("goes back the way the auditor came", () => {
    const nav = new Nav();
    nav.opened(acme);
    nav.openControl("CC8.1-01");
    nav.go("trail");
    expect(nav.back()).toBe(true);
    expect(nav.place.screen).toBe("workspace");
    expect(nav.place.control).toBe("CC8.1-01");
    expect(nav.back()).toBe(true);
    expect(nav.screen).toBe("dashboard");
    expect(nav.back()).toBe(false);
  });

  it("opens a control's workspace on the tab asked for and starts over on a new engagement", () => {
    const nav = new Nav();
    nav.opened(acme);
    nav.openControl("CC6.1-01", "sampling");
    expect(nav.place).toMatchObject({ screen: "workspace", control: "CC6.1-01", tab: "sampling" });
    nav.opened(null);
    expect(nav.screen).toBe("engagements");
    expect(nav.back()).toBe(false);
  });
});
