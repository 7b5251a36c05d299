//! The `tickmark` command line: parses arguments, calls the engine, prints the result. The
//! clock and the user are read here, at the edge, and passed in.

#[path = "tickmark/design.rs"]
mod design;
#[path = "tickmark/report.rs"]
mod report;
#[path = "tickmark/requests.rs"]
mod requests;
#[path = "tickmark/team.rs"]
mod team;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use tickmark::engagement::design::parse_procedures;
use tickmark::engagement::evaluation::Planning;
use tickmark::engagement::fieldwork::{
    ConclusionKind, ExceptionInput, InterviewInput, NoteStatus, Outcome, SignOffRole,
};
use tickmark::engagement::{
    Actor, ControlInput, Frequency, NewEngagement, Period, ReportType, parse_attributes, parse_criteria,
    parse_criteria_refs,
};
use tickmark::identity::{Identity, NamedKey, grouped};
use tickmark::import::{Mapping, Progress};
use tickmark::reperform::{FileCheck, FileSelection, select_from_file};
use tickmark::sampling::{
    Distribution, FrequencyTable, OccurrenceBands, Plan, Rate, Risk, Seed, SizeRange, evaluate, plan_attribute,
};
use tickmark::store::{Passphrase, SampleRequest, TypedRequest};
use tickmark::{Engagement, Error};

#[derive(Parser)]
#[command(
    name = "tickmark",
    version,
    about = "Offline fieldwork for SOC 2 Type 2 and SOX tests of operating effectiveness"
)]
struct Cli {
    /// Output: human text, or one JSON document on stdout; for `export`, the workpaper's
    /// format: xlsx, csv (a folder of files) or html.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Who is acting (recorded in the audit trail); defaults to $TICKMARK_USER, then $USER.
    #[arg(long, global = true)]
    by: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Xlsx,
    Csv,
    Html,
}

#[derive(Subcommand)]
enum Command {
    /// Create an engagement file.
    New(NewArgs),
    /// The control matrix: import, add, list.
    #[command(subcommand)]
    Controls(ControlsCommand),
    /// Import a control's population from a CSV or xlsx export and print the validation report.
    Import(ImportArgs),
    /// A control's population: show its report, accept it, or generate one from a frequency.
    #[command(subcommand)]
    Population(PopulationCommand),
    /// Plan a sample size: statistical attribute sampling, the firm's frequency table, or a test of one.
    Plan(PlanArgs),
    /// Evaluate the deviations found: deviation rate and upper deviation limit.
    Evaluate(EvaluateArgs),
    /// Draw a control's sample (SAMPLING-SPEC v1), or extend it with --extend-to.
    Sample(SampleArgs),
    /// Re-perform a selection from a source file and a seed, without an engagement.
    Select(SelectArgs),
    /// Re-perform a control's recorded sample from a copy of the client's file: the recorded
    /// mapping, exclusions, seed, extensions and voids, each item's key compared with the file's.
    Reperform {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// The client's file (CSV or xlsx), as received again.
        source: PathBuf,
    },
    /// Record a test result for a sample item and attribute (or many with --batch).
    Result(ResultArgs),
    /// Record an exception's narrative, cause, isolation and management's response.
    Exception(ExceptionArgs),
    /// Evidence files and references.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Interview (inquiry) notes.
    #[command(subcommand)]
    Interview(InterviewCommand),
    /// Record the control's conclusion (the evaluation's proposal, or --as KIND --reason).
    Conclude {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// no-exceptions-noted, exceptions-noted or not-effective.
        #[arg(long = "as")]
        kind: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Sign a control off as preparer or reviewer (--by names the signer).
    Signoff {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        #[arg(long = "as")]
        role: String,
    },
    /// Review notes: raise, answer, clear, list.
    #[command(subcommand)]
    Note(NoteCommand),
    /// Criteria coverage: every in-scope criterion (or SOC 1 objective) with its controls and
    /// their state, rolled up to met / not met; criteria with no control flagged.
    Criteria {
        engagement: PathBuf,
        /// Only the criteria judged not met.
        #[arg(long)]
        not_met: bool,
    },
    /// Per control: population, sample, tested, exceptions, design and operating conclusions,
    /// sign-offs and open review notes.
    Dashboard {
        engagement: PathBuf,
        #[arg(long)]
        not_signed_off: bool,
        #[arg(long)]
        with_exceptions: bool,
    },
    /// A control's test procedure: add, edit, list its steps.
    #[command(subcommand)]
    Procedure(design::ProcedureCommand),
    /// Record a control's walkthrough and design conclusion (or show it).
    Walkthrough {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// How the control operates, as traced.
        #[arg(long)]
        narrative: Option<String>,
        /// The item followed through the control: a population key or a reference.
        #[arg(long)]
        traced: Option<String>,
        /// Evidence ID supporting it (repeat for several).
        #[arg(long = "evidence")]
        evidence: Vec<i64>,
        /// Interview ID supporting it (repeat for several).
        #[arg(long = "interview")]
        interviews: Vec<i64>,
        /// effective or not-effective (suitably designed or not).
        #[arg(long)]
        design: Option<String>,
    },
    /// Record the deficiency evaluation of a control with exceptions (or show it).
    Deficiency {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// What was wrong, as Section 4 states it after "For k of n … sampled,".
        #[arg(long)]
        deviation: Option<String>,
        /// The plural noun of what was sampled: changes, new hires.
        #[arg(long, default_value = "items")]
        items: String,
        #[arg(long)]
        cause: Option<String>,
        /// yes or no.
        #[arg(long)]
        isolated: Option<String>,
        /// An affected criterion and whether it is still met: CC8.1=met or CC8.1=not-met (repeat).
        #[arg(long = "criterion")]
        criteria: Vec<String>,
        /// Another control that compensates (repeat).
        #[arg(long)]
        compensating: Vec<String>,
        /// Management's response.
        #[arg(long, default_value = "")]
        response: String,
    },
    /// SOC 1 control objectives: add, list.
    #[command(subcommand)]
    Objective(design::ObjectiveCommand),
    /// Next year's engagement from this one: client, team, scope, controls with attributes
    /// and procedures, the sampling policy and each walkthrough as a draft; prior exceptions
    /// and deficiencies listed to follow up. No populations, samples, results or sign-offs.
    Rollforward {
        prior: PathBuf,
        engagement: PathBuf,
        /// The new period, START..END (one date for a Type 1 report).
        #[arg(long)]
        period: String,
        /// Roll forward even if the period does not start the day after the prior one ends (or a
        /// Type 1 report date is not after it).
        #[arg(long)]
        force: bool,
    },
    /// Hand controls to a colleague in a working copy they work on apart; `handoff list` shows
    /// who holds what, `handoff recall` withdraws a copy.
    Handoff(team::HandoffArgs),
    /// Merge a working copy back: its changes since the hand-off, its events as signed, every
    /// conflict listed and resolved explicitly (--prefer main|returned).
    Merge(team::MergeArgs),
    /// Confirm what was carried forward on a control (its description, attributes and
    /// procedure, and its walkthrough) as it stands.
    Confirm {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
    },
    /// Client requests (PBC): generate them from the samples and write the list for the
    /// client (`requests ENG --due DATE --out REQ.xlsx`), receive a folder of returned files,
    /// list, accept, reject.
    Requests(requests::RequestsArgs),
    /// The prior year's exceptions and deficiencies to follow up.
    FollowUps {
        engagement: PathBuf,
        #[arg(long)]
        control: Option<String>,
    },
    /// Re-perform every stored sample and check the audit trail, every row a workpaper shows,
    /// evidence bytes and the schema; non-zero on any difference.
    Verify {
        engagement: PathBuf,
        /// A trail head the file must still hold (from a workpaper); a rolled-back or truncated
        /// file does not.
        #[arg(long, value_name = "HASH", conflicts_with = "workpaper")]
        expect_head: Option<String>,
        /// A workpaper export (.xlsx, .html, or a CSV folder or its engagement.csv) whose trail
        /// head the file must still hold.
        #[arg(long, value_name = "FILE")]
        workpaper: Option<PathBuf>,
    },
    /// Export the findings workpaper: --format xlsx, csv (a folder of CSV files) or html.
    Export {
        engagement: PathBuf,
        /// One control; the whole engagement by default.
        #[arg(long)]
        control: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// Replace an earlier export at --out.
        #[arg(long)]
        force: bool,
    },
    /// Show a source's columns, first rows and the guessed key, date and amount columns.
    Preview {
        source: PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long, default_value_t = 10)]
        rows: usize,
    },
    /// The audit trail, oldest event first.
    Trail { engagement: PathBuf },
    /// Copy the engagement to DEST, consistent even while the app has it open; only you can
    /// read the copy. Check it with `tickmark verify DEST`.
    Backup {
        engagement: PathBuf,
        dest: PathBuf,
        /// Replace an earlier backup at DEST (never a link or a folder).
        #[arg(long)]
        force: bool,
    },
    /// Encrypt an engagement file in place with a passphrase ($TICKMARK_PASSPHRASE, or asked
    /// on the terminal); every command then needs TICKMARK_PASSPHRASE to open it.
    Encrypt { engagement: PathBuf },
    /// Decrypt an engagement file in place (its passphrase from $TICKMARK_PASSPHRASE).
    Decrypt { engagement: PathBuf },
    /// Your signing identity (--by or $TICKMARK_USER): show it, export its public key, or
    /// pin a colleague's public key in an engagement.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Write the SOC report's Section 4 (tests of controls and results): .docx, .xlsx or .html.
    Report(report::ReportArgs),
    /// Build the demo engagement (Acme Cloud, Inc.) from the embedded fixtures.
    Demo {
        /// Where to write it; defaults to the user's data directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing demo engagement.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct NewArgs {
    engagement: PathBuf,
    #[arg(long)]
    client: String,
    /// START..END, e.g. 2026-01-01..2026-12-31; for a Type 1 report, the one date it is as of.
    #[arg(long)]
    period: String,
    /// soc2-type2, soc2-type1, soc1-type2 or soc1-type1.
    #[arg(long, default_value = "soc2-type2")]
    report: String,
    /// Trust Services Criteria categories in scope: CC,A,C,PI,P (CC is always in scope).
    #[arg(long, default_value = "CC")]
    criteria: String,
    #[arg(long, default_value = "")]
    firm: String,
    #[arg(long, default_value = "")]
    preparer: String,
    #[arg(long, default_value = "")]
    reviewer: String,
    /// Encrypt the file (SQLCipher) with a passphrase from $TICKMARK_PASSPHRASE, or asked on
    /// the terminal; every command then needs TICKMARK_PASSPHRASE to open it.
    #[arg(long)]
    encrypt: bool,
}

