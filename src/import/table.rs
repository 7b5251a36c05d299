//! Reading a client's export as a table of text: CSV/TSV in any of the encodings Excel and
//! reporting tools write, or an `.xlsx` sheet. Streams rows; never holds a CSV in memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::Receiver;

use calamine::Data;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;
use sha2::{Digest, Sha256};

use super::error::{ImportError, ImportErrorKind as K};
use super::source::{self, Snapshot, io_error};
use super::xlsx::{self, Event, Limits};

/// Excel holds at most 32,767 characters in a cell; a field far beyond that is not data.
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// A record this long is an unclosed quote swallowing the file; stop before it eats memory.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;
/// Excel's column limit: a record with more fields is not a table (a run of delimiters?).
pub const MAX_FIELDS: usize = 16_384;
const SNIFF_BYTES: usize = 64 << 10;

/// One data row: where it came from and its fields as text. Reused between rows.
#[derive(Debug, Default, Clone)]
pub struct Row {
    /// The line (text) or sheet row (xlsx) where the row starts, 1-based.
    pub line: u64,
    pub fields: Vec<String>,
    /// For xlsx cells holding a plain number: its value, so a date column can read serials.
    pub numbers: Vec<Option<f64>>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }

    fn set(&mut self, line: u64, fields: impl Iterator<Item = impl AsRef<str>>) {
        self.line = line;
        let mut n = 0;
        for (i, f) in fields.enumerate() {
            if i < self.fields.len() {
                self.fields[i].clear();
                self.fields[i].push_str(f.as_ref());
            } else {
                self.fields.push(f.as_ref().to_string());
            }
            n = i + 1;
        }
        self.fields.truncate(n);
        self.numbers.clear();
        self.numbers.resize(n, None);
    }
}

/// What the source turned out to be, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceFormat {
    /// "csv" or "xlsx".
    pub format: &'static str,
    /// e.g. "UTF-8", "UTF-8 with BOM", "UTF-16LE", "Windows-1252".
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
}

/// The SHA-256 and size of the bytes read so far, shared with the reader that feeds them.
#[derive(Default)]
struct Digesting {
    hasher: Sha256,
    bytes: u64,
}

struct HashingReader<R> {
    inner: R,
    state: Rc<RefCell<Digesting>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.state.borrow_mut();
        s.hasher.update(&buf[..n]);
        s.bytes += n as u64;
        Ok(n)
    }
}

/// Reads ahead of the CSV parser as the parser will read (quotes, delimiters, record ends) to
/// stop a record that runs on in bytes or in fields before the parser holds it, and to number
/// physical lines however they end: CRLF, LF or a lone CR (the parser counts LF only).
struct TextGuard<R> {
    inner: R,
    delimiter: u8,
    state: Lex,
    fields: usize,
    record_bytes: u64,
    /// The physical line of the next byte, 1-based.
    line: u64,
    after_cr: bool,
    /// The line each record starts on, in order, until the parser takes it.
    starts: Rc<RefCell<VecDeque<u64>>>,
    /// The line the current record started on.
    record_start: u64,
    /// The bytes that can change the lexer's state or the line count (quote, delimiter, CR,
    /// LF): inside a field, a run of any other bytes only lengthens the record.
    special: [bool; 256],
    /// A refusal found in bytes already read; raised once the parser has what came before it.
    pending: Option<Guarded>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// A quote inside a quoted field: a doubled quote, or the field's closing one.
    QuoteInQuoted,
}

#[derive(Debug, Clone, Copy)]
enum Guarded {
    RecordTooLarge { line: u64 },
    TooManyFields { line: u64 },
}

impl std::fmt::Display for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Guarded::RecordTooLarge { .. } => f.write_str("record too large"),
            Guarded::TooManyFields { .. } => f.write_str("too many fields"),
        }
    }
}
impl std::error::Error for Guarded {}

impl<R: Read> TextGuard<R> {
    fn new(inner: R, delimiter: u8, starts: Rc<RefCell<VecDeque<u64>>>) -> TextGuard<R> {
        TextGuard {
            inner,
            delimiter,
            state: Lex::StartRecord,
            fields: 0,
            record_bytes: 0,
            line: 1,
            after_cr: false,
            starts,
            record_start: 1,
            special: std::array::from_fn(|b| matches!(b as u8, b'"' | b'\r' | b'\n') || b as u8 == delimiter),
            pending: None,
        }
    }

