//! The files the auditor chose in this run. A path never comes from the webview: the native
//! dialogs are opened from Rust (`file_choose`) and files dropped on the window reach Rust
//! first (`drops::forward`); the webview receives an opaque handle for each, and every command
//! that reads or writes a file resolves its handle here. A handle for a file to read cannot be
//! used to write (a source chosen to import is never an export's destination), and a handle
//! that was not issued in this run resolves to nothing: a compromised webview can only touch
//! what the auditor picked.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode};

/// What a handle lets a command do with its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Chosen in an open dialog or dropped: read it (or open it, for an engagement).
    Read,
    /// Named in a save dialog: create or replace it.
    Write,
}

/// A chosen file as the webview holds it: the handle to pass back, and the name to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FileHandleJson {
    pub handle: String,
    /// The file's name (no folder), for the screen.
    pub name: String,
    /// The full path, for the screen only: commands take the handle.
    pub path: String,
}

#[derive(Default)]
pub struct Handles {
    issued: Mutex<HashMap<String, (PathBuf, Access)>>,
}

impl Handles {
    /// A new handle for `path`: 128 random bits, unguessable by the page.
    pub fn issue(&self, path: PathBuf, access: Access) -> FileHandleJson {
        let handle = format!("{:032x}", rand::random::<u128>());
        let json = FileHandleJson {
            handle: handle.clone(),
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: path.display().to_string(),
        };
        if let Ok(mut issued) = self.issued.lock() {
            issued.insert(handle, (path, access));
        }
        json
    }

    /// The path behind `handle`, when it was issued in this run for `access`.
    pub fn path(&self, handle: &str, access: Access) -> CommandResult<PathBuf> {
        let issued = self.issued.lock().map_err(|_| CommandError::internal("the file handle lock was poisoned"))?;
        match issued.get(handle) {
            Some((path, a)) if *a == access => Ok(path.clone()),
            Some((path, _)) => Err(CommandError::new(
                ErrorCode::Invalid,
                format!("{} was chosen to be read, not written: choose where to save it", path.display()),
            )),
            None => Err(CommandError::new(
                ErrorCode::Invalid,
                "that file was not chosen in this window: choose it again with the file dialog or drop it on the window",
            )),
        }
    }
}

/// What a dialog is for: Rust picks its title, filters and what the handle allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ChoosePurpose {
    /// An engagement file to open.
    EngagementOpen,
    /// Where to create a new engagement file.
    EngagementNew,
    /// A client export: population, control matrix, or a copy to re-perform a sample from.
    Source,
    /// A file to attach as evidence.
    Evidence,
    /// Where to save a copy of a stored evidence file.
    EvidenceCopy,
    WorkpaperXlsx,
    WorkpaperHtml,
    /// The folder the CSV files go in (created by the export).
    WorkpaperCsv,
    /// Section 4 of the SOC report, as a Word document.
    Section4Docx,
    /// Last year's engagement, to roll forward (read only).
    EngagementPrior,
    /// The client's request list, as a workbook.
    RequestsXlsx,
    /// A folder of files the client returned against the requests.
    RequestsFolder,
    /// Where to write a working copy handed to a colleague.
    WorkingCopy,
    /// A working copy a colleague returned, to merge.
    ReturnedCopy,
}

/// How a purpose's dialog looks and what its answer may do.
pub struct DialogSpec {
    pub title: &'static str,
    pub access: Access,
    /// The dialog picks a folder, not a file.
    pub folder: bool,
    /// (filter name, extensions); the first filter's first extension is added to a saved name
    /// that lacks it.
    pub filters: &'static [(&'static str, &'static [&'static str])],
}

