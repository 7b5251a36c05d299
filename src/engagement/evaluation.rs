//! How a sample was planned (its approach, recorded with it) and how its results are evaluated
//! under that approach: the audit rules that turn results into figures and a proposed
//! conclusion. Pure functions: the store gathers the results, these decide; a proposal never
//! contradicts the figures beside it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Frequency;
use super::fieldwork::{ConclusionKind, Outcome};
use crate::sampling::{
    Distribution, Evaluation, FrequencyTable, OccurrenceBands, Plan, Rate, Risk, evaluate, percent_of_decimal,
    plan_attribute,
};
use crate::{Error, Result};

/// How the auditor planned the sample's size: recorded with the sample, it decides how the
/// deviations are evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Approach {
    /// Statistical attribute sampling: the upper deviation limit of the planned distribution at
    /// the planned confidence is compared with the tolerable rate.
    Statistical {
        /// binomial, poisson or hypergeometric.
        distribution: String,
        /// The frame's size, for the hypergeometric model.
        population_size: Option<u64>,
        confidence: String,
        tolerable_rate: String,
        expected_rate: String,
        /// None when no size reaches the planned reliance.
        planned_size: Option<u64>,
        allowed_deviations: u64,
    },
    /// Non-statistical, from the firm's frequency table.
    FirmTable {
        frequency: Frequency,
        /// The table row used: the control's frequency, or for an event-driven control the row
        /// its number of occurrences maps to.
        row: Frequency,
        /// Occurrences in the frame, for an event-driven control.
        occurrences: Option<u64>,
        risk: Risk,
        table_size: u64,
    },
    /// Non-statistical, a size the auditor judged, with the reason.
    Judgemental { reason: String },
    /// One instance of an automated control, with the rationale.
    TestOfOne { rationale: String },
}

impl Approach {
    pub fn is_statistical(&self) -> bool {
        matches!(self, Approach::Statistical { .. })
    }

    /// The size the plan asked for, where it names one.
    pub fn planned_size(&self) -> Option<u64> {
        match self {
            Approach::Statistical { planned_size, .. } => *planned_size,
            Approach::FirmTable { table_size, .. } => Some(*table_size),
            Approach::Judgemental { .. } => None,
            Approach::TestOfOne { .. } => Some(1),
        }
    }

    /// The planned distribution, for a statistical sample.
    pub fn distribution(&self) -> Result<Option<Distribution>> {
        match self {
            Approach::Statistical { distribution, population_size, .. } => {
                Ok(Some(Distribution::from_name(distribution, *population_size)?))
            }
            _ => Ok(None),
        }
    }

    /// One sentence for the workpaper.
    pub fn words(&self) -> String {
        match self {
            Approach::Statistical {
                distribution,
                population_size,
                confidence,
                tolerable_rate,
                expected_rate,
                planned_size,
                allowed_deviations,
            } => {
                let pct = |r: &str| percent_text(r);
                let population = population_size.map(|n| format!(" (population of {n} items)")).unwrap_or_default();
                let size = match planned_size {
                    Some(n) => format!("planned size {n}, {allowed_deviations} deviation(s) allowed"),
                    None => "no size reaches the planned reliance".to_string(),
                };
                format!(
                    "Statistical attribute sampling, {distribution}{population}: confidence {}, tolerable rate {}, expected rate {}; {size}.",
                    pct(confidence),
                    pct(tolerable_rate),
                    pct(expected_rate)
                )
            }
            Approach::FirmTable { frequency, row, occurrences, risk, table_size } => match occurrences {
                Some(n) => format!(
                    "Non-statistical, firm frequency table: {frequency} control with {n} occurrences in the frame (the {row} row), {risk} risk of failure; {table_size} item(s)."
                ),
                None => format!(
                    "Non-statistical, firm frequency table: {frequency} control, {risk} risk of failure; {table_size} item(s)."
                ),
            },
            Approach::Judgemental { reason } => format!("Non-statistical, size judged by the auditor: {reason}"),
            Approach::TestOfOne { rationale } => format!("Test of one (automated control): {rationale}"),
        }
    }
}

/// A recorded rate as the workpaper prints it (`0.05` → `5.0%`), or as recorded if it is not one.
fn percent_text(rate: &str) -> String {
    percent_of_decimal(rate).unwrap_or_else(|| rate.to_string())
}

