//! The one error shape the UI sees: `{code, message}`. The UI branches on `code` (the engine's
//! `Error::code()`, plus the few the shell adds) and shows `message` as written.

use serde::Serialize;
use tickmark::import::ImportErrorKind;
use ts_rs::TS;

/// What the UI can branch on. On the wire these are the engine's `Error::code()` strings
/// (`no_such_file`), plus the shell's own; a TypeScript union, so the UI's switches are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ErrorCode {
    Locked,
    NewerSchema,
    NotEngagement,
    /// An encrypted engagement opened without its passphrase or with another one.
    Encrypted,
    NoSuchFile,
    AlreadyExists,
    Import,
    Sampling,
    Invalid,
    Io,
    Storage,
    /// An import the auditor stopped.
    Cancelled,
    /// Nothing is open.
    NoEngagement,
    Internal,
}

impl ErrorCode {
    /// The code as it goes on the wire and into the error log.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Locked => "locked",
            ErrorCode::NewerSchema => "newer_schema",
            ErrorCode::NotEngagement => "not_engagement",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::NoSuchFile => "no_such_file",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::Import => "import",
            ErrorCode::Sampling => "sampling",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Io => "io",
            ErrorCode::Storage => "storage",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::NoEngagement => "no_engagement",
            ErrorCode::Internal => "internal",
        }
    }
}

impl From<&tickmark::Error> for ErrorCode {
    fn from(e: &tickmark::Error) -> ErrorCode {
        use tickmark::Error;
        match e {
            Error::Locked { .. } => ErrorCode::Locked,
            Error::NewerSchema { .. } => ErrorCode::NewerSchema,
            Error::NotEngagement { .. } => ErrorCode::NotEngagement,
            Error::Encrypted { .. } => ErrorCode::Encrypted,
            Error::NoSuchFile { .. } => ErrorCode::NoSuchFile,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::Import(i) if i.kind == ImportErrorKind::Cancelled => ErrorCode::Cancelled,
            Error::Import(_) => ErrorCode::Import,
            Error::Sampling(_) => ErrorCode::Sampling,
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::Io { .. } => ErrorCode::Io,
            Error::Sqlite(_) => ErrorCode::Storage,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> CommandError {
        CommandError { code, message: message.into() }
    }

    pub fn no_engagement() -> CommandError {
        CommandError::new(ErrorCode::NoEngagement, "No engagement is open. Open or create one first.")
    }

    /// An error that is Tickmark's fault, not the auditor's: shown, and written to the log.
    pub fn internal(what: impl std::fmt::Display) -> CommandError {
        let e = CommandError::new(ErrorCode::Internal, format!("Tickmark hit an internal error: {what}"));
        crate::errlog::record(e.code.as_str(), &e.message);
        e
    }
}

impl From<tickmark::Error> for CommandError {
    fn from(e: tickmark::Error) -> CommandError {
        let e = CommandError::new(ErrorCode::from(&e), e.to_string());
        // The engagement file failing (disk, corruption) is not the auditor's input: keep it.
        if e.code == ErrorCode::Storage {
            crate::errlog::record(e.code.as_str(), &e.message);
        }
        e
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_go_on_the_wire_as_the_strings_the_log_writes() {
        for code in [
            ErrorCode::Locked,
            ErrorCode::NewerSchema,
            ErrorCode::NotEngagement,
            ErrorCode::NoSuchFile,
            ErrorCode::AlreadyExists,
            ErrorCode::Import,
            ErrorCode::Sampling,
            ErrorCode::Invalid,
            ErrorCode::Io,
            ErrorCode::Storage,
            ErrorCode::Cancelled,
            ErrorCode::NoEngagement,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
        }
    }

    #[test]
    fn engine_errors_keep_the_engines_code_on_the_wire() {
        let path = std::path::PathBuf::from("a.tickmark");
        for e in [
            tickmark::Error::Locked { path: path.clone() },
            tickmark::Error::NewerSchema { path: path.clone(), found: 9, supported: 1 },
            tickmark::Error::NotEngagement { path: path.clone() },
            tickmark::Error::NoSuchFile { path: path.clone() },
            tickmark::Error::AlreadyExists { path: path.clone() },
            tickmark::Error::Invalid("no".into()),
            tickmark::Error::Io { path, source: std::io::Error::other("disk") },
        ] {
            let engine_code = e.code();
            assert_eq!(CommandError::from(e).code.as_str(), engine_code);
        }
    }
}
