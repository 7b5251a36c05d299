// The engine, as the UI reaches it: one typed function per Tauri command. Argument and result
// types are generated from the shell's Rust transport types (./bindings, by ts-rs). Every
// failure arrives as a CommandError `{code, message}`; the UI branches on `code` only.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { CommandError } from "./bindings/CommandError";
import type { ControlInputJson } from "./bindings/ControlInputJson";
import type { ControlJson } from "./bindings/ControlJson";
import type { DropJson } from "./bindings/DropJson";
import type { EngagementJson } from "./bindings/EngagementJson";
import type { FrequencyKind } from "./bindings/FrequencyKind";
import type { MappingJson } from "./bindings/MappingJson";
import type { NewEngagementJson } from "./bindings/NewEngagementJson";
import type { PopulationItemJson } from "./bindings/PopulationItemJson";
import type { PopulationJson } from "./bindings/PopulationJson";
import type { PreviewJson } from "./bindings/PreviewJson";
import type { ProgressJson } from "./bindings/ProgressJson";
import type { RecentJson } from "./bindings/RecentJson";
import type { StartJson } from "./bindings/StartJson";
import type { TrailJson } from "./bindings/TrailJson";

export type { CommandError };

/** Anything thrown by a command, as a CommandError (a transport failure becomes `internal`). */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (typeof code === "string" && typeof message === "string") return { code, message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: "internal", message: `Tickmark could not complete the request: ${message}` };
}

export function isCommandError(e: unknown): e is CommandError {
  return !!e && typeof e === "object" && typeof (e as CommandError).code === "string";
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asCommandError(e);
  }
}

export const appStart = () => call<StartJson>("app_start");
export const recentList = () => call<RecentJson[]>("recent_list");
export const recentForget = (path: string) => call<RecentJson[]>("recent_forget", { path });

export const engagementCheck = (input: NewEngagementJson) => call<null>("engagement_check", { input });
export const engagementCreate = (path: string, input: NewEngagementJson) =>
  call<EngagementJson>("engagement_create", { path, input });
export const engagementOpen = (path: string) => call<EngagementJson>("engagement_open", { path });
export const engagementClose = () => call<null>("engagement_close");

export const controlsList = () => call<ControlJson[]>("controls_list");
export const controlAdd = (input: ControlInputJson) => call<ControlJson>("control_add", { input });
export const controlsImport = (path: string, sheet: string | null = null) =>
  call<ControlJson[]>("controls_import", { path, sheet });

export const sourcePreview = (path: string, sheet: string | null = null) =>
  call<PreviewJson>("source_preview", { path, sheet });

/** Imports a population; `onProgress` hears from the engine as the file is read. */
export function populationImport(
  control: string,
  path: string,
  mapping: MappingJson,
  onProgress: (p: ProgressJson) => void,
): Promise<PopulationJson> {
  const channel = new Channel<ProgressJson>();
  channel.onmessage = onProgress;
  return call<PopulationJson>("population_import", { control, path, mapping, onProgress: channel });
}
export const populationImportCancel = () => call<null>("population_import_cancel");
export const populationGenerate = (control: string, frequency: FrequencyKind, businessDays: boolean) =>
  call<PopulationJson>("population_generate", { control, frequency, businessDays });
export const populationCurrent = (control: string) => call<PopulationJson | null>("population_current", { control });
export const populationAccept = (control: string) => call<PopulationJson>("population_accept", { control });
export const populationItems = (populationId: number, offset: number, limit: number) =>
  call<PopulationItemJson[]>("population_items", { populationId, offset, limit });

/** Items whose key starts with `query` (case ignored), in position order: the grid's search. */
export const populationFind = (populationId: number, query: string, limit: number) =>
  call<PopulationItemJson[]>("population_find", { populationId, query, limit });

export const trailList = () => call<TrailJson>("trail_list");

/** Hears files dragged onto the window (the native drag-and-drop, with real paths). */
export function watchDrops(onDrop: (d: DropJson) => void): Promise<null> {
  const channel = new Channel<DropJson>();
  channel.onmessage = onDrop;
  return call<null>("drops_watch", { onDrop: channel });
}
