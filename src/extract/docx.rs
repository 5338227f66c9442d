//! Word (`.docx`) notices: a zip of XML parts (ECMA-376). Some councils
//! publish the statement of persons nominated as the Word file it was
//! typed in, which carries more than the page shows.
//!
//! Input: the file's bytes. Output: an [`Extraction`] whose rows are the
//! document's table rows (one cell per `w:tc`, its paragraphs joined by
//! `\n`, at its grid column, `w:gridSpan` honoured) and paragraphs
//! (one-cell rows), in document order, laid out as lines and rules by
//! [`grid`], on the pages Word last rendered them on; text Word
//! hides (`w:vanish`) and tracked deletions (`w:delText`), which a reader
//! does not see but anyone can reveal, as [`Visibility::Invisible`] cells;
//! core properties (`docProps/core.xml`: creator, title, subject,
//! description, keywords) as [`SideLayer::Info`] and comments
//! (`word/comments.xml`) as [`SideLayer::Annotation`].
//!
//! Refuses: archives without `word/document.xml`; parts whose declared or
//! actual decompressed size passes [`MAX_PART_BYTES`] (a zip bomb stops at
//! the cap); more than [`MAX_CELLS`] cells. Never panics on bad input.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::ExtractError;
use super::grid::{self, Block, BlockKind, GridCell};
use crate::model::{Extraction, SideLayer, SideText, SourceFormat, Visibility};

/// Largest decompressed size of one XML part read.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Most cells (table cells and paragraphs) kept from one document.
pub const MAX_CELLS: usize = 1_000_000;

/// The part every Word document holds.
const DOCUMENT_PART: &str = "word/document.xml";

/// True when `bytes` is a zip archive holding a Word document, or one
/// whose directory is damaged but whose entries name the Word document
/// part (a truncated download): that is a damaged Word file, and its
/// error says so.
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(mut archive) => archive.by_name(DOCUMENT_PART).is_ok(),
            Err(_) => memchr::memmem::find(bytes, DOCUMENT_PART.as_bytes()).is_some(),
        }
}

/// Reads a Word document.
pub fn extract(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::DamagedWord(format!("not a readable zip archive: {e}")))?;
    let document = part(&mut archive, DOCUMENT_PART)?
        .ok_or_else(|| ExtractError::DamagedWord(format!("no {DOCUMENT_PART} in the archive")))?;
    let grid = grid::lay_out(&body_blocks(&document)?);
    let mut side_texts = Vec::new();
    if let Some(core) = part(&mut archive, "docProps/core.xml")? {
        for (key, text) in leaf_texts(&core) {
            side_texts.push(SideText {
                layer: SideLayer::Info,
                page: None,
                key,
                text,
            });
        }
    }
    if let Some(comments) = part(&mut archive, "word/comments.xml")? {
        for block in body_blocks(&comments)? {
            let texts: Vec<&str> = block.cells.iter().map(|c| c.text.as_str()).collect();
            side_texts.push(SideText {
                layer: SideLayer::Annotation,
                page: None,
                key: "comment".into(),
                text: texts.join("\n"),
            });
        }
    }
    let producer = match part(&mut archive, "docProps/app.xml")? {
        Some(app) => leaf_texts(&app)
            .into_iter()
            .find(|(key, _)| key == "Application")
            .map(|(_, text)| text),
        None => None,
    };
    Ok(Extraction {
        format: SourceFormat::Docx,
        pages: grid.lines.last().map_or(1, |l| l.page),
        runs: Vec::new(),
        lines: grid.lines,
        rules: grid.rules,
        rows: grid.rows,
        ocr_pages: Vec::new(),
        side_texts,
        prior_revisions: Vec::new(),
        producer,
    })
}

/// The decompressed bytes of the part `name`, if the archive has it.
fn part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(ExtractError::DamagedWord(format!("{name}: {error}"))),
    };
    if file.size() > MAX_PART_BYTES {
        return Err(too_large(name));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ExtractError::DamagedWord(format!("{name}: {e}")))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(too_large(name));
    }
    Ok(Some(bytes))
}

fn too_large(name: &str) -> ExtractError {
    ExtractError::LimitExceeded(format!(
        "{name} decompresses to more than {MAX_PART_BYTES} bytes"
    ))
}