#[derive(Subcommand)]
enum ControlsCommand {
    /// Import a control matrix (headers: id, description, criteria, frequency, nature, owner,
    /// attributes, procedures).
    Import {
        engagement: PathBuf,
        file: PathBuf,
        #[arg(long)]
        sheet: Option<String>,
    },
    /// Add one control.
    Add {
        engagement: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        description: String,
        /// Criteria references, e.g. "CC6.1;CC6.2".
        #[arg(long, default_value = "")]
        criteria: String,
        /// annual, quarterly, monthly, weekly, daily, multiple-daily or event-driven.
        #[arg(long)]
        frequency: String,
        /// manual, automated or it-dependent-manual.
        #[arg(long, default_value = "manual")]
        nature: String,
        #[arg(long, default_value = "")]
        owner: String,
        /// "A: approved before deployment | B: tested before deployment".
        #[arg(long, default_value = "")]
        attributes: String,
        /// The test procedure, nature first: "inquiry: Inquired of … | inspection: Inspected …".
        #[arg(long, default_value = "")]
        procedures: String,
    },
    /// List the controls.
    List { engagement: PathBuf },
}

#[derive(Args)]
struct ImportArgs {
    engagement: PathBuf,
    #[arg(long)]
    control: String,
    source: PathBuf,
    /// The column that identifies an item (ticket number, employee ID).
    #[arg(long)]
    key: String,
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    amount: Option<String>,
    /// The sheet of an xlsx workbook; the first one by default.
    #[arg(long)]
    sheet: Option<String>,
    /// The date layout (chrono syntax, e.g. %d/%m/%Y) when the guess is wrong.
    #[arg(long)]
    date_format: Option<String>,
}

#[derive(Args)]
struct PlanArgs {
    /// Confidence level, e.g. 0.95 or 95% (1 − risk of overreliance).
    #[arg(long)]
    confidence: Option<String>,
    #[arg(long)]
    tolerable_rate: Option<String>,
    #[arg(long)]
    expected_rate: Option<String>,
    /// binomial (the AICPA tables), poisson or hypergeometric (needs --population-size).
    #[arg(long, default_value = "binomial")]
    distribution: String,
    #[arg(long)]
    population_size: Option<u64>,
    /// Non-statistical: the firm's size for a control of this frequency.
    #[arg(long)]
    frequency: Option<String>,
    /// lower or higher risk of the control failing: picks the end of the table's range.
    #[arg(long, default_value = "lower")]
    risk: String,
    /// Show the frequency table (the engagement's, with ENG); edit it with --set.
    #[arg(long)]
    frequency_table: bool,
    /// With --frequency-table and ENG: FREQUENCY=LOW-HIGH (weekly=5-15); events=366,53,13,5,2
    /// (least occurrences of the multiple-daily … quarterly rows for event-driven controls);
    /// expansion=1:planned (deviations that extend a non-statistical sample, and by how much).
    #[arg(long = "set")]
    set: Vec<String>,
    /// An automated control: a test of one, with --rationale.
    #[arg(long)]
    automated: bool,
    #[arg(long)]
    rationale: Option<String>,
    /// The engagement whose frequency table to use or edit.
    engagement: Option<PathBuf>,
}

#[derive(Args)]
struct EvaluateArgs {
    /// With --control: the control's sample evaluated the way it was planned.
    engagement: Option<PathBuf>,
    #[arg(long, requires = "engagement")]
    control: Option<String>,
    #[arg(long, required_unless_present = "engagement")]
    sample_size: Option<u64>,
    #[arg(long, required_unless_present = "engagement")]
    deviations: Option<u64>,
    #[arg(long, required_unless_present = "engagement")]
    confidence: Option<String>,
    #[arg(long)]
    tolerable_rate: Option<String>,
    #[arg(long, default_value = "binomial")]
    distribution: String,
    #[arg(long)]
    population_size: Option<u64>,
}

#[derive(Args)]
struct SampleArgs {
    engagement: PathBuf,
    #[arg(long)]
    control: String,
    /// The number of items; the plan's size when left out.
    #[arg(long, conflicts_with = "extend_to", allow_hyphen_values = true, value_parser = sample_size)]
    size: Option<u64>,
    #[arg(long, default_value = "random")]
    method: String,
    /// quarter, month or column:NAME (with --method stratified).
    #[arg(long)]
    strata: Option<String>,
    /// 1 to 128 characters, kept exactly; Tickmark proposes 20 digits when none is given.
    #[arg(long)]
    seed: Option<String>,
    /// Why this size in your words, recorded in the workpaper; alone, it is a judgemental size's reason.
    #[arg(long)]
    basis: Option<String>,
    /// Draw again although the control has a sample; the earlier draw stays on record.
    #[arg(long)]
    replace: Option<String>,
    /// Extend the current random sample to this many items (the first items never change).
    #[arg(long, allow_hyphen_values = true, value_parser = sample_size)]
    extend_to: Option<u64>,
    /// Show the control's current sample without drawing.
    #[arg(long, conflicts_with_all = ["size", "extend_to", "void"])]
    show: bool,
    /// Void this item (it cannot be tested) and draw its replacement; needs --reason.
    #[arg(long, conflicts_with_all = ["size", "extend_to"])]
    void: Option<u64>,
    /// Why the voided item cannot be tested.
    #[arg(long, requires = "void")]
    reason: Option<String>,
    /// Statistical: the tolerable deviation rate the upper deviation limit is compared with.
    #[arg(long)]
    tolerable_rate: Option<String>,
    /// Statistical: the confidence (1 − risk of overreliance); 0.95 when left out.
    #[arg(long, requires = "tolerable_rate")]
    confidence: Option<String>,
    /// Statistical: the expected deviation rate; 0 when left out.
    #[arg(long, requires = "tolerable_rate")]
    expected_rate: Option<String>,
    /// Statistical: binomial, poisson or hypergeometric (the frame's size is the population).
    #[arg(long, requires = "tolerable_rate")]
    distribution: Option<String>,
    /// Non-statistical, the firm's frequency table: this frequency (the control's own when
    /// only --risk is given); event-driven controls take the row of their occurrences.
    #[arg(long)]
    frequency: Option<String>,
    /// With the frequency table: lower or higher risk of failure (lower when left out).
    #[arg(long)]
    risk: Option<String>,
    /// Non-statistical, a size you judged: the reason.
    #[arg(long)]
    judgemental: Option<String>,
    /// An automated control tested once: the rationale.
    #[arg(long)]
    test_of_one: Option<String>,
}

