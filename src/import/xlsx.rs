//! Reading an `.xlsx` sheet with bounded memory: the package's declared sizes and shared strings
//! are checked before calamine unpacks anything, then the sheet is streamed cell by cell.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, DataRef, Reader, Xlsx};
use zip::ZipArchive;

use super::error::{ImportError, ImportErrorKind as K, shown};
use super::table::{cell_name, cell_text};

/// Excel's own grid: 1,048,576 rows of 16,384 columns.
pub const EXCEL_ROWS: u32 = 1 << 20;
pub const EXCEL_COLUMNS: u32 = 1 << 14;

/// The caps a workbook is held to. Each protects memory or time before it is spent.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cells a sheet may declare (its `<dimension>`) or hold; 1,000,000 rows of 50 columns.
    pub cells: u64,
    /// Shared strings (calamine keeps every one in memory), by count and by unpacked bytes.
    pub shared_strings: u64,
    pub shared_string_bytes: u64,
    /// Unpacked bytes of the whole package, by the sizes its zip directory declares (the zip
    /// reader refuses to unpack an entry past its declared size, so they bound what is read).
    pub unpacked_bytes: u64,
    /// Unpacked : packed for any entry over `RATIO_FLOOR`; spreadsheet XML packs 5-30 to 1.
    pub ratio: u64,
}

pub const LIMITS: Limits = Limits {
    cells: 50_000_000,
    shared_strings: 5_000_000,
    shared_string_bytes: 256 << 20,
    unpacked_bytes: 2 << 30,
    ratio: 200,
};

/// Entries smaller than this may pack as tightly as they like: they cannot hurt.
const RATIO_FLOOR: u64 = 1 << 20;

fn damaged(file: &str, e: &dyn std::fmt::Display) -> ImportError {
    ImportError::new(K::Damaged, file, format!("the workbook is damaged or truncated and cannot be read ({e})"))
}

fn too_large(file: &str, reason: String) -> ImportError {
    ImportError::new(K::TooLarge, file, reason)
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// Checks the zip directory's declared sizes, and the shared strings, before calamine reads a
/// byte of XML: a zip bomb or a billion shared strings is refused here, not after the damage.
pub(crate) fn check_package(file: &str, f: File, limits: &Limits) -> Result<(), ImportError> {
    let mut zip = ZipArchive::new(BufReader::new(f)).map_err(|e| damaged(file, &e))?;
    let mut total: u64 = 0;
    let mut shared = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| damaged(file, &e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > limits.unpacked_bytes {
            return Err(too_large(
                file,
                format!(
                    "the workbook unpacks to more than {} (its zip directory declares that much); Tickmark reads workbooks up to that size: export the population as CSV",
                    mib(limits.unpacked_bytes)
                ),
            ));
        }
        if size > RATIO_FLOOR && size / packed.max(1) > limits.ratio {
            return Err(too_large(
                file,
                format!(
                    "part {:?} would unpack from {} bytes to {} bytes ({} to 1); a workbook packed this tightly is a zip bomb, not an export",
                    shown(&name),
                    packed,
                    size,
                    size / packed.max(1)
                ),
            ));
        }
        if name.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case("sharedStrings.xml")) {
            shared.push(i);
        }
    }
    for i in shared {
        let entry = zip.by_index(i).map_err(|e| damaged(file, &e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.size() > limits.shared_string_bytes {
            return Err(too_large(
                file,
                format!(
                    "its shared strings ({name}) unpack to {} bytes; Tickmark reads at most {} of them: export the population as CSV",
                    entry.size(),
                    mib(limits.shared_string_bytes)
                ),
            ));
        }
        let counts = count_shared_strings(entry).map_err(|e| damaged(file, &e))?;
        let most = counts.declared.unwrap_or(0).max(counts.found);
        if most > limits.shared_strings {
            return Err(too_large(
                file,
                format!(
                    "it declares {most} shared strings; Tickmark reads at most {}: export the population as CSV",
                    limits.shared_strings
                ),
            ));
        }
    }
    Ok(())
}

/// The `uniqueCount` (else `count`) the `<sst>` element declares (calamine reserves that many
/// before reading one), and the `<si>` elements actually there.
#[derive(Debug, Default, PartialEq, Eq)]
struct StringCounts {
    declared: Option<u64>,
    found: u64,
}

/// Scans the part's bytes for start tags without building them: tag names (namespace prefix
/// dropped) and, for `sst`, its attributes. A tag name or `<sst ...>` longer than 4 KiB is cut.
fn count_shared_strings(mut r: impl Read) -> io::Result<StringCounts> {
    let mut counts = StringCounts::default();
    let mut buf = vec![0u8; 64 << 10];
    let mut tag: Vec<u8> = Vec::new();
    let mut in_tag = false;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'<' {
                in_tag = true;
                tag.clear();
            } else if in_tag && b == b'>' {
                in_tag = false;
                read_tag(&tag, &mut counts);
            } else if in_tag && tag.len() < 4096 {
                tag.push(b);
            }
        }
    }
    Ok(counts)
}