/// Text of one cell (or paragraph) being read, split by visibility.
#[derive(Default)]
struct CellText {
    visible: String,
    hidden: String,
}

impl CellText {
    fn push(&mut self, text: &str, hidden: bool) {
        if hidden {
            self.hidden.push_str(text);
        } else {
            self.visible.push_str(text);
        }
    }

    /// Ends a paragraph inside the cell.
    fn break_line(&mut self) {
        for text in [&mut self.visible, &mut self.hidden] {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
        }
    }

    /// The cell's visible part and, if any text was hidden, its hidden
    /// part, at `column` spanning `span` columns.
    fn into_cells(self, column: usize, span: usize) -> impl Iterator<Item = GridCell> {
        [
            (self.visible, Visibility::Visible),
            (self.hidden, Visibility::Invisible),
        ]
        .into_iter()
        .filter(|(text, _)| !text.trim().is_empty())
        .map(move |(text, visibility)| GridCell {
            column,
            span,
            text: text.trim().to_owned(),
            visibility,
        })
    }
}

/// The blocks of a WordprocessingML body: table rows and loose
/// paragraphs, in document order, each on the page Word last rendered it
/// on (`w:lastRenderedPageBreak`, and page breaks typed as `w:br
/// w:type="page"`); a block's page is the page of its first text. Nested
/// tables are read into the outer cell's text.
fn body_blocks(xml: &[u8]) -> Result<Vec<Block>, ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut tables = 0usize;
    let mut table_depth = 0usize;
    let mut row: Vec<GridCell> = Vec::new();
    let mut column = 0usize;
    let mut span = 1usize;
    let mut cell = CellText::default();
    let mut run_hidden = false;
    let mut in_text = false;
    let mut in_deleted = false;
    let mut cells = 0usize;
    let mut page = 1u32;
    // The page of the block being read, from its first text.
    let mut block_page: Option<u32> = None;
    let push = |blocks: &mut Vec<Block>, kind, cells: Vec<GridCell>, page: Option<u32>| {
        if let Some(page) = page.filter(|_| !cells.is_empty()) {
            blocks.push(Block { page, kind, cells });
        }
    };
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| ExtractError::DamagedWord(format!("word/document.xml: {e}")))?;
        match event {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => match element.local_name().as_ref() {
                b"tbl" => {
                    if table_depth == 0 {
                        tables += 1;
                    }
                    table_depth += 1;
                }
                b"tr" if table_depth == 1 => column = 0,
                b"tc" if table_depth == 1 => span = 1,
                b"gridSpan" if table_depth == 1 => {
                    span = attribute(&element, b"val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1usize)
                        .clamp(1, 64);
                }
                b"r" => run_hidden = false,
                b"vanish" => run_hidden = true,
                b"t" => in_text = true,
                b"delText" => in_deleted = true,
                b"tab" => cell.push(" ", run_hidden || in_deleted),
                b"lastRenderedPageBreak" => page += 1,
                b"br" if attribute(&element, b"type").as_deref() == Some("page") => page += 1,
                b"br" | b"cr" => cell.push("\n", run_hidden || in_deleted),
                _ => {}
            },
            Event::End(element) => match element.local_name().as_ref() {
                b"tbl" => table_depth = table_depth.saturating_sub(1),
                b"t" => in_text = false,
                b"delText" => in_deleted = false,
                b"p" if table_depth == 0 => {
                    cells += 1;
                    let paragraph = std::mem::take(&mut cell);
                    let texts = paragraph.into_cells(0, 1).collect();
                    push(&mut blocks, BlockKind::Paragraph, texts, block_page.take());
                }
                b"p" => cell.break_line(),
                b"tc" if table_depth == 1 => {
                    cells += 1;
                    row.extend(std::mem::take(&mut cell).into_cells(column, span));
                    column += span;
                }
                b"tr" if table_depth == 1 => {
                    let kind = BlockKind::TableRow { table: tables };
                    push(
                        &mut blocks,
                        kind,
                        std::mem::take(&mut row),
                        block_page.take(),
                    );
                }
                _ => {}
            },
            Event::Text(text) if in_text || in_deleted => {
                let text = text
                    .unescape()
                    .map_err(|e| ExtractError::DamagedWord(format!("word/document.xml: {e}")))?;
                if !text.trim().is_empty() {
                    block_page.get_or_insert(page);
                }
                cell.push(&text, run_hidden || in_deleted);
            }
            _ => {}
        }
        if cells > MAX_CELLS {
            return Err(ExtractError::LimitExceeded(format!(
                "more than {MAX_CELLS} paragraphs and cells"
            )));
        }
        buffer.clear();
    }
    Ok(blocks)
}

