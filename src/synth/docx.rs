//! Writes a [`Notice`] as a Word (`.docx`) statement of persons nominated,
//! the way a council publishes the file it typed the notice in.
//!
//! Input: the notice. Output: the bytes of a minimal valid WordprocessingML
//! package (ECMA-376): a deflated zip of `[Content_Types].xml`,
//! `_rels/.rels` and `word/document.xml`, nothing else. Per post, on a page
//! of its own: the notice title, the council, the ward heading, the poll
//! date sentence and one `w:tbl` of its candidates, whose two header rows
//! put the proposer and seconder as two sub-columns under one
//! `w:gridSpan` cell (the other header cells merged down with
//! `w:vMerge`). An address cell holds one paragraph per address element,
//! the postcode last, or the withheld-area wording. After the last table
//! the returning officer's footer, with the office address (legitimate:
//! never a finding).
//!
//! Every address is written plainly: a candidate's
//! [`Redaction`](super::notice::Redaction) is a PDF construct and is not
//! rendered. The same notice always gives the same bytes.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::notice::{Candidate, Home, Notice, Post};
use crate::report::html::escape;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const PACKAGE_RELATIONSHIPS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;

/// A4 portrait with 1.5 cm side margins; the table grid fills the width.
const DOCUMENT_END: &str = r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="850" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>"#;

/// Widths (twentieths of a point) of the table's grid columns: surname,
/// other names, home address, description, proposer, seconder, reason.
const GRID: [u32; 7] = [1300, 1500, 2000, 1500, 1300, 1300, 1300];

/// The text the notice prints above a post's table.
fn post_heading(post: &Post) -> String {
    format!("Election of Borough Councillors for the {} Ward", post.name)
}

/// The notice as a `.docx` file.
///
/// ```
/// use sopncheck::synth::{docx, notice, notice::Layout, people::People};
/// let notice = notice(&mut People::new(1), Layout::Table, 1, 3);
/// let bytes = docx::write(&notice);
/// assert!(bytes.starts_with(b"PK\x03\x04"));
/// assert_eq!(bytes, docx::write(&notice));
/// ```
pub fn write(notice: &Notice) -> Vec<u8> {
    // A fixed timestamp, so that the same notice gives the same bytes.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", PACKAGE_RELATIONSHIPS.to_owned()),
        ("word/document.xml", document(notice)),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, xml) in parts {
        // Cannot fail: the archive is written to memory (writes to a
        // `Vec` never fail), deflate is compiled in, the part names are
        // fixed and distinct, and no part comes near the 4 GiB that would
        // need zip64.
        zip.start_file(name, options).expect("in-memory zip entry");
        zip.write_all(xml.as_bytes()).expect("in-memory zip write");
    }
    // Cannot fail, as above.
    zip.finish().expect("in-memory zip").into_inner()
}

/// `word/document.xml`.
fn document(notice: &Notice) -> String {
    let mut xml = String::from(DOCUMENT_START);
    for (index, post) in notice.posts.iter().enumerate() {
        if index > 0 {
            xml.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
        }
        xml.push_str(&paragraph("STATEMENT OF PERSONS NOMINATED", Style::Title));
        xml.push_str(&paragraph(&notice.council, Style::Title));
        xml.push_str(&paragraph(&post_heading(post), Style::Heading));
        xml.push_str(&paragraph(
            &format!("The poll will be held on {}.", notice.poll_date),
            Style::Body,
        ));
        xml.push_str(&table(post));
    }
    let footer = [
        format!("Dated {}", notice.dated),
        notice.returning_officer.clone(),
        "Returning Officer".to_owned(),
        format!(
            "Printed and published by the Returning Officer, {}",
            notice.office.one_line()
        ),
    ];
    for line in &footer {
        xml.push_str(&paragraph(line, Style::Body));
    }
    xml.push_str(DOCUMENT_END);
    xml
}

/// How a paragraph is set.
#[derive(Clone, Copy)]
enum Style {
    /// Centred, bold, large.
    Title,
    /// Bold.
    Heading,
    /// Plain.
    Body,
}

/// One `w:p` holding `text` in one run.
fn paragraph(text: &str, style: Style) -> String {
    let (properties, run) = match style {
        Style::Title => (
            r#"<w:pPr><w:jc w:val="center"/></w:pPr>"#,
            r#"<w:rPr><w:b/><w:sz w:val="28"/></w:rPr>"#,
        ),
        Style::Heading => ("", "<w:rPr><w:b/></w:rPr>"),
        Style::Body => ("", ""),
    };
    format!(
        r#"<w:p>{properties}<w:r>{run}<w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        escape(text)
    )
}

