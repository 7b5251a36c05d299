//! Import errors: each names the file, and where it applies the line and column, and says why.

use std::fmt;

/// What went wrong, for callers that branch (the UI, tests); the message is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportErrorKind {
    Missing,
    Unreadable,
    Empty,
    HeaderOnly,
    WrongFormat,
    Damaged,
    NotText,
    NulByte,
    Encoding,
    Ragged,
    FieldTooLarge,
    RecordTooLarge,
    MissingColumn,
    NoDates,
    NoAmounts,
    MergedHeader,
    UnknownSheet,
    BadValue,
    DuplicateKey,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub kind: ImportErrorKind,
    /// The file's name as the auditor chose it.
    pub file: String,
    /// 1-based line in a text file, or row in a sheet.
    pub line: Option<u64>,
    /// 1-based column and its header name, where one is known.
    pub column: Option<(usize, String)>,
    pub reason: String,
}

impl ImportError {
    pub fn new(kind: ImportErrorKind, file: &str, reason: impl Into<String>) -> ImportError {
        ImportError { kind, file: file.to_string(), line: None, column: None, reason: reason.into() }
    }

    pub fn at_line(mut self, line: u64) -> ImportError {
        self.line = Some(line);
        self
    }

    pub fn at_column(mut self, index: usize, name: &str) -> ImportError {
        self.column = Some((index + 1, name.to_string()));
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some((n, name)) = &self.column {
            if name.is_empty() {
                write!(f, ", column {n}")?;
            } else {
                write!(f, ", column {n} ({name})")?;
            }
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ImportError {}
