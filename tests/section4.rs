//! Section 4 of the SOC report: an engagement built through the engine (the Acme control
//! matrix, procedures, samples, one control with an exception and its deficiency evaluation,
//! walkthroughs, conclusions), exported as .docx, read back from its XML; determinism, the
//! refusals, escaping in every format, a draft, and a Type 1 engagement.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use common::{Sandbox, assert_unchanged, bytes, fixture};
use tickmark::Engagement;
use tickmark::engagement::design::{
    CriterionAssessment, DeficiencyInput, DesignConclusion, ProcedureInput, ProcedureNature, WalkthroughInput,
};
use tickmark::engagement::evaluation::Planning;
use tickmark::engagement::fieldwork::{ConclusionKind, Outcome};
use tickmark::engagement::{Actor, ControlInput, Frequency, Nature, NewEngagement, Period, ReportType};
use tickmark::import::Mapping;
use tickmark::sampling::{Method, Seed};
use tickmark::store::SampleRequest;

/// The control tested with one exception, and its sample size.
const EXCEPTION_CONTROL: &str = "CC8.1-01";
const EXCEPTION_SAMPLE: u64 = 25;
const DEVIATION: &str = "evidence of testing before deployment was not retained";
const RESPONSE: &str = "Management has reminded the engineering team that test evidence must be attached to the change ticket before approval, and added a required field to the ticket template.";

fn actor() -> Actor {
    Actor::signed(
        tickmark::identity::Identity::from_secret("Dana Whitfield", [7; 32]).expect("a name"),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
    )
}

fn new_engagement(report: ReportType, period: &str) -> NewEngagement {
    NewEngagement {
        client: "Acme Cloud, Inc.".into(),
        report,
        period: Period::parse(period).unwrap(),
        criteria: vec!["CC".into(), "A".into()],
        firm: "Harlow & Reyes LLP".into(),
        preparer: "Dana Whitfield".into(),
        reviewer: "Marcus Oyelaran".into(),
    }
}

/// The Acme engagement, every control concluded: the exception control with one deviation in
/// 25, every other control with 2 items and no deviation; walkthroughs for all. The deficiency
/// of the exception control is recorded only `with_deficiency`.
fn build(path: &Path, with_deficiency: bool) {
    let a = actor();
    let mut eng =
        Engagement::create(path, &new_engagement(ReportType::Soc2Type2, "2026-01-01..2026-12-31"), &a).unwrap();
    eng.import_controls(&fixture("acme/controls.csv"), None, &a).unwrap();
    let dir = path.parent().unwrap();
    let mut csv = String::from("Key,Date\n");
    for i in 1..=40 {
        csv += &format!("K-{i:03},2026-{:02}-15\n", (i % 12) + 1);
    }
    let population = dir.join("population.csv");
    std::fs::write(&population, csv).unwrap();
    let mapping = Mapping { key: "Key".into(), date: Some("Date".into()), ..Mapping::default() };
    for control in eng.controls().unwrap() {
        // Each control's test procedure comes with the matrix (its `procedures` column).
        let code = control.code.clone();
        eng.import_population(&code, &population, &mapping, &a, &mut |_| true).unwrap();
        eng.accept_population(&code, &a).unwrap();
        let size = if code == EXCEPTION_CONTROL { EXCEPTION_SAMPLE } else { 2 };
        let request = SampleRequest {
            method: Method::Random,
            size: Some(size),
            seed: Seed::new("12345").unwrap(),
            seed_proposed: false,
            strata: None,
            basis: None,
            replace_reason: None,
            planning: Planning::Judgemental { reason: "Section 4 test engagement".into() },
        };
        eng.draw_sample(&code, &request, &a).unwrap();
        for item in 1..=size {
            for attribute in &control.attributes {
                let exception = code == EXCEPTION_CONTROL && item == 1 && attribute.label == "B";
                let outcome = if exception { Outcome::Exception } else { Outcome::Pass };
                let comment = if exception { "no test evidence attached to the ticket" } else { "" };
                eng.record_result(&code, item, &attribute.label, outcome, comment, &a).unwrap();
            }
        }
        let over = (code == EXCEPTION_CONTROL).then_some((
            ConclusionKind::ExceptionsNoted,
            "One deviation in 25, isolated: see the deficiency evaluation.",
        ));
        eng.conclude(&code, over, &a).unwrap();
        let walkthrough = WalkthroughInput {
            narrative: format!("Traced one occurrence of {code} from initiation to evidence of review."),
            traced: "K-001".into(),
            evidence: vec![],
            interviews: vec![],
            design: Some(DesignConclusion::Effective),
        };
        eng.record_walkthrough(&code, &walkthrough, &a).unwrap();
    }
    if with_deficiency {
        record_deficiency(&mut eng, &a);
    }
}