#[derive(Args)]
struct ResultArgs {
    engagement: PathBuf,
    #[arg(long)]
    control: String,
    /// The sample item's ordinal (1 = first drawn).
    #[arg(long, required_unless_present = "batch")]
    item: Option<u64>,
    #[arg(long, required_unless_present = "batch")]
    attribute: Option<String>,
    #[arg(long, group = "outcome")]
    pass: bool,
    /// What was found.
    #[arg(long, group = "outcome", value_name = "TEXT")]
    exception: Option<String>,
    /// Why the attribute does not apply to this item.
    #[arg(long, group = "outcome", value_name = "REASON")]
    na: Option<String>,
    /// A comment with a pass.
    #[arg(long, default_value = "")]
    comment: String,
    /// Record many results from a CSV (item,attribute,outcome,comment), one transaction each,
    /// printing each as it is saved.
    #[arg(long, conflicts_with_all = ["item", "attribute", "pass", "exception", "na"])]
    batch: Option<PathBuf>,
}

#[derive(Args)]
struct ExceptionArgs {
    engagement: PathBuf,
    #[arg(long)]
    control: String,
    #[arg(long)]
    item: u64,
    #[arg(long)]
    narrative: String,
    #[arg(long, default_value = "")]
    cause: String,
    /// yes or no: whether the exception is an isolated instance.
    #[arg(long)]
    isolated: Option<String>,
    #[arg(long, default_value = "")]
    response: String,
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Attach a file (stored in the engagement) or a reference to a control or a sample item.
    Add {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        #[arg(long)]
        item: Option<u64>,
        #[arg(long, group = "what")]
        file: Option<PathBuf>,
        /// A PBC number, screenshot name or URL instead of a file.
        #[arg(long, group = "what")]
        reference: Option<String>,
    },
    List {
        engagement: PathBuf,
        #[arg(long)]
        control: Option<String>,
    },
    /// Write a stored evidence file back out, byte for byte.
    Export {
        engagement: PathBuf,
        #[arg(long)]
        id: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
struct InterviewFields {
    /// YYYY-MM-DD.
    #[arg(long)]
    date: String,
    #[arg(long)]
    interviewee: String,
    #[arg(long, default_value = "")]
    role: String,
    /// Names separated by ";".
    #[arg(long, default_value = "")]
    attendees: String,
    #[arg(long, default_value = "")]
    topics: String,
    #[arg(long)]
    notes: String,
    /// Control IDs separated by ";".
    #[arg(long, default_value = "")]
    controls: String,
}

#[derive(Subcommand)]
enum InterviewCommand {
    Add {
        engagement: PathBuf,
        #[command(flatten)]
        fields: InterviewFields,
    },
    Edit {
        engagement: PathBuf,
        #[arg(long)]
        id: i64,
        #[command(flatten)]
        fields: InterviewFields,
    },
    List {
        engagement: PathBuf,
    },
}

#[derive(Subcommand)]
enum NoteCommand {
    /// Raise a review note on a control.
    Add {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        #[arg(long)]
        text: String,
    },
    Answer {
        engagement: PathBuf,
        #[arg(long)]
        id: i64,
        #[arg(long)]
        text: String,
    },
    Clear {
        engagement: PathBuf,
        #[arg(long)]
        id: i64,
    },
    List {
        engagement: PathBuf,
        #[arg(long)]
        control: Option<String>,
    },
}

/// A sample size as typed: a whole number of at least 1.
fn sample_size(s: &str) -> Result<u64, String> {
    match s.trim().parse::<i128>() {
        Ok(n) if n >= 1 && n <= u64::MAX as i128 => Ok(n as u64),
        Ok(n) => Err(format!("the sample size must be at least 1, not {n}")),
        Err(_) => Err(format!("{s:?} is not a whole number of items")),
    }
}

#[derive(Args)]
struct SelectArgs {
    source: PathBuf,
    #[arg(long, allow_hyphen_values = true, value_parser = sample_size)]
    size: u64,
    #[arg(long)]
    seed: String,
    #[arg(long, default_value = "random")]
    method: String,
    #[arg(long)]
    strata: Option<String>,
    /// The key column; the first column by default.
    #[arg(long)]
    key: Option<String>,
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    sheet: Option<String>,
    #[arg(long)]
    date_format: Option<String>,
    /// The review period, for strata by quarter or month and the outside-period rule: START..END.
    #[arg(long)]
    period: Option<String>,
    /// An exclusion rule recorded with the sample (repeatable), as `population exclude` takes it.
    #[arg(long)]
    exclude: Vec<String>,
    /// An item voided in the sample (repeatable, in the order voided): its replacement is
    /// re-performed too.
    #[arg(long)]
    void: Vec<u64>,
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Name, fingerprint, public key and key file of the acting user (created on first use).
    Show,
    /// Write the public key (never the secret one) to a small text file for colleagues.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing file at --out.
        #[arg(long)]
        force: bool,
    },
    /// Pin a colleague's exported public key in an engagement: any event in their name (earlier
    /// ones too) signed by another key then fails `verify`, and no other key can write as them.
    Import { engagement: PathBuf, file: PathBuf },
}

#[derive(Subcommand)]
enum PopulationCommand {
    /// Accept the current population's validation report (required before sampling).
    Accept {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
    },
    /// Generate the occurrences of a periodic control over the review period.
    Generate {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        #[arg(long)]
        frequency: String,
        /// Only Monday to Friday (holidays are not excluded).
        #[arg(long)]
        business_days: bool,
    },
    /// Show the current population's validation report, its exclusions and the frame.
    Show {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
    },
    /// List the current population's items by position, or those whose key starts with --find
    /// (case ignored), as the app's population grid shows them.
    Items {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// The first position listed (1 is the first item).
        #[arg(long, default_value_t = 1, conflicts_with = "find")]
        from: u64,
        /// Items whose key starts with this text, in position order.
        #[arg(long)]
        find: Option<String>,
        /// At most this many items.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Scope the sampling frame before the draw: exclude rows by a recorded rule, with the reason.
    Exclude {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
        /// outside-period, blank-key, duplicate-key (keeps the first), column:NAME=V1|V2, lines:L1,L2-L5.
        #[arg(long)]
        rule: String,
        /// Why these rows are not part of the population the control covers.
        #[arg(long)]
        reason: String,
        /// With a sample already drawn: set it aside with this reason (kept on record and
        /// counted) so a new one is drawn from the scoped frame.
        #[arg(long)]
        replace_sample: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            // The contract is one line on stderr; clap's usage block follows with --help.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
            eprintln!("tickmark: {first} (see tickmark --help)");
            return ExitCode::from(2);
        }
    };
    let out = Output { format: cli.format };
    match run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "tickmark: {}", e.to_string().replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

struct Output {
    format: Format,
}

impl Output {
    /// Prints `value` as JSON, or `text` for people.
    fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        let mut stdout = std::io::stdout().lock();
        let _ = match self.format {
            Format::Json => writeln!(stdout, "{}", serde_json::to_string_pretty(value).expect("serialisable")),
            // A workpaper format (export only) reports the export in words.
            Format::Text | Format::Xlsx | Format::Csv | Format::Html => write!(stdout, "{}", text()),
        };
    }
}

/// The acting user, with their signing identity (created on first use), and the current
/// time, read once per command.
fn actor(by: Option<&str>) -> Result<Actor, Error> {
    let (identity, _, _) = identity(by)?;
    Ok(Actor::signed(identity, now()))
}

/// The acting user's signing identity from their config directory, created on first use;
/// with its file and whether it was created now.
fn identity(by: Option<&str>) -> Result<(Identity, PathBuf, bool), Error> {
    let dir = tickmark::identity::default_dir().ok_or_else(|| {
        Error::Invalid("no config directory for the signing key: set HOME or TICKMARK_CONFIG_DIR".into())
    })?;
    tickmark::identity::load_or_create(&dir, &Actor::user_name(by), tickmark::identity::os_random_secret)
}

/// Opens an engagement, with the passphrase from $TICKMARK_PASSPHRASE if it is encrypted.
fn open_engagement(path: &Path) -> Result<Engagement, Error> {
    Engagement::open_keyed(path, passphrase()?.as_ref())
}

/// $TICKMARK_PASSPHRASE, if set.
fn passphrase() -> Result<Option<Passphrase>, Error> {
    match std::env::var("TICKMARK_PASSPHRASE") {
        Ok(text) if !text.is_empty() => Passphrase::new(text).map(Some),
        _ => Ok(None),
    }
}

/// The passphrase to encrypt with: $TICKMARK_PASSPHRASE, or typed twice on the terminal
/// without echo.
fn new_passphrase() -> Result<Passphrase, Error> {
    if let Some(key) = passphrase()? {
        return Ok(key);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Invalid("set TICKMARK_PASSPHRASE to the passphrase to encrypt with".into()));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|source| Error::Io { path: PathBuf::from("/dev/tty"), source })
    };
    let first = ask("Passphrase: ")?;
    if ask("Passphrase again: ")? != first {
        return Err(Error::Invalid("the two passphrases differ; nothing was encrypted".into()));
    }
    Passphrase::new(first)
}

