//! Section 4 as one worksheet: the title lines, then one table of every criterion's controls
//! (criterion, control, activity, tests, results), its header repeated on every printed page.
//! Every text is written with `write_string`, so a client's `=HYPERLINK(…)` stays text.

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{COLUMNS, Section4};
use crate::Error;

pub(super) fn workbook(s: &Section4, created: NaiveDateTime) -> Result<Vec<u8>, Error> {
    let failed = |e: XlsxError| Error::invalid(format!("the Section 4 workbook could not be written: {e}"));
    let created = ExcelDateTime::from_ymd(
        u16::try_from(created.year()).map_err(|_| Error::invalid("the export time is before year 0"))?,
        created.month() as u8,
        created.day() as u8,
    )
    .and_then(|d| d.and_hms(created.hour() as u16, created.minute() as u8, created.second()))
    .map_err(failed)?;
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Section 4: {}", s.client))
            .set_company(&s.firm)
            .set_comment(&s.exported)
            .set_creation_datetime(&created),
    );
    let ws = book.add_worksheet();
    ws.set_name("Section 4").map_err(failed)?;

    let title = Format::new().set_bold().set_font_size(14);
    let draft = Format::new().set_bold().set_font_size(14).set_font_color(Color::RGB(0xC00000));
    let group = Format::new().set_bold().set_background_color(Color::RGB(0xEEF1F7));
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);

    let mut row: u32 = 0;
    if s.draft {
        ws.write_string_with_format(row, 0, "DRAFT", &draft).map_err(failed)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Section 4: Tests of controls and results of tests", &title).map_err(failed)?;
    row += 1;
    for line in [&s.client, &format!("{} report", s.report), &s.period, &s.trail, &s.exported] {
        ws.write_string(row, 0, line.as_str()).map_err(failed)?;
        row += 1;
    }
    row += 1;
    let header_row = row;
    let columns = ["Criterion", COLUMNS[0], COLUMNS[1], COLUMNS[2], COLUMNS[3]];
    for (c, t) in columns.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, *t, &header).map_err(failed)?;
    }
    for (c, w) in [24.0, 14.0, 48.0, 60.0, 44.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(failed)?;
    }
    row += 1;
    for g in &s.groups {
        ws.write_string_with_format(row, 0, &g.title, &group).map_err(failed)?;
        for c in 1..columns.len() as u16 {
            ws.write_blank(row, c, &group).map_err(failed)?;
        }
        row += 1;
        for c in &g.criteria {
            let criterion = if c.id.is_empty() { c.title.clone() } else { format!("{} {}", c.id, c.title) };
            for r in &c.rows {
                let cells = [&criterion, &r.control, &r.activity, &r.tests.join("\n"), &r.results.join("\n")];
                for (i, text) in cells.iter().enumerate() {
                    ws.write_string_with_format(row, i as u16, text.as_str(), &cell).map_err(failed)?;
                }
                row += 1;
            }
        }
    }
    ws.set_freeze_panes(header_row + 1, 0).map_err(failed)?;
    ws.set_repeat_rows(header_row, header_row).map_err(failed)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    if s.draft {
        ws.set_header("&C&\"Calibri,Bold\"&14&KC00000DRAFT");
        ws.set_footer("&LDRAFT, not for issue&RPage &P of &N");
    } else {
        ws.set_footer("&RPage &P of &N");
    }
    book.save_to_buffer().map_err(failed)
}
