//! Planning and drawing a sample: the frequency table, the planning approaches, the sample
//! size plan, the draw request, the drawn sample with its voids, and re-performed draws.

use serde::{Deserialize, Serialize};
use tickmark::engagement::evaluation::{Approach, Planning};
use tickmark::reperform::FileCheck;
use tickmark::sampling::{Method, Plan, Rate, Risk};
use tickmark::store::{Sample, SampleCheck, SampleItem, StratumSize, Void};
use ts_rs::TS;

use super::FrequencyKind;

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

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum RiskKind <=> Risk {
        Lower,
        Higher,
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

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum MethodKind <=> Method {
        Random,
        Systematic,
        Stratified,
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
                .map(|st| {
                    let StratumSize { label, size, selected } = st;
                    StratumJson { label, size, selected }
                })
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
            replaced: history.into_iter().filter(|h| h.replaced_at.is_some()).map(ReplacedDrawJson::from).collect(),
        }
    }
}

impl From<Sample> for ReplacedDrawJson {
    fn from(h: Sample) -> ReplacedDrawJson {
        let Sample {
            id: _,
            control: _,
            draw_number,
            draws: _,
            spec: _,
            method,
            seed,
            seed_proposed: _,
            population_id: _,
            population_size: _,
            population_name: _,
            population_sha256: _,
            filters: _,
            strata_by: _,
            strata: _,
            initial_size: _,
            size,
            basis: _,
            drawn_at,
            drawn_by,
            replaced_at,
            replaced_by,
            replaced_reason,
            confidence: _,
            tolerable_rate: _,
            approach: _,
            warning: _,
            columns: _,
            items: _,
        } = h;
        ReplacedDrawJson {
            draw_number,
            method: method.into(),
            size,
            seed,
            drawn_at,
            drawn_by,
            replaced_at,
            replaced_by,
            replaced_reason,
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

/// A recorded sample re-performed from a copy of the client's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FileCheckJson {
    pub file: String,
    pub file_sha256: String,
    pub recorded_sha256: Option<String>,
    /// The file's SHA-256 is the one recorded at import.
    pub same_file: bool,
    #[ts(type = "number")]
    pub frame_size: u64,
    #[ts(type = "number")]
    pub recorded_frame_size: u64,
    #[ts(type = "number")]
    pub items_checked: u64,
    pub matches: bool,
    pub differences: Vec<String>,
}

impl From<FileCheck> for FileCheckJson {
    fn from(c: FileCheck) -> FileCheckJson {
        let FileCheck {
            control: _,
            file,
            file_sha256,
            recorded_sha256,
            same_file,
            frame_size,
            recorded_frame_size,
            items_checked,
            matches,
            differences,
        } = c;
        FileCheckJson {
            file,
            file_sha256,
            recorded_sha256,
            same_file,
            frame_size,
            recorded_frame_size,
            items_checked,
            matches,
            differences,
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
        let SampleCheck { control: _, draw_number, method, size, matches, differences } = c;
        SampleCheckJson { draw_number, method: method.into(), size, matches, differences }
    }
}
