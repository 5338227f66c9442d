//! Writes synthetic PDFs with lopdf: pages of positioned text, filled
//! boxes, table rules and images in one of four font set-ups, packed
//! plainly, with Flate, with chained filters or in object streams, plus the
//! hidden layers councils leak through (metadata, annotations, earlier
//! revisions, encryption) and the OCR layer of a searchable scan.
//!
//! A [`Page`] records drawing operations, not bytes, so that fonts whose
//! codes are assigned per document (TrueType with a ToUnicode CMap, Type0
//! Identity-H) can see every character of every page, and every revision,
//! before any string is encoded. Each text operation also records what the
//! extractor must report for it ([`DrawnText`]): the fixture tests compare
//! the two exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, dictionary};

use crate::extract::pdf::helvetica_advance;
use crate::model::Visibility;

/// A4 portrait in points.
pub const A4: [f32; 4] = [0.0, 0.0, 595.0, 842.0];

/// How the document's font encodes text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontKind {
    /// Unembedded Helvetica, `/WinAnsiEncoding`, no `/Widths`.
    Type1WinAnsi,
    /// Helvetica with a `/Differences` array moving lower-case letters to
    /// codes 128..153, and explicit `/Widths`.
    Type1Differences,
    /// A TrueType font whose codes are assigned per document, readable only
    /// through its `/ToUnicode` CMap.
    TrueTypeToUnicode,
    /// A Type0 font, `/Identity-H`, two-byte CIDs assigned per document, a
    /// ToUnicode CMap mixing `bfchar`, incrementing `bfrange` and array
    /// `bfrange` entries.
    Type0IdentityH,
}

impl FontKind {
    /// Every kind, for generators that cycle through them.
    pub const ALL: [FontKind; 4] = [
        FontKind::Type1WinAnsi,
        FontKind::Type1Differences,
        FontKind::TrueTypeToUnicode,
        FontKind::Type0IdentityH,
    ];
}

/// How streams and objects are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    /// Uncompressed streams, classic cross-reference table.
    Plain,
    /// Flate-compressed streams, classic cross-reference table.
    Flate,
    /// Content streams filtered `[/ASCIIHexDecode /FlateDecode]`.
    HexFlate,
    /// Flate streams, objects in compressed object streams, a
    /// cross-reference stream.
    ObjectStreams,
}

/// How a piece of text is inked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ink {
    /// Black fill.
    Black,
    /// White fill (`1 g`).
    White,
    /// Text render mode 3: neither filled nor stroked.
    Invisible,
}

/// What an image XObject shows. The pixels are generated stand-ins: the
/// extractor reads where an image lies, never what it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Raster {
    /// A scanned page: grey paper noise.
    Scan,
    /// Solid black: a "redaction" pasted on as a picture.
    Black,
}

impl Raster {
    /// The image's name in the page resources.
    fn name(self) -> &'static str {
        match self {
            Raster::Scan => "Scan",
            Raster::Black => "Black",
        }
    }

    /// An 8-bit DeviceGray image stream.
    fn stream(self) -> Stream {
        let (width, height, pixels): (i64, i64, Vec<u8>) = match self {
            Raster::Scan => {
                // A fixed linear congruential sequence: the same bytes every run.
                let mut state: u32 = 0x2545_F491;
                let pixels = (0..60 * 85)
                    .map(|_| {
                        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        200 + (state >> 24) as u8 % 56
                    })
                    .collect();
                (60, 85, pixels)
            }
            Raster::Black => (4, 4, vec![0; 16]),
        };
        Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => width,
                "Height" => height,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            pixels,
        )
    }
}

/// How a searchable scan carries its recognised text: a page-sized image
/// of the page, and the text where the image prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcrLayer {
    /// The text first, then the page image painted over it.
    UnderImage,
    /// The page image first, then the text over it in render mode 3.
    InvisibleOverImage,
    /// As Tesseract's PDF renderer (OCRmyPDF's default) writes it: the page
    /// image holds the ruling lines, and over it each word is shown alone
    /// in render mode 3, in a glyphless font whose glyphs are all half an
    /// em wide, at the height of its ink, followed by a space and stretched so
    /// that the word and its space fill the word's box in the image.
    WordBoxes,
}

