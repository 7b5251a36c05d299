//! The domain model: engagement, control, population, sample and what fieldwork records about them.

mod control;
pub mod criteria;
pub mod design;
pub mod evaluation;
pub mod fieldwork;
mod frequency;
pub mod rollup;
pub mod scope;
pub mod vocabulary;
pub mod workpaper;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

pub use control::{Attribute, Control, ControlInput, Nature, parse_attributes, parse_criteria_refs};
pub use frequency::{Frequency, UnknownFrequency};

use crate::identity::Identity;
use crate::{Error, Result};

/// Who is acting and when: passed in by the caller, never read from the clock or the OS in
/// the engine, so every operation is reproducible in a test.
///
/// Writing needs an `identity`: every event is signed by the auditor who makes it. An actor
/// without one can read, export and verify, but the engine refuses to record a change for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub at: DateTime<Utc>,
    pub identity: Option<Identity>,
}

impl Actor {
    /// An actor who signs nothing: enough to read or export, not to write.
    pub fn new(name: impl Into<String>, at: DateTime<Utc>) -> Actor {
        Actor { name: name.into(), at, identity: None }
    }

    /// The auditor holding `identity`, acting under its name.
    pub fn signed(identity: Identity, at: DateTime<Utc>) -> Actor {
        Actor { name: identity.name().to_string(), at, identity: Some(identity) }
    }

    /// The name of the person acting: `explicit` when given and not blank, else the
    /// environment's user (`TICKMARK_USER`, `USER`, `USERNAME`), else "unknown". Called at a
    /// command's edge (the CLI's `--by`, the app's preparer), never inside the engine's logic.
    pub fn user_name(explicit: Option<&str>) -> String {
        explicit
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .or_else(|| {
                ["TICKMARK_USER", "USER", "USERNAME"]
                    .iter()
                    .filter_map(|k| std::env::var(k).ok())
                    .find(|n| !n.trim().is_empty())
            })
            .unwrap_or_else(|| "unknown".into())
    }

    pub(crate) fn at_text(&self) -> String {
        self.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportType {
    Soc2Type2,
    Soc2Type1,
    Soc1Type2,
    Soc1Type1,
}

impl ReportType {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportType::Soc2Type2 => "soc2-type2",
            ReportType::Soc2Type1 => "soc2-type1",
            ReportType::Soc1Type2 => "soc1-type2",
            ReportType::Soc1Type1 => "soc1-type1",
        }
    }

    pub const ALL: [ReportType; 4] =
        [ReportType::Soc2Type2, ReportType::Soc2Type1, ReportType::Soc1Type2, ReportType::Soc1Type1];

    /// A SOC 1 report: controls reference the engagement's own control objectives.
    pub fn is_soc1(self) -> bool {
        matches!(self, ReportType::Soc1Type2 | ReportType::Soc1Type1)
    }

    /// A Type 1 report: design as of a date, design conclusions only, no sampling.
    pub fn is_type1(self) -> bool {
        matches!(self, ReportType::Soc2Type1 | ReportType::Soc1Type1)
    }

    /// As the workpaper and the app print it.
    pub fn words(self) -> &'static str {
        match self {
            ReportType::Soc2Type2 => "SOC 2 Type 2",
            ReportType::Soc2Type1 => "SOC 2 Type 1",
            ReportType::Soc1Type2 => "SOC 1 Type 2",
            ReportType::Soc1Type1 => "SOC 1 Type 1",
        }
    }

    pub fn parse(s: &str) -> Result<ReportType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "soc2-type2" | "soc2" => Ok(ReportType::Soc2Type2),
            "soc2-type1" => Ok(ReportType::Soc2Type1),
            "soc1-type2" | "soc1" => Ok(ReportType::Soc1Type2),
            "soc1-type1" => Ok(ReportType::Soc1Type1),
            _ => Err(Error::invalid(format!(
                "unknown report type {s:?}: expected soc2-type2, soc2-type1, soc1-type2 or soc1-type1"
            ))),
        }
    }
}

/// A kind read back by its wire name (`pass`, `preparer`, …); an unknown name is refused
/// listing every name `all` has, so the message never falls behind the enum.
pub(crate) fn kind_by_name<T: Copy>(s: &str, what: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Result<T> {
    all.iter().copied().find(|k| name(*k) == s).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|k| name(*k)).collect();
        let expected = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        Error::invalid(format!("unknown {what} {s:?}: expected {expected}"))
    })
}

