//! Criteria coverage: each in-scope criterion (or SOC 1 control objective) with the controls
//! that address it and where each stands, rolled up to whether the criterion is met. Pure
//! rules over facts the store gathers, so the CLI, the app and Section 4 agree.

use serde::Serialize;

use super::ReportType;
use super::criteria::{self, CATALOGUE};
use super::design::{CriterionAssessment, DesignConclusion, Objective};
use super::fieldwork::ConclusionKind;

/// Where one control stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlState {
    NotStarted,
    /// A sample is drawn; no result recorded yet.
    Sampled,
    /// Results are being recorded; not concluded.
    Tested,
    /// Concluded: no exceptions noted (or, in a Type 1, suitably designed).
    NoExceptions,
    /// Concluded: exceptions noted.
    Exceptions,
    /// Concluded: not operating effectively (or, in a Type 1, not suitably designed).
    NotEffective,
}

impl ControlState {
    pub const ALL: [ControlState; 6] = [
        ControlState::NotStarted,
        ControlState::Sampled,
        ControlState::Tested,
        ControlState::NoExceptions,
        ControlState::Exceptions,
        ControlState::NotEffective,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::NotStarted => "not-started",
            ControlState::Sampled => "sampled",
            ControlState::Tested => "tested",
            ControlState::NoExceptions => "no-exceptions",
            ControlState::Exceptions => "exceptions",
            ControlState::NotEffective => "not-effective",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            ControlState::NotStarted => "Not started",
            ControlState::Sampled => "Sampled",
            ControlState::Tested => "Tested, not concluded",
            ControlState::NoExceptions => "Concluded: no exceptions",
            ControlState::Exceptions => "Concluded: exceptions",
            ControlState::NotEffective => "Concluded: not effective",
        }
    }

    pub fn concluded(self) -> bool {
        matches!(self, ControlState::NoExceptions | ControlState::Exceptions | ControlState::NotEffective)
    }

    /// A Type 2 control's state from its sample and operating conclusion.
    pub fn operating(sampled: bool, recorded_results: bool, conclusion: Option<ConclusionKind>) -> ControlState {
        match conclusion {
            Some(ConclusionKind::NoExceptionsNoted) => ControlState::NoExceptions,
            Some(ConclusionKind::ExceptionsNoted) => ControlState::Exceptions,
            Some(ConclusionKind::NotEffective) => ControlState::NotEffective,
            None if recorded_results => ControlState::Tested,
            None if sampled => ControlState::Sampled,
            None => ControlState::NotStarted,
        }
    }

    /// A Type 1 control's state: its design conclusion is its conclusion.
    pub fn design(design: Option<DesignConclusion>, walked_through: bool) -> ControlState {
        match design {
            Some(DesignConclusion::Effective) => ControlState::NoExceptions,
            Some(DesignConclusion::NotEffective) => ControlState::NotEffective,
            None if walked_through => ControlState::Tested,
            None => ControlState::NotStarted,
        }
    }
}

/// Whether a criterion is met, as far as the fieldwork shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CriterionState {
    /// In scope with no control addressing it.
    NoControl,
    /// Every control concluded without exceptions.
    Met,
    /// Met, with exceptions the deficiency evaluations judged not to defeat it.
    MetWithExceptions,
    /// Some control addressing it is not concluded yet.
    InProgress,
    /// A control addressing it has exceptions and no deficiency evaluation yet.
    NotEvaluated,
    /// A deficiency evaluation judged it not met.
    NotMet,
}

impl CriterionState {
    pub const ALL: [CriterionState; 6] = [
        CriterionState::NoControl,
        CriterionState::Met,
        CriterionState::MetWithExceptions,
        CriterionState::InProgress,
        CriterionState::NotEvaluated,
        CriterionState::NotMet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CriterionState::NoControl => "no-control",
            CriterionState::Met => "met",
            CriterionState::MetWithExceptions => "met-with-exceptions",
            CriterionState::InProgress => "in-progress",
            CriterionState::NotEvaluated => "not-evaluated",
            CriterionState::NotMet => "not-met",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            CriterionState::NoControl => "No control addresses it",
            CriterionState::Met => "Met",
            CriterionState::MetWithExceptions => "Met, with exceptions evaluated",
            CriterionState::InProgress => "In progress",
            CriterionState::NotEvaluated => "Exceptions not yet evaluated",
            CriterionState::NotMet => "Not met",
        }
    }
}

