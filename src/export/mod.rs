//! The workpaper export: what leaves the auditor's laptop for the audit firm, as an xlsx
//! workbook, a folder of CSV files or one printable HTML page, rendered from a [`Workpaper`].
//!
//! Every writer is a pure function of the workpaper (the export time is in it), so the same
//! engagement always gives the same bytes. The three formats show the same tables (`sheets`);
//! text a client or an auditor typed is escaped where it could otherwise run (`escape`); and
//! nothing is written at the destination until the whole export is rendered (`output`).

mod csv_folder;
mod escape;
pub mod head;
mod html;
mod output;
pub mod requests;
pub mod section4;
mod sheets;
mod xlsx;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Error;
use crate::engagement::workpaper::Workpaper;

pub use escape::escape_csv_text;
use output::Rendered;

/// Writes one file the way exports are written: complete under a fresh temporary name in the
/// destination's folder, then renamed into place; an existing file only with `force`. Evidence
/// written back out of the engagement goes through here too.
pub(crate) fn place_file(bytes: Vec<u8>, out: &Path, force: bool) -> Result<(), Error> {
    output::place(&Rendered::File(bytes), out, force)
}

/// Writes a private file (0600) the same way: `fill` writes the temporary file at the path it
/// is given. The engagement's backup goes through here.
pub(crate) fn place_private(
    out: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    output::place_private(out, force, fill)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    /// A folder of CSV files.
    Csv,
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Format, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            "html" => Ok(Format::Html),
            _ => Err(Error::invalid(format!("unknown export format {s:?}: expected xlsx, csv or html"))),
        }
    }
}

/// What was written, so the auditor (and the audit trail) can cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub format: Format,
    /// The file written, or each file of the CSV folder, in the folder's order.
    pub files: Vec<ExportedFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

impl ExportedFile {
    fn new(name: &str, bytes: &[u8]) -> ExportedFile {
        ExportedFile {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: crate::trail::hex(&Sha256::digest(bytes)),
        }
    }
}

/// Exports `workpaper` as `format` to `out` (a file for xlsx and html, a folder for csv).
///
/// Refused, with nothing written: a workpaper with no control, an export time that is not
/// RFC 3339, a folder that does not exist or cannot be written, and an existing file or folder
/// at `out` unless `force` (which still never replaces a folder of other files).
pub fn export(workpaper: &Workpaper, format: Format, out: &Path, force: bool) -> Result<ExportSummary, Error> {
    let rendered = render(workpaper, format)?;
    output::place(&rendered, out, force)?;
    let files = match &rendered {
        Rendered::File(bytes) => {
            let name = out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            vec![ExportedFile::new(&name, bytes)]
        }
        Rendered::Folder(files) => files.iter().map(|(name, bytes)| ExportedFile::new(name, bytes)).collect(),
    };
    Ok(ExportSummary { path: out.to_path_buf(), format, files })
}

/// The export's bytes, in memory: everything that can fail about the content fails here,
/// before anything is written.
fn render(workpaper: &Workpaper, format: Format) -> Result<Rendered, Error> {
    if workpaper.controls.is_empty() {
        return Err(Error::invalid("the workpaper has no controls, so there is nothing to export"));
    }
    let exported_at = export_time(&workpaper.exported_at)?;
    let sheets = sheets::sheets(workpaper);
    Ok(match format {
        Format::Xlsx => Rendered::File(xlsx::workbook(workpaper, &sheets, exported_at)?),
        Format::Csv => Rendered::Folder(csv_folder::files(&sheets)?),
        Format::Html => Rendered::File(html::page(workpaper, &sheets).into_bytes()),
    })
}

/// The export time in UTC. It is the one input that differs between two exports of the same
/// engagement, and the xlsx file records it as its creation time.
fn export_time(text: &str) -> Result<NaiveDateTime, Error> {
    DateTime::parse_from_rfc3339(text).map(|t| t.naive_utc()).map_err(|_| {
        Error::invalid(format!("the export time {text:?} is not a date and time such as 2026-11-23T10:00:00Z"))
    })
}