/// The font size of an OCR layer's words, in the printed text's sizes:
/// the height of the words' ink, a little under the printed size.
const OCR_TEXT_HEIGHT: f32 = 0.9;
/// The advance of every glyph of the glyphless font, in ems.
const GLYPHLESS_ADVANCE: f32 = 0.5;

/// A text operation as the extractor must report it.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnText {
    /// 1-based page.
    pub page: u32,
    /// Left edge of the first glyph.
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// Font size.
    pub size: f32,
    /// The text.
    pub text: String,
    /// What a reader sees of it.
    pub visibility: Visibility,
}

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        ink: Ink,
    },
    Fill {
        rect: [f32; 4],
        grey: f32,
    },
    Rule {
        from: (f32, f32),
        to: (f32, f32),
    },
    /// An image stretched over `rect` (`[x, y, width, height]`).
    Image {
        rect: [f32; 4],
        raster: Raster,
    },
    /// One word of an OCR layer (see [`OcrLayer::WordBoxes`]), `width` the
    /// width of its box in the image.
    OcrWord {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        width: f32,
    },
    /// Everything drawn until the matching `EndClip` is clipped to `rect`.
    Clip {
        rect: [f32; 4],
    },
    EndClip,
}

/// One page's drawing operations, in paint order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    ops: Vec<Op>,
    drawn: Vec<(f32, f32, f32, String, Visibility)>,
    annotations: Vec<(String, [f32; 4])>,
}

impl Page {
    /// An empty page.
    pub fn new() -> Page {
        Page::default()
    }

    /// Black text with its baseline at `(x, y)`, seen by a reader.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.text_as(x, y, size, text, Ink::Black, Visibility::Visible);
    }

    /// Text inked with `ink`; `visibility` is what the extractor must
    /// conclude (white text on a dark bar is visible, black text under a
    /// later box is covered).
    pub fn text_as(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        text: &str,
        ink: Ink,
        visibility: Visibility,
    ) {
        self.ops.push(Op::Text {
            x,
            y,
            size,
            text: text.to_owned(),
            ink,
        });
        self.drawn.push((x, y, size, text.to_owned(), visibility));
    }

    /// A filled rectangle `[x, y, width, height]` in grey level `grey`
    /// (0 black, 1 white).
    pub fn fill(&mut self, rect: [f32; 4], grey: f32) {
        self.ops.push(Op::Fill { rect, grey });
    }

    /// An image stretched over `rect` (`[x, y, width, height]`).
    pub fn image(&mut self, rect: [f32; 4], raster: Raster) {
        self.ops.push(Op::Image { rect, raster });
    }

    /// Makes the page a searchable scan of itself: a scan image over
    /// `rect` (the whole page) and the page's text as its OCR layer, laid
    /// out as `layer` says. The expected visibilities stay as drawn: an
    /// OCR layer is what a reader sees, as the scan.
    pub fn scan(&mut self, rect: [f32; 4], layer: OcrLayer) {
        let image = Op::Image {
            rect,
            raster: Raster::Scan,
        };
        match layer {
            OcrLayer::UnderImage => self.ops.push(image),
            OcrLayer::InvisibleOverImage => {
                for op in &mut self.ops {
                    if let Op::Text { ink, .. } = op {
                        *ink = Ink::Invisible;
                    }
                }
                self.ops.insert(0, image);
            }
            OcrLayer::WordBoxes => self.word_boxes(image),
        }
    }

    /// The page as an image with [`OcrLayer::WordBoxes`] over it: every
    /// text becomes its words, each where the text printed it; the ruling
    /// lines are the image's.
    fn word_boxes(&mut self, image: Op) {
        let mut ops = vec![image];
        let mut drawn = Vec::new();
        let mut texts = self.drawn.iter();
        for op in self.ops.drain(..) {
            let Op::Text {
                x, y, size, text, ..
            } = op
            else {
                if !matches!(op, Op::Rule { .. }) {
                    ops.push(op);
                }
                continue;
            };
            let visibility = texts.next().map_or(Visibility::Visible, |d| d.4);
            let height = size * OCR_TEXT_HEIGHT;
            let mut at = x;
            for word in text.split(' ') {
                let width = text_width(word, size);
                if !word.is_empty() {
                    ops.push(Op::OcrWord {
                        x: at,
                        y,
                        size: height,
                        text: word.to_owned(),
                        width,
                    });
                    drawn.push((at, y, height, word.to_owned(), visibility));
                }
                at += width + text_width(" ", size);
            }
        }
        self.ops = ops;
        self.drawn = drawn;
    }

    /// A thin stroked line.
    pub fn rule(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.ops.push(Op::Rule { from, to });
    }

    /// Clips what follows to `rect` until [`Page::end_clip`].
    pub fn clip(&mut self, rect: [f32; 4]) {
        self.ops.push(Op::Clip { rect });
    }

    /// Ends the innermost clip.
    pub fn end_clip(&mut self) {
        self.ops.push(Op::EndClip);
    }

    /// A text annotation (a sticky note) holding `contents`.
    pub fn annotate(&mut self, contents: &str, rect: [f32; 4]) {
        self.annotations.push((contents.to_owned(), rect));
    }

    /// The extractor's expected runs for this page.
    pub fn drawn(&self, page: u32) -> Vec<DrawnText> {
        self.drawn
            .iter()
            .map(|(x, y, size, text, visibility)| DrawnText {
                page,
                x: *x,
                y: *y,
                size: *size,
                text: text.clone(),
                visibility: *visibility,
            })
            .collect()
    }
}

