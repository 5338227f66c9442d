//! PDF extraction on lopdf.
//!
//! lopdf parses the file's objects (cross-reference tables and streams,
//! object streams, damaged tables rebuilt by scanning, decryption with the
//! empty password, bounded stream decompression); this module and its
//! children do the rest, which is what sets a notice checker apart from a
//! text dumper:
//!
//! * [`lexer`] tokenizes content streams without copying;
//! * [`font`] and [`cmap`] turn character codes into Unicode and advances;
//! * [`interpreter`] runs each page and records text, shapes and rules in
//!   paint order;
//! * [`visibility`] judges each run (visible, invisible, white, covered,
//!   outside) and tells a scan's OCR layer, read as the page's text, from
//!   hidden text;
//! * [`side`] reads metadata, annotations and form fields;
//! * earlier revisions of an incrementally updated file are loaded from
//!   their own file prefixes and extracted alongside.
//!
//! Coordinates are in displayed-page space: origin at the bottom left of
//! the crop box, y upwards, the page's `/Rotate` applied.

pub mod cmap;
mod font;
mod geometry;
mod interpreter;
pub mod lexer;
mod objects;
mod pages;
mod side;
mod visibility;

pub use self::font::helvetica_advance;

use std::collections::HashSet;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use self::geometry::{Matrix, Rect};
use self::interpreter::{Budget, FontCache, Interpreter};
use self::objects::{as_f32, as_rect, dict_get};
use crate::extract::layout;
use crate::extract::{ExtractError, Limits};
use crate::model::{Extraction, Line, Revision, Rule, SourceFormat, TextRun};

/// Deepest page-tree `/Parent` chain followed for inherited attributes.
const MAX_PARENT_DEPTH: usize = 64;

/// Extracts a PDF: every page's runs with visibility, lines and rows, the
/// side layers, and earlier revisions.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    let mut budget = Budget::new(limits);
    let doc = load(bytes, limits)?;
    let page_ids = pages::page_tree(&doc, limits)?;
    let pages = extract_pages(&doc, bytes, &page_ids, limits, &mut budget)?;
    let problems = pages.problems;
    let side_texts = side::side_texts(&doc, &page_ids, limits.max_stream_bytes);
    let producer = side_texts
        .iter()
        .find(|s| s.layer == crate::model::SideLayer::Info && s.key == "Producer")
        .map(|s| s.text.clone());
    let prior_revisions = prior_revisions(bytes, limits, &mut budget, &pages.rows)?;
    let extraction = Extraction {
        format: SourceFormat::Pdf,
        pages: pages.count,
        runs: pages.runs,
        lines: pages.lines,
        rules: pages.rules,
        rows: pages.rows,
        ocr_pages: pages.ocr_pages,
        side_texts,
        prior_revisions,
        producer,
    };
    // A file that shows no text because its pages are broken says what
    // broke, rather than passing for a scan.
    if !extraction.has_text_layer() && !problems.is_empty() {
        return Err(pages::damaged(&problems));
    }
    Ok(extraction)
}

/// Loads a file with lopdf under the limits, mapping its errors to ours.
fn load(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|error| match error {
        lopdf::Error::InvalidPassword => ExtractError::NeedsPassword,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            ExtractError::LimitExceeded("decompressed stream size".into())
        }
        other => ExtractError::Damaged(other.to_string()),
    })?;
    if doc.trailer.has(b"Encrypt") && !doc.was_encrypted() {
        return Err(ExtractError::NeedsPassword);
    }
    if doc.objects.len() > limits.max_objects {
        return Err(ExtractError::LimitExceeded(format!(
            "{} objects, more than the {} allowed",
            doc.objects.len(),
            limits.max_objects
        )));
    }
    if doc.catalog().is_err() {
        return Err(ExtractError::Damaged("no document catalog".into()));
    }
    Ok(doc)
}

/// The text of all pages of one revision.
struct PagesText {
    count: u32,
    runs: Vec<TextRun>,
    lines: Vec<Line>,
    rules: Vec<Rule>,
    rows: Vec<Line>,
    /// Pages whose text is all a scan's OCR layer.
    ocr_pages: Vec<u32>,
    /// What could not be read, page by page.
    problems: Vec<pages::Problem>,
}

fn extract_pages(
    doc: &Document,
    bytes: &[u8],
    page_ids: &[ObjectId],
    limits: &Limits,
    budget: &mut Budget,
) -> Result<PagesText, ExtractError> {
    let hidden_groups = hidden_optional_content(doc);
    let mut fonts = FontCache::new();
    let mut out = PagesText {
        count: page_ids.len() as u32,
        runs: Vec::new(),
        lines: Vec::new(),
        rules: Vec::new(),
        rows: Vec::new(),
        ocr_pages: Vec::new(),
        problems: Vec::new(),
    };
    for (&page_id, number) in page_ids.iter().zip(1u32..) {
        budget.check_time()?;
        let Ok(page) = doc.get_dictionary(page_id) else {
            out.problems
                .push(pages::unreadable_page(number, page_id, bytes));
            continue;
        };
        let geometry = PageGeometry::of(doc, page);
        let (content, problems) = pages::page_content(doc, bytes, page, number, limits)?;
        budget.charge_bytes(content.len())?;
        out.problems.extend(problems);
        let resources = inherited(doc, page, b"Resources").and_then(|o| o.as_dict().ok());
        let mut paint = Interpreter::new(doc, limits, budget, &mut fonts, &hidden_groups)
            .run_page(&content, resources, geometry.ctm)?;
        for rule in &mut paint.rulings {
            rule.page = number;
        }
        let judged = visibility::judge(&paint, &geometry.crop, number, budget)?;
        if judged.ocr_layer {
            out.ocr_pages.push(number);
        }
        let runs = judged.runs;
        let refs: Vec<&TextRun> = runs.iter().collect();
        let lines = layout::lines(&refs, &paint.rulings);
        out.rows.extend(layout::rows(&lines, &paint.rulings));
        out.lines.extend(lines);
        out.runs.extend(runs);
        out.rules.extend(paint.rulings);
    }
    Ok(out)
}

