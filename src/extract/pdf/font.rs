//! Fonts: from a font dictionary to, for each character code in a shown
//! string, the Unicode text a reader would copy and the glyph's advance.
//!
//! [`Font::load`] resolves everything once per font object (the page
//! interpreter caches fonts by object id); [`Font::glyphs`] is then the hot
//! path, a table lookup per code with no allocation for simple fonts.
//! Priorities follow what readers do when copying text: a `/ToUnicode` CMap
//! wins, then the glyph names of `/Differences`, then the base encoding
//! (WinAnsi, MacRoman, Standard). Widths come from `/Widths` (simple fonts),
//! `/W` and `/DW` (CID fonts) or, for the standard 14 fonts that carry none,
//! built-in metrics. Type3 widths are scaled by the font's `/FontMatrix`.
//!
//! This module does not read font programs (`/FontFile*`): a font whose only
//! mapping to Unicode is inside its embedded program decodes by its base
//! encoding, as far as that goes.

use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::objects::{as_f32, dict_get, name_of, resolve, stream_bytes};

/// One decoded character code, borrowed for the duration of a callback.
#[derive(Debug, Clone, Copy)]
pub struct Glyph<'a> {
    /// What a reader copies for this code (may be empty).
    pub text: &'a str,
    /// Horizontal advance in text space units (glyph width / 1000 for most fonts).
    pub advance: f32,
    /// True for the single-byte code 32, to which word spacing (`Tw`) applies.
    pub is_word_space: bool,
}

/// A font ready for decoding.
#[derive(Debug)]
pub enum Font {
    /// Single-byte fonts: Type1, TrueType, Type3, MMType1.
    Simple(SimpleFont),
    /// Type0 fonts with a CID descendant.
    Composite(Box<CompositeFont>),
}

/// Code-to-Unicode and width tables of a simple (single-byte) font.
#[derive(Debug)]
pub struct SimpleFont {
    /// `pool[spans[code].0 ..][.. spans[code].1]` is the code's text.
    spans: Box<[(u32, u8); 256]>,
    pool: String,
    advances: Box<[f32; 256]>,
}

/// Tables of a composite (Type0) font.
#[derive(Debug)]
pub struct CompositeFont {
    encoding: CMap,
    to_unicode: Option<CMap>,
    /// Sorted `(first_cid, last_cid, advance)` from `/W`.
    widths: Vec<(u32, u32, f32)>,
    default_advance: f32,
}

/// Largest number of `/W` entries kept for one CID font.
const MAX_WIDTH_ENTRIES: usize = 65_536;

impl Font {
    /// Builds a font from its dictionary. Never fails: a font with broken
    /// parts decodes what it can (a missing table falls back to the base
    /// encoding and to default metrics).
    pub fn load(doc: &Document, font: &Dictionary, max_stream_bytes: usize) -> Font {
        let subtype = dict_get(doc, font, b"Subtype")
            .and_then(name_of)
            .unwrap_or(b"Type1");
        let to_unicode = dict_get(doc, font, b"ToUnicode")
            .and_then(|o| stream_bytes(doc, o, max_stream_bytes))
            .map(|bytes| CMap::parse(&bytes))
            .filter(|cmap| !cmap.is_empty());
        if subtype == b"Type0" {
            Font::Composite(Box::new(CompositeFont::load(
                doc,
                font,
                to_unicode,
                max_stream_bytes,
            )))
        } else {
            Font::Simple(SimpleFont::load(doc, font, subtype, to_unicode))
        }
    }

    /// The font used when a `Tf` names no usable font: WinAnsi with Helvetica metrics.
    pub fn fallback() -> Font {
        Font::Simple(SimpleFont::build(
            |code, out| push_base_char(BaseEncoding::WinAnsi, code, out),
            |code| standard_advance(StandardFamily::Helvetica, code),
        ))
    }