fn record_deficiency(eng: &mut Engagement, a: &Actor) {
    let input = DeficiencyInput {
        deviation: DEVIATION.into(),
        items_noun: "changes".into(),
        cause: "A new engineer did not attach the test run to the ticket.".into(),
        isolated: true,
        criteria: vec![CriterionAssessment { criterion: "CC8.1".into(), met: true }],
        compensating: vec!["CC8.1-02".into()],
        management_response: RESPONSE.into(),
    };
    eng.record_deficiency(EXCEPTION_CONTROL, &input, a).unwrap();
}

/// Built once for every test of this file: the engagement without the deficiency evaluation,
/// and a copy with it. Tests copy them before changing anything.
fn built() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let without = dir.path().join("without-deficiency.tickmark");
        build(&without, false);
        let with = dir.path().join("acme.tickmark");
        std::fs::copy(&without, &with).unwrap();
        record_deficiency(&mut Engagement::open(&with).unwrap(), &actor());
        (dir, with, without)
    })
}

/// A copy of the finished engagement in the sandbox, as `eng.tickmark`.
fn finished(s: &Sandbox) -> PathBuf {
    let p = s.path("eng.tickmark");
    std::fs::copy(&built().1, &p).unwrap();
    p
}

fn workpaper(path: &Path) -> tickmark::engagement::workpaper::Workpaper {
    Engagement::open(path).unwrap().workpaper(None, &Actor::new("Dana Whitfield", actor().at)).unwrap()
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

/// What word/document.xml's body says, in order.
#[derive(Debug)]
enum Block {
    Paragraph { style: String, text: String, page_break_before: bool },
    Table { header_repeats: bool, rows: Vec<Vec<String>> },
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn w<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> {
    let name = name.to_string();
    node.children().filter(move |n| n.tag_name().namespace() == Some(W) && n.tag_name().name() == name)
}

fn text_of(p: roxmltree::Node) -> String {
    p.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|n| n.text()).collect()
}

fn blocks(xml: &str) -> Vec<Block> {
    let doc = roxmltree::Document::parse(xml).expect("word/document.xml is well-formed");
    let body = w(doc.root_element(), "body").next().expect("a body");
    let mut out = Vec::new();
    for node in body.children().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "p" => {
                let ppr = w(node, "pPr").next();
                let style = ppr
                    .and_then(|p| w(p, "pStyle").next())
                    .and_then(|s| s.attribute((W, "val")))
                    .unwrap_or("")
                    .to_string();
                let page_break_before = ppr.is_some_and(|p| w(p, "pageBreakBefore").next().is_some());
                out.push(Block::Paragraph { style, text: text_of(node), page_break_before });
            }
            "tbl" => {
                let rows: Vec<roxmltree::Node> = w(node, "tr").collect();
                let header_repeats =
                    rows.first().and_then(|r| w(*r, "trPr").next()).is_some_and(|p| w(p, "tblHeader").next().is_some());
                let rows = rows
                    .iter()
                    .map(|r| w(*r, "tc").map(|c| w(c, "p").map(text_of).collect::<Vec<_>>().join("\n")).collect())
                    .collect();
                out.push(Block::Table { header_repeats, rows });
            }
            _ => {}
        }
    }
    out
}

