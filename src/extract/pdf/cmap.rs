//! CMaps (PDF 32000-1 §9.7.5 and §9.10.3; Adobe technical notes 5014 and
//! 5411): how a composite font's string bytes split into character codes,
//! and what those codes mean.
//!
//! Input: the decoded bytes of a CMap stream, either a font's `/ToUnicode`
//! (codes to Unicode, from `bfchar`/`bfrange` sections) or an embedded
//! encoding CMap (codes to CIDs, from `cidchar`/`cidrange`), plus the
//! codespace ranges that split strings into codes. Output: a [`CMap`]
//! answering [`CMap::next_code`], [`CMap::unicode`] and [`CMap::cid`] once
//! per glyph, which is the extractor's hot path: each lookup is one binary
//! search over disjoint code ranges, and mapped text is sliced from one
//! shared buffer, so no lookup allocates.
//!
//! The parser never fails: malformed entries and sections are skipped and
//! what could be read is kept. It refuses to expand ranges (a hostile
//! `<0000> <FFFFFFFF>` costs one entry, and spans are clipped to 65,536
//! codes), keeps at most 200,000 entries and 16 MiB of mapped text, and
//! ignores `usecmap` (the caller falls back to identity for unmapped CIDs)
//! and `notdef` ranges.

use std::collections::BinaryHeap;

use super::lexer::{Lexer, Operand, Token};

/// Most mapping entries (Unicode and CID together) kept from one CMap.
const MAX_MAPPINGS: usize = 200_000;

/// Most codes one range entry covers; the rest of a wider range is clipped.
const MAX_RANGE_SPAN: u32 = 65_536;

/// Most bytes of mapped Unicode text kept from one CMap.
const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// Most codespace ranges kept (real CMaps declare one to a dozen).
const MAX_CODESPACES: usize = 256;

/// A codespace range: codes of `len` bytes whose every byte lies between
/// the matching bytes of `low` and `high` (§9.7.6.2).
#[derive(Clone, Debug, PartialEq)]
struct Codespace {
    /// 1 to 4.
    len: usize,
    low: [u8; 4],
    high: [u8; 4],
}

impl Codespace {
    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() >= self.len
            && bytes
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .take(self.len)
                .all(|(byte, (low, high))| (low..=high).contains(&byte))
    }
}

/// Mapped text: `text[start..start + len]` of the CMap's text buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
struct TextSpan {
    start: u32,
    len: u32,
}

/// A parsed CMap: codespace ranges, code-to-Unicode and code-to-CID maps.
///
/// ```
/// use sopncheck::extract::pdf::cmap::CMap;
///
/// let cmap = CMap::parse(b"1 begincodespacerange <0000> <FFFF> endcodespacerange
///     1 beginbfrange <0010> <0012> <0041> endbfrange");
/// let (code, len) = cmap.next_code(&[0x00, 0x11, 0x00, 0x12], 1).unwrap();
/// assert_eq!((code, len), (0x11, 2));
/// let mut text = String::new();
/// assert!(cmap.unicode(code, &mut text));
/// assert_eq!(text, "B");
/// ```
#[derive(Clone, Debug, Default)]
pub struct CMap {
    /// Sorted by length, so the first match is the shortest.
    codespaces: Vec<Codespace>,
    to_unicode: RangeTable<TextSpan>,
    /// The Unicode text of every `to_unicode` entry.
    text: String,
    to_cid: RangeTable<u32>,
    /// Identity-H/V: every code is its own CID.
    identity: bool,
}

impl CMap {
    /// Parses a CMap stream's decoded bytes. Never fails: malformed entries
    /// and sections are skipped, and what could be read is returned.
    pub fn parse(bytes: &[u8]) -> CMap {
        let mut parser = Parser::default();
        let mut lexer = Lexer::new(bytes);
        while let Some(token) = lexer.next_token() {
            match token {
                Token::Operand(operand) => parser.operand(operand),
                Token::Operator(keyword) => parser.keyword(keyword),
            }
        }
        parser.finish()
    }

    /// The predefined Identity-H/Identity-V encoding: two-byte codes, each
    /// its own CID.
    pub fn identity() -> CMap {
        CMap {
            codespaces: vec![Codespace {
                len: 2,
                low: [0; 4],
                high: [0xFF, 0xFF, 0, 0],
            }],
            identity: true,
            ..CMap::default()
        }
    }