/// `--isolated yes|no` of an exception or a deficiency evaluation; None when not given.
fn isolated_flag(text: Option<&str>) -> Result<Option<bool>, Error> {
    match text {
        None => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(other) => Err(Error::Invalid(format!("--isolated {other:?}: answer yes or no"))),
    }
}

/// The time of this command. `TICKMARK_NOW` (RFC 3339) pins it, for reproducible scripts and tests.
fn now() -> DateTime<Utc> {
    std::env::var("TICKMARK_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

fn run(cli: Cli, out: &Output) -> Result<(), Error> {
    let by = cli.by.as_deref();
    let file_format = matches!(cli.format, Format::Xlsx | Format::Csv | Format::Html);
    if file_format != matches!(cli.command, Command::Export { .. }) {
        return Err(Error::Invalid(if file_format {
            "--format xlsx, csv and html are for `tickmark export`; other commands print text or json".into()
        } else {
            "export needs the workpaper's format: --format xlsx, csv or html".into()
        }));
    }
    match cli.command {
        Command::New(a) => {
            let new = NewEngagement {
                client: a.client,
                report: ReportType::parse(&a.report)?,
                period: Period::parse(&a.period)?,
                criteria: parse_criteria(&a.criteria)?,
                firm: a.firm,
                preparer: a.preparer,
                reviewer: a.reviewer,
            };
            let key = if a.encrypt { Some(new_passphrase()?) } else { None };
            let eng = Engagement::create_keyed(&a.engagement, &new, &actor(by)?, key.as_ref())?;
            let info = eng.info()?;
            out.emit(&info, || {
                format!(
                    "Created {} for {} ({}, {}..{}, criteria {})\n",
                    a.engagement.display(),
                    info.client,
                    info.report.as_str(),
                    info.period.start,
                    info.period.end,
                    info.criteria.join(",")
                )
            });
        }
        Command::Controls(ControlsCommand::Import { engagement, file, sheet }) => {
            let mut eng = open_engagement(&engagement)?;
            let added = eng.import_controls(&file, sheet.as_deref(), &actor(by)?)?;
            out.emit(&added, || {
                let mut s = format!("Imported {} controls from {}\n", added.controls.len(), file.display());
                if !added.notes.is_empty() {
                    s += "Criteria references read as the catalogue's IDs:\n";
                    for n in &added.notes {
                        s += &format!("  {n}\n");
                    }
                }
                s
            });
        }
        Command::Controls(ControlsCommand::Add {
            engagement,
            id,
            description,
            criteria,
            frequency,
            nature,
            owner,
            attributes,
            procedures,
        }) => {
            let mut eng = open_engagement(&engagement)?;
            let input = ControlInput {
                code: id,
                description,
                criteria: parse_criteria_refs(&criteria),
                frequency: frequency.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?,
                nature: nature.parse()?,
                owner,
                attributes: parse_attributes(&attributes)?,
                procedures: parse_procedures(&procedures)?,
            };
            let typed = input.criteria.clone();
            let c = eng.add_control(&input, &actor(by)?)?;
            out.emit(&c, || {
                let mut s = format!("Added control {} ({} attributes)\n", c.code, c.attributes.len());
                if typed != c.criteria {
                    s += &format!("Criteria read as {}\n", c.criteria.join(", "));
                }
                s
            });
        }
        Command::Controls(ControlsCommand::List { engagement }) => {
            let eng = open_engagement(&engagement)?;
            let controls = eng.controls()?;
            out.emit(&controls, || {
                let mut s = String::new();
                for c in &controls {
                    s += &format!(
                        "{:<12} {:<14} {:<20} {:<16} {}\n",
                        c.code,
                        c.frequency.as_str(),
                        c.nature.as_str(),
                        c.criteria.join(";"),
                        c.description
                    );
                    for a in &c.attributes {
                        s += &format!("{:<12}   {}: {}\n", "", a.label, a.condition);
                    }
                }
                if controls.is_empty() {
                    s += "No controls yet: tickmark controls import ENG CONTROLS.csv\n";
                }
                s
            });
        }
        Command::Import(a) => {
            let mut eng = open_engagement(&a.engagement)?;
            let mapping =
                Mapping { key: a.key, date: a.date, amount: a.amount, sheet: a.sheet, date_format: a.date_format };
            let mut bar = ProgressBar::new(&a.source);
            let report = eng.import_population(&a.control, &a.source, &mapping, &actor(by)?, &mut |p| bar.show(p))?;
            bar.done();
            out.emit(&report, || {
                format!(
                    "{}\nNext: review the report, then `tickmark population accept {} --control {}`\n",
                    report.human(),
                    a.engagement.display(),
                    a.control
                )
            });
        }
        Command::Population(PopulationCommand::Accept { engagement, control }) => {
            let mut eng = open_engagement(&engagement)?;
            let p = eng.accept_population(&control, &actor(by)?)?;
            out.emit(&p, || {
                format!(
                    "Accepted the population of {} ({} items from {}) as {} at {}\n",
                    control,
                    p.item_count,
                    p.source_name,
                    p.accepted_by.as_deref().unwrap_or(""),
                    p.accepted_at.as_deref().unwrap_or("")
                )
            });
        }
        Command::Population(PopulationCommand::Generate { engagement, control, frequency, business_days }) => {
            let mut eng = open_engagement(&engagement)?;
            let f = frequency.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?;
            let p = eng.generate_population(&control, f, business_days, &actor(by)?)?;
            out.emit(&p, || format!("Generated {} occurrences for {} ({})\n", p.item_count, control, p.source_name));
        }
        Command::Population(PopulationCommand::Show { engagement, control }) => {
            let eng = open_engagement(&engagement)?;
            let p = eng
                .current_population(&control)?
                .ok_or_else(|| Error::Invalid(format!("control {control} has no population yet")))?;
            out.emit(&p, || {
                let status = match (&p.accepted_by, &p.accepted_at) {
                    (Some(by), Some(at)) => format!("Accepted by {by} at {at}\n"),
                    _ => "Not accepted yet\n".to_string(),
                };
                format!("{}{}{status}", p.report.human(), frame_text(&p))
            });
        }
        Command::Population(PopulationCommand::Items { engagement, control, from, find, limit }) => {
            let eng = open_engagement(&engagement)?;
            let p = eng
                .current_population(&control)?
                .ok_or_else(|| Error::Invalid(format!("control {control} has no population yet")))?;
            if from == 0 {
                return Err(Error::Invalid("--from counts from 1, the first item".into()));
            }
            if limit == 0 {
                return Err(Error::Invalid("--limit must be at least 1".into()));
            }
            let items = match &find {
                Some(prefix) => eng.find_population_items(p.id, prefix, limit)?,
                None => eng.population_items(p.id, from - 1, limit)?,
            };
            out.emit(&items, || items_text(&p, &items, find.as_deref(), from, limit));
        }
        Command::Population(PopulationCommand::Exclude { engagement, control, rule, reason, replace_sample }) => {
            let mut eng = open_engagement(&engagement)?;
            let rule: tickmark::engagement::scope::ExclusionRule = rule.parse()?;
            eng.exclude_rows(&control, &rule, &reason, replace_sample.as_deref(), &actor(by)?)?;
            let p = eng
                .current_population(&control)?
                .ok_or_else(|| Error::Invalid(format!("control {control} has no population yet")))?;
            out.emit(&p, || frame_text(&p));
        }
        Command::Plan(a) => plan(a, by, out)?,
        Command::Evaluate(EvaluateArgs { engagement: Some(engagement), control, .. }) => {
            let control = control.ok_or_else(|| Error::Invalid("give the control: --control ID".into()))?;
            let e = open_engagement(&engagement)?
                .evaluation(&control)?
                .ok_or_else(|| Error::Invalid(format!("control {control} has no sample yet; draw one first")))?;
            out.emit(&e, || evaluation_text(&control, &e));
        }
        Command::Evaluate(a) => {
            let distribution = Distribution::from_name(&a.distribution, a.population_size)?;
            let tolerable = a.tolerable_rate.as_deref().map(Rate::tolerable).transpose()?;
            let (n, k, c) = (a.sample_size.unwrap_or(0), a.deviations.unwrap_or(0), a.confidence.unwrap_or_default());
            let e = evaluate(n, k, Rate::confidence(&c)?, tolerable, distribution)?;
            out.emit(&e, || {
                let verdict = match e.exceeds_tolerable {
                    Some(true) => {
                        " EXCEEDS the tolerable rate: the sample does not support the planned reliance".to_string()
                    }
                    Some(false) => " is within the tolerable rate".to_string(),
                    None => String::new(),
                };
                format!(
                    "{} deviation(s) in {} items: deviation rate {:.2}%, upper deviation limit {} ({}){}\n",
                    e.deviations,
                    e.sample_size,
                    e.deviation_rate * 100.0,
                    e.upper_deviation_limit_display,
                    distribution.name(),
                    verdict
                )
            });
        }
        Command::Sample(a) => sample(a, by, out)?,
        Command::Select(a) => select(a, out)?,
        Command::Result(a) => result(a, by, out)?,
        Command::Exception(a) => {
            let mut eng = open_engagement(&a.engagement)?;
            let isolated = isolated_flag(a.isolated.as_deref())?;
            let input =
                ExceptionInput { narrative: a.narrative, cause: a.cause, isolated, management_response: a.response };
            let e = eng.record_exception(&a.control, a.item, &input, &actor(by)?)?;
            out.emit(&e, || format!("Exception on item {} ({}) of {} recorded\n", e.ordinal, e.key, a.control));
        }
        Command::Evidence(EvidenceCommand::Add { engagement, control, item, file, reference }) => {
            let mut eng = open_engagement(&engagement)?;
            let e = match (file, reference) {
                (Some(f), None) => eng.add_evidence_file(&control, item, &f, &actor(by)?)?,
                (None, Some(r)) => eng.add_evidence_reference(&control, item, &r, &actor(by)?)?,
                _ => return Err(Error::Invalid("give --file PATH or --reference TEXT".into())),
            };
            out.emit(&e, || format!("Evidence {} added: {} {}\n", e.id, e.name, e.sha256.as_deref().unwrap_or("")));
        }
        Command::Evidence(EvidenceCommand::List { engagement, control }) => {
            let eng = open_engagement(&engagement)?;
            let list = eng.evidence(control.as_deref())?;
            out.emit(&list, || {
                list.iter()
                    .map(|e| {
                        format!(
                            "{:>4}  {:<10} item {:<5} {:<40} {:>10}  {}  {} {}\n",
                            e.id,
                            e.control,
                            e.ordinal.map(|o| o.to_string()).unwrap_or_else(|| "-".into()),
                            e.name,
                            e.size.map(|s| s.to_string()).unwrap_or_else(|| "reference".into()),
                            e.sha256.as_deref().unwrap_or(""),
                            e.added_by,
                            e.added_at
                        )
                    })
                    .collect()
            });
        }
        Command::Evidence(EvidenceCommand::Export { engagement, id, out: path, force }) => {
            let eng = open_engagement(&engagement)?;
            let written = eng.export_evidence(id, &path, force)?;
            out.emit(&serde_json::json!({ "path": written }), || format!("Wrote {}\n", written.display()));
        }
        Command::Interview(InterviewCommand::Add { engagement, fields }) => {
            let mut eng = open_engagement(&engagement)?;
            let i = eng.add_interview(&interview_input(fields)?, &actor(by)?)?;
            out.emit(&i, || format!("Interview {} with {} recorded\n", i.id, i.interviewee));
        }
        Command::Interview(InterviewCommand::Edit { engagement, id, fields }) => {
            let mut eng = open_engagement(&engagement)?;
            let i = eng.edit_interview(id, &interview_input(fields)?, &actor(by)?)?;
            out.emit(&i, || format!("Interview {} updated\n", i.id));
        }
        Command::Interview(InterviewCommand::List { engagement }) => {
            let eng = open_engagement(&engagement)?;
            let list = eng.interviews()?;
            out.emit(&list, || {
                list.iter()
                    .map(|i| {
                        format!(
                            "{:>4}  {}  {} ({})  controls {}\n      {}\n",
                            i.id,
                            i.held_on,
                            i.interviewee,
                            i.role,
                            i.controls.join(";"),
                            i.notes
                        )
                    })
                    .collect()
            });
        }
        Command::Conclude { engagement, control, kind, reason } => {
            let mut eng = open_engagement(&engagement)?;
            let kind = kind.as_deref().map(str::parse::<ConclusionKind>).transpose()?;
            let c = eng.conclude(&control, kind.map(|k| (k, reason.as_deref().unwrap_or(""))), &actor(by)?)?;
            out.emit(&c, || {
                let over = c
                    .override_reason
                    .as_deref()
                    .map(|r| format!(" (overriding \"{}\": {r})", c.proposed))
                    .unwrap_or_default();
                format!("{control}: {}{over}\n", c.concluded)
            });
        }
        Command::Signoff { engagement, control, role } => {
            let mut eng = open_engagement(&engagement)?;
            let s = eng.sign_off(&control, role.parse::<SignOffRole>()?, &actor(by)?)?;
            out.emit(&s, || {
                format!("{control} signed off as {} by {} at {}\n", s.role.as_str(), s.signer, s.signed_at)
            });
        }
        Command::Note(cmd) => note(cmd, by, out)?,
        Command::Criteria { engagement, not_met } => design::criteria(engagement, not_met, out)?,
        Command::Dashboard { engagement, not_signed_off, with_exceptions } => {
            design::dashboard(engagement, not_signed_off, with_exceptions, out)?
        }
        Command::Procedure(cmd) => design::procedure(cmd, by, out)?,
        Command::Requests(a) => requests::run(a, by, out)?,
        Command::Handoff(a) => team::handoff(a, by, out)?,
        Command::Merge(a) => team::merge(a, by, out)?,
        Command::Rollforward { prior, engagement, period, force } => {
            let from = open_engagement(&prior)?;
            let done = Engagement::rollforward(
                &from,
                &engagement,
                Period::parse(&period)?,
                force,
                &actor(by)?,
                passphrase()?.as_ref(),
            )?;
            out.emit(&done, || {
                format!(
                    "Created {} from {} (engagement {}, trail head {} at event {}): {} controls, {} walkthroughs as drafts, {} items to follow up; each carried item is \"carried forward, not yet confirmed\" until confirmed or edited\n",
                    engagement.display(),
                    prior.display(),
                    &done.prior_id[..12],
                    &done.prior_head[..12],
                    done.prior_events,
                    done.controls,
                    done.walkthroughs,
                    done.follow_ups
                )
            });
        }
        Command::Confirm { engagement, control } => {
            let confirmed = open_engagement(&engagement)?.confirm_carried(&control, &actor(by)?)?;
            out.emit(&confirmed, || format!("{control}: confirmed the carried-forward {}\n", confirmed.join(" and ")));
        }
        Command::FollowUps { engagement, control } => {
            let list = open_engagement(&engagement)?.follow_ups(control.as_deref())?;
            out.emit(&list, || {
                if list.is_empty() {
                    return "Nothing to follow up from the prior year\n".into();
                }
                list.iter().map(|f| format!("{:<12} {}\n", f.control, f.text)).collect()
            });
        }
        Command::Objective(cmd) => design::objective(cmd, by, out)?,
        Command::Walkthrough { engagement, control, narrative, traced, evidence, interviews, design } => {
            design::walkthrough(engagement, control, narrative, traced, evidence, interviews, design, by, out)?
        }
        Command::Deficiency {
            engagement,
            control,
            deviation,
            items,
            cause,
            isolated,
            criteria,
            compensating,
            response,
        } => design::deficiency(
            design::DeficiencyArgs {
                engagement,
                control,
                deviation,
                items,
                cause,
                isolated,
                criteria,
                compensating,
                response,
            },
            by,
            out,
        )?,
        Command::Reperform { engagement, control, source } => {
            let check = open_engagement(&engagement)?.reperform_from_file(&control, &source)?;
            out.emit(&check, || file_check_text(&check));
            if !check.matches {
                return Err(Error::Invalid(format!(
                    "the sample of {control} does not re-perform from {}: {} difference(s)",
                    check.file,
                    check.differences.len()
                )));
            }
        }
        Command::Backup { engagement, dest, force } => {
            tickmark::store::backup(&engagement, &dest, force, passphrase()?.as_ref())?;
            out.emit(&serde_json::json!({ "path": dest }), || format!("Wrote {}\n", dest.display()));
        }
        Command::Encrypt { engagement } => {
            tickmark::store::encrypt(&engagement, &new_passphrase()?)?;
            out.emit(&serde_json::json!({ "path": engagement, "encrypted": true }), || {
                format!("Encrypted {}\n", engagement.display())
            });
        }
        Command::Decrypt { engagement } => {
            let key = passphrase()?
                .ok_or_else(|| Error::Invalid("set TICKMARK_PASSPHRASE to the engagement's passphrase".into()))?;
            tickmark::store::decrypt(&engagement, &key)?;
            out.emit(&serde_json::json!({ "path": engagement, "encrypted": false }), || {
                format!("Decrypted {}\n", engagement.display())
            });
        }
        Command::Verify { engagement, expect_head, workpaper } => {
            let expected = match (expect_head, workpaper) {
                (Some(hash), _) => Some(tickmark::verify::ExpectedHead::typed(&hash)?),
                (None, Some(path)) => {
                    let (hash, event) = tickmark::export::head::read(&path)?;
                    Some(tickmark::verify::ExpectedHead {
                        hash,
                        event: Some(event),
                        source: path.display().to_string(),
                    })
                }
                (None, None) => None,
            };
            let v = open_engagement(&engagement)?.verify_expecting(expected)?;
            out.emit(&v, || v.text());
            if let Some(why) = v.failure() {
                return Err(Error::Invalid(why));
            }
        }
        Command::Export { engagement, control, out: path, force } => {
            let format = match cli.format {
                Format::Csv => tickmark::export::Format::Csv,
                Format::Html => tickmark::export::Format::Html,
                _ => tickmark::export::Format::Xlsx,
            };
            let eng = open_engagement(&engagement)?;
            let workpaper = eng.workpaper(control.as_deref(), &Actor::new(Actor::user_name(by), now()))?;
            drop(eng);
            let summary = tickmark::export::export(&workpaper, format, &path, force)?;
            out.emit(&summary, || {
                let mut s = format!("Exported {} control(s) to {}\n", workpaper.controls.len(), summary.path.display());
                for f in &summary.files {
                    s += &format!("  {:<20} {:>10} bytes  SHA-256 {}\n", f.name, f.bytes, f.sha256);
                }
                s
            });
        }
        Command::Preview { source, sheet, rows } => {
            let p = tickmark::import::preview(&source, sheet.as_deref(), rows)?;
            out.emit(&p, || {
                let mut s = format!("{} ({})\nColumns: {}\n", p.file, p.format.format, p.columns.join(" | "));
                if !p.sheets.is_empty() {
                    s += &format!("Sheets: {}\n", p.sheets.join(", "));
                }
                for (line, row) in &p.rows {
                    s += &format!("{line:>6}: {}\n", row.join(" | "));
                }
                let g = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
                s += &format!(
                    "Guessed: --key {:?} --date {:?} --amount {:?}\n",
                    g(&p.guessed_key),
                    g(&p.guessed_date),
                    g(&p.guessed_amount)
                );
                s
            });
        }
        Command::Trail { engagement } => {
            let eng = open_engagement(&engagement)?;
            let events = eng.trail()?;
            out.emit(&events, || {
                events
                    .iter()
                    .map(|e| format!("{:>5}  {}  {:<16} {:<22} {}\n", e.seq, e.at, e.actor, e.action, &e.hash[..16]))
                    .collect()
            });
        }
        Command::Identity(cmd) => identity_command(cmd, by, out)?,
        Command::Demo { out: path, force } => {
            let path = match path {
                Some(p) => p,
                None => tickmark::demo::default_path()
                    .ok_or_else(|| Error::Invalid("no data directory: set HOME or pass --out".into()))?,
            };
            let built = tickmark::demo::build(&path, force, &actor(by)?)?;
            out.emit(&built, || format!("Demo engagement ready: {}\n", path.display()));
        }
        Command::Report(a) => report::run(a, by, out)?,
    }
    Ok(())
}

fn identity_command(cmd: IdentityCommand, by: Option<&str>, out: &Output) -> Result<(), Error> {
    match cmd {
        IdentityCommand::Show => {
            let (identity, file, created) = identity(by)?;
            let key = identity.public_key();
            let shown = serde_json::json!({
                "name": identity.name(),
                "fingerprint": key.fingerprint(),
                "public_key": key.hex(),
                "file": file,
                "created": created,
            });
            out.emit(&shown, || {
                format!(
                    "{}{}\nFingerprint: {}\nPublic key:  {}\nKey file:    {}\n",
                    if created { "Created a signing identity for " } else { "Signing identity of " },
                    identity.name(),
                    grouped(&key.fingerprint()),
                    key.hex(),
                    file.display()
                )
            });
        }
        IdentityCommand::Export { out: path, force } => {
            let (identity, _, _) = identity(by)?;
            let named = NamedKey { name: identity.name().to_string(), key: identity.public_key() };
            if path.exists() && !force {
                return Err(Error::AlreadyExists { path });
            }
            std::fs::write(&path, named.to_text()).map_err(|source| Error::Io { path: path.clone(), source })?;
            let shown = serde_json::json!({
                "name": named.name, "fingerprint": named.key.fingerprint(), "public_key": named.key.hex(), "path": path,
            });
            out.emit(&shown, || {
                format!(
                    "Wrote {}'s public key ({}) to {}\n",
                    named.name,
                    grouped(&named.key.fingerprint()),
                    path.display()
                )
            });
        }
        IdentityCommand::Import { engagement, file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| Error::Io { path: file.clone(), source })?;
            let named = NamedKey::parse(&text).map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))?;
            let signer = open_engagement(&engagement)?.pin_signer(&named, &actor(by)?)?;
            out.emit(&signer, || {
                format!("Pinned {}'s key {} in {}\n", signer.name, grouped(&signer.fingerprint), engagement.display())
            });
        }
    }
    Ok(())
}

