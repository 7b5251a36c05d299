//! The 2017 Trust Services Criteria (with the revised points of focus, 2022): every criterion's
//! ID and a short title, as engine data. A control's criteria are checked against this
//! catalogue: a reference is read the way auditors type it (`cc6.1`, `CC61`, ` CC6.1 `) and
//! normalised, and one that names no criterion is refused with the nearest valid ID.

use std::fmt;

use serde::Serialize;

use crate::{Error, Result};

/// A TSC category: the common criteria (security) and the four additional categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Category {
    #[serde(rename = "CC")]
    Common,
    #[serde(rename = "A")]
    Availability,
    #[serde(rename = "C")]
    Confidentiality,
    #[serde(rename = "PI")]
    ProcessingIntegrity,
    #[serde(rename = "P")]
    Privacy,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Common,
        Category::Availability,
        Category::Confidentiality,
        Category::ProcessingIntegrity,
        Category::Privacy,
    ];

    /// The prefix of its criteria's IDs (`CC`, `A`, `C`, `PI`, `P`), as engagements record it.
    pub fn code(self) -> &'static str {
        match self {
            Category::Common => "CC",
            Category::Availability => "A",
            Category::Confidentiality => "C",
            Category::ProcessingIntegrity => "PI",
            Category::Privacy => "P",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One criterion of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub id: &'static str,
    pub category: Category,
    /// A short title, for lists and the coverage view (the full criterion is the AICPA's text).
    pub title: &'static str,
}

const fn c(id: &'static str, category: Category, title: &'static str) -> Criterion {
    Criterion { id, category, title }
}

use Category::{Availability as A, Common as CC, Confidentiality as C, Privacy as P, ProcessingIntegrity as PI};

/// Every criterion, in the order SOC 2 reports print them.
pub const CATALOGUE: [Criterion; 61] = [
    c("CC1.1", CC, "Commitment to integrity and ethical values"),
    c("CC1.2", CC, "Board independence and oversight of internal control"),
    c("CC1.3", CC, "Structures, reporting lines, authorities and responsibilities"),
    c("CC1.4", CC, "Commitment to attract, develop and retain competent individuals"),
    c("CC1.5", CC, "Accountability for internal control responsibilities"),
    c("CC2.1", CC, "Relevant, quality information to support internal control"),
    c("CC2.2", CC, "Internal communication of objectives and responsibilities"),
    c("CC2.3", CC, "Communication with external parties"),
    c("CC3.1", CC, "Objectives specified clearly enough to identify and assess risks"),
    c("CC3.2", CC, "Identification and analysis of risks to objectives"),
    c("CC3.3", CC, "Consideration of the potential for fraud"),
    c("CC3.4", CC, "Identification and assessment of significant changes"),
    c("CC4.1", CC, "Ongoing and separate evaluations of internal control"),
    c("CC4.2", CC, "Evaluation and communication of control deficiencies"),
    c("CC5.1", CC, "Control activities that mitigate risks"),
    c("CC5.2", CC, "General control activities over technology"),
    c("CC5.3", CC, "Control activities deployed through policies and procedures"),
    c("CC6.1", CC, "Logical access security over protected information assets"),
    c("CC6.2", CC, "Registration and authorisation of new users before credentials are issued"),
    c("CC6.3", CC, "Access granted, modified and removed by role, least privilege and segregation of duties"),
    c("CC6.4", CC, "Physical access to facilities and protected information assets"),
    c("CC6.5", CC, "Protection of data on physical assets until it can no longer be read or recovered"),
    c("CC6.6", CC, "Logical access measures against threats from outside the system boundaries"),
    c("CC6.7", CC, "Restriction of the transmission, movement and removal of information"),
    c("CC6.8", CC, "Prevention or detection of unauthorised or malicious software"),
    c("CC7.1", CC, "Detection and monitoring of configuration changes and vulnerabilities"),
    c("CC7.2", CC, "Monitoring of system components for anomalies"),
    c("CC7.3", CC, "Evaluation of security events"),
    c("CC7.4", CC, "Response to security incidents"),
    c("CC7.5", CC, "Recovery from security incidents"),
    c("CC8.1", CC, "Change management: changes authorised, designed, tested, approved and implemented"),
    c("CC9.1", CC, "Risk mitigation for business disruptions"),
    c("CC9.2", CC, "Vendor and business partner risk management"),
    c("A1.1", A, "Capacity: current processing capacity and use monitored and evaluated"),
    c("A1.2", A, "Environmental protections, backups and recovery infrastructure"),
    c("A1.3", A, "Testing of recovery plan procedures"),
    c("C1.1", C, "Identification and maintenance of confidential information"),
    c("C1.2", C, "Disposal of confidential information"),
    c("PI1.1", PI, "Information about processing objectives, data definitions and specifications"),
    c("PI1.2", PI, "Policies and procedures over system inputs"),
    c("PI1.3", PI, "Policies and procedures over system processing"),
    c("PI1.4", PI, "Output made available or delivered completely, accurately and on time"),
    c("PI1.5", PI, "Inputs, items in processing and outputs stored completely and accurately"),
    c("P1.1", P, "Notice to data subjects about privacy practices"),
    c("P2.1", P, "Choice and consent"),
    c("P3.1", P, "Collection consistent with privacy objectives"),
    c("P3.2", P, "Explicit consent where required"),
    c("P4.1", P, "Use limited to the purposes identified"),
    c("P4.2", P, "Retention of personal information"),
    c("P4.3", P, "Secure disposal of personal information"),
    c("P5.1", P, "Data subjects' access to their personal information"),
    c("P5.2", P, "Correction of personal information at a data subject's request"),
    c("P6.1", P, "Disclosure to third parties with consent"),
    c("P6.2", P, "Record of authorised disclosures"),
    c("P6.3", P, "Record of unauthorised disclosures, including breaches"),
    c("P6.4", P, "Privacy commitments obtained from vendors and third parties"),
    c("P6.5", P, "Vendors' notification of unauthorised disclosures"),
    c("P6.6", P, "Notification of breaches and incidents"),
    c("P6.7", P, "Accounting of personal information held and disclosed"),
    c("P7.1", P, "Quality: accurate, complete and relevant personal information"),
    c("P8.1", P, "Inquiries, complaints and disputes"),
];