/// The value of an element's attribute `name` (any namespace prefix).
fn attribute(element: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// `(element name, text)` of every element holding text directly (the
/// shape of `docProps/*.xml`).
fn leaf_texts(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut current: Option<String> = None;
    let mut out = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buffer) {
        match event {
            Event::Eof => break,
            Event::Start(element) => {
                current = Some(String::from_utf8_lossy(element.local_name().as_ref()).into_owned());
            }
            Event::Text(text) => {
                if let (Some(key), Ok(text)) = (&current, text.unescape()) {
                    let text = text.trim();
                    if !text.is_empty() {
                        out.push((key.clone(), text.to_owned()));
                    }
                }
            }
            Event::End(_) => current = None,
            _ => {}
        }
        buffer.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const BODY: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>STATEMENT OF PERSONS NOMINATED</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>Name of candidate</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Home address</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>QUILLAN</w:t></w:r></w:p><w:p><w:r><w:t>Tobias</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:r><w:t>(address in Northbury)</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>14 Quenby Road NB4 7QT</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>VARNEY Siân &amp; co</w:t></w:r></w:p></w:tc><w:tc><w:p><w:del><w:r><w:delText>3 Orchard Row, NB2 1AB</w:delText></w:r></w:del><w:r><w:t>(address in Saltmarsh)</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:t>Dated</w:t></w:r><w:r><w:tab/><w:t>Thursday 7 May 2026</w:t></w:r></w:p>
</w:body></w:document>"#;

    const CORE: &str = r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>Elections Office</dc:creator><dc:description>Draft with 14 Quenby Road</dc:description></cp:coreProperties>"#;

    fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start");
            zip.write_all(text.as_bytes()).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    #[test]
    fn tables_paragraphs_hidden_text_and_properties() {
        let bytes = docx(&[("word/document.xml", BODY), ("docProps/core.xml", CORE)]);
        assert!(is_docx(&bytes));
        let extraction = extract(&bytes).expect("extracts");
        let rows: Vec<String> = extraction.rows.iter().map(|l| l.joined(" | ")).collect();
        assert_eq!(rows[0], "STATEMENT OF PERSONS NOMINATED");
        assert_eq!(rows[1], "Name of candidate | Home address");
        assert_eq!(extraction.rows[2].cells[0].text, "QUILLAN\nTobias");
        let hidden: Vec<(&str, Visibility)> = extraction
            .rows
            .iter()
            .flat_map(|l| &l.cells)
            .filter(|c| c.visibility.is_hidden())
            .map(|c| (c.text.as_str(), c.visibility))
            .collect();
        assert_eq!(
            hidden,
            [
                ("14 Quenby Road NB4 7QT", Visibility::Invisible),
                ("3 Orchard Row, NB2 1AB", Visibility::Invisible)
            ]
        );
        assert_eq!(extraction.rows[3].cells[0].text, "VARNEY Siân & co");
        assert_eq!(rows[4], "Dated Thursday 7 May 2026");
        assert!(
            extraction
                .side_texts
                .iter()
                .any(|s| s.layer == SideLayer::Info && s.text.contains("Quenby"))
        );
    }

    #[test]
    fn bad_archives_are_errors_not_panics() {
        assert!(!is_docx(b"PK\x03\x04 truncated"));
        assert!(extract(b"PK\x03\x04 truncated").is_err());
        let no_body = docx(&[("docProps/core.xml", CORE)]);
        assert!(!is_docx(&no_body));
        assert!(extract(&no_body).is_err());
        let broken = docx(&[(
            "word/document.xml",
            "<w:document><w:body><w:p><w:t>x</w:body>",
        )]);
        // Mismatched tags are an error or a partial read, never a panic.
        let _ = extract(&broken);
    }
}
