//! The workpaper's read model: everything an export shows, gathered in one value so every
//! writer (xlsx, csv, html) is a pure function of it and the same engagement always renders
//! the same bytes.

use serde::Serialize;

use super::design::{Deficiency, Objective, ProcedureStep, Walkthrough};
pub use super::evaluation::ControlEvaluation;
use super::fieldwork::{Conclusion, Evidence, ExceptionRecord, Interview, ReviewNote, SignOff, TestResult};
use super::rollup::{ControlState, Coverage};
use super::{Control, EngagementInfo};
use crate::store::{PopulationSummary, Sample, Signer};

#[derive(Debug, Clone, Serialize)]
pub struct Workpaper {
    pub engagement: EngagementInfo,
    pub tickmark_version: String,
    /// RFC 3339, passed in by the caller (the only thing that differs between two exports).
    pub exported_at: String,
    pub exported_by: String,
    /// The audit trail's head when exported: event count and hash.
    pub trail_events: i64,
    pub trail_head: String,
    /// Every key that signed the trail or was pinned, with its fingerprint: who the trail
    /// proves acted.
    pub signers: Vec<Signer>,
    pub controls: Vec<ControlWorkpaper>,
    /// Interviews linked to the exported controls (all of them for a whole-engagement export).
    pub interviews: Vec<Interview>,
    /// A SOC 1 engagement's control objectives (empty for SOC 2).
    pub objectives: Vec<Objective>,
    /// Every working copy handed out, with its return: who worked on which controls apart.
    pub handoffs: Vec<crate::store::Handoff>,
    /// Each in-scope criterion (or objective) with its controls, rolled up: the whole
    /// engagement's, whatever controls are exported.
    pub coverage: Coverage,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlWorkpaper {
    pub control: Control,
    pub state: ControlState,
    /// The test procedure's steps, in order.
    pub procedures: Vec<ProcedureStep>,
    pub walkthrough: Option<Walkthrough>,
    pub deficiency: Option<Deficiency>,
    /// What was asked of the client for this control, with status and dates.
    pub requests: Vec<crate::store::Request>,
    pub population: Option<PopulationSummary>,
    /// The current sample with its items (ordinal order).
    pub sample: Option<Sample>,
    /// Earlier draws replaced by the auditor, with their reasons (items omitted).
    pub replaced_draws: Vec<Sample>,
    /// Every result, ordered by item ordinal then attribute label.
    pub results: Vec<TestResult>,
    pub exceptions: Vec<ExceptionRecord>,
    pub evaluation: Option<ControlEvaluation>,
    pub conclusion: Option<Conclusion>,
    pub evidence: Vec<Evidence>,
    pub signoffs: Vec<SignOff>,
    pub review_notes: Vec<ReviewNote>,
}