    /// True when the CMap maps nothing: no Unicode, no CIDs, not identity.
    /// Codespace ranges alone do not count.
    pub fn is_empty(&self) -> bool {
        !self.identity && self.to_unicode.is_empty() && self.to_cid.is_empty()
    }

    /// Splits the next character code off the front of `bytes` and returns
    /// it with its length in bytes, or `None` when `bytes` is empty.
    ///
    /// The shortest codespace range the bytes match decides the length.
    /// Bytes that match none consume the shortest declared length
    /// (§9.7.6.3). With no codespace declared, codes are `default_len` bytes
    /// (clamped to 1–4). A code cut short by the end of `bytes` takes what
    /// is left.
    pub fn next_code(&self, bytes: &[u8], default_len: usize) -> Option<(u32, usize)> {
        if bytes.is_empty() {
            return None;
        }
        let len = match self.codespaces.first() {
            None => default_len,
            Some(shortest) => {
                self.codespaces
                    .iter()
                    .find(|space| space.matches(bytes))
                    .unwrap_or(shortest)
                    .len
            }
        };
        let code = bytes.get(..len.clamp(1, 4)).unwrap_or(bytes);
        Some((code_value(code), code.len()))
    }

    /// Appends the Unicode text of `code` (from `bfchar`/`bfrange`) to
    /// `out`; returns false, appending nothing, when it is not mapped.
    pub fn unicode(&self, code: u32, out: &mut String) -> bool {
        let Some((span, offset)) = self.to_unicode.get(code) else {
            return false;
        };
        let start = span.start as usize;
        let Some(text) = self.text.get(start..start + span.len as usize) else {
            return false;
        };
        if offset == 0 {
            out.push_str(text);
            return true;
        }
        // Later codes of a `bfrange` increment the destination's last
        // character (its last byte, in the specification's UTF-16 terms).
        let mut chars = text.chars();
        let Some(last) = chars
            .next_back()
            .and_then(|last| char::from_u32(u32::from(last) + offset))
        else {
            return false;
        };
        out.push_str(chars.as_str());
        out.push(last);
        true
    }

    /// The CID of `code` (from `cidchar`/`cidrange`); an identity CMap
    /// returns the code itself.
    pub fn cid(&self, code: u32) -> Option<u32> {
        if self.identity {
            return Some(code);
        }
        let (&first_cid, offset) = self.to_cid.get(code)?;
        Some(first_cid.saturating_add(offset))
    }
}

/// A code read from a hex string of 1 to 4 bytes, big-endian.
fn code_value(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |code, &b| code << 8 | u32::from(b))
}

/// The code of a source operand; `None` for anything but a 1–4 byte string.
fn source_code(operand: &Operand<'_>) -> Option<u32> {
    operand
        .as_string()
        .filter(|bytes| (1..=4).contains(&bytes.len()))
        .map(code_value)
}

/// The section being read: what its operands mean.
#[derive(Clone, Copy, Default, PartialEq)]
enum Section {
    #[default]
    Outside,
    Codespace,
    BfChar,
    BfRange,
    CidChar,
    CidRange,
}

impl Section {
    /// Operands per entry.
    fn arity(self) -> usize {
        match self {
            Section::BfRange | Section::CidRange => 3,
            _ => 2,
        }
    }
}

/// One entry as written: codes `first..=last` map to `value`, `first` to
/// the value itself and each later code to the value plus its offset.
#[derive(Clone, Debug)]
struct Definition<T> {
    first: u32,
    last: u32,
    value: T,
}

/// Reads a CMap's token stream entry by entry, holding at most one entry's
/// operands at a time.
#[derive(Default)]
struct Parser<'a> {
    section: Section,
    pending: Vec<Operand<'a>>,
    codespaces: Vec<Codespace>,
    unicode: Vec<Definition<TextSpan>>,
    text: String,
    cids: Vec<Definition<u32>>,
}

impl<'a> Parser<'a> {
    /// A `begin...` keyword opens a section; any other keyword (its
    /// `end...`, `usecmap`, `def`, ...) closes it.
    fn keyword(&mut self, keyword: &[u8]) {
        self.pending.clear();
        self.section = match keyword {
            b"begincodespacerange" => Section::Codespace,
            b"beginbfchar" => Section::BfChar,
            b"beginbfrange" => Section::BfRange,
            b"begincidchar" => Section::CidChar,
            b"begincidrange" => Section::CidRange,
            _ => Section::Outside,
        };
    }

