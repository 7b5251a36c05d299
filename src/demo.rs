//! The demo engagement, "Acme Cloud, Inc.", built from the fixtures embedded in the binary, so
//! a newcomer sees a realistic engagement on first start without any file of their own.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engagement::evaluation::Planning;
use crate::engagement::{Actor, Frequency, NewEngagement, Period, ReportType};
use crate::identity::Identity;
use crate::import::Mapping;
use crate::sampling::{Method, Risk, Seed};
use crate::store::SampleRequest;
use crate::{Engagement, Error, Result};

/// (file name, contents) of the client exports the demo imports.
const SOURCES: &[(&str, &[u8])] = &[
    ("controls.csv", include_bytes!("../fixtures/acme/controls.csv")),
    ("change_tickets.csv", include_bytes!("../fixtures/acme/change_tickets.csv")),
    ("deployments.csv", include_bytes!("../fixtures/acme/deployments.csv")),
    ("new_hires.xlsx", include_bytes!("../fixtures/acme/new_hires.xlsx")),
    ("terminations.csv", include_bytes!("../fixtures/acme/terminations.csv")),
    ("access_reviews.csv", include_bytes!("../fixtures/acme/access_reviews.csv")),
];
const ENGAGEMENT_JSON: &str = include_str!("../fixtures/acme/engagement.json");

/// control, source file, key column, date column, accepted by the preparer in the demo.
const IMPORTS: &[(&str, &str, &str, &str, bool)] = &[
    ("CC8.1-01", "change_tickets.csv", "Issue key", "Created", true),
    ("CC8.1-02", "deployments.csv", "Deployment ID", "Deployed At", true),
    ("CC6.2-01", "new_hires.xlsx", "Employee ID", "Hire Date", true),
    ("CC1.4-01", "new_hires.xlsx", "Employee ID", "Hire Date", true),
    ("CC6.3-01", "terminations.csv", "Employee ID", "Last Day of Work", false),
    ("CC6.1-01", "access_reviews.csv", "Review ID", "Review Completed", true),
];

/// The scoping the demo shows on the change tickets (CC8.1-01), before acceptance: control, rule, reason.
const EXCLUSIONS: &[(&str, &str, &str)] = &[
    (
        "CC8.1-01",
        "outside-period",
        "Raised before the review period; their approval and testing fall under the prior year's report.",
    ),
    ("CC8.1-01", "blank-key", "A blank row of the Jira export: no ticket, so no change to test."),
    (
        "CC8.1-01",
        "duplicate-key",
        "Jira exports a ticket twice when it is re-opened; the first row is the change, the repeat adds nothing.",
    ),
    (
        "CC8.1-01",
        "column:Status=Canceled|Declined",
        "Cancelled or declined before deployment: no change reached production, so the control did not operate on them (confirmed with S. Ortiz).",
    ),
];

/// The demo's sample on CC8.1-01: the firm's table for an event-driven control (the frame's
/// occurrences pick the row), a fixed seed, and one item voided and replaced.
const SAMPLE_CONTROL: &str = "CC8.1-01";
const SAMPLE_SEED: &str = "48213077915530642187";
const VOID: (u64, &str) = (
    3,
    "Closed as a duplicate of another ticket in the population; the change was deployed under that ticket, so there is nothing to test on this one.",
);

/// control, frequency, business days only.
const GENERATED: &[(&str, Frequency, bool)] = &[
    ("CC7.2-01", Frequency::Daily, true),
    ("A1.2-01", Frequency::Daily, false),
    ("CC7.1-01", Frequency::Weekly, true),
    ("CC4.1-01", Frequency::Monthly, true),
    ("A1.3-01", Frequency::Quarterly, true),
];

#[derive(Deserialize)]
struct EngagementFixture {
    client: String,
    report: String,
    period_start: String,
    period_end: String,
    criteria: Vec<String>,
    firm: String,
    preparer: String,
    reviewer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub path: PathBuf,
    pub controls: usize,
    pub populations: usize,
}

/// Where the demo engagement lives by default: the user's data directory.
pub fn default_path() -> Option<PathBuf> {
    data_dir().map(|d| d.join("tickmark").join("demo.tickmark"))
}

fn data_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if cfg!(windows) {
        return env("APPDATA");
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Application Support"));
    }
    env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
}

/// Builds the demo engagement at `path`. With `replace`, an existing one is rebuilt (unless
/// another Tickmark has it open).
pub fn build(path: &Path, replace: bool, actor: &Actor) -> Result<Demo> {
    if path.exists() {
        if !replace {
            return Err(Error::AlreadyExists { path: path.to_path_buf() });
        }
        drop(Engagement::open(path)?);
        std::fs::remove_file(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let sources = dir.join("demo-sources");
    std::fs::create_dir_all(&sources).map_err(|source| Error::Io { path: sources.clone(), source })?;
    for (name, bytes) in SOURCES {
        let p = sources.join(name);
        std::fs::write(&p, bytes).map_err(|source| Error::Io { path: p.clone(), source })?;
    }
    let f: EngagementFixture =
        serde_json::from_str(ENGAGEMENT_JSON).map_err(|e| Error::invalid(format!("demo fixture: {e}")))?;
    let new = NewEngagement {
        client: f.client,
        report: ReportType::parse(&f.report)?,
        period: Period::parse(&format!("{}..{}", f.period_start, f.period_end))?,
        criteria: f.criteria,
        firm: f.firm,
        preparer: f.preparer.clone(),
        reviewer: f.reviewer,
    };
    // The demo's work is the fixture's preparer's, at the time the caller gives, signed with a
    // demo key whose secret is public (the bytes below): a demo proves nothing about anyone.
    let demo_secret: [u8; 32] = Sha256::digest(b"tickmark demo identity: not a secret").into();
    let actor = &Actor::signed(Identity::from_secret(&f.preparer, demo_secret)?, actor.at);
    let result = (|| {
        let mut eng = Engagement::create(path, &new, actor)?;
        let controls = eng.import_controls(&sources.join("controls.csv"), None, actor)?.controls.len();
        let mut populations = 0;
        for (control, file, key, date, accept) in IMPORTS {
            let mapping = Mapping { key: key.to_string(), date: Some(date.to_string()), ..Mapping::default() };
            eng.import_population(control, &sources.join(file), &mapping, actor, &mut |_| true)?;
            for (_, rule, reason) in EXCLUSIONS.iter().filter(|(c, _, _)| c == control) {
                eng.exclude_rows(control, &rule.parse()?, reason, None, actor)?;
            }
            if *accept {
                eng.accept_population(control, actor)?;
            }
            populations += 1;
        }
        for (control, frequency, business_days) in GENERATED {
            eng.generate_population(control, *frequency, *business_days, actor)?;
            eng.accept_population(control, actor)?;
            populations += 1;
        }
        let request = SampleRequest {
            method: Method::Random,
            size: None,
            seed: Seed::new(SAMPLE_SEED)?,
            seed_proposed: false,
            strata: None,
            basis: None,
            replace_reason: None,
            planning: Planning::FirmTable { frequency: Frequency::EventDriven, risk: Risk::Lower },
        };
        eng.draw_sample(SAMPLE_CONTROL, &request, actor)?;
        eng.void_item(SAMPLE_CONTROL, VOID.0, VOID.1, actor)?;
        Ok(Demo { path: path.to_path_buf(), controls, populations })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}
