//! Beside the samples: test procedures, the walkthrough and design conclusion, the deficiency
//! evaluation, SOC 1 control objectives, the engagement dashboard and criteria coverage.

use serde::{Deserialize, Serialize};
use tickmark::engagement::design::{
    CompensatingControl, CriterionAssessment, Deficiency, DeficiencyInput, DesignConclusion, Objective, ProcedureInput,
    ProcedureNature, ProcedureStep, Walkthrough, WalkthroughInput,
};
use tickmark::engagement::rollup::{
    ControlState, Coverage, CoveredControl, CriterionCoverage, CriterionState, DashboardRow, StrayReference,
};
use ts_rs::TS;

use super::ConclusionKindJson;

mirror_enum! {
    /// What a test step does (the engine's `ProcedureNature`); wire names as the vocabulary keys them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ProcedureNatureKind <=> ProcedureNature {
        Inquiry,
        Observation,
        Inspection,
        #[serde(rename = "re-performance")]
        Reperformance,
    }
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum DesignConclusionKind <=> DesignConclusion {
        Effective,
        NotEffective,
    }
}

mirror_enum! {
    /// Where a control stands (the engine's `ControlState`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ControlStateKind <=> ControlState {
        NotStarted,
        Sampled,
        Tested,
        NoExceptions,
        Exceptions,
        NotEffective,
    }
}

mirror_enum! {
    /// Whether a criterion is met, as far as the fieldwork shows (the engine's `CriterionState`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum CriterionStateKind <=> CriterionState {
        NoControl,
        Met,
        MetWithExceptions,
        InProgress,
        NotEvaluated,
        NotMet,
    }
}

/// One step of a control's test procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ProcedureStepJson {
    /// 1-based order within the control.
    pub position: u32,
    pub nature: ProcedureNatureKind,
    pub text: String,
}

impl From<ProcedureStep> for ProcedureStepJson {
    fn from(s: ProcedureStep) -> ProcedureStepJson {
        let ProcedureStep { position, nature, text } = s;
        ProcedureStepJson { position, nature: nature.into(), text }
    }
}

/// The procedure step form; the engine refuses a step without text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ProcedureInputJson {
    pub nature: ProcedureNatureKind,
    pub text: String,
}

impl From<ProcedureInputJson> for ProcedureInput {
    fn from(p: ProcedureInputJson) -> ProcedureInput {
        let ProcedureInputJson { nature, text } = p;
        ProcedureInput { nature: nature.into(), text }
    }
}

/// The walkthrough form. `design` is null while the design is not concluded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct WalkthroughInputJson {
    pub narrative: String,
    /// The item traced end to end: a population key or a reference.
    pub traced: String,
    /// Evidence IDs of this control.
    #[ts(type = "number[]")]
    pub evidence: Vec<i64>,
    /// Interview IDs.
    #[ts(type = "number[]")]
    pub interviews: Vec<i64>,
    pub design: Option<DesignConclusionKind>,
}

