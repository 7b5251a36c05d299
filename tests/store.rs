//! The engagement file itself: migrations, reopening, the lock, the trail's chain.

mod common;

use chrono::{TimeZone, Utc};
use common::Sandbox;
use tickmark::Engagement;
use tickmark::engagement::{Actor, NewEngagement, Period, ReportType};

fn actor() -> Actor {
    Actor::signed(
        tickmark::identity::Identity::from_secret("Dana Whitfield", [7; 32]).expect("a name"),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
    )
}

fn new_engagement() -> NewEngagement {
    NewEngagement {
        client: "Acme Cloud, Inc.".into(),
        report: ReportType::Soc2Type2,
        period: Period::parse("2026-01-01..2026-12-31").unwrap(),
        criteria: vec!["CC".into()],
        firm: "Harlow & Reyes LLP".into(),
        preparer: "Dana Whitfield".into(),
        reviewer: "Marcus Oyelaran".into(),
    }
}

fn user_version(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[test]
fn opening_twice_runs_migrations_once_and_keeps_the_data() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    drop(Engagement::create(&path, &new_engagement(), &actor()).unwrap());
    assert_eq!(user_version(&path), tickmark::store::SCHEMA_VERSION);
    for _ in 0..2 {
        let eng = Engagement::open(&path).unwrap();
        assert_eq!(eng.info().unwrap().client, "Acme Cloud, Inc.");
        assert_eq!(eng.trail().unwrap().len(), 1);
    }
    assert_eq!(user_version(&path), tickmark::store::SCHEMA_VERSION);
}

#[test]
fn a_file_written_by_the_first_schema_opens_and_migrates_with_its_data() {
    // tests/data/engagement-v1.tickmark was written by Tickmark 0.1.0 at schema version 1
    // (engagement, one control, an imported population) and is never regenerated.
    let s = Sandbox::new();
    let path = s.path("old.tickmark");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/engagement-v1.tickmark"), &path)
        .unwrap();
    assert_eq!(user_version(&path), 1);
    let eng = Engagement::open(&path).unwrap();
    assert_eq!(eng.info().unwrap().client, "Acme Cloud, Inc.");
    let pop = eng.current_population("C1").unwrap().unwrap();
    assert_eq!(pop.item_count, 26);
    assert!(eng.check_trail().unwrap().is_none());
    drop(eng);
    assert_eq!(user_version(&path), tickmark::store::SCHEMA_VERSION);
}

#[test]
fn the_engagement_is_one_file_when_closed() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    let eng = Engagement::create(&path, &new_engagement(), &actor()).unwrap();
    assert!(!s.path("eng.tickmark-shm").exists(), "exclusive locking keeps the WAL index in memory");
    drop(eng);
    let names: Vec<_> = std::fs::read_dir(s.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["eng.tickmark"]);
}

#[test]
fn a_second_open_in_the_same_process_is_refused_while_the_first_holds_it() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    let first = Engagement::create(&path, &new_engagement(), &actor()).unwrap();
    let second = Engagement::open(&path).unwrap_err();
    assert_eq!(second.code(), "locked");
    drop(first);
    Engagement::open(&path).unwrap();
}

#[test]
fn an_event_edited_behind_tickmarks_back_breaks_the_chain_at_that_event() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    let mut eng = Engagement::create(&path, &new_engagement(), &actor()).unwrap();
    eng.generate_population_for_test();
    drop(eng);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE event SET actor = 'Mallory' WHERE seq = 2", []).unwrap();
    drop(conn);
    let eng = Engagement::open(&path).unwrap();
    let broken = eng.check_trail().unwrap().unwrap();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("does not match its hash"));
}

#[test]
fn a_deleted_event_is_named_as_missing() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    let mut eng = Engagement::create(&path, &new_engagement(), &actor()).unwrap();
    eng.generate_population_for_test();
    drop(eng);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM event WHERE seq = 2", []).unwrap();
    drop(conn);
    let broken = Engagement::open(&path).unwrap().check_trail().unwrap().unwrap();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("missing"));
}

trait ForTest {
    fn generate_population_for_test(&mut self);
}

impl ForTest for Engagement {
    /// Two more events: a control and its generated population.
    fn generate_population_for_test(&mut self) {
        use tickmark::engagement::{ControlInput, Frequency, Nature};
        let input = ControlInput {
            code: "C1".into(),
            description: "Daily review".into(),
            criteria: vec!["CC7.2".into()],
            frequency: Frequency::Daily,
            nature: Nature::Manual,
            owner: String::new(),
            attributes: vec![],
            procedures: vec![],
        };
        self.add_control(&input, &actor()).unwrap();
        self.generate_population("C1", Frequency::Daily, false, &actor()).unwrap();
    }
}

#[test]
fn a_change_without_a_signing_identity_is_refused_and_leaves_no_file() {
    let s = Sandbox::new();
    let path = s.path("eng.tickmark");
    let unsigned = Actor::new("Dana Whitfield", Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let err = Engagement::create(&path, &new_engagement(), &unsigned).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dana Whitfield has no signing identity: every change to an engagement is signed by the auditor who makes it"
    );
    assert!(!path.exists());
    let mut eng = Engagement::create(&path, &new_engagement(), &actor()).unwrap();
    let mallory = Actor::signed(tickmark::identity::Identity::from_secret("Mallory", [9; 32]).unwrap(), actor().at);
    let posing = Actor { name: "Dana Whitfield".into(), ..mallory };
    let err = eng.set_frequency_table(&Default::default(), &posing).unwrap_err();
    assert_eq!(err.to_string(), "Dana Whitfield cannot sign with Mallory's signing identity");
    assert_eq!(eng.trail().unwrap().len(), 1);
}
