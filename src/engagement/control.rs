//! A control under test and the attributes (pass conditions) each sample item is tested for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Frequency;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nature {
    Manual,
    Automated,
    ItDependentManual,
}

impl Nature {
    pub fn as_str(self) -> &'static str {
        match self {
            Nature::Manual => "manual",
            Nature::Automated => "automated",
            Nature::ItDependentManual => "it-dependent-manual",
        }
    }

    pub const ALL: [Nature; 3] = [Nature::Manual, Nature::Automated, Nature::ItDependentManual];

    /// As a person reads it.
    pub fn words(self) -> &'static str {
        match self {
            Nature::Manual => "Manual",
            Nature::Automated => "Automated",
            Nature::ItDependentManual => "IT-dependent manual",
        }
    }
}

impl fmt::Display for Nature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Nature {
    type Err = Error;

    fn from_str(s: &str) -> Result<Nature> {
        let folded: String =
            s.trim().to_ascii_lowercase().chars().map(|c| if c == ' ' || c == '_' { '-' } else { c }).collect();
        match folded.as_str() {
            "manual" => Ok(Nature::Manual),
            "automated" | "automatic" => Ok(Nature::Automated),
            "it-dependent-manual" | "itdm" | "it-dependent" | "semi-automated" => Ok(Nature::ItDependentManual),
            _ => {
                Err(Error::invalid(format!("unknown nature {s:?}: expected manual, automated or it-dependent-manual")))
            }
        }
    }
}

/// One pass condition, labelled A, B, C ..., written before testing starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub label: String,
    pub condition: String,
}

/// Parses `A: approved before deployment | B: tested before deployment`, or one attribute a
/// line as the workpaper's Controls sheet prints them. An item without a label gets the next
/// free letter.
pub fn parse_attributes(s: &str) -> Result<Vec<Attribute>> {
    let mut out: Vec<Attribute> = Vec::new();
    for part in s.split(['|', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (label, condition) = match part.split_once(':') {
            Some((l, c)) if is_label(l.trim()) => (l.trim().to_ascii_uppercase(), c.trim().to_string()),
            _ => (next_label(out.len()), part.to_string()),
        };
        if condition.is_empty() {
            return Err(Error::invalid(format!("attribute {label} has no pass condition")));
        }
        if out.iter().any(|a| a.label == label) {
            return Err(Error::invalid(format!("attribute {label} is listed twice")));
        }
        out.push(Attribute { label, condition });
    }
    Ok(out)
}

fn is_label(s: &str) -> bool {
    (1..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn next_label(i: usize) -> String {
    if i < 26 { ((b'A' + i as u8) as char).to_string() } else { format!("A{}", i - 25) }
}

/// What the auditor types or imports to create a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlInput {
    pub code: String,
    pub description: String,
    /// Criteria references such as `CC6.1`.
    pub criteria: Vec<String>,
    pub frequency: Frequency,
    pub nature: Nature,
    pub owner: String,
    pub attributes: Vec<Attribute>,
    /// The test procedure's steps, in order.
    #[serde(default)]
    pub procedures: Vec<super::design::ProcedureInput>,
}

impl ControlInput {
    pub(crate) fn validate(&self) -> Result<()> {
        if self.code.trim().is_empty() {
            return Err(Error::invalid("the control ID is empty"));
        }
        if self.description.trim().is_empty() {
            return Err(Error::invalid(format!("control {} has no description", self.code)));
        }
        Ok(())
    }
}

pub fn parse_criteria_refs(s: &str) -> Vec<String> {
    s.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    pub id: i64,
    pub code: String,
    pub description: String,
    pub criteria: Vec<String>,
    pub frequency: Frequency,
    pub nature: Nature,
    pub owner: String,
    pub attributes: Vec<Attribute>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labelled_and_unlabelled_attributes() {
        let a = parse_attributes("A: approved before deployment | B: tested before deployment").unwrap();
        assert_eq!(a[1], Attribute { label: "B".into(), condition: "tested before deployment".into() });
        let b = parse_attributes("approved | tested: with evidence").unwrap();
        assert_eq!(b[0].label, "A");
        assert_eq!(b[1].label, "B");
        assert_eq!(b[1].condition, "tested: with evidence");
        assert!(parse_attributes("A: x | A: y").is_err());
    }
}
