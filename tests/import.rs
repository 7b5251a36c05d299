//! Population import: every awkward fixture read right, every hostile one refused with the
//! file, line and column, and the engagement file left byte for byte as it was.

mod common;

use std::str::FromStr;

use common::{Sandbox, assert_unchanged, bytes, fixture};
use rust_decimal::Decimal;
use tickmark::Engagement;
use tickmark::store::PopulationItem;

struct Expected {
    file: &'static str,
    key: &'static str,
    date: &'static str,
    amount: &'static str,
    rows: u64,
    first: &'static str,
    last: &'static str,
    total: &'static str,
    min: &'static str,
    max: &'static str,
    encoding: Option<&'static str>,
    delimiter: Option<&'static str>,
}

/// Transcribed from fixtures/awkward/EXPECTED.md (totals summed there with Python's decimal).
const AWKWARD: &[Expected] = &[
    Expected {
        file: "latin1.csv",
        key: "Invoice No",
        date: "Invoice Date",
        amount: "Amount",
        rows: 36,
        first: "INV-2026-0101",
        last: "INV-2026-0346",
        total: "136288.07",
        min: "2026-01-10",
        max: "2026-12-20",
        encoding: Some("windows-1252"),
        delimiter: Some(","),
    },
    Expected {
        file: "utf8_bom.csv",
        key: "PO Number",
        date: "Order Date",
        amount: "Total",
        rows: 30,
        first: "PO-88100",
        last: "PO-88187",
        total: "35604.52",
        min: "2026-01-22",
        max: "2026-12-27",
        encoding: Some("UTF-8 with BOM"),
        delimiter: Some(","),
    },
    Expected {
        file: "utf16_unicode_text.txt",
        key: "Expense ID",
        date: "Submitted",
        amount: "Amount",
        rows: 25,
        first: "EXP-5500",
        last: "EXP-5764",
        total: "46867.18",
        min: "2026-02-23",
        max: "2026-12-02",
        encoding: Some("UTF-16LE"),
        delimiter: Some("tab"),
    },
    Expected {
        file: "semicolons.csv",
        key: "Belegnummer",
        date: "Belegdatum",
        amount: "Betrag",
        rows: 40,
        first: "4711000",
        last: "4711507",
        total: "436909.01",
        min: "2026-01-12",
        max: "2026-12-26",
        encoding: Some("UTF-8"),
        delimiter: Some(";"),
    },
    Expected {
        file: "tabs.tsv",
        key: "Request",
        date: "Opened",
        amount: "Cost",
        rows: 28,
        first: "REQ-30100",
        last: "REQ-30208",
        total: "32905.62",
        min: "2026-01-02",
        max: "2026-12-24",
        encoding: Some("UTF-8"),
        delimiter: Some("tab"),
    },
    Expected {
        file: "pipes.txt",
        key: "TXN_ID",
        date: "POST_DATE",
        amount: "AMOUNT",
        rows: 45,
        first: "900000120",
        last: "900001748",
        total: "237249.02",
        min: "2026-01-18",
        max: "2026-12-12",
        encoding: Some("UTF-8"),
        delimiter: Some("|"),
    },
    Expected {
        file: "quoted_newlines.csv",
        key: "Ref",
        date: "Date",
        amount: "Amount",
        rows: 22,
        first: "QN-001",
        last: "QN-022",
        total: "38834.67",
        min: "2026-01-18",
        max: "2026-12-25",
        encoding: Some("UTF-8"),
        delimiter: Some(","),
    },
    Expected {
        file: "formula_cells.csv",
        key: "ID",
        date: "Date",
        amount: "Amount",
        rows: 24,
        first: "F-001",
        last: "F-024",
        total: "22953.78",
        min: "2026-01-14",
        max: "2026-12-31",
        encoding: Some("UTF-8"),
        delimiter: Some(","),
    },
    Expected {
        file: "excel_serials.xlsx",
        key: "Voucher",
        date: "Posting Date",
        amount: "Amount",
        rows: 32,
        first: "V26000",
        last: "V26155",
        total: "128609.40",
        min: "2026-01-01",
        max: "2026-12-13",
        encoding: None,
        delimiter: None,
    },
    Expected {
        file: "amounts.csv",
        key: "Entry",
        date: "Date",
        amount: "Amount",
        rows: 26,
        first: "AM-01",
        last: "AM-26",
        total: "45713.10",
        min: "2026-01-12",
        max: "2026-12-19",
        encoding: Some("UTF-8"),
        delimiter: Some(","),
    },
];

