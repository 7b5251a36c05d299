//! `make bench`'s cold start: the real app (the release build, UI inside) launched under Xvfb
//! on an engagement, straight to its population grid (`--screen grid --control C1`), timed two
//! ways, RUNS times each:
//!
//! - plain: the app spawned by itself with its start-up trace on (`TICKMARK_STARTUP_TRACE`,
//!   src-tauri/src/startup.rs), from the spawn to the trace's line for the first grid page
//!   rendered (the page reports it after the next frame is drawn). The trace's other lines say
//!   where the time went; their medians are printed under the table's rows.
//! - through WebDriver: from the session request that launches the app to the first grid
//!   page's first key on the screen. The session's own start (WebKitWebDriver launching the
//!   app) is inside that time.
//!
//! With `TICKMARK_WEBKIT_FLOOR` (benches/webkit_floor.c, built by benches/table.sh), also a
//! bare WebKitGTK window on a one-line page, spawn to rendered: WebKitGTK's own start under
//! Xvfb, which no change to Tickmark can take away.
//!
//! `TICKMARK_BENCH_COLD_START` names the engagement, `TICKMARK_BENCH_FIRST_KEY` the key of its
//! first item, `TICKMARK_APP` the app.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use tickmark_e2e::{App, Xvfb, app_env, literal, workspace};

const RUNS: usize = 5;
/// How long one launch may take before the bench gives up on it.
const LIMIT: Duration = Duration::from_secs(60);
/// The trace's last line of a start: the page reported its first grid page drawn.
const RENDERED: &str = "first grid page rendered (reported";

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (Some(engagement), Some(first_key)) =
        (std::env::var_os("TICKMARK_BENCH_COLD_START"), std::env::var("TICKMARK_BENCH_FIRST_KEY").ok())
    else {
        eprintln!("cold start bench: TICKMARK_BENCH_COLD_START and TICKMARK_BENCH_FIRST_KEY are needed");
        return;
    };
    let engagement = engagement.to_string_lossy().into_owned();
    let label = std::env::var("TICKMARK_BENCH_COLD_START_LABEL").unwrap_or_else(|_| "an engagement".into());
    let app = workspace().join(std::env::var("TICKMARK_APP").unwrap_or_else(|_| "target/release/tickmark-app".into()));
    let args = [engagement.as_str(), "--screen", "grid", "--control", "C1"];

    let xvfb = Xvfb::start().unwrap_or_else(|e| panic!("cold start: {e}"));
    let plain: Vec<Launch> = (0..RUNS)
        .map(|_| plain_launch(&app, xvfb.display(), &args).unwrap_or_else(|e| panic!("cold start, plain launch: {e}")))
        .collect();
    let floor: Option<Vec<Duration>> =
        std::env::var_os("TICKMARK_WEBKIT_FLOOR").filter(|f| !f.is_empty()).map(|floor| {
            (0..RUNS)
                .map(|_| {
                    floor_launch(Path::new(&floor), xvfb.display()).unwrap_or_else(|e| panic!("WebKitGTK floor: {e}"))
                })
                .collect()
        });
    drop(xvfb);

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cell =
        format!("//div[@role='row' and @data-index='0']/div[@role='gridcell' and text()={}]", literal(&first_key));
    let driven: Vec<Duration> = (0..RUNS)
        .map(|_| {
            rt.block_on(async {
                let app = App::start("cold-start", &args, &[]).await.unwrap_or_else(|e| panic!("cold start: {e}"));
                let shown = app
                    .client()
                    .wait()
                    .at_most(LIMIT)
                    .every(Duration::from_millis(5))
                    .for_element(Locator::XPath(&cell))
                    .await;
                let took = app.launched().elapsed();
                let walk =
                    shown.map(|_| ()).map_err(|e| format!("the first grid page never showed {first_key}: {e}").into());
                app.finish(walk).await;
                took
            })
        })
        .collect();

    let (plain_median, plain_slowest) = spread(plain.iter().map(|l| l.rendered).collect());
    let peak = plain.iter().map(|l| l.peak_kib).max().unwrap_or(0);
    println!(
        "| cold start: the app opened on {label}, its first grid page rendered (plain launch under Xvfb, no WebDriver: spawn to the page's report after the next frame, median of {RUNS}; slowest {:.2} s) | {:.2} s | target 1.00 s | {:.2} | {} MB (the app's process) |",
        plain_slowest.as_secs_f64(),
        plain_median.as_secs_f64(),
        plain_median.as_secs_f64(),
        peak / 1024
    );
    let (median, slowest) = spread(driven);
    println!(
        "| the same cold start through WebDriver (session request to the first key on screen; WebKitWebDriver's start inside, median of {RUNS}; slowest {:.2} s) | {:.2} s | target 1.00 s | {:.2} | |",
        slowest.as_secs_f64(),
        median.as_secs_f64(),
        median.as_secs_f64()
    );
    if let Some(floor) = floor {
        let (floor_median, floor_slowest) = spread(floor);
        println!(
            "| WebKitGTK's floor: a bare WebKitGTK window (no Tauri, no Tickmark) on a one-line page, spawn to rendered (median of {RUNS}; slowest {:.2} s) | {:.2} s | the plain launch {:.2} s | {:.2} | |",
            floor_slowest.as_secs_f64(),
            floor_median.as_secs_f64(),
            plain_median.as_secs_f64(),
            floor_median.as_secs_f64() / plain_median.as_secs_f64()
        );
    }
    // After the table (a blank line ends it): where the plain launch's time went.
    print!("\n```text\n{}```\n", milestones(&label, &plain));
}

