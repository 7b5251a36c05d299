//! The printable page: one self-contained HTML document (inline CSS, no script, no external
//! asset) with the engagement and summary first, then one printed page or more per control.

use std::fmt::Write;

use super::escape::escape_html;
use super::sheets::{Cell, Kind, Layout, Preamble, Sheet};
use crate::engagement::workpaper::Workpaper;

/// Screen and print styles. `@page` leaves the paper size to the printer, so the same page
/// prints on A4 and on Letter; each control starts a new page and long tables repeat their
/// header row on every page.
const STYLE: &str = "
@page { margin: 14mm 12mm; }
body { font: 9.5pt/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #111; margin: 24px auto; max-width: 1120px; padding: 0 16px; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: 0 0 .6em; padding-bottom: .2em; border-bottom: 1.5px solid #445; }
h3 { font-size: 10.5pt; margin: 1.2em 0 .35em; }
table { border-collapse: collapse; width: 100%; margin: 0 0 .8em; }
th, td { border: 1px solid #b8bcc6; padding: 2px 5px; text-align: left; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; }
thead th { background: #d9e1f2; }
table.record { width: auto; min-width: 60%; }
table.record th { width: 15em; background: #f2f3f6; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 8.5pt; }
td.key, td.date { white-space: nowrap; }
p.none { color: #555; font-style: italic; margin: 0 0 .8em; }
section.control, section.engagement { break-before: page; page-break-before: always; margin-top: 2em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tr, table.record { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
";

pub(crate) fn page(wp: &Workpaper, sheets: &[Sheet]) -> String {
    let mut h = Html(String::with_capacity(64 * 1024));
    let title = format!("Workpaper: {}", wp.engagement.client);
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.element("title", &title);
    h.raw("<meta name=\"generator\" content=\"");
    h.text(&format!("Tickmark {}", wp.tickmark_version));
    h.raw("\">\n<style>");
    h.raw(STYLE);
    h.raw("</style>\n</head>\n<body>\n<header>\n");
    h.element("h1", &title);
    h.element("p", &format!("{}: {}", super::head::LABEL, super::head::cite(wp)));
    h.raw("</header>\n");

    for sheet in sheets.iter().filter(|s| s.layout == Layout::Overview) {
        h.raw("<section class=\"overview\">\n");
        if let Some(p) = &sheet.preamble {
            h.preamble(p);
        }
        h.element("h3", sheet.title);
        h.table(sheet, &(0..sheet.columns.len()).collect::<Vec<_>>(), sheet.rows.iter().map(|r| &r.cells[..]));
        h.raw("</section>\n");
    }
    for (i, cw) in wp.controls.iter().enumerate() {
        h.raw(&format!("<section class=\"control\" id=\"control-{}\">\n", i + 1));
        h.element("h2", &format!("{}: {}", cw.control.code, cw.control.description));
        for sheet in sheets.iter().filter(|s| matches!(s.layout, Layout::ControlRecords | Layout::ControlTable)) {
            h.control_part(wp, sheet, i);
        }
        h.raw("</section>\n");
    }
    // Interviews and the trail share the last page(s) after the controls.
    h.raw("<section class=\"engagement\">\n");
    for sheet in sheets.iter().filter(|s| s.layout == Layout::EngagementRecords) {
        h.element("h2", sheet.title);
        if sheet.rows.is_empty() {
            h.none("None recorded.");
        }
        h.records(sheet, sheet.rows.iter().map(|r| &r.cells[..]), 0);
    }
    h.raw("</section>\n");
    h.raw("</body>\n</html>\n");
    h.0
}

/// The page being written. Everything that is not markup goes through `text`.
struct Html(String);

impl Html {
    fn raw(&mut self, markup: &str) {
        self.0.push_str(markup);
    }

    fn text(&mut self, text: &str) {
        self.0.push_str(&escape_html(text));
    }

    fn element(&mut self, tag: &str, text: &str) {
        let _ = writeln!(self.0, "<{tag}>{}</{tag}>", escape_html(text));
    }

    fn none(&mut self, what: &str) {
        let _ = writeln!(self.0, "<p class=\"none\">{}</p>", escape_html(what));
    }

    fn cell(&mut self, cell: &Cell, kind: Kind) {
        /// Keys and seeds this short are never broken across lines; hashes may be.
        const UNBROKEN: usize = 24;
        let class = match (cell, kind) {
            (Cell::Count(_) | Cell::Amount(_) | Cell::Rate { .. }, _) => " class=\"number\"",
            (Cell::Date(_), _) => " class=\"date\"",
            (_, Kind::Code) if cell.display().chars().count() <= UNBROKEN => " class=\"code key\"",
            (_, Kind::Code) => " class=\"code\"",
            _ => "",
        };
        let _ = write!(self.0, "<td{class}>{}</td>", escape_html(&cell.display()));
    }

    fn preamble(&mut self, p: &Preamble) {
        self.element("h3", p.title);
        self.raw("<table class=\"record\">\n");
        for (label, value) in &p.lines {
            self.raw("<tr><th>");
            self.text(label);
            self.raw("</th>");
            self.cell(value, Kind::Short);
            self.raw("</tr>\n");
        }
        self.raw("</table>\n");
    }

    /// One control's rows of a per-control sheet, without the control column.
    fn control_part(&mut self, wp: &Workpaper, sheet: &Sheet, control: usize) {
        let rows: Vec<&[Cell]> =
            sheet.rows.iter().filter(|r| r.control == Some(control)).map(|r| &r.cells[..]).collect();
        self.element("h3", sheet.title);
        if rows.is_empty() {
            self.none("None recorded.");
            return;
        }
        if let Some(p) = &sheet.preamble {
            self.preamble(p);
        }
        match sheet.layout {
            Layout::ControlTable => {
                let labels = &wp.controls[control].control.attributes;
                // The control column is the section's heading; columns that say nothing for this
                // control are left out, except its own attributes before any result is recorded.
                let shown: Vec<usize> = (1..sheet.columns.len())
                    .filter(|&c| {
                        let column = &sheet.columns[c];
                        rows.iter().any(|r| r[c] != Cell::Empty)
                            || (column.attribute && labels.iter().any(|a| a.label == column.title))
                    })
                    .collect();
                self.table(sheet, &shown, rows.into_iter());
            }
            _ => self.records(sheet, rows.into_iter(), 1),
        }
    }

    /// A table of the sheet's columns at `columns`. An item's own fields are many and vary by
    /// population: on paper they read as one "Item fields" cell of "Column: value" lines.
    fn table<'a>(&mut self, sheet: &Sheet, columns: &[usize], rows: impl Iterator<Item = &'a [Cell]>) {
        let (fields, plain): (Vec<usize>, Vec<usize>) = columns.iter().partition(|&&c| sheet.columns[c].field);
        self.raw("<table>\n<thead><tr>");
        for &c in &plain {
            self.raw("<th>");
            self.text(&sheet.columns[c].title);
            self.raw("</th>");
        }
        if !fields.is_empty() {
            self.raw("<th>Item fields</th>");
        }
        self.raw("</tr></thead>\n<tbody>\n");
        for row in rows {
            self.raw("<tr>");
            for &c in &plain {
                self.cell(&row[c], sheet.columns[c].kind);
            }
            if !fields.is_empty() {
                let lines: Vec<String> = fields
                    .iter()
                    .filter(|&&c| row[c] != Cell::Empty)
                    .map(|&c| {
                        let name = sheet.columns[c].title.trim_start_matches("Field: ");
                        format!("{name}: {}", row[c].display())
                    })
                    .collect();
                self.cell(&Cell::text(lines.join("\n")), Kind::Prose);
            }
            self.raw("</tr>\n");
        }
        self.raw("</tbody>\n</table>\n");
    }

    /// Each row as a label–value table; `skip` columns at the front are not shown (the control).
    fn records<'a>(&mut self, sheet: &Sheet, rows: impl Iterator<Item = &'a [Cell]>, skip: usize) {
        for row in rows {
            self.raw("<table class=\"record\">\n");
            for (column, cell) in sheet.columns.iter().zip(row).skip(skip) {
                self.raw("<tr><th>");
                self.text(&column.title);
                self.raw("</th>");
                self.cell(cell, column.kind);
                self.raw("</tr>\n");
            }
            self.raw("</table>\n");
        }
    }
}
