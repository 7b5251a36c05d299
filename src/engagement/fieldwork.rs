//! What fieldwork records about a control after the sample is drawn: results per item and
//! attribute, exceptions, evidence, interviews, the conclusion, sign-offs and review notes.
//! Plain data: the store writes and reads it, the workpaper export renders it.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The outcome of testing one attribute on one sample item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Exception,
    /// Not applicable, with a reason (e.g. no deployment for a cancelled change).
    #[serde(rename = "na")]
    NotApplicable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Exception => "exception",
            Outcome::NotApplicable => "na",
        }
    }

    /// The tickmark a workpaper prints for it (see the legend).
    pub fn tickmark(self) -> &'static str {
        match self {
            Outcome::Pass => "✓",
            Outcome::Exception => "X",
            Outcome::NotApplicable => "N/A",
        }
    }
}

impl FromStr for Outcome {
    type Err = Error;
    fn from_str(s: &str) -> Result<Outcome> {
        match s {
            "pass" => Ok(Outcome::Pass),
            "exception" => Ok(Outcome::Exception),
            "na" => Ok(Outcome::NotApplicable),
            _ => Err(Error::invalid(format!("unknown outcome {s:?}: expected pass, exception or na"))),
        }
    }
}

/// The tickmark legend printed with every results table.
pub const TICKMARK_LEGEND: [(&str, &str); 3] = [
    ("✓", "Attribute tested without exception"),
    ("X", "Exception noted (see Exceptions)"),
    ("N/A", "Attribute not applicable to this item (reason in the comment)"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    pub ordinal: u64,
    pub attribute: String,
    pub outcome: Outcome,
    pub comment: String,
    pub tested_by: String,
    pub tested_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionInput {
    pub narrative: String,
    pub cause: String,
    /// Whether the auditor judged it an isolated instance; None until assessed.
    pub isolated: Option<bool>,
    pub management_response: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionRecord {
    pub ordinal: u64,
    pub key: String,
    pub narrative: String,
    pub cause: String,
    pub isolated: Option<bool>,
    pub management_response: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A file stored inside the engagement file, once per content.
    File,
    /// A reference instead of a file: a PBC number, a screenshot name, a URL.
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub control: String,
    /// The sample item it supports; None for evidence of the control as a whole.
    pub ordinal: Option<u64>,
    pub kind: EvidenceKind,
    /// The file's name, or the reference text.
    pub name: String,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewInput {
    pub held_on: NaiveDate,
    pub interviewee: String,
    pub role: String,
    pub attendees: Vec<String>,
    pub topics: String,
    pub notes: String,
    /// Control IDs the inquiry supports.
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interview {
    pub id: i64,
    pub held_on: NaiveDate,
    pub interviewee: String,
    pub role: String,
    pub attendees: Vec<String>,
    pub topics: String,
    pub notes: String,
    pub controls: Vec<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConclusionKind {
    NoExceptionsNoted,
    ExceptionsNoted,
    NotEffective,
}

impl ConclusionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConclusionKind::NoExceptionsNoted => "no-exceptions-noted",
            ConclusionKind::ExceptionsNoted => "exceptions-noted",
            ConclusionKind::NotEffective => "not-effective",
        }
    }

    /// As a workpaper states it.
    pub fn words(self) -> &'static str {
        match self {
            ConclusionKind::NoExceptionsNoted => "No exceptions noted",
            ConclusionKind::ExceptionsNoted => "Exceptions noted",
            ConclusionKind::NotEffective => "Control not operating effectively",
        }
    }
}

impl fmt::Display for ConclusionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

impl FromStr for ConclusionKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<ConclusionKind> {
        match s {
            "no-exceptions-noted" => Ok(ConclusionKind::NoExceptionsNoted),
            "exceptions-noted" => Ok(ConclusionKind::ExceptionsNoted),
            "not-effective" => Ok(ConclusionKind::NotEffective),
            _ => Err(Error::invalid(format!(
                "unknown conclusion {s:?}: expected no-exceptions-noted, exceptions-noted or not-effective"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conclusion {
    /// What the evaluation proposed when the auditor concluded.
    pub proposed: super::evaluation::ProposalKind,
    /// What the auditor concluded; differs from `proposed` only with an override reason.
    pub concluded: ConclusionKind,
    pub override_reason: Option<String>,
    pub concluded_by: String,
    pub concluded_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignOffRole {
    Preparer,
    Reviewer,
}

impl SignOffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SignOffRole::Preparer => "preparer",
            SignOffRole::Reviewer => "reviewer",
        }
    }
}

impl FromStr for SignOffRole {
    type Err = Error;
    fn from_str(s: &str) -> Result<SignOffRole> {
        match s {
            "preparer" => Ok(SignOffRole::Preparer),
            "reviewer" => Ok(SignOffRole::Reviewer),
            _ => Err(Error::invalid(format!("unknown sign-off role {s:?}: expected preparer or reviewer"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOff {
    pub role: SignOffRole,
    pub signer: String,
    pub signed_at: String,
    /// Set when a later change to what it covers cleared it.
    pub cleared_at: Option<String>,
    pub cleared_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteStatus {
    Open,
    Answered,
    Cleared,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewNote {
    pub id: i64,
    pub control: String,
    pub text: String,
    pub status: NoteStatus,
    pub raised_by: String,
    pub raised_at: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub cleared_by: Option<String>,
    pub cleared_at: Option<String>,
}