/// The font of an OCR layer's words: every glyph half an em wide and
/// never drawn.
fn glyphless_font(doc: &mut Document) -> ObjectId {
    let advance = (GLYPHLESS_ADVANCE * 1000.0) as i64;
    let widths: Vec<Object> = (32..=255).map(|_| Object::Integer(advance)).collect();
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "TrueType",
        "BaseFont" => "GlyphLessFont",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => widths,
        "Encoding" => "WinAnsiEncoding",
    })
}

/// Width of `text` at `size` in the generator's (Helvetica) metrics.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| winansi_code(c).map_or(0.556, helvetica_advance))
        .sum::<f32>()
        * size
}

fn winansi_code(c: char) -> Option<u8> {
    pdf_encoding::Encoding::WinAnsiEncoding
        .reverse_map()
        .and_then(|map| map.get(u32::from(c)))
}

/// Everything about a document except its pages.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Font set-up.
    pub font: FontKind,
    /// Stream and object packing.
    pub packing: Packing,
    /// Media box of every page.
    pub media_box: [f32; 4],
    /// Crop box, if different from the media box.
    pub crop_box: Option<[f32; 4]>,
    /// Info dictionary entries.
    pub info: Vec<(String, String)>,
    /// `dc:description` of an XMP metadata stream, if any.
    pub xmp_description: Option<String>,
}

impl Spec {
    /// A4, plain packing, the given font, a producer in Info.
    pub fn new(font: FontKind) -> Spec {
        Spec {
            font,
            packing: Packing::Flate,
            media_box: A4,
            crop_box: None,
            info: vec![("Producer".into(), "sopncheck-synth".into())],
            xmp_description: None,
        }
    }
}

/// Writes `pages` as a PDF.
pub fn write(spec: &Spec, pages: &[Page]) -> Vec<u8> {
    let mut encoder = Encoder::new(spec.font, pages.iter());
    let (mut doc, _) = build(spec, pages, &mut encoder, &rasters(pages.iter()));
    save(&mut doc, spec.packing)
}

/// Writes `first` as a PDF, then appends an incremental update in which
/// page `index` (0-based) is replaced by `replacement`: the file keeps
/// both revisions, as an edited-and-resaved notice does.
pub fn write_with_update(spec: &Spec, first: &[Page], index: usize, replacement: &Page) -> Vec<u8> {
    let every_page = || first.iter().chain(std::iter::once(replacement));
    let mut encoder = Encoder::new(spec.font, every_page());
    let (mut doc, page_ids) = build(spec, first, &mut encoder, &rasters(every_page()));
    let bytes = save(&mut doc, spec.packing);
    let Some(&page_id) = page_ids.get(index) else {
        return bytes;
    };
    let Ok(previous) = Document::load_mem(&bytes) else {
        return bytes;
    };
    let mut update = IncrementalDocument::create_from(bytes.clone(), previous);
    if update.opt_clone_object_to_new_document(page_id).is_err() {
        return bytes;
    }
    let content = content_stream(replacement, &encoder, spec.packing);
    let content_id = update.new_document.add_object(content);
    if let Ok(Object::Dictionary(page)) = update.new_document.get_object_mut(page_id) {
        page.set("Contents", content_id);
    }
    let mut out = Vec::new();
    match update.save_to(&mut out) {
        Ok(()) => out,
        Err(_) => bytes,
    }
}