    /// Follows one byte; a refusal when it breaks a cap.
    fn step(&mut self, b: u8) -> Option<Guarded> {
        let line = self.line;
        match b {
            b'\r' => self.line += 1,
            b'\n' if !self.after_cr => self.line += 1,
            _ => {}
        }
        self.after_cr = b == b'\r';
        let terminator = matches!(b, b'\r' | b'\n');
        if self.state == Lex::StartRecord {
            if terminator {
                return None;
            }
            self.starts.borrow_mut().push_back(line);
            self.record_start = line;
            self.fields = 1;
            self.record_bytes = 0;
            self.state = Lex::StartField;
        }
        self.record_bytes += 1;
        let start = self.record_start;
        if self.record_bytes > MAX_RECORD_BYTES {
            return Some(Guarded::RecordTooLarge { line: start });
        }
        let delimiter = b == self.delimiter;
        self.state = match (self.state, b) {
            (Lex::InQuoted, b'"') => Lex::QuoteInQuoted,
            (Lex::InQuoted, _) => Lex::InQuoted,
            (Lex::QuoteInQuoted, b'"') => Lex::InQuoted,
            (Lex::StartField, b'"') => Lex::InQuoted,
            (_, _) if terminator => Lex::StartRecord,
            (_, _) if delimiter => {
                self.fields += 1;
                if self.fields > MAX_FIELDS {
                    return Some(Guarded::TooManyFields { line: start });
                }
                Lex::StartField
            }
            (_, _) => Lex::InField,
        };
        None
    }
}

impl<R: Read> Read for TextGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(g) = self.pending {
            return Err(io::Error::other(g));
        }
        let n = self.inner.read(buf)?;
        let mut i = 0;
        while i < n {
            if matches!(self.state, Lex::InField | Lex::InQuoted) {
                // The common case, byte for byte what `step` would do for these bytes: a run
                // of ordinary bytes, no further than the record cap (the byte past it goes
                // through `step`, which refuses it).
                let room = MAX_RECORD_BYTES.saturating_sub(self.record_bytes).min((n - i) as u64) as usize;
                let run = buf[i..i + room].iter().position(|&b| self.special[b as usize]).unwrap_or(room);
                if run > 0 {
                    self.record_bytes += run as u64;
                    self.after_cr = false;
                    i += run;
                    continue;
                }
            }
            if let Some(g) = self.step(buf[i]) {
                if i == 0 {
                    return Err(io::Error::other(g));
                }
                self.pending = Some(g);
                return Ok(i);
            }
            i += 1;
        }
        Ok(n)
    }
}

/// How a text source is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, validated field by field; `bom` when the file starts with EF BB BF.
    Utf8 {
        bom: bool,
    },
    Decoded(&'static Encoding),
}

impl TextEncoding {
    fn describe(self) -> String {
        match self {
            TextEncoding::Utf8 { bom: false } => "UTF-8".into(),
            TextEncoding::Utf8 { bom: true } => "UTF-8 with BOM".into(),
            TextEncoding::Decoded(e) => e.name().to_string(),
        }
    }
}

/// An opened source: a header and a stream of rows.
pub struct Table {
    file: String,
    headers: Vec<String>,
    format: SourceFormat,
    sheets: Vec<String>,
    inner: Inner,
    digest: Rc<RefCell<Digesting>>,
    total_bytes: u64,
    /// The file as opened, to refuse a read it changed under.
    path: PathBuf,
    handle: File,
    snapshot: Snapshot,
}

enum Inner {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        record: csv::ByteRecord,
        encoding: TextEncoding,
        /// The line each record starts on, from `TextGuard`.
        starts: Rc<RefCell<VecDeque<u64>>>,
        seen_non_ascii: bool,
    },
    Sheet {
        rows: Receiver<Event>,
        /// The rest of the batch being read.
        buffered: std::vec::IntoIter<xlsx::SheetRow>,
        sha256: String,
    },
}

/// The signal to read the file again as Windows-1252: it is not UTF-8 and nothing decoded so
/// far depended on it being UTF-8.
#[derive(Debug)]
pub enum ReadError {
    Import(ImportError),
    RetryAsWindows1252,
    /// A failure outside the file (the engagement file, a cancelled import).
    Other(crate::Error),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Other(e.into())
    }
}

impl From<crate::Error> for ReadError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Import(i) => ReadError::Import(i),
            other => ReadError::Other(other),
        }
    }
}

impl From<ImportError> for ReadError {
    fn from(e: ImportError) -> Self {
        ReadError::Import(e)
    }
}

