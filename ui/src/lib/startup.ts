// The page's side of the start-up trace (src-tauri/src/startup.rs): when the app was launched
// with TICKMARK_STARTUP_TRACE, the page reports, once its first grid page shows, when its script
// began, when it mounted and how long each command it sent took until then. Names and times
// only. Imported first by main.ts, so its first line runs as the bundle begins to run.

import type { StartupCommandJson } from "./bindings/StartupCommandJson";
import type { StartupMark } from "./bindings/StartupMark";
import type { StartupMarkJson } from "./bindings/StartupMarkJson";
import type { StartupReportJson } from "./bindings/StartupReportJson";

const marks: StartupMarkJson[] = [{ mark: "scriptStarted", at: performance.now() }];
const commands: StartupCommandJson[] = [];
/** Recording stops once the report is taken or the trace turns out to be off. */
let recording = true;
/** More commands than a start ever sends: a page left open does not grow the list. */
const MAX_COMMANDS = 64;

export function markStartup(mark: StartupMark): void {
  if (recording) marks.push({ mark, at: performance.now() });
}

/** Records a command's round trip (`sent` and `answered` from `performance.now()`). */
export function commandTimed(command: string, sent: number, answered: number): void {
  if (recording && commands.length < MAX_COMMANDS) commands.push({ command, sent, answered });
}

/** Stops recording when the start-up trace is off. */
export function traceStartup(on: boolean): void {
  if (!on) recording = false;
}

/** The report, once: null when it was taken already or the trace is off. */
export function takeStartupReport(): StartupReportJson | null {
  if (!recording) return null;
  recording = false;
  return { timeOrigin: performance.timeOrigin, marks: [...marks], commands: [...commands] };
}
