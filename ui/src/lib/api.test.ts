import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));

import { asCommandError, engagementOpen, populationItems } from "./api";

describe("command calls", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("passes camelCase arguments to the command", async () => {
    invoke.mockResolvedValue([]);
    await populationItems(7, 200, 100);
    expect(invoke).toHaveBeenCalledWith("population_items", { populationId: 7, offset: 200, limit: 100 });
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
  });
});
