//! The desktop app's own command line, read once at start-up:
//!
//! ```text
//! tickmark-app [ENGAGEMENT.tickmark | --engagement PATH | --demo] [--screen NAME] [--control ID] [--data-dir DIR]
//! ```
//!
//! `--demo` opens the demo engagement (building it if missing); `--screen` (engagements,
//! rollforward (the engagements screen with "New engagement from last year's…" started),
//! dashboard, coverage, controls, population, scope (the report's scoping section), grid, design,
//! sampling, testing, conclusion, interviews, requests, trail, team, merge (the Team screen asking at once
//! for a returned working copy to merge)) and `--control`
//! choose the first screen, so scripts can
//! reach each screen without clicking; `--data-dir` keeps the demo and the recent list in DIR
//! instead of the user's directories (tests, screenshots).

use std::path::PathBuf;

pub const SCREENS: [&str; 17] = [
    "engagements",
    "rollforward",
    "dashboard",
    "coverage",
    "controls",
    "population",
    "scope",
    "grid",
    "design",
    "sampling",
    "testing",
    "conclusion",
    "interviews",
    "requests",
    "trail",
    "team",
    "merge",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    pub engagement: Option<PathBuf>,
    pub demo: bool,
    pub screen: Option<String>,
    pub control: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Launch {
    /// Parses the arguments after the program name; unknown ones are reported, not fatal.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Launch, String> {
        let mut launch = Launch::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--engagement" => launch.engagement = Some(PathBuf::from(value("--engagement")?)),
                "--demo" => launch.demo = true,
                "--screen" => {
                    let s = value("--screen")?;
                    if !SCREENS.contains(&s.as_str()) {
                        return Err(format!("unknown screen {s:?}: expected one of {}", SCREENS.join(", ")));
                    }
                    launch.screen = Some(s);
                }
                "--control" => launch.control = Some(value("--control")?),
                "--data-dir" => launch.data_dir = Some(PathBuf::from(value("--data-dir")?)),
                other if !other.starts_with('-') => launch.engagement = Some(PathBuf::from(other)),
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(launch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Launch, String> {
        Launch::parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn reads_the_screen_and_control_scripts_ask_for() {
        let l = parse("--demo --screen population --control CC8.1-01").unwrap();
        assert!(l.demo);
        assert_eq!(l.screen.as_deref(), Some("population"));
        assert_eq!(l.control.as_deref(), Some("CC8.1-01"));
        assert_eq!(parse("acme.tickmark").unwrap().engagement, Some(PathBuf::from("acme.tickmark")));
    }

    #[test]
    fn refuses_an_unknown_screen_or_a_missing_value() {
        assert!(parse("--screen nowhere").unwrap_err().contains("unknown screen"));
        assert!(parse("--control").unwrap_err().contains("needs a value"));
    }
}
