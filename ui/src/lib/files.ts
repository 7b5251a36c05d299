// The native file dialogs: the only way (with drag and drop) a path reaches the engine.

import { open, save } from "@tauri-apps/plugin-dialog";
import { ensureExtension } from "./format";

export const ENGAGEMENT_FILTER = { name: "Tickmark engagement", extensions: ["tickmark"] };
export const SOURCE_FILTER = { name: "CSV, text or Excel export", extensions: ["csv", "tsv", "txt", "xlsx"] };

let showing = false;

/** One native dialog at a time: a second shortcut press while one is open does nothing. */
async function once<T>(show: () => Promise<T>): Promise<T | null> {
  if (showing) return null;
  showing = true;
  try {
    return await show();
  } finally {
    showing = false;
  }
}

export async function chooseEngagement(): Promise<string | null> {
  const p = await once(() => open({ title: "Open engagement", multiple: false, directory: false, filters: [ENGAGEMENT_FILTER] }));
  return typeof p === "string" ? p : null;
}

export async function chooseNewEngagement(suggested: string): Promise<string | null> {
  const p = await once(() =>
    save({ title: "Create engagement file", defaultPath: `${suggested}.tickmark`, filters: [ENGAGEMENT_FILTER] }),
  );
  return p ? ensureExtension(p, "tickmark") : null;
}

export async function chooseSource(title: string): Promise<string | null> {
  const p = await once(() =>
    open({ title, multiple: false, directory: false, filters: [SOURCE_FILTER, { name: "All files", extensions: ["*"] }] }),
  );
  return typeof p === "string" ? p : null;
}