/// Encrypts a PDF (RC4, 128-bit) so that it opens with `user_password`;
/// councils often publish PDFs "protected" with an empty one.
pub fn encrypt(bytes: &[u8], user_password: &str) -> Vec<u8> {
    let Ok(mut doc) = Document::load_mem(bytes) else {
        return bytes.to_vec();
    };
    if !doc.trailer.has(b"ID") {
        let id = Object::string_literal(b"sopncheck-synth0".to_vec());
        doc.trailer.set("ID", vec![id.clone(), id]);
    }
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "council-owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    };
    let Ok(state) = lopdf::EncryptionState::try_from(version) else {
        return bytes.to_vec();
    };
    if doc.encrypt(&state).is_err() {
        return bytes.to_vec();
    }
    save(&mut doc, Packing::Plain)
}

fn save(doc: &mut Document, packing: Packing) -> Vec<u8> {
    let mut out = Vec::new();
    let result = match packing {
        Packing::ObjectStreams => doc.save_with_options(
            &mut out,
            lopdf::SaveOptions::builder()
                .use_object_streams(true)
                .use_xref_streams(true)
                .build(),
        ),
        _ => doc.save_to(&mut out),
    };
    // Writing to a Vec cannot fail for I/O reasons; lopdf reports only
    // invalid documents, which this module never builds.
    debug_assert!(result.is_ok(), "lopdf refused a generated document");
    out
}

/// Every image the pages draw.
fn rasters<'a>(pages: impl Iterator<Item = &'a Page>) -> BTreeSet<Raster> {
    pages
        .flat_map(|page| &page.ops)
        .filter_map(|op| match op {
            Op::Image { raster, .. } => Some(*raster),
            _ => None,
        })
        .collect()
}

/// Builds the document; `rasters` are the images its pages (and any later
/// revision's) draw, shared by every page's resources.
fn build(
    spec: &Spec,
    pages: &[Page],
    encoder: &mut Encoder,
    rasters: &BTreeSet<Raster>,
) -> (Document, Vec<ObjectId>) {
    let mut doc = Document::with_version("1.6");
    let pages_id = doc.new_object_id();
    let font_id = encoder.font_object(&mut doc);
    let mut fonts = dictionary! { "F1" => font_id };
    let ocr_words = pages
        .iter()
        .flat_map(|page| &page.ops)
        .any(|op| matches!(op, Op::OcrWord { .. }));
    if ocr_words {
        fonts.set("F2", glyphless_font(&mut doc));
    }
    let mut resources = dictionary! { "Font" => fonts };
    if !rasters.is_empty() {
        let mut images = Dictionary::new();
        for raster in rasters {
            images.set(raster.name(), doc.add_object(raster.stream()));
        }
        resources.set("XObject", images);
    }
    let resources_id = doc.add_object(resources);
    let rect = |r: [f32; 4]| -> Object {
        r.iter()
            .map(|v| Object::Real(*v))
            .collect::<Vec<_>>()
            .into()
    };
    let mut page_ids = Vec::new();
    for page in pages {
        let content = content_stream(page, encoder, spec.packing);
        let content_id = doc.add_object(content);
        let mut dict = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources_id,
            "MediaBox" => rect(spec.media_box),
        };
        if let Some(crop) = spec.crop_box {
            dict.set("CropBox", rect(crop));
        }
        if !page.annotations.is_empty() {
            let annots: Vec<Object> = page
                .annotations
                .iter()
                .map(|(contents, r)| {
                    doc.add_object(dictionary! {
                        "Type" => "Annot",
                        "Subtype" => "Text",
                        "Rect" => rect(*r),
                        "Contents" => text_string(contents),
                    })
                    .into()
                })
                .collect();
            dict.set("Annots", annots);
        }
        page_ids.push(doc.add_object(dict));
    }
    let kids: Vec<Object> = page_ids.iter().map(|id| (*id).into()).collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => page_ids.len() as i64,
        }),
    );
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if let Some(description) = &spec.xmp_description {
        let xmp = Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp_packet(description).into_bytes(),
        );
        catalog.set("Metadata", doc.add_object(xmp));
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    let mut info = Dictionary::new();
    for (key, value) in &spec.info {
        info.set(key.as_bytes().to_vec(), text_string(value));
    }
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", info_id);
    if matches!(spec.packing, Packing::Flate | Packing::ObjectStreams) {
        doc.compress();
    }
    (doc, page_ids)
}

