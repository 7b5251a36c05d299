import type { FileHandleJson } from "./bindings/FileHandleJson";
// The app-wide state every screen reads: where the auditor is (nav), who they are, the recent
// list, and whether a long import is running (so shortcuts that would leave it are held).

import { teamLoad } from "./api";
import type { CommandError } from "./bindings/CommandError";
import type { RecentJson } from "./bindings/RecentJson";
import type { TeamJson } from "./bindings/TeamJson";
import { Nav } from "./nav.svelte";

class Session {
  user = $state("");
  version = $state("");
  recent = $state<RecentJson[]>([]);
  /** Why the engagement asked for at start-up could not be opened. */
  startError = $state<CommandError | null>(null);
  importing = $state(false);
  /** The dashboard's filters, kept while the auditor visits a control and comes back. */
  dashboardFilter = $state({ notSignedOff: false, withExceptions: false });
  /** A one-time message for the screen the auditor lands on (what a roll-forward made). */
  notice = $state<string | null>(null);
  /** Bumped when an action elsewhere (a shortcut) asks a screen to do something. */
  request = $state<{ name: string; at: number } | null>(null);

  /** The open engagement's working copies and colleagues, and whether it is itself a working
   * copy (the banner, the dashboard's "held by", the Team screen); reloaded after a hand-off,
   * a recall or a merge. */
  team = $state<TeamJson | null>(null);

  /** A file is being dragged over the window. */
  dragging = $state(false);
  /** The last files dropped on the window (handles from the shell), for the screen that takes them. */
  dropped = $state<{ files: FileHandleJson[]; at: number } | null>(null);

  /** Reads the open engagement's team state again (none open, or it fails: none). */
  async reloadTeam(): Promise<void> {
    try {
      this.team = await teamLoad();
    } catch {
      this.team = null;
    }
  }

  ask(name: string): void {
    this.request = { name, at: Date.now() };
  }
}

export const nav = new Nav();
export const session = new Session();

export const isMac = typeof navigator !== "undefined" && /Mac/.test(navigator.platform);
