//! Next year's engagement from this year's: the prior engagement as the roll-forward form shows
//! it, what a roll-forward made, and per control what was carried and not yet confirmed and the
//! prior year's findings to follow up.

use serde::Serialize;
use tickmark::engagement::Period;
use tickmark::store::{FollowUp, RolledForward};
use ts_rs::TS;

use super::EngagementJson;

/// The prior engagement chosen to roll forward, and the period proposed for the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RollforwardCheckJson {
    pub prior: EngagementJson,
    /// Controls that will carry.
    #[ts(type = "number")]
    pub controls: u64,
    /// The year after the prior period (ISO dates); null only at the end of the calendar.
    pub proposed_start: Option<String>,
    pub proposed_end: Option<String>,
    /// The day a period following the prior one starts.
    pub next_start: Option<String>,
    /// Whether the period asked about starts the day after the prior one ends (a Type 1 date:
    /// falls after it); null when no period was asked about.
    pub follows: Option<bool>,
}

impl RollforwardCheckJson {
    pub fn new(prior: EngagementJson, period: Period, controls: usize, asked: Option<Period>) -> RollforwardCheckJson {
        let proposed = period.year_after();
        RollforwardCheckJson {
            prior,
            controls: controls as u64,
            proposed_start: proposed.map(|p| p.start.to_string()),
            proposed_end: proposed.map(|p| p.end.to_string()),
            next_start: period.next_start().map(|d| d.to_string()),
            follows: asked.map(|a| a.follows(&period)),
        }
    }
}

/// What a roll-forward made; the new engagement is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RolledForwardJson {
    pub engagement: EngagementJson,
    /// The prior engagement's ID and trail head, as the new trail's first event cites them.
    pub prior_id: String,
    pub prior_head: String,
    #[ts(type = "number")]
    pub prior_events: i64,
    #[ts(type = "number")]
    pub controls: u64,
    #[ts(type = "number")]
    pub walkthroughs: u64,
    #[ts(type = "number")]
    pub follow_ups: u64,
}

impl RolledForwardJson {
    pub fn new(done: RolledForward, engagement: EngagementJson) -> RolledForwardJson {
        let RolledForward { path: _, prior_id, prior_head, prior_events, controls, walkthroughs, follow_ups } = done;
        RolledForwardJson {
            engagement,
            prior_id,
            prior_head,
            prior_events,
            controls: controls as u64,
            walkthroughs: walkthroughs as u64,
            follow_ups: follow_ups as u64,
        }
    }
}

/// A prior-year exception or deficiency to follow up on a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FollowUpJson {
    pub control: String,
    /// `exception` or `deficiency`.
    pub kind: String,
    pub text: String,
}

impl From<FollowUp> for FollowUpJson {
    fn from(f: FollowUp) -> FollowUpJson {
        let FollowUp { control, kind, text } = f;
        FollowUpJson { control, kind, text }
    }
}

/// A control's carry-forward: what is not yet confirmed and what to follow up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CarriedJson {
    pub control: String,
    /// `control` (its description, attributes and procedure) and `walkthrough`, while not confirmed.
    pub unconfirmed: Vec<String>,
    pub follow_ups: Vec<FollowUpJson>,
}
