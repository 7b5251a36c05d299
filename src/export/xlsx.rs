//! The workbook: one worksheet per [`Sheet`], with frozen bold headers, an autofilter, fitted
//! widths, real dates and numbers, and every piece of text written as a string cell, so that
//! nothing a client or an auditor typed is ever evaluated as a formula.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::sheets::{Cell, Column, Kind, Sheet};
use crate::Error;
use crate::engagement::workpaper::Workpaper;

/// The most rows above a table's header that are frozen with it.
const MAX_FROZEN_PREAMBLE: u32 = 8;

/// The cell formats, made once per workbook.
struct Formats {
    header: Format,
    label: Format,
    /// Text that may wrap within its column (short values and prose).
    wrapped: Format,
    /// Text kept on one line: hashes, seeds, keys, and label values that may run over.
    line: Format,
    count: Format,
    amount: Format,
    rate: Format,
    date: Format,
    time: Format,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin),
            label: top.clone().set_bold(),
            wrapped: top.clone().set_text_wrap(),
            line: top.clone(),
            count: top.clone().set_num_format("0"),
            amount: top.clone().set_num_format("#,##0.00"),
            rate: top.clone().set_num_format("0.0%"),
            date: top.clone().set_num_format("yyyy-mm-dd"),
            time: top.set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// The workbook's bytes. `created` (the export time) is written as the document's creation
/// and modification time, which rust_xlsxwriter would otherwise take from the clock: with it,
/// the same workpaper always gives the same bytes.
pub(crate) fn workbook(wp: &Workpaper, sheets: &[Sheet], created: NaiveDateTime) -> Result<Vec<u8>, Error> {
    let mut book = Workbook::new();
    let created = excel_time(created).ok_or_else(|| {
        Error::invalid(format!("the export time {:?} cannot be written into a workbook", wp.exported_at))
    })?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Workpaper: {}", wp.engagement.client))
            .set_company(&wp.engagement.firm)
            .set_author(&wp.exported_by)
            .set_comment(format!("Exported by Tickmark {}", wp.tickmark_version))
            .set_creation_datetime(&created),
    );
    let formats = Formats::new();
    for sheet in sheets {
        let ws = book.add_worksheet();
        write_sheet(ws, sheet, &formats).map_err(|e| sheet_error(sheet, e))?;
    }
    book.save_to_buffer().map_err(|e| Error::invalid(format!("the workbook could not be assembled: {e}")))
}

/// Where a write failed, for the message: the row as Excel numbers it, and the column's title.
struct At<'a> {
    row: usize,
    column: Option<&'a str>,
    error: XlsxError,
}

fn sheet_error(sheet: &Sheet, at: At<'_>) -> Error {
    let place = match at.column {
        Some(column) => format!("{} sheet, row {}, column {column:?}", sheet.title, at.row),
        None => format!("{} sheet, row {}", sheet.title, at.row),
    };
    match at.error {
        XlsxError::MaxStringLengthExceeded => Error::invalid(format!(
            "{place}: the text is longer than an Excel cell holds (32,767 characters); export as CSV or HTML instead"
        )),
        e => Error::invalid(format!("{place}: {e}")),
    }
}

