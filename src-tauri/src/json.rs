//! Transport types: the camelCase shapes the UI sees, converted from the engine's types. The
//! TypeScript twins under `ui/src/lib/bindings/` are generated from these by ts-rs
//! (`cargo test -p tickmark-app export_bindings`); never edit those by hand.
//!
//! Counts and ids are `u64`/`i64` here and `number` in TypeScript: a population of 2^53 items
//! is not a concern, and JSON carries them as plain numbers.

use serde::{Deserialize, Serialize};
use tickmark::engagement::{
    self, Control, ControlInput, EngagementInfo, Frequency, NewEngagement, Period, ReportType, parse_attributes,
    parse_criteria, parse_criteria_refs,
};
use tickmark::import::{self, Mapping, Preview, Progress, ValidationReport};
use tickmark::store::{PopulationItem, PopulationSummary};
use tickmark::trail::{ChainBreak, Event};
use ts_rs::TS;

use crate::error::CommandError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ReportKind {
    Soc2Type2,
    Soc1Type2,
}

impl From<ReportType> for ReportKind {
    fn from(r: ReportType) -> ReportKind {
        match r {
            ReportType::Soc2Type2 => ReportKind::Soc2Type2,
            ReportType::Soc1Type2 => ReportKind::Soc1Type2,
        }
    }
}

impl From<ReportKind> for ReportType {
    fn from(r: ReportKind) -> ReportType {
        match r {
            ReportKind::Soc2Type2 => ReportType::Soc2Type2,
            ReportKind::Soc1Type2 => ReportType::Soc1Type2,
        }
    }
}

/// How often a control operates (the engine's `Frequency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum FrequencyKind {
    Annual,
    Quarterly,
    Monthly,
    Weekly,
    Daily,
    MultipleDaily,
    EventDriven,
}

impl From<Frequency> for FrequencyKind {
    fn from(f: Frequency) -> FrequencyKind {
        match f {
            Frequency::Annual => FrequencyKind::Annual,
            Frequency::Quarterly => FrequencyKind::Quarterly,
            Frequency::Monthly => FrequencyKind::Monthly,
            Frequency::Weekly => FrequencyKind::Weekly,
            Frequency::Daily => FrequencyKind::Daily,
            Frequency::MultipleDaily => FrequencyKind::MultipleDaily,
            Frequency::EventDriven => FrequencyKind::EventDriven,
        }
    }
}

impl From<FrequencyKind> for Frequency {
    fn from(f: FrequencyKind) -> Frequency {
        match f {
            FrequencyKind::Annual => Frequency::Annual,
            FrequencyKind::Quarterly => Frequency::Quarterly,
            FrequencyKind::Monthly => Frequency::Monthly,
            FrequencyKind::Weekly => Frequency::Weekly,
            FrequencyKind::Daily => Frequency::Daily,
            FrequencyKind::MultipleDaily => Frequency::MultipleDaily,
            FrequencyKind::EventDriven => Frequency::EventDriven,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum NatureKind {
    Manual,
    Automated,
    ItDependentManual,
}

impl From<engagement::Nature> for NatureKind {
    fn from(n: engagement::Nature) -> NatureKind {
        match n {
            engagement::Nature::Manual => NatureKind::Manual,
            engagement::Nature::Automated => NatureKind::Automated,
            engagement::Nature::ItDependentManual => NatureKind::ItDependentManual,
        }
    }
}

impl From<NatureKind> for engagement::Nature {
    fn from(n: NatureKind) -> engagement::Nature {
        match n {
            NatureKind::Manual => engagement::Nature::Manual,
            NatureKind::Automated => engagement::Nature::Automated,
            NatureKind::ItDependentManual => engagement::Nature::ItDependentManual,
        }
    }
}

/// The open engagement, as the header and the engagement list show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct EngagementJson {
    pub path: String,
    pub client: String,
    pub report: ReportKind,
    /// ISO dates, both ends included.
    pub period_start: String,
    pub period_end: String,
    pub criteria: Vec<String>,
    pub firm: String,
    pub preparer: String,
    pub reviewer: String,
    pub created_at: String,
    pub created_by: String,
}

impl EngagementJson {
    pub fn new(path: &std::path::Path, e: EngagementInfo) -> EngagementJson {
        EngagementJson {
            path: path.display().to_string(),
            client: e.client,
            report: e.report.into(),
            period_start: e.period.start.to_string(),
            period_end: e.period.end.to_string(),
            criteria: e.criteria,
            firm: e.firm,
            preparer: e.preparer,
            reviewer: e.reviewer,
            created_at: e.created_at,
            created_by: e.created_by,
        }
    }
}

/// The new-engagement form. Dates are ISO (`2026-01-01`); the engine checks them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct NewEngagementJson {
    pub client: String,
    pub report: ReportKind,
    pub period_start: String,
    pub period_end: String,
    /// Trust Services Criteria categories: CC, A, C, PI, P (CC is always in scope).
    pub criteria: Vec<String>,
    pub firm: String,
    pub preparer: String,
    pub reviewer: String,
}

impl TryFrom<NewEngagementJson> for NewEngagement {
    type Error = tickmark::Error;

