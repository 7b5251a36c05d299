//! Client requests (PBC): each request with its status and age, what a folder of returned
//! files did, and the client's list as written.

use serde::{Deserialize, Serialize};
use tickmark::export::ExportedFile;
use tickmark::store::{Received, Request, RequestStatus};
use ts_rs::TS;

use super::ExportedFileJson;

mirror_enum! {
    /// Where a request stands (the engine's `RequestStatus`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
    #[serde(rename_all = "lowercase")]
    #[ts(export, export_to = "../../ui/src/lib/bindings/")]
    pub enum RequestStatusKind <=> RequestStatus {
        Open,
        /// Evidence came back and awaits the auditor's review.
        Received,
        Accepted,
        /// The evidence did not do; `reason` says why.
        Rejected,
    }
}

/// One thing asked of the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RequestJson {
    /// `CC8.1-01-07` for item 7 of the control's sample; `CC8.1-01-C` for the control itself.
    pub code: String,
    pub control: String,
    /// The sample item asked about; null for the control's own evidence.
    #[ts(type = "number | null")]
    pub ordinal: Option<u64>,
    pub key: Option<String>,
    /// ISO date of the item.
    pub date: Option<String>,
    /// The item's fields as `Column: value` lines.
    pub details: String,
    /// What evidence is needed, in the auditor's words.
    pub asked: String,
    /// ISO date.
    pub due: String,
    pub status: RequestStatusKind,
    /// Why the evidence was rejected.
    pub reason: Option<String>,
    pub created_at: String,
    pub received_at: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// Days since the request was made, today.
    #[ts(type = "number")]
    pub age_days: i64,
    /// Days past due while open; 0 otherwise.
    #[ts(type = "number")]
    pub overdue_days: i64,
}

impl From<Request> for RequestJson {
    fn from(r: Request) -> RequestJson {
        let Request {
            code,
            control,
            ordinal,
            key,
            date,
            details,
            asked,
            due,
            status,
            reason,
            created_at,
            received_at,
            closed_by,
            closed_at,
            age_days,
            overdue_days,
        } = r;
        RequestJson {
            code,
            control,
            ordinal,
            key,
            date: date.map(|d| d.to_string()),
            details,
            asked,
            due: due.to_string(),
            status: status.into(),
            reason,
            created_at,
            received_at,
            closed_by,
            closed_at,
            age_days,
            overdue_days,
        }
    }
}

/// A returned file stored as evidence on the request it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StoredFileJson {
    pub request: String,
    pub file: String,
    pub sha256: String,
}

/// What a folder of returned files did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ReceivedJson {
    /// The folder received, for the screen.
    pub folder: String,
    pub stored: Vec<StoredFileJson>,
    /// Files whose content was already stored for the same request (stored once).
    pub duplicates: Vec<String>,
    /// Files whose names start with no request ID.
    pub unmatched: Vec<String>,
    /// Requests still open after this folder.
    pub still_open: Vec<String>,
}

impl ReceivedJson {
    pub fn new(folder: &std::path::Path, r: Received) -> ReceivedJson {
        let Received { stored, duplicates, unmatched, still_open } = r;
        ReceivedJson {
            folder: folder.display().to_string(),
            stored: stored
                .into_iter()
                .map(|(request, file, sha256)| StoredFileJson { request, file, sha256 })
                .collect(),
            duplicates,
            unmatched,
            still_open,
        }
    }
}

/// The client's request list as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RequestsExportJson {
    pub path: String,
    #[ts(type = "number")]
    pub requests: u64,
    pub file: ExportedFileJson,
}

impl RequestsExportJson {
    pub fn new(path: &std::path::Path, requests: usize, file: ExportedFile) -> RequestsExportJson {
        let ExportedFile { name, bytes, sha256 } = file;
        RequestsExportJson {
            path: path.display().to_string(),
            requests: requests as u64,
            file: ExportedFileJson { name, bytes, sha256 },
        }
    }
}
