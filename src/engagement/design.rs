//! What an engagement holds beside its samples: each control's test procedures, its
//! walkthrough and design conclusion, the deficiency evaluation of a control with exceptions,
//! and the SOC 1 control objectives controls reference instead of the Trust Services Criteria.
//! Pure data and rules: the store keeps them, the coverage view and Section 4 read them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::kind_by_name;
use crate::{Error, Result};

/// What a test step does, as SOC reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcedureNature {
    Inquiry,
    Observation,
    Inspection,
    #[serde(rename = "re-performance")]
    Reperformance,
}

impl ProcedureNature {
    pub const ALL: [ProcedureNature; 4] = [
        ProcedureNature::Inquiry,
        ProcedureNature::Observation,
        ProcedureNature::Inspection,
        ProcedureNature::Reperformance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureNature::Inquiry => "inquiry",
            ProcedureNature::Observation => "observation",
            ProcedureNature::Inspection => "inspection",
            ProcedureNature::Reperformance => "re-performance",
        }
    }

    /// As Section 4 prints it before the step's text.
    pub fn words(self) -> &'static str {
        match self {
            ProcedureNature::Inquiry => "Inquiry",
            ProcedureNature::Observation => "Observation",
            ProcedureNature::Inspection => "Inspection",
            ProcedureNature::Reperformance => "Re-performance",
        }
    }
}

impl fmt::Display for ProcedureNature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProcedureNature {
    type Err = Error;

    /// The wire name, case and spacing aside (`Re-performance`, `reperformance`, `re performance`).
    fn from_str(s: &str) -> Result<ProcedureNature> {
        let folded: String = s.trim().to_ascii_lowercase().chars().filter(|c| !matches!(c, ' ' | '-' | '_')).collect();
        let folded = if folded == "reperformance" { "re-performance".to_string() } else { folded };
        kind_by_name(&folded, "procedure nature", &ProcedureNature::ALL, ProcedureNature::as_str).map_err(|_| {
            Error::invalid(format!(
                "unknown procedure nature {s:?}: expected inquiry, observation, inspection or re-performance"
            ))
        })
    }
}

/// One step of a control's test procedure, in the order performed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureStep {
    /// 1-based order within the control.
    pub position: u32,
    pub nature: ProcedureNature,
    pub text: String,
}

/// A step as typed or imported: its nature and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureInput {
    pub nature: ProcedureNature,
    pub text: String,
}

impl ProcedureInput {
    pub fn new(nature: ProcedureNature, text: &str) -> Result<ProcedureInput> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid(format!("the {} step has no text: say what was done", nature.as_str())));
        }
        Ok(ProcedureInput { nature, text: text.to_string() })
    }
}

/// Parses a control matrix's `procedures` cell, written like the attributes with the nature
/// first: `inquiry: Inquired of … | inspection: Inspected … | re-performance: Re-performed …`,
/// or one numbered step a line as the workpaper's Controls sheet prints them
/// (`1. Inquiry: Inquired of …`). A step without a nature is refused: Section 4 prints every
/// test with its nature.
pub fn parse_procedures(s: &str) -> Result<Vec<ProcedureInput>> {
    let mut out = Vec::new();
    for part in s.split(['|', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let part = strip_step_number(part);
        let (nature, text) = part.split_once(':').ok_or_else(|| {
            Error::invalid(format!(
                "procedure step {:?} has no nature: write it as \"inspection: Inspected …\" (inquiry, observation, inspection or re-performance)",
                abbreviate(part)
            ))
        })?;
        out.push(ProcedureInput::new(nature.parse()?, text)?);
    }
    Ok(out)
}

/// `3. Inspection: …` → `Inspection: …`.
fn strip_step_number(part: &str) -> &str {
    match part.split_once(". ") {
        Some((n, rest)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => rest.trim_start(),
        _ => part,
    }
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() <= 60 { s.to_string() } else { format!("{}…", s.chars().take(60).collect::<String>()) }
}

/// The test of design's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DesignConclusion {
    Effective,
    NotEffective,
}

impl DesignConclusion {
    pub const ALL: [DesignConclusion; 2] = [DesignConclusion::Effective, DesignConclusion::NotEffective];

    pub fn as_str(self) -> &'static str {
        match self {
            DesignConclusion::Effective => "effective",
            DesignConclusion::NotEffective => "not-effective",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            DesignConclusion::Effective => "Suitably designed",
            DesignConclusion::NotEffective => "Not suitably designed",
        }
    }
}

