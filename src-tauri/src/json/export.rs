//! Exporting the workpapers: the format the auditor picks and the files written.

use serde::{Deserialize, Serialize};
use tickmark::export::section4::ExportSummary as Section4Summary;
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

/// What a Section 4 export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct Section4Json {
    pub path: String,
    /// Marked DRAFT on every page.
    pub draft: bool,
    /// Criterion groups (CC1, CC2 … A1 …) and criteria printed.
    #[ts(type = "number")]
    pub groups: u64,
    #[ts(type = "number")]
    pub criteria: u64,
    /// Controls printed (each once, however many criteria it repeats under).
    #[ts(type = "number")]
    pub controls: u64,
    pub file: ExportedFileJson,
}

impl From<Section4Summary> for Section4Json {
    fn from(s: Section4Summary) -> Section4Json {
        let Section4Summary { path, format: _, draft, groups, criteria, controls, file } = s;
        let ExportedFile { name, bytes, sha256 } = file;
        Section4Json {
            path: path.display().to_string(),
            draft,
            groups: groups as u64,
            criteria: criteria as u64,
            controls: controls as u64,
            file: ExportedFileJson { name, bytes, sha256 },
        }
    }
}
