//! The in-process rows of `make bench`'s table (benches/table.sh prints the import rows):
//! selection with rows fetched, the AICPA grids recomputed, a 50-control engagement exported
//! in each format. Each row: median of repeated runs, against its target in DESIGN.md, and
//! the process's peak RSS so far.
//!
//! `TICKMARK_BENCH_ENGAGEMENT` and `TICKMARK_BENCH_ENGAGEMENT_10M` name engagements whose
//! control C1 holds an imported population (table.sh's 1M and 10M imports; the second may be
//! empty); `TICKMARK_BENCH_DATA` the directory where the 50-control engagement is built once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use tickmark::Engagement;
use tickmark::draw;
use tickmark::engagement::evaluation::Planning;
use tickmark::engagement::fieldwork::{ExceptionInput, InterviewInput, Outcome};
use tickmark::engagement::{Actor, Attribute, ControlInput, Frequency, Nature, NewEngagement, Period, ReportType};
use tickmark::export::{Format, export};
use tickmark::sampling::{Distribution, Method, Rate, Risk, Seed, evaluate, plan_attribute};
use tickmark::store::SampleRequest;

fn actor() -> Actor {
    Actor::signed(
        tickmark::identity::Identity::from_secret("bench", [7; 32]).expect("a name"),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
    )
}

/// Median wall time of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn peak_mb() -> u64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as u64 / 1024
}

