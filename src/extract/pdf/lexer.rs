//! A zero-copy tokenizer for content streams (PDF 32000-1 §7.2, §7.3 and
//! §8.9.7 for inline images).
//!
//! Input: the decoded bytes of a content stream (a page's, a form
//! XObject's, or a CMap's, which shares the syntax). Output: operations, one
//! at a time, from [`Lexer::next_operation`]: the operands, then the
//! operator that consumes them; or single [`Token`]s from
//! [`Lexer::next_token`] for callers (the CMap parser) that are not
//! operator-driven.
//!
//! This is the extractor's hot path, so operands borrow the input wherever
//! its bytes can be used as they are: names, operators and literal strings
//! without escapes cost no allocation. Only strings that need decoding (hex
//! strings, escapes, end-of-line normalisation) and arrays allocate.
//!
//! The lexer refuses to interpret: it knows no operator but `BI`/`ID`/`EI`,
//! whose inline image data it skips because that data is not tokens. It
//! never fails: garbage bytes are skipped, an unterminated string or array
//! ends at the end of input, and everything a hostile stream could grow
//! (operands per operation, array items, array nesting) is bounded.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3, memmem};

/// Most operands kept for one operation; extras are read and dropped. No
/// operator takes more than a handful (`SCN` with a pattern name, `d`).
const MAX_OPERANDS: usize = 64;

/// Most items kept in one array; extras are read and dropped. A `TJ` array
/// for one long line of kerned text holds a few hundred.
const MAX_ARRAY_ITEMS: usize = 65_536;

/// Deepest array nesting kept; a deeper array reads as [`Operand::Null`].
const MAX_ARRAY_DEPTH: usize = 32;

/// How many bytes after a candidate `EI` must look like content-stream text
/// for it to end an inline image whose length is unknown.
const EI_LOOKAHEAD: usize = 32;

