//! Hostile files: small inputs built to exhaust a reader's memory, time or
//! recursion (a text bomb, texts under as many shapes, a decompression
//! bomb, deep nesting, a page-tree cycle, 100,000 nested HTML elements, a
//! paragraph of 200,000 lines, a Word zip bomb). Each is a few hundred
//! kilobytes at most (the paragraph, a megabyte).
//!
//! They seed the fuzz targets' corpora (`sopncheck-synth hostile DIR`),
//! serve the hostile-input tests, and feed `benches/hostile_folder.sh`,
//! which checks that a folder holding one of them beside good notices is
//! scanned within the per-file limit and bounded memory. No person or
//! address appears in them.

use std::io::Write;

use lopdf::{Dictionary, Document, Object, Stream, dictionary};

/// One hostile file: its name (with the extension that says its format)
/// and its bytes.
pub struct HostileFile {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every hostile file, with the limits of [`crate::extract::Limits`]'s
/// defaults in mind (each exceeds or strains one of them).
pub fn files() -> Vec<HostileFile> {
    let limits = crate::extract::Limits::default();
    vec![
        HostileFile {
            name: "text-bomb.pdf",
            bytes: text_bomb(limits.max_texts_per_page + 1),
        },
        HostileFile {
            name: "covered-texts.pdf",
            bytes: covered_texts(limits.max_shapes_per_page / 2),
        },
        HostileFile {
            name: "flate-bomb.pdf",
            bytes: flate_bomb(64),
        },
        HostileFile {
            name: "deep-nesting.pdf",
            bytes: pdf_with_content(&b"q ".repeat(100_000), Dictionary::new()),
        },
        HostileFile {
            name: "page-tree-cycle.pdf",
            bytes: page_tree_cycle(),
        },
        HostileFile {
            name: "deep-nesting.html",
            bytes: deep_html(100_000),
        },
        HostileFile {
            name: "line-flood.html",
            bytes: line_flood_html(200_000),
        },
        HostileFile {
            name: "zip-bomb.docx",
            bytes: zip_bomb(256),
        },
    ]
}

/// A one-page PDF whose page content is `content` (uncompressed), with
/// Helvetica as /F1 and any extra page resources given.
pub fn pdf_with_content(content: &[u8], extra_resources: Dictionary) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    for (key, value) in extra_resources.into_iter() {
        resources.set(key, value);
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id, "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    save(&mut doc)
}

/// A page whose content shows one letter per line `count` times: an 88 KB
/// file once made the interpreter keep millions of runs until it aborted.
pub fn text_bomb(count: usize) -> Vec<u8> {
    let mut content = b"BT /F1 10 Tf 12 TL 50 800 Td\n".to_vec();
    content.extend(b"(a) '\n".repeat(count));
    content.extend(b"ET\n");
    pdf_with_content(&content, Dictionary::new())
}

/// A page of `count` letters, each under its own filled box: visibility
/// checking is texts against shapes, which once took minutes.
pub fn covered_texts(count: usize) -> Vec<u8> {
    let mut content = b"BT /F1 10 Tf 12 TL 50 800 Td\n".to_vec();
    content.extend(b"(a) '\n".repeat(count));
    content.extend(b"ET\n");
    for i in 0..count {
        let y = 800 - (i % 790) as i32;
        content.extend(format!("{} {y} 8 10 re f\n", 50 + (i / 790) % 500).as_bytes());
    }
    pdf_with_content(&content, Dictionary::new())
}

/// A page whose content stream inflates to `mebibytes` MiB of spaces.
pub fn flate_bomb(mebibytes: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..mebibytes {
        encoder.write_all(&chunk).expect("compressing into memory");
    }
    let bomb = encoder.finish().expect("compressing into memory");
    let mut doc = Document::load_mem(&pdf_with_content(b"", Dictionary::new()))
        .expect("the generator's own PDF loads");
    let page_id = doc
        .page_iter()
        .next()
        .expect("the generator's PDF has a page");
    let content = doc.add_object(Stream::new(dictionary! { "Filter" => "FlateDecode" }, bomb));
    if let Ok(page) = doc.get_dictionary_mut(page_id) {
        page.set("Contents", content);
    }
    save(&mut doc)
}

/// A page tree whose root lists itself among its kids.
pub fn page_tree_cycle() -> Vec<u8> {
    let mut doc = Document::load_mem(&text_bomb(1)).expect("the generator's own PDF loads");
    let pages_id = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .expect("the generator's PDF has a page tree");
    if let Ok(pages) = doc.get_dictionary_mut(pages_id) {
        pages.set("Kids", vec![pages_id.into()]);
    }
    save(&mut doc)
}

/// An HTML page of `depth` nested `div`s.
pub fn deep_html(depth: usize) -> Vec<u8> {
    let mut html = b"<!doctype html><html><body>".to_vec();
    html.extend(b"<div>".repeat(depth));
    html.extend(b"Notice");
    html.extend(b"</div>".repeat(depth));
    html.extend(b"</body></html>");
    html
}

/// An HTML page of one paragraph broken into `lines` lines by `<br>`: one
/// block whose every line the layout places.
pub fn line_flood_html(lines: usize) -> Vec<u8> {
    let mut html = b"<!doctype html><html><body><p>".to_vec();
    html.extend(b"a<br>".repeat(lines));
    html.extend(b"</p></body></html>");
    html
}

/// A Word file whose document part inflates to `mebibytes` MiB.
pub fn zip_bomb(mebibytes: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("word/document.xml", options)
        .expect("writing into memory");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..mebibytes {
        zip.write_all(&chunk).expect("writing into memory");
    }
    zip.finish().expect("writing into memory").into_inner()
}

fn save(doc: &mut Document) -> Vec<u8> {
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .expect("writing a PDF into memory cannot fail");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_files_are_small() {
        for file in files() {
            assert!(
                file.bytes.len() < 2 << 20,
                "{} is {} bytes",
                file.name,
                file.bytes.len()
            );
        }
    }
}
