//! The start-up trace: launched with `TICKMARK_STARTUP_TRACE=1`, the shell writes one line per
//! start-up milestone to stderr, in milliseconds since `main` began, so a timed launch can tell
//! where the time before the first screen goes (benches/cold_start). Off by default. A line
//! names a milestone, a command or a duration, never a path, a key or anything else of the
//! client's.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::json::{StartupMark, StartupReportJson};

/// When `main` began, on the monotonic clock and on the wall clock (the page's clock is the
/// wall clock's: `performance.timeOrigin` is milliseconds since the Unix epoch).
struct Start {
    at: Instant,
    epoch_ms: f64,
}

static START: OnceLock<Option<Start>> = OnceLock::new();

/// Reads `TICKMARK_STARTUP_TRACE` once, first thing in `main`; later calls change nothing.
pub fn begin() {
    START.get_or_init(|| {
        let on = std::env::var("TICKMARK_STARTUP_TRACE").is_ok_and(|v| !v.is_empty() && v != "0");
        on.then(|| Start { at: Instant::now(), epoch_ms: epoch_ms(SystemTime::now()) })
    });
    mark("main");
}

/// Whether this run traces its start (the page reports its own milestones only then).
pub fn enabled() -> bool {
    START.get().is_some_and(Option::is_some)
}

fn epoch_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Writes `what` with the milliseconds since `main` began, when tracing.
pub fn mark(what: &str) {
    if let Some(Some(start)) = START.get() {
        line(start.at.elapsed().as_secs_f64() * 1000.0, what);
    }
}

fn line(ms: f64, what: &str) {
    eprintln!("tickmark-app startup: {ms:8.1} ms  {what}");
}

/// `mark`, only the first time it is called with this `once` flag.
pub fn mark_once(once: &OnceLock<()>, what: &str) {
    if enabled() && once.set(()).is_ok() {
        mark(what);
    }
}

/// The page's own milestones and the round trip of each command it sent before the first grid
/// page showed, placed on the shell's clock. Written in time order; then the moment the report
/// arrived, which is the first grid page rendered as the shell sees it.
pub fn page_report(report: &StartupReportJson) {
    let Some(Some(start)) = START.get() else { return };
    for (ms, what) in page_lines(report, start.epoch_ms) {
        line(ms, &what);
    }
    mark("first grid page rendered (reported by the page after the next frame)");
}

/// The report's lines, in milliseconds since `main` (which began at `main_epoch_ms`), in time
/// order.
fn page_lines(report: &StartupReportJson, main_epoch_ms: f64) -> Vec<(f64, String)> {
    let at = |page_ms: f64| report.time_origin + page_ms - main_epoch_ms;
    let mut lines: Vec<(f64, String)> = report
        .marks
        .iter()
        .map(|m| (at(m.at), format!("page: {} (page clock {:.1} ms)", page_milestone(m.mark), m.at)))
        .collect();
    for c in &report.commands {
        // Only the names of commands; anything else the page might send is not written.
        if c.command.len() <= 40 && c.command.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            lines.push((at(c.sent), format!("page: {} sent", c.command)));
            lines.push((at(c.answered), format!("page: {} answered ({:.1} ms)", c.command, c.answered - c.sent)));
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines
}

fn page_milestone(mark: StartupMark) -> &'static str {
    match mark {
        StartupMark::ScriptStarted => "script started",
        StartupMark::Mounted => "app mounted",
        StartupMark::GridRendered => "first grid page rendered",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{StartupCommandJson, StartupMarkJson};

    #[test]
    fn the_pages_report_is_placed_on_the_shells_clock_and_writes_command_names_only() {
        let report = StartupReportJson {
            // The page's clock began 400 ms after `main`.
            time_origin: 1_000_400.0,
            marks: vec![
                StartupMarkJson { mark: StartupMark::GridRendered, at: 150.0 },
                StartupMarkJson { mark: StartupMark::ScriptStarted, at: 40.0 },
            ],
            commands: vec![
                StartupCommandJson { command: "app_start".into(), sent: 45.0, answered: 60.5 },
                StartupCommandJson { command: "/home/dana/acme.tickmark".into(), sent: 50.0, answered: 51.0 },
            ],
        };
        let lines = page_lines(&report, 1_000_000.0);
        assert_eq!(
            lines,
            vec![
                (440.0, "page: script started (page clock 40.0 ms)".to_string()),
                (445.0, "page: app_start sent".to_string()),
                (460.5, "page: app_start answered (15.5 ms)".to_string()),
                (550.0, "page: first grid page rendered (page clock 150.0 ms)".to_string()),
            ]
        );
    }
}