/// Each criterion heading with its table's body rows.
fn tables_by_criterion(blocks: &[Block]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let mut heading = None;
    for b in blocks {
        match b {
            Block::Paragraph { style, text, .. } if style == "S4Heading2" => heading = Some(text.clone()),
            Block::Table { header_repeats, rows } => {
                assert!(header_repeats, "the header row of {heading:?} repeats on every page");
                assert_eq!(
                    rows[0],
                    [
                        "Control number",
                        "Control activity specified by the service organization",
                        "Tests performed",
                        "Results of tests"
                    ]
                );
                out.push((heading.take().expect("a heading before each table"), rows[1..].to_vec()));
            }
            _ => {}
        }
    }
    out
}

fn export_docx(s: &Sandbox, eng: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["report", eng.to_str().unwrap(), "--section4", "--out", name];
    args.extend_from_slice(extra);
    s.ok(&args);
    s.path(name)
}

#[test]
fn the_docx_groups_controls_by_criterion_in_report_order_with_a_page_per_series() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let docx = export_docx(&s, &eng, "section4.docx", &[]);
    let xml = zip_entry(&docx, "word/document.xml");
    let blocks = blocks(&xml);

    let groups: Vec<(&str, bool)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { style, text, page_break_before } if style == "S4Heading1" => {
                Some((text.as_str(), *page_break_before))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("Tests of controls and results of tests", false),
            ("CC1.0 Control environment", true),
            ("CC2.0 Communication and information", true),
            ("CC3.0 Risk assessment", true),
            ("CC4.0 Monitoring activities", true),
            ("CC5.0 Control activities", true),
            ("CC6.0 Logical and physical access controls", true),
            ("CC7.0 System operations", true),
            ("CC8.0 Change management", true),
            ("CC9.0 Risk mitigation", true),
            ("A1.0 Additional criteria for availability", true),
        ],
        "the title page, then one page break per criterion series"
    );

    let tables = tables_by_criterion(&blocks);
    assert_eq!(xml.matches("<w:tblHeader").count(), tables.len(), "only each table's header row repeats");
    let ids: Vec<&str> = tables.iter().map(|(h, _)| h.split(' ').next().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "CC1.4", "CC2.2", "CC2.3", "CC3.2", "CC3.3", "CC3.4", "CC4.1", "CC4.2", "CC5.2", "CC6.1", "CC6.2", "CC6.3",
            "CC6.6", "CC7.1", "CC7.2", "CC7.3", "CC7.4", "CC7.5", "CC8.1", "CC9.2", "A1.2", "A1.3"
        ],
        "every in-scope criterion with a control, in report order"
    );
    assert_eq!(tables[18].0, "CC8.1 Change management: changes authorised, designed, tested, approved and implemented");
    let controls = |id: &str| -> Vec<String> {
        tables.iter().find(|(h, _)| h.split(' ').next() == Some(id)).unwrap().1.iter().map(|r| r[0].clone()).collect()
    };
    assert_eq!(controls("CC8.1"), ["CC8.1-01", "CC8.1-02"]);
    assert_eq!(controls("CC6.2"), ["CC6.1-01", "CC6.2-01", "CC6.3-01"]);
    // A control repeats under each criterion it addresses.
    for id in ["CC5.2", "CC6.1", "CC6.2", "CC6.3"] {
        assert!(controls(id).contains(&"CC6.1-01".to_string()), "CC6.1-01 under {id}");
    }
    let under: Vec<&str> = tables
        .iter()
        .filter(|(_, rows)| rows.iter().any(|r| r[0] == "CC6.3-01"))
        .map(|(h, _)| h.split(' ').next().unwrap())
        .collect();
    assert_eq!(under, ["CC6.2", "CC6.3"]);

    let title: Vec<String> = blocks
        .iter()
        .take_while(|b| !matches!(b, Block::Paragraph { page_break_before: true, .. }))
        .filter_map(|b| match b {
            Block::Paragraph { text, .. } if !text.is_empty() => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        title[..6],
        [
            "Section 4",
            "Tests of controls and results of tests",
            "Acme Cloud, Inc.",
            "SOC 2 Type 2 report",
            "For the period January 1, 2026 to December 31, 2026",
            "Service auditor: Harlow & Reyes LLP"
        ]
    );
    let head = Engagement::open(&eng).unwrap().trail_head().unwrap().unwrap();
    assert_eq!(title[6], format!("Trail head: {} (event {})", head.1, head.0));
}

