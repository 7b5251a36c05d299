//! Hostile input stays bounded: every file in fixtures/hostile/ and a few big ones made here
//! (120 MB of commas, a zip bomb) is refused with one sentence naming the file and, where there
//! is one, the line; the engagement is left byte for byte as it was; `preview` of each peaks
//! under 200 MB.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Sandbox, assert_unchanged, bytes, fixture};
use tickmark::import::{ImportErrorKind, LIMITS, Limits, Row, Table, TableReadError};

const PEAK_LIMIT_KIB: i64 = 200 * 1024;

fn hostile(name: &str) -> PathBuf {
    fixture(&format!("hostile/{name}"))
}

/// Each hostile fixture, the key column to map, and what its refusal must say.
const REFUSED: &[(&str, &str, &[&str])] = &[
    ("ragged.csv", "Ticket", &["ragged.csv, line 57:", "6 fields but the header has 5"]),
    ("binary.csv", "x", &["binary.csv, line ", "not look like a text export"]),
    ("nul_byte.csv", "Ticket", &["nul_byte.csv, line 12, column 4 (Summary): a NUL byte"]),
    ("empty.csv", "x", &["empty.csv: the file is empty"]),
    ("header_only.csv", "Ticket", &["header_only.csv, line 1: the file has a header but no data rows"]),
    ("truncated.xlsx", "x", &["truncated.xlsx: the workbook is damaged or truncated"]),
    ("zip_header_only.xlsx", "x", &["zip_header_only.xlsx: the workbook is damaged or truncated"]),
    ("workbook_renamed.csv", "x", &["workbook_renamed.csv: this is an Excel workbook (.xlsx), not CSV text"]),
    ("text_renamed.xlsx", "x", &["text_renamed.xlsx: named .xlsx but it is not an Excel workbook"]),
    ("merged_header.xlsx", "Employee", &["merged_header.xlsx, line 1: sheet \"UAR Q3\" has merged cells A1:C1"]),
    (
        "huge_dimension.xlsx",
        "Ticket",
        &[
            "huge_dimension.xlsx: sheet \"Sheet1\" declares cells A1:XFD1048576 (17179869184 cells); Tickmark reads at most 50000000",
        ],
    ),
    (
        "shared_strings_count.xlsx",
        "Ticket",
        &["shared_strings_count.xlsx: it declares 4000000000 shared strings; Tickmark reads at most 5000000"],
    ),
    ("cr_only.csv", "Ticket", &["cr_only.csv, line 7: this row has 4 fields but the header has 3"]),
    (
        "mixed_line_endings.csv",
        "Ticket",
        &["mixed_line_endings.csv, line 9: this row has 4 fields but the header has 3"],
    ),
    (
        "wide_record.csv",
        "Ticket",
        &["wide_record.csv, line 2: a record with more than 16384 fields (Excel's column limit)"],
    ),
    ("escape_sequence.csv", "Ticket", &["escape_sequence.csv, line 3, column 3 (Summary): control character U+001B"]),
];

/// Imports `source` into a fresh engagement, which must be refused with every `expected`
/// fragment on one line of stderr, and leave the engagement file's bytes as they were.
fn refused_leaving_the_engagement_unchanged(s: &Sandbox, source: &Path, key: &str, expected: &[&str]) -> String {
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let err = s.fails(&["import", "eng.tickmark", "--control", "C1", source.to_str().unwrap(), "--key", key]);
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    assert!(!err.bytes().any(|b| b < 0x20 && b != b'\n'), "a raw control character in: {err:?}");
    assert_unchanged(&eng, &before);
    err
}

