//! Printable text: the one rule every text output applies to strings that
//! come from documents, file names and servers, so that none can drive a
//! terminal or a viewer (an ESC sequence that rewrites the screen, an OSC
//! sequence that sets a link or the window title, a BEL, a carriage return
//! that overwrites a line).
//!
//! Every control character (C0, DEL and C1) is replaced by a visible
//! escape in Rust's notation, `\u{1b}` for ESC; tab and newline are kept
//! where the output allows them ([`printable`]) and escaped where it is
//! one line ([`printable_line`]). The escape is plain ASCII, so it reads
//! the same in a terminal, a spreadsheet and a browser, and says which
//! character the document held.
//!
//! The text reports (CSV, Markdown, HTML, SARIF) are rendered from a copy
//! of the report model with [`printable`] applied to every string
//! (`Report::printable`), `extract` applies it to every line it prints and
//! the command line to every line it writes to standard error. JSON output
//! keeps the text faithful and escapes control characters by JSON's rules
//! instead (`report::json`).

use std::borrow::Cow;

/// `text` with each control character other than tab and newline written
/// as a visible escape.
///
/// ```
/// use sopncheck::printable::printable;
/// assert_eq!(printable("JONES\u{1b}]8;;http://x\u{7}Jo"), "JONES\\u{1b}]8;;http://x\\u{7}Jo");
/// assert_eq!(printable("two\nlines\tkept"), "two\nlines\tkept");
/// assert_eq!(printable("1 Any Road\r"), "1 Any Road\\u{d}");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_controls(text, |c| matches!(c, '\n' | '\t'))
}

/// `text` as one line: every control character escaped, newline and tab
/// included (for file names in log lines, terminal tables).
///
/// ```
/// use sopncheck::printable::printable_line;
/// assert_eq!(printable_line("evil\nsopncheck: wrote x"), "evil\\u{a}sopncheck: wrote x");
/// ```
pub fn printable_line(text: &str) -> Cow<'_, str> {
    escape_controls(text, |_| false)
}

fn escape_controls(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !keep(c);
    if !text.contains(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_and_delete_are_escaped_and_plain_text_is_borrowed() {
        assert_eq!(printable("a\u{9b}31mb\u{7f}"), "a\\u{9b}31mb\\u{7f}");
        assert!(matches!(printable("Plain text, é"), Cow::Borrowed(_)));
        assert_eq!(printable(&printable("\u{1b}")), "\\u{1b}", "idempotent");
    }
}