#[test]
fn results_are_worded_from_the_evaluation_with_and_without_exceptions() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let docx = export_docx(&s, &eng, "section4.docx", &[]);
    let tables = tables_by_criterion(&blocks(&zip_entry(&docx, "word/document.xml")));
    let row = |criterion: &str, control: &str| -> Vec<String> {
        tables
            .iter()
            .find(|(h, _)| h.split(' ').next() == Some(criterion))
            .and_then(|(_, rows)| rows.iter().find(|r| r[0] == control))
            .unwrap_or_else(|| panic!("{control} under {criterion}"))
            .clone()
    };
    let with = row("CC8.1", "CC8.1-01");
    assert_eq!(
        with[1],
        "Changes to production are approved by an authorised approver and tested before deployment, and deployed by someone other than the developer."
    );
    assert_eq!(
        with[2],
        "Inquiry: Inquired of the VP Engineering about the change management process and the authorised approvers.\n\
         Inspection: Inspected, for a sample of changes, the change ticket for approval by an authorised approver before the deployment date.\n\
         Inspection: Inspected the evidence of testing attached to each sampled change before deployment.\n\
         Re-performance: Re-performed the comparison of the developer and the deployer of each sampled change."
    );
    assert_eq!(
        with[3],
        "Exceptions noted. For 1 of 25 changes sampled, evidence of testing before deployment was not retained.\nManagement's response: Management has reminded the engineering team that test evidence must be attached to the change ticket before approval, and added a required field to the ticket template."
    );
    let without = row("CC6.3", "CC6.3-01");
    assert_eq!(
        without[2],
        "Inspection: Inspected, for a sample of terminated workers, the Okta system log for deactivation within 24 hours after the last day of work.\n\
         Inspection: Inspected the access removal ticket for each sampled termination.\n\
         Re-performance: Re-performed a search of Okta activity after the last day of work for each sampled termination."
    );
    assert_eq!(without[3], "No exceptions noted.");
    // The same control prints the same row under each criterion.
    assert_eq!(row("CC6.2", "CC6.3-01"), without);
}

#[test]
fn the_figures_printed_are_the_evaluations_beside_them() {
    let wp = workpaper(&built().1);
    let cw = wp.controls.iter().find(|c| c.control.code == EXCEPTION_CONTROL).unwrap();
    let e = cw.evaluation.as_ref().unwrap();
    let model = tickmark::export::section4::Section4::new(&wp, false).unwrap();
    let printed = &model
        .groups
        .iter()
        .flat_map(|g| &g.criteria)
        .flat_map(|c| &c.rows)
        .find(|r| r.control == EXCEPTION_CONTROL)
        .unwrap()
        .results[0];
    assert!(printed.contains(&format!("For {} of {} changes sampled", e.deviations, e.tested_items)), "{printed}");
    assert_eq!((e.deviations, e.tested_items), (1, EXCEPTION_SAMPLE));
}

