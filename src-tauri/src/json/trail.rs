//! The audit trail as the trail screen shows it: events oldest first and where the hash chain
//! breaks, if it does.

use serde::Serialize;
use tickmark::trail::{ChainBreak, Event};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct EventJson {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The control the event is about, when it names one.
    pub control: Option<String>,
    /// The event's payload as compact JSON, for the detail line.
    pub payload: String,
    pub hash: String,
}

impl From<Event> for EventJson {
    fn from(e: Event) -> EventJson {
        let Event { seq, at, actor, action, payload, hash, .. } = e;
        EventJson {
            seq,
            at,
            actor,
            action,
            control: payload.get("control").and_then(|c| c.as_str()).map(String::from),
            payload: payload.to_string(),
            hash,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ChainBreakJson {
    #[ts(type = "number")]
    pub seq: i64,
    pub reason: String,
}

impl From<ChainBreak> for ChainBreakJson {
    fn from(b: ChainBreak) -> ChainBreakJson {
        let ChainBreak { seq, reason } = b;
        ChainBreakJson { seq, reason }
    }
}

/// The audit trail, oldest first, and whether its hash chain holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TrailJson {
    pub events: Vec<EventJson>,
    pub chain_break: Option<ChainBreakJson>,
}
