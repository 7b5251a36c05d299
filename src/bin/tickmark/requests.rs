//! `tickmark requests`: client requests (PBC) generated from the samples, the list sent to
//! the client, and the folder of files the client returns.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use tickmark::Error;
use tickmark::store::{Request, Verdict};

use super::{Output, actor, open_engagement};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct RequestsArgs {
    #[command(subcommand)]
    command: Option<RequestsCommand>,
    /// Generate the requests not made yet and write the list for the client.
    engagement: Option<PathBuf>,
    /// One control; every control by default.
    #[arg(long)]
    control: Option<String>,
    /// The date the client should return the evidence by (YYYY-MM-DD).
    #[arg(long)]
    due: Option<String>,
    /// The workbook for the client (.xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an earlier list at --out.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum RequestsCommand {
    /// Store a folder of returned files as evidence, matched by the request ID their name starts with.
    Receive { engagement: PathBuf, folder: PathBuf },
    /// Every request with its status and age.
    List {
        engagement: PathBuf,
        #[arg(long)]
        control: Option<String>,
    },
    /// Accept the evidence received for a request.
    Accept {
        engagement: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Reject the evidence received for a request, with the reason the client will read.
    Reject {
        engagement: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        reason: String,
    },
}

pub(crate) fn run(a: RequestsArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    match a.command {
        Some(RequestsCommand::Receive { engagement, folder }) => {
            let got = open_engagement(&engagement)?.receive_requests(&folder, &actor(by)?)?;
            out.emit(&got, || {
                let mut s = String::new();
                for (code, file, sha) in &got.stored {
                    s += &format!("Stored {file} for {code} (SHA-256 {})\n", &sha[..16]);
                }
                for f in &got.duplicates {
                    s += &format!("Already stored, skipped: {f}\n");
                }
                for f in &got.unmatched {
                    s += &format!("No request matches {f}: a returned file's name starts with its request ID (`tickmark requests list` shows them)\n");
                }
                s += &format!(
                    "{} stored, {} duplicate(s), {} not matched; {} request(s) still open{}\n",
                    got.stored.len(),
                    got.duplicates.len(),
                    got.unmatched.len(),
                    got.still_open.len(),
                    match got.still_open.len() {
                        0 => String::new(),
                        1..=10 => format!(": {}", got.still_open.join(", ")),
                        _ => " (`tickmark requests list` shows them)".to_string(),
                    }
                );
                s
            });
        }
        Some(RequestsCommand::List { engagement, control }) => {
            let list = open_engagement(&engagement)?.requests(control.as_deref(), &actor(by)?)?;
            out.emit(&list, || list_text(&list));
        }
        Some(RequestsCommand::Accept { engagement, id }) => {
            let r = open_engagement(&engagement)?.close_request(&id, &Verdict::Accept, &actor(by)?)?;
            out.emit(&r, || format!("{}: accepted\n", r.code));
        }
        Some(RequestsCommand::Reject { engagement, id, reason }) => {
            let r = open_engagement(&engagement)?.close_request(&id, &Verdict::Reject(reason), &actor(by)?)?;
            out.emit(&r, || format!("{}: rejected ({})\n", r.code, r.reason.as_deref().unwrap_or_default()));
        }
        None => {
            let missing = |what: &str| {
                Error::Invalid(format!("requests needs {what}: tickmark requests ENG --due DATE --out REQ.xlsx"))
            };
            let engagement = a.engagement.ok_or_else(|| missing("the engagement"))?;
            let due = a.due.ok_or_else(|| missing("--due"))?;
            let due = chrono::NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d")
                .map_err(|_| Error::Invalid(format!("--due {due:?} is not a date: write it as YYYY-MM-DD")))?;
            let path = a.out.ok_or_else(|| missing("--out"))?;
            let mut eng = open_engagement(&engagement)?;
            let who = actor(by)?;
            let list = eng.generate_requests(a.control.as_deref(), due, &who)?;
            tickmark::export::requests::write(&list, &eng.info()?, who.at.naive_utc(), &path, a.force)?;
            out.emit(&list, || {
                format!("Wrote {} request(s) to {} (due {due})\n{}", list.len(), path.display(), list_text(&list))
            });
        }
    }
    Ok(())
}

fn list_text(list: &[Request]) -> String {
    let mut s = String::new();
    for r in list {
        let age = if r.overdue_days > 0 {
            format!("{} days overdue", r.overdue_days)
        } else {
            format!("{} days old", r.age_days)
        };
        s += &format!(
            "{:<14} {:<9} due {} {:<16} {}\n",
            r.code,
            r.status.as_str(),
            r.due,
            age,
            r.key.as_deref().unwrap_or("(control)")
        );
    }
    s
}
