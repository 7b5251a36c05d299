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
        let seed_csv = dir.join("one-row.csv");
        std::fs::write(&seed_csv, "Key,Created\nK1,2026-01-01\n").unwrap();
        let mapping = Mapping { key: "Key".into(), date: Some("Created".into()), ..Mapping::default() };
        eng.import_population("C1", &seed_csv, &mapping, &actor(), &mut |_| true).unwrap();
        drop(eng);
        // The other rows go in with SQL: this bench measures selection, not import.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             BEGIN;
             WITH RECURSIVE n(x) AS (SELECT 2 UNION ALL SELECT x + 1 FROM n WHERE x < {N})
             INSERT INTO population_item (population_id, position, source_row, key, date, amount, fields)
             SELECT 1, x, x + 1, 'K' || x, '2026-01-01', NULL, json_array('K' || x, '2026-01-01') FROM n;
             UPDATE population SET item_count = {N} WHERE id = 1;
             COMMIT;"
        ))
        .unwrap();
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