#[test]
fn every_hostile_fixture_is_refused_naming_the_file_and_leaves_the_engagement_unchanged() {
    let s = Sandbox::new();
    s.engagement();
    let mut seen: Vec<String> = std::fs::read_dir(fixture("hostile"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && n != "dates_unparseable.csv" && n != "escape_cells.xlsx")
        .collect();
    seen.sort();
    let mut listed: Vec<String> = REFUSED.iter().map(|(n, _, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(seen, listed, "every file in fixtures/hostile/ has its expected refusal here");
    for (name, key, expected) in REFUSED {
        refused_leaving_the_engagement_unchanged(&s, &hostile(name), key, expected);
    }
}

#[test]
fn a_date_column_of_escape_sequences_is_quoted_escaped_in_the_refusal() {
    let s = Sandbox::new();
    s.engagement();
    let eng = s.path("eng.tickmark");
    let before = bytes(&eng);
    let src = hostile("escape_cells.xlsx");
    let err = s.fails(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        src.to_str().unwrap(),
        "--key",
        "Ticket",
        "--date",
        "Date\u{1b}[8m",
    ]);
    assert!(!err.contains('\u{1b}'), "a raw ESC in: {err:?}");
    assert!(err.contains(r#"e.g. "\u{1b}[2J\u{1b}[31mPAID" (line 2), "n/a" (line 3)"#), "{err}");
    assert!(err.contains(r"column 2 (Date\u{1b}[8m)"), "{err}");
    assert_unchanged(&eng, &before);
    // Stored data is not changed: mapped without the date, the cells import as they are.
    let report = s.json(&["import", "eng.tickmark", "--control", "C1", src.to_str().unwrap(), "--key", "Ticket"]);
    assert_eq!(report["rows_accepted"], 4, "{report}");
}

/// The line each row starts on, and the refusal that ends the read, through the engine's reader.
fn lines_until_refused(path: &Path) -> (Vec<(u64, String)>, tickmark::import::ImportError) {
    let mut table = match Table::open(path, None, false) {
        Ok(t) => t,
        Err(TableReadError::Import(e)) => return (Vec::new(), e),
        Err(e) => panic!("{e:?}"),
    };
    let mut lines = Vec::new();
    let mut row = Row::default();
    loop {
        match table.next_row(&mut row) {
            Ok(true) => lines.push((row.line, row.fields[0].clone())),
            Ok(false) => panic!("{} should have been refused", path.display()),
            Err(TableReadError::Import(e)) => return (lines, e),
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn lines_are_numbered_right_for_cr_only_line_ends() {
    let (lines, err) = lines_until_refused(&hostile("cr_only.csv"));
    let expected: Vec<(u64, String)> = (2..=6).map(|l| (l, format!("CHG-{}", l - 1))).collect();
    assert_eq!(lines, expected);
    assert_eq!((err.kind, err.line), (ImportErrorKind::Ragged, Some(7)));
}

#[test]
fn lines_are_numbered_right_for_mixed_line_ends_quoted_newlines_and_blank_lines() {
    // Hand-counted in fixtures/hostile/README.md: CRLF, LF, CR, a quoted CRLF, a blank line.
    let (lines, err) = lines_until_refused(&hostile("mixed_line_endings.csv"));
    let expected = [(2, "CHG-1"), (3, "CHG-2"), (4, "CHG-3"), (6, "CHG-4"), (8, "CHG-5")];
    assert_eq!(lines, expected.iter().map(|(l, k)| (*l, k.to_string())).collect::<Vec<_>>());
    assert_eq!((err.kind, err.line), (ImportErrorKind::Ragged, Some(9)));
}

#[test]
fn lines_are_numbered_right_for_crlf_and_lf_files_written_here() {
    let s = Sandbox::new();
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
        let text = ["id,note", "A,one", "B,\"two", "lines\"", "", "C,three", "D,x,extra"].join(end) + end;
        let (lines, err) = lines_until_refused(&s.write(name, text));
        let got: Vec<(u64, &str)> = lines.iter().map(|(l, k)| (*l, k.as_str())).collect();
        assert_eq!(got, [(2, "A"), (3, "B"), (6, "C")], "{name}");
        assert_eq!(err.line, Some(7), "{name}");
    }
}

#[test]
fn a_fifo_and_a_device_are_refused_before_they_are_opened() {
    let s = Sandbox::new();
    let fifo = s.path("pipe.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Opening a FIFO with no writer would block forever: a refusal proves it was not opened.
    let err = s.fails(&["preview", fifo.to_str().unwrap()]);
    assert!(err.contains("pipe.csv: is a named pipe (FIFO), not a regular file"), "{err}");
    let err = s.fails(&["preview", "/dev/null"]);
    assert!(err.contains("null: is a device, not a regular file"), "{err}");
    let dir = s.path("folder.csv");
    std::fs::create_dir(&dir).unwrap();
    let err = s.fails(&["preview", dir.to_str().unwrap()]);
    assert!(err.contains("folder.csv: is a folder, not a file"), "{err}");
}

/// Reads the header and the first data row, then lets `change` act on the file, then reads
/// on to the end: `finish` must refuse.
fn refused_when_changed_mid_read(path: &Path, change: impl FnOnce(&Path)) -> tickmark::import::ImportError {
    let mut table = Table::open(path, None, false).map_err(|e| format!("{e:?}")).unwrap();
    let mut row = Row::default();
    assert!(table.next_row(&mut row).map_err(|e| format!("{e:?}")).unwrap());
    change(path);
    while table.next_row(&mut row).map_err(|e| format!("{e:?}")).unwrap() {}
    table.finish().expect_err("a file changed mid-read must be refused")
}

#[test]
fn a_source_that_changes_while_it_is_read_is_refused() {
    let s = Sandbox::new();
    let text = "id,note\nA,one\nB,two\n";
    let grown = s.write("grown.csv", text);
    let err = refused_when_changed_mid_read(&grown, |p| {
        std::fs::OpenOptions::new().append(true).open(p).unwrap().write_all(b"C,three\n").unwrap();
    });
    assert_eq!(err.kind, ImportErrorKind::Changed);
    assert!(
        err.to_string()
            .starts_with("grown.csv: the file changed while it was read (its size went from 20 to 28 bytes)"),
        "{err}"
    );

    // Same size, new bytes and a new modification time.
    let touched = s.write("touched.csv", text);
    let err = refused_when_changed_mid_read(&touched, |p| {
        let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
        (&f).write_all(b"id,note\nA,one\nB,TWO\n").unwrap();
        let later = f.metadata().unwrap().modified().unwrap() + std::time::Duration::from_secs(60);
        f.set_modified(later).unwrap();
    });
    assert!(err.to_string().contains("its modification time changed"), "{err}");

    // A workbook too.
    let book = s.path("book.xlsx");
    std::fs::copy(fixture("acme/new_hires.xlsx"), &book).unwrap();
    let err = refused_when_changed_mid_read(&book, |p| {
        std::fs::OpenOptions::new().append(true).open(p).unwrap().write_all(b"\0").unwrap();
    });
    assert_eq!(err.kind, ImportErrorKind::Changed);

    // Unchanged, the same read finishes.
    let same = s.write("same.csv", text);
    let mut table = Table::open(&same, None, false).map_err(|e| format!("{e:?}")).unwrap();
    let mut row = Row::default();
    while table.next_row(&mut row).map_err(|e| format!("{e:?}")).unwrap() {}
    assert_eq!(table.finish().unwrap().1, 20);
}

fn refusal_with(path: &Path, limits: &Limits) -> tickmark::import::ImportError {
    match Table::open_with(path, None, false, limits) {
        Err(TableReadError::Import(e)) => e,
        Err(e) => panic!("{e:?}"),
        Ok(mut t) => {
            let mut row = Row::default();
            loop {
                match t.next_row(&mut row) {
                    Ok(true) => {}
                    Ok(false) => panic!("{} read to the end under {limits:?}", path.display()),
                    Err(TableReadError::Import(e)) => return e,
                    Err(e) => panic!("{e:?}"),
                }
            }
        }
    }
}

#[test]
fn each_workbook_cap_refuses_a_real_workbook_held_to_a_small_cap() {
    let book = fixture("acme/new_hires.xlsx");
    let err = refusal_with(&book, &Limits { cells: 20, ..LIMITS });
    assert_eq!(err.kind, ImportErrorKind::TooLarge);
    assert!(err.to_string().contains("new_hires.xlsx"), "{err}");
    let strings = hostile("shared_strings_count.xlsx");
    let err = refusal_with(&strings, &Limits { shared_string_bytes: 100, ..LIMITS });
    assert!(err.to_string().contains("its shared strings (xl/sharedStrings.xml) unpack to"), "{err}");
    let err = refusal_with(&book, &Limits { unpacked_bytes: 1000, ..LIMITS });
    assert!(err.to_string().contains("the workbook unpacks to more than"), "{err}");
}

/// A workbook whose one sheet is `head`, then `filler` bytes of spaces (whitespace XML allows
/// between elements), then `tail`; written streaming, so the test itself stays small.
fn workbook(path: &Path, head: &str, filler: u64, tail: &str) {
    use zip::write::SimpleFileOptions;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(f));
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        z.start_file(name, o).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", o).unwrap();
    z.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut left = filler;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    z.write_all(tail.as_bytes()).unwrap();
    z.finish().unwrap().flush().unwrap();
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Ticket</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>CHG-1</t></is></c></row>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// The big hostile files, made in `dir`: 120 MB of commas, and a zip bomb (1.25 GiB of sheet
/// XML packed into about 1.3 MB).
fn big_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let commas = dir.join("commas.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&commas).unwrap());
    f.write_all(b"Ticket,Date\nCHG-1").unwrap();
    let chunk = vec![b','; 1 << 20];
    for _ in 0..120 {
        f.write_all(&chunk).unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let bomb = dir.join("bomb.xlsx");
    workbook(&bomb, SHEET_HEAD, 5 << 28, SHEET_TAIL);
    vec![
        (commas, "commas.csv, line 2: a record with more than 16384 fields"),
        (bomb, "bomb.xlsx: part \"xl/worksheets/sheet1.xml\" would unpack from"),
    ]
}

#[test]
fn a_zip_bomb_and_a_run_of_commas_are_refused_and_leave_the_engagement_unchanged() {
    let s = Sandbox::new();
    s.engagement();
    for (path, expected) in big_files(s.dir.path()) {
        let err = refused_leaving_the_engagement_unchanged(&s, &path, "Ticket", &[expected]);
        if path.ends_with("bomb.xlsx") {
            assert!(err.contains("a workbook packed this tightly is a zip bomb"), "{err}");
            assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20, "the bomb is under 2 MB");
        }
    }
}

#[test]
fn a_sheet_with_one_cell_at_the_grid_s_far_corner_reads_with_bounded_memory() {
    // No <dimension>: the cell at XFD1048576 is found only while streaming. The whole-range
    // reader allocated 16384 x 1048576 cells for it; streaming yields the blank rows between.
    let s = Sandbox::new();
    let p = s.path("corner.xlsx");
    let tail =
        r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#;
    workbook(&p, SHEET_HEAD, 0, tail);
    let mut t = Table::open(&p, None, false).map_err(|e| format!("{e:?}")).unwrap();
    assert_eq!(t.headers(), ["Ticket"]);
    let mut row = Row::default();
    let (mut blank, mut last) = (0u64, (0u64, 0usize));
    while t.next_row(&mut row).map_err(|e| format!("{e:?}")).unwrap() {
        if row.is_blank() {
            blank += 1;
        }
        last = (row.line, row.fields.len());
    }
    assert_eq!(blank, 1_048_576 - 3 + 1 - 1, "rows 3..1048575 come back blank");
    assert_eq!(last, (1_048_576, 16_384), "the far cell's row reaches column XFD");
    let (peak, status, err) = preview_peak(&p);
    assert!(status == 0, "{err}");
    assert!(peak < PEAK_LIMIT_KIB, "preview of corner.xlsx peaked at {peak} KiB");
}

/// Runs `tickmark preview FILE`; returns its peak resident memory in KiB, its exit status and
/// its stderr. Linux counts a child's peak from the moment it is forked, so a child of this
/// (large, multi-threaded) test process would report this process's size: the run goes
/// through `rss_probe`, this binary started afresh, which spawns the preview and reads that
/// one child's peak with wait4.
fn preview_peak(file: &Path) -> (i64, i32, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "rss_probe", "--nocapture", "--test-threads=1", "--quiet"])
        .env(PROBE, file)
        .output()
        .expect("run the probe");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("probe ")).unwrap_or_else(|| panic!("no probe line: {stdout}"));
    let mut parts = line.splitn(4, ' ').skip(1);
    let peak = parts.next().unwrap().parse().unwrap();
    let status = parts.next().unwrap().parse().unwrap();
    let err = parts.next().unwrap_or("").to_string();
    (peak, status, err)
}

const PROBE: &str = "TICKMARK_RSS_PROBE";

/// Does nothing in a normal run; run by `preview_peak` with the file to preview.
#[test]
// The child is reaped by wait4 below, which std's `wait` would hide the usage of.
#[allow(clippy::zombie_processes)]
fn rss_probe() {
    let Some(file) = std::env::var_os(PROBE) else { return };
    let mut child = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .arg("preview")
        .arg(&file)
        .env("TICKMARK_NOW", common::NOW)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tickmark");
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for this one child, which std has not reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    // ru_maxrss is in KiB on Linux.
    println!("probe {} {code} {}", usage.ru_maxrss, err.trim_end().replace('\n', " | "));
}

#[test]
fn preview_of_every_hostile_file_peaks_under_200_mb() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files.extend(big_files(dir.path()).into_iter().map(|(p, _)| p));
    let mut report = Vec::new();
    for f in &files {
        let (peak, status, err) = preview_peak(f);
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        report.push(format!("{name}: {peak} KiB (exit {status})"));
        assert!(status == 0 || err.contains(&name), "{name}: the refusal names the file: {err}");
        assert!(peak < PEAK_LIMIT_KIB, "preview of {name} peaked at {peak} KiB");
    }
    eprintln!("peak resident memory of `tickmark preview`:\n{}", report.join("\n"));
}
