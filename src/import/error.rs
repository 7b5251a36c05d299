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
    /// A record with more fields than Excel has columns.
    TooManyFields,
    /// A workbook past a cap: its declared size, cells, shared strings or compression ratio.
    TooLarge,
    /// A pipe, device, socket or folder where a file was expected.
    NotAFile,
    /// The file's size or modification time changed while it was read.
    Changed,
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

/// `text` with control characters (tab and newline too: a message is one line) and bidirectional
/// overrides written as `\u{1b}`, so a hostile cell or name quoted in a message cannot drive
/// the terminal or reorder what the auditor reads. Ordinary text comes back unchanged.
pub fn shown(text: &str) -> String {
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shown(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some((n, name)) = &self.column {
            if name.is_empty() {
                write!(f, ", column {n}")?;
            } else {
                write!(f, ", column {n} ({})", shown(name))?;
            }
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ImportError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_control_characters_escaped_and_ordinary_text_as_is() {
        assert_eq!(shown("Summary"), "Summary");
        assert_eq!(shown("Zoë\tx"), "Zoë\\u{9}x");
        assert_eq!(shown("\u{1b}[2Jgone"), "\\u{1b}[2Jgone");
        assert_eq!(shown("a\u{202E}b\r\n"), "a\\u{202e}b\\u{d}\\u{a}");
        let e = ImportError::new(ImportErrorKind::BadValue, "x\u{7}.csv", "bad").at_line(2).at_column(0, "k\u{1b}");
        assert_eq!(e.to_string(), "x\\u{7}.csv, line 2, column 1 (k\\u{1b}): bad");
    }
}
