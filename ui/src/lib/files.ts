// The native file dialogs, opened by the shell (file_choose): the page names what the file is
// for and gets back a handle, never a path. Commands that read or write a file take the handle;
// a handle the shell did not issue in this run is refused (src-tauri/src/files.rs).

import { fileChoose } from "./api";
import type { ChoosePurpose } from "./bindings/ChoosePurpose";
import type { FileHandleJson } from "./bindings/FileHandleJson";

let showing = false;

/** One native dialog at a time: a second shortcut press while one is open does nothing. */
async function once(purpose: ChoosePurpose, suggested: string | null = null): Promise<FileHandleJson | null> {
  if (showing) return null;
  showing = true;
  try {
    return await fileChoose(purpose, suggested);
  } finally {
    showing = false;
  }
}

export const chooseEngagement = () => once("engagement-open");

/** Where to create a new engagement file; the shell adds `.tickmark` when it is missing. */
export const chooseNewEngagement = (suggested: string) => once("engagement-new", suggested);

/** A client export: a population, a control matrix, or a copy to re-perform a sample from. */
export const chooseSource = () => once("source");

// ---- Fieldwork: evidence files and workpaper exports ----

/** A file to attach as evidence (any type). */
export const chooseEvidence = () => once("evidence");

/** Where to write a stored evidence file back out; suggests its own name. */
export const chooseEvidenceCopy = (name: string) => once("evidence-copy", name);

const EXPORT_PURPOSE: Record<"xlsx" | "csv" | "html" | "section4", ChoosePurpose> = {
  xlsx: "workpaper-xlsx",
  html: "workpaper-html",
  csv: "workpaper-csv",
  section4: "section4-docx",
};

/** Where to export a workpaper: a file for xlsx and html, a new folder's name for csv. */
export const chooseExportPath = (format: "xlsx" | "csv" | "html" | "section4", suggested: string) =>
  once(EXPORT_PURPOSE[format], suggested);

// ---- Client requests and next year's engagement ----

/** Last year's engagement, to roll forward (only read). */
export const choosePriorEngagement = () => once("engagement-prior");

/** Where to write the client's request list; the shell adds `.xlsx` when it is missing. */
export const chooseRequestsExport = (suggested: string) => once("requests-xlsx", suggested);

/** The folder of files the client returned. */
export const chooseReturnedFolder = () => once("requests-folder");
