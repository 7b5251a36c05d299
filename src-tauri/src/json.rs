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

impl From<tickmark::store::Exclusion> for ExclusionJson {
    fn from(e: tickmark::store::Exclusion) -> ExclusionJson {
        let tickmark::store::Exclusion { id, rule, reason, rows_removed, lines, excluded_by, excluded_at } = e;
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

// ---- Fieldwork: sampling, testing, conclusion, interviews, export (issue 6) ----

use tickmark::engagement::evaluation::{Approach, Planning, Proposal, ProposalKind, StratumTally};
use tickmark::engagement::fieldwork::{
    ConclusionKind, Evidence, EvidenceKind, ExceptionInput, ExceptionRecord, Interview, NoteStatus, Outcome,
    ReviewNote, SignOff, SignOffRole, TestResult,
};
use tickmark::engagement::workpaper::ControlEvaluation;
use tickmark::export::{ExportSummary, Format};
use tickmark::sampling::Rate;
use tickmark::sampling::{Method, Plan, Risk};
use tickmark::store::{Sample, SampleCheck, SampleItem, Void};

/// One row of the engagement's frequency table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FrequencyRowJson {
    pub frequency: FrequencyKind,
    #[ts(type = "number")]
    pub lower: u64,
    #[ts(type = "number")]
    pub higher: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum RiskKind {
    Lower,
    Higher,
}

impl From<RiskKind> for Risk {
    fn from(r: RiskKind) -> Risk {
        match r {
            RiskKind::Lower => Risk::Lower,
            RiskKind::Higher => Risk::Higher,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum DistributionKind {
    Binomial,
    Poisson,
    Hypergeometric,
}

impl DistributionKind {
    pub fn name(self) -> &'static str {
        match self {
            DistributionKind::Binomial => "binomial",
            DistributionKind::Poisson => "poisson",
            DistributionKind::Hypergeometric => "hypergeometric",
        }
    }
}

/// A planned sample size, or why there is none (`sampleSize` null, `shortfall` says why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PlanJson {
    #[ts(type = "number | null")]
    pub sample_size: Option<u64>,
    #[ts(type = "number")]
    pub allowed_deviations: u64,
    pub distribution: Option<String>,
    pub impractical: bool,
    /// The sentence for the workpaper; the draw's basis is prefilled with it.
    pub basis: String,
    pub shortfall: Option<String>,
}

impl From<Plan> for PlanJson {
    fn from(p: Plan) -> PlanJson {
        PlanJson {
            shortfall: p.required_size().err().map(|e| e.to_string()),
            sample_size: p.sample_size,
            allowed_deviations: p.allowed_deviations,
            distribution: p.distribution.map(|d| d.name().to_string()),
            impractical: p.impractical,
            basis: p.basis,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum MethodKind {
    Random,
    Systematic,
    Stratified,
}

impl From<Method> for MethodKind {
    fn from(m: Method) -> MethodKind {
        match m {
            Method::Random => MethodKind::Random,
            Method::Systematic => MethodKind::Systematic,
            Method::Stratified => MethodKind::Stratified,
        }
    }
}

impl From<MethodKind> for Method {
    fn from(m: MethodKind) -> Method {
        match m {
            MethodKind::Random => Method::Random,
            MethodKind::Systematic => Method::Systematic,
            MethodKind::Stratified => Method::Stratified,
        }
    }
}

/// How the auditor planned the size, as the draw form sends it. Rates are as typed (`0.95`,
/// `95%`); the engine parses them exactly.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum PlanningJson {
    Statistical { confidence: String, tolerable_rate: String, expected_rate: String, distribution: DistributionKind },
    FirmTable { frequency: FrequencyKind, risk: RiskKind },
    Judgemental { reason: String },
    TestOfOne { rationale: String },
}

impl TryFrom<PlanningJson> for Planning {
    type Error = tickmark::Error;

    fn try_from(p: PlanningJson) -> Result<Planning, tickmark::Error> {
        Ok(match p {
            PlanningJson::Statistical { confidence, tolerable_rate, expected_rate, distribution } => {
                Planning::Statistical {
                    confidence: Rate::confidence(&confidence)?,
                    tolerable: Rate::tolerable(&tolerable_rate)?,
                    expected: Rate::expected(if expected_rate.trim().is_empty() { "0" } else { &expected_rate })?,
                    distribution: distribution.name().to_string(),
                }
            }
            PlanningJson::FirmTable { frequency, risk } => {
                Planning::FirmTable { frequency: frequency.into(), risk: risk.into() }
            }
            PlanningJson::Judgemental { reason } => Planning::Judgemental { reason },
            PlanningJson::TestOfOne { rationale } => Planning::TestOfOne { rationale },
        })
    }
}

/// The draw form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SampleRequestJson {
    pub method: MethodKind,
    /// Null takes the plan's size.
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    /// As shown and possibly edited; kept exactly as typed (no trimming).
    pub seed: String,
    /// `quarter`, `month` or `column:NAME`, with method stratified only.
    pub strata: Option<String>,
    /// The auditor's words for the size; empty records the plan's sentence.
    pub basis: String,
    /// Needed to draw again when the control already has a sample.
    pub replace_reason: Option<String>,
    pub planning: PlanningJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ApproachKind {
    Statistical,
    FirmTable,
    Judgemental,
    TestOfOne,
}

/// How a sample was planned, as recorded with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ApproachJson {
    pub kind: ApproachKind,
    /// The workpaper's sentence.
    pub words: String,
    #[ts(type = "number | null")]
    pub planned_size: Option<u64>,
    /// Statistical samples only.
    pub confidence: Option<String>,
    pub tolerable_rate: Option<String>,
}

impl From<Approach> for ApproachJson {
    fn from(a: Approach) -> ApproachJson {
        let words = a.words();
        let planned_size = a.planned_size();
        let (kind, confidence, tolerable_rate) = match a {
            Approach::Statistical { confidence, tolerable_rate, .. } => {
                (ApproachKind::Statistical, Some(confidence), Some(tolerable_rate))
            }
            Approach::FirmTable { .. } => (ApproachKind::FirmTable, None, None),
            Approach::Judgemental { .. } => (ApproachKind::Judgemental, None, None),
            Approach::TestOfOne { .. } => (ApproachKind::TestOfOne, None, None),
        };
        ApproachJson { kind, words, planned_size, confidence, tolerable_rate }
    }
}

/// Why an item was set aside and which item replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct VoidJson {
    pub reason: String,
    pub voided_by: String,
    pub voided_at: String,
    #[ts(type = "number")]
    pub replacement: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SampleItemJson {
    #[ts(type = "number")]
    pub ordinal: u64,
    /// Position in the sampling frame (1..N after exclusions).
    #[ts(type = "number")]
    pub position: u64,
    #[ts(type = "number")]
    pub source_row: u64,
    pub key: String,
    pub date: Option<String>,
    pub stratum: Option<String>,
    /// Every imported column's value, in the order of the sample's `columns`.
    pub fields: Vec<String>,
    /// The voided item this one replaces.
    #[ts(type = "number | null")]
    pub replaces: Option<u64>,
    pub void: Option<VoidJson>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StratumJson {
    pub label: String,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number")]
    pub selected: u64,
}

/// An earlier draw that was replaced: it stays on record and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ReplacedDrawJson {
    #[ts(type = "number")]
    pub draw_number: u64,
    pub method: MethodKind,
    #[ts(type = "number")]
    pub size: u64,
    pub seed: String,
    pub drawn_at: String,
    pub drawn_by: String,
    pub replaced_at: Option<String>,
    pub replaced_by: Option<String>,
    pub replaced_reason: Option<String>,
}

/// The control's current sample and every draw it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SampleJson {
    pub control: String,
    #[ts(type = "number")]
    pub draw_number: u64,
    /// Every draw for this control so far, replaced ones included.
    #[ts(type = "number")]
    pub draws: u64,
    pub spec: String,
    pub method: MethodKind,
    pub seed: String,
    pub seed_proposed: bool,
    #[ts(type = "number")]
    pub population_size: u64,
    pub population_name: String,
    pub population_sha256: Option<String>,
    pub strata_by: Option<String>,
    pub strata: Vec<StratumJson>,
    #[ts(type = "number")]
    pub initial_size: u64,
    #[ts(type = "number")]
    pub size: u64,
    pub basis: String,
    pub drawn_at: String,
    pub drawn_by: String,
    pub approach: ApproachJson,
    /// Set when the size falls short of the plan.
    pub warning: Option<String>,
    /// The exclusion rules the frame was scoped by, with their reasons.
    pub exclusions: Vec<String>,
    /// The population's column names, for the items' fields.
    pub columns: Vec<String>,
    pub items: Vec<SampleItemJson>,
    pub replaced: Vec<ReplacedDrawJson>,
}

impl SampleJson {
    pub fn new(s: Sample, history: Vec<Sample>) -> SampleJson {
        let Sample {
            id: _,
            control,
            draw_number,
            draws,
            spec,
            method,
            seed,
            seed_proposed,
            population_id: _,
            population_size,
            population_name,
            population_sha256,
            filters,
            strata_by,
            strata,
            initial_size,
            size,
            basis,
            drawn_at,
            drawn_by,
            replaced_at: _,
            replaced_by: _,
            replaced_reason: _,
            confidence: _,
            tolerable_rate: _,
            approach,
            warning,
            columns,
            items,
        } = s;
        SampleJson {
            control,
            draw_number,
            draws,
            spec,
            method: method.into(),
            seed,
            seed_proposed,
            population_size,
            population_name,
            population_sha256,
            strata_by: strata_by.map(|b| b.to_string()),
            strata: strata
                .into_iter()
                .map(|st| StratumJson { label: st.label, size: st.size, selected: st.selected })
                .collect(),
            initial_size,
            size,
            basis,
            drawn_at,
            drawn_by,
            approach: approach.into(),
            warning,
            exclusions: filters.exclusions.into_iter().map(|e| e.summary()).collect(),
            columns,
            items: items.into_iter().map(Into::into).collect(),
            replaced: history
                .into_iter()
                .filter(|h| h.replaced_at.is_some())
                .map(|h| ReplacedDrawJson {
                    draw_number: h.draw_number,
                    method: h.method.into(),
                    size: h.size,
                    seed: h.seed,
                    drawn_at: h.drawn_at,
                    drawn_by: h.drawn_by,
                    replaced_at: h.replaced_at,
                    replaced_by: h.replaced_by,
                    replaced_reason: h.replaced_reason,
                })
                .collect(),
        }
    }
}

impl From<SampleItem> for SampleItemJson {
    fn from(i: SampleItem) -> SampleItemJson {
        let SampleItem {
            ordinal,
            position,
            row_position: _,
            source_row,
            key,
            date,
            stratum,
            added_at: _,
            fields,
            replaces,
            void,
        } = i;
        SampleItemJson {
            ordinal,
            position,
            source_row,
            key,
            date: date.map(|d| d.to_string()),
            stratum,
            fields,
            replaces,
            void: void.map(|v| {
                let Void { reason, voided_by, voided_at, replacement } = v;
                VoidJson { reason, voided_by, voided_at, replacement }
            }),
        }
    }
}

/// The outcome of re-performing one stored draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SampleCheckJson {
    #[ts(type = "number")]
    pub draw_number: u64,
    pub method: MethodKind,
    #[ts(type = "number")]
    pub size: u64,
    pub matches: bool,
    pub differences: Vec<String>,
}

impl From<SampleCheck> for SampleCheckJson {
    fn from(c: SampleCheck) -> SampleCheckJson {
        SampleCheckJson {
            draw_number: c.draw_number,
            method: c.method.into(),
            size: c.size,
            matches: c.matches,
            differences: c.differences,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum OutcomeKind {
    Pass,
    Exception,
    Na,
}

impl From<Outcome> for OutcomeKind {
    fn from(o: Outcome) -> OutcomeKind {
        match o {
            Outcome::Pass => OutcomeKind::Pass,
            Outcome::Exception => OutcomeKind::Exception,
            Outcome::NotApplicable => OutcomeKind::Na,
        }
    }
}

impl From<OutcomeKind> for Outcome {
    fn from(o: OutcomeKind) -> Outcome {
        match o {
            OutcomeKind::Pass => Outcome::Pass,
            OutcomeKind::Exception => Outcome::Exception,
            OutcomeKind::Na => Outcome::NotApplicable,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ResultJson {
    #[ts(type = "number")]
    pub ordinal: u64,
    pub attribute: String,
    pub outcome: OutcomeKind,
    pub comment: String,
    pub tested_by: String,
    pub tested_at: String,
}

impl From<TestResult> for ResultJson {
    fn from(r: TestResult) -> ResultJson {
        ResultJson {
            ordinal: r.ordinal,
            attribute: r.attribute,
            outcome: r.outcome.into(),
            comment: r.comment,
            tested_by: r.tested_by,
            tested_at: r.tested_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ExceptionInputJson {
    pub narrative: String,
    pub cause: String,
    /// Null until the auditor has judged it.
    pub isolated: Option<bool>,
    pub management_response: String,
}

impl From<ExceptionInputJson> for ExceptionInput {
    fn from(e: ExceptionInputJson) -> ExceptionInput {
        ExceptionInput {
            narrative: e.narrative,
            cause: e.cause,
            isolated: e.isolated,
            management_response: e.management_response,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ExceptionJson {
    #[ts(type = "number")]
    pub ordinal: u64,
    pub key: String,
    pub narrative: String,
    pub cause: String,
    pub isolated: Option<bool>,
    pub management_response: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<ExceptionRecord> for ExceptionJson {
    fn from(e: ExceptionRecord) -> ExceptionJson {
        ExceptionJson {
            ordinal: e.ordinal,
            key: e.key,
            narrative: e.narrative,
            cause: e.cause,
            isolated: e.isolated,
            management_response: e.management_response,
            recorded_by: e.recorded_by,
            recorded_at: e.recorded_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct EvidenceJson {
    #[ts(type = "number")]
    pub id: i64,
    pub control: String,
    /// The sample item it supports; null for evidence of the control as a whole.
    #[ts(type = "number | null")]
    pub ordinal: Option<u64>,
    /// `file` (stored in the engagement) or `reference`.
    pub kind: String,
    pub name: String,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

impl From<Evidence> for EvidenceJson {
    fn from(e: Evidence) -> EvidenceJson {
        EvidenceJson {
            id: e.id,
            control: e.control,
            ordinal: e.ordinal,
            kind: if e.kind == EvidenceKind::File { "file" } else { "reference" }.to_string(),
            name: e.name,
            size: e.size,
            sha256: e.sha256,
            added_by: e.added_by,
            added_at: e.added_at,
        }
    }
}

/// Everything recorded while testing a control's current sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TestingJson {
    pub results: Vec<ResultJson>,
    pub exceptions: Vec<ExceptionJson>,
    pub evidence: Vec<EvidenceJson>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ConclusionKindJson {
    NoExceptionsNoted,
    ExceptionsNoted,
    NotEffective,
}

impl From<ConclusionKind> for ConclusionKindJson {
    fn from(c: ConclusionKind) -> ConclusionKindJson {
        match c {
            ConclusionKind::NoExceptionsNoted => ConclusionKindJson::NoExceptionsNoted,
            ConclusionKind::ExceptionsNoted => ConclusionKindJson::ExceptionsNoted,
            ConclusionKind::NotEffective => ConclusionKindJson::NotEffective,
        }
    }
}

impl From<ConclusionKindJson> for ConclusionKind {
    fn from(c: ConclusionKindJson) -> ConclusionKind {
        match c {
            ConclusionKindJson::NoExceptionsNoted => ConclusionKind::NoExceptionsNoted,
            ConclusionKindJson::ExceptionsNoted => ConclusionKind::ExceptionsNoted,
            ConclusionKindJson::NotEffective => ConclusionKind::NotEffective,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ProposalKindJson {
    NoExceptionsNoted,
    ExceptionsNoted,
    NotEffective,
    /// The sample cannot support the planned reliance as it is: extend it or re-plan.
    SampleTooSmall,
}

impl From<ProposalKind> for ProposalKindJson {
    fn from(p: ProposalKind) -> ProposalKindJson {
        match p {
            ProposalKind::NoExceptionsNoted => ProposalKindJson::NoExceptionsNoted,
            ProposalKind::ExceptionsNoted => ProposalKindJson::ExceptionsNoted,
            ProposalKind::NotEffective => ProposalKindJson::NotEffective,
            ProposalKind::SampleTooSmall => ProposalKindJson::SampleTooSmall,
        }
    }
}

/// What the evaluation proposes, in the engine's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ProposalJson {
    pub kind: ProposalKindJson,
    /// As the workpaper states it: "No exceptions noted", "Sample too small for the planned reliance".
    pub words: String,
    /// With sample-too-small: the listed size to extend to; null to re-plan.
    #[ts(type = "number | null")]
    pub extend_to: Option<u64>,
    /// Why, citing the figures.
    pub reason: String,
}

/// Deviations in one stratum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StratumTallyJson {
    pub label: String,
    #[ts(type = "number")]
    pub tested: u64,
    #[ts(type = "number")]
    pub deviations: u64,
}

/// The tested sample evaluated the way it was planned: "k of n" always; the upper deviation
/// limit only for a statistical sample; the proposal, and what stops a conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct EvaluationJson {
    pub approach: ApproachJson,
    #[ts(type = "number")]
    pub listed_items: u64,
    #[ts(type = "number")]
    pub voided_items: u64,
    /// n: items tested (voided items and items with every attribute N/A are not).
    #[ts(type = "number")]
    pub tested_items: u64,
    #[ts(type = "number")]
    pub untested_items: u64,
    #[ts(type = "number[]")]
    pub all_na_items: Vec<u64>,
    #[ts(type = "number")]
    pub deviations: u64,
    /// k / n; null for a test of one and before any item is tested.
    pub deviation_rate: Option<f64>,
    /// Statistical samples only, rounded up to 0.1% as the AICPA tables print it: `4.6%`.
    pub upper_deviation_limit: Option<String>,
    pub exceeds_tolerable: Option<bool>,
    pub strata: Vec<StratumTallyJson>,
    pub proposal: Option<ProposalJson>,
    /// What stops a conclusion, naming the items; null when the auditor can conclude.
    pub blocker: Option<String>,
}

impl EvaluationJson {
    pub fn new(e: ControlEvaluation, control: &str) -> EvaluationJson {
        let blocker = e.blocker(control);
        let ControlEvaluation {
            approach,
            listed_items,
            voided_items,
            tested_items,
            untested_items,
            all_na_items,
            deviations,
            deviation_rate,
            statistical,
            strata,
            proposal,
        } = e;
        EvaluationJson {
            approach: approach.into(),
            listed_items,
            voided_items,
            tested_items,
            untested_items,
            all_na_items,
            deviations,
            deviation_rate,
            upper_deviation_limit: statistical.as_ref().map(|s| s.upper_deviation_limit_display.to_string()),
            exceeds_tolerable: statistical.and_then(|s| s.exceeds_tolerable),
            strata: strata
                .into_iter()
                .map(|t| {
                    let StratumTally { label, tested, deviations } = t;
                    StratumTallyJson { label, tested, deviations }
                })
                .collect(),
            proposal: proposal.map(|p| {
                let Proposal { kind, extend_to, reason } = p;
                ProposalJson { kind: kind.into(), words: kind.words().to_string(), extend_to, reason }
            }),
            blocker,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ConclusionJson {
    pub proposed: ProposalKindJson,
    pub concluded: ConclusionKindJson,
    pub override_reason: Option<String>,
    pub concluded_by: String,
    pub concluded_at: String,
}

impl From<tickmark::engagement::fieldwork::Conclusion> for ConclusionJson {
    fn from(c: tickmark::engagement::fieldwork::Conclusion) -> ConclusionJson {
        ConclusionJson {
            proposed: c.proposed.into(),
            concluded: c.concluded.into(),
            override_reason: c.override_reason,
            concluded_by: c.concluded_by,
            concluded_at: c.concluded_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum SignOffRoleKind {
    Preparer,
    Reviewer,
}

impl From<SignOffRoleKind> for SignOffRole {
    fn from(r: SignOffRoleKind) -> SignOffRole {
        match r {
            SignOffRoleKind::Preparer => SignOffRole::Preparer,
            SignOffRoleKind::Reviewer => SignOffRole::Reviewer,
        }
    }
}

impl From<SignOffRole> for SignOffRoleKind {
    fn from(r: SignOffRole) -> SignOffRoleKind {
        match r {
            SignOffRole::Preparer => SignOffRoleKind::Preparer,
            SignOffRole::Reviewer => SignOffRoleKind::Reviewer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SignOffJson {
    pub role: SignOffRoleKind,
    pub signer: String,
    pub signed_at: String,
    /// Set when a later change to what it covers cleared it.
    pub cleared_at: Option<String>,
    pub cleared_reason: Option<String>,
}

impl From<SignOff> for SignOffJson {
    fn from(s: SignOff) -> SignOffJson {
        SignOffJson {
            role: s.role.into(),
            signer: s.signer,
            signed_at: s.signed_at,
            cleared_at: s.cleared_at,
            cleared_reason: s.cleared_reason,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum NoteStatusKind {
    Open,
    Answered,
    Cleared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ReviewNoteJson {
    #[ts(type = "number")]
    pub id: i64,
    pub text: String,
    pub status: NoteStatusKind,
    pub raised_by: String,
    pub raised_at: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub cleared_by: Option<String>,
    pub cleared_at: Option<String>,
}

impl From<ReviewNote> for ReviewNoteJson {
    fn from(n: ReviewNote) -> ReviewNoteJson {
        ReviewNoteJson {
            id: n.id,
            text: n.text,
            status: match n.status {
                NoteStatus::Open => NoteStatusKind::Open,
                NoteStatus::Answered => NoteStatusKind::Answered,
                NoteStatus::Cleared => NoteStatusKind::Cleared,
            },
            raised_by: n.raised_by,
            raised_at: n.raised_at,
            answer: n.answer,
            answered_by: n.answered_by,
            answered_at: n.answered_at,
            cleared_by: n.cleared_by,
            cleared_at: n.cleared_at,
        }
    }
}

/// The conclusion tab: evaluation (none without a sample), conclusion, sign-offs, notes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ConclusionViewJson {
    pub evaluation: Option<EvaluationJson>,
    pub conclusion: Option<ConclusionJson>,
    /// Every sign-off, cleared ones included, oldest first.
    pub signoffs: Vec<SignOffJson>,
    pub notes: Vec<ReviewNoteJson>,
}

/// The interview form. `heldOn` is an ISO date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct InterviewInputJson {
    pub held_on: String,
    pub interviewee: String,
    pub role: String,
    pub attendees: Vec<String>,
    pub topics: String,
    pub notes: String,
    pub controls: Vec<String>,
}

impl TryFrom<InterviewInputJson> for tickmark::engagement::fieldwork::InterviewInput {
    type Error = CommandError;

    fn try_from(i: InterviewInputJson) -> Result<Self, CommandError> {
        let held_on = chrono::NaiveDate::parse_from_str(i.held_on.trim(), "%Y-%m-%d").map_err(|_| {
            CommandError::new("invalid", format!("the interview date {:?} is not a date such as 2026-03-14", i.held_on))
        })?;
        Ok(tickmark::engagement::fieldwork::InterviewInput {
            held_on,
            interviewee: i.interviewee,
            role: i.role,
            attendees: i.attendees.into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
            topics: i.topics,
            notes: i.notes,
            controls: i.controls,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct InterviewJson {
    #[ts(type = "number")]
    pub id: i64,
    pub held_on: String,
    pub interviewee: String,
    pub role: String,
    pub attendees: Vec<String>,
    pub topics: String,
    pub notes: String,
    pub controls: Vec<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<Interview> for InterviewJson {
    fn from(i: Interview) -> InterviewJson {
        InterviewJson {
            id: i.id,
            held_on: i.held_on.to_string(),
            interviewee: i.interviewee,
            role: i.role,
            attendees: i.attendees,
            topics: i.topics,
            notes: i.notes,
            controls: i.controls,
            recorded_by: i.recorded_by,
            recorded_at: i.recorded_at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ExportFormatKind {
    Xlsx,
    /// A folder of CSV files.
    Csv,
    Html,
}

impl From<ExportFormatKind> for Format {
    fn from(f: ExportFormatKind) -> Format {
        match f {
            ExportFormatKind::Xlsx => Format::Xlsx,
            ExportFormatKind::Csv => Format::Csv,
            ExportFormatKind::Html => Format::Html,
        }
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
        ExportJson {
            path: s.path.display().to_string(),
            format: match s.format {
                Format::Xlsx => ExportFormatKind::Xlsx,
                Format::Csv => ExportFormatKind::Csv,
                Format::Html => ExportFormatKind::Html,
            },
            controls: controls as u64,
            files: s
                .files
                .into_iter()
                .map(|f| ExportedFileJson { name: f.name, bytes: f.bytes, sha256: f.sha256 })
                .collect(),
        }
    }
}
