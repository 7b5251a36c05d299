//! What fieldwork records about a control after the sample is drawn: results per item and
//! attribute, exceptions, evidence, interviews, the conclusion, sign-offs and review notes.
//! Plain data: the store writes and reads it, the workpaper export renders it.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kind_by_name;
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

    pub const ALL: [Outcome; 3] = [Outcome::Pass, Outcome::Exception, Outcome::NotApplicable];

    /// As a person reads it.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Pass => "Pass",
            Outcome::Exception => "Exception",
            Outcome::NotApplicable => "Not applicable",
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
        kind_by_name(s, "outcome", &Outcome::ALL, Outcome::as_str)
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

/// An interview's date as the auditor types it: `YYYY-MM-DD`.
pub fn parse_held_on(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid(format!("the interview date {text:?} is not a date: write the date as YYYY-MM-DD")))
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
    pub const ALL: [ConclusionKind; 3] =
        [ConclusionKind::NoExceptionsNoted, ConclusionKind::ExceptionsNoted, ConclusionKind::NotEffective];

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
        kind_by_name(s, "conclusion", &ConclusionKind::ALL, ConclusionKind::as_str)
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
        kind_by_name(s, "sign-off role", &[SignOffRole::Preparer, SignOffRole::Reviewer], SignOffRole::as_str)
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
    /// The fingerprint of the key that signed the sign-off's event: which key stands behind
    /// it. `None` for a sign-off written before signing.
    pub key_fingerprint: Option<String>,
}

/// Whether `signer` may sign `control` off as `role`, given its sign-offs still standing,
/// what it still lacks before a preparer can sign (`unready`: no conclusion, no design
/// conclusion; None when ready) and how many review notes are not cleared: one sign-off per
/// role; the preparer signs a concluded control; the reviewer is someone else, signs after
/// the preparer, and only with every review note cleared.
pub fn may_sign_off(
    control: &str,
    role: SignOffRole,
    signer: &str,
    standing: &[SignOff],
    unready: Option<&str>,
    open_notes: usize,
) -> Result<()> {
    if let Some(s) = standing.iter().find(|s| s.role == role) {
        return Err(Error::invalid(format!(
            "{control} is already signed off as {} by {} at {}",
            role.as_str(),
            s.signer,
            s.signed_at
        )));
    }
    match role {
        SignOffRole::Preparer if unready.is_some() => Err(Error::invalid(format!(
            "{control} {}; conclude before signing off as preparer",
            unready.unwrap_or_default()
        ))),
        SignOffRole::Preparer => Ok(()),
        SignOffRole::Reviewer => {
            let preparer = standing.iter().find(|s| s.role == SignOffRole::Preparer).ok_or_else(|| {
                Error::invalid(format!("{control} has no preparer sign-off; the reviewer signs after the preparer"))
            })?;
            if preparer.signer.trim().eq_ignore_ascii_case(signer.trim()) {
                return Err(Error::invalid(format!(
                    "{} signed {control} off as preparer; the reviewer must be someone else",
                    preparer.signer
                )));
            }
            if open_notes > 0 {
                return Err(Error::invalid(format!(
                    "{control} has {open_notes} review note(s) not cleared; clear them before the reviewer signs off"
                )));
            }
            Ok(())
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(role: SignOffRole, by: &str) -> SignOff {
        SignOff {
            role,
            signer: by.into(),
            signed_at: "2026-11-23T10:00:00Z".into(),
            cleared_at: None,
            cleared_reason: None,
            key_fingerprint: None,
        }
    }

    #[test]
    fn the_preparer_signs_a_concluded_control_and_the_reviewer_is_someone_else_with_no_note_open() {
        use SignOffRole::{Preparer, Reviewer};
        let e = |r: Result<()>| r.unwrap_err().to_string();
        assert!(
            e(may_sign_off("C1", Preparer, "Dana", &[], Some("has no conclusion yet"), 0))
                .contains("C1 has no conclusion yet; conclude")
        );
        assert!(may_sign_off("C1", Preparer, "Dana", &[], None, 0).is_ok());
        let prepared = [signed(Preparer, "Dana Whitfield")];
        assert!(
            e(may_sign_off("C1", Preparer, "Marcus", &prepared, None, 0)).contains("already signed off as preparer")
        );
        assert!(e(may_sign_off("C1", Reviewer, "Marcus", &[], None, 0)).contains("no preparer sign-off"));
        assert!(
            e(may_sign_off("C1", Reviewer, " dana whitfield ", &prepared, None, 0)).contains("must be someone else")
        );
        assert!(e(may_sign_off("C1", Reviewer, "Marcus", &prepared, None, 2)).contains("2 review note(s) not cleared"));
        assert!(may_sign_off("C1", Reviewer, "Marcus Oyelaran", &prepared, None, 0).is_ok());
    }

    #[test]
    fn an_interview_date_is_iso_and_a_bad_one_is_quoted_back() {
        assert_eq!(parse_held_on(" 2026-10-14 ").unwrap(), NaiveDate::from_ymd_opt(2026, 10, 14).unwrap());
        let e = parse_held_on("14/10/2026").unwrap_err().to_string();
        assert!(e.contains("\"14/10/2026\"") && e.contains("write the date as YYYY-MM-DD"), "{e}");
    }
}