/// Where a page's content lands on the displayed page.
struct PageGeometry {
    /// Maps user space to displayed-page space.
    ctm: Matrix,
    /// The crop box in displayed-page space.
    crop: Rect,
}

impl PageGeometry {
    fn of(doc: &Document, page: &Dictionary) -> PageGeometry {
        let letter = [0.0, 0.0, 612.0, 792.0];
        let media = inherited(doc, page, b"MediaBox")
            .and_then(|o| as_rect(doc, o))
            .unwrap_or(letter);
        let crop = inherited(doc, page, b"CropBox")
            .and_then(|o| as_rect(doc, o))
            .and_then(|c| {
                let c = Rect::from_corners(c[0], c[1], c[2], c[3]);
                let m = Rect::from_corners(media[0], media[1], media[2], media[3]);
                c.intersect(&m).filter(|r| r.area() > 0.0)
            })
            .unwrap_or(Rect::from_corners(media[0], media[1], media[2], media[3]));
        let rotate = inherited(doc, page, b"Rotate")
            .and_then(as_f32)
            .map_or(0, |r| (r as i64).rem_euclid(360));
        let (w, h) = (crop.width(), crop.height());
        let rotation = match rotate {
            90 => Matrix([0.0, -1.0, 1.0, 0.0, 0.0, w]),
            180 => Matrix([-1.0, 0.0, 0.0, -1.0, w, h]),
            270 => Matrix([0.0, 1.0, -1.0, 0.0, h, 0.0]),
            _ => Matrix::IDENTITY,
        };
        let (dw, dh) = if matches!(rotate, 90 | 270) {
            (h, w)
        } else {
            (w, h)
        };
        PageGeometry {
            ctm: Matrix::translate(-crop.x0, -crop.y0).then(&rotation),
            crop: Rect::from_corners(0.0, 0.0, dw, dh),
        }
    }
}

/// A page attribute, looked up the page tree as the specification allows
/// for `Resources`, `MediaBox`, `CropBox` and `Rotate`.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_PARENT_DEPTH {
        if let Some(value) = dict_get(doc, node, key) {
            return Some(value);
        }
        node = dict_get(doc, node, b"Parent")?.as_dict().ok()?;
    }
    None
}

/// Optional content groups that the default configuration turns off.
fn hidden_optional_content(doc: &Document) -> HashSet<ObjectId> {
    let Some(properties) = doc
        .catalog()
        .ok()
        .and_then(|c| dict_get(doc, c, b"OCProperties"))
        .and_then(|o| o.as_dict().ok())
    else {
        return HashSet::new();
    };
    let refs = |dict: &Dictionary, key: &[u8]| -> HashSet<ObjectId> {
        dict_get(doc, dict, key)
            .and_then(|o| o.as_array().ok())
            .map(|a| a.iter().filter_map(|o| o.as_reference().ok()).collect())
            .unwrap_or_default()
    };
    let Some(default) = dict_get(doc, properties, b"D").and_then(|o| o.as_dict().ok()) else {
        return HashSet::new();
    };
    let base_off = dict_get(doc, default, b"BaseState")
        .and_then(|o| o.as_name().ok())
        .is_some_and(|n| n == b"OFF");
    if base_off {
        let on = refs(default, b"ON");
        refs(properties, b"OCGs")
            .into_iter()
            .filter(|id| !on.contains(id))
            .collect()
    } else {
        refs(default, b"OFF")
    }
}

/// Extracts the rows of every earlier revision of an incrementally updated
/// file: each `%%EOF` but the last ends a revision, loadable on its own.
/// A linearized file's first `%%EOF` ends its first-page section, not a
/// revision, and is skipped. Revisions whose rows equal the next
/// revision's are dropped.
fn prior_revisions(
    bytes: &[u8],
    limits: &Limits,
    budget: &mut Budget,
    current_rows: &[Line],
) -> Result<Vec<Revision>, ExtractError> {
    let mut ends: Vec<usize> = memchr::memmem::find_iter(bytes, b"%%EOF")
        .map(|at| at + 5)
        .collect();
    ends.pop(); // the current revision
    let linearized =
        memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"/Linearized").is_some();
    if linearized && !ends.is_empty() {
        ends.remove(0);
    }
    if ends.len() > limits.max_revisions {
        ends.drain(..ends.len() - limits.max_revisions);
    }
    let mut revisions = Vec::new();
    for (index, end) in ends.iter().enumerate() {
        // Loading a revision is work on the same file: it counts against
        // the file's time like its pages do.
        budget.check_time()?;
        let Ok(doc) = load(&bytes[..*end], limits) else {
            continue; // a damaged earlier revision hides nothing we can read
        };
        let Ok(page_ids) = pages::page_tree(&doc, limits) else {
            continue;
        };
        let pages = extract_pages(&doc, &bytes[..*end], &page_ids, limits, budget)?;
        revisions.push(Revision {
            number: index as u32 + 1,
            byte_len: *end as u64,
            lines: pages.lines,
            rules: pages.rules,
            rows: pages.rows,
        });
    }
    // Keep a revision only where it differs from the one after it.
    let mut kept: Vec<Revision> = Vec::new();
    for (i, revision) in revisions.iter().enumerate() {
        let next_rows = revisions.get(i + 1).map_or(current_rows, |r| &r.rows);
        if revision.rows != next_rows {
            kept.push(revision.clone());
        }
    }
    Ok(kept)
}