impl From<WalkthroughInputJson> for WalkthroughInput {
    fn from(w: WalkthroughInputJson) -> WalkthroughInput {
        let WalkthroughInputJson { narrative, traced, evidence, interviews, design } = w;
        WalkthroughInput { narrative, traced, evidence, interviews, design: design.map(Into::into) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct WalkthroughJson {
    pub control: String,
    pub narrative: String,
    pub traced: String,
    #[ts(type = "number[]")]
    pub evidence: Vec<i64>,
    #[ts(type = "number[]")]
    pub interviews: Vec<i64>,
    pub design: Option<DesignConclusionKind>,
    /// Who concluded on design and when; null while not concluded.
    pub concluded_by: Option<String>,
    pub concluded_at: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<Walkthrough> for WalkthroughJson {
    fn from(w: Walkthrough) -> WalkthroughJson {
        let Walkthrough {
            control,
            narrative,
            traced,
            evidence,
            interviews,
            design,
            concluded_by,
            concluded_at,
            recorded_by,
            recorded_at,
        } = w;
        WalkthroughJson {
            control,
            narrative,
            traced,
            evidence,
            interviews,
            design: design.map(Into::into),
            concluded_by,
            concluded_at,
            recorded_by,
            recorded_at,
        }
    }
}

/// Whether one criterion the deficiency affects is still met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CriterionAssessmentJson {
    pub criterion: String,
    pub met: bool,
}

impl From<CriterionAssessment> for CriterionAssessmentJson {
    fn from(a: CriterionAssessment) -> CriterionAssessmentJson {
        let CriterionAssessment { criterion, met } = a;
        CriterionAssessmentJson { criterion, met }
    }
}

impl From<CriterionAssessmentJson> for CriterionAssessment {
    fn from(a: CriterionAssessmentJson) -> CriterionAssessment {
        let CriterionAssessmentJson { criterion, met } = a;
        CriterionAssessment { criterion, met }
    }
}

/// The deficiency evaluation form of a control with exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct DeficiencyInputJson {
    /// What was wrong, as Section 4 prints it after "For k of n … sampled,".
    pub deviation: String,
    /// The plural noun of what was sampled ("changes"); "items" when empty.
    pub items_noun: String,
    pub cause: String,
    pub isolated: bool,
    pub criteria: Vec<CriterionAssessmentJson>,
    /// Other controls' IDs that compensate.
    pub compensating: Vec<String>,
    pub management_response: String,
}

impl From<DeficiencyInputJson> for DeficiencyInput {
    fn from(d: DeficiencyInputJson) -> DeficiencyInput {
        let DeficiencyInputJson { deviation, items_noun, cause, isolated, criteria, compensating, management_response } =
            d;
        DeficiencyInput {
            deviation,
            items_noun,
            cause,
            isolated,
            criteria: criteria.into_iter().map(Into::into).collect(),
            compensating,
            management_response,
        }
    }
}

/// A compensating control with its operating conclusion as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CompensatingControlJson {
    pub control: String,
    /// Null while it is not concluded.
    pub conclusion: Option<ConclusionKindJson>,
}

impl From<CompensatingControl> for CompensatingControlJson {
    fn from(c: CompensatingControl) -> CompensatingControlJson {
        let CompensatingControl { control, conclusion } = c;
        CompensatingControlJson { control, conclusion: conclusion.map(Into::into) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct DeficiencyJson {
    pub control: String,
    pub deviation: String,
    pub items_noun: String,
    pub cause: String,
    pub isolated: bool,
    pub criteria: Vec<CriterionAssessmentJson>,
    pub compensating: Vec<CompensatingControlJson>,
    pub management_response: String,
    pub evaluated_by: String,
    pub evaluated_at: String,
}

impl From<Deficiency> for DeficiencyJson {
    fn from(d: Deficiency) -> DeficiencyJson {
        let Deficiency {
            control,
            deviation,
            items_noun,
            cause,
            isolated,
            criteria,
            compensating,
            management_response,
            evaluated_by,
            evaluated_at,
        } = d;
        DeficiencyJson {
            control,
            deviation,
            items_noun,
            cause,
            isolated,
            criteria: criteria.into_iter().map(Into::into).collect(),
            compensating: compensating.into_iter().map(Into::into).collect(),
            management_response,
            evaluated_by,
            evaluated_at,
        }
    }
}

/// A SOC 1 control objective (also the form that defines one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ObjectiveJson {
    /// Its reference, as controls cite it: `CO1`.
    pub code: String,
    pub title: String,
}

impl From<Objective> for ObjectiveJson {
    fn from(o: Objective) -> ObjectiveJson {
        let Objective { code, title } = o;
        ObjectiveJson { code, title }
    }
}

impl From<ObjectiveJson> for Objective {
    fn from(o: ObjectiveJson) -> Objective {
        let ObjectiveJson { code, title } = o;
        Objective { code, title }
    }
}

/// One control's line on the engagement dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct DashboardRowJson {
    pub control: String,
    pub description: String,
    pub criteria: Vec<String>,
    pub state: ControlStateKind,
    /// Items in the current population's sampling frame; null without a population.
    #[ts(type = "number | null")]
    pub population: Option<u64>,
    /// Items in the current sample (voided ones aside); null without a sample.
    #[ts(type = "number | null")]
    pub sample: Option<u64>,
    /// Items tested of those sampled.
    #[ts(type = "number")]
    pub tested: u64,
    /// Items with at least one exception.
    #[ts(type = "number")]
    pub exceptions: u64,
    pub design: Option<DesignConclusionKind>,
    pub operating: Option<ConclusionKindJson>,
    #[ts(type = "number")]
    pub procedure_steps: u64,
    pub deficiency_evaluated: bool,
    /// Carried forward from last year and not yet confirmed (control, walkthrough).
    #[ts(type = "number")]
    pub unconfirmed: u64,
    /// Prior-year exceptions and deficiencies to follow up.
    #[ts(type = "number")]
    pub follow_ups: u64,
    /// Standing (not cleared) sign-offs: the signer's name.
    pub preparer: Option<String>,
    pub reviewer: Option<String>,
    /// Review notes not cleared.
    #[ts(type = "number")]
    pub open_notes: u64,
    /// Both sign-offs stand (the engine's rule, for the "not signed off" filter).
    pub signed_off: bool,
    /// Exceptions found or concluded (the engine's rule, for the "with exceptions" filter).
    pub with_exceptions: bool,
}

impl From<DashboardRow> for DashboardRowJson {
    fn from(r: DashboardRow) -> DashboardRowJson {
        let signed_off = r.signed_off();
        let with_exceptions = r.with_exceptions();
        let DashboardRow {
            control,
            description,
            criteria,
            state,
            population,
            sample,
            tested,
            exceptions,
            design,
            operating,
            procedure_steps,
            deficiency_evaluated,
            unconfirmed,
            follow_ups,
            preparer,
            reviewer,
            open_notes,
        } = r;
        DashboardRowJson {
            control,
            description,
            criteria,
            state: state.into(),
            population,
            sample,
            tested,
            exceptions,
            design: design.map(Into::into),
            operating: operating.map(Into::into),
            procedure_steps,
            deficiency_evaluated,
            unconfirmed,
            follow_ups,
            preparer,
            reviewer,
            open_notes,
            signed_off,
            with_exceptions,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CoveredControlJson {
    pub code: String,
    pub state: ControlStateKind,
}

impl From<CoveredControl> for CoveredControlJson {
    fn from(c: CoveredControl) -> CoveredControlJson {
        let CoveredControl { code, state } = c;
        CoveredControlJson { code, state: state.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CriterionCoverageJson {
    /// `CC6.1`, or a control objective's reference.
    pub id: String,
    pub title: String,
    /// The category code (`CC`, `A`, …), or `objective` for a SOC 1 control objective.
    pub category: String,
    pub controls: Vec<CoveredControlJson>,
    pub state: CriterionStateKind,
}

impl From<CriterionCoverage> for CriterionCoverageJson {
    fn from(c: CriterionCoverage) -> CriterionCoverageJson {
        let CriterionCoverage { id, title, category, controls, state } = c;
        CriterionCoverageJson {
            id,
            title,
            category,
            controls: controls.into_iter().map(Into::into).collect(),
            state: state.into(),
        }
    }
}

/// A control's reference that names no in-scope criterion, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StrayReferenceJson {
    pub control: String,
    pub reference: String,
    pub reason: String,
}

impl From<StrayReference> for StrayReferenceJson {
    fn from(s: StrayReference) -> StrayReferenceJson {
        let StrayReference { control, reference, reason } = s;
        StrayReferenceJson { control, reference, reason }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CoverageJson {
    pub criteria: Vec<CriterionCoverageJson>,
    /// IDs of in-scope criteria no control addresses.
    pub without_control: Vec<String>,
    /// IDs of criteria judged not met.
    pub not_met: Vec<String>,
    pub stray: Vec<StrayReferenceJson>,
}

impl From<Coverage> for CoverageJson {
    fn from(c: Coverage) -> CoverageJson {
        let Coverage { criteria, without_control, not_met, stray } = c;
        CoverageJson {
            criteria: criteria.into_iter().map(Into::into).collect(),
            without_control,
            not_met,
            stray: stray.into_iter().map(Into::into).collect(),
        }
    }
}
