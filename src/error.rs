//! The engine's error type. Messages are sentences an auditor reads; `code()` is what a UI
//! branches on (it never matches on message text).

use std::path::PathBuf;

use crate::import::ImportError;
use crate::sampling::SamplingError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: engagement is open in another Tickmark; close it there first", .path.display())]
    Locked { path: PathBuf },

    #[error(
        "{}: written by a newer Tickmark (schema version {found}; this Tickmark reads up to {supported}); update Tickmark to open it",
        .path.display()
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },

    #[error("{}: not a Tickmark engagement file", .path.display())]
    NotEngagement { path: PathBuf },

    /// An encrypted engagement file opened without its passphrase, or with another one.
    #[error("{}: the engagement file is encrypted: {problem}", .path.display())]
    Encrypted { path: PathBuf, problem: KeyProblem },

    #[error("{}: no such engagement file", .path.display())]
    NoSuchFile { path: PathBuf },

    #[error("{}: a file already exists there; choose another name", .path.display())]
    AlreadyExists { path: PathBuf },

    #[error(transparent)]
    Import(#[from] ImportError),

    #[error(transparent)]
    Sampling(#[from] SamplingError),

    /// Input the auditor can correct: a missing control, a bad period, an unknown column.
    #[error("{0}")]
    Invalid(String),

    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("engagement file error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Why an encrypted engagement file could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// No passphrase was given.
    Missing,
    /// The passphrase given does not decrypt the file.
    Wrong,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyProblem::Missing => "give its passphrase (set TICKMARK_PASSPHRASE for the command line)",
            KeyProblem::Wrong => "wrong passphrase",
        })
    }
}

impl Error {
    /// A stable identifier for the UI and for scripts; the message is for people.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Locked { .. } => "locked",
            Error::NewerSchema { .. } => "newer_schema",
            Error::NotEngagement { .. } => "not_engagement",
            Error::Encrypted { .. } => "encrypted",
            Error::NoSuchFile { .. } => "no_such_file",
            Error::AlreadyExists { .. } => "already_exists",
            Error::Import(_) => "import",
            Error::Sampling(_) => "sampling",
            Error::Invalid(_) => "invalid",
            Error::Io { .. } => "io",
            Error::Sqlite(_) => "storage",
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }
}