/// A PDF text string: PDFDocEncoding for ASCII, UTF-16BE with a BOM otherwise.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::string_literal(text.as_bytes().to_vec());
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::string_literal(bytes)
}

fn xmp_packet(description: &str) -> String {
    let escaped = description
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
         <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{escaped}</rdf:li></rdf:Alt></dc:description>\n\
         </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
}

fn content_stream(page: &Page, encoder: &Encoder, packing: Packing) -> Stream {
    let mut content = String::new();
    for op in &page.ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                text,
                ink,
            } => {
                let (colour, mode) = match ink {
                    Ink::Black => ("0 g", 0),
                    Ink::White => ("1 g", 0),
                    Ink::Invisible => ("0 g", 3),
                };
                let _ = writeln!(
                    content,
                    "q {colour} BT {mode} Tr /F1 {size} Tf 1 0 0 1 {x} {y} Tm {} Tj ET Q",
                    encoder.encode(text)
                );
            }
            Op::Fill { rect, grey } => {
                let [x, y, w, h] = rect;
                let _ = writeln!(content, "q {grey} g {x} {y} {w} {h} re f Q");
            }
            Op::Rule { from, to } => {
                let _ = writeln!(
                    content,
                    "q 0.5 w 0 G {} {} m {} {} l S Q",
                    from.0, from.1, to.0, to.1
                );
            }
            Op::Image { rect, raster } => {
                let [x, y, w, h] = rect;
                let name = raster.name();
                let _ = writeln!(content, "q {w} 0 0 {h} {x} {y} cm /{name} Do Q");
            }
            Op::OcrWord {
                x,
                y,
                size,
                text,
                width,
            } => {
                let mut hex = String::new();
                for c in text.chars().chain([' ']) {
                    let _ = write!(hex, "{:02X}", winansi_code(c).unwrap_or(b'?'));
                }
                let glyphs = text.chars().count() + 1;
                let stretch = width / (GLYPHLESS_ADVANCE * size * glyphs as f32);
                let _ = writeln!(
                    content,
                    "q BT 3 Tr /F2 {size} Tf {stretch} 0 0 1 {x} {y} Tm <{hex}> Tj ET Q"
                );
            }
            Op::Clip { rect } => {
                let [x, y, w, h] = rect;
                let _ = writeln!(content, "q {x} {y} {w} {h} re W n");
            }
            Op::EndClip => content.push_str("Q\n"),
        }
    }
    let bytes = content.into_bytes();
    if packing != Packing::HexFlate {
        return Stream::new(Dictionary::new(), bytes);
    }
    let mut deflater = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let deflated = deflater
        .write_all(&bytes)
        .and_then(|()| deflater.finish())
        .unwrap_or_default();
    let mut hex = String::with_capacity(deflated.len() * 2 + 1);
    for byte in deflated {
        let _ = write!(hex, "{byte:02X}");
    }
    hex.push('>');
    let filters: Vec<Object> = vec!["ASCIIHexDecode".into(), "FlateDecode".into()];
    let mut stream = Stream::new(dictionary! { "Filter" => filters }, hex.into_bytes());
    stream.allows_compression = false;
    stream
}

/// Turns text into the string operands of one font set-up.
struct Encoder {
    kind: FontKind,
    /// Character to code, for the kinds that assign codes per document.
    codes: BTreeMap<char, u16>,
}