fn import_json(s: &Sandbox, file: &str, key: &str, date: &str, amount: &str) -> serde_json::Value {
    let src = fixture(file);
    s.json(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        src.to_str().unwrap(),
        "--key",
        key,
        "--date",
        date,
        "--amount",
        amount,
    ])
}

fn items(s: &Sandbox) -> Vec<PopulationItem> {
    let eng = Engagement::open(&s.path("eng.tickmark")).unwrap();
    let pop = eng.current_population("C1").unwrap().unwrap();
    eng.population_items(pop.id, 0, 1_000_000).unwrap()
}

fn field<'a>(items: &'a [PopulationItem], key: &str, column: usize) -> &'a str {
    &items.iter().find(|i| i.key == key).unwrap_or_else(|| panic!("no item {key}")).fields[column]
}

#[test]
fn every_awkward_fixture_imports_with_the_independently_computed_counts_totals_and_dates() {
    for e in AWKWARD {
        let s = Sandbox::new();
        s.engagement();
        let r = import_json(&s, &format!("awkward/{}", e.file), e.key, e.date, e.amount);
        let ctx = e.file;
        assert_eq!(r["rows_read"], e.rows, "{ctx}");
        assert_eq!(r["rows_accepted"], e.rows, "{ctx}");
        assert_eq!(r["blank_keys"], 0, "{ctx}");
        assert_eq!(r["duplicate_keys"].as_array().unwrap().len(), 0, "{ctx}");
        assert_eq!(r["unparseable_dates"].as_array().unwrap().len(), 0, "{ctx}: {}", r["unparseable_dates"]);
        assert_eq!(r["outside_period"].as_array().unwrap().len(), 0, "{ctx}");
        assert_eq!(r["min_date"], e.min, "{ctx}");
        assert_eq!(r["max_date"], e.max, "{ctx}");
        let total = Decimal::from_str(r["amount_total"].as_str().unwrap()).unwrap();
        assert_eq!(total, Decimal::from_str(e.total).unwrap(), "{ctx}");
        assert_eq!(r["source"]["encoding"].as_str(), e.encoding, "{ctx}");
        assert_eq!(r["source"]["delimiter"].as_str(), e.delimiter, "{ctx}");
        let sha = r["source"]["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64, "{ctx}");
        assert_eq!(
            r["source"]["bytes"],
            std::fs::metadata(fixture(&format!("awkward/{}", e.file))).unwrap().len(),
            "{ctx}"
        );
        let items = items(&s);
        assert_eq!(items.len() as u64, e.rows, "{ctx}");
        assert_eq!(items.first().unwrap().key, e.first, "{ctx}");
        assert_eq!(items.last().unwrap().key, e.last, "{ctx}");
        assert!(items.iter().enumerate().all(|(i, it)| it.position == i as u64 + 1), "{ctx}: positions are 1..N");
    }
}

#[test]
fn the_import_hash_is_the_sha256_of_the_file_bytes() {
    use sha2::Digest;
    let s = Sandbox::new();
    s.engagement();
    let r = import_json(&s, "awkward/latin1.csv", "Invoice No", "Invoice Date", "Amount");
    let expected: String =
        sha2::Sha256::digest(bytes(&fixture("awkward/latin1.csv"))).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(r["source"]["sha256"], expected);
}

#[test]
fn windows_1252_text_decodes_to_the_right_characters() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/latin1.csv", "Invoice No", "Invoice Date", "Amount");
    let items = items(&s);
    let first = &items[0].fields;
    assert!(first.iter().any(|f| f == "Consulting fee – “Phase 2” workshop, €4,500 agreed"), "{first:?}");
    assert!(first.iter().any(|f| f == "François Lefèvre SARL"), "{first:?}");
    assert!(first.iter().any(|f| f == "Renée Côté"), "{first:?}");
}