/// How the auditor asks for a sample to be planned; the engine turns it into an [`Approach`]
/// once it knows the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planning {
    Statistical { confidence: Rate, tolerable: Rate, expected: Rate, distribution: String },
    FirmTable { frequency: Frequency, risk: Risk },
    Judgemental { reason: String },
    TestOfOne { rationale: String },
}

/// Plans a sample of a frame of `frame_size` items: the approach to record and the plan
/// (size and basis sentence).
pub fn plan_sample(
    planning: &Planning,
    frame_size: u64,
    table: &FrequencyTable,
    policy: &SamplingPolicy,
) -> Result<(Approach, Plan)> {
    Ok(match planning {
        Planning::Statistical { confidence, tolerable, expected, distribution } => {
            let population = (distribution.trim().eq_ignore_ascii_case("hypergeometric")).then_some(frame_size);
            let model = Distribution::from_name(distribution, population)?;
            let plan = plan_attribute(*confidence, *tolerable, *expected, model)?;
            let approach = Approach::Statistical {
                distribution: model.name().to_string(),
                population_size: population,
                confidence: confidence.decimal().normalize().to_string(),
                tolerable_rate: tolerable.decimal().normalize().to_string(),
                expected_rate: expected.decimal().normalize().to_string(),
                planned_size: plan.sample_size,
                allowed_deviations: plan.allowed_deviations,
            };
            (approach, plan)
        }
        Planning::FirmTable { frequency, risk } => {
            let (row, occurrences) = match frequency {
                Frequency::EventDriven => (policy.event_bands.row_for(frame_size)?, Some(frame_size)),
                f => (*f, None),
            };
            let plan = table.plan(row, *risk)?;
            let approach = Approach::FirmTable {
                frequency: *frequency,
                row,
                occurrences,
                risk: *risk,
                table_size: plan.sample_size.unwrap_or(0),
            };
            let plan = match occurrences {
                Some(_) => plan.with_basis(format!(
                    "{} Event-driven controls take the row their occurrences fall in: {}.",
                    approach.words(),
                    policy.event_bands
                )),
                None => plan,
            };
            (approach, plan)
        }
        Planning::Judgemental { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(Error::invalid("a judgemental sample size needs the reason for it"));
            }
            let approach = Approach::Judgemental { reason: reason.to_string() };
            (approach.clone(), Plan::judgemental(&approach.words()))
        }
        Planning::TestOfOne { rationale } => {
            let plan = Plan::test_of_one(rationale)?;
            (Approach::TestOfOne { rationale: rationale.trim().to_string() }, plan)
        }
    })
}

/// Whether drawing `size` items falls short of the approach's plan: the warning to show at
/// draw time, or None. A test of one is exactly one item; anything else is refused.
pub fn draw_warning(approach: &Approach, size: u64) -> Result<Option<String>> {
    Ok(match approach {
        Approach::TestOfOne { .. } if size != 1 => {
            return Err(Error::invalid(format!("a test of one draws 1 item, not {size}")));
        }
        Approach::Statistical { planned_size: Some(planned), tolerable_rate, .. } if size < *planned => Some(format!(
            "{size} items is fewer than the {planned} the statistical plan needs for a tolerable rate of {}: unless the sample is extended, it cannot support the planned reliance",
            percent_text(tolerable_rate)
        )),
        Approach::Statistical { planned_size: None, .. } => Some(
            "no sample size reaches the planned reliance (the expected rate is not below the tolerable rate): the sample cannot support it"
                .to_string(),
        ),
        Approach::FirmTable { table_size, .. } if size < *table_size => {
            Some(format!("{size} items is fewer than the firm's table asks for ({table_size})"))
        }
        _ => None,
    })
}

/// The engagement's sampling policy beside its frequency table: how event-driven controls map
/// to the table's rows, and the expansion rule for deviations in non-statistical samples.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SamplingPolicy {
    pub event_bands: OccurrenceBands,
    pub expansion: ExpansionRule,
}

/// The firm's rule for deviations found in a non-statistical sample, kept per engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionRule {
    /// Up to this many deviations, the sample is extended once and the conclusion drawn on the
    /// extended sample; more are exceptions noted, with the auditor deciding effective or not.
    pub extend_up_to: u64,
    /// Items to add; None adds the sample's planned size again (the table's size).
    pub extend_by: Option<u64>,
}

impl Default for ExpansionRule {
    /// One deviation: extend by the size in the table.
    fn default() -> ExpansionRule {
        ExpansionRule { extend_up_to: 1, extend_by: None }
    }
}