    fn operand(&mut self, operand: Operand<'a>) {
        let arity = self.section.arity();
        if self.section == Section::Outside {
            return;
        }
        // Every operand of an entry but the last is a code string: anything
        // else is dropped, so one stray token cannot shift every later entry.
        if self.pending.len() + 1 < arity && operand.as_string().is_none() {
            return;
        }
        self.pending.push(operand);
        if self.pending.len() == arity {
            let entry = std::mem::take(&mut self.pending);
            self.entry(&entry);
            self.pending = entry;
            self.pending.clear();
        }
    }

    /// Records one complete entry of the current section.
    fn entry(&mut self, entry: &[Operand<'a>]) {
        if self.unicode.len() + self.cids.len() >= MAX_MAPPINGS {
            return;
        }
        match (self.section, entry) {
            (Section::Codespace, [low, high]) => self.codespace(low, high),
            (Section::BfChar, [code, destination]) => {
                if let Some(code) = source_code(code) {
                    self.map_unicode(code, code, destination);
                }
            }
            (Section::BfRange, [first, last, destination]) => {
                let Some((first, last)) = code_range(first, last) else {
                    return;
                };
                match destination {
                    // One destination per code, in order.
                    Operand::Array(items) => {
                        for (code, item) in (first..=last).zip(items) {
                            self.map_unicode(code, code, item);
                        }
                    }
                    // A glyph name cannot be incremented: not valid here.
                    Operand::Name(_) => {}
                    _ => self.map_unicode(first, last, destination),
                }
            }
            (Section::CidChar, [code, cid]) => {
                if let Some(code) = source_code(code) {
                    self.map_cid(code, code, cid);
                }
            }
            (Section::CidRange, [first, last, cid]) => {
                if let Some((first, last)) = code_range(first, last) {
                    self.map_cid(first, last, cid);
                }
            }
            _ => {}
        }
    }

    fn codespace(&mut self, low: &Operand<'_>, high: &Operand<'_>) {
        let (Some(low), Some(high)) = (low.as_string(), high.as_string()) else {
            return;
        };
        if !(1..=4).contains(&low.len()) || low.len() != high.len() {
            return;
        }
        if self.codespaces.len() >= MAX_CODESPACES {
            return;
        }
        let mut space = Codespace {
            len: low.len(),
            low: [0; 4],
            high: [0; 4],
        };
        for (slot, &byte) in space.low.iter_mut().zip(low) {
            *slot = byte;
        }
        for (slot, &byte) in space.high.iter_mut().zip(high) {
            *slot = byte;
        }
        self.codespaces.push(space);
    }

    /// Maps `first..=last` to the text of `destination`: a UTF-16BE string
    /// or a glyph name. An empty destination maps nothing.
    fn map_unicode(&mut self, first: u32, last: u32, destination: &Operand<'_>) {
        if self.unicode.len() + self.cids.len() >= MAX_MAPPINGS || self.text.len() >= MAX_TEXT_BYTES
        {
            return;
        }
        let start = self.text.len();
        match destination {
            Operand::String(bytes) => push_utf16be(bytes, &mut self.text),
            Operand::Name(name) => {
                if let Some(text) = std::str::from_utf8(name)
                    .ok()
                    .and_then(pdf_encoding::glyphname_to_unicode)
                {
                    self.text.push_str(text);
                }
            }
            _ => {}
        }
        let len = self.text.len() - start;
        if len == 0 {
            return;
        }
        // Both fit: the buffer stops growing just past MAX_TEXT_BYTES, and
        // one destination is at most a hex string's worth of the stream.
        let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(len)) else {
            return;
        };
        self.unicode.push(Definition {
            first,
            last,
            value: TextSpan { start, len },
        });
    }

    fn map_cid(&mut self, first: u32, last: u32, cid: &Operand<'_>) {
        let Some(cid) = cid.as_number().filter(|n| *n >= 0.0) else {
            return;
        };
        if self.unicode.len() + self.cids.len() < MAX_MAPPINGS {
            self.cids.push(Definition {
                first,
                last,
                value: cid as u32,
            });
        }
    }

    fn finish(mut self) -> CMap {
        self.codespaces.sort_by_key(|space| space.len);
        CMap {
            codespaces: self.codespaces,
            to_unicode: RangeTable::build(self.unicode),
            text: self.text,
            to_cid: RangeTable::build(self.cids),
            identity: false,
        }
    }
}