    /// Calls `each` for every character code in `bytes`, in order.
    pub fn glyphs(&self, bytes: &[u8], mut each: impl FnMut(Glyph<'_>)) {
        match self {
            Font::Simple(font) => {
                for &code in bytes {
                    let (start, len) = font.spans[code as usize];
                    let text = font
                        .pool
                        .get(start as usize..start as usize + len as usize)
                        .unwrap_or("");
                    each(Glyph {
                        text,
                        advance: font.advances[code as usize],
                        is_word_space: code == b' ',
                    });
                }
            }
            Font::Composite(font) => {
                let mut rest = bytes;
                let mut text = String::new();
                while let Some((code, len)) = font.encoding.next_code(rest, 2) {
                    if len == 0 {
                        break;
                    }
                    rest = rest.get(len..).unwrap_or_default();
                    let cid = font.encoding.cid(code).unwrap_or(code);
                    text.clear();
                    let mapped = font
                        .to_unicode
                        .as_ref()
                        .is_some_and(|cmap| cmap.unicode(code, &mut text));
                    if !mapped {
                        // No ToUnicode entry: best effort, the CID read as a code point.
                        if let Some(c) = char::from_u32(cid).filter(|c| !c.is_control()) {
                            text.push(c);
                        }
                    }
                    each(Glyph {
                        text: &text,
                        advance: font.advance_of(cid),
                        is_word_space: len == 1 && code == u32::from(b' '),
                    });
                }
            }
        }
    }
}

impl SimpleFont {
    fn load(
        doc: &Document,
        font: &Dictionary,
        subtype: &[u8],
        to_unicode: Option<CMap>,
    ) -> SimpleFont {
        let base_font = dict_get(doc, font, b"BaseFont")
            .and_then(name_of)
            .unwrap_or_default();
        let family = StandardFamily::guess(base_font);
        let encoding = dict_get(doc, font, b"Encoding");
        let (base, differences) = match encoding {
            Some(Object::Name(name)) => (BaseEncoding::from_name(name, subtype, family), vec![]),
            Some(Object::Dictionary(dict)) => {
                let base = dict_get(doc, dict, b"BaseEncoding")
                    .and_then(name_of)
                    .map_or(BaseEncoding::default_for(subtype, family), |name| {
                        BaseEncoding::from_name(name, subtype, family)
                    });
                (base, differences_of(doc, dict))
            }
            _ => (BaseEncoding::default_for(subtype, family), vec![]),
        };

        // Widths: /FirstChar + /Widths, scaled by /FontMatrix for Type3.
        let scale = if subtype == b"Type3" {
            dict_get(doc, font, b"FontMatrix")
                .and_then(|o| o.as_array().ok())
                .and_then(|m| m.first())
                .and_then(as_f32)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        let first_char = dict_get(doc, font, b"FirstChar")
            .and_then(as_f32)
            .unwrap_or(0.0) as i64;
        let widths: Vec<f32> = dict_get(doc, font, b"Widths")
            .and_then(|o| o.as_array().ok())
            .map(|array| {
                array
                    .iter()
                    .take(256)
                    .map(|w| resolve(doc, w).and_then(as_f32).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let missing_width = dict_get(doc, font, b"FontDescriptor")
            .and_then(|o| o.as_dict().ok())
            .and_then(|d| dict_get(doc, d, b"MissingWidth"))
            .and_then(as_f32);

        SimpleFont::build(
            |code, out| {
                let before = out.len();
                if let Some(cmap) = &to_unicode
                    && cmap.unicode(u32::from(code), out)
                {
                    return;
                }
                out.truncate(before);
                if let Some((_, name)) = differences.iter().find(|(c, _)| *c == code)
                    && push_glyph_name(name, out)
                {
                    return;
                }
                push_base_char(base, code, out);
            },
            |code| {
                let index = i64::from(code) - first_char;
                match usize::try_from(index).ok().and_then(|i| widths.get(i)) {
                    Some(&w) => w * scale,
                    None => match missing_width {
                        Some(w) if !widths.is_empty() => w * scale,
                        _ => standard_advance(family, code),
                    },
                }
            },
        )
    }

    /// Fills the tables by asking `text_of` and `advance_of` for every code.
    fn build(
        mut text_of: impl FnMut(u8, &mut String),
        advance_of: impl Fn(u8) -> f32,
    ) -> SimpleFont {
        let mut spans = Box::new([(0u32, 0u8); 256]);
        let mut advances = Box::new([0f32; 256]);
        let mut pool = String::new();
        for code in 0..=255u8 {
            let start = pool.len();
            text_of(code, &mut pool);
            // A mapping longer than 255 bytes is cut: no real glyph maps to that much.
            let len = (pool.len() - start).min(255);
            let len = floor_char_boundary(&pool[start..], len);
            pool.truncate(start + len);
            spans[code as usize] = (start as u32, len as u8);
            advances[code as usize] = advance_of(code);
        }
        SimpleFont {
            spans,
            pool,
            advances,
        }
    }
}

/// The largest `n <= len` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, mut len: usize) -> usize {
    while len > 0 && !s.is_char_boundary(len) {
        len -= 1;
    }
    len
}

impl CompositeFont {
    fn load(
        doc: &Document,
        font: &Dictionary,
        to_unicode: Option<CMap>,
        max_stream_bytes: usize,
    ) -> CompositeFont {
        let encoding = match dict_get(doc, font, b"Encoding") {
            Some(stream @ Object::Stream(_)) => stream_bytes(doc, stream, max_stream_bytes)
                .map(|bytes| CMap::parse(&bytes))
                .filter(|cmap| !cmap.is_empty())
                .unwrap_or_else(CMap::identity),
            // Identity-H/V and the predefined CJK CMaps: two-byte codes read as CIDs.
            _ => CMap::identity(),
        };
        let descendant = dict_get(doc, font, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok());
        let default_advance = descendant
            .and_then(|d| dict_get(doc, d, b"DW"))
            .and_then(as_f32)
            .unwrap_or(1000.0)
            / 1000.0;
        let widths = descendant
            .and_then(|d| dict_get(doc, d, b"W"))
            .and_then(|o| o.as_array().ok())
            .map(|w| cid_widths(doc, w))
            .unwrap_or_default();
        CompositeFont {
            encoding,
            to_unicode,
            widths,
            default_advance,
        }
    }

    fn advance_of(&self, cid: u32) -> f32 {
        let index = self.widths.partition_point(|&(_, last, _)| last < cid);
        match self.widths.get(index) {
            Some(&(first, _, w)) if first <= cid => w,
            _ => self.default_advance,
        }
    }
}

/// Reads a `/W` array: `c [w1 w2 ...]` and `c_first c_last w` entries.
fn cid_widths(doc: &Document, array: &[Object]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut items = array.iter().filter_map(|o| resolve(doc, o));
    while let Some(first) = items.next() {
        if out.len() >= MAX_WIDTH_ENTRIES {
            break;
        }
        let Some(first) = as_f32(first).map(|f| f as u32) else {
            continue;
        };
        match items.next() {
            Some(Object::Array(list)) => {
                for (i, w) in list.iter().take(MAX_WIDTH_ENTRIES).enumerate() {
                    if let Some(w) = resolve(doc, w).and_then(as_f32) {
                        let cid = first.saturating_add(i as u32);
                        out.push((cid, cid, w / 1000.0));
                    }
                }
            }
            Some(last) => {
                let Some(last) = as_f32(last).map(|l| l as u32) else {
                    continue;
                };
                if let Some(w) = items.next().and_then(as_f32) {
                    out.push((first, last.max(first), w / 1000.0));
                }
            }
            None => break,
        }
    }
    out.sort_by_key(|&(first, _, _)| first);
    out
}

/// `/Differences [code /name /name code /name ...]` as `(code, name)` pairs.
fn differences_of(doc: &Document, encoding: &Dictionary) -> Vec<(u8, Vec<u8>)> {
    let Some(array) = dict_get(doc, encoding, b"Differences").and_then(|o| o.as_array().ok())
    else {
        return vec![];
    };
    let mut out = Vec::new();
    let mut code: i64 = 0;
    for item in array.iter().take(4096) {
        match item {
            Object::Integer(n) => code = *n,
            Object::Real(n) => code = *n as i64,
            Object::Name(name) => {
                if let Ok(c) = u8::try_from(code) {
                    out.retain(|(existing, _)| *existing != c);
                    out.push((c, name.clone()));
                }
                code += 1;
            }
            _ => {}
        }
    }
    out
}

/// Appends the Unicode for a glyph name: the Adobe Glyph List, then the
/// `uniXXXX` and `uXXXX[XX]` conventions. Returns false for unknown names
/// (`g23`, `cid12`), which carry no meaning without the font program.
fn push_glyph_name(name: &[u8], out: &mut String) -> bool {
    let Ok(name) = std::str::from_utf8(name) else {
        return false;
    };
    // Ligature and variant suffixes: "f_i", "a.sc".
    let base = name.split('.').next().unwrap_or(name);
    if let Some(text) = pdf_encoding::glyphname_to_unicode(base) {
        out.push_str(text);
        return true;
    }
    if let Some(hex) = base.strip_prefix("uni")
        && hex.len() % 4 == 0
        && !hex.is_empty()
    {
        let before = out.len();
        for chunk in hex.as_bytes().chunks(4) {
            match std::str::from_utf8(chunk)
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
            {
                Some(c) => out.push(c),
                None => {
                    out.truncate(before);
                    return false;
                }
            }
        }
        return true;
    }
    if let Some(hex) = base.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
    {
        out.push(c);
        return true;
    }
    if base.contains('_') {
        let before = out.len();
        for part in base.split('_') {
            if !push_glyph_name(part.as_bytes(), out) {
                out.truncate(before);
                return false;
            }
        }
        return true;
    }
    false
}

/// The standard single-byte encodings a simple font can start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseEncoding {
    WinAnsi,
    MacRoman,
    Standard,
    Symbol,
    ZapfDingbats,
}

impl BaseEncoding {
    fn from_name(name: &[u8], subtype: &[u8], family: StandardFamily) -> BaseEncoding {
        match name {
            b"WinAnsiEncoding" => BaseEncoding::WinAnsi,
            b"MacRomanEncoding" => BaseEncoding::MacRoman,
            b"StandardEncoding" => BaseEncoding::Standard,
            _ => BaseEncoding::default_for(subtype, family),
        }
    }

    /// The encoding a font without `/Encoding` uses. For embedded fonts that
    /// is the program's built-in encoding, which this module does not read;
    /// Standard (Type1) and WinAnsi (TrueType) are what such programs
    /// almost always carry for Latin text.
    fn default_for(subtype: &[u8], family: StandardFamily) -> BaseEncoding {
        match family {
            StandardFamily::Symbol => BaseEncoding::Symbol,
            StandardFamily::Dingbats => BaseEncoding::ZapfDingbats,
            _ if subtype == b"TrueType" => BaseEncoding::WinAnsi,
            _ => BaseEncoding::Standard,
        }
    }

    fn table(self) -> &'static pdf_encoding::ForwardMap {
        match self {
            BaseEncoding::WinAnsi => &pdf_encoding::WINANSI,
            BaseEncoding::MacRoman => &pdf_encoding::MACROMAN,
            BaseEncoding::Standard => &pdf_encoding::STANDARD,
            BaseEncoding::Symbol => &pdf_encoding::SYMBOL,
            BaseEncoding::ZapfDingbats => &pdf_encoding::ZDINGBAT,
        }
    }
}

/// Appends the base encoding's character for `code`, if it has one.
/// WinAnsi's unassigned codes and the C0 controls decode to nothing.
fn push_base_char(base: BaseEncoding, code: u8, out: &mut String) {
    if let Some(c) = base.table().get(code) {
        out.push(c);
    } else if base == BaseEncoding::WinAnsi && code >= 0xA0 {
        // Latin-1 upper half, which WinAnsi shares.
        out.push(char::from(code));
    }
}

/// The standard 14 font families, for fonts that carry no widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StandardFamily {
    Helvetica,
    Times,
    Courier,
    Symbol,
    Dingbats,
}

impl StandardFamily {
    /// Guesses the family from `/BaseFont`, ignoring a subset prefix (`ABCDEF+`).
    fn guess(base_font: &[u8]) -> StandardFamily {
        let name = String::from_utf8_lossy(base_font).to_ascii_lowercase();
        if name.contains("courier") || name.contains("mono") {
            StandardFamily::Courier
        } else if name.contains("times") || name.contains("serif") && !name.contains("sans") {
            StandardFamily::Times
        } else if name.contains("symbol") {
            StandardFamily::Symbol
        } else if name.contains("dingbat") {
            StandardFamily::Dingbats
        } else {
            StandardFamily::Helvetica
        }
    }
}

/// Helvetica advances (in 1/1000 em) for codes 32..=126, from Adobe's AFM.
const HELVETICA_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// Times-Roman advances (in 1/1000 em) for codes 32..=126, from Adobe's AFM.
const TIMES_ASCII: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

/// Advance of WinAnsi `code` in Helvetica, in text space units (the
/// metrics the extractor assumes for an unembedded Helvetica; the fixture
/// generator writes its `/Widths` from the same table).
pub fn helvetica_advance(code: u8) -> f32 {
    standard_advance(StandardFamily::Helvetica, code)
}

/// Advance of `code` in a standard 14 font, in text space units. Codes
/// outside ASCII get the family's typical lower-case width.
fn standard_advance(family: StandardFamily, code: u8) -> f32 {
    let ascii = |table: &[u16; 95], other: u16| {
        let width = code
            .checked_sub(32)
            .and_then(|i| table.get(usize::from(i)))
            .copied()
            .unwrap_or(other);
        f32::from(width) / 1000.0
    };
    match family {
        StandardFamily::Helvetica => ascii(&HELVETICA_ASCII, 556),
        StandardFamily::Times => ascii(&TIMES_ASCII, 500),
        StandardFamily::Courier => 0.6,
        StandardFamily::Symbol | StandardFamily::Dingbats => 0.6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn decode(font: &Font, bytes: &[u8]) -> (String, f32) {
        let mut text = String::new();
        let mut advance = 0.0;
        font.glyphs(bytes, |g| {
            text.push_str(g.text);
            advance += g.advance;
        });
        (text, advance)
    }

    #[test]
    fn standard_font_uses_winansi_and_builtin_metrics() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        let (text, advance) = decode(&font, b"Caf\xe9 \x80");
        assert_eq!(text, "Café €");
        // C a f é space € = 722+556+278+556+278+556
        assert!((advance - 2.946).abs() < 1e-3, "{advance}");
    }

    #[test]
    fn differences_override_base_encoding() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
            "Encoding" => dictionary! {
                "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![128.into(), Object::Name(b"sterling".to_vec()),
                                      Object::Name(b"uni0141".to_vec()), 65.into(), Object::Name(b"f_i".to_vec())],
            },
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        assert_eq!(decode(&font, b"\x80\x81AB").0, "£ŁfiB");
    }

    #[test]
    fn widths_array_with_first_char() {
        let doc = Document::with_version("1.5");
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "ABCDEF+Arial",
            "FirstChar" => 65, "LastChar" => 66, "Widths" => vec![600.into(), 700.into()],
        };
        let font = Font::load(&doc, &dict, 1 << 20);
        assert!((decode(&font, b"AB").1 - 1.3).abs() < 1e-6);
    }

    #[test]
    fn cid_widths_both_forms() {
        let doc = Document::with_version("1.5");
        let w = vec![
            10.into(),
            vec![500.into(), 600.into()].into(),
            20.into(),
            30.into(),
            250.into(),
        ];
        let widths = cid_widths(&doc, &w);
        assert_eq!(widths, vec![(10, 10, 0.5), (11, 11, 0.6), (20, 30, 0.25)]);
        let font = CompositeFont {
            encoding: CMap::identity(),
            to_unicode: None,
            widths,
            default_advance: 1.0,
        };
        assert_eq!(font.advance_of(11), 0.6);
        assert_eq!(font.advance_of(25), 0.25);
        assert_eq!(font.advance_of(31), 1.0);
    }

    #[test]
    fn glyph_name_conventions() {
        let mut out = String::new();
        assert!(push_glyph_name(b"uni00E900E8", &mut out));
        assert!(push_glyph_name(b"u1F600", &mut out));
        assert!(!push_glyph_name(b"g23", &mut out));
        assert_eq!(out, "éè😀");
    }
}
