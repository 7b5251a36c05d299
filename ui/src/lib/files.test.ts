import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));

import { chooseEngagement, chooseExportPath, chooseSource } from "./files";

const handle = (name: string) => ({ handle: "0f".repeat(16), name, path: `/home/dana/${name}` });

describe("native dialogs, opened by the shell", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("opens one dialog at a time, however often the shortcut is pressed", async () => {
    let answer: (h: unknown) => void = () => {};
    invoke.mockImplementation(() => new Promise((r) => (answer = r)));
    const first = chooseSource();
    const second = await chooseEngagement();
    expect(second).toBeNull();
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledWith("file_choose", { purpose: "source", suggested: null });
    answer(handle("tickets.csv"));
    expect((await first)?.name).toBe("tickets.csv");
    invoke.mockImplementation(async () => handle("acme.tickmark"));
    expect((await chooseEngagement())?.name).toBe("acme.tickmark");
  });

  it("names the export's purpose by its format and treats a cancelled dialog as no choice", async () => {
    invoke.mockImplementation(async () => null);
    expect(await chooseExportPath("csv", "acme-workpaper")).toBeNull();
    expect(invoke).toHaveBeenCalledWith("file_choose", { purpose: "workpaper-csv", suggested: "acme-workpaper" });
  });
});