fn read_tag(tag: &[u8], counts: &mut StringCounts) {
    let end = tag.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(tag.len());
    let name = &tag[..end];
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    if local == b"si" {
        counts.found += 1;
    } else if local == b"sst" && counts.declared.is_none() {
        let attrs = String::from_utf8_lossy(&tag[end..]);
        let value = |key: &str| {
            let at = attrs.find(&format!("{key}="))? + key.len() + 1;
            let rest = attrs[at..].trim_start_matches(['"', '\'']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            // More digits than u64 holds is still a number, and far past any cap.
            Some(digits.parse::<u64>().unwrap_or(if digits.is_empty() { 0 } else { u64::MAX }))
        };
        counts.declared = value("uniqueCount").or_else(|| value("count"));
    }
}

/// One sheet row as text, numbered as in Excel (1-based).
pub(crate) struct SheetRow {
    pub line: u64,
    pub fields: Vec<String>,
    pub numbers: Vec<Option<f64>>,
}

pub(crate) enum Event {
    Opened {
        sheets: Vec<String>,
        sheet: String,
        header: SheetRow,
    },
    /// The next rows, in order: a batch per message, not a row (a hand-over between threads
    /// per row was most of a million-row workbook's system time).
    Rows(Vec<SheetRow>),
    Failed(ImportError),
}

/// Rows a batch holds.
const BATCH_ROWS: usize = 256;

/// Streams the chosen sheet from a thread that owns the workbook (calamine's cell reader
/// borrows it), a few batches of rows ahead of the caller; dropping the receiver stops it.
pub(crate) fn stream(file: String, f: File, sheet: Option<String>, limits: Limits) -> Receiver<Event> {
    let (tx, rx) = sync_channel(4);
    std::thread::spawn(move || {
        if let Err(e) = read_sheet(&file, f, sheet.as_deref(), &limits, &tx) {
            let _ = tx.send(Event::Failed(e));
        }
    });
    rx
}

/// The receiver hung up: the caller stopped reading, which is not an error of the file.
struct HungUp;

enum Stop {
    Import(ImportError),
    HungUp,
}

impl From<ImportError> for Stop {
    fn from(e: ImportError) -> Self {
        Stop::Import(e)
    }
}

impl From<HungUp> for Stop {
    fn from(_: HungUp) -> Self {
        Stop::HungUp
    }
}

fn read_sheet(
    file: &str,
    f: File,
    sheet: Option<&str>,
    limits: &Limits,
    tx: &SyncSender<Event>,
) -> Result<(), ImportError> {
    match read_sheet_inner(file, f, sheet, limits, tx) {
        Ok(()) | Err(Stop::HungUp) => Ok(()),
        Err(Stop::Import(e)) => Err(e),
    }
}

fn read_sheet_inner(
    file: &str,
    f: File,
    sheet: Option<&str>,
    limits: &Limits,
    tx: &SyncSender<Event>,
) -> Result<(), Stop> {
    let mut wb: Xlsx<_> = Xlsx::new(BufReader::new(f)).map_err(|e| damaged(file, &e))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            ImportError::new(
                K::UnknownSheet,
                file,
                format!(
                    "no sheet named {s:?}; the sheets are: {}",
                    names.iter().map(|n| shown(n)).collect::<Vec<_>>().join(", ")
                ),
            )
        })?,
        None => names.first().cloned().ok_or_else(|| ImportError::new(K::Empty, file, "the workbook has no sheets"))?,
    };
    let merged = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
    let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| damaged(file, &e))?;
    let declared = cells.dimensions();
    if declared.len() > limits.cells {
        return Err(too_large(
            file,
            format!(
                "sheet {name:?} declares cells {}:{} ({} cells); Tickmark reads at most {} cells a sheet",
                cell_name(declared.start.0, declared.start.1),
                cell_name(declared.end.0, declared.end.1),
                declared.len(),
                limits.cells
            ),
        )
        .into());
    }
    let mut rows = Rows::new(file, &name, limits);
    let header_sent = std::cell::Cell::new(false);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut send = |row: SheetRow, rows: &Rows| -> Result<(), Stop> {
        let event = if header_sent.get() {
            batch.push(row);
            if batch.len() < BATCH_ROWS {
                return Ok(());
            }
            Event::Rows(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS)))
        } else {
            header_sent.set(true);
            let header_row = (row.line - 1) as u32;
            if let Some(m) =
                merged.iter().find(|m| m.start.0 <= header_row && header_row <= m.end.0 && m.end.1 > m.start.1)
            {
                return Err(ImportError::new(
                    K::MergedHeader,
                    file,
                    format!(
                        "sheet {:?} has merged cells {}:{} in its header row; unmerge them or delete the title rows so the first row holds one name per column",
                        rows.sheet,
                        cell_name(m.start.0, m.start.1),
                        cell_name(m.end.0, m.end.1)
                    ),
                )
                .at_line(row.line)
                .into());
            }
            Event::Opened { sheets: names.clone(), sheet: name.clone(), header: row }
        };
        tx.send(event).map_err(|_| HungUp)?;
        Ok(())
    };
    let read = (|| {
        loop {
            let cell = cells.next_cell().map_err(|e| damaged(file, &e))?;
            let Some(cell) = cell else { break };
            let (r, c) = cell.get_position();
            if let Some(done) = rows.push(r, c, cell.get_value())? {
                for row in done {
                    send(row, &rows)?;
                }
            }
        }
        match rows.end() {
            Some(last) => send(last, &rows)?,
            None if !header_sent.get() => {
                return Err(ImportError::new(K::Empty, file, format!("sheet {name:?} is empty")).into());
            }
            None => {}
        }
        Ok(())
    })();
    // The rows read before the end or a failure go first, so the caller meets them in order.
    if !batch.is_empty() {
        tx.send(Event::Rows(batch)).map_err(|_| HungUp)?;
    }
    read
}

