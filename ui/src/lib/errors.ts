// Plain headlines for the error codes the UI acts on; the engine's message (which names the
// file, line and column) is shown beneath as written. The codes are the generated `ErrorCode`
// union, so a code added in Rust fails the type check here until it has its words.

import type { CommandError } from "./bindings/CommandError";
import type { ErrorCode } from "./bindings/ErrorCode";

const TITLES: Record<ErrorCode, string> = {
  locked: "This engagement is open in another Tickmark",
  newer_schema: "This engagement needs a newer Tickmark",
  not_engagement: "That file is not a Tickmark engagement",
  encrypted: "This engagement is encrypted",
  no_such_file: "The file is not there any more",
  already_exists: "A file with that name already exists",
  import: "The file could not be imported",
  invalid: "Please check what was entered",
  io: "The file could not be read or written",
  storage: "The engagement file could not be read or written",
  cancelled: "Import cancelled",
  no_engagement: "No engagement is open",
  sampling: "Sampling could not be completed",
  internal: "Something went wrong inside Tickmark",
};

/** Whether a string off the wire is one of the codes the shell sends. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(TITLES, code);
}

export function errorTitle(e: CommandError): string {
  return TITLES[e.code];
}

/** What the auditor can do about it, where there is something to do. */
export function errorHint(e: CommandError): string | null {
  const code = e.code;
  switch (code) {
    case "locked":
      return "Close it in the other window or the command line, then try again.";
    case "newer_schema":
      return "It was saved by a later version. Update Tickmark to open it; the file has not been changed.";
    case "import":
      return "Nothing was imported. Correct the file or the column mapping and import again.";
    case "no_such_file":
      return "It may have been moved or renamed. Open it from its new place.";
    case "encrypted":
      return "Type its passphrase where Tickmark asks for it (TICKMARK_PASSPHRASE on the command line); the file has not been changed.";
    case "not_engagement":
    case "already_exists":
    case "invalid":
    case "io":
    case "storage":
    case "cancelled":
    case "no_engagement":
    case "sampling":
    case "internal":
      return null;
    default: {
      // Every code is handled above: a new one fails the type check here.
      const _never: never = code;
      return _never;
    }
  }
}