    fn try_from(n: NewEngagementJson) -> tickmark::Result<NewEngagement> {
        Ok(NewEngagement {
            client: n.client,
            report: n.report.into(),
            period: Period::parse(&format!("{}..{}", n.period_start.trim(), n.period_end.trim()))?,
            criteria: parse_criteria(&n.criteria.join(","))?,
            firm: n.firm.trim().to_string(),
            preparer: n.preparer.trim().to_string(),
            reviewer: n.reviewer.trim().to_string(),
        })
    }
}

/// One entry of the recent-engagements list (shell state, kept in the app's config dir).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RecentJson {
    pub path: String,
    pub client: String,
    pub period_start: String,
    pub period_end: String,
    /// RFC 3339, UTC.
    pub opened_at: String,
    /// False when the file is no longer where it was.
    #[serde(default)]
    pub exists: bool,
}

/// What the window starts on: the engagement opened at start-up (the demo on first start),
/// and the screen asked for on the command line (`--screen`, `--control`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StartJson {
    pub engagement: Option<EngagementJson>,
    pub recent: Vec<RecentJson>,
    pub screen: Option<String>,
    pub control: Option<String>,
    /// Why the start-up engagement could not be opened, shown on the engagements screen.
    pub open_error: Option<CommandError>,
    pub user: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct AttributeJson {
    pub label: String,
    pub condition: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum PopulationState {
    None,
    Imported,
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PopulationStatusJson {
    pub state: PopulationState,
    #[ts(type = "number")]
    pub item_count: u64,
    pub source_name: Option<String>,
}

impl From<Option<&PopulationSummary>> for PopulationStatusJson {
    fn from(p: Option<&PopulationSummary>) -> PopulationStatusJson {
        match p {
            None => PopulationStatusJson { state: PopulationState::None, item_count: 0, source_name: None },
            Some(p) => PopulationStatusJson {
                state: if p.accepted_at.is_some() { PopulationState::Accepted } else { PopulationState::Imported },
                item_count: p.item_count,
                source_name: Some(p.source_name.clone()),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ControlJson {
    pub code: String,
    pub description: String,
    pub criteria: Vec<String>,
    pub frequency: FrequencyKind,
    pub nature: NatureKind,
    pub owner: String,
    pub attributes: Vec<AttributeJson>,
    pub population: PopulationStatusJson,
}

impl ControlJson {
    pub fn new(c: Control, population: Option<&PopulationSummary>) -> ControlJson {
        ControlJson {
            code: c.code,
            description: c.description,
            criteria: c.criteria,
            frequency: c.frequency.into(),
            nature: c.nature.into(),
            owner: c.owner,
            attributes: c
                .attributes
                .into_iter()
                .map(|a| AttributeJson { label: a.label, condition: a.condition })
                .collect(),
            population: population.into(),
        }
    }
}

/// The add-control form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ControlInputJson {
    pub code: String,
    pub description: String,
    /// Criteria references as typed: `CC6.1; CC6.2`.
    pub criteria: String,
    pub frequency: FrequencyKind,
    pub nature: NatureKind,
    pub owner: String,
    /// One attribute per entry, `A: approved before deployment` or just the condition.
    pub attributes: Vec<String>,
}

impl TryFrom<ControlInputJson> for ControlInput {
    type Error = tickmark::Error;

    fn try_from(c: ControlInputJson) -> tickmark::Result<ControlInput> {
        Ok(ControlInput {
            code: c.code,
            description: c.description,
            criteria: parse_criteria_refs(&c.criteria),
            frequency: c.frequency.into(),
            nature: c.nature.into(),
            owner: c.owner,
            attributes: parse_attributes(&c.attributes.join(" | "))?,
        })
    }
}

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
    pub fn new(path: &str, p: Preview) -> PreviewJson {
        PreviewJson {
            path: path.to_string(),
            file: p.file,
            format: p.format.format.to_string(),
            encoding: p.format.encoding,
            delimiter: p.format.delimiter,
            sheet: p.format.sheet,
            sheets: p.sheets,
            columns: p.columns,
            rows: p.rows.into_iter().map(|(line, fields)| PreviewRowJson { line, fields }).collect(),
            guessed_key: p.guessed_key,
            guessed_date: p.guessed_date,
            guessed_amount: p.guessed_amount,
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
        ProgressJson { bytes_read: p.bytes_read, total_bytes: p.total_bytes, rows: p.rows }
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
        let lines = |v: Vec<import::LineValue>| {
            v.into_iter().map(|l| LineValueJson { line: l.line, value: l.value }).collect::<Vec<_>>()
        };
        ValidationReportJson {
            source: SourceJson {
                name: r.source.name,
                bytes: r.source.bytes,
                sha256: r.source.sha256,
                format: r.source.format,
                encoding: r.source.encoding,
                delimiter: r.source.delimiter,
                sheet: r.source.sheet,
            },
            columns: r.columns,
            key_column: r.key_column,
            date_column: r.date_column,
            amount_column: r.amount_column,
            rows_read: r.rows_read,
            rows_accepted: r.rows_accepted,
            blank_rows_skipped: r.blank_rows_skipped,
            blank_rows_lines: r.blank_rows_lines,
            blank_keys: r.blank_keys,
            blank_key_lines: r.blank_key_lines,
            duplicate_key_count: r.duplicate_key_count,
            duplicate_keys: r
                .duplicate_keys
                .into_iter()
                .map(|d| DuplicateKeyJson { key: d.key, lines: d.lines })
                .collect(),
            unparseable_date_count: r.unparseable_date_count,
            unparseable_dates: lines(r.unparseable_dates),
            date_formats_tried: r.date_formats_tried,
            date_format_used: r.date_format_used,
            outside_period_count: r.outside_period_count,
            outside_period: r
                .outside_period
                .into_iter()
                .map(|o| OutsidePeriodJson { line: o.line, key: o.key, date: o.date.to_string() })
                .collect(),
            period_start: r.period_start.to_string(),
            period_end: r.period_end.to_string(),
            unparseable_amount_count: r.unparseable_amount_count,
            unparseable_amounts: lines(r.unparseable_amounts),
            amount_total: r.amount_total,
            min_date: r.min_date.map(|d| d.to_string()),
            max_date: r.max_date.map(|d| d.to_string()),
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
}

impl From<PopulationSummary> for PopulationJson {
    fn from(p: PopulationSummary) -> PopulationJson {
        PopulationJson {
            id: p.id,
            control: p.control,
            origin: p.origin,
            source_name: p.source_name,
            source_sha256: p.source_sha256,
            item_count: p.item_count,
            imported_at: p.imported_at,
            imported_by: p.imported_by,
            accepted_at: p.accepted_at,
            accepted_by: p.accepted_by,
            report: p.report.into(),
        }
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
        PopulationItemJson {
            position: i.position,
            source_row: i.source_row,
            key: i.key,
            date: i.date.map(|d| d.to_string()),
            amount: i.amount,
            fields: i.fields,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct EventJson {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The control the event is about, when it names one.
    pub control: Option<String>,
    /// The event's payload as compact JSON, for the detail line.
    pub payload: String,
    pub hash: String,
}

impl From<Event> for EventJson {
    fn from(e: Event) -> EventJson {
        EventJson {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            control: e.payload.get("control").and_then(|c| c.as_str()).map(String::from),
            payload: e.payload.to_string(),
            hash: e.hash,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ChainBreakJson {
    #[ts(type = "number")]
    pub seq: i64,
    pub reason: String,
}

impl From<ChainBreak> for ChainBreakJson {
    fn from(b: ChainBreak) -> ChainBreakJson {
        ChainBreakJson { seq: b.seq, reason: b.reason }
    }
}

/// The audit trail, oldest first, and whether its hash chain holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TrailJson {
    pub events: Vec<EventJson>,
    pub chain_break: Option<ChainBreakJson>,
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
    pub paths: Vec<String>,
}