impl fmt::Display for ExpansionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by = match self.extend_by {
            Some(n) => format!("{n} items"),
            None => "the planned size".to_string(),
        };
        write!(
            f,
            "up to {} deviation(s): extend the sample by {by} and conclude on the extended sample; more: exceptions noted, the auditor decides effective or not",
            self.extend_up_to
        )
    }
}

impl std::str::FromStr for ExpansionRule {
    type Err = Error;

    /// `K:planned` or `K:N`, e.g. `1:planned` (the default) or `1:25`.
    fn from_str(s: &str) -> Result<ExpansionRule> {
        let bad = || {
            Error::invalid(format!(
                "expansion rule {s:?}: write DEVIATIONS:planned or DEVIATIONS:ITEMS, e.g. 1:planned or 1:25"
            ))
        };
        let (k, by) = s.trim().split_once(':').ok_or_else(bad)?;
        let extend_up_to: u64 = k.trim().parse().map_err(|_| bad())?;
        let extend_by = match by.trim() {
            "planned" => None,
            n => Some(n.parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(bad)?),
        };
        Ok(ExpansionRule { extend_up_to, extend_by })
    }
}

/// One listed sample item as the evaluation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResults {
    pub ordinal: u64,
    pub stratum: Option<String>,
    pub voided: bool,
    /// The voided item this one replaces.
    pub replaces: Option<u64>,
    /// The outcome recorded for each attribute tested so far.
    pub outcomes: Vec<Outcome>,
}

/// Deviations in one stratum of a stratified sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumTally {
    pub label: String,
    pub tested: u64,
    pub deviations: u64,
}

/// What the evaluation proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalKind {
    NoExceptionsNoted,
    ExceptionsNoted,
    NotEffective,
    /// The sample cannot support the planned reliance as it is: extend it (or re-plan).
    SampleTooSmall,
}

impl ProposalKind {
    pub const ALL: [ProposalKind; 4] = [
        ProposalKind::NoExceptionsNoted,
        ProposalKind::ExceptionsNoted,
        ProposalKind::NotEffective,
        ProposalKind::SampleTooSmall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalKind::NoExceptionsNoted => "no-exceptions-noted",
            ProposalKind::ExceptionsNoted => "exceptions-noted",
            ProposalKind::NotEffective => "not-effective",
            ProposalKind::SampleTooSmall => "sample-too-small",
        }
    }

    /// The conclusion it proposes, if it proposes one.
    pub fn conclusion(self) -> Option<ConclusionKind> {
        match self {
            ProposalKind::NoExceptionsNoted => Some(ConclusionKind::NoExceptionsNoted),
            ProposalKind::ExceptionsNoted => Some(ConclusionKind::ExceptionsNoted),
            ProposalKind::NotEffective => Some(ConclusionKind::NotEffective),
            ProposalKind::SampleTooSmall => None,
        }
    }

    pub fn words(self) -> &'static str {
        match self.conclusion() {
            Some(c) => c.words(),
            None => "Sample too small for the planned reliance",
        }
    }
}

impl std::str::FromStr for ProposalKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<ProposalKind> {
        super::kind_by_name(s, "proposal", &ProposalKind::ALL, ProposalKind::as_str)
    }
}

impl fmt::Display for ProposalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub kind: ProposalKind,
    /// With `SampleTooSmall`: the listed size to extend the sample to; None when no size
    /// reaches the planned reliance (re-plan instead).
    pub extend_to: Option<u64>,
    /// Why, in a sentence that cites the figures.
    pub reason: String,
}

/// The sample's results evaluated under its approach.
#[derive(Debug, Clone, Serialize)]
pub struct ControlEvaluation {
    pub approach: Approach,
    /// Items listed in the sample, voided ones included.
    pub listed_items: u64,
    pub voided_items: u64,
    /// n: items tested (every attribute recorded, not all N/A) or with an exception found.
    pub tested_items: u64,
    /// Items (not voided) still missing a result for some attribute, deviations included.
    pub untested_items: u64,
    /// Items whose every attribute is N/A: not tested; void and replace them, or test them.
    pub all_na_items: Vec<u64>,
    /// k: items with at least one exception.
    pub deviations: u64,
    /// Results recorded on the items not voided, one per item and attribute.
    pub recorded_cells: u64,
    /// Results the items not voided need: items × attributes.
    pub expected_cells: u64,
    /// k / n; None for a test of one and before any item is tested.
    pub deviation_rate: Option<f64>,
    /// The upper deviation limit of the planned distribution: statistical samples only.
    pub statistical: Option<Evaluation>,
    /// Per stratum, for a stratified sample.
    pub strata: Vec<StratumTally>,
    /// None until every listed item is tested, voided or replaced.
    pub proposal: Option<Proposal>,
}