#[test]
fn the_same_engagement_gives_the_same_bytes_and_fixed_entry_times() {
    let s = Sandbox::new();
    let eng = finished(&s);
    for name in ["a.docx", "a.xlsx", "a.html"] {
        let first = export_docx(&s, &eng, name, &[]);
        let again = export_docx(&s, &eng, &format!("again-{name}"), &[]);
        assert!(bytes(&first) == bytes(&again), "{name} differs between two exports at the same time");
    }
    // In one process too: docx-rs numbers paragraphs and headers as it goes.
    let wp = workpaper(&eng);
    let once =
        tickmark::export::section4::render(&wp, tickmark::export::section4::Section4Format::Docx, false).unwrap();
    let twice =
        tickmark::export::section4::render(&wp, tickmark::export::section4::Section4Format::Docx, false).unwrap();
    assert!(once == twice);
    assert!(bytes(&s.path("a.docx")) == once, "the CLI and the engine write the same document");

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(once)).unwrap();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).unwrap();
        let t = entry.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()),
            (2026, 11, 23, 10, 0, 0),
            "{:?} carries the export time",
            entry.name()
        );
    }
    let core = zip_entry(&s.path("a.docx"), "docProps/core.xml");
    assert!(core.contains("2026-11-23T10:00:00Z"), "{core}");
}

#[test]
fn controls_not_concluded_are_refused_listing_them_and_nothing_is_written() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let mut e = Engagement::open(&eng).unwrap();
    let late = ControlInput {
        code: "CC9.1-01".into(),
        description: "Business continuity plans are tested annually.".into(),
        criteria: vec!["CC9.1".into()],
        frequency: Frequency::Annual,
        nature: Nature::Manual,
        owner: "Marco Bianchi".into(),
        attributes: tickmark::engagement::parse_attributes("A: plan tested").unwrap(),
        procedures: vec![ProcedureInput::new(ProcedureNature::Inspection, "Inspected the test report.").unwrap()],
    };
    e.add_control(&late, &actor()).unwrap();
    drop(e);
    let before = bytes(&eng);
    let err = s.fails(&["report", "eng.tickmark", "--section4", "--out", "s4.docx"]);
    assert_eq!(
        err,
        "tickmark: Section 4 not written: 1 control(s) with no operating conclusion (CC9.1-01); finish them, or export a draft (--draft) marked DRAFT on every page"
    );
    assert!(!s.path("s4.docx").exists());
    assert_unchanged(&eng, &before);
    // A draft is written, marked on every page.
    let draft = export_docx(&s, &eng, "s4.docx", &["--draft"]);
    let xml = zip_entry(&draft, "word/document.xml");
    let header = zip_entry(&draft, "word/header1.xml");
    assert!(header.contains(">DRAFT<"), "{header}");
    assert!(xml.contains("w:headerReference") && xml.contains("w:type=\"default\""), "the header is on every page");
    let tables = tables_by_criterion(&blocks(&xml));
    let row = &tables.iter().find(|(h, _)| h.starts_with("CC9.1 ")).unwrap().1[0];
    assert_eq!(row[3], "Not concluded: testing of the control is not complete.");
}

#[test]
fn exceptions_without_a_deficiency_evaluation_are_refused_listing_them() {
    let s = Sandbox::new();
    let eng = s.path("eng.tickmark");
    std::fs::copy(&built().2, &eng).unwrap();
    let before = bytes(&eng);
    let err = s.fails(&["report", "eng.tickmark", "--section4", "--out", "s4.html"]);
    assert!(err.contains("1 control(s) with exceptions and no deficiency evaluation (CC8.1-01)"), "{err}");
    assert!(!s.path("s4.html").exists());
    assert_unchanged(&eng, &before);
}

#[test]
fn controls_without_a_test_procedure_are_refused_listing_them() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let mut e = Engagement::open(&eng).unwrap();
    let bare = ControlInput {
        code: "A1.1-01".into(),
        description: "Capacity is monitored.".into(),
        criteria: vec!["A1.1".into()],
        frequency: Frequency::Monthly,
        nature: Nature::Manual,
        owner: "Marco Bianchi".into(),
        attributes: tickmark::engagement::parse_attributes("A: reviewed").unwrap(),
        procedures: vec![],
    };
    e.add_control(&bare, &actor()).unwrap();
    drop(e);
    let before = bytes(&eng);
    let err = s.fails(&["report", "eng.tickmark", "--section4", "--out", "s4.xlsx"]);
    assert!(err.contains("1 control(s) with no test procedure (A1.1-01)"), "{err}");
    assert!(err.contains("with no operating conclusion (A1.1-01)"), "{err}");
    assert!(!s.path("s4.xlsx").exists());
    assert_unchanged(&eng, &before);
}

