//! Testing and concluding: results, exceptions, evidence, the evaluation and its proposal, the
//! conclusion, sign-offs, review notes and interviews.

use serde::{Deserialize, Serialize};
use tickmark::engagement::evaluation::{Proposal, ProposalKind, StratumTally};
use tickmark::engagement::fieldwork::{
    Conclusion, ConclusionKind, Evidence, EvidenceKind, ExceptionInput, ExceptionRecord, Interview, InterviewInput,
    NoteStatus, Outcome, ReviewNote, SignOff, SignOffRole, TestResult,
};
use tickmark::engagement::workpaper::ControlEvaluation;
use ts_rs::TS;

use super::ApproachJson;
use crate::error::CommandError;

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum OutcomeKind <=> Outcome {
        Pass,
        Exception,
        #[serde(rename = "na")]
        NotApplicable,
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
        let TestResult { ordinal, attribute, outcome, comment, tested_by, tested_at } = r;
        ResultJson { ordinal, attribute, outcome: outcome.into(), comment, tested_by, tested_at }
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
        let ExceptionRecord { ordinal, key, narrative, cause, isolated, management_response, recorded_by, recorded_at } =
            e;
        ExceptionJson { ordinal, key, narrative, cause, isolated, management_response, recorded_by, recorded_at }
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
    /// The client request (PBC) it answered, e.g. `CC8.1-01-07`.
    pub request: Option<String>,
}

impl From<Evidence> for EvidenceJson {
    fn from(e: Evidence) -> EvidenceJson {
        let Evidence { id, control, ordinal, kind, name, size, sha256, added_by, added_at, request } = e;
        let kind = match kind {
            EvidenceKind::File => "file",
            EvidenceKind::Reference => "reference",
        };
        EvidenceJson { id, control, ordinal, kind: kind.to_string(), name, size, sha256, added_by, added_at, request }
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
    /// Null before the control has a sample.
    pub progress: Option<TestingProgressJson>,
}

/// How far testing has got, as the engine's evaluation counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TestingProgressJson {
    /// n: items tested (an item with an exception counts before its other attributes are recorded).
    #[ts(type = "number")]
    pub tested: u64,
    /// Items to test: listed items not voided.
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub voided: u64,
    /// Results recorded, of items × attributes.
    #[ts(type = "number")]
    pub cells: u64,
    #[ts(type = "number")]
    pub total_cells: u64,
    /// Items with at least one exception.
    #[ts(type = "number")]
    pub deviations: u64,
    /// Items whose every attribute is N/A: not tested; void and replace them, or record what applies.
    #[ts(type = "number[]")]
    pub all_na: Vec<u64>,
}

impl From<&ControlEvaluation> for TestingProgressJson {
    fn from(e: &ControlEvaluation) -> TestingProgressJson {
        TestingProgressJson {
            tested: e.tested_items,
            total: e.listed_items - e.voided_items,
            voided: e.voided_items,
            cells: e.recorded_cells,
            total_cells: e.expected_cells,
            deviations: e.deviations,
            all_na: e.all_na_items.clone(),
        }
    }
}

/// One result recorded, and the testing progress it leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RecordedResultJson {
    pub result: ResultJson,
    pub progress: TestingProgressJson,
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ConclusionKindJson <=> ConclusionKind {
        NoExceptionsNoted,
        ExceptionsNoted,
        NotEffective,
    }
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum ProposalKindJson <=> ProposalKind {
        NoExceptionsNoted,
        ExceptionsNoted,
        NotEffective,
        /// The sample cannot support the planned reliance as it is: extend it or re-plan.
        SampleTooSmall,
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
            // The testing screen's progress carries the cells (TestingProgressJson).
            recorded_cells: _,
            expected_cells: _,
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

impl From<Conclusion> for ConclusionJson {
    fn from(c: Conclusion) -> ConclusionJson {
        let Conclusion { proposed, concluded, override_reason, concluded_by, concluded_at } = c;
        ConclusionJson {
            proposed: proposed.into(),
            concluded: concluded.into(),
            override_reason,
            concluded_by,
            concluded_at,
        }
    }
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum SignOffRoleKind <=> SignOffRole {
        Preparer,
        Reviewer,
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
        let SignOff { role, signer, signed_at, cleared_at, cleared_reason, .. } = s;
        SignOffJson { role: role.into(), signer, signed_at, cleared_at, cleared_reason }
    }
}

mirror_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
    #[serde(rename_all = "kebab-case")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum NoteStatusKind <=> NoteStatus {
        Open,
        Answered,
        Cleared,
    }
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
        let ReviewNote {
            id,
            control: _,
            text,
            status,
            raised_by,
            raised_at,
            answer,
            answered_by,
            answered_at,
            cleared_by,
            cleared_at,
        } = n;
        ReviewNoteJson {
            id,
            text,
            status: status.into(),
            raised_by,
            raised_at,
            answer,
            answered_by,
            answered_at,
            cleared_by,
            cleared_at,
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

impl TryFrom<InterviewInputJson> for InterviewInput {
    type Error = CommandError;

    fn try_from(i: InterviewInputJson) -> Result<Self, CommandError> {
        Ok(InterviewInput {
            held_on: tickmark::engagement::fieldwork::parse_held_on(&i.held_on)?,
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
        let Interview { id, held_on, interviewee, role, attendees, topics, notes, controls, recorded_by, recorded_at } =
            i;
        InterviewJson {
            id,
            held_on: held_on.to_string(),
            interviewee,
            role,
            attendees,
            topics,
            notes,
            controls,
            recorded_by,
            recorded_at,
        }
    }
}
