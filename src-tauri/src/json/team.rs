//! Team fieldwork as the Team and merge screens show it: the working copies handed out, the
//! colleagues they can go to, a returned copy's merge plan with its conflicts, and the merge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tickmark::store::{Conflict, ConflictSide, Handoff, MergePlan, Merged, Prefer, Resolution, Signer};
use ts_rs::TS;

mirror_enum! {
    /// Which side a conflict keeps: the engagement's version or the returned working copy's.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "lowercase")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum PreferKind <=> Prefer {
        Main,
        Returned,
    }
}

/// One working copy handed out: who holds which controls, and whether it came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct HandoffJson {
    pub branch: String,
    pub assignee: String,
    /// The fingerprint of the key the assignee signs with.
    pub fingerprint: String,
    pub controls: Vec<String>,
    /// The hand-off event.
    #[ts(type = "number")]
    pub base_seq: i64,
    pub out_by: String,
    pub out_at: String,
    pub merged_by: Option<String>,
    pub merged_at: Option<String>,
    /// Events the copy brought back.
    #[ts(type = "number | null")]
    pub merged_events: Option<i64>,
    /// The engagement's event that merged the copy back.
    #[ts(type = "number | null")]
    pub merge_event: Option<i64>,
    pub recalled_by: Option<String>,
    pub recalled_at: Option<String>,
    pub recall_reason: Option<String>,
}

impl From<Handoff> for HandoffJson {
    fn from(h: Handoff) -> HandoffJson {
        let Handoff {
            branch,
            assignee,
            fingerprint,
            controls,
            base_seq,
            out_by,
            out_at,
            merged_by,
            merged_at,
            merged_events,
            merge_event,
            recalled_by,
            recalled_at,
            recall_reason,
        } = h;
        HandoffJson {
            branch,
            assignee,
            fingerprint,
            controls,
            base_seq,
            out_by,
            out_at,
            merged_by,
            merged_at,
            merged_events,
            merge_event,
            recalled_by,
            recalled_at,
            recall_reason,
        }
    }
}

/// A colleague whose signing key is pinned in the engagement: someone controls can be handed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ColleagueJson {
    pub name: String,
    pub fingerprint: String,
    pub pinned_by: String,
    pub pinned_at: String,
}

impl ColleagueJson {
    /// The signer as a colleague, when their key was pinned (only then can work be handed to them).
    pub fn pinned(s: Signer) -> Option<ColleagueJson> {
        let Signer { name, public_key: _, fingerprint, first_seen: _, pinned_by, pinned_at } = s;
        Some(ColleagueJson { name, fingerprint, pinned_by: pinned_by.unwrap_or_default(), pinned_at: pinned_at? })
    }
}

/// Everything the Team screen, the dashboard's "held by" and the working-copy banner need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TeamJson {
    /// Every working copy handed out, oldest first.
    pub handoffs: Vec<HandoffJson>,
    /// Set when the open file is itself a colleague's working copy.
    pub working_copy: Option<HandoffJson>,
    /// Colleagues with a pinned key, by name (the latest pin of each).
    pub colleagues: Vec<ColleagueJson>,
}

impl TeamJson {
    pub fn new(handoffs: Vec<Handoff>, working_copy: Option<Handoff>, signers: Vec<Signer>) -> TeamJson {
        let mut by_name: BTreeMap<String, ColleagueJson> = BTreeMap::new();
        for c in signers.into_iter().filter_map(ColleagueJson::pinned) {
            match by_name.get(&c.name) {
                Some(kept) if kept.pinned_at >= c.pinned_at => {}
                _ => {
                    by_name.insert(c.name.clone(), c);
                }
            }
        }
        TeamJson {
            handoffs: handoffs.into_iter().map(Into::into).collect(),
            working_copy: working_copy.map(Into::into),
            colleagues: by_name.into_values().collect(),
        }
    }
}

/// One side of a conflict: the row's differing fields in words, who last wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ConflictSideJson {
    pub value: String,
    pub by: String,
    pub at: String,
}

impl From<ConflictSide> for ConflictSideJson {
    fn from(s: ConflictSide) -> ConflictSideJson {
        let ConflictSide { value, by, at } = s;
        ConflictSideJson { value, by, at }
    }
}

/// A row changed on both sides since the hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ConflictJson {
    /// What a per-conflict resolution names.
    pub id: String,
    pub control: String,
    /// What the row is, in words: "item 4, attribute B".
    pub subject: String,
    /// The engagement's version.
    pub main: ConflictSideJson,
    /// The returned working copy's version.
    pub returned: ConflictSideJson,
}

impl From<Conflict> for ConflictJson {
    fn from(c: Conflict) -> ConflictJson {
        let Conflict { id, control, subject, main, returned } = c;
        ConflictJson { id, control, subject, main: main.into(), returned: returned.into() }
    }
}

/// What merging a returned working copy would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct MergePlanJson {
    pub branch: String,
    pub assignee: String,
    pub controls: Vec<String>,
    #[ts(type = "number")]
    pub base_seq: i64,
    /// Events written in the working copy since the hand-off.
    #[ts(type = "number")]
    pub events: u64,
    /// The working copy's trail head.
    pub head: String,
    /// Rows the working copy changed.
    #[ts(type = "number")]
    pub rows: u64,
    pub conflicts: Vec<ConflictJson>,
    /// Set when the copy was merged already: by whom and when, in words.
    pub already_merged: Option<String>,
}

impl From<MergePlan> for MergePlanJson {
    fn from(p: MergePlan) -> MergePlanJson {
        let MergePlan { branch, assignee, controls, base_seq, events, head, rows, conflicts, already_merged } = p;
        MergePlanJson {
            branch,
            assignee,
            controls,
            base_seq,
            events: events as u64,
            head,
            rows: rows as u64,
            conflicts: conflicts.into_iter().map(Into::into).collect(),
            already_merged,
        }
    }
}

/// How the auditor resolved the conflicts: one side for all, and/or one per conflict id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ResolutionJson {
    pub all: Option<PreferKind>,
    pub each: BTreeMap<String, PreferKind>,
}

impl From<ResolutionJson> for Resolution {
    fn from(r: ResolutionJson) -> Resolution {
        let ResolutionJson { all, each } = r;
        Resolution { all: all.map(Into::into), each: each.into_iter().map(|(id, p)| (id, p.into())).collect() }
    }
}

/// A conflict and the side kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ResolvedJson {
    pub id: String,
    pub kept: PreferKind,
}

/// A merge done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct MergedJson {
    pub plan: MergePlanJson,
    pub resolved: Vec<ResolvedJson>,
    #[ts(type = "number")]
    pub rows_applied: u64,
    #[ts(type = "number")]
    pub signoffs_cleared: u64,
    /// The merge event; 0 when the copy was merged already and nothing was written.
    #[ts(type = "number")]
    pub event: i64,
}

impl From<Merged> for MergedJson {
    fn from(m: Merged) -> MergedJson {
        let Merged { plan, resolved, rows_applied, signoffs_cleared, event } = m;
        MergedJson {
            plan: plan.into(),
            resolved: resolved.into_iter().map(|(id, kept)| ResolvedJson { id, kept: kept.into() }).collect(),
            rows_applied: rows_applied as u64,
            signoffs_cleared: signoffs_cleared as u64,
            event,
        }
    }
}