#[test]
fn an_unknown_extension_and_a_missing_section4_flag_are_refused() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let before = bytes(&eng);
    let err = s.fails(&["report", "eng.tickmark", "--section4", "--out", "s4.pdf"]);
    assert!(err.contains("Section 4 is written as .docx, .xlsx or .html"), "{err}");
    let err = s.fails(&["report", "eng.tickmark", "--out", "s4.docx"]);
    assert!(err.contains("add --section4"), "{err}");
    assert_unchanged(&eng, &before);
    // An existing file is replaced only with --force.
    export_docx(&s, &eng, "s4.docx", &[]);
    let err = s.fails(&["report", "eng.tickmark", "--section4", "--out", "s4.docx"]);
    assert!(err.contains("a file already exists there"), "{err}");
    export_docx(&s, &eng, "s4.docx", &["--force"]);
}

#[test]
fn client_text_is_escaped_in_html_xlsx_and_docx() {
    const HOSTILE: &str = "=HYPERLINK(\"http://x\",\"click\") <script>alert(1)</script> & more";
    let s = Sandbox::new();
    let eng = finished(&s);
    let mut e = Engagement::open(&eng).unwrap();
    let hostile = ControlInput {
        code: "CC9.2-02".into(),
        description: HOSTILE.into(),
        criteria: vec!["CC9.2".into()],
        frequency: Frequency::Annual,
        nature: Nature::Manual,
        owner: "x".into(),
        attributes: tickmark::engagement::parse_attributes("A: ok").unwrap(),
        procedures: vec![ProcedureInput::new(ProcedureNature::Inquiry, "@SUM(A1:A9) <b>bold</b>").unwrap()],
    };
    e.add_control(&hostile, &actor()).unwrap();
    drop(e);

    let html = std::fs::read_to_string(export_docx(&s, &eng, "s4.html", &["--draft"])).unwrap();
    assert!(html.contains(
        "=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;) &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    ));
    assert!(html.contains("Inquiry: @SUM(A1:A9) &lt;b&gt;bold&lt;/b&gt;."));
    assert!(!html.contains("<script"), "no script in the page");
    assert!(!html.contains("<b>"));
    assert!(!html.contains("http://x\""), "no live link");
    assert!(html.contains("class=\"draft\"") && html.contains("position: fixed"), "a draft watermark on every page");

    let xlsx = export_docx(&s, &eng, "s4.xlsx", &["--draft"]);
    let sheet = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula in the sheet");
    assert!(
        sheet.contains("&amp;C&amp;\"Calibri,Bold\"&amp;14&amp;KC00000DRAFT") || sheet.contains("DRAFT</oddHeader>"),
        "{sheet}"
    );
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("Section 4").unwrap();
    let cells: Vec<&Data> = range.cells().map(|(_, _, c)| c).collect();
    assert!(cells.contains(&&Data::String(HOSTILE.into())), "the description is a text cell, as typed");
    assert!(cells.contains(&&Data::String("Inquiry: @SUM(A1:A9) <b>bold</b>.".into())));
    assert!(cells.contains(&&Data::String("DRAFT".into())));

    let docx = export_docx(&s, &eng, "s4.docx", &["--draft"]);
    let xml = zip_entry(&docx, "word/document.xml");
    assert!(xml.contains("&lt;script&gt;"), "markup is text in the document");
    let tables = tables_by_criterion(&blocks(&xml));
    let row =
        tables.iter().find(|(h, _)| h.starts_with("CC9.2 ")).unwrap().1.iter().find(|r| r[0] == "CC9.2-02").unwrap();
    assert_eq!(row[1], HOSTILE);
}

#[test]
fn a_type1_section4_reports_design_without_samples() {
    let s = Sandbox::new();
    let path = s.path("type1.tickmark");
    let a = actor();
    let mut eng = Engagement::create(&path, &new_engagement(ReportType::Soc2Type1, "2026-06-30"), &a).unwrap();
    eng.import_controls(&fixture("acme/controls.csv"), None, &a).unwrap();
    for control in eng.controls().unwrap() {
        let design =
            if control.code == "CC6.6-01" { DesignConclusion::NotEffective } else { DesignConclusion::Effective };
        let walkthrough = WalkthroughInput {
            narrative: "Walked through the control with its owner.".into(),
            traced: format!("{}-WT", control.code),
            evidence: vec![],
            interviews: vec![],
            design: Some(design),
        };
        eng.record_walkthrough(&control.code, &walkthrough, &a).unwrap();
    }
    let input = DeficiencyInput {
        deviation: "service accounts were exempted from MFA without documented approval".into(),
        items_noun: "".into(),
        cause: "The policy did not cover service accounts.".into(),
        isolated: false,
        criteria: vec![CriterionAssessment { criterion: "CC6.6".into(), met: false }],
        compensating: vec![],
        management_response: "Management will document and approve every exemption.".into(),
    };
    eng.record_deficiency("CC6.6-01", &input, &a).unwrap();
    drop(eng);

    let docx = export_docx(&s, &path, "type1.docx", &[]);
    let blocks = blocks(&zip_entry(&docx, "word/document.xml"));
    let texts: Vec<&str> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(texts.contains(&"SOC 2 Type 1 report"));
    assert!(texts.contains(&"As of June 30, 2026"));
    let tables = tables_by_criterion(&blocks);
    let row = |criterion: &str, control: &str| {
        tables
            .iter()
            .find(|(h, _)| h.split(' ').next() == Some(criterion))
            .unwrap()
            .1
            .iter()
            .find(|r| r[0] == control)
            .unwrap()
            .clone()
    };
    let good = row("CC6.3", "CC6.3-01");
    assert!(good[2].starts_with("Inspection: Inspected, for a sample of terminated workers,"), "{}", good[2]);
    assert!(
        good[2].ends_with(
            "\nWalkthrough: traced CC6.3-01-WT through the control to evaluate whether it was suitably designed and implemented."
        ),
        "{}",
        good[2]
    );
    assert_eq!(good[3], "No exceptions noted.");
    let bad = row("CC6.6", "CC6.6-01");
    assert_eq!(
        bad[3],
        "Exceptions noted. The control was not suitably designed as of June 30, 2026.\nManagement's response: Management will document and approve every exemption."
    );
}

#[test]
fn a_not_effective_conclusion_says_so_beside_the_same_figures() {
    let s = Sandbox::new();
    let eng = finished(&s);
    let mut e = Engagement::open(&eng).unwrap();
    e.conclude(
        EXCEPTION_CONTROL,
        Some((ConclusionKind::NotEffective, "The deviation defeats the control's purpose.")),
        &actor(),
    )
    .unwrap();
    drop(e);
    let docx = export_docx(&s, &eng, "s4.docx", &[]);
    let tables = tables_by_criterion(&blocks(&zip_entry(&docx, "word/document.xml")));
    let row = tables
        .iter()
        .find(|(h, _)| h.starts_with("CC8.1 "))
        .unwrap()
        .1
        .iter()
        .find(|r| r[0] == EXCEPTION_CONTROL)
        .unwrap();
    assert_eq!(
        row[3],
        "Exceptions noted. For 1 of 25 changes sampled, evidence of testing before deployment was not retained. The control was not operating effectively during the period.\nManagement's response: Management has reminded the engineering team that test evidence must be attached to the change ticket before approval, and added a required field to the ticket template."
    );
}
