//! Section 4 as one self-contained, printable HTML page: inline CSS, no script, no remote
//! asset; each criterion series starts a printed page and table headers repeat. A draft shows
//! "DRAFT" fixed on the screen and on every printed page.

use std::fmt::Write;

use super::super::escape::escape_html;
use super::{COLUMNS, RESPONSE_LABEL, Section4};

const STYLE: &str = "
@page { margin: 16mm 14mm; }
body { font: 10pt/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #111; margin: 24px auto; max-width: 1040px; padding: 0 16px; }
h1 { font-size: 20pt; margin: 0 0 .2em; }
h2 { font-size: 14pt; margin: 0 0 .6em; padding-bottom: .2em; border-bottom: 1.5px solid #445; }
h3 { font-size: 11pt; margin: 1.2em 0 .4em; }
p.small { color: #5a6270; font-size: 8.5pt; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1em; table-layout: fixed; }
th, td { border: 1px solid #8e96a8; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #d9e1f2; }
col.number { width: 15%; } col.activity { width: 28%; } col.tests { width: 32%; } col.results { width: 25%; }
td p { margin: 0 0 .4em; }
section.group { break-before: page; page-break-before: always; margin-top: 2em; }
.draft { position: fixed; top: 38%; left: 0; right: 0; text-align: center; font-size: 110pt; font-weight: 700; color: rgba(192, 0, 0, .13); transform: rotate(-30deg); pointer-events: none; z-index: 10; }
p.draft-line { color: #c00000; font-weight: 700; letter-spacing: .2em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
";

pub(super) fn page(s: &Section4) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let e = |t: &str| escape_html(t).into_owned();
    let title = format!("Section 4: {}", s.client);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(h, "<title>{}</title>", e(&title));
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    if s.draft {
        // Fixed: shown on the screen and repeated on every printed page.
        h.push_str("<div class=\"draft\" aria-hidden=\"true\">DRAFT</div>\n<p class=\"draft-line\">DRAFT</p>\n");
    }
    h.push_str("<header>\n<h1>Section 4</h1>\n<h2>Tests of controls and results of tests</h2>\n");
    for line in [&s.client, &format!("{} report", s.report), &s.period] {
        let _ = writeln!(h, "<p>{}</p>", e(line));
    }
    if !s.firm.trim().is_empty() {
        let _ = writeln!(h, "<p>Service auditor: {}</p>", e(&s.firm));
    }
    let _ = writeln!(h, "<p class=\"small\">{}</p>\n<p class=\"small\">{}</p>\n</header>", e(&s.trail), e(&s.exported));
    for g in &s.groups {
        let _ = writeln!(h, "<section class=\"group\" id=\"{}\">\n<h2>{}</h2>", e(&g.series), e(&g.title));
        for c in &g.criteria {
            let heading = if c.id.is_empty() { c.title.clone() } else { format!("{} {}", c.id, c.title) };
            let _ = writeln!(h, "<h3>{}</h3>", e(&heading));
            h.push_str("<table>\n<colgroup><col class=\"number\"><col class=\"activity\"><col class=\"tests\"><col class=\"results\"></colgroup>\n<thead><tr>");
            for t in COLUMNS {
                let _ = write!(h, "<th>{}</th>", e(t));
            }
            h.push_str("</tr></thead>\n<tbody>\n");
            for r in &c.rows {
                let paragraphs = |lines: &[String]| {
                    lines
                        .iter()
                        .map(|l| match l.strip_prefix(RESPONSE_LABEL) {
                            Some(rest) => format!("<p><strong>{}</strong>{}</p>", e(RESPONSE_LABEL), e(rest)),
                            None => format!("<p>{}</p>", e(l)),
                        })
                        .collect::<String>()
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e(&r.control),
                    e(&r.activity),
                    paragraphs(&r.tests),
                    paragraphs(&r.results)
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}