/// The review (examination) period, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if end < start {
            return Err(Error::invalid(format!("the period ends ({end}) before it starts ({start})")));
        }
        Ok(Period { start, end })
    }

    /// Parses `2026-01-01..2026-12-31`, or one date (`2026-06-30`) for a Type 1 report's
    /// "as of" date.
    pub fn parse(s: &str) -> Result<Period> {
        let bad = || {
            Error::invalid(format!(
                "period {s:?} is not START..END (e.g. 2026-01-01..2026-12-31) or, for a Type 1 report, one date (e.g. 2026-06-30)"
            ))
        };
        let day = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad());
        match s.split_once("..") {
            Some((a, b)) => Period::new(day(a)?, day(b)?),
            None => {
                let d = day(s)?;
                Period::new(d, d)
            }
        }
    }

    /// A single day: a Type 1 report's "as of" date.
    pub fn is_date(&self) -> bool {
        self.start == self.end
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The day a period following this one starts: the day after it ends (None at the end of
    /// the calendar).
    pub fn next_start(&self) -> Option<NaiveDate> {
        self.end.checked_add_days(chrono::Days::new(1))
    }

    /// Whether this period follows `prior` as next year's engagement should: a period starts
    /// the day after `prior` ends; a Type 1 report's date (a period of one day) falls after it,
    /// as the proposal's "the same date a year later" does.
    pub fn follows(&self, prior: &Period) -> bool {
        if self.is_date() {
            return self.start > prior.end;
        }
        prior.next_start() == Some(self.start)
    }

    /// The year after this period, proposed for next year's engagement: twelve months from the
    /// day after it ends (`2026-01-01..2026-12-31` → `2027-01-01..2027-12-31`), or for a Type 1
    /// report's date, the same date a year later.
    pub fn year_after(&self) -> Option<Period> {
        let year = chrono::Months::new(12);
        if self.is_date() {
            let d = self.start.checked_add_months(year)?;
            return Some(Period { start: d, end: d });
        }
        let start = self.next_start()?;
        let end = start.checked_add_months(year)?.pred_opt()?;
        Some(Period { start, end })
    }
}

/// The Trust Services Criteria categories an engagement can have in scope, with their names.
pub const CRITERIA_CATEGORIES: [(&str, &str); 5] = [
    ("CC", "Common criteria (security)"),
    ("A", "Availability"),
    ("C", "Confidentiality"),
    ("PI", "Processing integrity"),
    ("P", "Privacy"),
];

pub fn parse_criteria(s: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for part in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let up = part.to_ascii_uppercase();
        if !CRITERIA_CATEGORIES.iter().any(|(code, _)| *code == up) {
            return Err(Error::invalid(format!(
                "unknown criteria category {part:?}: expected CC, A, C, PI or P (common criteria, availability, confidentiality, processing integrity, privacy)"
            )));
        }
        if !out.contains(&up) {
            out.push(up);
        }
    }
    if !out.contains(&"CC".to_string()) {
        out.insert(0, "CC".to_string());
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEngagement {
    pub client: String,
    pub report: ReportType,
    pub period: Period,
    pub criteria: Vec<String>,
    pub firm: String,
    pub preparer: String,
    pub reviewer: String,
}

impl NewEngagement {
    pub(crate) fn validate(&self) -> Result<()> {
        if self.client.trim().is_empty() {
            return Err(Error::invalid("the client name is empty"));
        }
        if self.report.is_type1() && !self.period.is_date() {
            return Err(Error::invalid(format!(
                "a {} report is as of one date, not a period: give the date, e.g. --period {}",
                self.report.words(),
                self.period.end
            )));
        }
        if !self.report.is_type1() && self.period.is_date() {
            return Err(Error::invalid(format!(
                "a {} report covers a period of operation, not one day: give START..END, or choose a Type 1 report",
                self.report.words()
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngagementInfo {
    pub client: String,
    pub report: ReportType,
    pub period: Period,
    pub criteria: Vec<String>,
    pub firm: String,
    pub preparer: String,
    pub reviewer: String,
    pub created_at: String,
    pub created_by: String,
}

pub(crate) fn insert_engagement(tx: &Transaction<'_>, e: &NewEngagement, actor: &Actor) -> Result<()> {
    tx.execute(
        "INSERT INTO engagement (id, client, report, period_start, period_end, criteria, firm, preparer, reviewer, created_at, created_by)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.client.trim(),
            e.report.as_str(),
            e.period.start.to_string(),
            e.period.end.to_string(),
            e.criteria.join(","),
            e.firm,
            e.preparer,
            e.reviewer,
            actor.at_text(),
            actor.name
        ],
    )?;
    Ok(())
}

pub(crate) fn load_engagement(conn: &Connection) -> Result<EngagementInfo> {
    let row = conn.query_row(
        "SELECT client, report, period_start, period_end, criteria, firm, preparer, reviewer, created_at, created_by FROM engagement WHERE id = 1",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        },
    )?;
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::invalid(format!("stored period date {s:?} is damaged")))
    };
    Ok(EngagementInfo {
        client: row.0,
        report: ReportType::parse(&row.1)?,
        period: Period::new(date(&row.2)?, date(&row.3)?)?,
        criteria: row.4.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        firm: row.5,
        preparer: row.6,
        reviewer: row.7,
        created_at: row.8,
        created_by: row.9,
    })
}
