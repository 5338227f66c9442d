//! The text form of an extraction, written and read: the shape
//! `sopncheck extract` prints ([`write`]) and `sopncheck scan` reads back
//! from `.txt` files ([`extract`]): one
//! table row per line, cells separated by ` | `, a wrapped cell's lines
//! joined by ` / `, hidden cells as `[covered: ...]`, `--- page N ---`
//! markers, side layers as `[xmp] key: text` and earlier revisions after
//! `--- earlier revision N (B bytes) ---`.
//!
//! So the text of a notice can be scanned without its PDF (pasted from an
//! email, kept by an earlier run), and the detection benchmark can give
//! sopncheck and `rg` the same text files. Any other text file reads as
//! rows of cells too: a line without ` | ` is a one-cell row. Never fails;
//! invalid UTF-8 is replaced.

use std::io::{self, Write};
use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::grid::{self, Block, BlockKind, GridCell};
use crate::model::{Extraction, Line, Revision, SideLayer, SideText, SourceFormat, Visibility};

const SIDE_LAYERS: [(&str, SideLayer); 5] = [
    ("info", SideLayer::Info),
    ("xmp", SideLayer::Xmp),
    ("annotation", SideLayer::Annotation),
    ("form_field", SideLayer::FormField),
    ("html_meta", SideLayer::HtmlMeta),
];

const HIDDEN: [(&str, Visibility); 4] = [
    ("invisible", Visibility::Invisible),
    ("white", Visibility::White),
    ("covered", Visibility::Covered),
    ("outside", Visibility::Outside),
];

/// Writes `lines` (the extraction's lines or rows), then its side layers
/// and earlier revisions, in the form [`extract`] reads.
pub fn write(out: &mut impl Write, extraction: &Extraction, lines: &[Line]) -> io::Result<()> {
    write_lines(out, lines)?;
    for side in &extraction.side_texts {
        let page = side.page.map(|p| format!(" p{p}")).unwrap_or_default();
        let layer = SIDE_LAYERS
            .iter()
            .find(|(_, layer)| *layer == side.layer)
            .map_or("side", |(name, _)| name);
        writeln!(
            out,
            "[{layer}{page}] {}: {}",
            one_line(&side.key),
            one_line(&side.text)
        )?;
    }
    for revision in &extraction.prior_revisions {
        writeln!(
            out,
            "--- earlier revision {} ({} bytes) ---",
            revision.number, revision.byte_len
        )?;
        write_lines(out, &revision.rows)?;
    }
    Ok(())
}

fn write_lines(out: &mut impl Write, lines: &[Line]) -> io::Result<()> {
    let mut page = 0;
    for line in lines {
        if line.page != page {
            page = line.page;
            writeln!(out, "--- page {page} ---")?;
        }
        let cells: Vec<String> = line
            .cells
            .iter()
            .map(|cell| match cell.visibility {
                Visibility::Visible => one_line(&cell.text),
                hidden => format!("[{}: {}]", hidden.as_str(), one_line(&cell.text)),
            })
            .collect();
        writeln!(out, "{}", cells.join(" | "))?;
    }
    Ok(())
}

/// Newlines inside a merged cell shown as ` / `, as notices print them;
/// other control characters as visible escapes, so that printing a
/// hostile document cannot drive the terminal.
fn one_line(text: &str) -> String {
    crate::printable::printable_line(&text.replace('\n', " / ")).into_owned()
}