/// One plain launch: when each trace line was written (the spawn → `main` gap measured by
/// this process, the rest by the trace's own clock), when the first grid page was reported
/// rendered (this process's clock), and the app's peak resident memory by then.
struct Launch {
    milestones: Vec<(String, Duration)>,
    rendered: Duration,
    peak_kib: u64,
}

/// A child killed and reaped when dropped, also when a launch fails.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn plain_launch(app: &Path, display: &str, args: &[&str]) -> Result<Launch, String> {
    let home = tempfile::Builder::new().prefix("tickmark-cold-").tempdir().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(app);
    app_env(&mut cmd, display, home.path());
    cmd.args(args).env("TICKMARK_STARTUP_TRACE", "1").stdout(Stdio::null()).stderr(Stdio::piped());
    let spawned = Instant::now();
    let mut child = Reaped(cmd.spawn().map_err(|e| format!("{}: {e}", app.display()))?);
    let lines = lines_of(child.0.stderr.take().expect("piped"));
    let mut milestones = vec![];
    let mut main_at = None;
    loop {
        let (line, arrived) = lines
            .recv_timeout(LIMIT.saturating_sub(spawned.elapsed()))
            .map_err(|_| format!("no \"{RENDERED}\" line within {} s", LIMIT.as_secs()))?;
        let arrived = arrived - spawned;
        let Some((ms, what)) = trace_line(&line) else { continue };
        // The trace counts from `main`; the first line places `main` on this clock.
        let main = *main_at.get_or_insert(arrived.saturating_sub(ms));
        // A milestone by its name, without the figures in brackets that differ between runs,
        // numbered when it comes again (a command sent twice).
        let name = match what.find(" (") {
            Some(i) if !what.starts_with(RENDERED) => &what[..i],
            _ => what,
        };
        let again = milestones.iter().filter(|(m, _): &&(String, Duration)| m.split(" #").next() == Some(name)).count();
        let name = if again == 0 { name.to_string() } else { format!("{name} #{}", again + 1) };
        milestones.push((name, main + ms));
        if what.starts_with(RENDERED) {
            let peak_kib = peak_kib(child.0.id());
            return Ok(Launch { milestones, rendered: arrived, peak_kib });
        }
    }
}

/// `tickmark-app startup:   123.4 ms  what` as (123.4 ms, what).
fn trace_line(line: &str) -> Option<(Duration, &str)> {
    let rest = line.strip_prefix("tickmark-app startup:")?.trim_start();
    let (ms, what) = rest.split_once(" ms")?;
    Some((Duration::from_secs_f64(ms.trim().parse::<f64>().ok()? / 1000.0), what.trim()))
}

/// The bare WebKitGTK window: spawn to its "rendered" line.
fn floor_launch(floor: &Path, display: &str) -> Result<Duration, String> {
    let home = tempfile::Builder::new().prefix("tickmark-floor-").tempdir().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(floor);
    app_env(&mut cmd, display, home.path());
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let spawned = Instant::now();
    let mut child = Reaped(cmd.spawn().map_err(|e| format!("{}: {e}", floor.display()))?);
    let lines = lines_of(child.0.stdout.take().expect("piped"));
    loop {
        let (line, arrived) = lines.recv_timeout(LIMIT).map_err(|_| "no \"rendered\" line".to_string())?;
        if line == "rendered" {
            return Ok(arrived - spawned);
        }
    }
}

/// The lines of `from`, each with the moment it was read, from a thread of their own.
fn lines_of(from: impl std::io::Read + Send + 'static) -> mpsc::Receiver<(String, Instant)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send((line, Instant::now())).is_err() {
                break;
            }
        }
    });
    rx
}

/// The process's peak resident set (`VmHWM`), in KiB; 0 if it cannot be read.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches(" kB").to_string()))
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The median and the slowest of `times`.
fn spread(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

/// Each milestone's median time since spawn over the plain launches, earliest first.
fn milestones(label: &str, launches: &[Launch]) -> String {
    let mut at: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for l in launches {
        for (what, t) in &l.milestones {
            at.entry(what).or_default().push(*t);
        }
    }
    let mut medians: Vec<(Duration, &str, usize)> = at
        .into_iter()
        .map(|(what, times)| (times.len(), what, times))
        .map(|(n, what, times)| (spread(times).0, what, n))
        .collect();
    medians.sort();
    let mut out = format!("Cold start on {label}, plain launch: median ms since spawn of each start-up milestone\n");
    for (median, what, n) in medians {
        let some = if n < launches.len() { format!(" ({n} of {} runs)", launches.len()) } else { String::new() };
        out += &format!("{:8.1} ms  {what}{some}\n", median.as_secs_f64() * 1000.0);
    }
    out
}
