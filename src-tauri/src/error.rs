//! The one error shape the UI sees: `{code, message}`. The UI branches on `code` (the engine's
//! `Error::code()`, plus the few the shell adds) and shows `message` as written.

use serde::Serialize;
use tickmark::import::ImportErrorKind;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CommandError {
    /// `locked`, `no_such_file`, `already_exists`, `not_engagement`, `newer_schema`, `import`,
    /// `invalid`, `io`, `storage`, `sampling`, and from the shell: `cancelled` (an import the
    /// auditor stopped), `no_engagement` (nothing is open), `internal`.
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError { code: code.to_string(), message: message.into() }
    }

    pub fn no_engagement() -> CommandError {
        CommandError::new("no_engagement", "No engagement is open. Open or create one first.")
    }

    /// An error that is Tickmark's fault, not the auditor's: shown, and written to the log.
    pub fn internal(what: impl std::fmt::Display) -> CommandError {
        let e = CommandError::new("internal", format!("Tickmark hit an internal error: {what}"));
        crate::errlog::record(&e.code, &e.message);
        e
    }
}

impl From<tickmark::Error> for CommandError {
    fn from(e: tickmark::Error) -> CommandError {
        let code = match &e {
            tickmark::Error::Import(i) if i.kind == ImportErrorKind::Cancelled => "cancelled",
            other => other.code(),
        };
        let e = CommandError::new(code, e.to_string());
        // The engagement file failing (disk, corruption) is not the auditor's input: keep it.
        if code == "storage" {
            crate::errlog::record(&e.code, &e.message);
        }
        e
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