/// One control's line on the engagement dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardRow {
    pub control: String,
    pub description: String,
    pub criteria: Vec<String>,
    pub state: ControlState,
    /// Items in the current population's sampling frame; None without a population.
    pub population: Option<u64>,
    /// Items listed in the current sample (voided ones aside); None without a sample.
    pub sample: Option<u64>,
    /// Items tested (every attribute recorded) of those sampled.
    pub tested: u64,
    /// Items with at least one exception.
    pub exceptions: u64,
    pub design: Option<DesignConclusion>,
    pub operating: Option<ConclusionKind>,
    pub procedure_steps: u64,
    pub deficiency_evaluated: bool,
    /// Standing (not cleared) sign-offs.
    pub preparer: Option<String>,
    pub reviewer: Option<String>,
    pub open_notes: u64,
}

impl DashboardRow {
    pub fn signed_off(&self) -> bool {
        self.preparer.is_some() && self.reviewer.is_some()
    }

    pub fn with_exceptions(&self) -> bool {
        self.exceptions > 0 || matches!(self.state, ControlState::Exceptions | ControlState::NotEffective)
    }
}

/// What coverage needs to know of one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlFacts {
    pub code: String,
    /// Its criteria (or objective) references, as stored.
    pub criteria: Vec<String>,
    pub state: ControlState,
    /// The deficiency evaluation's assessments, when one is recorded.
    pub assessed: Option<Vec<CriterionAssessment>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoveredControl {
    pub code: String,
    pub state: ControlState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionCoverage {
    /// `CC6.1`, or a control objective's reference.
    pub id: String,
    pub title: String,
    /// The category code (`CC`, `A`, …), or `objective` for a SOC 1 control objective.
    pub category: String,
    pub controls: Vec<CoveredControl>,
    pub state: CriterionState,
}

/// A control's reference that names no in-scope criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrayReference {
    pub control: String,
    pub reference: String,
    /// Why it is not counted: unknown, or outside the engagement's scope.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub criteria: Vec<CriterionCoverage>,
    /// IDs of in-scope criteria no control addresses.
    pub without_control: Vec<String>,
    /// IDs of criteria judged not met.
    pub not_met: Vec<String>,
    pub stray: Vec<StrayReference>,
}

/// The coverage of an engagement: SOC 2 reports list the catalogue's criteria of the
/// categories in scope; SOC 1 reports list the engagement's own control objectives.
pub fn coverage(
    report: ReportType,
    categories: &[String],
    objectives: &[Objective],
    controls: &[ControlFacts],
) -> Coverage {
    let rows: Vec<(String, String, String)> = if report.is_soc1() {
        objectives.iter().map(|o| (o.code.clone(), o.title.clone(), "objective".to_string())).collect()
    } else {
        CATALOGUE
            .iter()
            .filter(|c| categories.iter().any(|k| k == c.category.code()))
            .map(|c| (c.id.to_string(), c.title.to_string(), c.category.code().to_string()))
            .collect()
    };
    let mut stray = Vec::new();
    for control in controls {
        for reference in &control.criteria {
            if !rows.iter().any(|(id, ..)| id == reference) {
                let reason = if report.is_soc1() {
                    "not a control objective of this engagement".to_string()
                } else {
                    match criteria::criterion(reference) {
                        Some(c) => format!("category {} is not in this engagement's scope", c.category.code()),
                        None => "not a Trust Services Criterion".to_string(),
                    }
                };
                stray.push(StrayReference { control: control.code.clone(), reference: reference.clone(), reason });
            }
        }
    }
    let criteria: Vec<CriterionCoverage> = rows
        .into_iter()
        .map(|(id, title, category)| {
            let addressing: Vec<&ControlFacts> = controls.iter().filter(|c| c.criteria.contains(&id)).collect();
            let state = criterion_state(&id, &addressing);
            CriterionCoverage {
                controls: addressing.iter().map(|c| CoveredControl { code: c.code.clone(), state: c.state }).collect(),
                id,
                title,
                category,
                state,
            }
        })
        .collect();
    Coverage {
        without_control: criteria
            .iter()
            .filter(|c| c.state == CriterionState::NoControl)
            .map(|c| c.id.clone())
            .collect(),
        not_met: criteria.iter().filter(|c| c.state == CriterionState::NotMet).map(|c| c.id.clone()).collect(),
        criteria,
        stray,
    }
}

