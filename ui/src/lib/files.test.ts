import { beforeEach, describe, expect, it, vi } from "vitest";

const open = vi.fn();
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (...a: unknown[]) => open(...a), save: vi.fn() }));

import { chooseEngagement, chooseSource } from "./files";

describe("native dialogs", () => {
  beforeEach(() => {
    open.mockReset();
  });

  it("opens one dialog at a time, however often the shortcut is pressed", async () => {
    let answer: (p: string | null) => void = () => {};
    open.mockImplementation(() => new Promise((r) => (answer = r)));
    const first = chooseSource("Population for CC8.1-01");
    const second = await chooseEngagement();
    expect(second).toBeNull();
    expect(open).toHaveBeenCalledTimes(1);
    answer("/home/dana/tickets.csv");
    expect(await first).toBe("/home/dana/tickets.csv");
    open.mockImplementation(async () => "/home/dana/acme.tickmark");
    expect(await chooseEngagement()).toBe("/home/dana/acme.tickmark");
  });

  it("treats a cancelled dialog as no choice", async () => {
    open.mockImplementation(async () => null);
    expect(await chooseSource("x")).toBeNull();
  });
});