/// Reads a text notice. A row of several cells is a table row (rows of
/// several cells in a row on one page are one table), a row of one cell a
/// paragraph; [`grid`] lays them out as lines and rules.
pub fn extract(bytes: &[u8]) -> Extraction {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // The current revision's blocks, then each earlier revision's.
    let mut revisions: Vec<(u32, u64, Vec<Block>)> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut side_texts = Vec::new();
    let mut page = 1;
    let mut pages = 1;
    let mut tables = 0usize;
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() || (line.starts_with("==> ") && line.ends_with(" <==")) {
            continue;
        }
        if let Some(number) = marker(line, "--- page ") {
            page = number.parse().unwrap_or(page);
            pages = pages.max(page);
            continue;
        }
        if let Some(rest) = marker(line, "--- earlier revision ") {
            let mut words = rest.split_whitespace();
            let number = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let byte_len = words
                .next()
                .and_then(|n| n.trim_start_matches('(').parse().ok())
                .unwrap_or(0);
            revisions.push((number, byte_len, Vec::new()));
            page = 1;
            continue;
        }
        if let Some(side) = side_text(line) {
            side_texts.push(side);
            continue;
        }
        let cells: Vec<GridCell> = split_on(line, &CELL_SEPARATOR)
            .enumerate()
            .map(|(column, text)| cell(column, text))
            .collect();
        let target = match revisions.last_mut() {
            Some((_, _, earlier)) => earlier,
            None => &mut blocks,
        };
        let kind = if cells.len() < 2 {
            BlockKind::Paragraph
        } else {
            let continues = target.last().is_some_and(|last| {
                last.page == page && matches!(last.kind, BlockKind::TableRow { .. })
            });
            if !continues {
                tables += 1;
            }
            BlockKind::TableRow { table: tables }
        };
        target.push(Block { page, kind, cells });
    }
    let grid = grid::lay_out(&blocks);
    let prior_revisions = revisions
        .into_iter()
        .map(|(number, byte_len, blocks)| {
            let grid = grid::lay_out(&blocks);
            Revision {
                number,
                byte_len,
                lines: grid.lines,
                rules: grid.rules,
                rows: grid.rows,
            }
        })
        .collect();
    Extraction {
        format: SourceFormat::Text,
        pages,
        runs: Vec::new(),
        lines: grid.lines,
        rules: grid.rules,
        rows: grid.rows,
        ocr_pages: Vec::new(),
        side_texts,
        prior_revisions,
        producer: None,
    }
}

/// The text between `prefix` and a closing ` ---`.
fn marker<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?.strip_suffix(" ---")
}

fn cell(column: usize, text: &str) -> GridCell {
    let (visibility, text) = HIDDEN
        .iter()
        .find_map(|(name, visibility)| {
            text.strip_prefix('[')?
                .strip_prefix(name)?
                .strip_prefix(": ")?
                .strip_suffix(']')
                .map(|inner| (*visibility, inner))
        })
        .unwrap_or((Visibility::Visible, text));
    GridCell {
        column,
        span: 1,
        text: join_wrapped(text.trim()),
        visibility,
    }
}

/// The separator between a row's cells, as a searcher built once.
static CELL_SEPARATOR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" | "));

/// The separator between the lines of a wrapped cell, built once.
static LINE_SEPARATOR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" / "));

/// The pieces of `text` between non-overlapping `separator`s, left to
/// right, as [`str::split`] gives them.
fn split_on<'t>(text: &'t str, separator: &'t Finder<'static>) -> impl Iterator<Item = &'t str> {
    let width = separator.needle().len();
    let mut starts = separator
        .find_iter(text.as_bytes())
        .map(move |at| (at, at + width))
        .chain([(text.len(), text.len())]);
    let mut from = 0;
    std::iter::from_fn(move || {
        let (end, next) = starts.next()?;
        // Both ends sit next to the ASCII separator or at an end of the
        // text: character boundaries.
        let piece = text.get(from..end).unwrap_or_default();
        from = next;
        Some(piece)
    })
}