/// A one-line progress bar on stderr, only when a person is watching.
struct ProgressBar {
    name: String,
    visible: bool,
    shown: bool,
}

impl ProgressBar {
    fn new(source: &Path) -> ProgressBar {
        ProgressBar {
            name: tickmark::import::table::display_name(source),
            visible: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    fn show(&mut self, p: Progress) -> bool {
        if self.visible && p.total_bytes > 0 {
            let pct = (p.bytes_read.min(p.total_bytes) * 100) / p.total_bytes;
            let filled = (pct / 5) as usize;
            eprint!(
                "\rImporting {} [{}{}] {:>3}% {} rows",
                self.name,
                "#".repeat(filled),
                " ".repeat(20 - filled),
                pct,
                p.rows
            );
            self.shown = true;
        }
        true
    }

    fn done(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// A control's evaluation as a reviewer reads it: the approach, the figures it allows, the proposal.
fn evaluation_text(control: &str, e: &tickmark::engagement::evaluation::ControlEvaluation) -> String {
    let mut t = format!("{control}: {}\n", e.approach.words());
    t += &format!(
        "Items listed {}, voided {}, tested (n) {}, not fully tested {}, deviations (k) {}\n",
        e.listed_items, e.voided_items, e.tested_items, e.untested_items, e.deviations
    );
    if let Some(s) = &e.statistical {
        t += &format!(
            "Upper deviation limit {} at the planned confidence{}\n",
            s.upper_deviation_limit_display,
            match s.exceeds_tolerable {
                Some(true) => ", above the tolerable rate",
                Some(false) => ", within the tolerable rate",
                None => "",
            }
        );
    }
    for st in &e.strata {
        t += &format!("  stratum {:<12} {} of {} deviated\n", st.label, st.deviations, st.tested);
    }
    if !e.all_na_items.is_empty() {
        let list: Vec<String> = e.all_na_items.iter().map(u64::to_string).collect();
        t += &format!("Every attribute N/A (not tested; void and replace): items {}\n", list.join(", "));
    }
    match (&e.proposal, e.blocker(control)) {
        (Some(p), _) => t += &format!("Proposed: {}. {}\n", p.kind, p.reason),
        (None, Some(why)) => t += &format!("No proposal yet: {why}\n"),
        (None, None) => {}
    }
    t
}

/// The frame under the population's exclusion rules, as the validation report continues it.
/// A population's items as a table: position, source line, key, date, amount, then the row's
/// fields under the source's column names. Control characters a client's cell may hold are
/// shown escaped, never sent to the terminal.
fn items_text(
    p: &tickmark::store::PopulationSummary,
    items: &[tickmark::store::PopulationItem],
    find: Option<&str>,
    from: u64,
    limit: u64,
) -> String {
    let safe = |s: &str| -> String {
        s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
    };
    let mut t = match find {
        Some(prefix) if items.is_empty() => {
            format!("No item of {} ({} items) has a key starting with {:?}\n", p.control, p.item_count, safe(prefix))
        }
        Some(prefix) => format!(
            "{} item(s) of {} whose key starts with {:?}{}\n",
            items.len(),
            p.control,
            safe(prefix),
            if items.len() as u64 == limit {
                format!(" (the first {limit}; --limit shows more)")
            } else {
                String::new()
            }
        ),
        None if items.is_empty() => format!("{} has {} items: none from position {from}\n", p.control, p.item_count),
        None => format!(
            "Items {}-{} of {} in {}'s population ({})\n",
            items[0].position,
            items[items.len() - 1].position,
            p.item_count,
            p.control,
            safe(&p.source_name)
        ),
    };
    if items.is_empty() {
        return t;
    }
    t += &format!("{:>9}  {:>7}  Key | Date | Amount | {}\n", "Position", "Line", safe(&p.report.columns.join(" | ")));
    for it in items {
        t += &format!(
            "{:>9}  {:>7}  {} | {} | {} | {}\n",
            it.position,
            it.source_row,
            safe(&it.key),
            it.date.map(|d| d.to_string()).unwrap_or_default(),
            safe(it.amount.as_deref().unwrap_or("")),
            safe(&it.fields.join(" | "))
        );
    }
    t
}

fn frame_text(p: &tickmark::store::PopulationSummary) -> String {
    let mut t = String::new();
    if !p.exclusions.is_empty() {
        t += "Exclusions (applied in the spec's order):\n";
        for e in &p.exclusions {
            let lines: Vec<String> = e.lines.iter().take(12).map(u64::to_string).collect();
            let more = if e.lines.len() > 12 { format!(" and {} more", e.lines.len() - 12) } else { String::new() };
            t += &format!(
                "  {:<28} {:>8} rows  lines {}{more}\n  {:<28} reason: {} ({}, {})\n",
                e.rule.to_string(),
                e.rows_removed,
                lines.join(", "),
                "",
                e.reason,
                e.excluded_by,
                e.excluded_at
            );
        }
    }
    t += &format!(
        "Rows accepted {}, excluded {}, items in the frame {}\n",
        p.item_count,
        p.item_count - p.frame_size,
        p.frame_size
    );
    t
}

fn plan(a: PlanArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    if a.frequency_table {
        let mut policy_line = None;
        let table = match &a.engagement {
            Some(path) => {
                let mut eng = open_engagement(path)?;
                let (policy_sets, row_sets): (Vec<&String>, Vec<&String>) =
                    a.set.iter().partition(|s| s.starts_with("events=") || s.starts_with("expansion="));
                if !row_sets.is_empty() {
                    let mut rows: std::collections::BTreeMap<Frequency, SizeRange> =
                        eng.frequency_table()?.rows().collect();
                    for s in row_sets {
                        let (f, range) = parse_table_row(s)?;
                        rows.insert(f, range);
                    }
                    let table = FrequencyTable::new(rows)?;
                    eng.set_frequency_table(&table, &actor(by)?)?;
                }
                if !policy_sets.is_empty() {
                    let mut policy = eng.sampling_policy()?;
                    for s in policy_sets {
                        if let Some(bands) = s.strip_prefix("events=") {
                            policy.event_bands = OccurrenceBands::parse(bands)
                                .map_err(|e| Error::Invalid(format!("--set {s:?}: {e}")))?;
                        } else if let Some(rule) = s.strip_prefix("expansion=") {
                            policy.expansion = rule.parse()?;
                        }
                    }
                    eng.set_sampling_policy(&policy, &actor(by)?)?;
                }
                policy_line = Some(eng.sampling_policy()?);
                eng.frequency_table()?
            }
            None if !a.set.is_empty() => {
                return Err(Error::Invalid("--set edits an engagement's table: give the engagement file".into()));
            }
            None => FrequencyTable::firm_default(),
        };
        let rows: std::collections::BTreeMap<Frequency, SizeRange> = table.rows().collect();
        let policy = policy_line.unwrap_or_default();
        let doc = serde_json::json!({ "rows": rows, "event_bands": policy.event_bands, "expansion": policy.expansion });
        out.emit(&doc, || {
            let mut s = String::from("Frequency        Lower risk  Higher risk\n");
            for (f, r) in &rows {
                s += &format!("{:<16} {:>10}  {:>11}\n", f.as_str(), r.lower, r.higher);
            }
            s += &format!("event-driven     by occurrences in the frame: {}\n", policy.event_bands);
            s += &format!("Expansion rule   {}\n", policy.expansion);
            s
        });
        return Ok(());
    }
    let plan: Plan = if a.automated {
        Plan::test_of_one(a.rationale.as_deref().unwrap_or(""))?
    } else if let Some(f) = &a.frequency {
        let f = f.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?;
        let risk: Risk = a.risk.parse()?;
        let table = match &a.engagement {
            Some(path) => open_engagement(path)?.frequency_table()?,
            None => FrequencyTable::firm_default(),
        };
        table.plan(f, risk)?
    } else {
        let need = |v: &Option<String>, name: &str| {
            v.clone().ok_or_else(|| {
                Error::Invalid(format!(
                    "statistical planning needs --{name} (or use --frequency, --frequency-table or --automated)"
                ))
            })
        };
        let confidence = Rate::confidence(&need(&a.confidence, "confidence")?)?;
        let tolerable = Rate::tolerable(&need(&a.tolerable_rate, "tolerable-rate")?)?;
        let expected = Rate::expected(&need(&a.expected_rate, "expected-rate")?)?;
        let distribution = Distribution::from_name(&a.distribution, a.population_size)?;
        plan_attribute(confidence, tolerable, expected, distribution)?
    };
    out.emit(&plan, || match plan.sample_size {
        Some(n) => format!(
            "Sample size {n}{}\n{}\n",
            if plan.impractical { " (impractical: the AICPA tables print * for this cell)" } else { "" },
            plan.basis
        ),
        None => format!("No sample size exists.\n{}\n", plan.basis),
    });
    Ok(())
}

fn parse_table_row(s: &str) -> Result<(Frequency, SizeRange), Error> {
    let bad = || Error::Invalid(format!("--set {s:?}: write FREQUENCY=LOW-HIGH, e.g. weekly=5-15"));
    let (f, range) = s.split_once('=').ok_or_else(bad)?;
    let f = f.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?;
    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
    let lo: u64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: u64 = hi.trim().parse().map_err(|_| bad())?;
    Ok((f, SizeRange::new(lo, hi)))
}

fn print_sample(s: &tickmark::store::Sample) -> String {
    let mut t = format!(
        "{} sample of {}: {} items from {} ({} items in the frame, SHA-256 {})\nMethod {} ({}), seed {:?}{}, draw {} of {} for this control\nApproach: {}\nBasis: {}\n",
        s.method,
        s.control,
        s.size,
        s.population_name,
        s.population_size,
        s.population_sha256.as_deref().unwrap_or("-"),
        s.method,
        s.spec,
        s.seed,
        if s.seed_proposed { " (proposed by Tickmark)" } else { "" },
        s.draw_number,
        s.draws,
        s.approach.words(),
        s.basis
    );
    if let Some(w) = &s.warning {
        t += &format!("Warning: {w}\n");
    }
    for e in &s.filters.exclusions {
        t += &format!("  excluded: {}\n", e.summary());
    }
    for st in &s.strata {
        t += &format!("  stratum {:<12} {:>7} items, {:>3} selected\n", st.label, st.size, st.selected);
    }
    t += &format!(
        "{:>7} {:>9} {:>7}  {:<20} {:<10} {:<10} {}\n",
        "Ordinal", "Position", "Row", "Key", "Date", "Stratum", "Note"
    );
    for i in &s.items {
        let note = match (&i.void, i.replaces) {
            (Some(v), _) => format!("VOID ({}), replaced by {}", v.reason, v.replacement),
            (None, Some(r)) => format!("replaces {r}"),
            (None, None) => String::new(),
        };
        t += &format!(
            "{:>7} {:>9} {:>7}  {:<20} {:<10} {:<10} {}\n",
            i.ordinal,
            i.position,
            i.source_row,
            i.key,
            i.date.map(|d| d.to_string()).unwrap_or_default(),
            i.stratum.as_deref().unwrap_or(""),
            note
        );
    }
    t
}

fn file_check_text(c: &FileCheck) -> String {
    let mut t = format!(
        "{}: re-performed from {} (SHA-256 {}), {}\n",
        c.control,
        c.file,
        c.file_sha256,
        if c.same_file { "the file imported" } else { "NOT the file imported" }
    );
    t += &format!("  frame: {} items (drawn from {})\n", c.frame_size, c.recorded_frame_size);
    for d in &c.differences {
        t += &format!("  DIFFERENCE: {d}\n");
    }
    if c.matches {
        t += &format!("  all {} items re-perform to their recorded rows and keys\n", c.items_checked);
    }
    t
}

/// How the size was planned, from the sample command's flags: exactly one approach.
fn planning(a: &SampleArgs, eng: &Engagement) -> Result<Planning, Error> {
    let statistical = a.tolerable_rate.is_some();
    let table = a.frequency.is_some() || a.risk.is_some();
    let chosen = [statistical, table, a.judgemental.is_some(), a.test_of_one.is_some()].iter().filter(|b| **b).count();
    if chosen > 1 {
        return Err(Error::Invalid(
            "give one approach: --tolerable-rate (statistical), --frequency/--risk (firm table), --judgemental REASON or --test-of-one RATIONALE".into(),
        ));
    }
    if let Some(t) = &a.tolerable_rate {
        return Ok(Planning::Statistical {
            confidence: Rate::confidence(a.confidence.as_deref().unwrap_or("0.95"))?,
            tolerable: Rate::tolerable(t)?,
            expected: Rate::expected(a.expected_rate.as_deref().unwrap_or("0"))?,
            distribution: a.distribution.clone().unwrap_or_else(|| "binomial".into()),
        });
    }
    if table {
        let frequency = match &a.frequency {
            Some(f) => f.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?,
            None => eng.control(&a.control)?.frequency,
        };
        return Ok(Planning::FirmTable { frequency, risk: a.risk.as_deref().unwrap_or("lower").parse()? });
    }
    if let Some(r) = a.judgemental.as_ref().or(a.basis.as_ref()) {
        return Ok(Planning::Judgemental { reason: r.clone() });
    }
    if let Some(r) = &a.test_of_one {
        return Ok(Planning::TestOfOne { rationale: r.clone() });
    }
    Err(Error::Invalid(
        "say how the size was planned: --tolerable-rate T (statistical), --frequency F / --risk R (the firm's table), --judgemental REASON, or --test-of-one RATIONALE".into(),
    ))
}

fn sample(a: SampleArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let mut eng = open_engagement(&a.engagement)?;
    let s = if a.show {
        eng.sample(&a.control)?.ok_or_else(|| Error::Invalid(format!("control {} has no sample yet", a.control)))?
    } else if let Some(ordinal) = a.void {
        eng.void_item(&a.control, ordinal, a.reason.as_deref().unwrap_or(""), &actor(by)?)?
    } else if let Some(n2) = a.extend_to {
        eng.extend_sample(&a.control, n2, &actor(by)?)?
    } else {
        let (seed, seed_proposed) = match &a.seed {
            Some(s) => (Seed::new(s.clone())?, false),
            // The operating system's random source, read here at the edge: the engine only
            // ever receives the seed.
            None => (Seed::propose(&mut rand::TryRngCore::unwrap_err(rand::rngs::OsRng)), true),
        };
        let typed = TypedRequest {
            method: a.method.parse()?,
            size: a.size,
            strata: a.strata.as_deref(),
            basis: a.basis.as_deref(),
            replace_reason: a.replace.as_deref(),
        };
        let req = SampleRequest::typed(typed, seed, seed_proposed, planning(&a, &eng)?)?;
        let s = eng.draw_sample(&a.control, &req, &actor(by)?)?;
        if let Some(w) = &s.warning {
            eprintln!("tickmark: warning: {w}");
        }
        s
    };
    out.emit(&s, || print_sample(&s));
    Ok(())
}

/// Stateless re-performance from the client's file (the engine reads it with the import's own
/// rules, re-applies the exclusions and replays the voids).
fn select(a: SelectArgs, out: &Output) -> Result<(), Error> {
    let req = FileSelection {
        method: a.method.parse()?,
        size: a.size,
        seed: Seed::new(a.seed.clone())?,
        strata: a.strata.as_deref().map(str::parse).transpose()?,
        key: a.key,
        date: a.date,
        sheet: a.sheet,
        date_format: a.date_format,
        period: a.period.as_deref().map(Period::parse).transpose()?,
        exclusions: a.exclude.iter().map(|r| r.parse()).collect::<Result<_, _>>()?,
        voids: a.void,
    };
    let selection = select_from_file(&a.source, &req)?;
    out.emit(&selection, || {
        let mut t = format!(
            "{} {} selection of {} from {} ({} items, SHA-256 {}), seed {:?}\n",
            selection.spec,
            selection.method,
            a.size,
            selection.population.name,
            selection.population.items,
            selection.population.sha256,
            selection.seed
        );
        for e in &selection.exclusions {
            t += &format!("  excluded by {}: {} rows\n", e.rule, e.rows_removed);
        }
        for i in &selection.items {
            let note = match (i.void, i.replaces) {
                (true, _) => "void".to_string(),
                (_, Some(v)) => format!("replaces {v}"),
                _ => String::new(),
            };
            t += &format!(
                "{:>7} {:>9} {:>7}  {:<20} {:<10} {}\n",
                i.ordinal,
                i.position,
                i.row,
                i.key,
                i.stratum.as_deref().unwrap_or(""),
                note
            );
        }
        t
    });
    Ok(())
}

fn interview_input(f: InterviewFields) -> Result<InterviewInput, Error> {
    let list = |s: &str| s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect::<Vec<_>>();
    Ok(InterviewInput {
        held_on: tickmark::engagement::fieldwork::parse_held_on(&f.date)?,
        interviewee: f.interviewee,
        role: f.role,
        attendees: list(&f.attendees),
        topics: f.topics,
        notes: f.notes,
        controls: list(&f.controls),
    })
}

fn note(cmd: NoteCommand, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let show = |n: &tickmark::engagement::fieldwork::ReviewNote| {
        let status = match n.status {
            NoteStatus::Open => "open",
            NoteStatus::Answered => "answered",
            NoteStatus::Cleared => "cleared",
        };
        format!("{:>4}  {:<10} {:<9} {} ({} {})\n", n.id, n.control, status, n.text, n.raised_by, n.raised_at)
    };
    match cmd {
        NoteCommand::Add { engagement, control, text } => {
            let n = open_engagement(&engagement)?.add_review_note(&control, &text, &actor(by)?)?;
            out.emit(&n, || show(&n));
        }
        NoteCommand::Answer { engagement, id, text } => {
            let n = open_engagement(&engagement)?.answer_review_note(id, &text, &actor(by)?)?;
            out.emit(&n, || show(&n));
        }
        NoteCommand::Clear { engagement, id } => {
            let n = open_engagement(&engagement)?.clear_review_note(id, &actor(by)?)?;
            out.emit(&n, || show(&n));
        }
        NoteCommand::List { engagement, control } => {
            let list = open_engagement(&engagement)?.review_notes(control.as_deref())?;
            out.emit(&list, || list.iter().map(show).collect());
        }
    }
    Ok(())
}

fn result(a: ResultArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let mut eng = open_engagement(&a.engagement)?;
    if let Some(batch) = a.batch {
        // One transaction per result, each confirmed on stdout once it is on disk: a crash
        // loses at most the result being written, never one reported saved.
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(&batch)
            .map_err(|e| Error::Invalid(format!("{}: {e}", batch.display())))?;
        let mut stdout = std::io::stdout().lock();
        let mut saved = 0u64;
        // The key is read once; each result is timed as it is written.
        let (identity, _, _) = identity(by)?;
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| Error::Invalid(format!("{}, line {line}: {e}", batch.display())))?;
            let field = |k: usize| record.get(k).unwrap_or("").trim();
            let item: u64 = field(0).parse().map_err(|_| {
                Error::Invalid(format!(
                    "{}, line {line}, column 1: {:?} is not an item number",
                    batch.display(),
                    field(0)
                ))
            })?;
            let outcome: Outcome = field(2)
                .parse()
                .map_err(|e| Error::Invalid(format!("{}, line {line}, column 3: {e}", batch.display())))?;
            let r = eng
                .record_result(&a.control, item, field(1), outcome, field(3), &Actor::signed(identity.clone(), now()))
                .map_err(|e| Error::Invalid(format!("{}, line {line}: {e}", batch.display())))?;
            saved += 1;
            if out.format == Format::Text {
                let _ = writeln!(stdout, "saved item {} attribute {} {}", r.ordinal, r.attribute, r.outcome.as_str());
                let _ = stdout.flush();
            }
        }
        out.emit(&serde_json::json!({ "saved": saved }), || format!("{saved} results saved\n"));
        return Ok(());
    }
    let (outcome, comment) = match (a.pass, a.exception, a.na) {
        (true, None, None) => (Outcome::Pass, a.comment),
        (false, Some(t), None) => (Outcome::Exception, t),
        (false, None, Some(r)) => (Outcome::NotApplicable, r),
        _ => return Err(Error::Invalid("give one of --pass, --exception TEXT or --na REASON".into())),
    };
    let item = a.item.ok_or_else(|| Error::Invalid("give --item".into()))?;
    let attribute = a.attribute.ok_or_else(|| Error::Invalid("give --attribute".into()))?;
    let r = eng.record_result(&a.control, item, &attribute, outcome, &comment, &actor(by)?)?;
    let progress = eng.evaluation(&a.control)?;
    out.emit(&r, || {
        let p = progress
            .map(|p| format!(" ({} of {} items fully tested)", p.tested_items, p.tested_items + p.untested_items))
            .unwrap_or_default();
        format!("Item {} attribute {}: {} {}{p}\n", r.ordinal, r.attribute, r.outcome.tickmark(), r.comment)
    });
    Ok(())
}