pub fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// What the first bytes say the file is.
enum Sniffed {
    Zip,
    OleCompound,
    Text(TextEncoding),
}

fn sniff(head: &[u8]) -> Sniffed {
    match head {
        [0x50, 0x4B, 0x03, 0x04, ..] => Sniffed::Zip,
        [0xD0, 0xCF, 0x11, 0xE0, ..] => Sniffed::OleCompound,
        [0xEF, 0xBB, 0xBF, ..] => Sniffed::Text(TextEncoding::Utf8 { bom: true }),
        [0xFF, 0xFE, ..] => Sniffed::Text(TextEncoding::Decoded(UTF_16LE)),
        [0xFE, 0xFF, ..] => Sniffed::Text(TextEncoding::Decoded(UTF_16BE)),
        _ => Sniffed::Text(TextEncoding::Utf8 { bom: false }),
    }
}

impl Table {
    /// Opens `path`, deciding CSV or xlsx by its content (and telling the auditor when the
    /// name says otherwise). `force_1252` reads a text file as Windows-1252.
    pub fn open(path: &Path, sheet: Option<&str>, force_1252: bool) -> Result<Table, ReadError> {
        Table::open_with(path, sheet, force_1252, &xlsx::LIMITS)
    }

    /// `open` with the workbook caps given: tests hold small files to small caps.
    pub fn open_with(path: &Path, sheet: Option<&str>, force_1252: bool, limits: &Limits) -> Result<Table, ReadError> {
        let file = display_name(path);
        let (mut f, snapshot) = source::open(path, &file)?;
        let mut head = [0u8; 8];
        let n = read_up_to(&mut f, &mut head).map_err(|e| io_error(&file, &e))?;
        if n == 0 {
            return Err(ImportError::new(K::Empty, &file, "the file is empty (0 bytes)").into());
        }
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let named_excel = matches!(ext.as_str(), "xlsx" | "xlsm");
        match sniff(&head[..n]) {
            Sniffed::Zip => {
                if !named_excel {
                    return Err(ImportError::new(
                        K::WrongFormat,
                        &file,
                        "this is an Excel workbook (.xlsx), not CSV text; rename it to .xlsx to import it as a workbook",
                    )
                    .into());
                }
                Table::open_xlsx(path, &file, sheet, f, snapshot, limits)
            }
            Sniffed::OleCompound => Err(ImportError::new(
                K::WrongFormat,
                &file,
                "this is a legacy Excel 97-2003 workbook (.xls); save it as .xlsx or CSV and import that",
            )
            .into()),
            Sniffed::Text(_) if named_excel => Err(ImportError::new(
                K::WrongFormat,
                &file,
                "named .xlsx but it is not an Excel workbook (it looks like text, e.g. CSV); rename it to .csv",
            )
            .into()),
            Sniffed::Text(enc) => {
                let enc = if force_1252 && enc == (TextEncoding::Utf8 { bom: false }) {
                    TextEncoding::Decoded(WINDOWS_1252)
                } else {
                    enc
                };
                Table::open_text(path, &file, enc, f, snapshot)
            }
        }
    }