/// The criterion with exactly this ID.
pub fn criterion(id: &str) -> Option<&'static Criterion> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// A reference read back as the catalogue's ID. `normalised` is true when what was typed
/// differed (case, spaces or a missing dot), so the caller can report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub criterion: &'static Criterion,
    pub normalised: bool,
}

/// Reads one criterion reference: `CC6.1`, `cc6.1`, `CC61`, ` C1.2 `. An unknown one is
/// refused naming the nearest valid ID.
pub fn reference(typed: &str) -> Result<Reference> {
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if let Some(found) = criterion(&compact) {
        return Ok(Reference { criterion: found, normalised: compact != typed });
    }
    // A missing dot: the category's letters, then the series digit, then the rest (CC61 → CC6.1).
    if !compact.contains('.') {
        let letters = compact.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        if compact.len() > letters + 1 {
            let dotted = format!("{}.{}", &compact[..letters + 1], &compact[letters + 1..]);
            if let Some(found) = criterion(&dotted) {
                return Ok(Reference { criterion: found, normalised: true });
            }
        }
    }
    Err(Error::invalid(format!(
        "unknown Trust Services Criterion {typed:?}: did you mean {}? (the 2017 TSC: CC1.1 to CC9.2, A1.1 to A1.3, C1.1 to C1.2, PI1.1 to PI1.5, P1.1 to P8.1)",
        nearest(&compact).id
    )))
}

/// The catalogue entry closest to `typed` by edit distance (ties: the earlier in report order).
pub fn nearest(typed: &str) -> &'static Criterion {
    CATALOGUE.iter().min_by_key(|c| edit_distance(typed, c.id)).expect("a non-empty catalogue")
}

/// Levenshtein distance over characters: criterion IDs are a few ASCII characters long.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_61_criteria_33_cc_3_a_2_c_5_pi_18_p() {
        let count = |cat: Category| CATALOGUE.iter().filter(|c| c.category == cat).count();
        assert_eq!(CATALOGUE.len(), 61);
        assert_eq!(
            Category::ALL.map(count),
            [33, 3, 2, 5, 18],
            "CC, A, C, PI, P as the AICPA's 2017 TSC (revised points of focus, 2022) lists them"
        );
        // Every ID is unique, starts with its category's code and is in report order.
        for (i, c) in CATALOGUE.iter().enumerate() {
            assert!(c.id.starts_with(c.category.code()), "{}", c.id);
            assert!(!CATALOGUE[..i].iter().any(|d| d.id == c.id), "{} twice", c.id);
            assert!(!c.title.is_empty());
        }
        let series: Vec<&str> = CATALOGUE.iter().filter(|c| c.id.starts_with("CC6")).map(|c| c.id).collect();
        assert_eq!(series, ["CC6.1", "CC6.2", "CC6.3", "CC6.4", "CC6.5", "CC6.6", "CC6.7", "CC6.8"]);
    }

    #[test]
    fn references_are_normalised_and_reported_as_such() {
        let r = reference("CC6.1").unwrap();
        assert_eq!((r.criterion.id, r.normalised), ("CC6.1", false));
        for typed in ["cc6.1", "CC61", " CC6.1 ", "cc 6.1"] {
            let r = reference(typed).unwrap();
            assert_eq!((r.criterion.id, r.normalised), ("CC6.1", true), "{typed:?}");
        }
        assert_eq!(reference("pi15").unwrap().criterion.id, "PI1.5");
        assert_eq!(reference("p61").unwrap().criterion.id, "P6.1");
    }

    #[test]
    fn an_unknown_reference_is_refused_naming_the_nearest_valid_id() {
        let err = reference("CC6.9").unwrap_err().to_string();
        assert!(err.contains("unknown Trust Services Criterion \"CC6.9\": did you mean CC6.1?"), "{err}");
        assert_eq!(nearest("CC10.1").id, "CC1.1");
        assert_eq!(nearest("A1.4").id, "A1.1");
        assert_eq!(nearest("PI2.1").id, "PI1.1");
        assert!(reference("").is_err());
        assert!(reference("SOC2").is_err());
    }
}
