// The native file dialogs: the only way (with drag and drop) a path reaches the engine.

import { open, save } from "@tauri-apps/plugin-dialog";
import { ensureExtension } from "./format";

export const ENGAGEMENT_FILTER = { name: "Tickmark engagement", extensions: ["tickmark"] };
export const SOURCE_FILTER = { name: "CSV, text or Excel export", extensions: ["csv", "tsv", "txt", "xlsx"] };

let showing = false;

/** The end-to-end tests' answers to the dialogs, injected by the shell only when TICKMARK_E2E_OPEN
 *  or TICKMARK_E2E_SAVE is set (src-tauri/src/e2e.rs): WebDriver cannot drive a native dialog. */
const e2e = (globalThis as { __TICKMARK_E2E__?: { open: string | null; save: string | null } }).__TICKMARK_E2E__;

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
  if (e2e?.save) return ensureExtension(e2e.save, "tickmark");
  const p = await once(() =>
    save({ title: "Create engagement file", defaultPath: `${suggested}.tickmark`, filters: [ENGAGEMENT_FILTER] }),
  );
  return p ? ensureExtension(p, "tickmark") : null;
}

export async function chooseSource(title: string): Promise<string | null> {
  if (e2e?.open) return e2e.open;
  const p = await once(() =>
    open({ title, multiple: false, directory: false, filters: [SOURCE_FILTER, { name: "All files", extensions: ["*"] }] }),
  );
  return typeof p === "string" ? p : null;
}

// ---- Fieldwork: evidence files and workpaper exports ----

/** A file to attach as evidence (any type). */
export async function chooseEvidence(): Promise<string | null> {
  if (e2e?.open) return e2e.open;
  const p = await once(() => open({ title: "Attach evidence", multiple: false, directory: false }));
  return typeof p === "string" ? p : null;
}

/** Where to write a stored evidence file back out; suggests its own name. */
export async function chooseEvidenceCopy(name: string): Promise<string | null> {
  if (e2e?.save) return e2e.save;
  return once(() => save({ title: "Save a copy of the evidence", defaultPath: name }));
}

const EXPORT_FILTERS: Record<string, { name: string; extensions: string[] }[]> = {
  xlsx: [{ name: "Excel workbook", extensions: ["xlsx"] }],
  html: [{ name: "Web page (printable)", extensions: ["html"] }],
  csv: [],
};

/** Where to export a workpaper: a file for xlsx and html, a new folder's name for csv. */
export async function chooseExportPath(format: "xlsx" | "csv" | "html", suggested: string): Promise<string | null> {
  if (e2e?.save) return format === "csv" ? e2e.save : ensureExtension(e2e.save, format);
  const title = format === "csv" ? "Name the folder for the CSV files" : "Export the workpaper";
  const p = await once(() =>
    save({ title, defaultPath: format === "csv" ? suggested : `${suggested}.${format}`, filters: EXPORT_FILTERS[format] }),
  );
  if (!p) return null;
  return format === "csv" ? p : ensureExtension(p, format);
}
