//! What carries from one engagement to the next: the workpaper's Controls sheet imports back
//! as a control matrix without editing.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Sandbox, bytes};

fn controls_sheet(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range("Controls").unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_exported_controls_sheet_imports_as_a_control_matrix_and_exports_identically() {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "demo.tickmark"]);
    s.ok(&["export", "demo.tickmark", "--format", "csv", "--out", "first"]);
    s.ok(&["export", "demo.tickmark", "--format", "xlsx", "--out", "first.xlsx"]);

    // CSV: export → import → export gives the same file, byte for byte.
    let new = [
        "new",
        "next.tickmark",
        "--client",
        "Acme Cloud, Inc.",
        "--period",
        "2027-01-01..2027-12-31",
        "--criteria",
        "CC,A",
    ];
    s.ok(&new);
    let added = s.json(&["controls", "import", "next.tickmark", s.path("first/controls.csv").to_str().unwrap()]);
    assert_eq!(added["controls"].as_array().unwrap().len(), 16);
    assert_eq!(added["notes"], serde_json::json!([]));
    let steps = s.json(&["procedure", "list", "next.tickmark", "--control", "CC8.1-01"]);
    assert_eq!(steps.as_array().unwrap().len(), 4);
    assert_eq!(steps[3]["nature"], "re-performance");
    s.ok(&["export", "next.tickmark", "--format", "csv", "--out", "second"]);
    assert!(
        bytes(&s.path("first/controls.csv")) == bytes(&s.path("second/controls.csv")),
        "controls.csv differs after the round trip"
    );

    // xlsx: the Controls sheet, read with --sheet, gives the same sheet.
    let new = [
        "new",
        "next2.tickmark",
        "--client",
        "Acme Cloud, Inc.",
        "--period",
        "2027-01-01..2027-12-31",
        "--criteria",
        "CC,A",
    ];
    s.ok(&new);
    s.ok(&["controls", "import", "next2.tickmark", s.path("first.xlsx").to_str().unwrap(), "--sheet", "Controls"]);
    s.ok(&["export", "next2.tickmark", "--format", "xlsx", "--out", "second.xlsx"]);
    let first = controls_sheet(&s.path("first.xlsx"));
    assert_eq!(first.len(), 17, "a header and 16 controls");
    assert_eq!(
        first[0],
        ["Control", "Description", "Criteria", "Frequency", "Nature", "Owner", "Attributes", "Test procedure"]
    );
    assert_eq!(first, controls_sheet(&s.path("second.xlsx")));
}
