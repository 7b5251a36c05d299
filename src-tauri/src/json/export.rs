//! Exporting the workpapers: the format the auditor picks and the files written.

use serde::{Deserialize, Serialize};
use tickmark::export::{ExportSummary, ExportedFile, Format};
use ts_rs::TS;

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ExportFormatKind <=> Format {
        Xlsx,
        /// A folder of CSV files.
        Csv,
        Html,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ExportedFileJson {
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
}

/// What an export wrote: the file, or each file of the CSV folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ExportJson {
    pub path: String,
    pub format: ExportFormatKind,
    #[ts(type = "number")]
    pub controls: u64,
    pub files: Vec<ExportedFileJson>,
}

impl ExportJson {
    pub fn new(s: ExportSummary, controls: usize) -> ExportJson {
        let ExportSummary { path, format, files } = s;
        ExportJson {
            path: path.display().to_string(),
            format: format.into(),
            controls: controls as u64,
            files: files
                .into_iter()
                .map(|f| {
                    let ExportedFile { name, bytes, sha256 } = f;
                    ExportedFileJson { name, bytes, sha256 }
                })
                .collect(),
        }
    }
}
