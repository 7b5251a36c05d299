//! The engagement, the recent list, what the window starts on, and the controls with their
//! frequency and nature.

use serde::{Deserialize, Serialize};
use tickmark::engagement::design::parse_procedures;
use tickmark::engagement::{
    Attribute, Control, ControlInput, EngagementInfo, Frequency, Nature, NewEngagement, Period, ReportType,
    parse_attributes, parse_criteria, parse_criteria_refs,
};
use tickmark::store::PopulationSummary;
use ts_rs::TS;

use crate::error::CommandError;

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ReportKind <=> ReportType {
        Soc2Type2,
        Soc2Type1,
        Soc1Type2,
        Soc1Type1,
    }
}

mirror_enum! {
    /// How often a control operates (the engine's `Frequency`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum FrequencyKind <=> Frequency {
        Annual,
        Quarterly,
        Monthly,
        Weekly,
        Daily,
        MultipleDaily,
        EventDriven,
    }
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum NatureKind <=> Nature {
        Manual,
        Automated,
        ItDependentManual,
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
        let EngagementInfo { client, report, period, criteria, firm, preparer, reviewer, created_at, created_by } = e;
        EngagementJson {
            path: path.display().to_string(),
            client,
            report: report.into(),
            period_start: period.start.to_string(),
            period_end: period.end.to_string(),
            criteria,
            firm,
            preparer,
            reviewer,
            created_at,
            created_by,
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
    /// This run's handle for opening or forgetting it (empty in the list's file: handles live
    /// only as long as the run that issued them).
    #[serde(default)]
    pub handle: String,
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
    /// The start-up trace is on (`TICKMARK_STARTUP_TRACE`): the page reports its milestones
    /// once its first grid page shows.
    pub startup_trace: bool,
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
        let Control { id: _, code, description, criteria, frequency, nature, owner, attributes } = c;
        ControlJson {
            code,
            description,
            criteria,
            frequency: frequency.into(),
            nature: nature.into(),
            owner,
            attributes: attributes
                .into_iter()
                .map(|a| {
                    let Attribute { label, condition } = a;
                    AttributeJson { label, condition }
                })
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
    /// One test step per entry, nature first: `inspection: Inspected the ticket …`.
    pub procedures: Vec<String>,
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
            procedures: parse_procedures(&c.procedures.join(" | "))?,
        })
    }
}