#[test]
fn utf16_text_keeps_surrogate_pairs_quotes_and_tabs() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/utf16_unicode_text.txt", "Expense ID", "Submitted", "Amount");
    let items = items(&s);
    let all = |key: &str| items.iter().find(|i| i.key == key).unwrap().fields.clone();
    assert!(all("EXP-5533").contains(&"Reviewed 👍".to_string()));
    assert!(all("EXP-5555").contains(&"Vendor said \"net 30\"".to_string()));
    assert!(all("EXP-5588").contains(&"Requires PO\tmatch".to_string()));
}

#[test]
fn quoted_newlines_stay_in_their_field_and_rows_keep_their_starting_line() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/quoted_newlines.csv", "Ref", "Date", "Amount");
    let items = items(&s);
    let item = |k: &str| items.iter().find(|i| i.key == k).unwrap();
    assert!(item("QN-003").fields.contains(&"Line one\nLine two".to_string()));
    assert!(item("QN-008").fields.contains(&"Windows break\r\ninside the field".to_string()));
    assert!(item("QN-020").fields.contains(&"Delimiter, inside, quotes".to_string()));
    assert_eq!(item("QN-003").source_row, 4);
    assert_eq!(item("QN-011").source_row, 14);
    assert_eq!(item("QN-014").source_row, 19);
    assert_eq!(item("QN-022").source_row, 28);
}

#[test]
fn formula_looking_cells_are_kept_verbatim_as_text() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/formula_cells.csv", "ID", "Date", "Amount");
    let items = items(&s);
    let col = items[0].fields.len();
    let note = |k: &str| items.iter().find(|i| i.key == k).unwrap().fields.clone();
    assert!(note("F-002").contains(&"=HYPERLINK(\"http://example.invalid/x\",\"click me\")".to_string()));
    assert!(note("F-012").contains(&"=cmd|' /C calc'!A0".to_string()));
    assert!(note("F-015").contains(&"\tstarts with a tab".to_string()));
    assert!(col >= 3);
    assert!(items.iter().any(|i| i.amount.as_deref() == Some("-125.00")), "negative amounts stay numbers");
}

#[test]
fn tabs_and_semicolon_files_read_quotes_and_decimal_commas() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/tabs.tsv", "Request", "Opened", "Cost");
    assert!(items(&s).iter().any(|i| i.fields.contains(&"Monitor, 27\"".to_string())));
    let s = Sandbox::new();
    s.engagement();
    let r = import_json(&s, "awkward/semicolons.csv", "Belegnummer", "Belegdatum", "Betrag");
    assert_eq!(r["date_format_used"], "%d.%m.%Y");
    assert_eq!(field(&items(&s), "4711000", 0), "4711000");
}

#[test]
fn a_bom_is_not_part_of_the_first_header() {
    let s = Sandbox::new();
    s.engagement();
    let r = import_json(&s, "awkward/utf8_bom.csv", "PO Number", "Order Date", "Total");
    assert_eq!(r["columns"][0], "PO Number");
}

#[test]
fn excel_serial_dates_and_number_cells_read_as_dates_and_exact_amounts() {
    let s = Sandbox::new();
    s.engagement();
    import_json(&s, "awkward/excel_serials.xlsx", "Voucher", "Posting Date", "Amount");
    let items = items(&s);
    assert_eq!(items[0].date.unwrap().to_string(), "2026-01-01");
    assert_eq!(items[0].source_row, 2, "sheet row 2 holds the first data row");
    assert_eq!(items.iter().find(|i| i.key == "V26020").unwrap().amount.as_deref(), Some("500"));
}

#[test]
fn amounts_in_accounting_notation_parse_and_blanks_are_not_errors() {
    let s = Sandbox::new();
    s.engagement();
    let r = import_json(&s, "awkward/amounts.csv", "Entry", "Date", "Amount");
    assert_eq!(r["unparseable_amounts"].as_array().unwrap().len(), 0);
    let items = items(&s);
    let amount = |k: &str| items.iter().find(|i| i.key == k).unwrap().amount.clone();
    assert_eq!(amount("AM-01").as_deref(), Some("1234.56"));
    assert_eq!(amount("AM-07").as_deref(), Some("-8902.85"));
    assert_eq!(amount("AM-04"), None);
}