/// The worst of what each addressing control says of `id`: not met over not evaluated over in
/// progress over met with exceptions over met.
fn criterion_state(id: &str, controls: &[&ControlFacts]) -> CriterionState {
    if controls.is_empty() {
        return CriterionState::NoControl;
    }
    controls
        .iter()
        .map(|c| match c.state {
            ControlState::NotStarted | ControlState::Sampled | ControlState::Tested => CriterionState::InProgress,
            ControlState::NoExceptions => CriterionState::Met,
            ControlState::Exceptions | ControlState::NotEffective => match &c.assessed {
                None => CriterionState::NotEvaluated,
                Some(assessed) => match assessed.iter().find(|a| a.criterion == id) {
                    Some(a) if !a.met => CriterionState::NotMet,
                    // Judged still met, or not among the criteria the deviation affects.
                    _ => CriterionState::MetWithExceptions,
                },
            },
        })
        .max()
        .expect("at least one control")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(code: &str, criteria: &[&str], state: ControlState, assessed: Option<&[(&str, bool)]>) -> ControlFacts {
        ControlFacts {
            code: code.into(),
            criteria: criteria.iter().map(|s| s.to_string()).collect(),
            state,
            assessed: assessed.map(|a| {
                a.iter().map(|(c, met)| CriterionAssessment { criterion: c.to_string(), met: *met }).collect()
            }),
        }
    }

    fn state_of(c: &Coverage, id: &str) -> CriterionState {
        c.criteria.iter().find(|x| x.id == id).unwrap().state
    }

    #[test]
    fn soc2_lists_every_criterion_of_the_categories_in_scope() {
        let c = coverage(ReportType::Soc2Type2, &["CC".into()], &[], &[]);
        assert_eq!(c.criteria.len(), 33);
        assert_eq!(c.without_control.len(), 33);
        let c = coverage(ReportType::Soc2Type2, &["CC".into(), "A".into(), "C".into()], &[], &[]);
        assert_eq!(c.criteria.len(), 38);
        assert_eq!(c.criteria.last().unwrap().id, "C1.2");
    }

    #[test]
    fn criteria_roll_up_to_the_worst_control() {
        use ControlState::*;
        let controls = [
            facts("C-1", &["CC6.1"], NoExceptions, None),
            facts("C-2", &["CC6.1", "CC6.2"], Exceptions, Some(&[("CC6.1", true)])),
            facts("C-3", &["CC8.1"], NotEffective, Some(&[("CC8.1", false)])),
            facts("C-4", &["CC7.1"], Exceptions, None),
            facts("C-5", &["CC7.2"], Sampled, None),
            facts("C-6", &["CC7.3"], NoExceptions, None),
            facts("C-7", &["CC9.9", "A1.1"], NoExceptions, None),
        ];
        let c = coverage(ReportType::Soc2Type2, &["CC".into()], &[], &controls);
        assert_eq!(state_of(&c, "CC6.1"), CriterionState::MetWithExceptions);
        // C-2's deviation was judged not to affect CC6.2.
        assert_eq!(state_of(&c, "CC6.2"), CriterionState::MetWithExceptions);
        assert_eq!(state_of(&c, "CC8.1"), CriterionState::NotMet);
        assert_eq!(state_of(&c, "CC7.1"), CriterionState::NotEvaluated);
        assert_eq!(state_of(&c, "CC7.2"), CriterionState::InProgress);
        assert_eq!(state_of(&c, "CC7.3"), CriterionState::Met);
        assert_eq!(c.not_met, vec!["CC8.1".to_string()]);
        assert_eq!(c.without_control.len(), 33 - 6);
        assert_eq!(c.stray.len(), 2);
        assert_eq!(c.stray[0].reason, "not a Trust Services Criterion");
        assert_eq!(c.stray[1].reason, "category A is not in this engagement's scope");
    }

    #[test]
    fn soc1_lists_the_engagements_objectives() {
        let objectives = vec![Objective::new("CO1", "Changes are authorised").unwrap()];
        let c = coverage(
            ReportType::Soc1Type2,
            &["CC".into()],
            &objectives,
            &[facts("C-1", &["CO1"], ControlState::Tested, None), facts("C-2", &["CC6.1"], ControlState::Tested, None)],
        );
        assert_eq!(c.criteria.len(), 1);
        assert_eq!(c.criteria[0].state, CriterionState::InProgress);
        assert_eq!(c.stray[0].reference, "CC6.1");
    }

    #[test]
    fn control_states_follow_the_fieldwork() {
        assert_eq!(ControlState::operating(false, false, None), ControlState::NotStarted);
        assert_eq!(ControlState::operating(true, false, None), ControlState::Sampled);
        assert_eq!(ControlState::operating(true, true, None), ControlState::Tested);
        assert_eq!(
            ControlState::operating(true, true, Some(ConclusionKind::ExceptionsNoted)),
            ControlState::Exceptions
        );
        assert_eq!(ControlState::design(Some(DesignConclusion::NotEffective), true), ControlState::NotEffective);
        assert_eq!(ControlState::design(None, true), ControlState::Tested);
    }
}