impl ChoosePurpose {
    pub fn spec(self) -> DialogSpec {
        use Access::*;
        let (title, access, filters): (_, _, &'static [(&str, &[&str])]) = match self {
            ChoosePurpose::EngagementOpen => ("Open engagement", Read, &[("Tickmark engagement", &["tickmark"])]),
            ChoosePurpose::EngagementNew => {
                ("Create engagement file", Write, &[("Tickmark engagement", &["tickmark"])])
            }
            ChoosePurpose::Source => (
                "Choose the client's export",
                Read,
                &[("CSV, text or Excel export", &["csv", "tsv", "txt", "xlsx"]), ("All files", &["*"])],
            ),
            ChoosePurpose::Evidence => ("Attach evidence", Read, &[]),
            ChoosePurpose::EvidenceCopy => ("Save a copy of the evidence", Write, &[]),
            ChoosePurpose::WorkpaperXlsx => ("Export the workpaper", Write, &[("Excel workbook", &["xlsx"])]),
            ChoosePurpose::WorkpaperHtml => ("Export the workpaper", Write, &[("Web page (printable)", &["html"])]),
            ChoosePurpose::WorkpaperCsv => ("Name the folder for the CSV files", Write, &[]),
            ChoosePurpose::Section4Docx => ("Export Section 4 of the report", Write, &[("Word document", &["docx"])]),
            ChoosePurpose::EngagementPrior => {
                ("Choose last year's engagement", Read, &[("Tickmark engagement", &["tickmark"])])
            }
            ChoosePurpose::RequestsXlsx => {
                ("Export the client's request list", Write, &[("Excel workbook", &["xlsx"])])
            }
            ChoosePurpose::RequestsFolder => ("Choose the folder of files the client returned", Read, &[]),
            ChoosePurpose::WorkingCopy => {
                ("Save the working copy for your colleague", Write, &[("Tickmark working copy", &["tickmark"])])
            }
            ChoosePurpose::ReturnedCopy => {
                ("Merge a returned working copy", Read, &[("Tickmark working copy", &["tickmark"])])
            }
        };
        DialogSpec { title, access, folder: self == ChoosePurpose::RequestsFolder, filters }
    }

    /// The extension a saved name must end with, if any.
    pub fn extension(self) -> Option<&'static str> {
        match self.spec() {
            DialogSpec { access: Access::Write, filters: [(_, [ext, ..]), ..], .. } => Some(ext),
            _ => None,
        }
    }
}

/// `name.ext` unless it already ends with `.ext` (any case).
pub fn with_extension(path: PathBuf, ext: Option<&str>) -> PathBuf {
    match ext {
        Some(ext) if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) => {
            let mut s = path.into_os_string();
            s.push(format!(".{ext}"));
            PathBuf::from(s)
        }
        _ => path,
    }
}

/// The end-to-end tests' answers (`make e2e`): WebDriver cannot drive a native dialog, so when
/// `TICKMARK_E2E_OPEN` / `TICKMARK_E2E_SAVE` are set at launch, `file_choose` answers with them
/// instead of showing one. Read once at start-up from the environment the page cannot reach.
#[derive(Debug, Clone, Default)]
pub struct DialogAnswers {
    pub open: Option<PathBuf>,
    pub save: Option<PathBuf>,
}

impl DialogAnswers {
    /// Only a debug build (what `make app` and `make e2e` build) reads them: a packaged release
    /// (`make package`) always shows the native dialogs.
    pub fn from_env() -> DialogAnswers {
        if !cfg!(debug_assertions) {
            return DialogAnswers::default();
        }
        DialogAnswers {
            open: std::env::var_os("TICKMARK_E2E_OPEN").map(PathBuf::from),
            save: std::env::var_os("TICKMARK_E2E_SAVE").map(PathBuf::from),
        }
    }

    pub fn for_access(&self, access: Access) -> Option<&Path> {
        match access {
            Access::Read => self.open.as_deref(),
            Access::Write => self.save.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_resolves_only_for_its_access_and_a_made_up_one_never() {
        let h = Handles::default();
        let read = h.issue(PathBuf::from("/data/tickets.csv"), Access::Read);
        assert_eq!((read.name.as_str(), read.handle.len()), ("tickets.csv", 32));
        assert_eq!(h.path(&read.handle, Access::Read).unwrap(), PathBuf::from("/data/tickets.csv"));
        assert!(h.path(&read.handle, Access::Write).unwrap_err().message.contains("chosen to be read"));
        assert!(h.path("/etc/passwd", Access::Read).unwrap_err().message.contains("not chosen in this window"));
        let other = h.issue(PathBuf::from("/data/tickets.csv"), Access::Read);
        assert_ne!(other.handle, read.handle);
    }

    #[test]
    fn a_saved_name_gets_the_purposes_extension_once() {
        let xlsx = ChoosePurpose::WorkpaperXlsx.extension();
        assert_eq!(with_extension(PathBuf::from("/w/acme"), xlsx), PathBuf::from("/w/acme.xlsx"));
        assert_eq!(with_extension(PathBuf::from("/w/acme.XLSX"), xlsx), PathBuf::from("/w/acme.XLSX"));
        assert_eq!(ChoosePurpose::EngagementNew.extension(), Some("tickmark"));
        assert_eq!(ChoosePurpose::WorkpaperCsv.extension(), None);
        assert_eq!(ChoosePurpose::Source.extension(), None, "an open dialog's answer is never renamed");
        assert_eq!(ChoosePurpose::RequestsXlsx.extension(), Some("xlsx"));
        assert_eq!(ChoosePurpose::RequestsFolder.extension(), None);
        assert!(ChoosePurpose::RequestsFolder.spec().folder && !ChoosePurpose::EngagementPrior.spec().folder);
    }
}
