//! What the page reports of its own start when the start-up trace is on (`crate::startup`):
//! milestones and command round trips on the page's clock. Names and times only.

use serde::Deserialize;
use ts_rs::TS;

/// A milestone of the page's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum StartupMark {
    /// The bundle's first module began to run.
    ScriptStarted,
    /// The app's root component was mounted (its start-up command sent).
    Mounted,
    /// The first grid page was in the DOM and a frame had been drawn after it.
    GridRendered,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StartupMarkJson {
    pub mark: StartupMark,
    /// Milliseconds on the page's clock (`performance.now()`).
    pub at: f64,
}

/// One command the page sent, by name, with when it was sent and answered (page clock, ms).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StartupCommandJson {
    pub command: String,
    pub sent: f64,
    pub answered: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StartupReportJson {
    /// `performance.timeOrigin`: the page clock's zero, in milliseconds since the Unix epoch.
    pub time_origin: f64,
    pub marks: Vec<StartupMarkJson>,
    pub commands: Vec<StartupCommandJson>,
}
