//! Escaping of what a client or an auditor typed, at the two places an export could otherwise
//! run it: a CSV cell read by a spreadsheet (a formula) and the HTML page (markup).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a CSV cell as a formula (OWASP "CSV Injection"):
/// `=`, `+`, `-` and `@` start a formula; a leading tab or carriage return can hide one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text value as it must appear in a CSV cell: prefixed with a single quote when it begins
/// like a formula, unchanged otherwise. The quote is visible to the reader of the file, which
/// is the point: the cell shows what was typed and never runs.
///
/// Only text goes through here. Numbers the export itself produces (sizes, positions, amounts)
/// are written as numbers, so a negative amount stays `-125.00`.
pub fn escape_csv_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// Text as HTML character data or a quoted attribute value. Control characters other than tab
/// and line ends have no place in an HTML document and become U+FFFD.
pub(crate) fn escape_html(text: &str) -> Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_stray_control(c);
    if !text.contains(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_stray_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::{escape_csv_text, escape_html};

    #[test]
    fn html_escaping_neutralises_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"=1\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;=1&quot;"
        );
        assert_eq!(escape_html("nul\0bell\u{7}\ttab\nline"), "nul\u{FFFD}bell\u{FFFD}\ttab\nline");
        assert!(matches!(escape_html("Acme Cloud, Inc. ✓"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn every_formula_start_is_prefixed_with_a_quote() {
        for (text, escaped) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("=", "'="),
        ] {
            assert_eq!(escape_csv_text(text), escaped, "{text:?}");
        }
    }

    #[test]
    fn a_negative_number_typed_as_text_is_still_text_and_prefixed() {
        // A key or a comment that happens to look like a number came from a person: the
        // spreadsheet must show it as typed, not compute with it.
        assert_eq!(escape_csv_text("-125.00"), "'-125.00");
    }

    #[test]
    fn ordinary_text_is_left_alone_and_not_copied() {
        for text in ["ACME-1042", "", "Approved by J. Ortiz", " =1+1", "a=b", "'quoted", "✓", "N/A", "1+1"] {
            let escaped = escape_csv_text(text);
            assert!(matches!(escaped, std::borrow::Cow::Borrowed(_)), "{text:?} was copied");
            assert_eq!(escaped, text);
        }
    }

    #[test]
    fn only_the_first_character_decides() {
        assert_eq!(escape_csv_text("x=1"), "x=1");
        assert_eq!(escape_csv_text("\n=1"), "\n=1");
        assert_eq!(escape_csv_text("''=1"), "''=1");
    }
}
