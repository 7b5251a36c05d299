import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));

import { asCommandError, engagementOpen, planFrequency, populationExclude, populationItems, sampleVoid } from "./api";

describe("command calls", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("passes camelCase arguments to the command", async () => {
    invoke.mockResolvedValue([]);
    await populationItems(7, 200, 100);
    expect(invoke).toHaveBeenCalledWith("population_items", { populationId: 7, offset: 200, limit: 100 });
  });

  it("sends an exclusion with its reason, and the reason for setting a sample aside", async () => {
    invoke.mockResolvedValue({});
    await populationExclude("CC8.1-01", "column:Status=Cancelled", "Cancelled before deployment", null);
    expect(invoke).toHaveBeenCalledWith("population_exclude", {
      control: "CC8.1-01",
      rule: "column:Status=Cancelled",
      reason: "Cancelled before deployment",
      replaceSample: null,
    });
  });

  it("names the control when planning from the firm's table, and the item when voiding", async () => {
    invoke.mockResolvedValue({});
    await planFrequency("CC6.3-01", "event-driven", "lower");
    expect(invoke).toHaveBeenCalledWith("plan_frequency", { control: "CC6.3-01", frequency: "event-driven", risk: "lower" });
    await sampleVoid("CC6.3-01", 3, "Rehired the next day: no termination to test");
    expect(invoke).toHaveBeenCalledWith("sample_void", {
      control: "CC6.3-01",
      ordinal: 3,
      reason: "Rehired the next day: no termination to test",
    });
  });

  it("hands on the engine's code and message unchanged", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "locked", message: "acme.tickmark: engagement is open in another Tickmark" };
    });
    const error = await engagementOpen("/x/acme.tickmark").catch((e: unknown) => e);
    expect(error).toEqual({
      code: "locked",
      message: "acme.tickmark: engagement is open in another Tickmark",
    });
  });

  it("turns any other failure into an internal error with a readable message", () => {
    expect(asCommandError(new Error("IPC closed"))).toEqual({
      code: "internal",
      message: "Tickmark could not complete the request: IPC closed",
    });
    expect(asCommandError("command controls_list not allowed").code).toBe("internal");
    expect(asCommandError({ code: 3, message: "x" }).code).toBe("internal");
    expect(asCommandError({ code: "something_new", message: "x" }).code).toBe("internal");
  });
});