impl Encoder {
    fn new<'a>(kind: FontKind, pages: impl Iterator<Item = &'a Page>) -> Encoder {
        let mut codes = BTreeMap::new();
        let first_code: u16 = match kind {
            FontKind::TrueTypeToUnicode => 33,
            _ => 1,
        };
        for op in pages.flat_map(|page| &page.ops) {
            if let Op::Text { text, .. } = op {
                for c in text.chars() {
                    let next = first_code + codes.len() as u16;
                    if kind == FontKind::TrueTypeToUnicode && c == ' ' {
                        continue;
                    }
                    // A one-byte font holds at most 223 assigned codes;
                    // generated notices use far fewer distinct characters.
                    if kind != FontKind::TrueTypeToUnicode || next <= 255 {
                        codes.entry(c).or_insert(next);
                    }
                }
            }
        }
        Encoder { kind, codes }
    }

    /// The string operand for `text`: a literal string for one-byte fonts,
    /// a hex string for Type0.
    fn encode(&self, text: &str) -> String {
        if self.kind == FontKind::Type0IdentityH {
            let mut out = String::from("<");
            for c in text.chars() {
                let _ = write!(out, "{:04X}", self.codes.get(&c).copied().unwrap_or(0));
            }
            out.push('>');
            return out;
        }
        let mut out = String::from("(");
        for c in text.chars() {
            let code = self.byte_code(c);
            match code {
                b'(' | b')' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(code));
                }
                0x20..=0x7E => out.push(char::from(code)),
                _ => {
                    let _ = write!(out, "\\{code:03o}");
                }
            }
        }
        out.push(')');
        out
    }

    fn byte_code(&self, c: char) -> u8 {
        match self.kind {
            FontKind::Type1Differences if c.is_ascii_lowercase() => 128 + (c as u8 - b'a'),
            FontKind::TrueTypeToUnicode if c == ' ' => 32,
            FontKind::TrueTypeToUnicode => self
                .codes
                .get(&c)
                .and_then(|code| u8::try_from(*code).ok())
                .unwrap_or(b'?'),
            _ => winansi_code(c).unwrap_or(b'?'),
        }
    }

    /// Adds the font (and its descendant, descriptor and CMap) to `doc`.
    fn font_object(&self, doc: &mut Document) -> ObjectId {
        match self.kind {
            FontKind::Type1WinAnsi => doc.add_object(dictionary! {
                "Type" => "Font",
                "Subtype" => "Type1",
                "BaseFont" => "Helvetica",
                "Encoding" => "WinAnsiEncoding",
            }),
            FontKind::Type1Differences => {
                let mut differences: Vec<Object> = vec![128.into()];
                differences.extend((b'a'..=b'z').map(|c| Object::Name(vec![c])));
                let widths: Vec<Object> = (32..=255u8)
                    .map(|code| {
                        let advance = match code {
                            128..=153 => helvetica_advance(code - 128 + b'a'),
                            _ => helvetica_advance(code),
                        };
                        Object::Integer((advance * 1000.0).round() as i64)
                    })
                    .collect();
                doc.add_object(dictionary! {
                    "Type" => "Font",
                    "Subtype" => "Type1",
                    "BaseFont" => "Helvetica",
                    "FirstChar" => 32,
                    "LastChar" => 255,
                    "Widths" => widths,
                    "Encoding" => dictionary! {
                        "Type" => "Encoding",
                        "BaseEncoding" => "WinAnsiEncoding",
                        "Differences" => differences,
                    },
                })
            }
            FontKind::TrueTypeToUnicode => {
                let last = self.codes.values().max().copied().unwrap_or(32).max(32);
                let widths: Vec<Object> = (32..=last)
                    .map(|code| {
                        let c = if code == 32 {
                            Some(' ')
                        } else {
                            self.codes
                                .iter()
                                .find(|(_, v)| **v == code)
                                .map(|(c, _)| *c)
                        };
                        Object::Integer(c.map_or(0, width_units))
                    })
                    .collect();
                let descriptor = doc.add_object(font_descriptor());
                let cmap = doc.add_object(Stream::new(Dictionary::new(), self.to_unicode(1)));
                doc.add_object(dictionary! {
                    "Type" => "Font",
                    "Subtype" => "TrueType",
                    "BaseFont" => "ArialMT",
                    "FirstChar" => 32,
                    "LastChar" => i64::from(last),
                    "Widths" => widths,
                    "FontDescriptor" => descriptor,
                    "ToUnicode" => cmap,
                })
            }
            FontKind::Type0IdentityH => {
                let mut by_cid: Vec<(u16, char)> =
                    self.codes.iter().map(|(c, v)| (*v, *c)).collect();
                by_cid.sort_unstable();
                let mut w: Vec<Object> = Vec::new();
                for (cid, c) in &by_cid {
                    w.push(i64::from(*cid).into());
                    w.push(vec![Object::Integer(width_units(*c))].into());
                }
                let descriptor = doc.add_object(font_descriptor());
                let descendant = doc.add_object(dictionary! {
                    "Type" => "Font",
                    "Subtype" => "CIDFontType2",
                    "BaseFont" => "ArialMT",
                    "CIDSystemInfo" => dictionary! {
                        "Registry" => Object::string_literal("Adobe"),
                        "Ordering" => Object::string_literal("Identity"),
                        "Supplement" => 0,
                    },
                    "FontDescriptor" => descriptor,
                    "DW" => 1000,
                    "W" => w,
                });
                let cmap = doc.add_object(Stream::new(Dictionary::new(), self.to_unicode(2)));
                doc.add_object(dictionary! {
                    "Type" => "Font",
                    "Subtype" => "Type0",
                    "BaseFont" => "ArialMT",
                    "Encoding" => "Identity-H",
                    "DescendantFonts" => vec![Object::from(descendant)],
                    "ToUnicode" => cmap,
                })
            }
        }
    }

    /// A ToUnicode CMap for the assigned codes, `code_len` bytes each.
    /// Codes are split into blocks of eight: incrementing `bfrange` entries
    /// where the Unicode values run consecutively, array-form `bfrange`
    /// for every other block, and `bfchar` for the rest.
    fn to_unicode(&self, code_len: usize) -> Vec<u8> {
        let mut pairs: Vec<(u16, char)> = self.codes.iter().map(|(c, v)| (*v, *c)).collect();
        pairs.sort_unstable();
        let hex = |code: u16| {
            if code_len == 1 {
                format!("<{code:02X}>")
            } else {
                format!("<{code:04X}>")
            }
        };
        let utf16 = |c: char| {
            let mut units = [0u16; 2];
            c.encode_utf16(&mut units)
                .iter()
                .fold(String::from("<"), |mut s, u| {
                    let _ = write!(s, "{u:04X}");
                    s
                })
                + ">"
        };
        let mut chars = String::new();
        let mut ranges = String::new();
        let (mut char_count, mut range_count) = (0, 0);
        for (block, chunk) in pairs.chunks(8).enumerate() {
            let consecutive = chunk
                .windows(2)
                .all(|w| w[1].0 == w[0].0 + 1 && u32::from(w[1].1) == u32::from(w[0].1) + 1);
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                continue;
            };
            if consecutive && chunk.len() > 1 {
                let _ = writeln!(
                    ranges,
                    "{} {} {}",
                    hex(first.0),
                    hex(last.0),
                    utf16(first.1)
                );
                range_count += 1;
            } else if block % 2 == 0 && chunk.windows(2).all(|w| w[1].0 == w[0].0 + 1) {
                let targets: Vec<String> = chunk.iter().map(|(_, c)| utf16(*c)).collect();
                let _ = writeln!(
                    ranges,
                    "{} {} [{}]",
                    hex(first.0),
                    hex(last.0),
                    targets.join(" ")
                );
                range_count += 1;
            } else {
                for (code, c) in chunk {
                    let _ = writeln!(chars, "{} {}", hex(*code), utf16(*c));
                    char_count += 1;
                }
            }
        }
        let (low, high) = if code_len == 1 {
            ("<00>", "<FF>")
        } else {
            ("<0000>", "<FFFF>")
        };
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
        );
        let _ = writeln!(
            out,
            "1 begincodespacerange\n{low} {high}\nendcodespacerange"
        );
        if char_count > 0 {
            let _ = write!(out, "{char_count} beginbfchar\n{chars}endbfchar\n");
        }
        if range_count > 0 {
            let _ = write!(out, "{range_count} beginbfrange\n{ranges}endbfrange\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out.into_bytes()
    }
}

fn width_units(c: char) -> i64 {
    (text_width(&c.to_string(), 1.0) * 1000.0).round() as i64
}

fn font_descriptor() -> Dictionary {
    dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "ArialMT",
        "Flags" => 32,
        "FontBBox" => vec![(-665).into(), (-325).into(), 2000.into(), 1040.into()],
        "ItalicAngle" => 0,
        "Ascent" => 905,
        "Descent" => -212,
        "CapHeight" => 716,
        "StemV" => 80,
    }
}