/// One operand of a content-stream operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand<'a> {
    /// An integer or real number.
    Number(f32),
    /// A name without its leading `/`; `#xx` escapes are left undecoded.
    Name(&'a [u8]),
    /// A literal string with its escapes decoded, or a hex string decoded.
    String(Cow<'a, [u8]>),
    /// An array, nested at most 32 deep.
    Array(Vec<Operand<'a>>),
    /// `true` or `false`.
    Bool(bool),
    /// `null`, or an array nested too deeply to keep.
    Null,
    /// An inline dictionary (`<< ... >>`, such as a `BDC` property list),
    /// skipped: its contents are not kept.
    Dict,
}

impl Operand<'_> {
    /// The value of a number.
    pub fn as_number(&self) -> Option<f32> {
        match self {
            Operand::Number(value) => Some(*value),
            _ => None,
        }
    }

    /// The bytes of a name, without its `/`.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Operand::Name(name) => Some(name),
            _ => None,
        }
    }

    /// The decoded bytes of a string.
    pub fn as_string(&self) -> Option<&[u8]> {
        match self {
            Operand::String(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Operand<'_>]> {
        match self {
            Operand::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// One token: an operand, or a keyword that is not one (an operator).
#[derive(Clone, Debug, PartialEq)]
pub enum Token<'a> {
    /// A number, name, string, array, boolean, null or skipped dictionary.
    Operand(Operand<'a>),
    /// A run of regular characters that is not a number, `true`, `false`
    /// or `null`, such as `Tj`, `'` or `beginbfchar`.
    Operator(&'a [u8]),
}

/// What one step of the tokenizer found; a [`Token`], or the end of an
/// array, which only means something inside one.
enum Lexeme<'a> {
    Operand(Operand<'a>),
    Keyword(&'a [u8]),
    ArrayEnd,
}

/// Byte classes of §7.2.2: whitespace, delimiters, and regular characters.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Regular,
    Whitespace,
    Delimiter,
}

const CLASSES: [Class; 256] = {
    let mut table = [Class::Regular; 256];
    let whitespace = b"\x00\t\n\x0C\r ";
    let mut i = 0;
    while i < whitespace.len() {
        table[whitespace[i] as usize] = Class::Whitespace;
        i += 1;
    }
    let delimiters = b"()<>[]{}/%";
    let mut i = 0;
    while i < delimiters.len() {
        table[delimiters[i] as usize] = Class::Delimiter;
        i += 1;
    }
    table
};

fn class(byte: u8) -> Class {
    CLASSES[usize::from(byte)]
}

fn is_whitespace(byte: u8) -> bool {
    class(byte) == Class::Whitespace
}

/// Tokenizes one content stream.
///
/// ```
/// use sopncheck::extract::pdf::lexer::{Lexer, Operand};
///
/// let mut lexer = Lexer::new(b"BT /F1 12 Tf (Hello) Tj ET");
/// let mut operands = Vec::new();
/// assert_eq!(lexer.next_operation(&mut operands), Some(&b"BT"[..]));
/// assert_eq!(lexer.next_operation(&mut operands), Some(&b"Tf"[..]));
/// assert_eq!(operands, [Operand::Name(b"F1"), Operand::Number(12.0)]);
/// assert_eq!(lexer.next_operation(&mut operands), Some(&b"Tj"[..]));
/// assert_eq!(operands[0].as_string(), Some(&b"Hello"[..]));
/// ```
#[derive(Clone, Debug)]
pub struct Lexer<'a> {
    bytes: &'a [u8],
    /// Next byte to read; never past `bytes.len()`.
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `content`.
    pub fn new(content: &'a [u8]) -> Self {
        Lexer {
            bytes: content,
            pos: 0,
        }
    }

    /// Byte offset reached (for progress and limits).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads operands into `operands` (cleared first) up to the next
    /// operator and returns the operator's bytes (`b"Tj"`, `b"'"`, ...), or
    /// `None` at the end of input.
    ///
    /// Inline images (`BI <entries> ID <data> EI`) are skipped whole and
    /// never returned. Comments are skipped. At most 64 operands are kept;
    /// extras are read and dropped.
    pub fn next_operation(&mut self, operands: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        let mut operator = self.operation(operands)?;
        while operator == b"BI" {
            // The image dictionary's entries read as operands of `ID`. A
            // malformed image without `ID` ends at whatever keyword comes.
            operator = self.operation(operands)?;
            if operator == b"ID" {
                self.skip_image_data(declared_length(operands));
                operator = self.operation(operands)?;
            }
        }
        Some(operator)
    }

    /// The next token, or `None` at the end of input. Inline images are not
    /// special here: this is for streams in content syntax that hold none
    /// (CMaps). A stray `]` is skipped.
    pub fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            match self.lexeme(0)? {
                Lexeme::Operand(operand) => return Some(Token::Operand(operand)),
                Lexeme::Keyword(keyword) => return Some(Token::Operator(keyword)),
                Lexeme::ArrayEnd => {}
            }
        }
    }

    /// Operands up to the next operator; `operands` is left empty at the end
    /// of input. Reads lexemes, not [`Token`]s: moving every operand through
    /// one enum fewer is a measurable share of the lexer's time.
    fn operation(&mut self, operands: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        operands.clear();
        while let Some(lexeme) = self.lexeme(0) {
            match lexeme {
                Lexeme::Operand(operand) if operands.len() < MAX_OPERANDS => operands.push(operand),
                Lexeme::Keyword(operator) => return Some(operator),
                Lexeme::Operand(_) | Lexeme::ArrayEnd => {}
            }
        }
        operands.clear();
        None
    }

    /// The unread input.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// The next lexeme, read at array nesting `depth` (0 outside arrays).
    fn lexeme(&mut self, depth: usize) -> Option<Lexeme<'a>> {
        loop {
            self.skip_whitespace_and_comments();
            let rest = self.rest();
            let &byte = rest.first()?;
            let operand = match byte {
                b'/' => {
                    self.pos += 1;
                    Operand::Name(self.regular_run())
                }
                b'(' => {
                    self.pos += 1;
                    Operand::String(self.literal_string())
                }
                b'<' if rest.get(1) == Some(&b'<') => {
                    self.pos += 2;
                    self.skip_nested();
                    Operand::Dict
                }
                b'<' => {
                    self.pos += 1;
                    Operand::String(Cow::Owned(self.hex_string()))
                }
                b'[' if depth < MAX_ARRAY_DEPTH => {
                    self.pos += 1;
                    Operand::Array(self.array(depth + 1))
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_nested();
                    Operand::Null
                }
                b']' => {
                    self.pos += 1;
                    return Some(Lexeme::ArrayEnd);
                }
                // Stray closers and PostScript braces mean nothing here.
                b')' | b'>' | b'{' | b'}' => {
                    self.pos += 1;
                    continue;
                }
                // Whitespace and `%` were skipped: a regular character.
                _ => return Some(self.keyword_or_number()),
            };
            return Some(Lexeme::Operand(operand));
        }
    }

    fn skip_whitespace_and_comments(&mut self) {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if is_whitespace(byte) {
                self.pos += 1;
            } else if byte == b'%' {
                self.skip_comment();
            } else {
                return;
            }
        }
    }

    /// Skips to the end-of-line byte that ends a comment.
    fn skip_comment(&mut self) {
        let rest = self.rest();
        self.pos += memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    }

    /// Consumes the run of regular characters at the position.
    fn regular_run(&mut self) -> &'a [u8] {
        let rest = self.rest();
        let len = rest
            .iter()
            .position(|&b| class(b) != Class::Regular)
            .unwrap_or(rest.len());
        self.pos += len;
        rest.get(..len).unwrap_or_default()
    }

    /// Reads a number, a `true`/`false`/`null` or an operator keyword.
    fn keyword_or_number(&mut self) -> Lexeme<'a> {
        let rest = self.rest();
        if let Some(b'0'..=b'9' | b'+' | b'-' | b'.') = rest.first() {
            let (value, len) = parse_number(rest);
            self.pos += len;
            return Lexeme::Operand(Operand::Number(value));
        }
        let operand = match self.regular_run() {
            b"true" => Operand::Bool(true),
            b"false" => Operand::Bool(false),
            b"null" => Operand::Null,
            keyword => return Lexeme::Keyword(keyword),
        };
        Lexeme::Operand(operand)
    }

    /// Reads array items from just after `[` to the matching `]` or the end
    /// of input. Keywords inside an array are malformed and dropped.
    fn array(&mut self, depth: usize) -> Vec<Operand<'a>> {
        let mut items = Vec::new();
        while let Some(lexeme) = self.lexeme(depth) {
            match lexeme {
                Lexeme::ArrayEnd => break,
                Lexeme::Operand(item) if items.len() < MAX_ARRAY_ITEMS => items.push(item),
                Lexeme::Operand(_) | Lexeme::Keyword(_) => {}
            }
        }
        items
    }

    /// Skips from just after an opening `[` or `<<` to its closer, keeping
    /// nothing: strings and comments are stepped over so that brackets in
    /// them do not count. Iterative, so any depth is safe.
    fn skip_nested(&mut self) {
        let mut depth = 1usize;
        while let Some(&byte) = self.bytes.get(self.pos) {
            self.pos += 1;
            let doubled = self.bytes.get(self.pos) == Some(&byte);
            match byte {
                b'(' => self.pos = self.scan_literal().next,
                b'%' => self.skip_comment(),
                b'<' if doubled => {
                    self.pos += 1;
                    depth += 1;
                }
                b'<' => {
                    let rest = self.rest();
                    self.pos += memchr(b'>', rest).map_or(rest.len(), |end| end + 1);
                }
                b'[' => depth += 1,
                b'>' if doubled => {
                    self.pos += 1;
                    depth -= 1;
                }
                b']' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// Finds the end of the literal string whose content starts at the
    /// position (just after its `(`), honouring nested parentheses and
    /// backslash escapes.
    fn scan_literal(&self) -> LiteralExtent {
        let mut depth = 1usize;
        let mut at = self.pos;
        let mut escaped = false;
        while let Some(rest) = self.bytes.get(at..) {
            let Some(found) = memchr3(b'(', b')', b'\\', rest) else {
                break;
            };
            let hit = at + found;
            match rest.get(found) {
                Some(b'\\') => {
                    escaped = true;
                    at = hit + 2;
                }
                Some(b'(') => {
                    depth += 1;
                    at = hit + 1;
                }
                _ => {
                    depth -= 1;
                    if depth == 0 {
                        return LiteralExtent {
                            content_end: hit,
                            next: hit + 1,
                            needs_decoding: escaped,
                        };
                    }
                    at = hit + 1;
                }
            }
        }
        LiteralExtent {
            content_end: self.bytes.len(),
            next: self.bytes.len(),
            needs_decoding: escaped,
        }
    }

    /// Reads a literal string from just after its `(`: borrowed when its
    /// bytes are its value, decoded otherwise.
    fn literal_string(&mut self) -> Cow<'a, [u8]> {
        let extent = self.scan_literal();
        let content = self
            .bytes
            .get(self.pos..extent.content_end)
            .unwrap_or_default();
        self.pos = extent.next;
        // An unescaped CR or CRLF inside a string reads as LF (§7.3.4.2).
        if extent.needs_decoding || memchr(b'\r', content).is_some() {
            Cow::Owned(unescape_literal(content))
        } else {
            Cow::Borrowed(content)
        }
    }

    /// Reads a hex string from just after its `<` to its `>` or the end of
    /// input.
    fn hex_string(&mut self) -> Vec<u8> {
        let rest = self.rest();
        let end = memchr(b'>', rest);
        self.pos += end.map_or(rest.len(), |end| end + 1);
        decode_hex(rest.get(..end.unwrap_or(rest.len())).unwrap_or_default())
    }

    /// Skips an inline image's data from just after `ID`, through its `EI`.
    /// A declared length is trusted when an `EI` follows it; otherwise the
    /// first `EI` that stands as a token and is followed by plausible
    /// content ends the data (§8.9.7).
    fn skip_image_data(&mut self, declared: Option<usize>) {
        // `ID` is followed by one whitespace byte before the data.
        if self.bytes.get(self.pos).copied().is_some_and(is_whitespace) {
            self.pos += 1;
        }
        let data_start = self.pos;
        if let Some(after) = declared.and_then(|len| self.ei_after(data_start.saturating_add(len)))
        {
            self.pos = after;
            return;
        }
        let data = self.rest();
        self.pos = memmem::find_iter(data, b"EI")
            .map(|at| data_start + at)
            .find(|&at| {
                let before = at.checked_sub(1).and_then(|i| self.bytes.get(i));
                before.copied().is_some_and(is_whitespace) && self.ends_image(at + 2)
            })
            .map_or(self.bytes.len(), |at| at + 2);
    }

    /// The position after an `EI` found at `at` past optional whitespace.
    fn ei_after(&self, at: usize) -> Option<usize> {
        let rest = self.bytes.get(at..)?;
        let start = rest.iter().position(|&b| !is_whitespace(b))?;
        let found = at + start;
        (rest.get(start..start + 2) == Some(b"EI") && self.ends_image(found + 2))
            .then_some(found + 2)
    }

    /// Whether bytes from `at`, just after a candidate `EI`, can follow an
    /// inline image: the end of input, or whitespace then text that looks
    /// like operators rather than binary image data.
    fn ends_image(&self, at: usize) -> bool {
        let Some(rest) = self.bytes.get(at..) else {
            return false;
        };
        let Some((&first, after)) = rest.split_first() else {
            return true;
        };
        if !is_whitespace(first) {
            return false;
        }
        for &byte in after.iter().take(EI_LOOKAHEAD) {
            match byte {
                // A string's or comment's bytes may be anything.
                b'(' | b'<' | b'%' => return true,
                b'!'..=b'~' => {}
                _ if is_whitespace(byte) => {}
                _ => return false,
            }
        }
        true
    }
}

/// Where a literal string's content ends.
struct LiteralExtent {
    /// Index of the closing `)` (or the end of input).
    content_end: usize,
    /// Index just after the string.
    next: usize,
    /// Whether the content holds backslash escapes.
    needs_decoding: bool,
}

/// `/L` or `/Length` of an inline image dictionary's entries.
fn declared_length(entries: &[Operand<'_>]) -> Option<usize> {
    entries.windows(2).find_map(|pair| match pair {
        [Operand::Name(b"L" | b"Length"), Operand::Number(len)] if *len >= 0.0 => {
            Some(*len as usize)
        }
        _ => None,
    })
}

/// Powers of ten for the fractional digits a number commonly has.
const POWERS_OF_TEN: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// Parses the number at the start of `bytes` (which starts with a digit,
/// sign or point) as readers do: one leading sign, digits with at most one
/// point, and minus signs inside the number ignored (so `--2` is -2). The
/// number ends at the first other byte. Returns the value, clamped to the
/// finite range of `f32`, and the bytes consumed (at least one).
fn parse_number(bytes: &[u8]) -> (f32, usize) {
    let (negative, mut len) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0;
    let mut fraction = false;
    while let Some(&byte) = bytes.get(len) {
        match byte {
            b'0'..=b'9' => {
                if mantissa < 100_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(byte - b'0');
                    exponent -= i32::from(fraction);
                } else if !fraction {
                    exponent = exponent.saturating_add(1);
                }
            }
            b'.' if !fraction => fraction = true,
            b'-' => {}
            _ => break,
        }
        len += 1;
    }
    let mantissa = mantissa as f64;
    let magnitude = match usize::try_from(-exponent) {
        Ok(digits) => match POWERS_OF_TEN.get(digits) {
            Some(power) => mantissa / power,
            None => mantissa * 10f64.powi(exponent),
        },
        Err(_) => mantissa * 10f64.powi(exponent),
    };
    let value = if negative { -magnitude } else { magnitude };
    let limit = f64::from(f32::MAX);
    (value.clamp(-limit, limit) as f32, len)
}

/// Decodes a literal string's content (§7.3.4.2): `\n \r \t \b \f \( \) \\`,
/// octal `\ddd` (1 to 3 digits, overflow ignored), a backslash before an
/// end of line continues the line, a backslash before any other byte is
/// dropped, and an unescaped CR or CRLF reads as LF.
fn unescape_literal(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while let Some(&byte) = content.get(i) {
        i += 1;
        match byte {
            b'\\' => {
                let Some(&escaped) = content.get(i) else {
                    break;
                };
                i += 1;
                match escaped {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0C),
                    b'0'..=b'7' => {
                        let mut value = escaped - b'0';
                        for _ in 0..2 {
                            match content.get(i) {
                                Some(&digit @ b'0'..=b'7') => {
                                    value = value.wrapping_mul(8).wrapping_add(digit - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(value);
                    }
                    b'\r' => {
                        if content.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'\r' => {
                out.push(b'\n');
                if content.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Decodes a hex string's content: non-hex bytes (whitespace) are ignored
/// and an odd final digit is padded with 0 (§7.3.4.3).
fn decode_hex(digits: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    let mut high: Option<u8> = None;
    for value in digits.iter().filter_map(|&b| hex_value(b)) {
        match high.take() {
            Some(high) => out.push(high << 4 | value),
            None => high = Some(value),
        }
    }
    if let Some(high) = high {
        out.push(high << 4);
    }
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every operation of `content`, operands and operator.
    fn operations(content: &[u8]) -> Vec<(Vec<Operand<'_>>, &[u8])> {
        let mut lexer = Lexer::new(content);
        let mut operands = Vec::new();
        let mut out = Vec::new();
        while let Some(operator) = lexer.next_operation(&mut operands) {
            out.push((operands.clone(), operator));
        }
        out
    }

    /// The operands of the only operation in `content`.
    fn operands_of(content: &[u8]) -> Vec<Operand<'_>> {
        let mut ops = operations(content);
        assert_eq!(ops.len(), 1, "{ops:?}");
        ops.remove(0).0
    }

    fn string_of(content: &[u8]) -> Vec<u8> {
        match operands_of(content).as_slice() {
            [Operand::String(s)] => s.to_vec(),
            other => panic!("not one string: {other:?}"),
        }
    }

    fn number(value: f32) -> Operand<'static> {
        Operand::Number(value)
    }

    fn string(bytes: &[u8]) -> Operand<'_> {
        Operand::String(Cow::Borrowed(bytes))
    }

    #[test]
    fn reads_each_kind_of_token() {
        let ops = operands_of(b"12 -3.5 /Name (lit) <41 42> [1 (a)] true false null << /K 1 >> op");
        assert_eq!(
            ops,
            [
                number(12.0),
                number(-3.5),
                Operand::Name(b"Name"),
                string(b"lit"),
                string(b"AB"),
                Operand::Array(vec![number(1.0), string(b"a")]),
                Operand::Bool(true),
                Operand::Bool(false),
                Operand::Null,
                Operand::Dict,
            ]
        );
    }

    #[test]
    fn plain_literal_strings_and_names_borrow_the_input() {
        let ops = operands_of(b"/F#20x (plain text) Tj");
        assert_eq!(ops[0], Operand::Name(b"F#20x"));
        assert!(matches!(
            &ops[1],
            Operand::String(Cow::Borrowed(b"plain text"))
        ));
    }

    #[test]
    fn reads_numbers_leniently() {
        let ops =
            operands_of(b"12 -3.5 .5 +4 4. --2 -.25 0.000001 1-2 - 99999999999999999999999 x");
        let values: Vec<f32> = ops.iter().filter_map(Operand::as_number).collect();
        assert_eq!(
            values,
            [
                12.0, -3.5, 0.5, 4.0, 4.0, -2.0, -0.25, 0.000_001, 12.0, 0.0, 1e23
            ]
        );
        let huge = [&[b'9'; 400][..], b" -", &[b'9'; 40], b" x"].concat();
        assert_eq!(operands_of(&huge), [number(f32::MAX), number(-f32::MAX)]);
    }

    #[test]
    fn a_number_ends_where_its_syntax_does() {
        let ops = operations(b"10Tf 1.2.3 m");
        assert_eq!(ops[0], (vec![number(10.0)], &b"Tf"[..]));
        assert_eq!(ops[1], (vec![number(1.2), number(0.3)], &b"m"[..]));
    }

    #[test]
    fn decodes_literal_string_escapes() {
        assert_eq!(
            string_of(b"(a\\nb\\rc\\td\\be\\ff\\(g\\)h\\\\i) Tj"),
            b"a\nb\rc\td\x08e\x0Cf(g)h\\i"
        );
        assert_eq!(
            string_of(b"(\\101\\60\\0\\7x\\1234\\777) Tj"),
            b"A0\x00\x07xS4\xFF"
        );
        assert_eq!(string_of(b"(\\q\\.) Tj"), b"q.");
    }

    #[test]
    fn decodes_line_ends_in_literal_strings() {
        assert_eq!(
            string_of(b"(one\\\ntwo\\\r\nthree\\\rfour) Tj"),
            b"onetwothreefour"
        );
        assert_eq!(string_of(b"(a\r\nb\rc\nd) Tj"), b"a\nb\nc\nd");
    }

    #[test]
    fn keeps_balanced_parentheses_in_literal_strings() {
        assert_eq!(string_of(b"(f(x(y)) = \\(z) Tj"), b"f(x(y)) = (z");
    }

    #[test]
    fn decodes_hex_strings() {
        assert_eq!(string_of(b"<48 65\n6C\t6c 6F> Tj"), b"Hello");
        assert_eq!(string_of(b"<901fa> Tj"), b"\x90\x1F\xA0");
        assert_eq!(string_of(b"<> Tj"), b"");
    }

    #[test]
    fn reads_tj_arrays() {
        let ops = operations(b"[(Can) -120 (di) 30.5 (date)] TJ");
        assert_eq!(ops.len(), 1);
        let (operands, operator) = &ops[0];
        assert_eq!(*operator, b"TJ");
        let items = operands[0].as_array().unwrap_or_default();
        assert_eq!(
            items,
            [
                string(b"Can"),
                number(-120.0),
                string(b"di"),
                number(30.5),
                string(b"date")
            ]
        );
    }

    #[test]
    fn bounds_array_nesting() {
        let mut content = b"[".repeat(40);
        content.extend_from_slice(b"1");
        content.extend_from_slice(&b"]".repeat(40));
        content.extend_from_slice(b" op");
        let ops = operands_of(&content);
        let mut depth = 0;
        let mut item = &ops[0];
        while let Some(items) = item.as_array() {
            depth += 1;
            item = &items[0];
        }
        assert_eq!(depth, MAX_ARRAY_DEPTH);
        assert_eq!(*item, Operand::Null);
    }

    #[test]
    fn skips_inline_dictionaries_with_tricky_contents() {
        let ops = operations(b"/Span << /ActualText (a >> b) /X <3E3E> /D << /E [1] >> >> BDC EMC");
        assert_eq!(
            ops[0],
            (vec![Operand::Name(b"Span"), Operand::Dict], &b"BDC"[..])
        );
        assert_eq!(ops[1], (vec![], &b"EMC"[..]));
    }

    #[test]
    fn skips_comments() {
        let ops = operations(b"% header\n1 0 0 %no ) closer\r1 0 0 k%tail");
        assert_eq!(
            ops,
            [(
                vec![
                    number(1.0),
                    number(0.0),
                    number(0.0),
                    number(1.0),
                    number(0.0),
                    number(0.0)
                ],
                &b"k"[..]
            )]
        );
    }

    #[test]
    fn quote_operators_are_returned() {
        let ops = operations(b"(a)' 1 2 (b)\"");
        assert_eq!(ops[0], (vec![string(b"a")], &b"'"[..]));
        assert_eq!(
            ops[1],
            (vec![number(1.0), number(2.0), string(b"b")], &b"\""[..])
        );
    }

    #[test]
    fn skips_inline_images_whose_data_holds_ei() {
        let mut content = b"q BI /W 4 /H 2 /CS /G /BPC 8 ID ".to_vec();
        // Data with `EI` not standing alone, and standing alone but followed by binary bytes.
        content.extend_from_slice(b"\x00EI\x01 Q\n EI \xFF\xFE\x00\x01 EIQ");
        content.extend_from_slice(b"\nEI\nQ (after) Tj");
        let ops = operations(&content);
        let operators: Vec<&[u8]> = ops.iter().map(|(_, op)| *op).collect();
        assert_eq!(operators, [&b"q"[..], b"Q", b"Tj"]);
        assert_eq!(ops[2].0, [string(b"after")]);
    }

    #[test]
    fn inline_image_length_is_used_when_given() {
        // The data is plain text that would otherwise look like an `EI`.
        let content = b"BI /W 8 /H 1 /L 12 ID a EI Q EI z\nEI Q";
        let ops = operations(content);
        assert_eq!(ops, [(vec![], &b"Q"[..])]);
        // A wrong length falls back to scanning.
        let ops = operations(b"BI /Length 3 ID abcdef EI 1 w");
        assert_eq!(ops, [(vec![number(1.0)], &b"w"[..])]);
    }

    #[test]
    fn an_unterminated_inline_image_consumes_the_rest() {
        let content = b"BI /W 1 ID \x00\x01 EI\xFF";
        let mut lexer = Lexer::new(content);
        assert_eq!(lexer.next_operation(&mut Vec::new()), None);
        assert_eq!(lexer.position(), content.len());
    }

    #[test]
    fn unterminated_strings_and_arrays_end_at_end_of_input() {
        assert_eq!(operations(b"(abc Tj"), []);
        assert_eq!(operations(b"[(a) 1 TJ"), []);
        let mut lexer = Lexer::new(b"(abc\\");
        assert_eq!(lexer.next_token(), Some(Token::Operand(string(b"abc"))));
        let mut lexer = Lexer::new(b"<4142");
        assert_eq!(lexer.next_token(), Some(Token::Operand(string(b"AB"))));
        assert_eq!(lexer.position(), 5);
    }

    #[test]
    fn skips_garbage_bytes() {
        let ops = operations(b") > } { ] 1 w");
        assert_eq!(ops, [(vec![number(1.0)], &b"w"[..])]);
    }

    #[test]
    fn bounds_operands_per_operation() {
        let content = "1 ".repeat(1000) + "cm";
        let ops = operations(content.as_bytes());
        assert_eq!(ops[0].0.len(), MAX_OPERANDS);
    }

    #[test]
    fn reads_a_realistic_text_object() {
        let content = b"BT\n/F1 9.5 Tf\n1 0 0 1 72 700 Tm (SMITH, Jane) Tj\n0 -12 Td [(12 Ex) 20 (ample Road)] TJ\nET\n";
        let ops = operations(content);
        let expected: Vec<(Vec<Operand<'_>>, &[u8])> = vec![
            (vec![], b"BT"),
            (vec![Operand::Name(b"F1"), number(9.5)], b"Tf"),
            (
                vec![
                    number(1.0),
                    number(0.0),
                    number(0.0),
                    number(1.0),
                    number(72.0),
                    number(700.0),
                ],
                b"Tm",
            ),
            (vec![string(b"SMITH, Jane")], b"Tj"),
            (vec![number(0.0), number(-12.0)], b"Td"),
            (
                vec![Operand::Array(vec![
                    string(b"12 Ex"),
                    number(20.0),
                    string(b"ample Road"),
                ])],
                b"TJ",
            ),
            (vec![], b"ET"),
        ];
        assert_eq!(ops, expected);
    }

    /// Runs the lexer over `content`, checking that it always advances.
    fn run_to_end(content: &[u8]) {
        let mut lexer = Lexer::new(content);
        let mut operands = Vec::new();
        let mut steps = 0;
        while lexer.next_operation(&mut operands).is_some() {
            assert!(lexer.position() <= content.len());
            assert!(operands.len() <= MAX_OPERANDS);
            steps += 1;
            assert!(steps <= content.len(), "no progress");
        }
        assert_eq!(lexer.position(), content.len());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(content in proptest::collection::vec(any::<u8>(), 0..2048)) {
            run_to_end(&content);
        }

        #[test]
        fn arbitrary_token_soup_never_panics(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "BI", "ID", "EI", "(", ")", "\\", "<", ">", "<<", ">>", "[", "]", "{", "%", "\n",
                "\r", " ", "1", "-.5", "/N", "Tj", "true", "\x00", "\u{ff}", "/L", "3",
            ]),
            0..256,
        )) {
            run_to_end(parts.concat().as_bytes());
        }
    }
}
