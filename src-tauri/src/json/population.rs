//! Importing a population (preview, mapping, progress, the validation report), the accepted
//! population with its exclusions and items, and files dropped on the window.

use serde::{Deserialize, Serialize};
use tickmark::import::{
    self, DuplicateKey, LineValue, Mapping, OutsidePeriod, Preview, Progress, SourceFormat, SourceInfo,
    ValidationReport,
};
use tickmark::store::{Exclusion, PopulationItem, PopulationSummary};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PreviewRowJson {
    #[ts(type = "number")]
    pub line: u64,
    pub fields: Vec<String>,
}

/// A source's first rows and the guessed mapping, for the column-mapping form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PreviewJson {
    /// The handle the preview was made from: the import reads the same file.
    pub handle: String,
    pub path: String,
    pub file: String,
    /// `csv` or `xlsx`.
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    /// The sheet read (xlsx), and all sheets in workbook order.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRowJson>,
    pub guessed_key: Option<String>,
    pub guessed_date: Option<String>,
    pub guessed_amount: Option<String>,
}

impl PreviewJson {
    pub fn new(handle: String, path: &str, p: Preview) -> PreviewJson {
        let Preview { file, format, sheets, columns, rows, guessed_key, guessed_date, guessed_amount } = p;
        let SourceFormat { format, encoding, delimiter, sheet } = format;
        PreviewJson {
            handle,
            path: path.to_string(),
            file,
            format: format.to_string(),
            encoding,
            delimiter,
            sheet,
            sheets,
            columns,
            rows: rows.into_iter().map(|(line, fields)| PreviewRowJson { line, fields }).collect(),
            guessed_key,
            guessed_date,
            guessed_amount,
        }
    }
}

/// The column mapping the auditor chose.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct MappingJson {
    pub key: String,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub sheet: Option<String>,
    /// A chrono layout such as `%d/%m/%Y`, when the guessed one is wrong.
    pub date_format: Option<String>,
}

