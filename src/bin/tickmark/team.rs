//! `tickmark handoff` and `tickmark merge`: controls handed to a colleague in a working copy,
//! and the copy merged back.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use tickmark::Error;
use tickmark::store::{Conflict, Handoff, HandoffInput, MergePlan, Prefer, Resolution, default_copy_path};

use super::{Output, actor, open_engagement, passphrase};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct HandoffArgs {
    #[command(subcommand)]
    command: Option<HandoffCommand>,
    /// Write a working copy holding --controls for --to.
    engagement: Option<PathBuf>,
    /// The colleague who takes the controls (their signing key must be pinned: `identity import`).
    #[arg(long)]
    to: Option<String>,
    /// The controls to hand off, comma-separated.
    #[arg(long, value_delimiter = ',')]
    controls: Vec<String>,
    /// The working copy to write; beside the engagement, named for the colleague, by default.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum HandoffCommand {
    /// Every working copy handed out: who holds which controls, and what came back.
    List { engagement: PathBuf },
    /// Withdraw a working copy (lost, or never used): its controls can be handed out again and
    /// it can no longer be merged.
    Recall {
        engagement: PathBuf,
        /// The copy's branch, or its assignee when they hold one copy.
        #[arg(long)]
        copy: String,
        #[arg(long)]
        reason: String,
    },
}

pub(crate) fn handoff(a: HandoffArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    match a.command {
        Some(HandoffCommand::List { engagement }) => {
            let list = open_engagement(&engagement)?.handoffs()?;
            out.emit(&list, || list_text(&list));
        }
        Some(HandoffCommand::Recall { engagement, copy, reason }) => {
            let h = open_engagement(&engagement)?.recall(&copy, &reason, &actor(by)?)?;
            out.emit(&h, || {
                format!(
                    "Recalled {}'s working copy {} ({}): its controls can be handed out again\n",
                    h.assignee,
                    h.branch,
                    h.controls.join(", ")
                )
            });
        }
        None => {
            let engagement = a.engagement.ok_or_else(|| Error::Invalid("name the engagement file".into()))?;
            let to = a.to.ok_or_else(|| Error::Invalid("--to: name the colleague who takes the controls".into()))?;
            if a.controls.iter().all(|c| c.trim().is_empty()) {
                return Err(Error::Invalid("--controls: name the controls to hand off, e.g. CC6.1-01,CC8.1-01".into()));
            }
            let dest = a.out.unwrap_or_else(|| default_copy_path(&engagement, &to));
            let mut eng = open_engagement(&engagement)?;
            let input = HandoffInput { assignee: to, controls: a.controls };
            let h = eng.handoff(&input, &dest, passphrase()?.as_ref(), &actor(by)?)?;
            out.emit(&h, || {
                format!(
                    "Handed {} to {} in {} (branch {}, from event {}). Only these controls, and interviews {} records, can change in it; merge it back with `tickmark merge {} {}`\n",
                    h.controls.join(", "),
                    h.assignee,
                    dest.display(),
                    h.branch,
                    h.base_seq,
                    h.assignee,
                    engagement.display(),
                    dest.display()
                )
            });
        }
    }
    Ok(())
}

fn list_text(list: &[Handoff]) -> String {
    if list.is_empty() {
        return "No controls have been handed off.\n".into();
    }
    let mut s = String::new();
    for h in list {
        let status = match (&h.merged_at, &h.recalled_at) {
            (Some(at), _) => format!(
                "merged {at} by {} ({} events)",
                h.merged_by.as_deref().unwrap_or_default(),
                h.merged_events.unwrap_or_default()
            ),
            (None, Some(at)) => format!(
                "recalled {at} by {}: {}",
                h.recalled_by.as_deref().unwrap_or_default(),
                h.recall_reason.as_deref().unwrap_or_default()
            ),
            (None, None) => "out".into(),
        };
        s += &format!(
            "{}  {:<20} {:<28} handed out {} by {}; {status}\n",
            h.branch,
            h.assignee,
            h.controls.join(", "),
            h.out_at,
            h.out_by
        );
    }
    s
}

#[derive(Args)]
pub(crate) struct MergeArgs {
    engagement: PathBuf,
    /// The working copy returned by a colleague.
    copy: PathBuf,
    /// Resolve every conflict by keeping the engagement's version (main) or the returned one.
    #[arg(long)]
    prefer: Option<String>,
    /// List what the merge would bring in and every conflict; change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(crate) fn merge(a: MergeArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    let mut eng = open_engagement(&a.engagement)?;
    let copy = open_engagement(&a.copy)?;
    let plan = eng.merge_plan(&copy)?;
    if let Some(done) = &plan.already_merged {
        out.emit(&plan, || format!("{}: already {done}\n", a.copy.display()));
        return Ok(());
    }
    let prefer = a.prefer.as_deref().map(Prefer::parse).transpose()?;
    if a.dry_run || (prefer.is_none() && !plan.conflicts.is_empty()) {
        out.emit(&plan, || plan_text(&plan));
        if a.dry_run {
            return Ok(());
        }
        return Err(Error::Invalid(format!(
            "{} conflict(s) above; nothing was merged: choose --prefer main or --prefer returned, or resolve each in the app's merge screen",
            plan.conflicts.len()
        )));
    }
    let merged = eng.merge(&copy, &Resolution { all: prefer, each: Default::default() }, &actor(by)?)?;
    out.emit(&merged, || {
        let mut s = plan_text(&merged.plan);
        s += &format!(
            "Merged {}'s working copy at event {}: {} row(s) applied, {} conflict(s) resolved ({}), {} sign-off(s) cleared\n",
            merged.plan.assignee,
            merged.event,
            merged.rows_applied,
            merged.resolved.len(),
            prefer.map_or("none", |p| if p == Prefer::Main { "kept the engagement's" } else { "kept the returned" }),
            merged.signoffs_cleared
        );
        s
    });
    Ok(())
}

fn plan_text(plan: &MergePlan) -> String {
    let mut s = format!(
        "Working copy {} from {} ({}): {} event(s) since the hand-off at event {}, {} row(s) changed, head {}\n",
        plan.branch,
        plan.assignee,
        plan.controls.join(", "),
        plan.events,
        plan.base_seq,
        plan.rows,
        &plan.head[..plan.head.len().min(12)]
    );
    for c in &plan.conflicts {
        s += &conflict_text(c);
    }
    s
}

fn conflict_text(c: &Conflict) -> String {
    format!(
        "CONFLICT {} {} [{}]\n  engagement: {} ({}, {})\n  returned:   {} ({}, {})\n",
        c.control, c.subject, c.id, c.main.value, c.main.by, c.main.at, c.returned.value, c.returned.by, c.returned.at
    )
}
