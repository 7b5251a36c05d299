//! The recent-engagements list: shell state, a small JSON file in the app's config directory.
//! It holds paths and the engagement's name and period, never client data from inside the file.

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};

use crate::json::{EngagementJson, RecentJson};

const FILE: &str = "recent.json";
const KEEP: usize = 12;

pub fn file(config_dir: &Path) -> PathBuf {
    config_dir.join(FILE)
}

/// The list, most recent first. A missing or unreadable file is an empty list: losing it
/// costs the auditor one trip through the open dialog, nothing more.
pub fn load(config_dir: &Path) -> Vec<RecentJson> {
    let mut list: Vec<RecentJson> =
        std::fs::read(file(config_dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    for r in &mut list {
        r.exists = Path::new(&r.path).is_file();
    }
    list
}

/// Puts `e` at the top of the list and saves it.
pub fn remember(config_dir: &Path, e: &EngagementJson) -> std::io::Result<Vec<RecentJson>> {
    let mut list = load(config_dir);
    list.retain(|r| r.path != e.path);
    list.insert(
        0,
        RecentJson {
            path: e.path.clone(),
            client: e.client.clone(),
            period_start: e.period_start.clone(),
            period_end: e.period_end.clone(),
            opened_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            exists: true,
            handle: String::new(),
        },
    );
    list.truncate(KEEP);
    save(config_dir, &list)?;
    Ok(list)
}

pub fn forget(config_dir: &Path, path: &str) -> std::io::Result<Vec<RecentJson>> {
    let mut list = load(config_dir);
    list.retain(|r| r.path != path);
    save(config_dir, &list)?;
    Ok(list)
}

fn save(config_dir: &Path, list: &[RecentJson]) -> std::io::Result<()> {
    std::fs::create_dir_all(config_dir)?;
    let tmp = config_dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(list).expect("plain data"))?;
    std::fs::rename(tmp, file(config_dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::ReportKind;

    fn engagement(path: &str) -> EngagementJson {
        EngagementJson {
            path: path.into(),
            client: "Acme".into(),
            report: ReportKind::Soc2Type2,
            period_start: "2026-01-01".into(),
            period_end: "2026-12-31".into(),
            criteria: vec!["CC".into()],
            firm: String::new(),
            preparer: String::new(),
            reviewer: String::new(),
            created_at: String::new(),
            created_by: String::new(),
        }
    }

    #[test]
    fn keeps_the_latest_first_without_duplicates_and_marks_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tickmark");
        std::fs::write(&a, b"").unwrap();
        remember(dir.path(), &engagement(a.to_str().unwrap())).unwrap();
        remember(dir.path(), &engagement("/nowhere/b.tickmark")).unwrap();
        let list = remember(dir.path(), &engagement(a.to_str().unwrap())).unwrap();
        assert_eq!(list.len(), 2);
        let loaded = load(dir.path());
        assert_eq!(loaded[0].path, a.to_str().unwrap());
        assert!(loaded[0].exists);
        assert!(!loaded[1].exists);
        assert_eq!(forget(dir.path(), "/nowhere/b.tickmark").unwrap().len(), 1);
    }
}