#[test]
fn the_demo_change_tickets_report_the_planted_anomalies() {
    let s = Sandbox::new();
    s.engagement();
    let r = s.json(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        fixture("acme/change_tickets.csv").to_str().unwrap(),
        "--key",
        "Issue key",
        "--date",
        "Created",
    ]);
    assert_eq!(r["blank_keys"], 1);
    assert_eq!(r["blank_key_lines"], serde_json::json!([1494]));
    assert_eq!(r["duplicate_keys"], serde_json::json!([{"key": "ACME-2604", "lines": [1031, 1032]}]));
    assert_eq!(r["outside_period"].as_array().unwrap().len(), 3);
    assert_eq!(r["outside_period"][0]["key"], "ACME-1041");
    assert_eq!(r["outside_period"][0]["line"], 2);
}

#[test]
fn an_xlsx_sheet_is_chosen_by_name_and_an_unknown_one_is_refused() {
    let s = Sandbox::new();
    let eng = s.engagement();
    let src = fixture("acme/new_hires.xlsx");
    let r = s.json(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        src.to_str().unwrap(),
        "--key",
        "Employee ID",
        "--date",
        "Hire Date",
        "--sheet",
        "New Hires",
    ]);
    assert_eq!(r["source"]["sheet"], "New Hires");
    let before = bytes(&eng);
    let err = s.fails(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        src.to_str().unwrap(),
        "--key",
        "Employee ID",
        "--sheet",
        "Hires",
    ]);
    assert!(
        err.contains("new_hires.xlsx: no sheet named \"Hires\"; the sheets are: New Hires, Report Parameters"),
        "{err}"
    );
    assert_unchanged(&eng, &before);
}

/// Runs an import that must be refused; checks the message and that nothing changed.
fn refused(s: &Sandbox, source: &str, extra: &[&str], expected: &[&str]) {
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let mut args = vec!["import", "eng.tickmark", "--control", "C1", source, "--key"];
    args.extend(extra);
    let err = s.fails(&args);
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert_unchanged(&eng, &before);
}

fn hostile(name: &str) -> String {
    fixture(&format!("hostile/{name}")).to_string_lossy().into_owned()
}

#[test]
fn import_refuses_ragged_rows_naming_the_line_and_keeps_the_file_unchanged() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, &hostile("ragged.csv"), &["Ticket"], &["ragged.csv, line 57:", "6 fields but the header has 5"]);
}

#[test]
fn import_refuses_binary_bytes_even_though_windows_1252_decodes_them() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, &hostile("binary.csv"), &["x"], &["binary.csv, line ", "not look like a text export"]);
}

#[test]
fn import_refuses_a_nul_byte_naming_line_and_column() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, &hostile("nul_byte.csv"), &["Ticket"], &["nul_byte.csv, line 12, column 4 (Summary): a NUL byte"]);
}

#[test]
fn import_refuses_empty_and_header_only_files() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, &hostile("empty.csv"), &["x"], &["empty.csv: the file is empty"]);
    refused(
        &s,
        &hostile("header_only.csv"),
        &["Ticket"],
        &["header_only.csv, line 1: the file has a header but no data rows"],
    );
}

#[test]
fn import_refuses_truncated_and_misnamed_workbooks() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, &hostile("truncated.xlsx"), &["x"], &["truncated.xlsx: the workbook is damaged or truncated"]);
    refused(
        &s,
        &hostile("workbook_renamed.csv"),
        &["x"],
        &["workbook_renamed.csv: this is an Excel workbook (.xlsx), not CSV text"],
    );
    refused(
        &s,
        &hostile("text_renamed.xlsx"),
        &["x"],
        &["text_renamed.xlsx: named .xlsx but it is not an Excel workbook"],
    );
}