impl From<MappingJson> for Mapping {
    fn from(m: MappingJson) -> Mapping {
        let some = |o: Option<String>| o.filter(|s| !s.trim().is_empty());
        Mapping {
            key: m.key,
            date: some(m.date),
            amount: some(m.amount),
            sheet: some(m.sheet),
            date_format: some(m.date_format),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ProgressJson {
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub rows: u64,
}

impl From<Progress> for ProgressJson {
    fn from(p: Progress) -> ProgressJson {
        let Progress { bytes_read, total_bytes, rows } = p;
        ProgressJson { bytes_read, total_bytes, rows }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SourceJson {
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct DuplicateKeyJson {
    pub key: String,
    #[ts(type = "number[]")]
    pub lines: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct LineValueJson {
    #[ts(type = "number")]
    pub line: u64,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct OutsidePeriodJson {
    #[ts(type = "number")]
    pub line: u64,
    pub key: String,
    pub date: String,
}

/// The validation report the auditor reads before accepting. Counts are complete; the
/// listings stop at `listingLimit` entries each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ValidationReportJson {
    pub source: SourceJson,
    pub columns: Vec<String>,
    pub key_column: String,
    pub date_column: Option<String>,
    pub amount_column: Option<String>,
    #[ts(type = "number")]
    pub rows_read: u64,
    #[ts(type = "number")]
    pub rows_accepted: u64,
    #[ts(type = "number")]
    pub blank_rows_skipped: u64,
    #[ts(type = "number[]")]
    pub blank_rows_lines: Vec<u64>,
    #[ts(type = "number")]
    pub blank_keys: u64,
    #[ts(type = "number[]")]
    pub blank_key_lines: Vec<u64>,
    #[ts(type = "number")]
    pub duplicate_key_count: u64,
    pub duplicate_keys: Vec<DuplicateKeyJson>,
    #[ts(type = "number")]
    pub unparseable_date_count: u64,
    pub unparseable_dates: Vec<LineValueJson>,
    pub date_formats_tried: Vec<String>,
    pub date_format_used: Option<String>,
    #[ts(type = "number")]
    pub outside_period_count: u64,
    pub outside_period: Vec<OutsidePeriodJson>,
    pub period_start: String,
    pub period_end: String,
    #[ts(type = "number")]
    pub unparseable_amount_count: u64,
    pub unparseable_amounts: Vec<LineValueJson>,
    /// Exact decimal string; never parsed into a float for display.
    pub amount_total: Option<String>,
    pub min_date: Option<String>,
    pub max_date: Option<String>,
    #[ts(type = "number")]
    pub listing_limit: u64,
}

impl From<ValidationReport> for ValidationReportJson {
    fn from(r: ValidationReport) -> ValidationReportJson {
        let ValidationReport {
            source,
            columns,
            key_column,
            date_column,
            amount_column,
            rows_read,
            rows_accepted,
            blank_rows_skipped,
            blank_rows_lines,
            blank_keys,
            blank_key_lines,
            duplicate_key_count,
            duplicate_keys,
            unparseable_date_count,
            unparseable_dates,
            date_formats_tried,
            date_format_used,
            outside_period_count,
            outside_period,
            period_start,
            period_end,
            unparseable_amount_count,
            unparseable_amounts,
            amount_total,
            min_date,
            max_date,
        } = r;
        let lines = |v: Vec<LineValue>| {
            v.into_iter()
                .map(|l| {
                    let LineValue { line, value } = l;
                    LineValueJson { line, value }
                })
                .collect::<Vec<_>>()
        };
        let SourceInfo { name, bytes, sha256, format, encoding, delimiter, sheet } = source;
        ValidationReportJson {
            source: SourceJson { name, bytes, sha256, format, encoding, delimiter, sheet },
            columns,
            key_column,
            date_column,
            amount_column,
            rows_read,
            rows_accepted,
            blank_rows_skipped,
            blank_rows_lines,
            blank_keys,
            blank_key_lines,
            duplicate_key_count,
            duplicate_keys: duplicate_keys
                .into_iter()
                .map(|d| {
                    let DuplicateKey { key, lines } = d;
                    DuplicateKeyJson { key, lines }
                })
                .collect(),
            unparseable_date_count,
            unparseable_dates: lines(unparseable_dates),
            date_formats_tried,
            date_format_used,
            outside_period_count,
            outside_period: outside_period
                .into_iter()
                .map(|o| {
                    let OutsidePeriod { line, key, date } = o;
                    OutsidePeriodJson { line, key, date: date.to_string() }
                })
                .collect(),
            period_start: period_start.to_string(),
            period_end: period_end.to_string(),
            unparseable_amount_count,
            unparseable_amounts: lines(unparseable_amounts),
            amount_total,
            min_date: min_date.map(|d| d.to_string()),
            max_date: max_date.map(|d| d.to_string()),
            listing_limit: import::LISTING_LIMIT as u64,
        }
    }
}

/// A control's current population and its acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PopulationJson {
    #[ts(type = "number")]
    pub id: i64,
    pub control: String,
    /// `file` or `generated`.
    pub origin: String,
    pub source_name: String,
    pub source_sha256: Option<String>,
    #[ts(type = "number")]
    pub item_count: u64,
    pub imported_at: String,
    pub imported_by: String,
    pub accepted_at: Option<String>,
    pub accepted_by: Option<String>,
    pub report: ValidationReportJson,
    /// The rules scoping the sampling frame, in the order recorded.
    pub exclusions: Vec<ExclusionJson>,
    /// Items in the frame: accepted rows less the excluded ones (N for sampling).
    #[ts(type = "number")]
    pub frame_size: u64,
}

impl From<PopulationSummary> for PopulationJson {
    fn from(p: PopulationSummary) -> PopulationJson {
        let PopulationSummary {
            id,
            control,
            origin,
            source_name,
            source_sha256,
            item_count,
            imported_at,
            imported_by,
            accepted_at,
            accepted_by,
            report,
            exclusions,
            frame_size,
        } = p;
        PopulationJson {
            id,
            control,
            origin,
            source_name,
            source_sha256,
            item_count,
            imported_at,
            imported_by,
            accepted_at,
            accepted_by,
            report: report.into(),
            exclusions: exclusions.into_iter().map(Into::into).collect(),
            frame_size,
        }
    }
}

/// One exclusion rule on a population's frame, with what it removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ExclusionJson {
    #[ts(type = "number")]
    pub id: i64,
    /// As typed: `outside-period`, `column:Status=Cancelled`, `lines:12,40-42`.
    pub rule: String,
    pub reason: String,
    #[ts(type = "number")]
    pub rows_removed: u64,
    /// Source lines of the rows removed.
    #[ts(type = "number[]")]
    pub lines: Vec<u64>,
    pub excluded_by: String,
    pub excluded_at: String,
}

impl From<Exclusion> for ExclusionJson {
    fn from(e: Exclusion) -> ExclusionJson {
        let Exclusion { id, rule, reason, rows_removed, lines, excluded_by, excluded_at } = e;
        ExclusionJson { id, rule: rule.to_string(), reason, rows_removed, lines, excluded_by, excluded_at }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PopulationItemJson {
    /// 1..N in file order: what samples cite.
    #[ts(type = "number")]
    pub position: u64,
    /// The line (text) or row (sheet) in the client's file.
    #[ts(type = "number")]
    pub source_row: u64,
    pub key: String,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub fields: Vec<String>,
}

impl From<PopulationItem> for PopulationItemJson {
    fn from(i: PopulationItem) -> PopulationItemJson {
        let PopulationItem { position, source_row, key, date, amount, fields } = i;
        PopulationItemJson { position, source_row, key, date: date.map(|d| d.to_string()), amount, fields }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum DropPhase {
    Enter,
    Leave,
    Drop,
}

/// A file dragged onto the window (`enter`), away again (`leave`, no paths) or dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct DropJson {
    pub phase: DropPhase,
    /// The files dropped, each with this run's handle (none on `enter` and `leave`).
    pub files: Vec<crate::files::FileHandleJson>,
    /// How many files are being dragged or were dropped.
    #[ts(type = "number")]
    pub count: u64,
}