/// The codes of a range entry, with its span clipped to [`MAX_RANGE_SPAN`];
/// `None` when a code is malformed or the range runs backwards.
fn code_range(first: &Operand<'_>, last: &Operand<'_>) -> Option<(u32, u32)> {
    let (first, last) = (source_code(first)?, source_code(last)?);
    (first <= last).then(|| (first, last.min(first.saturating_add(MAX_RANGE_SPAN - 1))))
}

/// Appends UTF-16BE text, surrogate pairs joined, unpaired surrogates as
/// U+FFFD. An odd byte count (a careless producer's one-byte destination)
/// reads the first byte as a unit of its own.
fn push_utf16be(bytes: &[u8], out: &mut String) {
    let (lead, pairs) = match bytes.split_first() {
        Some((&first, rest)) if bytes.len() % 2 == 1 => (Some(u16::from(first)), rest),
        _ => (None, bytes),
    };
    let units = lead.into_iter().chain(
        pairs
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]])), // chunks of exactly 2
    );
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
}

/// Code ranges mapped to values, laid out for one binary search per
/// lookup: the entries as written, which may overlap (a later entry wins,
/// as in other readers), are cut into disjoint pieces sorted by code.
#[derive(Clone, Debug)]
struct RangeTable<T> {
    pieces: Vec<Piece>,
    definitions: Vec<Definition<T>>,
}

/// Codes `first..=last` take their value from `definitions[definition]`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    first: u32,
    last: u32,
    definition: usize,
}

impl<T> Default for RangeTable<T> {
    fn default() -> Self {
        RangeTable {
            pieces: Vec::new(),
            definitions: Vec::new(),
        }
    }
}