/// A merged cell's text with each ` / ` as the line break it stands for.
fn join_wrapped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in split_on(text, &LINE_SEPARATOR).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// `[layer]` or `[layer pN]`, then `key: text`.
fn side_text(line: &str) -> Option<SideText> {
    let (tag, rest) = line.strip_prefix('[')?.split_once("] ")?;
    let (name, page) = match tag.split_once(" p") {
        Some((name, page)) => (name, Some(page.parse().ok()?)),
        None => (tag, None),
    };
    let layer = SIDE_LAYERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, layer)| *layer)?;
    let (key, text) = rest.split_once(": ")?;
    Some(SideText {
        layer,
        page,
        key: key.to_owned(),
        text: join_wrapped(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICE: &str = "==> notice.pdf <==\n\
        --- page 1 ---\n\
        STATEMENT OF PERSONS NOMINATED\n\
        QUILLAN / Tobias | 14 Quenby Road / Northbury / NB4 7QT | Independent\n\
        --- page 2 ---\n\
        VARNEY / Siân | [covered: 3 Orchard Row, NB2 1AB] | Green Party\n\
        [xmp] dc:description: Home address 3 Orchard Row\n\
        [annotation p2] Contents: check / this\n\
        --- earlier revision 1 (5120 bytes) ---\n\
        --- page 1 ---\n\
        VARNEY / Siân | 3 Orchard Row, NB2 1AB\n";

    #[test]
    fn reads_what_extract_rows_prints() {
        let extraction = extract(NOTICE.as_bytes());
        assert_eq!(extraction.pages, 2);
        assert_eq!(extraction.rows.len(), 3);
        let quillan = &extraction.rows[1];
        assert_eq!(quillan.page, 1);
        assert_eq!(quillan.cells[0].text, "QUILLAN\nTobias");
        assert_eq!(quillan.cells[1].text, "14 Quenby Road\nNorthbury\nNB4 7QT");
        let varney = &extraction.rows[2];
        assert_eq!(varney.page, 2);
        assert_eq!(varney.cells[1].visibility, Visibility::Covered);
        assert_eq!(varney.cells[1].text, "3 Orchard Row, NB2 1AB");
        assert_eq!(extraction.side_texts.len(), 2);
        assert_eq!(extraction.side_texts[0].layer, SideLayer::Xmp);
        assert_eq!(extraction.side_texts[0].key, "dc:description");
        assert_eq!(extraction.side_texts[1].page, Some(2));
        assert_eq!(extraction.side_texts[1].text, "check\nthis");
        assert_eq!(extraction.prior_revisions.len(), 1);
        assert_eq!(extraction.prior_revisions[0].byte_len, 5120);
        assert_eq!(extraction.prior_revisions[0].rows.len(), 1);
        assert!(extraction.has_text_layer());
    }

    #[test]
    fn writing_and_reading_back_round_trips() {
        let extraction = extract(NOTICE.as_bytes());
        let mut written = Vec::new();
        write(&mut written, &extraction, &extraction.rows).expect("write");
        let again = extract(&written);
        assert_eq!(again.rows.len(), extraction.rows.len());
        for (a, b) in again.rows.iter().zip(&extraction.rows) {
            assert_eq!((a.page, &a.cells), (b.page, &b.cells));
        }
        assert_eq!(again.side_texts, extraction.side_texts);
        assert_eq!(again.prior_revisions.len(), 1);
    }

    #[test]
    fn splits_like_str_split() {
        for text in ["", "a", "a | b", " | ", "a |  | b | ", "x | | y", "é | ü"] {
            let ours: Vec<&str> = split_on(text, &CELL_SEPARATOR).collect();
            let std: Vec<&str> = text.split(" | ").collect();
            assert_eq!(ours, std, "{text:?}");
        }
        assert_eq!(
            join_wrapped("a / / b / "),
            "a / / b / ".replace(" / ", "\n")
        );
    }

    #[test]
    fn any_text_is_rows_and_bad_bytes_do_not_fail() {
        let extraction = extract(b"plain words\n[not a layer] x: y\n\xff\xfe garbage | two\n");
        assert_eq!(extraction.rows.len(), 3);
        assert_eq!(extraction.rows[2].cells.len(), 2);
        assert!(extraction.side_texts.is_empty());
    }
}
