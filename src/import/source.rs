//! The source file itself: refused unless it is a regular file, and refused at the end of a read
//! when its size or modification time moved, so the hash recorded is of one version of it.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;
use std::time::SystemTime;

use super::error::{ImportError, ImportErrorKind as K};

/// What the file looked like when it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub len: u64,
    modified: Option<SystemTime>,
    /// Device and inode on Unix: the same name may be given another file mid-read.
    identity: Option<(u64, u64)>,
}

impl Snapshot {
    fn of(m: &Metadata) -> Snapshot {
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            Some((m.dev(), m.ino()))
        };
        #[cfg(not(unix))]
        let identity = None;
        Snapshot { len: m.len(), modified: m.modified().ok(), identity }
    }
}

pub(crate) fn io_error(file: &str, e: &io::Error) -> ImportError {
    match e.kind() {
        io::ErrorKind::NotFound => ImportError::new(K::Missing, file, "no such file"),
        io::ErrorKind::PermissionDenied => {
            ImportError::new(K::Unreadable, file, "permission denied: the file cannot be read")
        }
        _ => ImportError::new(K::Unreadable, file, format!("cannot be read: {e}")),
    }
}

/// Refuses anything but a regular file (a symlink to one is fine) before opening it: opening a
/// FIFO would wait for a writer, and a device or socket is not an export.
fn check_regular(file: &str, m: &Metadata) -> Result<(), ImportError> {
    let t = m.file_type();
    if t.is_file() {
        return Ok(());
    }
    if t.is_dir() {
        return Err(ImportError::new(K::Unreadable, file, "is a folder, not a file"));
    }
    Err(ImportError::new(
        K::NotAFile,
        file,
        format!("is {}, not a regular file; save the export to a file and import that", special_kind(m)),
    ))
}

fn special_kind(m: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = m;
    "not a file (a pipe, device or socket)"
}

/// Opens `path` for reading once it is known to be a regular file, and notes its metadata.
pub(crate) fn open(path: &Path, file: &str) -> Result<(File, Snapshot), ImportError> {
    let before = std::fs::metadata(path).map_err(|e| io_error(file, &e))?;
    check_regular(file, &before)?;
    let f = File::open(path).map_err(|e| io_error(file, &e))?;
    // The name may have been swapped between the look and the open: judge the open handle.
    let m = f.metadata().map_err(|e| io_error(file, &e))?;
    check_regular(file, &m)?;
    Ok((f, Snapshot::of(&m)))
}

/// Refuses the read when the file at `path` is no longer the one `at_open` described.
pub(crate) fn check_unchanged(path: &Path, file: &str, f: &File, at_open: Snapshot) -> Result<(), ImportError> {
    let now_handle = f.metadata().map_err(|e| io_error(file, &e))?;
    let now_path = std::fs::metadata(path).map_err(|e| io_error(file, &e))?;
    for now in [Snapshot::of(&now_handle), Snapshot::of(&now_path)] {
        if now != at_open {
            return Err(changed(file, at_open, now));
        }
    }
    Ok(())
}

fn changed(file: &str, then: Snapshot, now: Snapshot) -> ImportError {
    let what = if then.len != now.len {
        format!("its size went from {} to {} bytes", then.len, now.len)
    } else if then.modified != now.modified {
        "its modification time changed".to_string()
    } else {
        "it was replaced by another file of the same name".to_string()
    };
    ImportError::new(
        K::Changed,
        file,
        format!(
            "the file changed while it was read ({what}); nothing was imported: wait until the export is complete, then import it again"
        ),
    )
}