fn write_sheet<'s>(ws: &mut Worksheet, sheet: &'s Sheet, formats: &Formats) -> Result<(), At<'s>> {
    let at = |row: u32, column: Option<&'s str>| move |error| At { row: row as usize + 1, column, error };
    ws.set_name(sheet.title).map_err(at(0, None))?;

    let mut header_row: u32 = 0;
    if let Some(preamble) = &sheet.preamble {
        ws.write_string_with_format(0, 0, preamble.title, &formats.label).map_err(at(0, None))?;
        for (i, (label, value)) in preamble.lines.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string_with_format(row, 0, label, &formats.label).map_err(at(row, None))?;
            // One line, so a long value runs over the empty cells to its right instead of
            // making the row as tall as the narrow column would wrap it.
            write_cell(ws, row, 1, value, &formats.line, formats).map_err(at(row, Some(label)))?;
        }
        header_row = preamble.lines.len() as u32 + 2;
    }

    for (c, column) in sheet.columns.iter().enumerate() {
        let col = c as u16;
        ws.write_string_with_format(header_row, col, &column.title, &formats.header).map_err(at(header_row, None))?;
        ws.set_column_width(col, width(sheet, c, column)).map_err(at(header_row, Some(&column.title)))?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let excel_row = header_row + 1 + r as u32;
        for (c, cell) in row.cells.iter().enumerate() {
            let column = &sheet.columns[c];
            let text = if column.kind == Kind::Code { &formats.line } else { &formats.wrapped };
            write_cell(ws, excel_row, c as u16, cell, text, formats).map_err(at(excel_row, Some(&column.title)))?;
        }
    }

    let last_row = header_row + sheet.rows.len() as u32;
    let last_col = sheet.columns.len().saturating_sub(1) as u16;
    // Frozen rows stay on screen while the table scrolls: the header always, a short preamble
    // (the legend) with it, but not the engagement header, which would fill a laptop's screen.
    if header_row <= MAX_FROZEN_PREAMBLE {
        ws.set_freeze_panes(header_row + 1, 0).map_err(at(header_row, None))?;
    }
    ws.autofilter(header_row, 0, last_row, last_col).map_err(at(header_row, None))?;
    ws.set_repeat_rows(header_row, header_row).map_err(at(header_row, None))?;
    ws.set_landscape();
    // As wide as one page, as many pages long as it takes.
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Text is written with `write_string`, never `write`: a value that begins with `=` stays the
/// characters the client typed.
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    text: &Format,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => return Ok(()),
        Cell::Text(s) => ws.write_string_with_format(row, col, s, text)?,
        Cell::Count(n) => ws.write_number_with_format(row, col, *n as f64, &f.count)?,
        Cell::Amount(d) => match d.to_f64() {
            Some(v) => ws.write_number_with_format(row, col, v, &f.amount)?,
            None => ws.write_string_with_format(row, col, d.to_string(), text)?,
        },
        Cell::Rate { value, .. } => ws.write_number_with_format(row, col, *value, &f.rate)?,
        Cell::Date(d) => match excel_date(*d) {
            Some(x) => ws.write_datetime_with_format(row, col, &x, &f.date)?,
            None => ws.write_string_with_format(row, col, cell.display(), text)?,
        },
        Cell::Time { utc, text: s } => match utc.and_then(excel_time) {
            Some(x) => ws.write_datetime_with_format(row, col, &x, &f.time)?,
            None => ws.write_string_with_format(row, col, s, text)?,
        },
    };
    Ok(())
}

/// Excel's calendar starts in 1900; an earlier date is written as text.
fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(d.year().try_into().ok()?, d.month() as u8, d.day() as u8).ok()
}

fn excel_time(t: NaiveDateTime) -> Option<ExcelDateTime> {
    excel_date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, t.second()).ok()
}

/// Characters of the widest line the column shows, plus the padding Excel's own autofit adds.
fn width(sheet: &Sheet, index: usize, column: &Column) -> f64 {
    const PADDING: usize = 2;
    let widest_line = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let cells = sheet.rows.iter().map(|r| match &r.cells[index] {
        // Thousands separators and two decimals make a shown amount longer than its digits.
        Cell::Amount(d) => d.to_string().len() + 4,
        // Shown as `yyyy-mm-dd hh:mm:ss`.
        Cell::Time { utc: Some(_), .. } => 19,
        cell => widest_line(&cell.display()),
    });
    // The header wraps, so its longest word is what must fit.
    let title = column.title.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
    // A preamble's labels sit in the first column and do not wrap.
    let labels = match (&sheet.preamble, index) {
        (Some(p), 0) => p.lines.iter().map(|(l, _)| l.chars().count()).chain([p.title.len()]).max().unwrap_or(0),
        _ => 0,
    };
    let fitted = cells.chain([title, labels]).max().unwrap_or(0) + PADDING;
    let (least, most) = match column.kind {
        Kind::Short => (6, 32),
        Kind::Code => (6, 68),
        Kind::Prose => (60, 60),
    };
    fitted.clamp(least, most) as f64
}