/// Puts streamed cells back into rows as the whole-range reader saw them: the header is the
/// first row with a value and starts at its first value's column; rows between values come
/// back blank; a row is as wide as the header, or wider where it has values further right.
struct Rows<'a> {
    file: &'a str,
    sheet: &'a str,
    limits: &'a Limits,
    cells_seen: u64,
    /// The row being gathered (0-based) and its values by column.
    current: Option<u32>,
    values: Vec<(u32, Data)>,
    /// After the header: its first column and width, and the last row handed out.
    header: Option<(u32, usize)>,
    last: u32,
}

impl<'a> Rows<'a> {
    fn new(file: &'a str, sheet: &'a str, limits: &'a Limits) -> Rows<'a> {
        Rows { file, sheet, limits, cells_seen: 0, current: None, values: Vec::new(), header: None, last: 0 }
    }

    fn refuse(&self, row: u32, reason: String) -> ImportError {
        ImportError::new(K::TooLarge, self.file, format!("sheet {:?}: {reason}", self.sheet))
            .at_line(u64::from(row) + 1)
    }

    /// Takes one cell; returns the rows it completes (a finished row, and blank ones before).
    fn push(&mut self, r: u32, c: u32, v: &DataRef<'_>) -> Result<Option<Vec<SheetRow>>, ImportError> {
        self.cells_seen += 1;
        if self.cells_seen > self.limits.cells {
            return Err(self.refuse(
                r,
                format!("more than {} cells; Tickmark reads at most that many a sheet", self.limits.cells),
            ));
        }
        if r >= EXCEL_ROWS || c >= EXCEL_COLUMNS {
            return Err(ImportError::new(
                K::Damaged,
                self.file,
                format!(
                    "sheet {:?} has a cell at row {}, column {}, outside Excel's grid",
                    self.sheet,
                    u64::from(r) + 1,
                    u64::from(c) + 1
                ),
            ));
        }
        if matches!(v, DataRef::Empty) {
            return Ok(None);
        }
        let mut done = None;
        match self.current {
            Some(cur) if r == cur => {}
            Some(cur) if r < cur => {
                return Err(ImportError::new(
                    K::Damaged,
                    self.file,
                    format!(
                        "sheet {:?} lists row {} after row {}; the sheet's rows are out of order",
                        self.sheet,
                        r + 1,
                        cur + 1
                    ),
                ));
            }
            Some(_) => {
                let finished = self.finish_row()?;
                let mut out = Vec::new();
                if let Some(row) = finished {
                    out.push(row);
                }
                // Blank rows between the last row with values and this one, as Excel shows them.
                if let Some((_, width)) = self.header {
                    for blank in self.last + 1..r {
                        out.push(SheetRow {
                            line: u64::from(blank) + 1,
                            fields: vec![String::new(); width],
                            numbers: vec![None; width],
                        });
                    }
                }
                done = Some(out);
                self.current = Some(r);
            }
            None => self.current = Some(r),
        }
        self.values.push((c, v.clone().into()));
        Ok(done)
    }

    fn end(&mut self) -> Option<SheetRow> {
        self.finish_row().ok().flatten()
    }

    /// Turns the gathered values into a row; the first one fixes the header's columns.
    fn finish_row(&mut self) -> Result<Option<SheetRow>, ImportError> {
        let Some(r) = self.current else { return Ok(None) };
        if self.values.is_empty() {
            return Ok(None);
        }
        let min = self.values.iter().map(|(c, _)| *c).min().unwrap_or(0);
        let max = self.values.iter().map(|(c, _)| *c).max().unwrap_or(0);
        let (col0, width) = match self.header {
            Some((col0, width)) => {
                if min < col0 {
                    return Err(ImportError::new(
                        K::Ragged,
                        self.file,
                        format!(
                            "sheet {:?} has a value in {}, left of the header's first column; every value must sit under a column name",
                            self.sheet,
                            cell_name(r, min)
                        ),
                    )
                    .at_line(u64::from(r) + 1));
                }
                (col0, width.max((max - col0 + 1) as usize))
            }
            None => {
                let width = (max - min + 1) as usize;
                self.header = Some((min, width));
                (min, width)
            }
        };
        let mut fields = vec![String::new(); width];
        let mut numbers = vec![None; width];
        for (c, v) in self.values.drain(..) {
            let i = (c - col0) as usize;
            numbers[i] = match &v {
                Data::Float(f) => Some(*f),
                Data::Int(n) => Some(*n as f64),
                _ => None,
            };
            fields[i] = cell_text(&v);
        }
        self.last = r;
        Ok(Some(SheetRow { line: u64::from(r) + 1, fields, numbers }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_shared_strings_and_reads_the_declared_count() {
        let xml = br#"<?xml version="1.0"?><sst xmlns="x" count="9" uniqueCount="3"><si><t>a</t></si><si><t>b</t></si><x:si><t/></x:si><sis/></sst>"#;
        assert_eq!(count_shared_strings(&xml[..]).unwrap(), StringCounts { declared: Some(3), found: 3 });
        let huge = br#"<sst uniqueCount="184467440737095516150"></sst>"#;
        assert_eq!(count_shared_strings(&huge[..]).unwrap().declared, Some(u64::MAX));
        let plain = br#"<sst count='2'><si/><si/></sst>"#;
        assert_eq!(count_shared_strings(&plain[..]).unwrap(), StringCounts { declared: Some(2), found: 2 });
    }
}