impl ControlEvaluation {
    /// Every listed item is voided or fully tested, and none is all N/A.
    pub fn complete(&self) -> bool {
        self.untested_items == 0 && self.all_na_items.is_empty() && self.tested_items > 0
    }

    /// What stops a conclusion, in a sentence naming the items; None when it can be drawn.
    pub fn blocker(&self, control: &str) -> Option<String> {
        if !self.all_na_items.is_empty() {
            let list: Vec<String> = self.all_na_items.iter().map(u64::to_string).collect();
            return Some(format!(
                "item(s) {} of {control} have every attribute N/A, so they were not tested: void and replace them (`tickmark sample --void ORDINAL --reason ...`), or record the attributes that apply",
                list.join(", ")
            ));
        }
        if self.untested_items > 0 || self.tested_items == 0 {
            let total = self.listed_items - self.voided_items;
            return Some(format!(
                "{} of {total} items of {control} are not fully tested; record every attribute of every item before concluding",
                self.untested_items.max(total - self.tested_items)
            ));
        }
        None
    }
}

/// Evaluates a sample's results under its approach. `attributes` is the control's number of
/// attributes; `initial_size` the size first drawn (before extensions and replacements).
pub fn evaluate_sample(
    approach: &Approach,
    items: &[ItemResults],
    attributes: usize,
    initial_size: u64,
    rule: &ExpansionRule,
) -> Result<ControlEvaluation> {
    let mut tested = 0u64;
    let mut untested = 0u64;
    let mut deviations = 0u64;
    let mut voided = 0u64;
    let mut all_na = Vec::new();
    let mut extension_items = 0u64;
    let mut recorded_cells = 0u64;
    let mut strata: Vec<StratumTally> = Vec::new();
    for item in items {
        if item.ordinal > initial_size && item.replaces.is_none() {
            extension_items += 1;
        }
        if item.voided {
            voided += 1;
            continue;
        }
        recorded_cells += item.outcomes.len().min(attributes) as u64;
        let deviation = item.outcomes.contains(&Outcome::Exception);
        let complete = attributes > 0 && item.outcomes.len() >= attributes;
        let every_na = complete && item.outcomes.iter().all(|o| *o == Outcome::NotApplicable);
        if every_na {
            all_na.push(item.ordinal);
        } else if !complete {
            untested += 1;
        }
        // An item with an exception is a deviation even with attributes left to record (n
        // counts it); concluding still waits for every attribute.
        let counts = deviation || (complete && !every_na);
        if counts {
            tested += 1;
        }
        if deviation {
            deviations += 1;
        }
        if let Some(label) = &item.stratum {
            let at = match strata.iter().position(|s| &s.label == label) {
                Some(i) => i,
                None => {
                    strata.push(StratumTally { label: label.clone(), tested: 0, deviations: 0 });
                    strata.len() - 1
                }
            };
            strata[at].tested += u64::from(counts);
            strata[at].deviations += u64::from(deviation);
        }
    }
    let listed = items.len() as u64;
    let (n, k) = (tested, deviations);
    let mut statistical = None;
    // No proposal on part of the sample: a conclusion is drawn on every item, so a proposal
    // made before then could contradict the figures the remaining items bring.
    let complete = untested == 0 && all_na.is_empty() && n > 0;
    let proposal = if !complete {
        None
    } else {
        Some(match approach {
            Approach::Statistical { confidence, tolerable_rate, planned_size, allowed_deviations, .. } => {
                let model = approach.distribution()?.expect("statistical");
                let e = evaluate(n, k, Rate::confidence(confidence)?, Some(Rate::tolerable(tolerable_rate)?), model)?;
                let proposal = statistical_proposal(&e, listed, *planned_size, *allowed_deviations, tolerable_rate);
                statistical = Some(e);
                proposal
            }
            Approach::FirmTable { table_size, .. } => {
                non_statistical_proposal(n, k, listed, extension_items, rule.extend_by.unwrap_or(*table_size), rule)
            }
            Approach::Judgemental { .. } => {
                non_statistical_proposal(n, k, listed, extension_items, rule.extend_by.unwrap_or(initial_size), rule)
            }
            Approach::TestOfOne { .. } => match k {
                0 => Proposal {
                    kind: ProposalKind::NoExceptionsNoted,
                    extend_to: None,
                    reason: "The one instance of the automated control operated as designed.".into(),
                },
                _ => Proposal {
                    kind: ProposalKind::NotEffective,
                    extend_to: None,
                    reason: "The one instance of the automated control did not operate as designed.".into(),
                },
            },
        })
    };
    Ok(ControlEvaluation {
        approach: approach.clone(),
        listed_items: listed,
        voided_items: voided,
        tested_items: n,
        untested_items: untested,
        all_na_items: all_na,
        deviations: k,
        recorded_cells,
        expected_cells: (listed - voided) * attributes as u64,
        deviation_rate: (n > 0 && !matches!(approach, Approach::TestOfOne { .. })).then(|| k as f64 / n as f64),
        statistical,
        strata,
        proposal,
    })
}

