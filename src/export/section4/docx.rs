//! Section 4 as a Word document (docx-rs): a title page, then one page or more per criterion
//! series, each criterion a heading and a table in the "Section 4 table" style whose header
//! row repeats on every page. Client text goes into text runs, which the crate escapes.
//!
//! Deterministic: the package is re-written entry by entry with the export time as every
//! entry's time, and docProps carry the export time, never the clock.

use std::io::{Cursor, Read, Write};

use chrono::{Datelike, NaiveDateTime, Timelike};
use docx_rs::{
    AlignmentType, Docx, Footer, Header, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading,
    Style, StyleType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellMargins,
    TableLayoutType, TableRow, WidthType,
};

use super::{COLUMNS, RESPONSE_LABEL, Row, Section4};
use crate::Error;

/// US Letter, portrait, in twentieths of a point; margins of 0.75 inch.
const PAGE_WIDTH: u32 = 12_240;
const PAGE_HEIGHT: u32 = 15_840;
const MARGIN: i32 = 1_080;
/// The four columns, adding up to the width between the margins (10,080).
const WIDTHS: [usize; 4] = [1_500, 2_880, 3_200, 2_500];
const TABLE_STYLE: &str = "Section4Table";
const HEADER_FILL: &str = "D9E1F2";
const BORDER: &str = "8E96A8";
const DRAFT_RED: &str = "C00000";

pub(super) fn document(s: &Section4, exported_at: NaiveDateTime) -> Result<Vec<u8>, Error> {
    let when = exported_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut doc = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(540).footer(540))
        .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri"))
        .default_size(19)
        .created_at(&when)
        .updated_at(&when)
        .add_style(paragraph_style("S4Title", "Section 4 title", 40, true).outline_lvl(0))
        .add_style(paragraph_style("S4Heading1", "Section 4 heading 1", 28, true).outline_lvl(0))
        .add_style(paragraph_style("S4Heading2", "Section 4 heading 2", 22, true).outline_lvl(1))
        .add_style(table_style())
        .header(header(s))
        .footer(footer(s));

    doc = title_page(doc, s);
    for group in &s.groups {
        // Each series starts a page: the title page ends where the first group begins.
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("S4Heading1")
                .page_break_before(true)
                .keep_next(true)
                .add_run(Run::new().add_text(&group.title)),
        );
        for c in &group.criteria {
            let heading = if c.id.is_empty() { c.title.clone() } else { format!("{} {}", c.id, c.title) };
            doc = doc
                .add_paragraph(
                    Paragraph::new().style("S4Heading2").keep_next(true).add_run(Run::new().add_text(heading)),
                )
                .add_table(table(&c.rows))
                .add_paragraph(Paragraph::new());
        }
    }

    let mut packed = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(|e| Error::invalid(format!("the Word document could not be assembled: {e}")))?;
    let repacked = repack(&packed.into_inner(), exported_at)?;
    Ok(repacked)
}

fn paragraph_style(id: &str, name: &str, half_points: usize, bold: bool) -> Style {
    let style = Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .size(half_points)
        .color("1F2A44")
        .line_spacing(LineSpacing::new().before(160).after(100));
    if bold { style.bold() } else { style }
}

/// The table style every Section 4 table uses: thin grey grid, cell padding, top-aligned.
fn table_style() -> Style {
    let border = |p| TableBorder::new(p).size(4).color(BORDER);
    Style::new(TABLE_STYLE, StyleType::Table)
        .name("Section 4 table")
        .set_borders(
            TableBorders::with_empty()
                .set(border(TableBorderPosition::Top))
                .set(border(TableBorderPosition::Left))
                .set(border(TableBorderPosition::Bottom))
                .set(border(TableBorderPosition::Right))
                .set(border(TableBorderPosition::InsideH))
                .set(border(TableBorderPosition::InsideV)),
        )
        .margins(TableCellMargins::new().margin(60, 100, 60, 100))
}

fn header(s: &Section4) -> Header {
    let mut h = Header::new();
    if s.draft {
        h = h.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text("DRAFT").bold().size(32).color(DRAFT_RED).character_spacing(60)),
        );
    }
    h.add_paragraph(
        Paragraph::new().align(AlignmentType::Right).add_run(
            Run::new()
                .add_text(format!("{}: Section 4, Tests of controls and results of tests", s.client))
                .size(16)
                .color("5A6270"),
        ),
    )
}

fn footer(s: &Section4) -> Footer {
    let mut p = Paragraph::new().align(AlignmentType::Right);
    if s.draft {
        p = p.add_run(Run::new().add_text("DRAFT, not for issue. ").bold().size(16).color(DRAFT_RED));
    }
    Footer::new().add_paragraph(
        p.add_run(Run::new().add_text("Page ").size(16).color("5A6270"))
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(" of ").size(16).color("5A6270"))
            .add_num_pages(NumPages::new()),
    )
}

