//! Commands for what an engagement holds beside its samples: criteria coverage, test
//! procedures, walkthroughs and design conclusions, deficiency evaluations, SOC 1 control
//! objectives and the engagement dashboard.

use std::path::PathBuf;

use clap::Subcommand;

use tickmark::Error;
use tickmark::engagement::design::{
    DeficiencyInput, Objective, ProcedureInput, ProcedureNature, ProcedureStep, WalkthroughInput, parse_assessment,
};
use tickmark::engagement::rollup::{Coverage, CriterionState, DashboardRow};

use super::{Output, actor, open_engagement};

#[derive(Subcommand)]
pub(crate) enum ProcedureCommand {
    /// Append a step to a control's test procedure.
    Add {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// inquiry, observation, inspection or re-performance.
        #[arg(long)]
        nature: String,
        /// What was done, as Section 4 prints it: "Inspected the change ticket for …".
        #[arg(long)]
        text: String,
    },
    /// Rewrite one step (numbered from 1, as `procedure list` shows).
    Edit {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        #[arg(long)]
        step: u32,
        #[arg(long)]
        nature: String,
        #[arg(long)]
        text: String,
    },
    /// A control's procedure steps, in order.
    List {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ObjectiveCommand {
    /// Define a SOC 1 control objective that controls then reference in their criteria.
    Add {
        engagement: PathBuf,
        /// Its reference, e.g. CO1.
        #[arg(long)]
        id: String,
        #[arg(long)]
        title: String,
    },
    List {
        engagement: PathBuf,
    },
}

pub(crate) fn procedure(cmd: ProcedureCommand, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let (control, steps) = match cmd {
        ProcedureCommand::Add { engagement, control, nature, text } => {
            let step = ProcedureInput::new(nature.parse::<ProcedureNature>()?, &text)?;
            let steps = open_engagement(&engagement)?.add_procedure(&control, &step, &actor(by)?)?;
            (control, steps)
        }
        ProcedureCommand::Edit { engagement, control, step, nature, text } => {
            let input = ProcedureInput::new(nature.parse::<ProcedureNature>()?, &text)?;
            let steps = open_engagement(&engagement)?.edit_procedure(&control, step, &input, &actor(by)?)?;
            (control, steps)
        }
        ProcedureCommand::List { engagement, control } => {
            let steps = open_engagement(&engagement)?.procedures(&control)?;
            (control, steps)
        }
    };
    out.emit(&steps, || procedure_text(&control, &steps));
    Ok(())
}

fn procedure_text(control: &str, steps: &[ProcedureStep]) -> String {
    if steps.is_empty() {
        return format!(
            "{control} has no test procedure yet; add its steps with `tickmark procedure add ENG --control {control} --nature inspection --text ...`\n"
        );
    }
    let mut s = format!("Test procedure of {control}:\n");
    for p in steps {
        s += &format!("  {}. {}: {}\n", p.position, p.nature.words(), p.text);
    }
    s
}

pub(crate) fn objective(cmd: ObjectiveCommand, by: Option<&str>, out: &Output) -> Result<(), Error> {
    match cmd {
        ObjectiveCommand::Add { engagement, id, title } => {
            let o = open_engagement(&engagement)?.add_objective(&Objective::new(&id, &title)?, &actor(by)?)?;
            out.emit(&o, || format!("Control objective {}: {}\n", o.code, o.title));
        }
        ObjectiveCommand::List { engagement } => {
            let list = open_engagement(&engagement)?.objectives()?;
            out.emit(&list, || {
                if list.is_empty() {
                    return "No control objectives defined (`tickmark objective add ENG --id CO1 --title ...`)\n"
                        .into();
                }
                list.iter().map(|o| format!("{:<8} {}\n", o.code, o.title)).collect()
            });
        }
    }
    Ok(())
}

/// Records a walkthrough, or concludes on design over the one recorded; with neither
/// narrative, traced item nor design, shows it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn walkthrough(
    engagement: PathBuf,
    control: String,
    narrative: Option<String>,
    traced: Option<String>,
    evidence: Vec<i64>,
    interviews: Vec<i64>,
    design: Option<String>,
    by: Option<&str>,
    out: &Output,
) -> Result<(), Error> {
    let mut eng = open_engagement(&engagement)?;
    let before = eng.walkthrough(&control)?;
    let w = if narrative.is_none()
        && traced.is_none()
        && design.is_none()
        && evidence.is_empty()
        && interviews.is_empty()
    {
        before.ok_or_else(|| {
            Error::Invalid(format!(
                "{control} has no walkthrough yet; record one with --narrative, --traced and (when concluded) --design effective|not-effective"
            ))
        })?
    } else {
        let keep = |given: Option<String>, old: Option<&str>| given.or(old.map(String::from)).unwrap_or_default();
        let input = WalkthroughInput {
            narrative: keep(narrative, before.as_ref().map(|b| b.narrative.as_str())),
            traced: keep(traced, before.as_ref().map(|b| b.traced.as_str())),
            evidence: if evidence.is_empty() {
                before.as_ref().map(|b| b.evidence.clone()).unwrap_or_default()
            } else {
                evidence
            },
            interviews: if interviews.is_empty() {
                before.as_ref().map(|b| b.interviews.clone()).unwrap_or_default()
            } else {
                interviews
            },
            design: match design {
                Some(d) => Some(d.parse()?),
                None => before.as_ref().and_then(|b| b.design),
            },
        };
        eng.record_walkthrough(&control, &input, &actor(by)?)?
    };
    out.emit(&w, || {
        let design = match (&w.design, &w.concluded_by, &w.concluded_at) {
            (Some(d), Some(who), Some(at)) => format!("{} (concluded by {who} at {at})", d.words()),
            _ => "not concluded".to_string(),
        };
        let ids = |v: &[i64]| if v.is_empty() { "none".to_string() } else { v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ") };
        format!(
            "Walkthrough of {control}\n  Traced: {}\n  Narrative: {}\n  Evidence: {}\n  Interviews: {}\n  Design: {design}\n",
            w.traced,
            w.narrative,
            ids(&w.evidence),
            ids(&w.interviews)
        )
    });
    Ok(())
}

pub(crate) struct DeficiencyArgs {
    pub engagement: PathBuf,
    pub control: String,
    pub deviation: Option<String>,
    pub items: String,
    pub cause: Option<String>,
    pub isolated: Option<String>,
    pub criteria: Vec<String>,
    pub compensating: Vec<String>,
    pub response: String,
}

/// Records the deficiency evaluation, or shows it when only the control is given.
pub(crate) fn deficiency(a: DeficiencyArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let mut eng = open_engagement(&a.engagement)?;
    let d = if a.deviation.is_none() && a.cause.is_none() && a.isolated.is_none() && a.criteria.is_empty() {
        eng.deficiency(&a.control)?.ok_or_else(|| {
            Error::Invalid(format!(
                "{} has no deficiency evaluation yet; record one with --deviation, --cause, --isolated yes|no and --criterion ID=met|not-met",
                a.control
            ))
        })?
    } else {
        let isolated = super::isolated_flag(a.isolated.as_deref())?
            .ok_or_else(|| Error::Invalid("say whether the deviation is isolated: --isolated yes|no".into()))?;
        let input = DeficiencyInput {
            deviation: a.deviation.unwrap_or_default(),
            items_noun: a.items,
            cause: a.cause.unwrap_or_default(),
            isolated,
            criteria: a.criteria.iter().map(|c| parse_assessment(c)).collect::<Result<_, _>>()?,
            compensating: a.compensating,
            management_response: a.response,
        };
        eng.record_deficiency(&a.control, &input, &actor(by)?)?
    };
    out.emit(&d, || {
        let mut s = format!("Deficiency evaluation of {}\n  Deviation: {}\n", d.control, d.deviation);
        s += &format!("  Cause: {} ({})\n", d.cause, if d.isolated { "isolated" } else { "not isolated" });
        for c in &d.criteria {
            s += &format!("  {}: {}\n", c.criterion, if c.met { "still met" } else { "NOT MET" });
        }
        for c in &d.compensating {
            let conclusion = c.conclusion.map(|k| k.words()).unwrap_or("not concluded");
            s += &format!("  Compensating control {}: {conclusion}\n", c.control);
        }
        let response = if d.management_response.is_empty() { "not recorded" } else { &d.management_response };
        s += &format!("  Management's response: {response}\n  Evaluated by {} at {}\n", d.evaluated_by, d.evaluated_at);
        s
    });
    Ok(())
}

pub(crate) fn criteria(engagement: PathBuf, not_met: bool, out: &Output) -> Result<(), Error> {
    let coverage = open_engagement(&engagement)?.coverage()?;
    out.emit(&coverage, || coverage_text(&coverage, not_met));
    Ok(())
}

fn coverage_text(c: &Coverage, not_met_only: bool) -> String {
    let mut s = String::new();
    for crit in c.criteria.iter().filter(|x| !not_met_only || x.state == CriterionState::NotMet) {
        let flag = match crit.state {
            CriterionState::NoControl | CriterionState::NotMet | CriterionState::NotEvaluated => "!",
            _ => " ",
        };
        s += &format!("{flag} {:<7} {:<32} {}\n", crit.id, crit.state.words(), crit.title);
        for control in &crit.controls {
            s += &format!("            {:<14} {}\n", control.code, control.state.words());
        }
    }
    s += &format!(
        "{} criteria in scope; {} without a control; {} not met\n",
        c.criteria.len(),
        c.without_control.len(),
        c.not_met.len()
    );
    if !c.not_met.is_empty() {
        s += &format!("Not met: {}\n", c.not_met.join(", "));
    }
    for stray in &c.stray {
        s += &format!("Note: {} cites {}: {}\n", stray.control, stray.reference, stray.reason);
    }
    s
}

pub(crate) fn dashboard(
    engagement: PathBuf,
    not_signed_off: bool,
    with_exceptions: bool,
    out: &Output,
) -> Result<(), Error> {
    let rows: Vec<DashboardRow> = open_engagement(&engagement)?
        .dashboard()?
        .into_iter()
        .filter(|r| !not_signed_off || !r.signed_off())
        .filter(|r| !with_exceptions || r.with_exceptions())
        .collect();
    out.emit(&rows, || {
        let mut s = format!(
            "{:<12} {:>10} {:>6} {:>8} {:>4} {:<22} {:<26} {:<10} {:<10} {:>5}\n",
            "Control", "Population", "Sample", "Tested", "Exc", "Design", "Operating", "Preparer", "Reviewer", "Notes"
        );
        let num = |v: Option<u64>| v.map_or("—".to_string(), |n| n.to_string());
        for r in &rows {
            s += &format!(
                "{:<12} {:>10} {:>6} {:>8} {:>4} {:<22} {:<26} {:<10} {:<10} {:>5}\n",
                r.control,
                num(r.population),
                num(r.sample),
                r.sample.map_or("—".to_string(), |n| format!("{} of {n}", r.tested)),
                r.exceptions,
                r.design.map_or("not concluded", |d| d.words()),
                r.operating.map_or("not concluded", |k| k.words()),
                initials(r.preparer.as_deref()),
                initials(r.reviewer.as_deref()),
                r.open_notes
            );
        }
        s
    });
    Ok(())
}

fn initials(name: Option<&str>) -> String {
    match name {
        Some(n) => n.split_whitespace().filter_map(|w| w.chars().next()).collect(),
        None => "—".to_string(),
    }
}
