//! The trail head a workpaper cites ("Trail head: <hash> (event N)"), written into every format
//! and read back from any of them, so `verify --workpaper` can tell whether the engagement file
//! still holds the event the workpaper was exported from.

use std::path::Path;

use calamine::{Reader, Xlsx};

use crate::engagement::workpaper::Workpaper;
use crate::{Error, Result};

/// The label before the cited head, in every format.
pub const LABEL: &str = "Trail head";

/// `<hash> (event N)`.
pub(crate) fn cite(wp: &Workpaper) -> String {
    format!("{} (event {})", wp.trail_head, wp.trail_events.max(0))
}

/// The head a workpaper export cites: an xlsx or html file, or a CSV folder (or its
/// `engagement.csv`). Returns the hash and the event number.
pub fn read(path: &Path) -> Result<(String, i64)> {
    let shown = path.display();
    let text = if path.is_dir() {
        read_text(&path.join("engagement.csv"))?
    } else {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx") => xlsx_text(path)?,
            Some("csv" | "html" | "htm") => read_text(path)?,
            _ => {
                return Err(Error::invalid(format!(
                    "{shown}: a workpaper is an .xlsx or .html file or a folder of CSV files"
                )));
            }
        }
    };
    find(&text).ok_or_else(|| {
        Error::invalid(format!("{shown}: no \"{LABEL}: <hash> (event N)\" found; is it a Tickmark workpaper export?"))
    })
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("{}: the workpaper could not be read ({e})", path.display())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Every cell of every sheet, a row to a line and cells apart by tabs.
fn xlsx_text(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    let open = || {
        std::fs::File::open(path).map_err(|e| Error::invalid(format!("{name}: the workpaper could not be read ({e})")))
    };
    // The same checks as an imported workbook's, before calamine unpacks anything.
    crate::import::check_xlsx_package(&name, open()?)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::BufReader::new(open()?))
        .map_err(|e| Error::invalid(format!("{name}: the workbook cannot be read ({e})")))?;
    let mut text = String::new();
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).map_err(|e| Error::invalid(format!("{name}, sheet {sheet}: {e}")))?;
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            text += &cells.join("\t");
            text.push('\n');
        }
    }
    Ok(text)
}

/// The first 64-hex-digit hash after the label, and the event number cited after it.
fn find(text: &str) -> Option<(String, i64)> {
    let mut rest = text;
    while let Some(at) = rest.find(LABEL) {
        rest = &rest[at + LABEL.len()..];
        let window = &rest[..rest.char_indices().nth(400).map_or(rest.len(), |(at, _)| at)];
        let bytes = window.as_bytes();
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        let mut i = 0;
        while i + 64 <= bytes.len() {
            let run = bytes[i..].iter().take_while(|b| hex(**b)).count();
            if run == 64 && (i == 0 || !hex(bytes[i - 1])) {
                let after = &window[i + 64..];
                let event = after
                    .strip_prefix(" (event ")
                    .and_then(|a| a.split(')').next())
                    .and_then(|n| n.trim().parse().ok())?;
                return Some((window[i..i + 64].to_string(), event));
            }
            i += run.max(1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_found_in_a_csv_line_an_html_paragraph_and_a_tab_separated_row() {
        let h = "a".repeat(63) + "0";
        for text in [
            format!("\u{FEFF}Field,Value\r\nTrail head,{h} (event 41)\r\n"),
            format!("<header><h1>Workpaper</h1>\n<p>Trail head: {h} (event 41)</p>"),
            format!("Field\tValue\nTrail head\t{h} (event 41)\n"),
        ] {
            assert_eq!(find(&text), Some((h.clone(), 41)), "{text}");
        }
        assert_eq!(find("Trail head: abc (event 3)"), None);
        assert_eq!(find(&format!("Trail head: {} {h} (event 3)", "é".repeat(500))), None, "cut on a character");
        assert_eq!(find(&format!("Audit-trail head (SHA-256),{h}")), None);
    }
}
