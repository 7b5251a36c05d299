//! The CSV folder: one file per sheet (and one per preamble), UTF-8 with a byte-order mark so
//! Excel reads the encoding right, CRLF line ends, and every text value escaped against
//! formula injection.

use std::borrow::Cow;

use super::escape::escape_csv_text;
use super::sheets::{Cell, Sheet};
use crate::Error;

const BOM: &[u8] = "\u{FEFF}".as_bytes();

/// The folder's files as `(name, bytes)`, in the order of the sheets.
pub(crate) fn files(sheets: &[Sheet]) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    for sheet in sheets {
        if let Some(p) = &sheet.preamble {
            let rows = p.lines.iter().map(|(label, value)| vec![escape_csv_text(label), field(value)]);
            files.push(file(p.file, p.headings.iter().copied(), rows)?);
        }
        let rows = sheet.rows.iter().map(|r| r.cells.iter().map(field).collect());
        files.push(file(sheet.file, sheet.columns.iter().map(|c| c.title.as_str()), rows)?);
    }
    Ok(files)
}

/// Numbers stay numbers (a negative amount is `-125.00`, not text); everything else is text and
/// goes through the one escaping function.
fn field(cell: &Cell) -> Cow<'_, str> {
    match (cell, cell.display()) {
        (Cell::Count(_) | Cell::Amount(_), number) => number,
        (_, Cow::Borrowed(text)) => escape_csv_text(text),
        (_, Cow::Owned(text)) => Cow::Owned(escape_csv_text(&text).into_owned()),
    }
}

fn file<'a>(
    stem: &str,
    headings: impl Iterator<Item = &'a str>,
    rows: impl Iterator<Item = Vec<Cow<'a, str>>>,
) -> Result<(String, Vec<u8>), Error> {
    let name = format!("{stem}.csv");
    let failed = |e: csv::Error| Error::invalid(format!("{name} could not be written: {e}"));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec());
    w.write_record(headings.map(escape_csv_text).collect::<Vec<_>>().iter().map(|h| h.as_bytes())).map_err(failed)?;
    for row in rows {
        w.write_record(row.iter().map(|f| f.as_bytes())).map_err(failed)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::invalid(format!("{name} could not be written: {}", e.error())))?;
    Ok((name, bytes))
}
