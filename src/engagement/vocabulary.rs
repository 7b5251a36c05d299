//! The words Tickmark shows for its kinds, in one place: the CLI and the workpaper print them,
//! and the app's copy is generated from this (`src-tauri/src/json/vocabulary.rs`), so the
//! screens can never word a tickmark, a conclusion or a frequency differently.

use std::collections::BTreeMap;

use serde::Serialize;

use super::design::{DesignConclusion, ProcedureNature};
use super::evaluation::ProposalKind;
use super::fieldwork::{ConclusionKind, Outcome, TICKMARK_LEGEND};
use super::rollup::{ControlState, CriterionState};
use super::{CRITERIA_CATEGORIES, Frequency, Nature, ReportType};
use crate::store::RequestStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegendLine {
    pub mark: &'static str,
    pub meaning: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeWords {
    pub tickmark: &'static str,
    pub words: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrequencyWords {
    pub words: &'static str,
    /// Occurrences can be generated from the calendar (no client listing needed).
    pub generatable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub code: &'static str,
    pub words: &'static str,
}

/// Every kind's words, keyed by the kind's wire name (`pass`, `no-exceptions-noted`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    /// The tickmark legend printed with every results table, in order.
    pub legend: Vec<LegendLine>,
    pub outcomes: BTreeMap<&'static str, OutcomeWords>,
    pub conclusions: BTreeMap<&'static str, &'static str>,
    pub proposals: BTreeMap<&'static str, &'static str>,
    /// The Trust Services Criteria categories, in the order reports print them.
    pub criteria: Vec<Category>,
    pub frequencies: BTreeMap<&'static str, FrequencyWords>,
    pub natures: BTreeMap<&'static str, &'static str>,
    pub reports: BTreeMap<&'static str, &'static str>,
    /// A test step's nature: inquiry, observation, inspection, re-performance.
    pub procedure_natures: BTreeMap<&'static str, &'static str>,
    /// The test of design's conclusion.
    pub design_conclusions: BTreeMap<&'static str, &'static str>,
    /// Where a control stands, on the dashboard and in coverage.
    pub control_states: BTreeMap<&'static str, &'static str>,
    /// Whether a criterion is met, in coverage.
    pub criterion_states: BTreeMap<&'static str, &'static str>,
    /// Where a client request (PBC) stands.
    pub request_statuses: BTreeMap<&'static str, &'static str>,
}

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        legend: TICKMARK_LEGEND.iter().map(|&(mark, meaning)| LegendLine { mark, meaning }).collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.as_str(), OutcomeWords { tickmark: o.tickmark(), words: o.words() }))
            .collect(),
        conclusions: ConclusionKind::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
        proposals: ProposalKind::ALL.iter().map(|p| (p.as_str(), p.words())).collect(),
        criteria: CRITERIA_CATEGORIES.iter().map(|&(code, words)| Category { code, words }).collect(),
        frequencies: Frequency::ALL
            .iter()
            .map(|f| (f.as_str(), FrequencyWords { words: f.words(), generatable: f.generatable() }))
            .collect(),
        natures: Nature::ALL.iter().map(|n| (n.as_str(), n.words())).collect(),
        reports: ReportType::ALL.iter().map(|r| (r.as_str(), r.words())).collect(),
        procedure_natures: ProcedureNature::ALL.iter().map(|n| (n.as_str(), n.words())).collect(),
        design_conclusions: DesignConclusion::ALL.iter().map(|d| (d.as_str(), d.words())).collect(),
        control_states: ControlState::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
        criterion_states: CriterionState::ALL.iter().map(|c| (c.as_str(), c.words())).collect(),
        request_statuses: RequestStatus::ALL.iter().map(|r| (r.as_str(), r.words())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_words_and_the_legend_explains_every_tickmark() {
        let v = vocabulary();
        assert_eq!((v.outcomes.len(), v.conclusions.len(), v.frequencies.len()), (3, 3, 7));
        assert_eq!((v.natures.len(), v.reports.len(), v.criteria.len()), (3, 4, 5));
        assert_eq!((v.procedure_natures.len(), v.design_conclusions.len()), (4, 2));
        assert_eq!((v.control_states.len(), v.criterion_states.len(), v.request_statuses.len()), (6, 6, 4));
        assert_eq!(v.procedure_natures["re-performance"], "Re-performance");
        for o in v.outcomes.values() {
            assert!(v.legend.iter().any(|l| l.mark == o.tickmark), "no legend line for {}", o.tickmark);
        }
        assert_eq!(v.outcomes["exception"].tickmark, "X");
        assert_eq!(v.conclusions["not-effective"], "Control not operating effectively");
        let generatable: Vec<_> = v.frequencies.iter().filter(|(_, f)| f.generatable).map(|(k, _)| *k).collect();
        assert_eq!(generatable, ["daily", "monthly", "quarterly", "weekly"]);
    }

    #[test]
    fn every_wire_name_reads_back_and_an_unknown_one_lists_them_all() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
        }
        for p in ProposalKind::ALL {
            assert_eq!(p.as_str().parse::<ProposalKind>().unwrap(), p);
        }
        let err = "passed".parse::<Outcome>().unwrap_err().to_string();
        assert_eq!(err, "unknown outcome \"passed\": expected pass, exception or na");
        let err = "ok".parse::<ConclusionKind>().unwrap_err().to_string();
        assert!(err.ends_with("expected no-exceptions-noted, exceptions-noted or not-effective"), "{err}");
    }
}