/// How a table cell joins its neighbours.
#[derive(Clone, Copy)]
enum Merge {
    /// A cell of its own.
    None,
    /// Spans this many grid columns.
    Across(u32),
    /// The first of cells merged down the column.
    DownStart,
    /// A cell merged into the one above (it holds an empty paragraph).
    DownContinue,
}

/// One `w:tc` of `width` twentieths of a point holding one paragraph per
/// line of `lines`.
fn cell(width: u32, merge: Merge, lines: &[String]) -> String {
    let merge = match merge {
        Merge::None => String::new(),
        Merge::Across(span) => format!(r#"<w:gridSpan w:val="{span}"/>"#),
        Merge::DownStart => r#"<w:vMerge w:val="restart"/>"#.to_owned(),
        Merge::DownContinue => "<w:vMerge/>".to_owned(),
    };
    let mut xml = format!(r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge}</w:tcPr>"#);
    if lines.is_empty() {
        // A cell must hold at least one paragraph.
        xml.push_str("<w:p/>");
    }
    for line in lines {
        xml.push_str(&paragraph(line, Style::Body));
    }
    xml.push_str("</w:tc>");
    xml
}

/// A post's candidates as a ruled table under two header rows repeated on
/// every page.
fn table(post: &Post) -> String {
    let mut xml = String::from(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr><w:tblGrid>"#,
    );
    for width in GRID {
        xml.push_str(&format!(r#"<w:gridCol w:w="{width}"/>"#));
    }
    xml.push_str("</w:tblGrid>");
    let header = "<w:tr><w:trPr><w:tblHeader/></w:trPr>";
    let text = |t: &str| vec![t.to_owned()];
    let down = [
        (0, "Surname"),
        (1, "Other names"),
        (2, "Home address"),
        (3, "Description (if any)"),
    ];
    xml.push_str(header);
    for (column, title) in down {
        xml.push_str(&cell(GRID[column], Merge::DownStart, &text(title)));
    }
    xml.push_str(&cell(
        GRID[4] + GRID[5],
        Merge::Across(2),
        &text("Names of Proposer and Seconder"),
    ));
    xml.push_str(&cell(
        GRID[6],
        Merge::DownStart,
        &text("Reason why no longer nominated"),
    ));
    xml.push_str("</w:tr>");
    xml.push_str(header);
    for (column, _) in down {
        xml.push_str(&cell(GRID[column], Merge::DownContinue, &[]));
    }
    xml.push_str(&cell(GRID[4], Merge::None, &text("Proposer")));
    xml.push_str(&cell(GRID[5], Merge::None, &text("Seconder")));
    xml.push_str(&cell(GRID[6], Merge::DownContinue, &[]));
    xml.push_str("</w:tr>");
    for candidate in &post.candidates {
        xml.push_str(&row(candidate));
    }
    xml.push_str("</w:tbl>");
    xml
}

/// A candidate's `w:tr`.
fn row(candidate: &Candidate) -> String {
    let address = match &candidate.home {
        Home::Published(address) => address
            .lines
            .iter()
            .cloned()
            .chain(std::iter::once(address.postcode.clone()))
            .collect(),
        Home::Withheld(area) => vec![area.clone()],
    };
    let signatory = |i: usize| candidate.signatories.get(i).cloned().into_iter().collect();
    let reason = match candidate.withdrawn {
        true => vec!["Nomination withdrawn".to_owned()],
        false => Vec::new(),
    };
    let cells: [Vec<String>; 7] = [
        vec![candidate.surname.clone()],
        vec![candidate.other_names.clone()],
        address,
        vec![candidate.description.clone()],
        signatory(0),
        signatory(1),
        reason,
    ];
    let mut xml = String::from("<w:tr>");
    for (width, lines) in GRID.iter().zip(&cells) {
        let lines: Vec<String> = lines.iter().filter(|l| !l.is_empty()).cloned().collect();
        xml.push_str(&cell(*width, Merge::None, &lines));
    }
    xml.push_str("</w:tr>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::notice::Layout;
    use crate::synth::people::People;

    #[test]
    fn document_is_well_formed_and_escaped() {
        let mut notice = crate::synth::notice(&mut People::new(5), Layout::Table, 2, 3);
        notice.council = "Lowther & Vale <District> Council".to_owned();
        let xml = document(&notice);
        assert!(xml.contains("Lowther &amp; Vale &lt;District&gt; Council"));
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut depth, mut page_breaks) = (0i32, 0);
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(_) => depth += 1,
                quick_xml::events::Event::End(_) => depth -= 1,
                quick_xml::events::Event::Empty(e) if e.local_name().as_ref() == b"br" => {
                    page_breaks += 1;
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0);
        assert_eq!(page_breaks, 1);
    }
}