impl FromStr for DesignConclusion {
    type Err = Error;
    fn from_str(s: &str) -> Result<DesignConclusion> {
        kind_by_name(s.trim(), "design conclusion", &DesignConclusion::ALL, DesignConclusion::as_str)
    }
}

/// A walkthrough as the auditor records it: how the control works, traced through one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkthroughInput {
    pub narrative: String,
    /// The item traced end to end: a population key or a reference.
    pub traced: String,
    /// Evidence IDs (of this control) that support it.
    pub evidence: Vec<i64>,
    /// Interview IDs that support it.
    pub interviews: Vec<i64>,
    /// None while the design is not yet concluded.
    pub design: Option<DesignConclusion>,
}

impl WalkthroughInput {
    pub(crate) fn validate(&self, control: &str) -> Result<()> {
        if self.narrative.trim().is_empty() {
            return Err(Error::invalid(format!(
                "the walkthrough of {control} has no narrative: describe how the control operates as traced"
            )));
        }
        if self.traced.trim().is_empty() {
            return Err(Error::invalid(format!(
                "the walkthrough of {control} names no traced item: give the key or reference of the item followed through the control"
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Walkthrough {
    pub control: String,
    pub narrative: String,
    pub traced: String,
    pub evidence: Vec<i64>,
    pub interviews: Vec<i64>,
    pub design: Option<DesignConclusion>,
    /// Who concluded on design and when; None while not concluded.
    pub concluded_by: Option<String>,
    pub concluded_at: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Whether one criterion the deficiency affects is still met (by compensating controls or
/// because the deviation does not defeat it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionAssessment {
    pub criterion: String,
    pub met: bool,
}

/// The auditor's evaluation of a control with exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeficiencyInput {
    /// What was wrong, in words Section 4 prints after "For k of n … sampled,":
    /// e.g. "evidence of testing before deployment was not retained".
    pub deviation: String,
    /// The plural noun of what was sampled: "changes", "new hires"; "items" when not given.
    pub items_noun: String,
    pub cause: String,
    pub isolated: bool,
    /// Each criterion the deviation affects, and whether it is still met.
    pub criteria: Vec<CriterionAssessment>,
    /// Other controls (IDs) that compensate.
    pub compensating: Vec<String>,
    pub management_response: String,
}

impl DeficiencyInput {
    pub(crate) fn validate(&self, control: &str) -> Result<()> {
        let missing = |what: &str| Error::invalid(format!("the deficiency evaluation of {control} has no {what}"));
        if self.deviation.trim().is_empty() {
            return Err(missing("deviation (what was wrong, as the report states it)"));
        }
        if self.cause.trim().is_empty() {
            return Err(missing("cause"));
        }
        if self.criteria.is_empty() {
            return Err(missing("affected criterion: name each with whether it is still met, e.g. CC8.1=met"));
        }
        if self.compensating.iter().any(|c| c.trim().eq_ignore_ascii_case(control.trim())) {
            return Err(Error::invalid(format!("{control} cannot compensate for itself")));
        }
        Ok(())
    }
}

/// Parses `CC8.1=met` or `CC8.1=not-met`.
pub fn parse_assessment(s: &str) -> Result<CriterionAssessment> {
    let bad = || {
        Error::invalid(format!("criterion assessment {s:?} is not CRITERION=met or CRITERION=not-met, e.g. CC8.1=met"))
    };
    let (criterion, verdict) = s.split_once('=').ok_or_else(bad)?;
    let met = match verdict.trim().to_ascii_lowercase().as_str() {
        "met" | "yes" => true,
        "not-met" | "not met" | "notmet" | "no" => false,
        _ => return Err(bad()),
    };
    if criterion.trim().is_empty() {
        return Err(bad());
    }
    Ok(CriterionAssessment { criterion: criterion.trim().to_string(), met })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deficiency {
    pub control: String,
    pub deviation: String,
    pub items_noun: String,
    pub cause: String,
    pub isolated: bool,
    pub criteria: Vec<CriterionAssessment>,
    /// The compensating controls with their conclusions as they stand now.
    pub compensating: Vec<CompensatingControl>,
    pub management_response: String,
    pub evaluated_by: String,
    pub evaluated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompensatingControl {
    pub control: String,
    /// Its operating conclusion's words, or None while it is not concluded.
    pub conclusion: Option<super::fieldwork::ConclusionKind>,
}

/// A SOC 1 control objective, defined in the engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    /// Its reference, as controls cite it: `CO1`, `CO 2`, `OBJ-3`.
    pub code: String,
    pub title: String,
}

impl Objective {
    pub fn new(code: &str, title: &str) -> Result<Objective> {
        let code = code.trim();
        if code.is_empty() || code.contains([',', ';', '|']) {
            return Err(Error::invalid(format!(
                "control objective reference {code:?} must be non-empty and hold no comma, semicolon or bar"
            )));
        }
        if title.trim().is_empty() {
            return Err(Error::invalid(format!("control objective {code} has no title: state the objective")));
        }
        Ok(Objective { code: code.to_string(), title: title.trim().to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures_parse_with_their_nature_first() {
        let p = parse_procedures(
            "inquiry: Inquired of the change manager | Inspection: Inspected the ticket: approval | re-performance: Re-performed the check",
        )
        .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].nature, ProcedureNature::Inquiry);
        assert_eq!(p[1].nature, ProcedureNature::Inspection);
        assert_eq!(p[1].text, "Inspected the ticket: approval");
        assert_eq!(p[2].nature, ProcedureNature::Reperformance);
    }

    #[test]
    fn the_workpapers_numbered_lines_read_back() {
        let p = parse_procedures("1. Inquiry: Inquired of the manager\n2. Re-performance: Re-performed 2. the check")
            .unwrap();
        assert_eq!(p[0], ProcedureInput { nature: ProcedureNature::Inquiry, text: "Inquired of the manager".into() });
        assert_eq!(p[1].nature, ProcedureNature::Reperformance);
        assert_eq!(p[1].text, "Re-performed 2. the check");
    }

    #[test]
    fn a_step_without_a_nature_is_refused() {
        let e = parse_procedures("Inspected the change ticket").unwrap_err().to_string();
        assert!(e.contains("has no nature"), "{e}");
        let e = parse_procedures("looking: Looked at it").unwrap_err().to_string();
        assert!(e.contains("unknown procedure nature \"looking\""), "{e}");
        let e = parse_procedures("inspection:   ").unwrap_err().to_string();
        assert!(e.contains("has no text"), "{e}");
    }

    #[test]
    fn natures_read_back_however_they_are_spelled() {
        for s in ["re-performance", "Reperformance", "RE PERFORMANCE", "re_performance"] {
            assert_eq!(s.parse::<ProcedureNature>().unwrap(), ProcedureNature::Reperformance, "{s}");
        }
        assert_eq!("Observation".parse::<ProcedureNature>().unwrap(), ProcedureNature::Observation);
    }

    #[test]
    fn wire_names_are_the_names_read_back() {
        for n in ProcedureNature::ALL {
            assert_eq!(serde_json::to_value(n).unwrap(), n.as_str());
            assert_eq!(n.as_str().parse::<ProcedureNature>().unwrap(), n);
        }
        for d in DesignConclusion::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
    }

    #[test]
    fn assessments_parse_met_and_not_met() {
        assert_eq!(
            parse_assessment("CC8.1=met").unwrap(),
            CriterionAssessment { criterion: "CC8.1".into(), met: true }
        );
        assert!(!parse_assessment(" cc8.1 = not-met ").unwrap().met);
        assert!(parse_assessment("CC8.1").is_err());
        assert!(parse_assessment("CC8.1=maybe").is_err());
    }

    #[test]
    fn a_control_cannot_compensate_for_itself() {
        let d = DeficiencyInput {
            deviation: "evidence was not retained".into(),
            items_noun: "changes".into(),
            cause: "a new starter".into(),
            isolated: true,
            criteria: vec![CriterionAssessment { criterion: "CC8.1".into(), met: true }],
            compensating: vec!["cc8.1-01".into()],
            management_response: String::new(),
        };
        assert!(d.validate("CC8.1-01").unwrap_err().to_string().contains("cannot compensate for itself"));
    }
}
