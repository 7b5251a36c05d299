//! Internal errors are shown to the auditor and also written here, one line each, so they are
//! not lost when the message is dismissed: the time, the code and the message. Only errors in
//! Tickmark's own words are written (internal and storage errors), never a client's data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The log's folder, set once at start-up (the app's log directory, or `--data-dir`/logs).
static DIR: OnceLock<PathBuf> = OnceLock::new();

/// The file in that folder.
pub const FILE: &str = "tickmark-errors.log";

pub fn set_dir(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// Writes one error to the log, if the log's folder is set. Logging never fails a command.
pub fn record(code: &str, message: &str) {
    if let Some(dir) = DIR.get() {
        let _ = append(dir, &chrono::Utc::now().to_rfc3339(), code, message);
    }
}

fn append(dir: &Path, at: &str, code: &str, message: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(dir.join(FILE))?;
    // One line per error, whatever the message holds.
    writeln!(f, "{at}\t{code}\t{}", message.replace(['\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_is_one_line_appended_to_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        append(&logs, "2026-12-02T10:00:00Z", "internal", "the sample was not saved").unwrap();
        append(&logs, "2026-12-02T10:00:01Z", "storage", "engagement file error:\ndisk I/O error").unwrap();
        let text = std::fs::read_to_string(logs.join(FILE)).unwrap();
        assert_eq!(
            text,
            "2026-12-02T10:00:00Z\tinternal\tthe sample was not saved\n2026-12-02T10:00:01Z\tstorage\tengagement file error: disk I/O error\n"
        );
    }
}