    fn open_text(
        path: &Path,
        file: &str,
        encoding: TextEncoding,
        handle: File,
        snapshot: Snapshot,
    ) -> Result<Table, ReadError> {
        let mut f = handle.try_clone().map_err(|e| io_error(file, &e))?;
        io::Seek::rewind(&mut f).map_err(|e| io_error(file, &e))?;
        let digest = Rc::new(RefCell::new(Digesting::default()));
        let hashing = HashingReader { inner: f, state: digest.clone() };
        let mut text: Box<dyn Read> = match encoding {
            TextEncoding::Utf8 { bom } => {
                let mut r = hashing;
                if bom {
                    let mut skip = [0u8; 3];
                    r.read_exact(&mut skip).map_err(|e| io_error(file, &e))?;
                }
                Box::new(r)
            }
            TextEncoding::Decoded(enc) => {
                Box::new(DecodeReaderBytesBuilder::new().encoding(Some(enc)).bom_override(true).build(hashing))
            }
        };
        // Peek at the start to choose the delimiter, then hand the parser those bytes again.
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut text).take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|e| io_error(file, &e))?;
        if head.iter().all(|b| b.is_ascii_whitespace()) && head.len() < SNIFF_BYTES {
            return Err(ImportError::new(K::Empty, file, "the file holds no text (only blank lines)").into());
        }
        let delimiter = sniff_delimiter(&head);
        let chained: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(text));
        let starts = Rc::new(RefCell::new(VecDeque::new()));
        let counting: Box<dyn Read> = Box::new(TextGuard::new(chained, delimiter, starts.clone()));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(counting);
        let format = SourceFormat {
            format: "csv",
            encoding: Some(encoding.describe()),
            delimiter: Some(match delimiter {
                b'\t' => "tab".to_string(),
                d => (d as char).to_string(),
            }),
            sheet: None,
        };
        let mut table = Table {
            file: file.to_string(),
            headers: Vec::new(),
            format,
            sheets: Vec::new(),
            inner: Inner::Csv { reader, record: csv::ByteRecord::new(), encoding, starts, seen_non_ascii: false },
            digest,
            total_bytes: snapshot.len,
            path: path.to_path_buf(),
            handle,
            snapshot,
        };
        let mut header = Row::default();
        if !table.next_row(&mut header)? {
            return Err(ImportError::new(K::Empty, file, "the file holds no rows").into());
        }
        table.headers = header.fields.iter().map(|h| h.trim().to_string()).collect();
        Ok(table)
    }

    fn open_xlsx(
        path: &Path,
        file: &str,
        sheet: Option<&str>,
        handle: File,
        snapshot: Snapshot,
        limits: &Limits,
    ) -> Result<Table, ReadError> {
        let clone = || handle.try_clone().map_err(|e| io_error(file, &e));
        // Hashed as a stream first; the size and time checked at `finish` tie the hash to the
        // bytes the sheet was read from.
        let mut digest = Digesting::default();
        let mut f = clone()?;
        io::Seek::rewind(&mut f).map_err(|e| io_error(file, &e))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf).map_err(|e| io_error(file, &e))?;
            if n == 0 {
                break;
            }
            digest.hasher.update(&buf[..n]);
            digest.bytes += n as u64;
        }
        let sha256 = crate::trail::hex(&digest.hasher.finalize());
        io::Seek::rewind(&mut f).map_err(|e| io_error(file, &e))?;
        xlsx::check_package(file, f, limits)?;
        let mut f = clone()?;
        io::Seek::rewind(&mut f).map_err(|e| io_error(file, &e))?;
        let rows = xlsx::stream(file.to_string(), f, sheet.map(String::from), *limits);
        let (sheets, name, header) = match rows.recv() {
            Ok(Event::Opened { sheets, sheet, header }) => (sheets, sheet, header),
            Ok(Event::Failed(e)) => return Err(e.into()),
            Ok(Event::Rows(_)) | Err(_) => {
                return Err(ImportError::new(K::Damaged, file, "the workbook could not be read").into());
            }
        };
        let headers = header.fields.iter().map(|h| h.trim().to_string()).collect();
        Ok(Table {
            file: file.to_string(),
            headers,
            format: SourceFormat { format: "xlsx", encoding: None, delimiter: None, sheet: Some(name) },
            sheets,
            inner: Inner::Sheet { rows, buffered: Vec::new().into_iter(), sha256 },
            digest: Rc::new(RefCell::new(Digesting::default())),
            total_bytes: snapshot.len,
            path: path.to_path_buf(),
            handle,
            snapshot,
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn format(&self) -> &SourceFormat {
        &self.format
    }

    /// The workbook's sheet names; empty for text.
    pub fn sheets(&self) -> &[String] {
        &self.sheets
    }

    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Bytes of the source consumed so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        match &self.inner {
            Inner::Csv { .. } => self.digest.borrow().bytes,
            Inner::Sheet { .. } => self.total_bytes,
        }
    }

    /// Reads the next row into `row`; false at the end. Checks every field is text.
    pub fn next_row(&mut self, row: &mut Row) -> Result<bool, ReadError> {
        let file = self.file.as_str();
        match &mut self.inner {
            Inner::Csv { reader, record, encoding, starts, seen_non_ascii } => {
                let more = match reader.read_byte_record(record) {
                    Ok(more) => more,
                    Err(e) => return Err(csv_error(file, e).into()),
                };
                if !more {
                    return Ok(false);
                }
                // The guard saw this record begin before the parser finished it.
                let line = starts.borrow_mut().pop_front().or_else(|| record.position().map(|p| p.line())).unwrap_or(0);
                for (i, field) in record.iter().enumerate() {
                    check_field(file, line, i, &self.headers, field, *encoding, seen_non_ascii)?;
                }
                // Every field was checked as UTF-8 above.
                row.set(line, record.iter().map(|f| std::str::from_utf8(f).unwrap_or_default()));
                if !self.headers.is_empty() && row.fields.len() != self.headers.len() {
                    return Err(ImportError::new(
                        K::Ragged,
                        file,
                        format!(
                            "this row has {} fields but the header has {}; every row must have one field per column (a missing quote or an extra delimiter?)",
                            row.fields.len(),
                            self.headers.len()
                        ),
                    )
                    .at_line(line)
                    .into());
                }
                Ok(true)
            }
            Inner::Sheet { rows, buffered, .. } => {
                let sheet_row = loop {
                    if let Some(r) = buffered.next() {
                        break r;
                    }
                    match rows.recv() {
                        Ok(Event::Rows(batch)) => *buffered = batch.into_iter(),
                        Ok(Event::Failed(e)) => return Err(e.into()),
                        // The reader finished the sheet and hung up.
                        Ok(Event::Opened { .. }) | Err(_) => return Ok(false),
                    }
                };
                let width = self.headers.len().max(sheet_row.fields.len());
                let mut fields = sheet_row.fields;
                let mut numbers = sheet_row.numbers;
                fields.resize(width, String::new());
                numbers.resize(width, None);
                row.line = sheet_row.line;
                row.fields = fields;
                row.numbers = numbers;
                for (i, f) in row.fields.iter().enumerate() {
                    if f.len() > MAX_FIELD_BYTES {
                        return Err(field_too_large(file, row.line, i, &self.headers, f.len()).into());
                    }
                }
                Ok(true)
            }
        }
    }

    /// The file's SHA-256 and size; for text, call after the last row (it covers every byte).
    /// Refused when the file changed while it was read: the hash must be of one version.
    pub fn finish(&mut self) -> Result<(String, u64), ImportError> {
        let (sha256, bytes) = match &mut self.inner {
            Inner::Sheet { sha256, .. } => (sha256.clone(), self.total_bytes),
            Inner::Csv { reader, .. } => {
                // The parser stops at the last record; hash whatever trails it.
                io::copy(reader.get_mut(), &mut io::sink()).map_err(|e| io_error(&self.file, &e))?;
                let d = std::mem::take(&mut *self.digest.borrow_mut());
                (crate::trail::hex(&d.hasher.finalize()), d.bytes)
            }
        };
        source::check_unchanged(&self.path, &self.file, &self.handle, self.snapshot)?;
        if bytes != self.snapshot.len {
            return Err(ImportError::new(
                K::Changed,
                &self.file,
                format!(
                    "the file changed while it was read ({} bytes read where it held {}); nothing was imported: wait until the export is complete, then import it again",
                    bytes, self.snapshot.len
                ),
            ));
        }
        Ok((sha256, bytes))
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn column_name(headers: &[String], i: usize) -> &str {
    headers.get(i).map(String::as_str).unwrap_or("")
}

fn field_too_large(file: &str, line: u64, i: usize, headers: &[String], len: usize) -> ImportError {
    ImportError::new(
        K::FieldTooLarge,
        file,
        format!(
            "a single field of {len} bytes; the limit is {MAX_FIELD_BYTES} bytes (1 MiB; Excel itself holds 32,767 characters a cell)"
        ),
    )
    .at_line(line)
    .at_column(i, column_name(headers, i))
}

/// Refuses bytes that are not text: invalid UTF-8, NUL, control characters.
fn check_field(
    file: &str,
    line: u64,
    i: usize,
    headers: &[String],
    field: &[u8],
    encoding: TextEncoding,
    seen_non_ascii: &mut bool,
) -> Result<(), ReadError> {
    let col = column_name(headers, i);
    if field.len() > MAX_FIELD_BYTES {
        return Err(field_too_large(file, line, i, headers, field.len()).into());
    }
    if field.is_ascii() {
        if let Some(&b) = field.iter().find(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) {
            return Err(not_text(file, line, i, col, b as u32).into());
        }
        return Ok(());
    }
    let text = match std::str::from_utf8(field) {
        Ok(t) => t,
        Err(e) => {
            // Not UTF-8. If nothing before relied on UTF-8, the file is Windows-1252; otherwise
            // it mixes encodings and no reading of it is right.
            if encoding == (TextEncoding::Utf8 { bom: false }) && !*seen_non_ascii {
                return Err(ReadError::RetryAsWindows1252);
            }
            let bad = field[e.valid_up_to()];
            return Err(ImportError::new(
                K::Encoding,
                file,
                format!("byte 0x{bad:02X} is not valid UTF-8, but earlier lines are UTF-8; the file mixes text encodings: re-export it as UTF-8"),
            )
            .at_line(line)
            .at_column(i, col)
            .into());
        }
    };
    *seen_non_ascii = true;
    for c in text.chars() {
        let cp = c as u32;
        let control = (cp < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || (0x7F..=0x9F).contains(&cp);
        if control {
            return Err(not_text(file, line, i, col, cp).into());
        }
        if c == '\u{FFFD}' && matches!(encoding, TextEncoding::Decoded(e) if e == UTF_16LE || e == UTF_16BE) {
            return Err(ImportError::new(K::Encoding, file, "invalid UTF-16 (an unpaired surrogate)")
                .at_line(line)
                .at_column(i, col)
                .into());
        }
    }
    Ok(())
}

fn not_text(file: &str, line: u64, i: usize, col: &str, cp: u32) -> ImportError {
    let (kind, reason) = if cp == 0 {
        (K::NulByte, "a NUL byte (0x00); text exports never contain one: is this a binary file, or UTF-16 without a byte-order mark?".to_string())
    } else {
        (K::NotText, format!("control character U+{cp:04X}; this does not look like a text export (binary data?)"))
    };
    ImportError::new(kind, file, reason).at_line(line).at_column(i, col)
}

fn csv_error(file: &str, e: csv::Error) -> ImportError {
    let mut line = e.position().map(|p| p.line());
    let guarded = match e.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<Guarded>()).copied(),
        _ => None,
    };
    let mut err = match (e.kind(), guarded) {
        (_, Some(Guarded::RecordTooLarge { line: at })) => {
            line = Some(at);
            ImportError::new(
                K::RecordTooLarge,
                file,
                format!("a record runs on for more than {} MiB: is a closing quote missing?", MAX_RECORD_BYTES >> 20),
            )
        }
        (_, Some(Guarded::TooManyFields { line: at })) => {
            line = Some(at);
            ImportError::new(
                K::TooManyFields,
                file,
                format!(
                    "a record with more than {MAX_FIELDS} fields (Excel's column limit); this is not a table: a run of delimiters, or not a CSV export?"
                ),
            )
        }
        (csv::ErrorKind::Io(io), None) => io_error(file, io),
        _ => ImportError::new(K::Damaged, file, format!("cannot be parsed as CSV: {e}")),
    };
    if let Some(l) = line {
        err = err.at_line(l);
    }
    err
}

/// Picks `,` `;` tab or `|`: the one that splits the first lines into the same number of
/// fields, preferring more fields. Quotes are respected.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut lines: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut after_cr = false;
    for &b in head {
        let crlf = after_cr && b == b'\n';
        after_cr = b == b'\r';
        match b {
            b'"' => in_quotes = !in_quotes,
            // A line ends at LF, CR or CRLF (old Mac exports end lines with CR alone).
            b'\n' if crlf => {}
            b'\n' | b'\r' if !in_quotes => {
                lines.push(counts);
                counts = [0; 4];
                if lines.len() == 20 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    if lines.is_empty() {
        lines.push(counts);
    }
    let header = lines[0];
    let mut best = (0usize, 0usize, b',');
    for (k, &c) in CANDIDATES.iter().enumerate() {
        if header[k] == 0 {
            continue;
        }
        let agreeing = lines.iter().filter(|l| l[k] == header[k]).count();
        if (agreeing, header[k]) > (best.0, best.1) {
            best = (agreeing, header[k], c);
        }
    }
    best.2
}

/// A cell as the text an auditor sees in Excel (dates as ISO 8601).
pub(crate) fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() && t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) if dt.is_datetime() => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            _ => number_text(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Shortest text that reads back as the same number; whole numbers without ".0".
pub(crate) fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut name = String::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        name.insert(0, (b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{name}{}", row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_delimiter_from_consistent_lines() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter(b"\"a;x\",b\n\"1;2\",3\n"), b',');
        assert_eq!(sniff_delimiter(b"single\nvalue\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\r1,5;2;3\r4;5,5;6\r"), b';');
        assert_eq!(sniff_delimiter(b"a;b;c\r\n1,5;2;3\r\n4;5,5;6\r\n"), b';');
    }

    #[test]
    fn names_cells_as_excel_does() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
    }
}
