//! Client populations and control matrices in: CSV/TSV in any encoding Excel writes, or xlsx;
//! column mapping; the validation report the auditor accepts before sampling.

mod error;
mod preview;
mod report;
mod scan;
mod source;
pub mod table;
pub mod values;
mod xlsx;

pub use error::{ImportError, ImportErrorKind};
pub use preview::{Preview, preview};
pub use report::{DuplicateKey, LISTING_LIMIT, LineValue, OutsidePeriod, SourceInfo, ValidationReport};
pub use scan::{DuplicateKeys, Item, scan, scan_with};
pub use table::{MAX_FIELDS, Row, SourceFormat, Table};
pub use xlsx::{LIMITS, Limits};

/// The zip checks an imported workbook gets, for other workbooks Tickmark reads.
pub(crate) fn check_xlsx_package(file: &str, f: std::fs::File) -> Result<(), ImportError> {
    xlsx::check_package(file, f, &LIMITS)
}

use std::path::Path;

use table::ReadError;

/// Which columns of the source mean what.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mapping {
    pub key: String,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub sheet: Option<String>,
    /// A chrono layout such as `%d/%m/%Y`, when the guessed one is wrong.
    pub date_format: Option<String>,
}

/// Progress of a long read, and the caller's answer: keep going or cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub bytes_read: u64,
    pub total_bytes: u64,
    pub rows: u64,
}

/// Finds a column by its header: exactly, then ignoring case and surrounding spaces.
pub fn find_column(file: &str, headers: &[String], wanted: &str, role: &str) -> Result<usize, ImportError> {
    if let Some(i) = headers.iter().position(|h| h == wanted) {
        return Ok(i);
    }
    let folded: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.trim().eq_ignore_ascii_case(wanted.trim()))
        .map(|(i, _)| i)
        .collect();
    match folded.as_slice() {
        [i] => Ok(*i),
        [] => Err(ImportError::new(
            ImportErrorKind::MissingColumn,
            file,
            format!("no column named {wanted:?} for the {role}; the columns are: {}", quote_list(headers)),
        )
        .at_line(1)),
        _ => Err(ImportError::new(
            ImportErrorKind::MissingColumn,
            file,
            format!("more than one column is named {wanted:?}; rename one in the file"),
        )
        .at_line(1)),
    }
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
}

/// Opens a source, reading it again as Windows-1252 when it turns out not to be UTF-8, and
/// runs `read` over it. `read` is called once more on a retry: it must start from scratch.
pub fn with_table<T>(
    path: &Path,
    sheet: Option<&str>,
    mut read: impl FnMut(&mut Table) -> Result<T, ReadError>,
) -> Result<T, crate::Error> {
    let mut force_1252 = false;
    loop {
        let attempt = Table::open(path, sheet, force_1252).and_then(|mut t| read(&mut t));
        match attempt {
            Ok(v) => return Ok(v),
            Err(ReadError::RetryAsWindows1252) if !force_1252 => force_1252 = true,
            Err(ReadError::RetryAsWindows1252) => {
                return Err(ImportError::new(
                    ImportErrorKind::Encoding,
                    &table::display_name(path),
                    "the text encoding cannot be determined",
                )
                .into());
            }
            Err(ReadError::Import(e)) => return Err(e.into()),
            Err(ReadError::Other(e)) => return Err(e),
        }
    }
}

pub use table::ReadError as TableReadError;
