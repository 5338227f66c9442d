//! Hostile and broken input: every case gives one clear error (or a
//! bounded result) for that file and never a panic, unbounded memory or
//! unbounded time. The PDFs are built here with lopdf, byte by byte where
//! the damage is the point.

use std::io::Write;
use std::time::Duration;

use lopdf::{Document, Object, Stream, dictionary};
use sopncheck::extract::{ExtractError, Limits, extract_bytes, read_capped, read_path};
use sopncheck::synth::hostile::{flate_bomb, line_flood_html, pdf_with_content, text_bomb};

fn simple_pdf() -> Vec<u8> {
    pdf_with_content(
        b"BT /F1 12 Tf 72 700 Td (Hello notice) Tj ET",
        dictionary! {},
    )
}

#[test]
fn plain_pdf_extracts() {
    let extraction = extract_bytes(&simple_pdf(), None, &Limits::default()).expect("extract");
    assert_eq!(extraction.lines[0].cells[0].text, "Hello notice");
}

#[test]
fn non_pdf_is_one_clear_error() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    match extract_bytes(png, None, &Limits::default()) {
        Err(ExtractError::UnknownFormat(head)) => assert!(head.contains("PNG")),
        other => panic!("expected UnknownFormat, got {other:?}"),
    }
    assert!(extract_bytes(b"", None, &Limits::default()).is_err());
    // The error says what the file looks like, never what it says: its
    // first bytes may be an address.
    let letter = b"12 Example Street, Sampleton ZZ9 9ZZ\nDear resident";
    let error = extract_bytes(letter, None, &Limits::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("text"), "{message}");
    assert!(
        !message.contains("12 Ex") && !message.contains("ZZ9"),
        "{message}"
    );
}

#[test]
fn every_truncation_is_an_error_or_a_result_never_a_panic() {
    let bytes = simple_pdf();
    for cut in (0..bytes.len()).step_by(7) {
        let _ = extract_bytes(&bytes[..cut], None, &Limits::default());
    }
}

#[test]
fn garbage_after_header_is_damaged() {
    let result = extract_bytes(
        b"%PDF-1.7\n\x00\xff garbage 1 0 obj << /Type",
        None,
        &Limits::default(),
    );
    assert!(
        matches!(result, Err(ExtractError::Damaged(_))),
        "{result:?}"
    );
}

#[test]
fn broken_xref_offsets_are_rebuilt() {
    let mut bytes = simple_pdf();
    // Point every xref entry ten bytes off.
    let start = memchr::memmem::find(&bytes, b"xref").expect("xref");
    let table = String::from_utf8_lossy(&bytes[start..]).into_owned();
    let broken: String = table
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split(' ').collect();
            if parts.len() == 3 && parts[2] == "n" {
                let offset: u64 = parts[0].parse().unwrap_or(0);
                format!("{:010} {} n", offset + 10, parts[1])
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    bytes.truncate(start);
    bytes.extend_from_slice(broken.as_bytes());
    let extraction = extract_bytes(&bytes, None, &Limits::default()).expect("rebuilt");
    assert_eq!(extraction.lines[0].cells[0].text, "Hello notice");
}

#[test]
fn decompression_bomb_is_refused() {
    let bytes = flate_bomb(64);
    assert!(bytes.len() < 200_000, "the bomb is small: {}", bytes.len());
    let limits = Limits {
        max_stream_bytes: 8 << 20,
        ..Limits::default()
    };
    let result = extract_bytes(&bytes, None, &limits);
    assert!(
        matches!(result, Err(ExtractError::LimitExceeded(_))),
        "{result:?}"
    );
}

#[test]
fn self_drawing_form_and_deep_nesting_are_bounded() {
    // Form 1 draws itself: drawn once, no loop.
    let mut doc = Document::load_mem(&simple_pdf()).expect("load");
    let form_id = doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "X" => form_id } },
        },
        b"/X Do".to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let page_id = doc.page_iter().next().expect("page");
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"/X Do BT /F1 9 Tf 10 10 Td (after) Tj ET".to_vec(),
    ));
    let page = doc.get_dictionary_mut(page_id).expect("page");
    page.set("Contents", content);
    page.set("Resources", dictionary! {
        "XObject" => dictionary! { "X" => form_id },
        "Font" => dictionary! { "F1" => dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" } },
    });
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let extraction = extract_bytes(&bytes, None, &Limits::default()).expect("extract");
    assert_eq!(extraction.runs.len(), 1);

    // A chain of 100 distinct nested forms exceeds the nesting limit.
    let mut doc = Document::load_mem(&simple_pdf()).expect("load");
    let mut inner = doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form" },
        b"".to_vec(),
    ));
    for _ in 0..100 {
        inner = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "Resources" => dictionary! { "XObject" => dictionary! { "X" => inner } },
            },
            b"/X Do".to_vec(),
        ));
    }
    let page_id = doc.page_iter().next().expect("page");
    let content = doc.add_object(Stream::new(dictionary! {}, b"/X Do".to_vec()));
    let page = doc.get_dictionary_mut(page_id).expect("page");
    page.set("Contents", content);
    page.set(
        "Resources",
        dictionary! { "XObject" => dictionary! { "X" => inner } },
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let result = extract_bytes(&bytes, None, &Limits::default());
    assert!(
        matches!(result, Err(ExtractError::LimitExceeded(_))),
        "{result:?}"
    );
}

