//! The JSON report: DESIGN.md's `sopncheck-report/1` schema
//! (`src/report/report.schema.json`), pretty-printed. Reading it back is
//! [`Report::from_json`](super::Report::from_json).
//!
//! Every string is written as the document printed it, control characters
//! included, so a reader gets the text back exactly; none of them reaches
//! the output raw. JSON escapes C0 controls (`\u001b`); this writer escapes
//! DEL and the C1 controls the same way (a raw U+009B is a CSI to some
//! terminals), which JSON allows for any character.

use std::io::{self, BufWriter, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::Report;

/// Writes the report as pretty JSON followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_pretty(report, out)
}

/// Writes any value as pretty JSON followed by a newline (the SARIF log
/// too).
pub(super) fn write_pretty<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a token at a time: a buffer of a known type takes
    // them without a dynamic call each.
    let mut buffered = BufWriter::with_capacity(1 << 16, out);
    write_with(value, &mut buffered, PrettyFormatter::new())?;
    writeln!(buffered)?;
    buffered.flush()
}

/// Appends `value` as pretty JSON nested `depth` levels deep: as the
/// whole value's pretty JSON has it there, every line after the first
/// indented by `depth` more levels (no string holds a raw line break:
/// JSON escapes it). With no newline after it.
pub(super) fn write_nested<T: Serialize>(
    value: &T,
    depth: usize,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let mut alone = Vec::new();
    write_with(value, &mut alone, PrettyFormatter::new())?;
    let indent = INDENT.repeat(depth);
    for (i, line) in alone.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(indent.as_bytes());
        }
        out.extend_from_slice(line);
    }
    Ok(())
}

/// One level of the pretty JSON's indentation (serde_json's default).
const INDENT: &str = "  ";

/// Writes the pretty JSON of `frame`, a value holding arrays written as
/// `"KEY": []` (each at `depth` levels), with the items `fill(i, out)`
/// writes into the `i`th of them. `fill` writes each item with
/// [`ArrayItems::item`], already nested ([`write_nested`]) at `depth + 1`.
/// Any array is written as `[]` when empty, so a frame marks every array
/// to fill with the key; returns an error when the frame's arrays are not
/// `count`.
pub(super) fn write_framed<T: Serialize>(
    frame: &T,
    key: &str,
    depth: usize,
    count: usize,
    out: &mut dyn Write,
    mut fill: impl FnMut(usize, &mut ArrayItems<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let mut text = Vec::new();
    write_with(frame, &mut text, PrettyFormatter::new())?;
    let marker = format!("\"{key}\": []");
    let text = String::from_utf8(text).map_err(io::Error::other)?;
    let pieces: Vec<&str> = text.split(&marker).collect();
    if pieces.len() != count + 1 {
        return Err(io::Error::other(format!(
            "{} arrays {key:?} in the frame, not {count}",
            pieces.len() - 1
        )));
    }
    for (i, piece) in pieces.iter().enumerate() {
        out.write_all(piece.as_bytes())?;
        if i == count {
            break;
        }
        write!(out, "\"{key}\": [")?;
        let mut items = ArrayItems {
            out: &mut *out,
            indent: INDENT.repeat(depth + 1),
            first: true,
        };
        fill(i, &mut items)?;
        if !items.first {
            write!(out, "\n{}]", INDENT.repeat(depth))?;
        } else {
            out.write_all(b"]")?;
        }
    }
    writeln!(out)
}

/// The items of an array [`write_framed`] fills.
pub(super) struct ArrayItems<'w> {
    out: &'w mut dyn Write,
    indent: String,
    first: bool,
}

impl ArrayItems<'_> {
    /// Writes one item, `nested` as [`write_nested`] wrote it.
    pub(super) fn item(&mut self, nested: &[u8]) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        self.out.write_all(self.indent.as_bytes())?;
        self.out.write_all(nested)
    }
}

/// Writes any value as one line of JSON followed by a newline (JSON Lines).
pub fn write_line<T: Serialize>(value: &T, out: &mut impl Write) -> io::Result<()> {
    write_with(value, out, CompactFormatter)?;
    writeln!(out)
}

fn write_with<T: Serialize>(
    value: &T,
    out: &mut impl Write,
    formatter: impl Formatter,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, EscapeControls(formatter));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// A formatter that writes as `F` does, with DEL and C1 controls in
/// strings escaped as `\u00XX` (serde_json escapes C0 itself).
struct EscapeControls<F>(F);

impl<F: Formatter> Formatter for EscapeControls<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| c.is_control()) {
            let (plain, tail) = rest.split_at(at);
            let control = tail.chars().next().unwrap_or_default();
            writer.write_all(plain.as_bytes())?;
            write!(writer, "\\u{:04x}", u32::from(control))?;
            rest = &tail[control.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_is_escaped_and_reads_back() {
        let text = "a\u{1b}[2J\u{7}b\u{7f}c\u{9b}0m\u{85}é\n";
        let mut out = Vec::new();
        write_line(&serde_json::json!({ "k\u{9b}": [text] }), &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line,
            "{\"k\\u009b\":[\"a\\u001b[2J\\u0007b\\u007fc\\u009b0m\\u0085é\\n\"]}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["k\u{9b}"][0], text);
        let mut pretty = Vec::new();
        write_pretty(&[text], &mut pretty).unwrap();
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            "[\n  \"a\\u001b[2J\\u0007b\\u007fc\\u009b0m\\u0085é\\n\"\n]\n"
        );
    }
}