fn statistical_proposal(e: &Evaluation, listed: u64, planned: Option<u64>, allowed: u64, tolerable: &str) -> Proposal {
    let (n, k) = (e.sample_size, e.deviations);
    let limit = e.upper_deviation_limit_display;
    let tolerable = percent_text(tolerable);
    if e.exceeds_tolerable != Some(true) {
        let kind = if k == 0 { ProposalKind::NoExceptionsNoted } else { ProposalKind::ExceptionsNoted };
        return Proposal {
            kind,
            extend_to: None,
            reason: format!(
                "{k} deviation(s) in {n} items tested: upper deviation limit {limit}, within the tolerable rate of {tolerable}."
            ),
        };
    }
    let exceeds = format!(
        "{k} deviation(s) in {n} items tested: upper deviation limit {limit} exceeds the tolerable rate of {tolerable}"
    );
    match planned {
        // More deviations than the plan allows: extending to the planned size cannot support
        // the reliance any more.
        _ if k > allowed => Proposal {
            kind: ProposalKind::NotEffective,
            extend_to: None,
            reason: format!(
                "{exceeds}, and the plan allowed {allowed}; the sample does not support the planned reliance."
            ),
        },
        Some(p) if p > n => Proposal {
            kind: ProposalKind::SampleTooSmall,
            extend_to: Some(listed + (p - n)),
            reason: format!("{exceeds}; the plan needs {p} tested items: extend the sample to {}.", listed + (p - n)),
        },
        None => Proposal {
            kind: ProposalKind::SampleTooSmall,
            extend_to: None,
            reason: format!("{exceeds}, and no planned size reaches the planned reliance: re-plan the sample."),
        },
        Some(_) => Proposal {
            kind: ProposalKind::NotEffective,
            extend_to: None,
            reason: format!("{exceeds}; the sample does not support the planned reliance."),
        },
    }
}

fn non_statistical_proposal(
    n: u64,
    k: u64,
    listed: u64,
    extended: u64,
    extend_by: u64,
    rule: &ExpansionRule,
) -> Proposal {
    if k == 0 {
        return Proposal {
            kind: ProposalKind::NoExceptionsNoted,
            extend_to: None,
            reason: format!("No deviation in {n} items tested."),
        };
    }
    if k <= rule.extend_up_to && extended < extend_by {
        let to = listed + (extend_by - extended);
        return Proposal {
            kind: ProposalKind::SampleTooSmall,
            extend_to: Some(to),
            reason: format!(
                "{k} deviation(s) in {n} items tested: the firm's expansion rule extends the sample by {extend_by} items (to {to}); conclude on the extended sample."
            ),
        };
    }
    let tail = if k <= rule.extend_up_to {
        format!("after the sample was extended by {extended} items")
    } else {
        format!(
            "more than the expansion rule's {}; decide whether the control operated effectively (conclude not-effective with the reason if it did not)",
            rule.extend_up_to
        )
    };
    Proposal {
        kind: ProposalKind::ExceptionsNoted,
        extend_to: None,
        reason: format!("{k} deviation(s) in {n} items tested, {tail}."),
    }
}