#[test]
fn import_refuses_a_date_column_where_no_value_parses_but_accepts_the_file_unmapped() {
    let s = Sandbox::new();
    s.engagement();
    refused(
        &s,
        &hostile("dates_unparseable.csv"),
        &["Ticket", "--date", "Date"],
        &[
            "dates_unparseable.csv, column 2 (Date): no value in the date column parses",
            "\"n/a\" (line 2)",
            "formats tried: %Y-%m-%d",
        ],
    );
    let r =
        s.json(&["import", "eng.tickmark", "--control", "C1", &hostile("dates_unparseable.csv"), "--key", "Ticket"]);
    assert_eq!(r["rows_accepted"], 20);
}

#[test]
fn import_refuses_merged_header_cells() {
    let s = Sandbox::new();
    s.engagement();
    refused(
        &s,
        &hostile("merged_header.xlsx"),
        &["Employee"],
        &["merged_header.xlsx, line 1: sheet \"UAR Q3\" has merged cells A1:C1 in its header row"],
    );
}

#[test]
fn import_refuses_a_single_ten_megabyte_field() {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = b"id,note,date\nA-1,".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    csv.extend(b",2026-01-01\n");
    let p = s.write("huge.csv", csv);
    refused(
        &s,
        p.to_str().unwrap(),
        &["id"],
        &["huge.csv, line 2, column 2 (note): a single field of 10485760 bytes; the limit is 1048576"],
    );
}

#[test]
fn import_refuses_an_unclosed_quote_before_it_swallows_memory() {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = b"id,note\nA-1,\"opened and never closed\n".to_vec();
    let line = b"B-2,ordinary text that the open quote swallows\n";
    while csv.len() < 70 << 20 {
        csv.extend_from_slice(line);
    }
    let p = s.write("unclosed.csv", csv);
    refused(&s, p.to_str().unwrap(), &["id"], &["unclosed.csv", "more than 64 MiB: is a closing quote missing?"]);
}

#[test]
fn import_refuses_a_missing_path_a_folder_and_an_unknown_column() {
    let s = Sandbox::new();
    s.engagement();
    refused(&s, "no-such-file.csv", &["id"], &["no-such-file.csv: no such file"]);
    std::fs::create_dir(s.path("afolder.csv")).unwrap();
    refused(&s, "afolder.csv", &["id"], &["afolder.csv: is a folder"]);
    refused(
        &s,
        fixture("awkward/amounts.csv").to_str().unwrap(),
        &["Entry ID"],
        &["amounts.csv, line 1: no column named \"Entry ID\" for the item key; the columns are: \"Entry\""],
    );
}

#[test]
fn import_refuses_a_file_that_mixes_utf8_and_latin1() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write("mixed.csv", b"id,name\n1,Jos\xc3\xa9\n2,Ren\xe9e\n");
    refused(
        &s,
        p.to_str().unwrap(),
        &["id"],
        &["mixed.csv, line 3, column 2 (name): byte 0xE9 is not valid UTF-8", "mixes text encodings"],
    );
}

#[test]
fn an_unknown_control_is_refused_without_touching_the_file() {
    let s = Sandbox::new();
    let eng = s.engagement();
    let before = bytes(&eng);
    let err = s.fails(&[
        "import",
        "eng.tickmark",
        "--control",
        "C9",
        fixture("awkward/amounts.csv").to_str().unwrap(),
        "--key",
        "Entry",
    ]);
    assert!(err.contains("no control \"C9\""), "{err}");
    assert_unchanged(&eng, &before);
}

#[test]
fn blank_rows_are_skipped_and_reported_while_positions_stay_dense() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write("blank.csv", "id,date\nA,2026-01-01\n,\nB,2026-02-01\n , \n");
    let r =
        s.json(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "id", "--date", "date"]);
    assert_eq!(r["rows_read"], 4);
    assert_eq!(r["rows_accepted"], 2);
    assert_eq!(r["blank_rows_lines"], serde_json::json!([3, 5]));
    let items = items(&s);
    assert_eq!((items[1].key.as_str(), items[1].position, items[1].source_row), ("B", 2, 4));
}