impl<T> RangeTable<T> {
    /// Builds the table from entries in the order written, with a sweep
    /// over range boundaries holding the active entries in a heap keyed by
    /// order of definition: O(n log n).
    fn build(definitions: Vec<Definition<T>>) -> Self {
        let mut by_first: Vec<usize> = (0..definitions.len()).collect();
        by_first.sort_by_key(|&i| definitions[i].first); // i < definitions.len()
        // Each entry starts a segment at `first` and ends one after `last`.
        let mut bounds: Vec<u64> = definitions
            .iter()
            .flat_map(|d| [u64::from(d.first), u64::from(d.last) + 1])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut active = BinaryHeap::new();
        let mut next = 0;
        for segment in bounds.windows(2) {
            let &[start, end] = segment else { continue };
            // Indices come from `by_first` and the heap: all < definitions.len().
            while let Some(&i) = by_first.get(next)
                && u64::from(definitions[i].first) <= start
            {
                active.push(i);
                next += 1;
            }
            while let Some(&i) = active.peek()
                && u64::from(definitions[i].last) < start
            {
                active.pop();
            }
            let Some(&winner) = active.peek() else {
                continue;
            };
            // Bounds are codes or a code plus one, so both ends fit in u32.
            let (first, last) = (start as u32, (end - 1) as u32);
            match pieces.last_mut() {
                Some(piece)
                    if piece.definition == winner && piece.last.checked_add(1) == Some(first) =>
                {
                    piece.last = last;
                }
                _ => pieces.push(Piece {
                    first,
                    last,
                    definition: winner,
                }),
            }
        }
        RangeTable {
            pieces,
            definitions,
        }
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The value covering `code` and the code's offset from the first code
    /// of the entry that defined it.
    fn get(&self, code: u32) -> Option<(&T, u32)> {
        let index = self
            .pieces
            .partition_point(|piece| piece.first <= code)
            .checked_sub(1)?;
        let piece = self.pieces.get(index).filter(|piece| code <= piece.last)?;
        let definition = self.definitions.get(piece.definition)?;
        Some((&definition.value, code - definition.first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(cmap: &CMap, code: u32) -> Option<String> {
        let mut out = String::new();
        cmap.unicode(code, &mut out).then_some(out)
    }

    const TO_UNICODE: &[u8] = b"%!PS-Adobe-3.0 Resource-CMap
/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
% bfchar with a ligature, a surrogate pair, a glyph name and an empty destination
5 beginbfchar
<0003> <0020>
<0011><D83DDE00>   <0012> <00660069>
<0013> /sterling
<0014> <>
endbfchar
3 beginbfrange
<0024> <0026> <0041>
<0030> <0032> [<00E9> <0141> <0066006C>]
<0040>\t<0042>\r\n<D835DC00>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn reads_bfchar_entries() {
        let cmap = CMap::parse(TO_UNICODE);
        assert_eq!(text(&cmap, 0x03).as_deref(), Some(" "));
        assert_eq!(text(&cmap, 0x11).as_deref(), Some("\u{1F600}"));
        assert_eq!(text(&cmap, 0x12).as_deref(), Some("fi"));
        assert_eq!(text(&cmap, 0x13).as_deref(), Some("£"));
        assert_eq!(text(&cmap, 0x14), None, "an empty destination maps nothing");
        assert_eq!(text(&cmap, 0x04), None);
    }

    #[test]
    fn bfrange_increments_the_destination() {
        let cmap = CMap::parse(TO_UNICODE);
        let texts: Vec<Option<String>> = (0x23..=0x27).map(|code| text(&cmap, code)).collect();
        assert_eq!(
            texts,
            [
                None,
                Some("A".into()),
                Some("B".into()),
                Some("C".into()),
                None
            ]
        );
        // A surrogate-pair destination increments as a code point.
        assert_eq!(text(&cmap, 0x42).as_deref(), Some("\u{1D402}"));
    }

    #[test]
    fn bfrange_array_form_maps_each_code() {
        let cmap = CMap::parse(TO_UNICODE);
        assert_eq!(text(&cmap, 0x30).as_deref(), Some("é"));
        assert_eq!(text(&cmap, 0x31).as_deref(), Some("Ł"));
        assert_eq!(text(&cmap, 0x32).as_deref(), Some("fl"));
    }

    #[test]
    fn a_multi_character_range_increments_its_last_character() {
        let cmap = CMap::parse(b"1 beginbfrange <01> <02> <00660069> endbfrange");
        assert_eq!(text(&cmap, 2).as_deref(), Some("fj"));
    }

    #[test]
    fn unicode_appends_to_existing_text() {
        let cmap = CMap::parse(TO_UNICODE);
        let mut out = String::from("x");
        assert!(cmap.unicode(0x25, &mut out));
        assert!(!cmap.unicode(0x99, &mut out));
        assert_eq!(out, "xB");
    }

    #[test]
    fn later_entries_win_where_ranges_overlap() {
        let cmap = CMap::parse(
            b"1 beginbfrange <0000> <00FF> <0100> endbfrange
              2 beginbfchar <0010> <0041> <00FF> <0042> endbfchar
              1 beginbfrange <0020> <0021> <0061> endbfrange",
        );
        assert_eq!(text(&cmap, 0x0F).as_deref(), Some("\u{10F}"));
        assert_eq!(text(&cmap, 0x10).as_deref(), Some("A"));
        assert_eq!(text(&cmap, 0x11).as_deref(), Some("\u{111}"));
        assert_eq!(text(&cmap, 0x21).as_deref(), Some("b"));
        assert_eq!(text(&cmap, 0x22).as_deref(), Some("\u{122}"));
        assert_eq!(text(&cmap, 0xFF).as_deref(), Some("B"));
        assert_eq!(text(&cmap, 0x100), None);
    }

    #[test]
    fn splits_codes_by_mixed_codespaces() {
        let cmap = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
              1 begincidrange <8140> <817E> 633 endcidrange
              1 begincidchar <41> 34 endcidchar",
        );
        let bytes = [0x41, 0x81, 0x42, 0xA0, 0x81, 0x30];
        assert_eq!(cmap.next_code(&bytes, 2), Some((0x41, 1)));
        assert_eq!(cmap.next_code(&bytes[1..], 2), Some((0x8142, 2)));
        // 0xA0 matches no range: the shortest length, one byte, is consumed.
        assert_eq!(cmap.next_code(&bytes[3..], 2), Some((0xA0, 1)));
        // 0x81 0x30 fails the second byte's range (0x40-0xFC): one byte.
        assert_eq!(cmap.next_code(&bytes[4..], 2), Some((0x81, 1)));
        assert_eq!(cmap.next_code(&[], 2), None);
        assert_eq!(cmap.cid(0x8142), Some(635));
        assert_eq!(cmap.cid(0x41), Some(34));
        assert_eq!(cmap.cid(0x42), None);
    }

    #[test]
    fn next_code_without_codespaces_uses_the_default_length() {
        let cmap = CMap::parse(b"1 beginbfchar <41> <0061> endbfchar");
        assert_eq!(cmap.next_code(&[0x41, 0x42], 1), Some((0x41, 1)));
        assert_eq!(cmap.next_code(&[0x41, 0x42, 0x43], 2), Some((0x4142, 2)));
        assert_eq!(
            cmap.next_code(&[0x41], 2),
            Some((0x41, 1)),
            "cut short by the end"
        );
        assert_eq!(
            cmap.next_code(&[1, 2, 3, 4, 5, 6], 9),
            Some((0x0102_0304, 4))
        );
    }

    #[test]
    fn identity_maps_two_byte_codes_to_themselves() {
        let identity = CMap::identity();
        assert_eq!(
            identity.next_code(&[0x01, 0x02, 0x03], 1),
            Some((0x0102, 2))
        );
        assert_eq!(identity.cid(0x0102), Some(0x0102));
        assert!(!identity.unicode(0x0102, &mut String::new()));
        assert!(!identity.is_empty());
        assert!(CMap::parse(b"garbage 1 2 <<>> begincmap").is_empty());
        assert!(CMap::parse(b"1 begincodespacerange <00> <FF> endcodespacerange").is_empty());
    }

    #[test]
    fn usecmap_and_stray_tokens_are_ignored() {
        let cmap = CMap::parse(
            b"/Identity-H usecmap
              2 beginbfchar <01> <0041> 7 /junk <02> <0042> endbfchar
              1 beginbfchar <03> endbfchar <04> <0043>",
        );
        assert_eq!(text(&cmap, 1).as_deref(), Some("A"));
        assert_eq!(text(&cmap, 2).as_deref(), Some("B"));
        assert_eq!(text(&cmap, 3), None);
        assert_eq!(text(&cmap, 4), None, "outside any section");
        assert_eq!(cmap.cid(1), None);
    }

    #[test]
    fn hostile_ranges_are_clipped_not_expanded() {
        let cmap = CMap::parse(
            b"1 beginbfrange <0000> <FFFFFFFF> <0041> endbfrange
              1 begincidrange <00000000> <FFFFFFFF> 0 endcidrange",
        );
        assert_eq!(cmap.to_unicode.pieces.len(), 1);
        assert_eq!(text(&cmap, 1).as_deref(), Some("B"));
        assert_eq!(text(&cmap, MAX_RANGE_SPAN), None);
        assert_eq!(cmap.cid(MAX_RANGE_SPAN - 1), Some(MAX_RANGE_SPAN - 1));
        assert_eq!(cmap.cid(MAX_RANGE_SPAN), None);
    }

    #[test]
    fn many_entries_are_bounded_and_fast() {
        let mut source = b"300000 beginbfrange\n".to_vec();
        for i in 0..300_000u32 {
            source.extend_from_slice(format!("<{i:08X}> <{:08X}> <0041>\n", i + 1).as_bytes());
        }
        source.extend_from_slice(b"endbfrange");
        let started = std::time::Instant::now();
        let cmap = CMap::parse(&source);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(cmap.to_unicode.definitions.len(), MAX_MAPPINGS);
        // Overlapping neighbours: the later one wins from its first code.
        assert_eq!(text(&cmap, 5).as_deref(), Some("A"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..1024),
            code in any::<u32>(),
        ) {
            let cmap = CMap::parse(&bytes);
            cmap.unicode(code, &mut String::new());
            let _ = cmap.cid(code);
            let _ = cmap.next_code(&bytes, 2);
        }

        #[test]
        fn overlapping_ranges_resolve_like_applying_them_in_order(
            entries in proptest::collection::vec(
                (any::<u16>(), 0u16..300, proptest::collection::vec(any::<u8>(), 0..6)),
                0..40,
            ),
            code in 0u32..0x1_0000,
        ) {
            let mut source = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n".to_vec();
            source.extend_from_slice(b"40 beginbfrange\n");
            for (first, span, destination) in &entries {
                let hex: String = destination.iter().map(|b| format!("{b:02X}")).collect();
                let last = first.saturating_add(*span);
                source.extend_from_slice(format!("<{first:04X}> <{last:04X}> <{hex}>\n").as_bytes());
            }
            source.extend_from_slice(b"endbfrange");
            // The model: apply every entry, in order, code by code.
            let mut expected = None;
            for (first, span, destination) in &entries {
                let (first, last) = (u32::from(*first), u32::from(first.saturating_add(*span)));
                let mut base = String::new();
                push_utf16be(destination, &mut base);
                let mut chars = base.chars();
                let Some(last_char) = chars.next_back() else { continue };
                if (first..=last).contains(&code) {
                    expected = Some(
                        char::from_u32(u32::from(last_char) + code - first)
                            .map(|c| format!("{}{c}", chars.as_str())),
                    );
                }
            }
            let cmap = CMap::parse(&source);
            prop_assert_eq!(text(&cmap, code), expected.flatten());
        }
    }
}
