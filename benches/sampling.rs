//! Sampling speed: drawing 60 items from 10,000,000 (SAMPLING-SPEC v1), with and without
//! fetching their rows from an engagement file, and size planning.
//!
//! The 10,000,000-item engagement is built once into target/bench-data (about 500 MB).

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tickmark::Engagement;
use tickmark::draw;
use tickmark::engagement::{Actor, ControlInput, Frequency, Nature, NewEngagement, Period, ReportType};
use tickmark::import::Mapping;
use tickmark::sampling::{Distribution, Method, Rate, Seed, plan_attribute};

const N: u64 = 10_000_000;

fn actor() -> Actor {
    Actor::signed(
        tickmark::identity::Identity::from_secret("bench", [7; 32]).expect("a name"),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
    )
}

/// An engagement whose control C1 has an accepted population of N items.
fn ten_million() -> (PathBuf, i64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ten-million.tickmark");
    if !path.exists() {
        eprintln!("building {} (once)", path.display());
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
        let input = ControlInput {
            code: "C1".into(),
            description: "bench".into(),
            criteria: vec![],
            frequency: Frequency::EventDriven,
            nature: Nature::Manual,
            owner: String::new(),
            attributes: vec![],
            procedures: vec![],
        };
        eng.add_control(&input, &actor()).unwrap();
        // Written as a CSV and imported: the items are stored as an import stores them.
        let csv_path = dir.join("ten-million.csv");
        {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&csv_path).unwrap());
            writeln!(out, "Key,Created").unwrap();
            for x in 1..=N {
                writeln!(out, "K{x},2026-01-01").unwrap();
            }
        }
        let mapping = Mapping { key: "Key".into(), date: Some("Created".into()), ..Mapping::default() };
        eng.import_population("C1", &csv_path, &mapping, &actor(), &mut |_| true).unwrap();
        std::fs::remove_file(&csv_path).unwrap();
        drop(eng);
    }
    (path, 1)
}

fn bench(c: &mut Criterion) {
    let seed = Seed::new("12345").unwrap();
    c.bench_function("select 60 of 10,000,000 (positions only)", |b| {
        b.iter(|| draw::select(Method::Random, N, 60, &seed, None).unwrap())
    });
    let (path, population) = ten_million();
    let eng = Engagement::open(&path).unwrap();
    c.bench_function("select 60 of 10,000,000 and fetch their rows", |b| {
        b.iter(|| {
            let picked = draw::select(Method::Random, N, 60, &seed, None).unwrap();
            let positions: Vec<u64> = picked.iter().map(|s| s.position).collect();
            eng.population_items_at(population, &positions).unwrap()
        })
    });
    let (confidence, tolerable, expected) =
        (Rate::confidence("0.95").unwrap(), Rate::tolerable("0.05").unwrap(), Rate::expected("0.01").unwrap());
    c.bench_function("plan binomial 95% / 5% / 1%", |b| {
        b.iter(|| plan_attribute(confidence, tolerable, expected, Distribution::Binomial).unwrap())
    });
    c.bench_function("plan hypergeometric N=10,000,000", |b| {
        b.iter(|| {
            plan_attribute(confidence, tolerable, expected, Distribution::Hypergeometric { population: N }).unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