#[test]
fn operator_and_time_budgets_stop_work() {
    let content = b"0 0 m 1 1 l S\n".repeat(50_000);
    let bytes = pdf_with_content(&content, dictionary! {});
    let few_operators = Limits {
        max_operators: 10_000,
        ..Limits::default()
    };
    let result = extract_bytes(&bytes, None, &few_operators);
    assert!(
        matches!(result, Err(ExtractError::LimitExceeded(_))),
        "{result:?}"
    );
    let no_time = Limits {
        max_time: Duration::ZERO,
        ..Limits::default()
    };
    let result = extract_bytes(&bytes, None, &no_time);
    assert!(
        matches!(result, Err(ExtractError::LimitExceeded(_))),
        "{result:?}"
    );
}

#[test]
fn page_tree_cycle_and_dangling_references_do_not_hang() {
    let mut doc = Document::load_mem(&simple_pdf()).expect("load");
    let pages_id = doc
        .catalog()
        .expect("catalog")
        .get(b"Pages")
        .expect("pages")
        .as_reference()
        .expect("ref");
    // The page tree names itself as a kid, and the font is a dangling reference.
    let page_id = doc.page_iter().next().expect("page");
    doc.get_dictionary_mut(pages_id)
        .expect("pages")
        .set("Kids", vec![page_id.into(), pages_id.into()]);
    doc.get_dictionary_mut(page_id).expect("page").set(
        "Resources",
        dictionary! { "Font" => dictionary! { "F1" => (999, 0) } },
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    let extraction = extract_bytes(&bytes, None, &Limits::default()).expect("extract");
    assert!(extraction.has_text_layer());
}

#[test]
fn oversized_file_is_refused_before_parsing() {
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let result = extract_bytes(&simple_pdf(), None, &limits);
    assert!(
        matches!(result, Err(ExtractError::LimitExceeded(_))),
        "{result:?}"
    );
}

#[test]
fn painted_text_is_capped_per_page_and_per_file() {
    let limits = Limits::default();
    let result = extract_bytes(&text_bomb(limits.max_texts_per_page + 1), None, &limits);
    match result {
        Err(ExtractError::LimitExceeded(what)) => {
            assert!(what.contains("text") && what.contains("one page"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    let few = Limits {
        max_texts: 1_000,
        ..Limits::default()
    };
    match extract_bytes(&text_bomb(1_001), None, &few) {
        Err(ExtractError::LimitExceeded(what)) => assert!(what.contains("one file"), "{what}"),
        other => panic!("{other:?}"),
    }
    // Under the caps, every run is kept.
    let kept = extract_bytes(&text_bomb(500), None, &few).expect("extract");
    assert_eq!(kept.runs.len(), 500);
}

#[test]
fn a_document_over_a_limit_is_its_own_error_and_the_others_are_scanned() {
    let dir = std::env::temp_dir().join(format!("sopncheck-text-bomb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bomb = text_bomb(Limits::default().max_texts_per_page + 1);
    std::fs::write(dir.join("bomb.pdf"), bomb).expect("write");
    std::fs::write(dir.join("plain.pdf"), simple_pdf()).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["scan", dir.to_str().expect("utf-8"), "--fail-on", "high"])
        .output()
        .expect("run sopncheck");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let documents: Vec<&serde_json::Value> = report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .flat_map(|c| c["documents"].as_array().expect("documents"))
        .collect();
    assert_eq!(documents.len(), 2, "{report}");
    for document in documents {
        let source = document["source"].as_str().expect("source");
        let error = document["error"].as_str();
        if source.ends_with("bomb.pdf") {
            assert!(error.is_some_and(|e| e.contains("text")), "{error:?}");
            let findings = document["findings"].as_array().expect("findings");
            assert!(findings.iter().any(|f| f["rule"] == "unscannable"));
        } else {
            assert_eq!(error, None, "{source}");
        }
    }
    // The unscannable bomb is a high finding: the scan fails, but is whole.
    assert_eq!(output.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn special_files_are_read_through_the_size_cap() {
    let limits = Limits {
        max_file_bytes: 1_000,
        ..Limits::default()
    };
    // /dev/zero says it is empty and never ends.
    match read_path(std::path::Path::new("/dev/zero"), &limits) {
        Err(ExtractError::LimitExceeded(what)) => assert!(what.contains("1000 bytes"), "{what}"),
        other => panic!("{other:?}"),
    }
    match read_capped(std::io::repeat(b'%'), "standard input", 0, &limits) {
        Err(ExtractError::LimitExceeded(what)) => assert!(what.contains("standard input")),
        other => panic!("{other:?}"),
    }
    // A FIFO is read whole when it is under the cap.
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("notice.pdf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, simple_pdf()).expect("write fifo"))
    };
    let bytes = read_path(&fifo, &Limits::default()).expect("read fifo");
    writer.join().expect("writer");
    assert_eq!(bytes, simple_pdf());
}

#[test]
fn scanning_dev_zero_is_refused_as_over_the_size_limit() {
    let started = std::time::Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["scan", "/dev/zero", "--format", "json"])
        .output()
        .expect("run sopncheck");
    // The cap is 256 MiB: read in well under a second, not 3 GB.
    assert!(started.elapsed() < Duration::from_secs(30));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let document = &report["councils"][0]["documents"][0];
    assert_eq!(document["source"], "/dev/zero");
    let error = document["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("limit exceeded") && error.contains("bytes allowed"),
        "{error}"
    );
    let findings = document["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["rule"] == "unscannable"));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_paragraph_of_many_lines_is_laid_out_in_bounded_time() {
    // Each line used to be placed by a scan over the lines before it:
    // 200,000 lines took hours. Now a line costs a binary search.
    let lines = 200_000;
    let started = std::time::Instant::now();
    let extraction = extract_bytes(&line_flood_html(lines), None, &Limits::default())
        .expect("a page of short lines extracts");
    assert!(
        started.elapsed() < Limits::default().max_time,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(extraction.lines.len(), lines);
    assert!(
        extraction
            .lines
            .windows(2)
            .all(|w| w[0].baseline > w[1].baseline)
    );
}

/// [`simple_pdf`] with `damage` applied to its document before saving:
/// the page tree's id and the page's id are given.
fn damaged_pdf(damage: impl Fn(&mut Document, lopdf::ObjectId, lopdf::ObjectId)) -> Vec<u8> {
    let mut doc = Document::load_mem(&simple_pdf()).expect("load");
    let pages_id = doc
        .catalog()
        .expect("catalog")
        .get(b"Pages")
        .expect("pages")
        .as_reference()
        .expect("ref");
    let page_id = doc.page_iter().next().expect("page");
    damage(&mut doc, pages_id, page_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    bytes
}

/// A page tree of `depth` `Pages` nodes, each with the next node and an
/// empty node as kids, the page at the bottom.
fn deep_page_tree(depth: usize) -> Vec<u8> {
    damaged_pdf(|doc, pages_id, page_id| {
        let mut child = page_id;
        for _ in 0..depth {
            let empty =
                doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
            child = doc.add_object(dictionary! {
                "Type" => "Pages", "Kids" => vec![child.into(), empty.into()], "Count" => 1,
            });
        }
        doc.get_dictionary_mut(pages_id)
            .expect("pages")
            .set("Kids", vec![child.into()]);
    })
}

/// [`simple_pdf`] with its content stream's `/Length` written as `length`.
fn pdf_with_length(length: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(&pdf_with_content(
        b"BT /F1 12 Tf 72 700 Td (Hello notice) Tj ET",
        dictionary! {},
    ))
    .into_owned();
    let at = text.find("/Length ").expect("a /Length") + "/Length ".len();
    let digits = text[at..]
        .find(|c: char| !c.is_ascii_digit())
        .expect("the length ends");
    format!("{}{length}{}", &text[..at], &text[at + digits..]).into_bytes()
}

/// Hostile PDFs whose pages give no text, and what the error must name.
fn pdfs_without_readable_pages() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "page-tree-cycle",
            damaged_pdf(|doc, pages_id, _| {
                doc.get_dictionary_mut(pages_id)
                    .expect("pages")
                    .set("Kids", vec![pages_id.into()]);
            }),
            "page tree is a cycle",
        ),
        (
            "deep-page-tree",
            deep_page_tree(100_000),
            "page tree is nested deeper than 256 levels",
        ),
        (
            "reference-cycle",
            damaged_pdf(|doc, _, page_id| {
                let first = doc.new_object_id();
                let second = doc.new_object_id();
                doc.objects.insert(first, Object::Reference(second));
                doc.objects.insert(second, Object::Reference(first));
                doc.get_dictionary_mut(page_id)
                    .expect("page")
                    .set("Contents", first);
            }),
            "reference cycle",
        ),
        ("negative-length", pdf_with_length("-5"), "bad /Length (-5)"),
        (
            "dangling-length",
            pdf_with_length("99 0 R"),
            "bad /Length (99 0 R)",
        ),
    ]
}

#[test]
fn broken_page_trees_and_streams_name_their_cause() {
    for (name, bytes, cause) in pdfs_without_readable_pages() {
        match extract_bytes(&bytes, None, &Limits::default()) {
            Err(error) => {
                let message = error.to_string();
                assert!(message.contains(cause), "{name}: {message}");
            }
            Ok(extraction) => panic!(
                "{name}: extracted {} lines, no error",
                extraction.lines.len()
            ),
        }
    }
    // A tree as deep as the limit still reads.
    let extraction =
        extract_bytes(&deep_page_tree(200), None, &Limits::default()).expect("200 deep");
    assert_eq!(extraction.lines[0].cells[0].text, "Hello notice");
}

/// A Word file: a zip holding `document` as `word/document.xml`.
fn docx_with(document: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("start");
    zip.write_all(document).expect("write");
    zip.finish().expect("finish").into_inner()
}

#[test]
fn a_damaged_word_file_says_word_not_pdf() {
    let good = docx_with(
        b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Hello notice</w:t></w:r></w:p></w:body></w:document>",
    );
    let bad_xml = docx_with(b"<w:document><w:body><w:p></w:r></w:body>");
    let truncated = good[..good.len() - 30].to_vec();
    for (name, bytes) in [("bad XML", bad_xml), ("truncated", truncated)] {
        let error = extract_bytes(&bytes, None, &Limits::default()).expect_err(name);
        assert!(
            matches!(error, ExtractError::DamagedWord(_)),
            "{name}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("Word (DOCX)") && !message.contains("PDF"),
            "{name}: {message}"
        );
    }
}

#[test]
fn every_broken_file_is_unscannable_with_its_cause_in_the_report() {
    let dir = std::env::temp_dir().join(format!("sopncheck-causes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut expected: Vec<(String, &str)> = Vec::new();
    for (name, bytes, cause) in pdfs_without_readable_pages() {
        let file = format!("{name}.pdf");
        std::fs::write(dir.join(&file), bytes).expect("write");
        expected.push((file, cause));
    }
    std::fs::write(
        dir.join("word.docx"),
        docx_with(b"<w:document><w:body></w:r>"),
    )
    .expect("write");
    expected.push(("word.docx".into(), "damaged Word (DOCX) file"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["scan", dir.to_str().expect("utf-8"), "--fail-on", "high"])
        .output()
        .expect("run sopncheck");
    assert_eq!(output.status.code(), Some(1), "unscannable is high");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let documents: Vec<&serde_json::Value> = report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .flat_map(|c| c["documents"].as_array().expect("documents"))
        .collect();
    assert_eq!(documents.len(), expected.len(), "{report}");
    for (file, cause) in expected {
        let document = documents
            .iter()
            .find(|d| d["source"].as_str().is_some_and(|s| s.ends_with(&file)))
            .unwrap_or_else(|| panic!("{file} not reported"));
        let error = document["error"].as_str().unwrap_or_default();
        assert!(error.contains(cause), "{file}: {error:?}");
        assert!(!error.contains("text layer"), "{file}: {error:?}");
        let findings = document["findings"].as_array().expect("findings");
        let unscannable = findings
            .iter()
            .find(|f| f["rule"] == "unscannable")
            .unwrap_or_else(|| panic!("{file}: no unscannable finding"));
        assert!(
            unscannable["evidence"]
                .as_str()
                .is_some_and(|e| e.contains(cause)),
            "{file}: {unscannable}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
