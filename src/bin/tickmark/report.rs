//! `tickmark report ENG --section4 --out FILE.docx|.xlsx|.html [--draft] [--force]`: the SOC
//! report's Section 4 from the whole engagement, read at this command's time.

use std::path::PathBuf;

use clap::Args;
use tickmark::Error;
use tickmark::engagement::Actor;

use super::{Output, now, open_engagement};

#[derive(Args)]
pub(crate) struct ReportArgs {
    engagement: PathBuf,
    /// Section 4, "Tests of controls and results of tests" (the only part written today).
    #[arg(long)]
    section4: bool,
    /// The file to write: .docx, .xlsx or .html.
    #[arg(long)]
    out: PathBuf,
    /// Write it even with controls not concluded, marked DRAFT on every page.
    #[arg(long)]
    draft: bool,
    /// Replace an earlier file at --out.
    #[arg(long)]
    force: bool,
}

pub(crate) fn run(a: ReportArgs, by: Option<&str>, out: &Output) -> Result<(), Error> {
    if !a.section4 {
        return Err(Error::Invalid("tickmark report writes the report's Section 4: add --section4".into()));
    }
    let eng = open_engagement(&a.engagement)?;
    let workpaper = eng.workpaper(None, &Actor::new(Actor::user_name(by), now()))?;
    drop(eng);
    let summary = tickmark::export::section4::export(&workpaper, &a.out, a.force, a.draft)?;
    out.emit(&summary, || {
        format!(
            "Wrote Section 4{} to {}: {} control(s) under {} criteria in {} group(s)\n  {} bytes  SHA-256 {}\n",
            if summary.draft { " (DRAFT)" } else { "" },
            summary.path.display(),
            summary.controls,
            summary.criteria,
            summary.groups,
            summary.file.bytes,
            summary.file.sha256
        )
    });
    Ok(())
}