#[test]
fn preview_shows_the_first_rows_and_guesses_the_mapping() {
    let p = tickmark::import::preview(&fixture("acme/change_tickets.csv"), None, 5).unwrap();
    assert_eq!(p.columns[0], "Issue key");
    assert_eq!(p.rows.len(), 5);
    assert_eq!(p.rows[0].0, 2, "the first data row is on line 2");
    assert_eq!(p.guessed_key.as_deref(), Some("Issue key"));
    assert_eq!(p.guessed_date.as_deref(), Some("Created"));
    let p = tickmark::import::preview(&fixture("acme/new_hires.xlsx"), None, 3).unwrap();
    assert_eq!(p.sheets, ["New Hires", "Report Parameters"]);
    assert_eq!(p.guessed_key.as_deref(), Some("Employee ID"));
    assert_eq!(p.guessed_date.as_deref(), Some("Hire Date"));
    let p = tickmark::import::preview(&fixture("awkward/semicolons.csv"), None, 10).unwrap();
    assert_eq!(p.guessed_amount.as_deref(), Some("Betrag"));
}

#[test]
fn population_items_are_found_by_key_prefix_in_position_order() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write("keys.csv", "Key,Note\nAB-1,x\nab-2,y\nAC-3,z\nA%B,literal percent\nAXB,not a wildcard match\n");
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key"]);
    let eng = Engagement::open(&s.path("eng.tickmark")).unwrap();
    let pop = eng.current_population("C1").unwrap().unwrap();
    let keys = |q: &str, limit| {
        eng.find_population_items(pop.id, q, limit).unwrap().into_iter().map(|i| i.key).collect::<Vec<_>>()
    };
    assert_eq!(keys("ab", 10), ["AB-1", "ab-2"]);
    assert_eq!(keys("a", 2), ["AB-1", "ab-2"]);
    assert_eq!(keys("A%", 10), ["A%B"], "% is matched literally");
    assert!(keys("zz", 10).is_empty());
}

#[test]
fn keys_in_no_order_are_indexed_once_at_the_end_and_their_duplicates_listed_as_read() {
    // 20,000 rows whose keys jump about (a stride through the key space), some repeated exactly
    // and some only in case (not a repeat), so the import builds its key index after writing.
    let s = Sandbox::new();
    s.engagement();
    let n = 20_000u64;
    let mut csv = String::from("Key,Note\n");
    let mut keys: Vec<String> = Vec::new();
    for i in 0..n {
        let k = (i * 7_919) % n;
        let key = match i % 997 {
            0 if i > 0 => keys[(i / 2) as usize % keys.len()].clone(),
            1 if i > 1 => keys[(i / 3) as usize].to_lowercase(),
            _ => format!("K-{k:05}"),
        };
        csv.push_str(&format!("{key},row {i}\n"));
        keys.push(key);
    }
    let p = s.write("scrambled.csv", &csv);
    let r = s.json(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key"]);
    // What the report must say, found here the plain way: lines are 2..=n+1.
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut listed: Vec<(String, Vec<u64>)> = Vec::new();
    let mut count = 0;
    for (i, k) in keys.iter().enumerate() {
        match first.get(k.as_str()) {
            None => {
                first.insert(k, i);
            }
            Some(&f) => {
                count += 1;
                match listed.iter_mut().find(|(key, _)| key == k) {
                    Some((_, lines)) => lines.push(i as u64 + 2),
                    None => listed.push((k.clone(), vec![f as u64 + 2, i as u64 + 2])),
                }
            }
        }
    }
    assert!(count > 10, "the test plants repeats");
    assert_eq!(r["duplicate_key_count"], count);
    let want: Vec<serde_json::Value> =
        listed.iter().map(|(key, lines)| serde_json::json!({ "key": key, "lines": lines })).collect();
    assert_eq!(r["duplicate_keys"], serde_json::Value::Array(want));
    // The keys set aside are in the index, in step with the items, and the search reads it.
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    let eng = Engagement::open(&s.path("eng.tickmark")).unwrap();
    let pop = eng.current_population("C1").unwrap().unwrap();
    let found: Vec<u64> = eng.find_population_items(pop.id, "k-0001", 5).unwrap().iter().map(|i| i.position).collect();
    let want: Vec<u64> =
        (0..n).filter(|i| keys[*i as usize].to_lowercase().starts_with("k-0001")).map(|i| i + 1).take(5).collect();
    assert_eq!(found, want);
}