fn show(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn row(case: &str, measured: Duration, target: Duration) {
    println!(
        "| {case} | {} | target {} | {:.3} | {} MB (process) |",
        show(measured),
        show(target),
        measured.as_secs_f64() / target.as_secs_f64(),
        peak_mb()
    );
}

fn selection(path: &Path) {
    let eng = Engagement::open(path).unwrap();
    let pop = eng.current_population("C1").unwrap().expect("an imported population");
    let n = pop.item_count;
    let seed = Seed::new("12345").unwrap();
    let fetched = median(51, || {
        let picked = draw::select(Method::Random, n, 60, &seed, None).unwrap();
        let positions: Vec<u64> = picked.iter().map(|s| s.position).collect();
        assert_eq!(eng.population_items_at(pop.id, &positions).unwrap().len(), 60);
    });
    row(&format!("select 60 of {n} and fetch their rows"), fetched, Duration::from_millis(100));
    let page = median(51, || {
        assert_eq!(eng.population_items(pop.id, n / 2, 200).unwrap().len(), 200);
    });
    row(&format!("a 200-row grid page in the middle of {n} (engine call)"), page, Duration::from_millis(20));
    // A narrow prefix (100 keys at 1M, 1,100 at 10M), and a broad one (one key in nine) whose
    // first matches come a tenth of the way in, so the search has to choose how to read.
    for (query, what) in [("ACME-9999", "narrow prefix"), ("acme-5", "broad prefix, one key in nine")] {
        let search = median(11, || {
            assert!(!eng.find_population_items(pop.id, query, 200).unwrap().is_empty());
        });
        row(&format!("key search over {n}, {what} \"{query}\" (engine call)"), search, Duration::from_millis(50));
    }
}

/// The AICPA guide's Tables A-1 and A-2 (every size) and A-3 and A-4 (every upper limit).
fn grids() {
    let data: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data"].iter().collect();
    let read = |name: &str| -> (Vec<String>, Vec<String>) {
        let text = std::fs::read_to_string(data.join(name)).unwrap();
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        let columns = lines.next().unwrap().split(',').skip(1).map(String::from).collect();
        let rows = lines.map(|l| l.split(',').next().unwrap().to_string()).collect();
        (columns, rows)
    };
    let sizes = [("aicpa_table_a1.csv", "0.95"), ("aicpa_table_a2.csv", "0.90")].map(|(n, c)| (read(n), c));
    let limits = [("aicpa_table_a3.csv", "0.95"), ("aicpa_table_a4.csv", "0.90")].map(|(n, c)| (read(n), c));
    let took = median(11, || {
        let mut cells = 0;
        for ((tolerable, expected), conf) in &sizes {
            for e in expected {
                for t in tolerable {
                    let c = Rate::confidence(conf).unwrap();
                    let plan = plan_attribute(
                        c,
                        Rate::tolerable(t).unwrap(),
                        Rate::expected(e).unwrap(),
                        Distribution::Binomial,
                    );
                    std::hint::black_box(plan.ok());
                    cells += 1;
                }
            }
        }
        for ((deviations, sizes), conf) in &limits {
            for n in sizes {
                for k in deviations {
                    let c = Rate::confidence(conf).unwrap();
                    let e = evaluate(n.parse().unwrap(), k.parse().unwrap(), c, None, Distribution::Binomial);
                    std::hint::black_box(e.ok());
                    cells += 1;
                }
            }
        }
        assert!(cells > 1000);
    });
    row("AICPA Tables A-1..A-4 recomputed (every cell)", took, Duration::from_millis(50));
}

/// 50 controls, each with a generated daily population, a 60-item sample, 5 attributes tested
/// on every item, and 10 exceptions and 20 interviews over the engagement. Built once.
fn fifty_controls(dir: &Path) -> PathBuf {
    let path = dir.join("fifty-controls-60x5.tickmark");
    if path.exists() {
        return path;
    }
    // Built where fsync costs nothing, then moved in: this bench measures export, not entry.
    let scratch = tempfile::tempdir_in("/dev/shm").or_else(|_| tempfile::tempdir()).unwrap();
    let built = scratch.path().join("e.tickmark");
    let new = NewEngagement {
        client: "Bench".into(),
        report: ReportType::Soc2Type2,
        period: Period::parse("2026-01-01..2026-12-31").unwrap(),
        criteria: vec!["CC".into()],
        firm: String::new(),
        preparer: String::new(),
        reviewer: String::new(),
    };
    let mut eng = Engagement::create(&built, &new, &actor()).unwrap();
    let labels = ["A", "B", "C", "D", "E"];
    let mut codes = Vec::new();
    for c in 1..=50 {
        let code = format!("CC{}.{}-{:02}", 1 + c % 9, 1 + c % 4, c);
        let attributes = ["approved", "tested", "segregated", "logged", "reviewed"]
            .iter()
            .zip(labels)
            .map(|(cond, label)| Attribute { label: label.into(), condition: format!("change {cond}") })
            .collect();
        let input = ControlInput {
            code: code.clone(),
            description: format!("Control {c} operates as designed"),
            criteria: vec!["CC8.1".into()],
            frequency: Frequency::Daily,
            nature: Nature::Manual,
            owner: "Owner".into(),
            attributes,
            procedures: vec![],
        };
        eng.add_control(&input, &actor()).unwrap();
        eng.generate_population(&code, Frequency::Daily, true, &actor()).unwrap();
        eng.accept_population(&code, &actor()).unwrap();
        let req = SampleRequest {
            method: Method::Random,
            size: Some(60),
            seed: Seed::new(format!("seed-{c}")).unwrap(),
            seed_proposed: false,
            strata: None,
            basis: Some("bench: 60 items".into()),
            replace_reason: None,
            planning: Planning::FirmTable { frequency: Frequency::Daily, risk: Risk::Higher },
        };
        eng.draw_sample(&code, &req, &actor()).unwrap();
        for item in 1..=60 {
            for a in labels {
                let exception = c <= 10 && item == 1 && a == "A";
                let (outcome, comment) =
                    if exception { (Outcome::Exception, "approval missing") } else { (Outcome::Pass, "") };
                eng.record_result(&code, item, a, outcome, comment, &actor()).unwrap();
            }
        }
        if c <= 10 {
            let input = ExceptionInput {
                narrative: "The change was deployed before its approval was recorded.".into(),
                cause: "Emergency change".into(),
                isolated: Some(true),
                management_response: "Approval recorded retroactively; process reminded.".into(),
            };
            eng.record_exception(&code, 1, &input, &actor()).unwrap();
        }
        codes.push(code);
    }
    for i in 0..20 {
        let input = InterviewInput {
            held_on: NaiveDate::from_ymd_opt(2026, 3, 1 + i).unwrap(),
            interviewee: format!("Person {i}"),
            role: "Engineering manager".into(),
            attendees: vec!["Auditor".into()],
            topics: "Change management".into(),
            notes: "Walked through the approval of changes and the emergency path.".into(),
            controls: vec![codes[i as usize].clone()],
        };
        eng.add_interview(&input, &actor()).unwrap();
    }
    drop(eng);
    std::fs::copy(&built, &path).unwrap();
    path
}

fn exports(dir: &Path) {
    let path = fifty_controls(dir);
    let eng = Engagement::open(&path).unwrap();
    let out = tempfile::tempdir_in(dir).unwrap();
    for (format, name) in [(Format::Xlsx, "wp.xlsx"), (Format::Csv, "wp-csv"), (Format::Html, "wp.html")] {
        let took = median(5, || {
            let wp = eng.workpaper(None, &actor()).unwrap();
            export(&wp, format, &out.path().join(name), true).unwrap();
        });
        row(
            &format!("export 50 controls (60 items × 5 attributes, 10 exceptions, 20 interviews) as {name}"),
            took,
            Duration::from_secs(1),
        );
    }
}

fn main() {
    // Only under `cargo bench` (which passes --bench): a test run of every target
    // (`cargo test --all-targets`) builds this too, and benchmarks are not tests.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::var_os("TICKMARK_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    std::fs::create_dir_all(&dir).unwrap();
    for var in ["TICKMARK_BENCH_ENGAGEMENT", "TICKMARK_BENCH_ENGAGEMENT_10M"] {
        if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            selection(Path::new(&path));
        }
    }
    grids();
    exports(&dir);
}
