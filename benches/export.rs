//! Export speed: the workpaper of a 50-control engagement (each with a generated daily
//! population, a 40-item sample and every result recorded) in each format.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tickmark::Engagement;
use tickmark::engagement::evaluation::Planning;
use tickmark::engagement::fieldwork::Outcome;
use tickmark::engagement::{Actor, Attribute, ControlInput, Frequency, Nature, NewEngagement, Period, ReportType};
use tickmark::export::{Format, export};
use tickmark::sampling::{Method, Risk, Seed};
use tickmark::store::SampleRequest;

fn actor() -> Actor {
    Actor::signed(
        tickmark::identity::Identity::from_secret("bench", [7; 32]).expect("a name"),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
    )
}

fn fifty_controls() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fifty-controls.tickmark");
    if path.exists() {
        return path;
    }
    let new = NewEngagement {
        client: "Bench".into(),
        report: ReportType::Soc2Type2,
        period: Period::parse("2026-01-01..2026-12-31").unwrap(),
        criteria: vec!["CC".into()],
        firm: String::new(),
        preparer: String::new(),
        reviewer: String::new(),
    };
    let mut eng = Engagement::create(&path, &new, &actor()).unwrap();
    for c in 1..=50 {
        let code = format!("CC{}.{}-{:02}", 1 + c % 9, 1 + c % 4, c);
        let attributes = ["approved", "tested", "segregated"]
            .iter()
            .zip(["A", "B", "C"])
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
            size: None,
            seed: Seed::new(format!("seed-{c}")).unwrap(),
            seed_proposed: false,
            strata: None,
            basis: None,
            replace_reason: None,
            planning: Planning::FirmTable { frequency: Frequency::Daily, risk: Risk::Higher },
        };
        eng.draw_sample(&code, &req, &actor()).unwrap();
        for item in 1..=40 {
            for a in ["A", "B", "C"] {
                eng.record_result(&code, item, a, Outcome::Pass, "", &actor()).unwrap();
            }
        }
    }
    path
}

fn bench(c: &mut Criterion) {
    let path = fifty_controls();
    let eng = Engagement::open(&path).unwrap();
    let out = tempfile::tempdir().unwrap();
    c.bench_function("gather the 50-control workpaper", |b| b.iter(|| eng.workpaper(None, &actor()).unwrap()));
    for (format, name) in [(Format::Xlsx, "wp.xlsx"), (Format::Csv, "wp-csv"), (Format::Html, "wp.html")] {
        c.bench_function(&format!("export 50 controls as {name}"), |b| {
            b.iter(|| {
                let wp = eng.workpaper(None, &actor()).unwrap();
                export(&wp, format, &out.path().join(name), true).unwrap()
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
