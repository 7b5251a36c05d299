//! The `tickmark` command line: parses arguments, calls the engine, prints the result. The
//! clock and the user are read here, at the edge, and passed in.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use tickmark::engagement::{
    Actor, ControlInput, Frequency, NewEngagement, Period, ReportType, parse_attributes, parse_criteria,
    parse_criteria_refs,
};
use tickmark::import::{Mapping, Progress};
use tickmark::{Engagement, Error};

#[derive(Parser)]
#[command(
    name = "tickmark",
    version,
    about = "Offline fieldwork for SOC 2 Type 2 and SOX tests of operating effectiveness"
)]
struct Cli {
    /// Output: human text, or one JSON document on stdout.
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
    /// START..END, e.g. 2026-01-01..2026-12-31.
    #[arg(long)]
    period: String,
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
}

#[derive(Subcommand)]
enum ControlsCommand {
    /// Import a control matrix (headers: id, description, criteria, frequency, nature, owner, attributes).
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
    /// Show the current population's validation report.
    Show {
        engagement: PathBuf,
        #[arg(long)]
        control: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            Format::Text => write!(stdout, "{}", text()),
        };
    }
}

/// The acting user and the current time, read once per command.
fn actor(by: Option<&str>) -> Actor {
    let name = by
        .map(String::from)
        .or_else(|| std::env::var("TICKMARK_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    Actor::new(name, now())
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
            let eng = Engagement::create(&a.engagement, &new, &actor(by))?;
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
            let mut eng = Engagement::open(&engagement)?;
            let added = eng.import_controls(&file, sheet.as_deref(), &actor(by))?;
            out.emit(&added, || format!("Imported {} controls from {}\n", added.len(), file.display()));
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
        }) => {
            let mut eng = Engagement::open(&engagement)?;
            let input = ControlInput {
                code: id,
                description,
                criteria: parse_criteria_refs(&criteria),
                frequency: frequency.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?,
                nature: nature.parse()?,
                owner,
                attributes: parse_attributes(&attributes)?,
            };
            let c = eng.add_control(&input, &actor(by))?;
            out.emit(&c, || format!("Added control {} ({} attributes)\n", c.code, c.attributes.len()));
        }
        Command::Controls(ControlsCommand::List { engagement }) => {
            let eng = Engagement::open(&engagement)?;
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
            let mut eng = Engagement::open(&a.engagement)?;
            let mapping =
                Mapping { key: a.key, date: a.date, amount: a.amount, sheet: a.sheet, date_format: a.date_format };
            let mut bar = ProgressBar::new(&a.source);
            let report = eng.import_population(&a.control, &a.source, &mapping, &actor(by), &mut |p| bar.show(p))?;
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
            let mut eng = Engagement::open(&engagement)?;
            let p = eng.accept_population(&control, &actor(by))?;
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
            let mut eng = Engagement::open(&engagement)?;
            let f = frequency.parse::<Frequency>().map_err(|e| Error::Invalid(e.to_string()))?;
            let p = eng.generate_population(&control, f, business_days, &actor(by))?;
            out.emit(&p, || format!("Generated {} occurrences for {} ({})\n", p.item_count, control, p.source_name));
        }
        Command::Population(PopulationCommand::Show { engagement, control }) => {
            let eng = Engagement::open(&engagement)?;
            let p = eng
                .current_population(&control)?
                .ok_or_else(|| Error::Invalid(format!("control {control} has no population yet")))?;
            out.emit(&p, || {
                let status = match (&p.accepted_by, &p.accepted_at) {
                    (Some(by), Some(at)) => format!("Accepted by {by} at {at}\n"),
                    _ => "Not accepted yet\n".to_string(),
                };
                format!("{}{}", p.report.human(), status)
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
            let eng = Engagement::open(&engagement)?;
            let events = eng.trail()?;
            out.emit(&events, || {
                events
                    .iter()
                    .map(|e| format!("{:>5}  {}  {:<16} {:<22} {}\n", e.seq, e.at, e.actor, e.action, &e.hash[..16]))
                    .collect()
            });
        }
        Command::Demo { out: path, force } => {
            let path = match path {
                Some(p) => p,
                None => tickmark::demo::default_path()
                    .ok_or_else(|| Error::Invalid("no data directory: set HOME or pass --out".into()))?,
            };
            let built = tickmark::demo::build(&path, force, &actor(by))?;
            out.emit(&built, || format!("Demo engagement ready: {}\n", path.display()));
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