/// The approach an older file's sample most likely had, from what it recorded: a tolerable
/// rate means statistical (binomial, no expected deviation, as the earlier evaluation assumed);
/// the frequency table's and the test of one's sentences name those; anything else was a size
/// the auditor chose, with the recorded basis as the reason.
pub fn infer_approach(confidence: Option<&str>, tolerable: Option<&str>, basis: &str) -> Approach {
    if let Some(t) = tolerable {
        let confidence = confidence.unwrap_or("0.95");
        let planned = (|| {
            plan_attribute(
                Rate::confidence(confidence).ok()?,
                Rate::tolerable(t).ok()?,
                Rate::expected("0").ok()?,
                Distribution::Binomial,
            )
            .ok()
        })();
        return Approach::Statistical {
            distribution: "binomial".into(),
            population_size: None,
            confidence: confidence.to_string(),
            tolerable_rate: t.to_string(),
            expected_rate: "0".into(),
            planned_size: planned.as_ref().and_then(|p| p.sample_size),
            allowed_deviations: planned.map(|p| p.allowed_deviations).unwrap_or(0),
        };
    }
    if let Some(rationale) = basis.strip_prefix("Test of one for an automated control: ") {
        return Approach::TestOfOne { rationale: rationale.to_string() };
    }
    if let Some(rest) = basis.strip_prefix("Firm frequency table: ") {
        // "{frequency} control, {risk} risk of failure; {size} items (table range ..)"
        let parsed = (|| {
            let (frequency, rest) = rest.split_once(" control, ")?;
            let (risk, rest) = rest.split_once(" risk of failure; ")?;
            let size: u64 = rest.split_whitespace().next()?.parse().ok()?;
            let frequency: Frequency = frequency.parse().ok()?;
            Some(Approach::FirmTable {
                frequency,
                row: frequency,
                occurrences: None,
                risk: risk.parse().ok()?,
                table_size: size,
            })
        })();
        if let Some(a) = parsed {
            return a;
        }
    }
    Approach::Judgemental { reason: basis.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeated(outcomes: &[Outcome], n: usize) -> Vec<ItemResults> {
        items(&vec![outcomes; n])
    }

    fn items(outcomes: &[&[Outcome]]) -> Vec<ItemResults> {
        outcomes
            .iter()
            .zip(1..)
            .map(|(o, ordinal)| ItemResults {
                ordinal,
                stratum: None,
                voided: false,
                replaces: None,
                outcomes: o.to_vec(),
            })
            .collect()
    }

    fn statistical(tolerable: &str, planned: u64) -> Approach {
        Approach::Statistical {
            distribution: "binomial".into(),
            population_size: None,
            confidence: "0.95".into(),
            tolerable_rate: tolerable.into(),
            expected_rate: "0".into(),
            planned_size: Some(planned),
            allowed_deviations: 0,
        }
    }

    use Outcome::{Exception as X, NotApplicable as Na, Pass as P};

    #[test]
    fn every_attribute_na_is_not_a_tested_item() {
        let a = Approach::Judgemental { reason: "walkthrough".into() };
        let e = evaluate_sample(&a, &repeated(&[Na, Na], 5), 2, 5, &ExpansionRule::default()).unwrap();
        assert_eq!(e.tested_items, 0);
        assert_eq!(e.all_na_items, [1, 2, 3, 4, 5]);
        assert!(e.proposal.is_none());
        assert!(!e.complete());
        assert!(e.blocker("C1").unwrap().contains("void and replace"));
        // N/A on one attribute with the other tested is a tested item.
        let e = evaluate_sample(&a, &items(&[&[P, Na]]), 2, 1, &ExpansionRule::default()).unwrap();
        assert_eq!((e.tested_items, e.all_na_items.len()), (1, 0));
    }

    // Testing progress, as the testing screen shows it (figures counted by hand).
    #[test]
    fn progress_counts_items_tested_and_cells_recorded() {
        let a = Approach::Judgemental { reason: "walkthrough".into() };
        // Item 1: A pass, B exception; item 2: A n/a only; item 3: nothing.
        let e = evaluate_sample(&a, &items(&[&[P, X], &[Na], &[]]), 2, 3, &ExpansionRule::default()).unwrap();
        assert_eq!((e.tested_items, e.listed_items - e.voided_items), (1, 3));
        assert_eq!((e.recorded_cells, e.expected_cells), (3, 6));
        assert_eq!((e.deviations, e.all_na_items.len()), (1, 0));
    }

    #[test]
    fn an_item_with_an_exception_counts_before_its_other_attributes_are_recorded() {
        let a = Approach::Judgemental { reason: "walkthrough".into() };
        let e = evaluate_sample(&a, &items(&[&[X], &[P]]), 2, 2, &ExpansionRule::default()).unwrap();
        assert_eq!((e.tested_items, e.deviations), (1, 1));
        assert_eq!((e.recorded_cells, e.expected_cells), (2, 4));
    }

    #[test]
    fn voided_items_need_no_results_and_no_attributes_means_nothing_tested() {
        let a = Approach::Judgemental { reason: "walkthrough".into() };
        let mut listed = items(&[&[P], &[], &[P]]);
        listed[1].voided = true;
        listed[2].replaces = Some(2);
        let e = evaluate_sample(&a, &listed, 1, 2, &ExpansionRule::default()).unwrap();
        assert_eq!((e.tested_items, e.voided_items, e.recorded_cells, e.expected_cells), (2, 1, 2, 2));
        let e = evaluate_sample(&a, &items(&[&[], &[]]), 0, 2, &ExpansionRule::default()).unwrap();
        assert_eq!((e.tested_items, e.expected_cells), (0, 0));
    }

    #[test]
    fn zero_of_25_against_a_5_percent_plan_is_too_small_not_no_exceptions() {
        // By hand: 0 of 25 at 95% binomial: 1 − 0.05^(1/25) = 11.29% → 11.3%; the plan for 5% is 59.
        let e =
            evaluate_sample(&statistical("0.05", 59), &repeated(&[P], 25), 1, 25, &ExpansionRule::default()).unwrap();
        let s = e.statistical.as_ref().unwrap();
        assert_eq!(s.upper_deviation_limit_display.to_string(), "11.3%");
        assert_eq!(s.exceeds_tolerable, Some(true));
        let p = e.proposal.unwrap();
        assert_eq!(p.kind, ProposalKind::SampleTooSmall);
        assert_eq!(p.extend_to, Some(59));
        assert!(p.reason.contains("11.3%") && p.reason.contains("5.0%"), "{}", p.reason);
    }

    #[test]
    fn zero_of_59_supports_a_5_percent_tolerable_rate() {
        // 1 − 0.05^(1/59) = 4.95% → 5.0%, within 5%.
        let e =
            evaluate_sample(&statistical("0.05", 59), &repeated(&[P], 59), 1, 59, &ExpansionRule::default()).unwrap();
        assert_eq!(e.statistical.as_ref().unwrap().upper_deviation_limit_display.to_string(), "5.0%");
        assert_eq!(e.proposal.unwrap().kind, ProposalKind::NoExceptionsNoted);
    }

    #[test]
    fn a_hypergeometric_plan_is_evaluated_with_the_hypergeometric_bound() {
        // N = 100, n = 45, k = 0 at 95%: the smallest K with C(100−K, 45)/C(100, 45) ≤ 0.05.
        // K = 5: (55·54·53·52·51)/(100·99·98·97·96) = 0.0430 ≤ 0.05; K = 4: 0.0853 > 0.05 → 5/100 = 5.0%.
        let a = Approach::Statistical {
            distribution: "hypergeometric".into(),
            population_size: Some(100),
            confidence: "0.95".into(),
            tolerable_rate: "0.06".into(),
            expected_rate: "0".into(),
            planned_size: Some(40),
            allowed_deviations: 0,
        };
        let e = evaluate_sample(&a, &repeated(&[P], 45), 1, 45, &ExpansionRule::default()).unwrap();
        let s = e.statistical.unwrap();
        assert_eq!(s.upper_deviation_limit_display.to_string(), "5.0%");
        assert_eq!(e.proposal.unwrap().kind, ProposalKind::NoExceptionsNoted);
    }

    #[test]
    fn a_non_statistical_sample_shows_no_limit_and_follows_the_expansion_rule() {
        let a = Approach::FirmTable {
            frequency: Frequency::Daily,
            row: Frequency::Daily,
            occurrences: None,
            risk: Risk::Lower,
            table_size: 20,
        };
        let mut list = repeated(&[P], 20);
        list[3].outcomes = vec![X];
        let rule = ExpansionRule::default();
        let e = evaluate_sample(&a, &list, 1, 20, &rule).unwrap();
        assert!(e.statistical.is_none());
        assert_eq!(e.deviation_rate, Some(0.05));
        let p = e.proposal.unwrap();
        assert_eq!((p.kind, p.extend_to), (ProposalKind::SampleTooSmall, Some(40)));
        // Extended by 20 with no further deviation: exceptions noted on the extended sample.
        list.extend((21..=40).map(|ordinal| ItemResults {
            ordinal,
            stratum: None,
            voided: false,
            replaces: None,
            outcomes: vec![P],
        }));
        let e = evaluate_sample(&a, &list, 1, 20, &rule).unwrap();
        assert_eq!(e.proposal.unwrap().kind, ProposalKind::ExceptionsNoted);
        // Two deviations before any extension: exceptions noted, the auditor decides.
        let mut two = repeated(&[P], 20);
        two[0].outcomes = vec![X];
        two[1].outcomes = vec![X];
        let p = evaluate_sample(&a, &two, 1, 20, &rule).unwrap().proposal.unwrap();
        assert_eq!(p.kind, ProposalKind::ExceptionsNoted);
        assert!(p.reason.contains("decide"), "{}", p.reason);
    }

    #[test]
    fn a_test_of_one_is_pass_or_fail_with_no_rate() {
        let a = Approach::TestOfOne { rationale: "configured".into() };
        let e = evaluate_sample(&a, &items(&[&[P, P]]), 2, 1, &ExpansionRule::default()).unwrap();
        assert!(e.statistical.is_none() && e.deviation_rate.is_none());
        assert_eq!(e.proposal.unwrap().kind, ProposalKind::NoExceptionsNoted);
        let e = evaluate_sample(&a, &items(&[&[P, X]]), 2, 1, &ExpansionRule::default()).unwrap();
        assert_eq!(e.proposal.unwrap().kind, ProposalKind::NotEffective);
    }

    #[test]
    fn voided_items_and_their_replacements_are_counted_once() {
        let mut list = items(&[&[P], &[], &[P], &[P]]);
        list[1].voided = true;
        list[3].replaces = Some(2);
        let a = Approach::Judgemental { reason: "r".into() };
        let e = evaluate_sample(&a, &list, 1, 3, &ExpansionRule::default()).unwrap();
        assert_eq!((e.listed_items, e.voided_items, e.tested_items, e.untested_items), (4, 1, 3, 0));
        assert!(e.complete());
    }

    #[test]
    fn strata_show_their_own_deviations() {
        let mut list = items(&[&[P], &[X], &[P]]);
        list[0].stratum = Some("2026-Q1".into());
        list[1].stratum = Some("2026-Q1".into());
        list[2].stratum = Some("2026-Q2".into());
        let a = Approach::Judgemental { reason: "r".into() };
        let e = evaluate_sample(&a, &list, 1, 3, &ExpansionRule::default()).unwrap();
        assert_eq!(
            e.strata,
            vec![
                StratumTally { label: "2026-Q1".into(), tested: 2, deviations: 1 },
                StratumTally { label: "2026-Q2".into(), tested: 1, deviations: 0 }
            ]
        );
    }

    #[test]
    fn short_draws_warn_and_a_test_of_one_is_one_item() {
        assert!(draw_warning(&statistical("0.05", 59), 25).unwrap().unwrap().contains("fewer than the 59"));
        assert!(draw_warning(&statistical("0.05", 59), 59).unwrap().is_none());
        assert!(draw_warning(&Approach::TestOfOne { rationale: "r".into() }, 2).is_err());
    }

    #[test]
    fn older_samples_get_the_approach_their_record_implies() {
        let a = infer_approach(Some("0.95"), Some("0.05"), "25 items chosen by the auditor");
        assert_eq!(a.planned_size(), Some(59));
        let a = infer_approach(
            Some("0.95"),
            None,
            "Firm frequency table: daily control, higher risk of failure; 40 items (table range 20–40); no deviation expected.",
        );
        assert_eq!(
            a,
            Approach::FirmTable {
                frequency: Frequency::Daily,
                row: Frequency::Daily,
                occurrences: None,
                risk: Risk::Higher,
                table_size: 40
            }
        );
        assert_eq!(infer_approach(None, None, "5 items"), Approach::Judgemental { reason: "5 items".into() });
    }

    #[test]
    fn expansion_rules_read_as_typed() {
        assert_eq!("1:planned".parse::<ExpansionRule>().unwrap(), ExpansionRule::default());
        assert_eq!("2:25".parse::<ExpansionRule>().unwrap(), ExpansionRule { extend_up_to: 2, extend_by: Some(25) });
        assert!("x".parse::<ExpansionRule>().is_err());
    }
}