fn title_page(doc: Docx, s: &Section4) -> Docx {
    let line = |text: &str| Paragraph::new().add_run(Run::new().add_text(text).size(24));
    let small = |text: &str| Paragraph::new().add_run(Run::new().add_text(text).size(16).color("5A6270"));
    let mut doc = doc;
    if s.draft {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("DRAFT").bold().size(56).color(DRAFT_RED).character_spacing(80)),
        );
    }
    doc = doc
        .add_paragraph(Paragraph::new().style("S4Title").add_run(Run::new().add_text("Section 4")))
        .add_paragraph(
            Paragraph::new().style("S4Heading1").add_run(Run::new().add_text("Tests of controls and results of tests")),
        )
        .add_paragraph(line(&s.client))
        .add_paragraph(line(&format!("{} report", s.report)))
        .add_paragraph(line(&s.period));
    if !s.firm.trim().is_empty() {
        doc = doc.add_paragraph(line(&format!("Service auditor: {}", s.firm)));
    }
    doc.add_paragraph(Paragraph::new()).add_paragraph(small(&s.trail)).add_paragraph(small(&s.exported))
}

fn table(rows: &[Row]) -> Table {
    let header_cells = COLUMNS
        .iter()
        .zip(WIDTHS)
        .map(|(title, w)| {
            TableCell::new()
                .width(w, WidthType::Dxa)
                .shading(Shading::new().fill(HEADER_FILL))
                .add_paragraph(Paragraph::new().keep_next(true).add_run(Run::new().add_text(*title).bold()))
        })
        .collect();
    // No row splits across pages (a control's row reads as one); `repack` marks each table's
    // first row as the repeating header (tblHeader), which docx-rs does not write.
    let mut all = vec![TableRow::new(header_cells).cant_split()];
    for r in rows {
        let cell = |w: usize, lines: &[String]| {
            lines.iter().fold(TableCell::new().width(w, WidthType::Dxa), |c, l| {
                let p = Paragraph::new().line_spacing(LineSpacing::new().after(80));
                // The response reads apart from the auditor's result: its label is bold.
                let p = match l.strip_prefix(RESPONSE_LABEL) {
                    Some(rest) => {
                        p.add_run(Run::new().add_text(RESPONSE_LABEL).bold()).add_run(Run::new().add_text(rest))
                    }
                    None => p.add_run(Run::new().add_text(l)),
                };
                c.add_paragraph(p)
            })
        };
        all.push(
            TableRow::new(vec![
                cell(WIDTHS[0], std::slice::from_ref(&r.control)),
                cell(WIDTHS[1], std::slice::from_ref(&r.activity)),
                cell(WIDTHS[2], &r.tests),
                cell(WIDTHS[3], &r.results),
            ])
            .cant_split(),
        );
    }
    Table::without_borders(all)
        .style(TABLE_STYLE)
        .set_grid(WIDTHS.to_vec())
        .width(WIDTHS.iter().sum(), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// What docx-rs writes for a table and for a row that cannot split (every row here), and
/// what a table's first row gets. Client text cannot fake either: it is escaped in `w:t`.
const TABLE: &str = "<w:tbl>";
const CANT_SPLIT: &str = "<w:cantSplit />";
const REPEATING_HEADER: &str = "<w:cantSplit /><w:tblHeader />";

/// Marks the first row of every table (tables are not nested here) as its header row.
fn mark_header_rows(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest = xml;
    while let Some(at) = rest.find(TABLE) {
        let (before, table) = rest.split_at(at + TABLE.len());
        out.push_str(before);
        match table.find(CANT_SPLIT) {
            Some(row) => {
                out.push_str(&table[..row]);
                out.push_str(REPEATING_HEADER);
                rest = &table[row + CANT_SPLIT.len()..];
            }
            None => rest = table,
        }
    }
    out.push_str(rest);
    out
}

/// Re-writes the package docx-rs made: the same entries in the same order, each with the
/// export time (so no clock reaches the bytes), and the header rows marked to repeat.
fn repack(package: &[u8], at: NaiveDateTime) -> Result<Vec<u8>, Error> {
    let broken = |e: &dyn std::fmt::Display| Error::invalid(format!("the Word document could not be assembled: {e}"));
    let time = zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980).clamp(1980, 2107),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .map_err(|e| broken(&e))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    let mut archive = zip::ZipArchive::new(Cursor::new(package)).map_err(|e| broken(&e))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| broken(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| broken(&e))?.to_string();
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).map_err(|e| broken(&e))?;
        if name == "word/document.xml" {
            let text = String::from_utf8(bytes).map_err(|e| broken(&e))?;
            bytes = mark_header_rows(&text).into_bytes();
        }
        out.start_file(name, options).map_err(|e| broken(&e))?;
        out.write_all(&bytes).map_err(|e| broken(&e))?;
    }
    Ok(out.finish().map_err(|e| broken(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_row_of_each_table_repeats() {
        let row = "<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>";
        let xml = format!("<w:p/><w:tbl>{row}{row}</w:tbl><w:tbl>{row}</w:tbl>");
        let header = "<w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr></w:tr>";
        assert_eq!(mark_header_rows(&xml), format!("<w:p/><w:tbl>{header}{row}</w:tbl><w:tbl>{header}</w:tbl>"));
    }
}
