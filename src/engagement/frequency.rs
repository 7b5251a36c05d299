//! How often a control operates: drives generated populations and the firm's sample-size table.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Annual,
    Quarterly,
    Monthly,
    Weekly,
    Daily,
    MultipleDaily,
    EventDriven,
}

impl Frequency {
    pub const ALL: [Frequency; 7] = [
        Frequency::Annual,
        Frequency::Quarterly,
        Frequency::Monthly,
        Frequency::Weekly,
        Frequency::Daily,
        Frequency::MultipleDaily,
        Frequency::EventDriven,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::Quarterly => "quarterly",
            Frequency::Monthly => "monthly",
            Frequency::Weekly => "weekly",
            Frequency::Daily => "daily",
            Frequency::MultipleDaily => "multiple-daily",
            Frequency::EventDriven => "event-driven",
        }
    }

    /// As a person reads it.
    pub fn words(self) -> &'static str {
        match self {
            Frequency::Annual => "Annual",
            Frequency::Quarterly => "Quarterly",
            Frequency::Monthly => "Monthly",
            Frequency::Weekly => "Weekly",
            Frequency::Daily => "Daily",
            Frequency::MultipleDaily => "Multiple times a day",
            Frequency::EventDriven => "Event-driven",
        }
    }

    /// Whether the engine can generate the control's occurrences from the calendar (a
    /// population with no client file); the others need the client's listing.
    pub fn generatable(self) -> bool {
        matches!(self, Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Quarterly)
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown frequency {0:?}: expected annual, quarterly, monthly, weekly, daily, multiple-daily or event-driven")]
pub struct UnknownFrequency(pub String);

impl FromStr for Frequency {
    type Err = UnknownFrequency;

    /// Accepts the canonical names and the spellings control matrices use
    /// ("Multiple times a day", "As needed", "Per event", "Yearly").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded: String =
            s.trim().to_ascii_lowercase().chars().map(|c| if c == '_' || c == ' ' { '-' } else { c }).collect();
        Ok(match folded.as_str() {
            "annual" | "annually" | "yearly" => Frequency::Annual,
            "quarterly" => Frequency::Quarterly,
            "monthly" => Frequency::Monthly,
            "weekly" => Frequency::Weekly,
            "daily" => Frequency::Daily,
            "multiple-daily" | "multiple-times-a-day" | "multiple-times-per-day" | "recurring" => {
                Frequency::MultipleDaily
            }
            "event-driven" | "as-needed" | "per-event" | "ad-hoc" | "ad hoc" | "continuous" => Frequency::EventDriven,
            _ => return Err(UnknownFrequency(s.to_string())),
        })
    }
}
