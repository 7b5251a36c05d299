//! The client request list (PBC) as a workbook meant for the client: what is asked, of which
//! item, by when, and where it stands. It carries no results, no notes and no conclusion:
//! nothing the auditor did not choose to ask. Every value is a string cell, so text from the
//! client's own export can never run as a formula.

use std::path::Path;

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

use super::ExportedFile;
use crate::Error;
use crate::engagement::EngagementInfo;
use crate::store::Request;

const COLUMNS: [(&str, f64); 9] = [
    ("Request ID", 16.0),
    ("Control", 12.0),
    ("Item key", 18.0),
    ("Item date", 11.0),
    ("Item details", 48.0),
    ("Evidence requested", 64.0),
    ("Due", 11.0),
    ("Status", 10.0),
    ("Note", 30.0),
];

/// Writes the request list to `out` (an existing file only with `force`), as a workbook whose
/// bytes depend only on the requests, the engagement and `created`; returns its name, size and
/// SHA-256.
pub fn write(
    requests: &[Request],
    engagement: &EngagementInfo,
    created: NaiveDateTime,
    out: &Path,
    force: bool,
) -> Result<ExportedFile, Error> {
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        return Err(Error::invalid(format!("{}: the request list is written as an .xlsx workbook", out.display())));
    }
    if requests.is_empty() {
        return Err(Error::invalid("there are no requests to send: draw the samples first, or name a control"));
    }
    let bytes = workbook(requests, engagement, created)
        .map_err(|e| Error::invalid(format!("the request list could not be assembled: {e}")))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file = ExportedFile::new(&name, &bytes);
    super::place_file(bytes, out, force)?;
    Ok(file)
}

fn workbook(requests: &[Request], e: &EngagementInfo, created: NaiveDateTime) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let when = ExcelDateTime::from_ymd(created.year() as u16, created.month() as u8, created.day() as u8)?.and_hms(
        created.hour() as u16,
        created.minute() as u8,
        created.second(),
    )?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Requests for {}", e.client))
            .set_company(&e.firm)
            .set_creation_datetime(&when),
    );
    let ws = book.add_worksheet();
    ws.set_name("Requests")?;
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new().set_bold().set_background_color("D9E2F3").set_border(FormatBorder::Thin).set_text_wrap();
    let cell =
        Format::new().set_text_wrap().set_border(FormatBorder::Thin).set_align(rust_xlsxwriter::FormatAlign::Top);
    ws.write_string_with_format(0, 0, format!("Evidence requested from {}", e.client), &title)?;
    ws.write_string(
        1,
        0,
        format!(
            "{} for {}..{}, requested by {}. Name each file you return after its request ID, e.g. \"{} approval.png\".",
            e.report.words(),
            e.period.start,
            e.period.end,
            if e.firm.is_empty() { "the service auditor" } else { &e.firm },
            requests[0].code
        ),
    )?;
    for (i, (name, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *width)?;
        ws.write_string_with_format(3, i as u16, *name, &head)?;
    }
    for (n, r) in requests.iter().enumerate() {
        let row = 4 + n as u32;
        let note = match (&r.reason, r.overdue_days) {
            (Some(reason), _) => format!("Rejected: {reason}"),
            (None, d) if d > 0 => format!("{d} day(s) overdue"),
            _ => String::new(),
        };
        let values = [
            r.code.clone(),
            r.control.clone(),
            r.key.clone().unwrap_or_else(|| "(the control)".into()),
            r.date.map(|d| d.to_string()).unwrap_or_default(),
            r.details.clone(),
            r.asked.clone(),
            r.due.to_string(),
            r.status.as_str().to_string(),
            note,
        ];
        for (col, v) in values.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, v, &cell)?;
        }
    }
    ws.set_freeze_panes(4, 1)?;
    ws.autofilter(3, 0, 3 + requests.len() as u32, COLUMNS.len() as u16 - 1)?;
    book.save_to_buffer()
}
